/**
 * Failures that must end a run quickly and clearly: a server killed in the middle of a plan stops
 * the plan at the first refused connection (the queued reads do not each retry), while the
 * retries that are right stay (one reset, a proxy's 503 during a restart).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { urlProblem } from '../../src/manifest/url-rules.ts';
import { startFakeLabelStudio } from '../fake/label-studio-fake.ts';
import { hasStackTrace, projectYaml, removeTree, writeTree } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { SERVER_TAKES_WEBHOOK_URL, STRICTER_THAN_SERVER } from '../helpers/webhook-urls.ts';
import { cleanupTrees, load, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

const fake = useFakeCli(test);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const trees: string[] = [];
test.after(async () => {
  await cleanupTrees();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(trees.map(removeTree));
});

/** The fake Label Studio in a child process, so it can be killed like a real server. */
async function startFakeProcess(): Promise<{ url: string; token: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/fake-process.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (l) => resolve(l));
    child.once('exit', (code) => reject(new Error(`the fake server exited (${code}) before it started`)));
  });
  return { ...(JSON.parse(first) as { url: string; token: string }), child };
}

function cliEnv(url: string, token: string): NodeJS.ProcessEnv {
  const { GITHUB_ACTIONS: _gha, NO_COLOR: _nc, FORCE_COLOR: _fc, CI: _ci, ...env } = process.env;
  return { ...env, LABEL_STUDIO_URL: url, LABEL_STUDIO_API_KEY: token };
}

