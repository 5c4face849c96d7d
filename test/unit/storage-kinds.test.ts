/**
 * The storage kinds on their own: validate's checks per type and direction, secrets compared by
 * their fingerprint (never by value, all of a storage's sent again when one changes), a storage
 * that cannot change its type, and what a write sends.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeBody } from '../../src/kinds/storage/apply.ts';
import { toLiveStorage } from '../../src/kinds/storage/live.ts';
import type { LsStorage, StorageResource } from '../../src/kinds/storage/types.ts';
import { secretFingerprint, withDescriptionMarker } from '../../src/kinds/shared/description-marker.ts';
import type { Repository } from '../../src/kinds/kind.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import { renderPlanText } from '../../src/reconcile/render-text.ts';
import type { LiveState } from '../../src/state/live-state.ts';
import { live } from './support/plan-fixtures.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const KEY = 'AKIAEXAMPLEKEY1234';
const SECRET = 'secret-example-0987654321';
const doc = (kind: string, name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: p\n${spec}`;

test('validate: fields of another type or direction, a literal secret, an S3 key without its secret', async () => {
  const r = await load(
    {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': projectYaml('p', '  title: Stored\n'),
      'a.yaml': doc('ImportStorage', 'a', '  type: redis\n  host: redis.internal\n  bucket: nope\n  presign: true\n'),
      'b.yaml': doc('ExportStorage', 'b', '  type: s3\n  bucket: out\n  recursive_scan: true\n'),
      'c.yaml': doc(
        'ImportStorage',
        'c',
        '  type: s3\n  bucket: in\n  aws_access_key_id: AKIALITERAL123456\n  aws_secret_access_key: ${env:S3_SECRET}\n',
      ),
      'd.yaml': doc('ImportStorage', 'd', '  type: s3\n  bucket: in\n  aws_access_key_id: ${env:S3_KEY}\n'),
    },
    { env: { S3_SECRET: SECRET, S3_KEY: KEY } },
  );
  assert.equal(r.lines, [
    'a.yaml:9:3: rule: bucket does not apply to import storage of type redis',
    'a.yaml:10:3: rule: presign does not apply to import storage of type redis',
    'b.yaml:9:3: schema: unknown field "recursive_scan" in spec',
    'c.yaml:9:22: secret-literal: aws_access_key_id is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
    'd.yaml:9:22: rule: aws_access_key_id and aws_secret_access_key go together (S3 needs both; Label Studio 1.23 stores one without the other and fails only when it syncs)',
  ]);
});

async function repoWith(spec: string, env: Record<string, string>): Promise<Repository> {
  const r = await load(
    {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': projectYaml('p', '  title: Stored\n'),
      's.yaml': doc('ImportStorage', 's', spec),
    },
    { env },
  );
  assert.ok(r.result.repository, r.lines.join('\n'));
  return r.result.repository;
}

function lsStorage(over: Partial<LsStorage> = {}): LsStorage {
  return { id: 9, type: 's3', project: 4, title: 'Source', description: '', bucket: 'in', prefix: 'tasks/', ...over };
}

const planOf = (repo: Repository, storages: LsStorage[]) => {
  const projects = [live(4, 'Stored', { key: 'p' })];
  const state: LiveState = {
    serverVersion: '1.23.2',
    resources: { Project: projects, ImportStorage: storages.map((s) => toLiveStorage(s, projects, 'test')) },
  };
  return planChanges({
    repo,
    live: state,
    server: { url: 'http://ls', environment: 'default' },
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-01T00:00:00.000Z',
    labelformVersion: '0',
  });
};

const SPEC =
  '  type: s3\n  title: Source\n  bucket: in\n  prefix: tasks/\n  aws_access_key_id: ${env:S3_KEY}\n  aws_secret_access_key: ${env:S3_SECRET}\n';

test("plan: secrets by fingerprint only; a rotated one sends all of that storage's secrets again; values never shown", async () => {
  const repo = await repoWith(SPEC, { S3_KEY: KEY, S3_SECRET: SECRET });
  const fp = secretFingerprint('test', 's', [KEY, SECRET, '']);
  const same = planOf(repo, [
    lsStorage({ description: withDescriptionMarker('', { namespace: 'test', key: 's', secret: fp }) }),
  ]);
  assert.is(same.changes.find((c) => c.kind === 'ImportStorage')!.action, 'no-op');
  const rotated = planOf(repo, [
    lsStorage({
      description: withDescriptionMarker('', {
        namespace: 'test',
        key: 's',
        secret: secretFingerprint('test', 's', [KEY, 'old-secret-value', '']),
      }),
    }),
  ]);
  const change = rotated.changes.find((c) => c.kind === 'ImportStorage')!;
  assert.equal(
    [change.action, change.fields],
    [
      'update',
      [
        { field: 'aws_access_key_id', sensitive: true, env: ['S3_KEY'] },
        { field: 'aws_secret_access_key', sensitive: true, env: ['S3_SECRET'] },
      ],
    ],
  );
  assert.match(
    renderPlanText(rotated),
    /aws_secret_access_key\s+\(sensitive\) → \(sensitive, changed: \$\{env:S3_SECRET\}\)/,
  );
  const text = `${JSON.stringify(rotated)}${renderPlanText(rotated)}`;
  assert.not.ok(text.includes(SECRET) || text.includes(KEY));
});

test('plan: a storage cannot change its type; a write sends the secrets only when asked, with the new fingerprint', async () => {
  const repo = await repoWith(SPEC, { S3_KEY: KEY, S3_SECRET: SECRET });
  const marked = withDescriptionMarker('', { namespace: 'test', key: 's' });
  const wrongType = planOf(repo, [lsStorage({ type: 'gcs', description: marked })]);
  assert.equal(
    wrongType.diagnostics.map((d) => d.code),
    ['type-change'],
  );
  const desired = repo.resources.ImportStorage![0] as StorageResource;
  const sending = writeBody('import', desired, lsStorage(), 'test', 4, true);
  assert.equal([sending.aws_access_key_id, sending.aws_secret_access_key, sending.project], [KEY, SECRET, 4]);
  assert.match(String(sending.description), /\[lf-secret [A-Za-z0-9_-]{6}\]$/);
  const keeping = writeBody(
    'import',
    desired,
    lsStorage({ description: withDescriptionMarker('a note', { namespace: 'test', key: 's', secret: 'Abc123' }) }),
    'test',
    4,
    false,
  );
  assert.equal(['aws_access_key_id' in keeping, 'aws_secret_access_key' in keeping], [false, false]);
  assert.match(String(keeping.description), /^a note\n\n.*\[lf-secret Abc123\]$/);
});

test("plan: ids are counted per storage type, so import: {id} takes the storage of the manifest's type", async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Stored\n'),
    's.yaml': `${doc('ImportStorage', 's', '  type: s3\n  bucket: in\n')}import:\n  id: 9\n`,
  });
  const repo = r.result.repository!;
  const both = planOf(repo, [
    lsStorage({ id: 9, type: 'gcs', bucket: 'other' }),
    lsStorage({ id: 9, type: 's3', bucket: 'in' }),
  ]);
  const change = both.changes.find((c) => c.kind === 'ImportStorage')!;
  assert.equal([change.action, 'id' in change ? change.id : null, both.diagnostics], ['adopt', 9, []]);
  const onlyGcs = planOf(repo, [lsStorage({ id: 9, type: 'gcs', bucket: 'other' })]);
  assert.equal(
    onlyGcs.diagnostics.map((d) => [d.code, d.message]),
    [['import-type', 'import.id 9: no s3 storage with this id in project p']],
  );
});

test.run();
