/**
 * One rule for what is a credential (src/util/credentials.ts), and every place that uses it:
 * the rule itself (header names and values, URLs), validate (a credential written in git is an
 * error at its own line and column, one from `${env:...}` is not), plan in every format (text,
 * Markdown, JSON, a saved plan, --debug, drift) with no credential in it and a saved plan that
 * still applies, pull (UI-made webhooks with user info, token parameters, Slack paths and
 * credential headers written as `${env:NAME}`; a webhook with 10 headers skipped, saying why; the
 * pulled repository validates and re-plans to zero), and import messages that show no value from
 * `${env:...}`. Against the in-repo fake Label Studio.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mlBackendToManifest } from '../../src/kinds/ml-backend/to-manifest.ts';
import { compareStorage } from '../../src/kinds/storage/compare.ts';
import { urlCredentialAsVariable, urlCredentialLinksAsVariables } from '../../src/kinds/shared/pulled-credentials.ts';
import { linksInText, literalTextCredentials } from '../../src/kinds/shared/text-credentials.ts';
import { toLiveWebhook } from '../../src/kinds/webhook/live.ts';
import { webhookToManifest } from '../../src/kinds/webhook/to-manifest.ts';
import { toLiveMlBackend } from '../../src/kinds/ml-backend/live.ts';
import type { LsMlBackend } from '../../src/kinds/ml-backend/types.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import {
  findUrlCredentials,
  isCredential,
  isCredentialName,
  isCredentialValue,
  literalUrlCredentials,
  maskUrlCredentials,
  maskUrlsInText,
} from '../../src/util/credentials.ts';
import { clearSecrets, redact, registerEnvSecret, showUrl } from '../../src/util/redact.ts';
import { projectYaml, type CliResult } from '../helpers/cli.ts';
import { startMlBackend } from '../helpers/ml-backend.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { cleanupTrees, load, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

const fake = useFakeCli(test, { namespace: 'test' });
const cli = (dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  fake.cli(dir, args, { env });

test.before.each(() => {
  fake.ls.state.webhooks.clear();
  fake.ls.state.views.clear();
  clearSecrets();
});
test.after(async () => {
  clearSecrets();
  await cleanupTrees();
});

const hook = (name: string, spec: string, project = 'p') =>
  `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;

// ---- the rule ----

test('names: what pull already counted as secret names, and the headers the old check missed', () => {
  for (const n of [
    'Authorization',
    'X-Api-Key',
    'X-Access-Key',
    'Private-Key',
    'X-Custom-Credential',
    'X-Session',
    'Cookie',
    'X-Auth-Token',
    'X-Hub-Signature',
    'apiKey',
    'token',
    'sig',
    'key',
    'code',
    'HOOK_TOKEN',
    'VENDOR_PASSWORD',
    'AWS_SECRET_ACCESS_KEY',
    'DB_PASSWD',
    'MY_PRIVATE_KEY',
    'X-Gitlab-Token',
    'client_secret',
  ]) {
    assert.ok(isCredentialName(n), n);
  }
  for (const n of [
    'Content-Type',
    'X-Team',
    'X-Author',
    'X-Status-Code',
    'monkey',
    'Accept',
    'X-Labelform-Managed',
    'HOME',
    'LABEL_STUDIO_URL',
    'q',
    'page',
  ])
    assert.not.ok(isCredentialName(n), n);
});

test('values: an authorization scheme with its credential, and token formats, whatever the name', () => {
  for (const v of [
    'Bearer abc123',
    'Token abcdef',
    'Basic dXNlcjpwYXNz',
    ' bearer x',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
    'ghp_0123456789abcdefghijABCDEFGHIJ',
    'xoxb-1234-5678-abcdefgh',
  ])
    assert.ok(isCredentialValue(v), v);
  for (const v of ['vision', 'Bearer', 'application/json', 'Token', '42']) assert.not.ok(isCredentialValue(v), v);
  assert.ok(isCredential('X-Team', 'Bearer abc123'), 'a credential value under any name');
  assert.ok(isCredential('X-Session', 'x'), 'any value under a credential name');
  assert.not.ok(isCredential('X-Session', ''), 'an empty value is none');
});

test('URLs: user info, credential query and fragment parameters, chat webhook paths; masked in place, idempotently', () => {
  const cases: Array<[string, string]> = [
    ['http://user:hunter2pass@host/hook?token=abc&q=1', 'http://(sensitive)@host/hook?token=(sensitive)&q=1'],
    ['https://tok123@git.example/x', 'https://(sensitive)@git.example/x'],
    [
      'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGHijklMNOPqrstUVWX',
      'https://hooks.slack.com/services/(sensitive)/(sensitive)/(sensitive)',
    ],
    ['https://discord.com/api/webhooks/1234/abcTOKENxyz', 'https://discord.com/api/webhooks/(sensitive)/(sensitive)'],
    [
      'https://acme.webhook.office.com/webhookb2/g1@g2/IncomingWebhook/abc123/g3',
      'https://acme.webhook.office.com/webhookb2/(sensitive)/(sensitive)/(sensitive)/(sensitive)',
    ],
    [
      'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k-123&token=t-456',
      'https://chat.googleapis.com/v1/spaces/AAA/messages?key=(sensitive)&token=(sensitive)',
    ],
    ['http://host:8080/a?q=1#access_token=zz', 'http://host:8080/a?q=1#access_token=(sensitive)'],
    [
      'https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016&sp=%2F&sig=AbC123',
      'https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016&sp=%2F&sig=(sensitive)',
    ],
    ['https://hooks.example.com/a?q=1&page=2', 'https://hooks.example.com/a?q=1&page=2'],
    ['https://media.internal/k=Q7x9', 'https://media.internal/k=Q7x9'],
  ];
  for (const [url, masked] of cases) {
    assert.is(maskUrlCredentials(url), masked, url);
    assert.is(maskUrlCredentials(masked), masked, `masking ${masked} again changes nothing`);
    assert.is(findUrlCredentials(masked).length, 0);
  }
  assert.is(maskUrlCredentials('not a url'), 'not a url');
});

test('links in text: a user info holding \', ", <, >, \\ or a backtick (legal in user info, or taken by URL parsers) is masked whole', () => {
  const cases: Array<[string, string]> = [
    ["https://user:pa'ss@minio.example.com/", 'https://(sensitive)@minio.example.com/'],
    [
      'endpoint https://us<er:pa`ss@minio.example.com:9000/bucket, then',
      'endpoint https://(sensitive)@minio.example.com:9000/bucket, then',
    ],
    ["(https://u'1:p>w@h)", '(https://(sensitive)@h)'],
    ["https://us'er@na'me:pw@host/p", 'https://(sensitive)@host/p'],
    // No @ before the path: a quote still ends the link, and what follows is not touched.
    ["'https://example.com/a' and 'x@y'", "'https://example.com/a' and 'x@y'"],
    ['https://us"er:pa\\ss@h/', 'https://(sensitive)@h/'],
    // A JSON string or an HTML attribute ends at its ": the next field's @ is not a user info.
    ['{"url":"http://host","email":"a@b.com"}', '{"url":"http://host","email":"a@b.com"}'],
    ['{"url": "http://host", "email": "a@b.com"}', '{"url": "http://host", "email": "a@b.com"}'],
    ['<a href="http://host">me@example.com</a>', '<a href="http://host">me@example.com</a>'],
  ];
  for (const [text, masked] of cases) assert.is(maskUrlsInText(text), masked, text);
  assert.is(
    redact("storage https://user:pa'ss@minio.example.com/ unreachable"),
    'storage https://(sensitive)@minio.example.com/ unreachable',
  );
});

test("validate and pull read a link in text as plan masks it: a user info holding ' or < is a credential there too", () => {
  const text = "see https://u:pa'ss@minio.example.com/b and <https://x<y:z@h/>";
  assert.equal(
    linksInText(text).map((l) => l.link),
    ["https://u:pa'ss@minio.example.com/b", 'https://x<y:z@h/'],
  );
  assert.equal(
    literalTextCredentials(text).map((c) =>
      text.slice(c.offset, c.offset + c.credential.secretEnd - c.credential.secretStart),
    ),
    ["pa'ss", 'z'],
  );
  const variable = () => 'STORAGE_S_DESCRIPTION';
  assert.is(
    urlCredentialAsVariable(text, variable, { field: 'description', owner: 'the description' })?.text,
    '${env:STORAGE_S_DESCRIPTION}',
  );
  assert.is(
    urlCredentialLinksAsVariables(text, variable, { field: 'description', owner: 'the description' }).text,
    'see ${env:STORAGE_S_DESCRIPTION} and <${env:STORAGE_S_DESCRIPTION}>',
  );
});

test('a live storage URL field is masked as a whole URL in a plan, whatever its user info holds', () => {
  const desired = {
    kind: 'ImportStorage',
    name: 's',
    file: 's.yaml',
    doc: {} as never,
    parent: 'p',
    spec: { project: 'p', type: 's3', s3_endpoint: 'https://minio.example.com', description: 'd' },
    sensitive: new Set<string>(),
  } as const;
  const live = {
    id: 1,
    title: 't',
    raw: {
      id: 1,
      type: 's3',
      s3_endpoint: 'https://user:pa"ss\\w@minio.example.com',
      description: 'see https://a:b"c@h/ ok',
    },
  } as never;
  const changes = compareStorage('import', desired, live);
  assert.equal(
    changes.find((c) => c.field === 's3_endpoint'),
    { field: 's3_endpoint', before: 'https://(sensitive)@minio.example.com', after: 'https://minio.example.com' },
  );
  assert.equal(
    changes.find((c) => c.field === 'description'),
    { field: 'description', before: 'see https://(sensitive)@h/ ok', after: 'd' },
  );
});

test('URLs as written in a manifest: a credential from ${env:...} is fine, one written in git (or from ${var.}) is not', () => {
  const literal = (t: string) => literalUrlCredentials(t).map((c) => t.slice(c.secretStart, c.secretEnd));
  assert.equal(
    literal('http://user:${env:PASS}@host/x?token=${env:T}'),
    [],
    'user name in git, password and token from the environment',
  );
  assert.equal(literal('http://${env:U}@host/'), []);
  assert.equal(
    literal('http://${env:U}:hunter2pass@host/'),
    ['hunter2pass'],
    'the password is what must not be in git',
  );
  assert.equal(literal('http://user:${var.PASS}@host/'), ['${var.PASS}'], 'labelform.yaml is git too');
  assert.equal(literal('https://host/x?sig=lit&token=${env:T}'), ['lit']);
  assert.equal(literal('https://hooks.slack.com/services/${env:SLACK_PATH}'), []);
  assert.equal(literal('${env:HOOK_URL}'), []);
});

test('redact: credential headers by the rule, URL credentials; field names of a saved plan and ordinary words left alone', () => {
  assert.is(redact('X-Access-Key: abcd1234efgh'), 'X-Access-Key: [redacted]');
  assert.is(redact('{"X-Session":"sess-12345678"}'), '{"X-Session":"[redacted]"}');
  assert.is(redact('Private-Key=AbCdEfGh12345'), 'Private-Key=[redacted]');
  assert.is(redact('Authorization: Bearer abcdefgh'), 'Authorization: [redacted]');
  assert.is(redact('X-Custom-Credential: Token 0123456789'), 'X-Custom-Credential: [redacted]');
  assert.is(
    redact('POST to http://user:hunter2pass@hooks.example.com/h?token=tok-123456 failed'),
    'POST to http://(sensitive)@hooks.example.com/h?token=(sensitive) failed',
  );
  const plan = '{"fingerprint": {"task_data_password": "sha256-0123456789abcdef", "basic_auth_user": "abc12345678"}}';
  assert.is(redact(plan), plan);
  assert.is(redact('Session: afternoon'), 'Session: afternoon');
  const keys = '{"key": "catalogue2-images", "token": "abc123def456", "title": "Key: 2024-batch"}';
  assert.is(redact(keys), keys, 'one-word JSON keys of a saved plan (key) are not headers');
  assert.is(redact(redact('see http://a:b@c/d')), 'see http://(sensitive)@c/d');
  assert.is(
    redact('webhook 8 (http://u:p@h/x?token=t-1), then http://u:p@h/y.'),
    'webhook 8 (http://(sensitive)@h/x?token=(sensitive)), then http://(sensitive)@h/y.',
  );
  assert.is(
    redact('(http://(sensitive)@h/x?token=(sensitive))'),
    '(http://(sensitive)@h/x?token=(sensitive))',
    'what is masked stays as it is',
  );
});

test('showUrl: the mask for a URL holding a value from ${env:...} (not even its host), else its credentials masked', () => {
  registerEnvSecret('HOOK_PATH', 'pathsecret-0a9b8c');
  assert.is(showUrl('http://receiver.internal/pathsecret-0a9b8c/abc?q=1'), '(sensitive)');
  assert.is(showUrl('http://u:p4ssw0rd@receiver.internal/x'), 'http://(sensitive)@receiver.internal/x');
});

// ---- validate ----

test('validate: credentials written in git in a webhook URL, its headers and an ML backend are errors at their line and column', async () => {
  const r = await load(
    {
      'labelform.yaml': `${ROOT_CONFIG}environments:\n  default:\n    url: http://ls.example\n    variables:\n      PASS: hunter2pass\n      HOOK: https://hooks.slack.com/services/T1/B2/abcdefghijkl\n`,
      'p.yaml': projectYaml('p', '  title: Hooked\n'),
      'a.yaml': hook('a', '  url: http://user:hunter2pass@hooks.example.com/hook?q=1&token=tok-abc123\n'),
      'b.yaml': hook('b', '  url: "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGHijklMNOPqrstUVWX"\n'),
      'c.yaml': hook(
        'c',
        '  url: https://hooks.example.com/c\n  headers:\n    X-Access-Key: abc\n    Private-Key: abc\n    X-Custom-Credential: abc\n    X-Session: abc\n    X-Team: Bearer abc123\n    X-Other: vision\n',
      ),
      'd.yaml': hook('d', '  url: http://user:${var.PASS}@hooks.example.com/d\n'),
      'e.yaml': hook(
        'e',
        '  url: http://user:${env:HOOK_PASS}@hooks.example.com/e?token=${env:HOOK_TOKEN}\n  headers:\n    X-Access-Key: ${env:HOOK_KEY}\n',
      ),
      'f.yaml': hook('f', '  url: ${env:SLACK_URL}\n'),
      'g.yaml': hook('g', '  url: ${var.HOOK}\n'),
      'm.yaml':
        'apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: m\nspec:\n  project: p\n  url: http://bot:mlpass-0a9b@ml.example:9090\n  extra_params:\n    api_key: sk-0123456789\n    threshold: 0.5\n',
    },
    {
      env: {
        HOOK_PASS: 'hook-pass-0a9b',
        HOOK_TOKEN: 'hook-token-0a9b',
        HOOK_KEY: 'hook-key-0a9b',
        SLACK_URL: 'https://hooks.slack.com/services/T1/B2/abcdefghijkl',
      },
    },
  );
  const take = 'it is then kept out of plans, logs and saved plans';
  const header = (name: string) =>
    `secret-literal: header ${name} looks like a credential written in git; take its value from \${env:NAME} (it is then kept out of plans and logs)`;
  assert.equal(r.lines, [
    `a.yaml:7:20: secret-literal: url holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `a.yaml:7:65: secret-literal: url holds a credential written in git: its query parameter token. Take it from \${env:NAME} (${take})`,
    `b.yaml:7:42: secret-literal: url holds a credential written in git: its path (a Slack webhook URL's path is its secret). Take the URL from \${env:NAME} (${take})`,
    `c.yaml:9:19: ${header('X-Access-Key')}`,
    `c.yaml:10:18: ${header('Private-Key')}`,
    `c.yaml:11:26: ${header('X-Custom-Credential')}`,
    `c.yaml:12:16: ${header('X-Session')}`,
    `c.yaml:13:13: ${header('X-Team')}`,
    `d.yaml:7:20: secret-literal: url holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `g.yaml:7:8: secret-literal: url holds a credential written in git: its path (a Slack webhook URL's path is its secret). Take the URL from \${env:NAME} (${take})`,
    `m.yaml:7:19: secret-literal: url holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    'm.yaml:9:14: secret-literal: extra_params.api_key looks like a credential written in git; take its value from ${env:NAME} (it is then kept out of plans and logs)',
  ]);
  assert.not.ok(
    r.lines.join('\n').includes('hunter2pass') || r.lines.join('\n').includes('tok-abc123'),
    'the messages do not quote the credential',
  );
});

// ---- plan in every format ----

const LIVE_SECRETS = [
  'hunter2pass',
  'tok-abc123',
  's3cretpw99',
  'tok-zz9988',
  'sigvalue77',
  'sess-1234567',
  'hook-key-0a9b',
  'Bearer xyz-987654',
];

async function webhooksOf(projectId: number): Promise<LsWebhook[]> {
  return fake.client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: projectId } });
}

test('plan: credentials in live URLs and headers are masked in text, Markdown, JSON, --out, --debug and drift; the saved plan applies', async () => {
  const env = { HOOK_URL: 'http://user:hunter2pass@hooks.example.com/b?token=tok-abc123', HOOK_KEY: 'hook-key-0a9b' };
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Hooked\n'),
    'a.yaml': hook('a', '  url: https://hooks.example.com/a\n  headers:\n    X-Team: vision\n'),
    'b.yaml': hook('b', '  url: ${env:HOOK_URL}\n  headers:\n    X-Access-Key: ${env:HOOK_KEY}\n'),
  });
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const projectId = [...fake.ls.state.projects.values()][0]!.id;
  const hooks = await webhooksOf(projectId);
  const a = hooks.find((h) => h.url === 'https://hooks.example.com/a')!;
  const b = hooks.find((h) => h.url === env.HOOK_URL)!;
  assert.ok(a && b, 'both created');
  // Changed in the UI: credentials in the URL and in headers.
  await fake.client.http.request('PATCH', `/api/webhooks/${a.id}/`, {
    data: {
      url: 'http://admin:s3cretpw99@hooks.example.com/a?token=tok-zz9988&sig=sigvalue77',
      headers: { ...a.headers, 'X-Team': 'vision', 'X-Session': 'sess-1234567', Authorization: 'Bearer xyz-987654' },
      actions: a.actions,
    },
  });
  await fake.client.http.request('PATCH', `/api/webhooks/${b.id}/`, {
    data: { url: 'https://hooks.example.com/moved', actions: b.actions },
  });

  const out = join(dir, 'plan.json');
  const outputs: string[] = [];
  for (const args of [
    ['plan'],
    ['plan', '--json'],
    ['plan', '--markdown'],
    ['plan', '--debug'],
    ['plan', '--out', out],
    ['drift'],
    ['drift', '--json'],
  ]) {
    const r = await cli(dir, args, env);
    assert.ok(r.code === 0 || r.code === 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    outputs.push(r.stdout, r.stderr);
  }
  const saved = await readFile(out, 'utf8');
  outputs.push(saved);
  for (const s of LIVE_SECRETS)
    assert.not.ok(
      outputs.some((o) => o.includes(s)),
      `${s} was printed or saved`,
    );
  const text = outputs[0]!;
  assert.ok(text.includes('http://(sensitive)@hooks.example.com/a?token=(sensitive)&sig=(sensitive)'), text);
  const plan = JSON.parse(saved);
  const changeA = plan.changes.find((c: { key: string }) => c.key === 'a');
  assert.equal(changeA.fields, [
    {
      field: 'url',
      before: 'http://(sensitive)@hooks.example.com/a?token=(sensitive)&sig=(sensitive)',
      after: 'https://hooks.example.com/a',
    },
    {
      field: 'headers',
      before: { 'X-Team': 'vision', 'X-Session': '(sensitive)', Authorization: '(sensitive)' },
      after: { 'X-Team': 'vision' },
    },
  ]);
  assert.equal(plan.changes.find((c: { key: string }) => c.key === 'b').fields, [
    { field: 'url', sensitive: true, env: ['HOOK_URL'] },
  ]);

  // The saved plan applies (masked values on both sides, the fingerprints say whether the server moved), and converges.
  const fromPlan = await cli(dir, ['apply', out], env);
  assert.is(fromPlan.code, 0, fromPlan.stdout + fromPlan.stderr);
  for (const s of LIVE_SECRETS) assert.not.ok((fromPlan.stdout + fromPlan.stderr).includes(s));
  const after = await webhooksOf(projectId);
  assert.is(after.find((h) => h.id === a.id)!.url, 'https://hooks.example.com/a');
  assert.equal(Object.keys(after.find((h) => h.id === a.id)!.headers ?? {}).sort(), ['X-Labelform-Managed', 'X-Team']);
  assert.is(
    after.find((h) => h.id === b.id)!.url,
    env.HOOK_URL,
    'the secret URL came from the environment at apply time, not from the plan file',
  );
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0);
});

// ---- pull ----

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('pull: UI-made webhooks with user info, token parameters, a Slack path and credential headers are written as ${env:NAME}; 10 headers are skipped, saying why; the pulled repository validates and re-plans to zero', async () => {
  const project = await fake.client.createProject({ title: 'Hooked in the UI' });
  const post = (data: Record<string, unknown>) =>
    fake.client.http.request<LsWebhook>('POST', '/api/webhooks/', { data: { project: project.id, ...data } });
  const userinfo = 'http://user:hunter2pass@hooks.example.com/hook?token=tok-abc123&q=1';
  const slack = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGHijklMNOPqrstUVWX';
  await post({
    url: userinfo,
    headers: { Authorization: 'Bearer abcdef123456', 'X-Team': 'vision', 'X-Custom': 'Token zzz999888' },
  });
  await post({ url: slack });
  const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, `v${i}`]));
  const crowded = await post({ url: 'https://hooks.example.com/crowded', headers: ten });
  await post({ url: 'https://plain.example.com/ok', headers: { 'X-Team': 'vision' } });

  const into = await fake.tree({});
  const pulled = await cli(into, ['pull', '--project', String(project.id), '--namespace', 'test']);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const secrets = ['hunter2pass', 'tok-abc123', 'abcdEFGHijklMNOPqrstUVWX', 'T0123ABCD', 'abcdef123456', 'zzz999888'];
  const files = await filesUnder(into);
  const written = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
  for (const s of secrets) {
    assert.not.ok(written.includes(s), `${s} is in a pulled file`);
    assert.not.ok((pulled.stdout + pulled.stderr).includes(s), `${s} was printed`);
  }
  assert.match(
    pulled.stdout,
    new RegExp(
      `skipped webhook ${crowded.id} of project ${project.id}: it has 10 headers; a manifest can declare at most 9, because the server allows 10 and labelform needs one for its ownership marker \\(X-Labelform-Managed\\)`,
    ),
  );
  assert.is(files.filter((f) => /webhook-.*\.yaml$/.test(f)).length, 3, files.join('\n'));

  // Each note names the variable to set: the URL as the server has it, or the header's value.
  const toSet = new Map<string, string>();
  for (const m of pulled.stdout.matchAll(/note: (the URL|header \S+) .*?written as \$\{env:(\w+)\}/g))
    toSet.set(m[2]!, m[1]!);
  const hooks = await webhooksOf(project.id);
  const env: Record<string, string> = {};
  for (const [name, what] of toSet) {
    if (what === 'the URL')
      env[name] = hooks.find((h) => (name.includes('SLACK') ? h.url === slack : h.url === userinfo))!.url;
    else env[name] = hooks.find((h) => h.url === userinfo)!.headers![what.slice('header '.length)]!;
  }
  assert.equal([...toSet.values()].sort(), ['header Authorization', 'header X-Custom', 'the URL', 'the URL']);

  const validated = await cli(into, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await cli(into, ['plan', '--json'], env);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{ kind: string; action: string; fields: unknown[] }>;
  assert.equal(changes.map((c) => [c.kind, c.action, c.fields]).sort(), [
    ['Project', 'adopt', []],
    ['Webhook', 'adopt', []],
    ['Webhook', 'adopt', []],
    ['Webhook', 'adopt', []],
  ]);
  const applied = await cli(into, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const s of secrets) assert.not.ok((plan.stdout + applied.stdout + applied.stderr).includes(s));
  assert.is((await cli(into, ['plan', '--detailed-exitcode'], env)).code, 0, 're-plans to zero');
  const slackHook = (await webhooksOf(project.id)).find((h) => h.url === slack)!;
  assert.ok(slackHook.headers?.['X-Labelform-Managed'], 'adopted, its URL unchanged');
});

test('pull of an ML backend: a URL with user info and a credential in extra_params become ${env:NAME}', () => {
  const b: LsMlBackend = {
    id: 3,
    project: 4,
    url: 'http://bot:mlpass-0a9b@ml.example:9090',
    title: 'Model',
    description: '',
    is_interactive: false,
    auth_method: 'NONE',
    basic_auth_user: '',
    basic_auth_pass_is_set: false,
    extra_params: { api_key: 'sk-0123456789', threshold: 0.5 },
    timeout: 100,
    auto_update: true,
    model_version: '',
  };
  const pulled = mlBackendToManifest(toLiveMlBackend(b, [], 'test'), {
    key: 'model',
    parentKey: 'p',
    adopt: true,
    secrets: [],
  });
  assert.ok('manifest' in pulled);
  const spec = (pulled.manifest as { spec: Record<string, unknown> }).spec;
  assert.is(spec.url, '${env:ML_BACKEND_MODEL_URL}');
  assert.equal(spec.extra_params, { api_key: '${env:ML_BACKEND_MODEL_PARAM_API_KEY}', threshold: 0.5 });
  assert.not.ok(JSON.stringify(pulled).includes('mlpass-0a9b') || JSON.stringify(pulled).includes('sk-0123456789'));
  assert.equal(
    pulled.notes.map((n) => /set (\w+)/.exec(n)?.[1]),
    ['ML_BACKEND_MODEL_URL', 'ML_BACKEND_MODEL_PARAM_API_KEY'],
  );
});

test('pull names one variable per value: a header or a parameter named URL or PASSWORD, and names that read alike, get names of their own', () => {
  const w: LsWebhook = {
    id: 5,
    project: 4,
    url: 'https://hooks.example.com/in?token=tok-0123456789',
    send_payload: true,
    send_for_all_actions: true,
    is_active: true,
    actions: [],
    headers: {
      URL: 'Bearer aaaa-0123456789',
      'X-Token': 'tok-aaaa-0123456789',
      X_Token: 'tok-bbbb-0123456789',
      'X-Callback': 'https://cb:cbpass-0123456789@cb.example.com/',
    },
  };
  const hook = webhookToManifest(toLiveWebhook(w, [], 'test'), {
    key: 'alerts',
    parentKey: 'p',
    adopt: true,
    secrets: [],
  });
  assert.ok('manifest' in hook);
  const spec = (hook.manifest as { spec: { url: string; headers: Record<string, string> } }).spec;
  assert.is(spec.url, '${env:WEBHOOK_ALERTS_URL}');
  assert.equal(spec.headers, {
    URL: '${env:WEBHOOK_ALERTS_HEADER_URL}',
    'X-Token': '${env:WEBHOOK_ALERTS_HEADER_X_TOKEN}',
    X_Token: '${env:WEBHOOK_ALERTS_HEADER_X_TOKEN_2}',
    'X-Callback': '${env:WEBHOOK_ALERTS_HEADER_X_CALLBACK}',
  });
  const names = hook.notes.map((n) => /set (\w+)/.exec(n)?.[1]);
  assert.is(new Set(names).size, 5, names.join(' '));
  assert.not.match(JSON.stringify(hook), /0123456789/);

  const b: LsMlBackend = {
    id: 3,
    project: 4,
    url: 'http://bot:mlpass-0a9b@ml.example:9090',
    title: 'Model',
    description: '',
    is_interactive: false,
    auth_method: 'BASIC_AUTH',
    basic_auth_user: 'bot',
    basic_auth_pass_is_set: true,
    extra_params: { url: 'https://u:pw-0123456789@x.example', password: 'pw-0123456789' },
    timeout: 100,
    auto_update: true,
    model_version: '',
  };
  const ml = mlBackendToManifest(toLiveMlBackend(b, [], 'test'), {
    key: 'model',
    parentKey: 'p',
    adopt: true,
    secrets: [],
  });
  assert.ok('manifest' in ml);
  const mlSpec = (ml.manifest as { spec: Record<string, unknown> }).spec;
  assert.equal(
    [mlSpec.url, mlSpec.basic_auth_pass, mlSpec.extra_params],
    [
      '${env:ML_BACKEND_MODEL_URL}',
      '${env:ML_BACKEND_MODEL_PASSWORD}',
      { url: '${env:ML_BACKEND_MODEL_PARAM_URL}', password: '${env:ML_BACKEND_MODEL_PARAM_PASSWORD}' },
    ],
  );
  assert.not.match(JSON.stringify(ml), /0123456789|mlpass/);
});

// ---- import messages ----

test('import Webhook/KEY ID: no URL from ${env:...} in the message, nor in the "already managed" error', async () => {
  const secretUrl = 'http://receiver.example/pathsecret-0a9b8c/abc?q=1';
  const project = await fake.client.createProject({ title: 'Hooked' });
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Hooked\n'),
    'h.yaml': hook('h', '  url: ${env:HOOK_URL}\n'),
    'g.yaml': hook('g', '  url: ${env:HOOK_URL}\n'),
  });
  const env = { HOOK_URL: secretUrl };
  assert.is((await cli(dir, ['import', 'p', String(project.id)], env)).code, 0);
  const w = await fake.client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: { project: project.id, url: secretUrl },
  });
  const imported = await cli(dir, ['import', 'Webhook/h', String(w.id)], env);
  assert.is(imported.code, 0, imported.stdout + imported.stderr);
  assert.match(imported.stdout, new RegExp(`Adopted webhook ${w.id} as Webhook p/h`));
  const again = await cli(dir, ['import', 'Webhook/h', String(w.id)], env);
  assert.match(again.stdout, new RegExp(`Webhook ${w.id} is already managed as Webhook p/h`));
  const other = await cli(dir, ['import', 'Webhook/g', String(w.id)], env);
  assert.is(other.code, 1);
  assert.match(other.stdout + other.stderr, new RegExp(`webhook ${w.id} is already managed as test/h`));
  for (const r of [imported, again, other]) {
    const all = r.stdout + r.stderr;
    assert.not.ok(all.includes('pathsecret') || all.includes('receiver.example'), all);
  }
});

test('import of a webhook whose URL is in git: shown with its credentials masked', async () => {
  const project = await fake.client.createProject({ title: 'Hooked' });
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Hooked\n'),
    'h.yaml': hook('h', '  url: https://hooks.example.com/h\n'),
  });
  assert.is((await cli(dir, ['import', 'p', String(project.id)])).code, 0);
  const w = await fake.client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: { project: project.id, url: 'http://user:hunter2pass@hooks.example.com/h?token=tok-abc123' },
  });
  const imported = await cli(dir, ['import', 'Webhook/h', String(w.id)]);
  assert.is(imported.code, 0, imported.stderr);
  assert.ok(
    imported.stdout.includes(
      `Adopted webhook ${w.id} (http://(sensitive)@hooks.example.com/h?token=(sensitive)) as Webhook p/h`,
    ),
    imported.stdout,
  );
});

test('import View/KEY ID: a title from ${env:...} is not printed', async () => {
  const title = 'Zephyrine review queue';
  const project = await fake.client.createProject({ title: 'Tabs' });
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
    'v.yaml':
      'apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: queue\nspec:\n  project: p\n  title: ${env:TAB_TITLE}\n',
  });
  const env = { TAB_TITLE: title };
  assert.is((await cli(dir, ['import', 'p', String(project.id)], env)).code, 0);
  const v = await fake.client.http.request<{ id: number }>('POST', '/api/dm/views/', {
    data: { project: project.id, data: { title } },
  });
  const imported = await cli(dir, ['import', 'View/queue', String(v.id)], env);
  assert.is(imported.code, 0, imported.stdout + imported.stderr);
  assert.match(imported.stdout, new RegExp(`Adopted tab ${v.id} as View p/queue`));
  assert.not.ok((imported.stdout + imported.stderr).includes('Zephyrine'));
});

test('import MlBackend/KEY ID: neither its URL nor its title from ${env:...} is printed', async () => {
  const backend = await startMlBackend();
  try {
    const project = await fake.client.createProject({ title: 'Scored' });
    const env = { ML_URL: `${backend.url}/?token=mltok-0a9b8c7d`, ML_TITLE: 'Zephyrine scorer' };
    const dir = await fake.repo({
      'p.yaml': projectYaml('p', '  title: Scored\n'),
      'm.yaml':
        'apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: m\nspec:\n  project: p\n  url: ${env:ML_URL}\n  title: ${env:ML_TITLE}\n',
    });
    assert.is((await cli(dir, ['import', 'p', String(project.id)], env)).code, 0);
    const b = await fake.client.http.request<{ id: number }>('POST', '/api/ml/', {
      data: { project: project.id, url: env.ML_URL, title: env.ML_TITLE },
    });
    const imported = await cli(dir, ['import', 'MlBackend/m', String(b.id)], env);
    assert.is(imported.code, 0, imported.stdout + imported.stderr);
    assert.match(imported.stdout, new RegExp(`Adopted ML backend ${b.id} as MlBackend p/m`));
    for (const s of ['mltok', 'Zephyrine', '127.0.0.1'])
      assert.not.ok((imported.stdout + imported.stderr).includes(s), s);
  } finally {
    await backend.stop();
  }
});

test('import of a webhook with 10 headers is refused before anything is sent', async () => {
  const project = await fake.client.createProject({ title: 'Hooked' });
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Hooked\n'),
    'h.yaml': hook('h', '  url: https://hooks.example.com/h\n'),
  });
  assert.is((await cli(dir, ['import', 'p', String(project.id)])).code, 0);
  const headers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, `v${i}`]));
  const w = await fake.client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: { project: project.id, url: 'https://hooks.example.com/h', headers },
  });
  const imported = await cli(dir, ['import', 'Webhook/h', String(w.id)]);
  assert.is(imported.code, 1);
  assert.match(
    imported.stderr + imported.stdout,
    /has 10 headers; the server allows 10 and labelform needs one for its ownership marker/,
  );
  assert.equal(fake.ls.state.webhooks.get(w.id)!.headers, headers, 'unchanged');
});

test.run();
