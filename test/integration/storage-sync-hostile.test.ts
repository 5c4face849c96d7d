/**
 * Data that never arrives is never reported as success: a managed import storage whose sync never
 * finished (an apply stopped between its create and its sync, a sync that failed or was stopped
 * part way) plans a sync, drift shows it, apply runs it; a sync that does not complete fails the
 * apply (exit 1, ✖) as it fails `storage sync`; neither prints a title or traceback that holds a
 * value from `${env:...}`. Pure plans first, then the CLI against the in-repo fake with faults.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withDescriptionMarker } from '../../src/kinds/shared/description-marker.ts';
import { toLiveStorage } from '../../src/kinds/storage/live.ts';
import { explainS3Failure } from '../../src/kinds/storage/sync-state.ts';
import type { LsStorage, StorageResource } from '../../src/kinds/storage/types.ts';
import { ApiError } from '../../src/api/errors.ts';
import type { Plan } from '../../src/generated/schema-types.ts';
import type { Repository } from '../../src/kinds/kind.ts';
import { driftFromPlan, renderDriftText } from '../../src/reconcile/drift.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import { renderPlanMarkdown } from '../../src/reconcile/render-markdown.ts';
import { renderPlanText } from '../../src/reconcile/render-text.ts';
import type { LiveState } from '../../src/state/live-state.ts';
import { failNextSyncs } from '../fake/routes-storages.ts';
import type { FakeAnnotation, FakeStorage } from '../fake/state.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { live } from '../unit/support/plan-fixtures.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

test.after(cleanupTrees);

const doc = (name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: ${name}\nspec:\n  project: p\n${spec}`;
const SPEC = '  type: s3\n  title: Source\n  bucket: in\n  prefix: tasks/\n';
const MARKED = withDescriptionMarker('', { namespace: 'test', key: 's' });

async function repoWith(files: Record<string, string>, env: Record<string, string> = {}): Promise<Repository> {
  const r = await load(
    { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Stored\n'), ...files },
    { env },
  );
  assert.ok(r.result.repository, r.lines.join('\n'));
  return r.result.repository;
}

function lsStorage(over: Partial<LsStorage> = {}): LsStorage {
  return {
    id: 9,
    type: 's3',
    project: 4,
    title: 'Source',
    description: MARKED,
    bucket: 'in',
    prefix: 'tasks/',
    synchronizable: true,
    status: 'completed',
    last_sync: '2025-01-01T00:00:00Z',
    last_sync_count: 3,
    traceback: null,
    ...over,
  };
}

function planOf(repo: Repository, storages: LsStorage[]): Plan {
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
}

const storageChange = (p: Plan) => p.changes.find((c) => c.kind === 'ImportStorage' && c.action !== 'delete')!;

test('plan: a storage never synced (the apply stopped after its create) plans a sync, in text, Markdown, JSON and drift', async () => {
  const repo = await repoWith({ 's.yaml': doc('s', SPEC) });
  const p = planOf(repo, [lsStorage({ status: 'initialized', last_sync: null, last_sync_count: null })]);
  const c = storageChange(p);
  assert.equal([c.action, c.fields], ['update', [{ field: 'sync', before: 'initialized', after: 'completed' }]]);
  assert.is(p.summary.update, 1);
  const text = renderPlanText(p);
  assert.match(text, /~ update\s+ImportStorage p\/s \(id 9\)/);
  assert.match(text, /sync\s+"initialized" → "completed"/);
  assert.match(text, /note: labelform syncs it: it has never been synced/);
  assert.not.match(text, /No changes/);
  assert.match(renderPlanMarkdown(p), /\| 🟡 update \| `ImportStorage p\/s` \| 9 \| sync \|/);
  const drift = driftFromPlan(p);
  assert.is(drift.status, 'drift');
  assert.match(renderDriftText(drift), /sync: server has "initialized", git has "completed"/);
});

test('plan: a failed sync (stopped part way) plans a sync whose note says how far it got and why; a secret in the traceback is withheld', async () => {
  const repo = await repoWith(
    { 's.yaml': doc('s', '  type: s3\n  title: Source\n  bucket: ${env:BUCKET}\n  prefix: tasks/\n') },
    { BUCKET: 'hidden-bucket-name' },
  );
  const failed = planOf(repo, [
    lsStorage({
      bucket: 'hidden-bucket-name',
      status: 'failed',
      last_sync: null,
      last_sync_count: 790,
      traceback:
        'Traceback (most recent call last):\n  File "x.py"\ndjango.db.utils.OperationalError: database is locked\n',
    }),
  ]);
  const c = storageChange(failed);
  assert.equal(c.fields, [{ field: 'sync', before: 'failed', after: 'completed' }]);
  assert.equal(c.notes, [
    'labelform syncs it: its last sync did not finish: status failed after 790 task(s) (django.db.utils.OperationalError: database is locked); a sync imports only the objects that have no task from this storage yet',
  ]);
  const secretTrace = planOf(repo, [
    lsStorage({
      bucket: 'hidden-bucket-name',
      status: 'failed',
      last_sync: null,
      traceback: 'botocore.exceptions.ClientError: NoSuchBucket hidden-bucket-name',
    }),
  ]);
  const all = `${JSON.stringify(secretTrace)}${renderPlanText(secretTrace)}${renderPlanMarkdown(secretTrace)}`;
  assert.not.ok(all.includes('hidden-bucket-name'), all);
  assert.match(all, /message withheld: it contains the value of \$\{env:BUCKET\}/);
});

test('plan: no sync for a synced storage, a storage not synchronizable (manifest or server), a twin reading the same objects, an export storage; a running sync is a warning', async () => {
  const repo = await repoWith({ 's.yaml': doc('s', SPEC) });
  const never = { status: 'initialized', last_sync: null, last_sync_count: null } as const;
  assert.is(storageChange(planOf(repo, [lsStorage()])).action, 'no-op');
  assert.is(
    storageChange(planOf(repo, [lsStorage({ status: 'completed_with_errors' })])).action,
    'no-op',
    'finished (with errors): another sync would refuse the same objects again',
  );
  assert.is(storageChange(planOf(repo, [lsStorage({ ...never, synchronizable: false })])).action, 'no-op');
  const off = await repoWith({ 's.yaml': doc('s', `${SPEC}  synchronizable: false\n`) });
  assert.is(
    storageChange(planOf(off, [lsStorage({ ...never, synchronizable: true })]))
      .fields.map((f) => f.field)
      .join(),
    'synchronizable',
    'turned off by the manifest: written, not synced',
  );
  const twin = planOf(repo, [lsStorage(never), lsStorage({ id: 10, description: '' })]);
  assert.is(storageChange(twin).action, 'no-op', 'storage 10 of the project reads the same objects');
  const otherType = planOf(repo, [lsStorage(never), lsStorage({ id: 9, type: 'gcs', description: '' })]);
  assert.is(storageChange(otherType).action, 'update', 'a gcs storage with the same id is another storage');
  const running = planOf(repo, [lsStorage({ status: 'in_progress', last_sync: null, last_sync_count: 12 })]);
  assert.is(storageChange(running).action, 'no-op');
  assert.equal(
    running.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
    [['warning', 'storage-syncing', 's.yaml', 4]],
  );
  assert.match(
    running.diagnostics[0]!.message,
    /import storage p\/s \(id 9\): a sync of it is running now \(status in_progress, 12 task\(s\) so far\)/,
  );
});

test('an S3 connection check the server hides (500 for an endpoint outside S3_TRUSTED_STORAGE_DOMAINS) is explained, naming the prefix only for an import storage with one', () => {
  const hidden = new ApiError(
    'http',
    'POST',
    '/api/storages/s3/',
    500,
    'Debugging info is not available for s3 endpoints on domain: . Please contact your Label Studio devops team if you require detailed error reporting for this domain.',
    undefined,
  );
  const desired = (prefix?: string) =>
    ({
      spec: { project: 'p', type: 's3', bucket: 'b', ...(prefix !== undefined ? { prefix } : {}) },
    }) as unknown as StorageResource;
  assert.match(
    explainS3Failure(hidden, desired('tasks/'), 'import')!,
    /the bucket does not exist, or the credentials are refused, or no object exists under the prefix/,
  );
  assert.not.match(explainS3Failure(hidden, desired(''), 'import')!, /prefix/);
  assert.not.match(explainS3Failure(hidden, desired('tasks/'), 'export')!, /under the prefix/);
  assert.is(
    explainS3Failure(
      new ApiError('http', 'POST', '/api/storages/s3/', 500, 'Server error', undefined),
      desired('x/'),
      'import',
    ),
    undefined,
  );
});

// ---- export storages ----

const exportDoc = (name: string, spec: string) => doc(name, spec).replace('kind: ImportStorage', 'kind: ExportStorage');
const EXPORT_SPEC = '  type: s3\n  title: Target\n  bucket: out\n  prefix: ann/\n';

function exportPlanOf(repo: Repository, storages: LsStorage[]): Plan {
  const projects = [live(4, 'Stored', { key: 'p' })];
  const state: LiveState = {
    serverVersion: '1.23.2',
    resources: { Project: projects, ExportStorage: storages.map((s) => toLiveStorage(s, projects, 'test')) },
  };
  return planChanges({
    repo,
    live: state,
    server: { url: 'http://ls', environment: 'default' },
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-01T00:00:00.000Z',
    labelformVersion: '0',
  });
}
const exportChange = (p: Plan) => p.changes.find((c) => c.kind === 'ExportStorage' && c.action !== 'delete')!;

test('plan: an export storage whose last sync failed plans a sync, counted in annotations, in text and drift; never synced, synced, or not synchronizable plans none; a running one warns', async () => {
  const repo = await repoWith({ 'e.yaml': exportDoc('s', EXPORT_SPEC) });
  const target = (over: Partial<LsStorage>) => lsStorage({ title: 'Target', bucket: 'out', prefix: 'ann/', ...over });
  const failed = exportPlanOf(repo, [
    target({
      status: 'failed',
      last_sync: null,
      last_sync_count: 40,
      traceback: 'Traceback (most recent call last):\ndjango.db.utils.OperationalError: database is locked',
    }),
  ]);
  const c = exportChange(failed);
  assert.equal([c.action, c.fields], ['update', [{ field: 'sync', before: 'failed', after: 'completed' }]]);
  assert.equal(c.notes, [
    'labelform syncs it: its last sync did not finish: status failed after 40 annotation(s) (django.db.utils.OperationalError: database is locked); a sync writes every annotation of the project to it again, over the objects written before',
  ]);
  assert.match(renderPlanText(failed), /~ update\s+ExportStorage p\/s \(id 9\)[\s\S]*sync\s+"failed" → "completed"/);
  assert.match(renderDriftText(driftFromPlan(failed)), /sync: server has "failed", git has "completed"/);
  // Never synced: the server did not sync it on create (SYNC_ON_TARGET_STORAGE_CREATION off), its choice.
  assert.is(
    exportChange(exportPlanOf(repo, [target({ status: 'initialized', last_sync: null, last_sync_count: null })]))
      .action,
    'no-op',
  );
  assert.is(exportChange(exportPlanOf(repo, [target({})])).action, 'no-op');
  assert.is(
    exportChange(exportPlanOf(repo, [target({ status: 'failed', synchronizable: false })])).action,
    'no-op',
    'Label Studio refuses to sync it (400)',
  );
  const running = exportPlanOf(repo, [target({ status: 'in_progress', last_sync: null, last_sync_count: 7 })]);
  assert.is(exportChange(running).action, 'no-op');
  assert.match(
    running.diagnostics.map((d) => d.message).join('\n'),
    /export storage p\/s \(id 9\): a sync of it is running now \(status in_progress, 7 annotation\(s\) so far\)/,
  );
});

// ---- the CLI against the fake ----

const f = useFakeCli(test, { namespace: 'test' });
test.before.each(() => f.ls.state.storages.clear());
const FAKE_SPEC =
  '  type: s3\n  title: ${env:TITLE}\n  bucket: in\n  prefix: tasks/\n  aws_access_key_id: ${env:KEY}\n  aws_secret_access_key: ${env:SECRET}\n';
const ENV = { TITLE: 'Quarterly secret title', KEY: 'AKIAFAKEKEY0000001', SECRET: 'fake-secret-value-123' };

const repoFiles = () => ({ 'p.yaml': projectYaml('p', '  title: Stored\n'), 's.yaml': doc('s', FAKE_SPEC) });
const storages = (): FakeStorage[] => [...f.ls.state.storages.values()].filter((s) => s.direction === 'import');

test('apply: a sync that ends failed part way is ✖ and exit 1; plan and drift then show the sync; the next apply runs it; no secret printed', async () => {
  const dir = await f.repo(repoFiles());
  failNextSyncs(f.ls.state, {
    kind: 'failed',
    count: 790,
    traceback: 'Traceback (most recent call last):\nsqlite3.OperationalError: database is locked',
  });
  const first = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(first.code, 1, first.stdout + first.stderr);
  assert.match(
    first.stdout,
    /✖ ImportStorage p\/s create failed: created as id \d+, but its sync ended failed: status failed after 790 task\(s\) \(sqlite3\.OperationalError: database is locked\); `labelform plan` shows the sync until one completes \(s\.yaml:4\)/,
  );
  assert.not.match(first.stdout, /✔ ImportStorage/);
  assert.match(first.stdout, /Apply finished with failures: 1 created, .*1 failed/);
  assert.is(storages().length, 1, 'the storage stays');

  const plan = await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV });
  assert.is(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /~ update\s+ImportStorage p\/s \(id \d+\)[\s\S]*sync\s+"failed" → "completed"/);
  const json = JSON.parse((await f.cli(dir, ['plan', '--json'], { env: ENV })).stdout) as Plan;
  assert.equal(
    json.changes.filter((c) => c.action !== 'no-op').map((c) => [c.kind, c.action, c.fields.map((x) => x.field)]),
    [['ImportStorage', 'update', ['sync']]],
  );
  const drift = await f.cli(dir, ['drift'], { env: ENV });
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /ImportStorage p\/s[\s\S]*sync: server has "failed", git has "completed"/);

  const second = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /✔ ImportStorage p\/s \(id \d+\) updated: sync .*— synced: 0 task\(s\) from it/);
  assert.is(storages()[0]!.status, 'completed');
  assert.is((await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV })).code, 0, 'converged');
  const out = [first, plan, drift, second].map((r) => r.stdout + r.stderr).join('');
  for (const v of Object.values(ENV)) assert.not.ok(out.includes(v), `${v} printed`);
});

test('an apply that stopped between its create and its sync (the sync request never answered): the rerun plans and runs the sync', async () => {
  const dir = await f.repo(repoFiles());
  failNextSyncs(f.ls.state, { kind: 'status', status: 500, detail: 'Server error' });
  const cut = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(cut.code, 1, cut.stdout + cut.stderr);
  assert.match(
    cut.stdout,
    /✖ ImportStorage p\/s create failed: created as id \d+, but its sync failed: POST \/api\/storages\/s3\/\d+\/sync failed with HTTP 500/,
  );
  assert.is(storages()[0]!.status, 'initialized', 'the sync never ran');
  const plan = await f.cli(dir, ['plan'], { env: ENV });
  assert.match(
    plan.stdout,
    /sync\s+"initialized" → "completed"[\s\S]*note: labelform syncs it: it has never been synced/,
  );
  const rerun = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.match(rerun.stdout, /updated: sync .*synced: 0 task\(s\) from it/);
  assert.is((await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV })).code, 0);
});

test('storage sync and apply agree: a failed sync is exit 1 for both; storage sync names the storage by key and id, never by its title', async () => {
  const dir = await f.repo(repoFiles());
  assert.is((await f.cli(dir, ['apply', '--auto-approve'], { env: ENV })).code, 0);
  const ok = await f.cli(dir, ['storage', 'sync', 'p/s'], { env: ENV });
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /✔ Synced import storage p\/s \(s3, id \d+\): 0 task\(s\)/);
  failNextSyncs(f.ls.state, { kind: 'failed', traceback: 'ValueError: Error loading JSON from file "tasks/9.json".' });
  const bad = await f.cli(dir, ['storage', 'sync', 'p/s'], { env: ENV });
  assert.is(bad.code, 1);
  assert.match(
    bad.stderr,
    /the sync of import storage p\/s \(id \d+\) ended failed: status failed \(ValueError: Error loading JSON from file "tasks\/9\.json"\.\)/,
  );
  const plan = await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV });
  assert.is(plan.code, 2, 'the failed sync started by `storage sync` is planned too');
  const out = [ok, bad, plan].map((r) => r.stdout + r.stderr).join('');
  assert.not.ok(out.includes(ENV.TITLE), 'the title from ${env:TITLE} is never printed');
});

test('a storage made not synchronizable in the manifest is created and never synced, and plans clean', async () => {
  const dir = await f.repo({ ...repoFiles(), 's.yaml': doc('s', `${FAKE_SPEC}  synchronizable: false\n`) });
  const applied = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.is(storages()[0]!.status, 'initialized');
  assert.is(
    (await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV })).code,
    0,
    'not synchronizable: nothing to sync',
  );
});

const exportStorages = (): FakeStorage[] => [...f.ls.state.storages.values()].filter((s) => s.direction === 'export');
const EXPORT_FAKE =
  '  type: s3\n  title: ${env:TITLE}\n  bucket: out\n  prefix: ann/\n  aws_access_key_id: ${env:KEY}\n  aws_secret_access_key: ${env:SECRET}\n';

test("apply: the sync an export storage's create runs ends failed: ✖ and exit 1 (not ✔); plan and drift show the sync; the next apply runs it and converges; no secret printed", async () => {
  const dir = await f.repo({ 'p.yaml': projectYaml('p', '  title: Stored\n'), 'e.yaml': exportDoc('s', EXPORT_FAKE) });
  failNextSyncs(f.ls.state, {
    kind: 'failed',
    count: 2,
    traceback: 'Traceback (most recent call last):\nsqlite3.OperationalError: database is locked',
  });
  const first = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(first.code, 1, first.stdout + first.stderr);
  assert.match(
    first.stdout,
    /✖ ExportStorage p\/s create failed: created as id \d+, but the sync Label Studio runs on create ended failed: status failed after 2 annotation\(s\) \(sqlite3\.OperationalError: database is locked\); `labelform plan` shows the sync until one completes \(e\.yaml:4\)/,
  );
  assert.not.match(first.stdout, /✔ ExportStorage/);
  assert.is(exportStorages().length, 1, 'the storage stays');

  const plan = await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV });
  assert.is(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(
    plan.stdout,
    /~ update\s+ExportStorage p\/s \(id \d+\)[\s\S]*sync\s+"failed" → "completed"[\s\S]*note: labelform syncs it: its last sync did not finish: status failed after 2 annotation\(s\)/,
  );
  const drift = await f.cli(dir, ['drift'], { env: ENV });
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /ExportStorage p\/s[\s\S]*sync: server has "failed", git has "completed"/);

  failNextSyncs(f.ls.state, { kind: 'failed', traceback: 'OSError: disk full' });
  const still = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(still.code, 1, 'a sync labelform started that ends failed is exit 1 too');
  assert.match(
    still.stdout,
    /✖ ExportStorage p\/s \(id \d+\) update failed: its sync ended failed: status failed \(OSError: disk full\); `labelform plan` shows the sync until one completes/,
  );

  const fixed = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /✔ ExportStorage p\/s \(id \d+\) updated: sync .*— synced: 0 annotation\(s\) to it/);
  assert.is(exportStorages()[0]!.status, 'completed');
  assert.is((await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV })).code, 0, 'converged');
  const out = [first, plan, drift, still, fixed].map((r) => r.stdout + r.stderr).join('');
  for (const v of Object.values(ENV)) assert.not.ok(out.includes(v), `${v} printed`);
});

test('apply: an export storage whose create synced reports the count read back after the create (its answer says queued), and plans clean', async () => {
  const dir = await f.repo({ 'p.yaml': projectYaml('p', '  title: Stored\n') });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'], { env: ENV })).code, 0);
  const project = [...f.ls.state.projects.values()].find((p) => p.fields.title === 'Stored')!;
  // Three annotations on one task: what the create's sync writes to the bucket.
  const at = '2025-01-01T00:00:00Z';
  const annotation = (id: number): FakeAnnotation => ({
    id,
    result: [],
    completed_by: 1,
    was_cancelled: false,
    ground_truth: false,
    lead_time: null,
    created_at: at,
    updated_at: at,
    updated_by: null,
    imported: false,
    unique_id: `a${id}`,
  });
  f.ls.state.tasks.set(9001, {
    id: 9001,
    project: project.id,
    inner_id: 1,
    data: { text: 'x' },
    meta: {},
    created_at: at,
    updated_at: at,
    updated_by: null,
    annotations: [annotation(1), annotation(2), annotation(3)],
    predictions: [],
  });
  project.taskIds.push(9001);
  await writeFile(join(dir, 'e.yaml'), exportDoc('s', EXPORT_FAKE));
  const applied = await f.cli(dir, ['apply', '--auto-approve'], { env: ENV });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /✔ ExportStorage p\/s created as id \d+ \([^)]*\) — synced: 3 annotation\(s\) to it/);
  assert.is((await f.cli(dir, ['plan', '--detailed-exitcode'], { env: ENV })).code, 0);
});

test.run();
