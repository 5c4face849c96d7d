/**
 * Secrets on the real Label Studio: a repository whose description and label config use
 * `${env:...}` is applied (so the server holds the plaintext), then pulled into another folder:
 * no file pull wrote holds a secret value, and the pulled manifests plan clean. A secret that is
 * part of a key and a title leaves both intact in a saved plan, which holds no secret and applies.
 * UI-made webhooks with credentials in their URLs (user info, a token, a Slack path) and headers
 * are pulled as `${env:NAME}` references; a webhook with 10 headers is skipped, saying why.
 * Uses its own namespaces and deletes only the projects it made (the server is shared).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { removeTree, runCli, writeTree } from '../helpers/cli.ts';
import { filesHoldingSecrets } from '../helpers/secret-scan.ts';
import { api, cli, makeRepo, projectManifest, serverEnv, uniqueNamespace } from './support.ts';

const client = api();
const namespaces: string[] = [];
const dirs: string[] = [];
/** Projects made here without a marker (a failed test leaves them unmarked). */
const madeIds: number[] = [];

test.after(async () => {
  // Only this file's projects: those carrying one of its namespaces.
  for await (const page of client.listProjects()) {
    for (const p of page) {
      const m = parseMarker(p.description ?? '');
      if ((m && namespaces.includes(m.namespace)) || madeIds.includes(p.id)) await client.deleteProject(p.id);
    }
  }
  await Promise.all(dirs.map((d) => removeTree(d)));
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('apply a repository using ${env:...} in description and label_config, pull into another folder: no secret in any file written; plan is clean', async () => {
  const ns = uniqueNamespace('e2e-secret-pull');
  namespaces.push(ns);
  const secrets = {
    E2E_CLIENT_NAME: `Zephyrine-${ns.slice(-6)}`,
    E2E_MEDIA_HEADER: `https://media.internal/k=${ns.slice(-6)}Q7x9`,
  };
  const xml =
    '<View>\n  <Header value="${env:E2E_MEDIA_HEADER}"/>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';
  const repo = await makeRepo(ns, {
    'projects/media/project.yaml': projectManifest(
      'media',
      `  title: Media ${ns.slice(-6)}\n  description: "For \${env:E2E_CLIENT_NAME}, costs $\${usd}"\n  label_config: |\n${xml
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
  });
  dirs.push(repo);
  const applied = await cli(repo, ['apply', '--auto-approve'], secrets);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const carrier = (await collect()).find((p) => parseMarker(p.description ?? '')?.namespace === ns)!;
  const stored = await client.getProject(carrier.id);
  assert.ok(String(stored.description).includes(secrets.E2E_CLIENT_NAME), 'the server holds the plaintext description');
  assert.ok(String(stored.label_config).includes(secrets.E2E_MEDIA_HEADER), 'and the plaintext label config');

  const other = await writeTree({});
  dirs.push(other);
  const pulled = await runCli(
    ['pull', '--project', String(carrier.id), '--namespace', ns, '--out', other, '-C', repo],
    { env: serverEnv(secrets), cwd: repo },
  );
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const written = await filesUnder(other);
  assert.equal(written.map((f) => f.slice(other.length + 1)).sort(), ['labelform.yaml', 'media/project.yaml']);
  for (const f of written) {
    const text = await readFile(f, 'utf8');
    for (const [name, value] of Object.entries(secrets))
      assert.not.ok(text.includes(value), `${name}'s value is in ${f}`);
  }
  for (const value of Object.values(secrets)) assert.not.ok((pulled.stdout + pulled.stderr).includes(value));
  const plan = await cli(other, ['plan', '--json'], secrets);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{ key: string; action: string; fields: unknown[] }>;
  assert.equal(
    changes.map((c) => [c.key, c.action, c.fields]),
    [['media', 'no-op', []]],
    'the references give the server values back exactly',
  );
});

test('plan --out with a secret inside a key and a title: the saved plan keeps both, holds no secret value, and applies', async () => {
  const ns = uniqueNamespace('e2e-secret-plan');
  namespaces.push(ns);
  const word = `catalogue${ns.slice(-6)}`;
  const key = `${word}-images`;
  const title = `Zephyr ${word} images`;
  const repo = await makeRepo(ns, {
    [`${key}.yaml`]: projectManifest(key, `  title: ${title}\n  description: "Bucket user: \${env:E2E_S3_USER}"\n`),
  });
  dirs.push(repo);
  assert.is((await cli(repo, ['apply', '--auto-approve'], { E2E_S3_USER: word })).code, 0);
  const changed = { E2E_S3_USER: `${word}-v2` };
  const out = join(repo, 'plan.json');
  const planned = await cli(repo, ['plan', '--out', out], changed);
  assert.is(planned.code, 0, planned.stderr);
  const saved = await readFile(out, 'utf8');
  const plan = JSON.parse(saved);
  assert.equal(
    plan.changes.map((c: { key: string; title: string; action: string; fields: unknown[] }) => [
      c.key,
      c.title,
      c.action,
      c.fields,
    ]),
    [[key, title, 'update', [{ field: 'description', sensitive: true }]]],
  );
  // Apart from the key and title a person wrote, the secret is nowhere, nor is the field's value.
  assert.not.ok(saved.split(key).join('').split(title).join('').includes(word), 'the secret is in the saved plan');
  assert.not.ok(saved.includes('Bucket user'));
  assert.not.ok(planned.stdout.includes('Bucket user') || planned.stdout.includes('redacted'));
  const applied = await cli(repo, ['apply', out], changed);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const carrier = (await collect()).find((p) => parseMarker(p.description ?? '')?.namespace === ns)!;
  assert.match(String((await client.getProject(carrier.id)).description), new RegExp(`^Bucket user: ${word}-v2\\n`));
  assert.is((await cli(repo, ['plan', '--detailed-exitcode'], changed)).code, 0);
});

test('pull of UI-made webhooks with credentials in their URLs and headers: written as ${env:NAME}, no secret in any file or output; validate passes, 10 headers skipped, plan is clean with the variables set and converges after apply', async () => {
  const ns = uniqueNamespace('e2e-secret-hooks');
  namespaces.push(ns);
  const tag = ns.slice(-6);
  const project = await client.createProject({ title: `Hooks in the UI ${tag}` });
  madeIds.push(project.id);
  const post = (data: Record<string, unknown>) =>
    client.http.request<LsWebhook>('POST', '/api/webhooks/', { data: { project: project.id, ...data } });
  const secrets = [`hunter2${tag}pass`, `tok${tag}x9Q7`, `Zk${tag}slackTokenQ7x9Lm`, `bearer${tag}4f9a7c`];
  const userinfo = `http://hookuser:${secrets[0]}@hooks.example.com/hook?token=${secrets[1]}&q=1`;
  const slack = `https://hooks.slack.com/services/T0${tag.toUpperCase()}/B0${tag.toUpperCase()}/${secrets[2]}`;
  await post({ url: userinfo, headers: { Authorization: `Bearer ${secrets[3]}`, 'X-Team': 'vision' } });
  await post({ url: slack, send_for_all_actions: false, actions: ['TASKS_CREATED'] });
  const crowded = await post({
    url: 'https://hooks.example.com/crowded',
    headers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, `v${i}`])),
  });
  assert.is(Object.keys(crowded.headers ?? {}).length, 10, 'the server takes 10 headers');

  const repo = await makeRepo(ns, {});
  dirs.push(repo);
  const other = await writeTree({});
  dirs.push(other);
  const pulled = await runCli(
    ['pull', '--project', String(project.id), '--namespace', ns, '--out', other, '-C', repo],
    { env: serverEnv(), cwd: repo },
  );
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.equal(await filesHoldingSecrets(other, secrets), [], 'a pulled file holds a credential');
  for (const s of secrets) assert.not.ok((pulled.stdout + pulled.stderr).includes(s), 'pull printed a credential');
  assert.match(pulled.stdout, new RegExp(`skipped webhook ${crowded.id} of project ${project.id}: it has 10 headers`));
  const written = (await filesUnder(other)).map((f) => f.slice(other.length + 1)).sort();
  assert.is(written.filter((f) => f.includes('webhook-')).length, 2, written.join(', '));

  // The notes say what to set: each URL as the server has it, the header's value.
  const env: Record<string, string> = {};
  for (const m of pulled.stdout.matchAll(/note: (the URL|header \S+) .*?written as \$\{env:(\w+)\}/g)) {
    const isSlack = m[2]!.includes('SLACK'); // keys come from the URL's host
    env[m[2]!] = m[1] === 'the URL' ? (isSlack ? slack : userinfo) : `Bearer ${secrets[3]}`;
  }
  assert.is(Object.keys(env).length, 3, pulled.stdout);

  const validated = await cli(other, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await cli(other, ['plan', '--json'], env);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{ kind: string; action: string; fields: unknown[] }>;
  assert.equal(changes.map((c) => [c.kind, c.action, c.fields]).sort(), [
    ['Project', 'adopt', []],
    ['Webhook', 'adopt', []],
    ['Webhook', 'adopt', []],
  ]);
  const text = await cli(other, ['plan'], env);
  const applied = await cli(other, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const r of [validated, plan, text, applied])
    for (const s of secrets) assert.not.ok((r.stdout + r.stderr).includes(s), 'a credential was printed');
  assert.is((await cli(other, ['plan', '--detailed-exitcode'], env)).code, 0, 're-plans to zero');
  const hooks = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: project.id } });
  assert.equal(
    hooks.map((h) => h.url).sort(),
    [slack, userinfo, 'https://hooks.example.com/crowded'].sort(),
    'the URLs are unchanged',
  );
});

async function collect(): Promise<Array<{ id: number; description?: string | null }>> {
  const all: Array<{ id: number; description?: string | null }> = [];
  for await (const page of client.listProjects()) all.push(...page);
  return all;
}

test.run();