test('the server killed during a plan of 300 projects: the plan stops at the refused connection, with one clear message', async () => {
  const N = 300;
  const server = await startFakeProcess();
  const seed = createClient({ baseUrl: server.url, token: server.token, concurrency: 8 });
  const files: Record<string, string> = {
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: dead\n',
  };
  for (let i = 0; i < N; i++) {
    await seed.createProject({
      title: `Dead server ${i}`,
      description: withMarker('', { namespace: 'dead', key: `p${i}` }),
    });
    files[`projects/p${i}.yaml`] = projectYaml(`p${i}`, `  title: Dead server ${i}\n`);
  }
  // One ML backend in the repository: the plan reads the backends of each of the 300 projects.
  files['ml.yaml'] =
    'apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: m\nspec:\n  project: p0\n  url: http://ml.example:9090\n';
  const dir = await writeTree(files);
  trees.push(dir);

  const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'plan', '--debug', '-C', dir], {
    cwd: ROOT,
    env: cliEnv(server.url, server.token),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(cli);
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  // Every HTTP attempt is one --debug line. The server is killed after 20 backend reads; from then
  // on, attempts are counted, and a client that retries each queued read is stopped at 40.
  const BOUND = 40;
  let backendReads = 0;
  let afterKill: number | undefined;
  const lines = createInterface({ input: cli.stderr });
  lines.on('line', (line) => {
    stderr += `${line}\n`;
    if (!line.startsWith('[http] ')) return;
    if (afterKill !== undefined) {
      afterKill++;
      if (afterKill > BOUND) cli.kill('SIGKILL');
    } else if (line.startsWith('[http] GET /api/ml/') && ++backendReads === 20) {
      server.child.kill('SIGKILL');
      afterKill = 0;
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    cli.on('close', (c, s) => r([c, s])),
  );

  assert.ok(afterKill !== undefined, `the server was never killed:\n${stderr}`);
  assert.is(signal, null, `still trying after ${BOUND} attempts past the kill:\n${stderr.slice(-3000)}`);
  // What was in flight when it died may fail and be tried once more; nothing queued is sent.
  assert.ok(afterKill <= 12, `${afterKill} attempts after the kill:\n${stderr}`);
  assert.is(code, 1, stdout + stderr);
  const messages = stderr.split('\n').filter((l) => l && !l.startsWith('[http] '));
  assert.is(hasStackTrace(stderr), false, stderr);
  assert.ok(messages.length >= 1 && messages.length <= 2, messages.join('\n'));
  assert.match(
    messages[0]!,
    new RegExp(
      `^Error: cannot reach Label Studio at ${server.url.replace(/\./g, '\\.')} \\(LABEL_STUDIO_URL\\): .*connection refused`,
    ),
  );
  assert.is(stderr.split('connection refused').length - 1, 1, 'said once');
  assert.is(stdout, '');
});

// --- the retries that stay, and what stops them -------------------------------------------------

test('a single reset and a proxy answering 503 during a restart are still retried, and the client goes on', async () => {
  const ls = await startFakeLabelStudio();
  const proxy = await startFaultProxy(ls.url);
  try {
    const client = createClient({ baseUrl: proxy.url, token: ls.token, sleep: noSleep });
    proxy.inject({ method: 'GET', path: /^\/api\/version\//, times: 1, fault: { kind: 'reset' } });
    proxy.inject({ method: 'GET', path: /whoami/, times: 3, fault: { kind: 'status', status: 503 } });
    await client.version();
    await client.whoami();
    await client.version();
    assert.equal(
      proxy.seen.map((x) => x.fault ?? 'passed'),
      ['reset', 'passed', 'status', 'status', 'status', 'passed', 'passed'],
    );
  } finally {
    await proxy.close();
    await ls.stop();
  }
});

test('a gateway answering 502 after every retry: the queued requests fail at once, without being sent', async () => {
  const ls = await startFakeLabelStudio();
  const proxy = await startFaultProxy(ls.url);
  try {
    const client = createClient({ baseUrl: proxy.url, token: ls.token, sleep: noSleep, concurrency: 1, maxRetries: 4 });
    proxy.inject({ method: 'GET', times: 1000, fault: { kind: 'status', status: 502 } });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => client.getProject(i + 1)));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 502));
    // One request's five attempts; the 49 behind it are not sent.
    assert.is(proxy.seen.length, 5);
    assert.match(
      String((results[49] as PromiseRejectedResult).reason),
      /^ApiError: GET \/api\/projects\/50\/ failed with HTTP 502/,
    );
    // One endpoint failing while the server answers others is not a server that is gone.
    // (Between two attempts, the same client gets an answer from the server on another request.)
    const busy: ReturnType<typeof createClient> = createClient({
      baseUrl: proxy.url,
      token: ls.token,
      sleep: async () => void (await busy.version()),
      concurrency: 2,
      maxRetries: 2,
    });
    proxy.clear();
    proxy.inject({ method: 'GET', path: /^\/api\/projects\/1\//, times: 1000, fault: { kind: 'status', status: 502 } });
    const broken = await busy.getProject(1).catch((e: unknown) => e);
    assert.ok(broken instanceof ApiError && broken.status === 502);
    assert.ok((await busy.whoami()).email);
    // A 429 is a server that is there: it does not stop the client.
    const other = createClient({ baseUrl: proxy.url, token: ls.token, sleep: noSleep, concurrency: 1, maxRetries: 1 });
    proxy.clear();
    proxy.inject({ method: 'GET', times: 2, fault: { kind: 'status', status: 429 } });
    await other.version().catch(() => undefined);
    await other.version();
    assert.equal(
      proxy.seen.map((x) => x.fault ?? 'passed'),
      ['status', 'status', 'passed'],
    );
  } finally {
    await proxy.close();
    await ls.stop();
  }
});

test('a refused connection: not retried, and nothing after it is sent, reads or writes', async () => {
  const ls = await startFakeLabelStudio();
  const proxy = await startFaultProxy(ls.url);
  const client = createClient({ baseUrl: proxy.url, token: ls.token, sleep: noSleep, concurrency: 4 });
  await client.version();
  // Nothing listens on the port any more: connections to it are refused.
  await proxy.close();
  await ls.stop();
  const before = client.http.stats.requests;
  const results = await Promise.allSettled([
    ...Array.from({ length: 100 }, (_, i) => client.getProject(i + 1)),
    client.createProject({ title: 'Never sent' }),
  ]);
  const attempts = client.http.stats.requests - before;
  // At most the four already on their way, each tried once more when it had gone out on a kept-alive
  // connection the server's death reset; none of the 97 queued behind them.
  assert.ok(attempts >= 1 && attempts <= 8, `${attempts} attempts`);
  for (const r of results) {
    assert.is(r.status, 'rejected');
    const err = (r as PromiseRejectedResult).reason as ApiError;
    assert.equal([err.kind, err.code], ['network', 'ECONNREFUSED']);
    assert.match(err.message, /connection refused/);
  }
});

const noSleep = async () => undefined;

// --- drift counts what it checked as what it is ---------------------------------------------------

test("an environment's url with its own ${var.NAME} (a port) validates and connects", async () => {
  const port = new URL(fake.ls.url).port;
  const dir = await fake.tree({
    'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: test\nenvironments:\n  default:\n    url: http://127.0.0.1:\${var.port}\n    variables:\n      port: "${port}"\n`,
    'p.yaml': projectYaml('p', '  title: Port from a variable\n'),
  });
  const validated = await fake.cli(dir, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const planned = await fake.cli(dir, ['plan'], { url: 'http://127.0.0.1:9' });
  assert.is(planned.code, 0, planned.stdout + planned.stderr);
  assert.match(planned.stdout, /Port from a variable/);
});

test('drift: projects counted as projects, their webhooks and tabs as what they are', async () => {
  const files: Record<string, string> = {};
  for (const k of ['a', 'b', 'c']) {
    files[`${k}.yaml`] = projectYaml(k, `  title: Counted ${k}\n`);
    files[`${k}-hook.yaml`] =
      `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: ${k}-hook\nspec:\n  project: ${k}\n  url: https://hooks.example.com/${k}\n`;
    files[`${k}-tab.yaml`] =
      `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${k}-tab\nspec:\n  project: ${k}\n  title: Tab ${k}\n`;
  }
  const dir = await fake.repo(files);
  const applied = await fake.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const clean = await fake.cli(dir, ['drift']);
  assert.is(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(
    clean.stdout,
    /\nNo drift: 3 managed projects and 6 other resources \(3 webhooks, 3 views\) match git\.\n$/,
  );
  const json = JSON.parse((await fake.cli(dir, ['drift', '--json'])).stdout) as {
    checked: number;
    checkedByKind: Record<string, number>;
  };
  assert.equal([json.checked, json.checkedByKind], [3, { Project: 3, Webhook: 3, View: 3 }]);

  // A webhook edited on the server is drift in a webhook, not in a project.
  const hook = [...fake.ls.state.webhooks.values()][0]!;
  hook.url = 'https://hooks.example.com/moved';
  const drifted = await fake.cli(dir, ['drift']);
  assert.is(drifted.code, 2, drifted.stdout + drifted.stderr);
  assert.match(
    drifted.stdout,
    /\nDrift found in 1 webhook \(3 managed projects and 6 other resources \(3 webhooks, 3 views\) checked\)\./,
  );
});

// --- validate: every problem in one run -----------------------------------------------------------

const hook = (name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
const ml = (name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
const storage = (kind: 'ImportStorage' | 'ExportStorage', name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: p\n${spec}`;
const BAD_CONFIG = `'<View><Text name="t" value="$t"/><Choices name="c" toName="nope"><Choice value="x"/></Choices></View>'`;

test('schema errors do not hide the second pass: label configs, references and rules of the rest of each document, in one run', async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    // A schema error (title too short, a misspelt field) and a label config that names no tag.
    'a.yaml': projectYaml('a', `  title: A\n  colr: "#112233"\n  label_config: ${BAD_CONFIG}\n`),
    // A project whose spec is not even a mapping: its name is still known to references.
    'b.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: b\nspec: [1, 2]\n',
    // A URL with a space and a project that does not exist: both.
    'h.yaml': hook('h', '  project: missing\n  url: "https://hooks.example.com/a b"\n'),
    // References to the broken projects are not "missing".
    'v.yaml': 'apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: v\nspec:\n  project: b\n  title: Tab\n',
    'm.yaml': ml('m', '  project: a\n  url: http://ml-backend:9090\n  auth_method: BASIC_AUTH\n  basic_auth_user: 7\n'),
  });
  assert.equal(r.lines, [
    'a.yaml:6:10: schema: spec.title must be at least 3 characters, got 1',
    'a.yaml:7:3: schema: unknown field "colr" in spec; did you mean "color"?',
    'a.yaml:8:51: config-toname: toName="nope" names no tag; object tags here: t',
    'b.yaml:5:7: schema: spec must be a mapping, got a list [...]',
    'h.yaml:6:12: missing-project: no Project named "missing" (defined: a)',
    'h.yaml:7:8: schema: spec.url contains a space after "/hooks.example.com/a" (write a space in a path or query as %20), got "https://hooks.example.com/a b"',
    // basic_auth_user has the wrong type: the rule that needs it is not reported on top.
    'm.yaml:9:20: schema: spec.basic_auth_user must be a string, got an integer 7',
  ]);
});

test('two documents in one file: a schema error in one hides nothing of the other (its value at the same pointer included)', async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Ppp\n'),
    'hooks.yaml': `${hook('a', '  project: p\n  url: "https://hooks.example.com/a b"\n')}---\n${hook('b', '  project: p\n  url: "https://user:hunter2pass@hooks.example.com/b"\n')}`,
  });
  assert.is(r.lines.length, 2, r.lines.join('\n'));
  assert.match(r.lines[0]!, /^hooks\.yaml:7:8: schema: spec\.url contains a space/);
  assert.match(
    r.lines[1]!,
    /^hooks\.yaml:15:\d+: secret-literal: url holds a credential written in git: its user info/,
  );
  assert.not.ok(r.lines.join('\n').includes('hunter2pass'));
});

test('every URL-typed field refuses a space at its file:line:col, and what the server refuses', async () => {
  const r = await load({
    'labelform.yaml': `${ROOT_CONFIG}environments:\n  default:\n    url: http://ls.example.com/label studio\n  staging:\n    url: \${env:STAGING_URL}\n  prod:\n    url: https://\${env:PROD_HOST}/ls\n`,
    'p.yaml': projectYaml('p', '  title: Project\n'),
    'h1.yaml': hook('h1', '  project: p\n  url: "http://host/a b"\n'),
    'h2.yaml': hook('h2', '  project: p\n  url: http://receiver:8080/hook\n'),
    'h3.yaml': hook('h3', '  project: p\n  url: http://127.0.0.1:9/hook\n'),
    'm1.yaml': ml('m1', '  project: p\n  url: "http://ml.example.com:9090/a b"\n'),
    'm2.yaml': ml('m2', '  project: p\n  url: http://ml-backend:9090\n'),
    's1.yaml': storage('ImportStorage', 's1', '  type: s3\n  bucket: b\n  s3_endpoint: "http://minio :9000"\n'),
    's2.yaml': storage('ExportStorage', 's2', '  type: s3\n  bucket: b\n  s3_endpoint: minio:9000\n'),
    's3.yaml': storage('ImportStorage', 's3', '  type: redis\n  host: redis://cache.example.com\n'),
    's4.yaml': storage('ExportStorage', 's4', '  type: redis\n  host: "cache host"\n'),
    's5.yaml': storage('ImportStorage', 's5', '  type: redis\n  host: cache.internal\n'),
  });
  assert.equal(r.lines, [
    'h1.yaml:7:8: schema: spec.url contains a space after "http://host/a" (write a space in a path or query as %20), got "http://host/a b"',
    `h2.yaml:7:8: schema: spec.url has the host "receiver", which the server refuses for a webhook (Django's URLValidator): use a name with a domain (receiver.example.com), localhost or an IP address, got "http://receiver:8080/hook"`,
    'labelform.yaml:6:10: schema: environments.default.url contains a space after "ls.example.com/label" (write a space in a path or query as %20), got "http://ls.example.com/label studio"',
    'm1.yaml:7:8: schema: spec.url contains a space after "l.example.com:9090/a" (write a space in a path or query as %20), got "http://ml.example.com:9090/a b"',
    's1.yaml:9:16: schema: spec.s3_endpoint contains a space after "http://minio" (write a space in a path or query as %20), got "http://minio :9000"',
    's2.yaml:9:16: schema: spec.s3_endpoint is not a URL: it must start with http:// or https://, got "minio:9000"',
    's3.yaml:8:9: schema: spec.host is a URL; give the host name or address only (without a scheme), got "redis://cache.example.com"',
    's4.yaml:8:9: schema: spec.host contains a space after "cache", got "cache host"',
  ]);
});

test('a URL from ${env:...} that does not fit is refused without showing it', async () => {
  const r = await load(
    {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': projectYaml('p', '  title: Project\n'),
      'h.yaml': hook('h', '  project: p\n  url: ${env:HOOK_URL}\n'),
    },
    { env: { HOOK_URL: 'https://hooks.example.com/secret path-zq81' } },
  );
  assert.equal(r.lines, [
    'h.yaml:7:8: schema: spec.url must be a URL the server accepts for a webhook; the value from ${env:...} (not shown) is not',
  ]);
});

test('labelform.yaml: a reference in the port, host, user info or scheme of a url is not judged as text ("${env:LS_PORT}" is no bad port)', async () => {
  const envs = {
    local: 'http://localhost:${env:LS_PORT}',
    byvar: 'http://localhost:${var.port}/ls',
    both: 'http://${env:LS_HOST}:${env:LS_PORT}',
    v6: 'http://[${env:LS_V6}]:8080',
    sub: 'https://${env:SUB}.example.com:${env:LS_PORT}/ls?x=${env:Q}#${env:F}',
    digits: 'http://localhost:80${env:LS_PORT_END}',
    scheme: 'http${env:TLS}://localhost:8080',
  };
  const config = `${ROOT_CONFIG}defaultEnvironment: local\nenvironments:\n${Object.entries(envs)
    .map(([name, url]) => `  ${name}:\n    url: ${url}\n    variables:\n      port: 8080\n`)
    .join('')}`;
  const r = await load({ 'labelform.yaml': config, 'p.yaml': projectYaml('p', '  title: Project\n') });
  assert.equal(r.lines, []);
  for (const url of Object.values(envs)) assert.is(urlProblem('env-http-url', url), undefined, url);
  // What is written out is still judged, and the message quotes it, not a stand-in.
  assert.is(
    urlProblem('env-http-url', 'http://999.1.1.1:${env:P}'),
    'has a host "999.1.1.1" that is not a valid IPv4 address',
  );
  assert.is(urlProblem('env-http-url', 'ftp://host:${env:P}'), 'must start with http:// or https://, not ftp://');
  assert.is(urlProblem('env-http-url', 'http://:${env:P}'), 'has no host after the scheme');
  assert.match(
    urlProblem('env-http-url', 'http://localhost:${env:P}/a b') ?? '',
    /^contains a space after "[^"]*:\$\{env:P\}\/a"/,
  );
});

test('URL fields of manifests with ${env:...} inside: not judged while unset, judged whole (and not shown) once set', async () => {
  const files = {
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Project\n'),
    'h.yaml': hook('h', '  project: p\n  url: https://hooks.example.com/in?token=${env:HOOK_TOKEN}\n'),
    's.yaml': storage(
      'ImportStorage',
      's',
      '  type: s3\n  bucket: b\n  s3_endpoint: http://minio:${env:MINIO_PASS}@minio.internal:9000\n',
    ),
  };
  const unset = await load(files);
  assert.equal(
    unset.lines.map((l) => l.replace(/ is not set.*/, '')),
    ['h.yaml:7:8: warning env-unset: HOOK_TOKEN', 's.yaml:9:16: warning env-unset: MINIO_PASS'],
  );
  // Tokens and passwords as services hand them out (base64, percent-encoded user info) fit.
  const set = await load(files, { env: { HOOK_TOKEN: 'xoxb-1234/abcd+EF==', MINIO_PASS: 'Secr3t%2FPa:ss' } });
  assert.equal(set.lines, []);
  // A password with a raw "/" cuts the authority short for every client: refused, not shown.
  const broken = await load(files, { env: { HOOK_TOKEN: 'xoxb-1234/abcd+EF==', MINIO_PASS: 'Secr3t/Pass' } });
  assert.equal(broken.lines, [
    's.yaml:9:16: schema: spec.s3_endpoint must be an http(s) URL; the value from ${env:...} (not shown) is not',
  ]);
});

test("webhook-url agrees with the server's URLValidator; it is stricter only where the server's answer could never work or settle", () => {
  for (const [url, accepted] of Object.entries(SERVER_TAKES_WEBHOOK_URL))
    assert.is(urlProblem('webhook-url', url) === undefined, accepted, url);
  for (const url of STRICTER_THAN_SERVER) assert.ok(urlProblem('webhook-url', url), url);
});

test.run();
