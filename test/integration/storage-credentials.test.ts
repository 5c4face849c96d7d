/**
 * Storages' URL-shaped fields (`s3_endpoint`; any string field holding a URL) are under the one credential rule
 * (src/util/credentials.ts): a credential written in git (user info, a token parameter) is an
 * error at its own line and column, one from `${env:...}` is not; a live value with one (made in
 * the UI) is masked in every plan format and in drift; pull writes it as `${env:NAME}` to set, and
 * the pulled repository validates and re-plans to zero. Against the in-repo fake Label Studio.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storageToManifest } from '../../src/kinds/storage/to-manifest.ts';
import { toLiveStorage } from '../../src/kinds/storage/live.ts';
import type { LsStorage } from '../../src/kinds/storage/types.ts';
import { clearSecrets } from '../../src/util/redact.ts';
import { projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { cleanupTrees, load, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

const fake = useFakeCli(test, { namespace: 'test' });
const cli = (dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  fake.cli(dir, args, { env });

test.before.each(() => {
  fake.ls.state.storages.clear();
  clearSecrets();
});
test.after(async () => {
  clearSecrets();
  await cleanupTrees();
});

const storage = (kind: string, name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: p\n${spec}`;
const KEYS = '  aws_access_key_id: ${env:KEY}\n  aws_secret_access_key: ${env:SECRET}\n';
const ENV = { KEY: 'AKIAFAKEKEY0000001', SECRET: 'fake-secret-value-123' };
const take = 'it is then kept out of plans, logs and saved plans';

test('validate: user info or a token parameter written in git in s3_endpoint (also through ${var.NAME}) is an error at the credential; from ${env:...} (whole or in part) it passes', async () => {
  const r = await load(
    {
      'labelform.yaml': `${ROOT_CONFIG}environments:\n  default:\n    url: http://ls.example\n    variables:\n      EP: http://minio:varpass99@minio.local:9000\n`,
      'p.yaml': projectYaml('p', '  title: Stored\n'),
      'a.yaml': storage(
        'ImportStorage',
        'a',
        `  type: s3\n  bucket: b\n  s3_endpoint: http://minio:hunter2pass@minio.local:9000\n${KEYS}`,
      ),
      'b.yaml': storage(
        'ExportStorage',
        'b',
        `  type: s3\n  bucket: b\n  s3_endpoint: https://s3.example.com/?token=tok-abc123\n${KEYS}`,
      ),
      'd.yaml': storage('ImportStorage', 'd', `  type: s3\n  bucket: b\n  s3_endpoint: \${var.EP}\n${KEYS}`),
      'e.yaml': storage('ImportStorage', 'e', `  type: s3\n  bucket: b\n  s3_endpoint: \${env:ENDPOINT}\n${KEYS}`),
      'f.yaml': storage(
        'ExportStorage',
        'f',
        `  type: s3\n  bucket: b\n  s3_endpoint: http://minio:\${env:MINIO_PASS}@minio.local:9000\n${KEYS}`,
      ),
      'g.yaml': storage(
        'ImportStorage',
        'g',
        `  type: s3\n  bucket: b\n  s3_endpoint: http://minio.local:9000\n${KEYS}`,
      ),
      'h.yaml': storage(
        'ImportStorage',
        'h',
        `  type: s3\n  bucket: b\n  description: see https://bob:linkpass77@files.example.com/x for the layout\n${KEYS}`,
      ),
    },
    { env: { ...ENV, ENDPOINT: 'http://minio:envpass123@minio.local:9000', MINIO_PASS: 'envpass123' } },
  );
  assert.equal(r.lines, [
    `a.yaml:9:29: secret-literal: s3_endpoint holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `b.yaml:9:46: secret-literal: s3_endpoint holds a credential written in git: its query parameter token. Take it from \${env:NAME} (${take})`,
    `d.yaml:9:16: secret-literal: s3_endpoint holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `h.yaml:9:32: secret-literal: description holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
  ]);
  const all = r.lines.join('\n');
  for (const s of ['hunter2pass', 'tok-abc123', 'varpass99', 'envpass123', 'linkpass77'])
    assert.not.ok(all.includes(s), `${s} quoted`);
});

test('plan: an s3_endpoint with user info made in the UI is masked in text, Markdown, JSON, --out, --debug and drift; one from ${env:...} is a sensitive change', async () => {
  const env = { ...ENV, ENDPOINT: 'http://minio:envpass123@minio.local:9000' };
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Stored\n'),
    'a.yaml': storage(
      'ExportStorage',
      'a',
      `  type: s3\n  bucket: out\n  s3_endpoint: http://minio.local:9000\n${KEYS}`,
    ),
    'b.yaml': storage('ExportStorage', 'b', `  type: s3\n  bucket: out2\n  s3_endpoint: \${env:ENDPOINT}\n${KEYS}`),
  });
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const [a, b] = [...fake.ls.state.storages.values()].sort((x, y) => x.id - y.id);
  assert.is(b!.fields.s3_endpoint, env.ENDPOINT, 'the endpoint came from the environment');
  // Changed in the UI: credentials in the endpoint.
  a!.fields.s3_endpoint = 'http://admin:s3cretpw99@minio.local:9000/?X-Amz-Security-Token=tok-zz9988';
  b!.fields.s3_endpoint = 'http://minio.local:9001';
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
  outputs.push(await readFile(out, 'utf8'));
  for (const s of ['s3cretpw99', 'tok-zz9988', 'envpass123', 'admin:'])
    assert.not.ok(
      outputs.some((o) => o.includes(s)),
      `${s} was printed or saved`,
    );
  const plan = JSON.parse(outputs.at(-1)!);
  assert.equal(plan.changes.find((c: { key: string }) => c.key === 'a').fields, [
    {
      field: 's3_endpoint',
      before: 'http://(sensitive)@minio.local:9000/?X-Amz-Security-Token=(sensitive)',
      after: 'http://minio.local:9000',
    },
  ]);
  assert.equal(plan.changes.find((c: { key: string }) => c.key === 'b').fields, [
    { field: 's3_endpoint', sensitive: true, env: ['ENDPOINT'] },
  ]);
  const fromPlan = await cli(dir, ['apply', out], env);
  assert.is(fromPlan.code, 0, fromPlan.stdout + fromPlan.stderr);
  assert.equal([a!.fields.s3_endpoint, b!.fields.s3_endpoint], ['http://minio.local:9000', env.ENDPOINT]);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0);
});

test('pull: a UI-made storage whose s3_endpoint holds user info, or whose description links a URL with a token, is written with ${env:NAME} to set; the pulled repository validates and re-plans to zero', async () => {
  const project = await fake.client.createProject({ title: 'Stored in the UI' });
  const endpoint = 'http://minio:hunter2pass@minio.local:9000';
  const description = 'Mirror of https://data.example.com/export?access_token=tok-abc123 for labeling';
  const made = await fake.client.http.request<LsStorage>('POST', '/api/storages/s3/', {
    data: {
      project: project.id,
      bucket: 'in',
      s3_endpoint: endpoint,
      description,
      aws_access_key_id: ENV.KEY,
      aws_secret_access_key: ENV.SECRET,
    },
  });

  const into = await fake.tree({});
  const pulled = await cli(into, ['pull', '--project', String(project.id), '--namespace', 'test']);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const entries = await readdir(into, { recursive: true, withFileTypes: true });
  const written = (
    await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')))
  ).join('\n');
  for (const s of ['hunter2pass', 'tok-abc123']) {
    assert.not.ok(written.includes(s), `${s} is in a pulled file`);
    assert.not.ok((pulled.stdout + pulled.stderr).includes(s), `${s} was printed`);
  }
  const toSet = new Map<string, string>();
  for (const m of pulled.stdout.matchAll(
    /note: (\w+) (?:holds a credential|cannot be read).*?written as \$\{env:(\w+)\}/g,
  ))
    toSet.set(m[1]!, m[2]!);
  assert.equal([...toSet.keys()].sort(), ['aws_access_key_id', 'aws_secret_access_key', 'description', 's3_endpoint']);
  assert.match(
    pulled.stdout,
    /note: s3_endpoint holds a credential \(its user info \(before "@"\)\): written as \$\{env:STORAGE_\w+_S3_ENDPOINT\}/,
  );
  const env = {
    [toSet.get('s3_endpoint')!]: endpoint,
    [toSet.get('description')!]: description,
    [toSet.get('aws_access_key_id')!]: ENV.KEY,
    [toSet.get('aws_secret_access_key')!]: ENV.SECRET,
  };

  const validated = await cli(into, ['validate'], env);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await cli(into, ['plan', '--json'], env);
  assert.is(plan.code, 0, plan.stderr);
  const storageChange = (
    JSON.parse(plan.stdout).changes as Array<{
      kind: string;
      action: string;
      id?: number;
      fields: Array<{ field: string }>;
    }>
  ).find((c) => c.kind === 'ImportStorage')!;
  assert.equal([storageChange.action, storageChange.id], ['adopt', made.id]);
  const applied = await cli(into, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const s of ['hunter2pass', 'tok-abc123'])
    assert.not.ok((plan.stdout + applied.stdout + applied.stderr).includes(s));
  assert.is(fake.ls.state.storages.get(made.id)!.fields.s3_endpoint, endpoint, 'the endpoint is unchanged');
  assert.is((await cli(into, ['plan', '--detailed-exitcode'], env)).code, 0, 're-plans to zero');
});

test('to-manifest alone: an endpoint whose credential is already a known ${env:...} value is written back as that reference, not a new variable', () => {
  const live = toLiveStorage(
    { id: 3, type: 's3', project: 1, bucket: 'in', s3_endpoint: 'http://minio:envpass123@minio.local:9000' },
    [],
    'test',
  );
  const m = storageToManifest('import')(live, {
    key: 'src',
    parentKey: 'p',
    adopt: true,
    secrets: [{ name: 'MINIO_PASS', value: 'envpass123' }],
  });
  assert.ok('manifest' in m);
  assert.is(
    (m.manifest.spec as Record<string, unknown>).s3_endpoint,
    'http://minio:${env:MINIO_PASS}@minio.local:9000',
  );
});

test.run();
