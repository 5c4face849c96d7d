/**
 * Secrets on the real Label Studio: a repository whose description and label config use
 * `${env:...}` is applied (so the server holds the plaintext), then pulled into another folder:
 * no file pull wrote holds a secret value, and the pulled manifests plan clean. A secret that is
 * part of a key and a title leaves both intact in a saved plan, which holds no secret and applies.
 * Uses its own namespaces and deletes only the projects it made (the server is shared).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { removeTree, runCli, writeTree } from '../helpers/cli.ts';
import { api, cli, makeRepo, projectManifest, serverEnv, uniqueNamespace } from './support.ts';

const client = api();
const namespaces: string[] = [];
const dirs: string[] = [];

test.after(async () => {
  // Only this file's projects: those carrying one of its namespaces.
  for await (const page of client.listProjects()) {
    for (const p of page) {
      const m = parseMarker(p.description ?? '');
      if (m && namespaces.includes(m.namespace)) await client.deleteProject(p.id);
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
  const secrets = { E2E_CLIENT_NAME: `Zephyrine-${ns.slice(-6)}`, E2E_MEDIA_HEADER: `https://media.internal/k=${ns.slice(-6)}Q7x9` };
  const xml = '<View>\n  <Header value="${env:E2E_MEDIA_HEADER}"/>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';
  const repo = await makeRepo(ns, {
    'projects/media/project.yaml': projectManifest('media', `  title: Media ${ns.slice(-6)}\n  description: "For \${env:E2E_CLIENT_NAME}, costs $\${usd}"\n  label_config: |\n${xml.split('\n').map((l) => `    ${l}`).join('\n')}\n`),
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
  const pulled = await runCli(['pull', '--project', String(carrier.id), '--namespace', ns, '--out', other, '-C', repo], { env: serverEnv(secrets), cwd: repo });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const written = await filesUnder(other);
  assert.equal(written.map((f) => f.slice(other.length + 1)).sort(), ['labelform.yaml', 'media/project.yaml']);
  for (const f of written) {
    const text = await readFile(f, 'utf8');
    for (const [name, value] of Object.entries(secrets)) assert.not.ok(text.includes(value), `${name}'s value is in ${f}`);
  }
  for (const value of Object.values(secrets)) assert.not.ok((pulled.stdout + pulled.stderr).includes(value));
  const plan = await cli(other, ['plan', '--json'], secrets);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{ key: string; action: string; fields: unknown[] }>;
  assert.equal(changes.map((c) => [c.key, c.action, c.fields]), [['media', 'no-op', []]], 'the references give the server values back exactly');
});

test('plan --out with a secret inside a key and a title: the saved plan keeps both, holds no secret value, and applies', async () => {
  const ns = uniqueNamespace('e2e-secret-plan');
  namespaces.push(ns);
  const word = `catalogue${ns.slice(-6)}`;
  const key = `${word}-images`;
  const title = `Zephyr ${word} images`;
  const repo = await makeRepo(ns, { [`${key}.yaml`]: projectManifest(key, `  title: ${title}\n  description: "Bucket user: \${env:E2E_S3_USER}"\n`) });
  dirs.push(repo);
  assert.is((await cli(repo, ['apply', '--auto-approve'], { E2E_S3_USER: word })).code, 0);
  const changed = { E2E_S3_USER: `${word}-v2` };
  const out = join(repo, 'plan.json');
  const planned = await cli(repo, ['plan', '--out', out], changed);
  assert.is(planned.code, 0, planned.stderr);
  const saved = await readFile(out, 'utf8');
  const plan = JSON.parse(saved);
  assert.equal(plan.changes.map((c: { key: string; title: string; action: string; fields: unknown[] }) => [c.key, c.title, c.action, c.fields]), [[key, title, 'update', [{ field: 'description', sensitive: true }]]]);
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

async function collect(): Promise<Array<{ id: number; description?: string | null }>> {
  const all: Array<{ id: number; description?: string | null }> = [];
  for await (const page of client.listProjects()) all.push(...page);
  return all;
}

test.run();
