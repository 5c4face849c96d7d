/**
 * Export: the format list (objects, unsupported ones marked disabled and last), the synchronous
 * export (an attachment; only annotated tasks unless asked), and snapshots (complete at once,
 * convert once per format, download in any of the text formats).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { releaseAtLeast, SENTIMENT_CONFIG, choice, expectApiError, readAll, useTarget } from './target.ts';

const { t, client } = useTarget(test);
let projectId: number;
let taskIds: number[];

test.before(async () => {
  const p = await client.createProject({ title: `${t.prefix} export`, label_config: SENTIMENT_CONFIG });
  projectId = t.track(p.id);
  const imported = await client.importTasks(projectId, [{ text: 'good day' }, { text: 'fine' }, { text: 'bad day' }], {
    returnTaskIds: true,
  });
  taskIds = [...imported.task_ids!].sort((a, b) => a - b);
  await client.createAnnotation(taskIds[0]!, choice('Positive'));
  await client.createAnnotation(taskIds[2]!, choice('Negative'));
});

test('export formats: objects with name and title; JSON, JSON_MIN, CSV, TSV enabled first', async () => {
  const formats = await client.exportFormats(projectId);
  assert.ok(formats.length >= 4);
  for (const f of formats) {
    assert.type(f.name, 'string');
    assert.type(f.title, 'string');
  }
  const enabled = formats.filter((f) => !f.disabled).map((f) => f.name);
  // Before 1.23 formats the config cannot use are enabled too (YOLO_OBB and others, seen on 1.13-1.20).
  if (releaseAtLeast('1.23')) assert.equal(enabled, ['JSON', 'JSON_MIN', 'CSV', 'TSV']);
  else assert.equal(enabled.slice(0, 4), ['JSON', 'JSON_MIN', 'CSV', 'TSV']);
  const firstDisabled = formats.findIndex((f) => f.disabled);
  assert.ok(
    formats.slice(firstDisabled).every((f) => f.disabled === true),
    'disabled formats come last',
  );
  assert.ok(formats.some((f) => f.name === 'COCO' && f.disabled === true));
});

test('sync JSON export: an attachment holding exactly the annotated tasks', async () => {
  const { stream, headers } = await client.downloadExport(projectId, { exportType: 'JSON' });
  assert.match(
    headers['content-disposition'] ?? '',
    /^attachment; filename="project-\d+-at-[\d-]+-[0-9a-f]{8}\.json"$/,
  );
  // Tasks come in the database's order: by id on SQLite, not on PostgreSQL. Compared by id.
  const exported = byId(
    JSON.parse(await readAll(stream)) as Array<{
      id: number;
      data: unknown;
      annotations: Array<{ result: unknown; completed_by: number }>;
    }>,
  );
  assert.equal(
    exported.map((task) => task.id),
    [taskIds[0], taskIds[2]],
  );
  assert.equal(
    exported.map((task) => task.data),
    [{ text: 'good day' }, { text: 'bad day' }],
  );
  assert.equal(
    exported.map((task) => task.annotations.map((a) => a.result)),
    [[choice('Positive').result], [choice('Negative').result]],
  );
  const live = await client.listTasksPage(projectId, 1, { fields: 'all' });
  const annotated = byId(live.tasks.filter((task) => (task.annotations?.length ?? 0) > 0));
  assert.equal(
    exported.map((task) => task.annotations[0]!.completed_by),
    annotated.map((task) => task.annotations![0]!.completed_by),
  );
});

test('sync export: download_all_tasks includes unannotated tasks; JSON_MIN and CSV', async () => {
  const all = byId(
    JSON.parse(
      await readAll((await client.downloadExport(projectId, { exportType: 'JSON', downloadAllTasks: true })).stream),
    ) as Array<{ id: number }>,
  );
  assert.equal(
    all.map((task) => task.id),
    taskIds,
  );
  const min = byId(
    JSON.parse(await readAll((await client.downloadExport(projectId, { exportType: 'JSON_MIN' })).stream)) as Array<
      Record<string, unknown> & { id: number }
    >,
  );
  assert.equal(
    min.map((row) => [row.id, row.text, row.sentiment]),
    [
      [taskIds[0], 'good day', 'Positive'],
      [taskIds[2], 'bad day', 'Negative'],
    ],
  );
  const csv = await client.downloadExport(projectId, { exportType: 'CSV' });
  assert.match(csv.headers['content-disposition'] ?? '', /\.csv"$/);
  const lines = (await readAll(csv.stream)).trim().split(/\r?\n/);
  assert.is(lines[0], '"annotation_id","annotator","created_at","id","lead_time","sentiment","text","updated_at"');
  assert.is(lines.length, 3);
});

test('snapshot: create (completed at once) → get → download JSON of every task', async () => {
  const created = await client.createExportSnapshot(projectId);
  assert.is(created.status, 'completed');
  assert.type(created.id, 'number');
  assert.equal(created.counters, { task_number: 3 });
  assert.equal(created.converted_formats, []);
  assert.match(created.title ?? '', /-at-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/);
  const got = await client.getExportSnapshot(projectId, created.id);
  assert.is(got.id, created.id);
  assert.is(got.status, 'completed');
  assert.is(got.md5, created.md5);
  const { stream, headers } = await client.downloadExportSnapshot(projectId, created.id, 'JSON');
  assert.match(headers['content-disposition'] ?? '', /^attachment; filename="project-\d+-at-.*\.json"$/);
  const tasks = byId(JSON.parse(await readAll(stream)) as Array<{ id: number }>);
  assert.equal(
    tasks.map((task) => task.id),
    taskIds,
  );
  await client.deleteExportSnapshot(projectId, created.id);
  const gone = await expectApiError(client.getExportSnapshot(projectId, created.id));
  assert.is(gone.status, 404);
  // From 1.17 the route answers Django's HTML 404 page; 1.13.1 and 1.8.2 answer JSON.
  assert.is(gone.kind, releaseAtLeast('1.17') ? 'not-label-studio' : 'http');
});

test('snapshot convert: once per format (400 "already started" the second time); CSV download', async () => {
  const snap = await client.createExportSnapshot(projectId, { title: `${t.prefix} snap` });
  assert.is(snap.title, `${t.prefix} snap`);
  const converted = await client.convertExportSnapshot(projectId, snap.id, 'CSV');
  assert.is(converted.export_type, 'CSV');
  assert.type(converted.converted_format, 'number');
  const twice = await expectApiError(client.convertExportSnapshot(projectId, snap.id, 'CSV'));
  assert.is(twice.status, 400);
  assert.equal(twice.validationErrors?.non_field_errors, ['Conversion to CSV already started']);
  const bogus = await expectApiError(client.convertExportSnapshot(projectId, snap.id, 'BOGUS'));
  assert.equal(bogus.validationErrors?.export_type, ['BOGUS is not supported export format']);
  const after = await client.getExportSnapshot(projectId, snap.id);
  assert.equal(
    after.converted_formats?.map((f) => [f.export_type, f.status]),
    [['CSV', 'completed']],
  );
  const csv = await readAll((await client.downloadExportSnapshot(projectId, snap.id, 'CSV')).stream);
  const lines = csv.trim().split(/\r?\n/);
  assert.is(lines[0], '"annotation_id","annotator","created_at","id","lead_time","sentiment","text","updated_at"');
  assert.is(lines.length, 4, 'a snapshot holds every task, one row each here');
  await client.deleteExportSnapshot(projectId, snap.id);
});

test.run();

/** Sorted by id: the export's order is the database's, not part of the contract. */
function byId<T extends { id: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.id - b.id);
}
