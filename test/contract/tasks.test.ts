/**
 * Tasks: the synchronous import (counts, task ids, all-or-nothing validation against the
 * config's `$vars`), the `/api/tasks/` list and its paging, task meta, and `fields=all`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom } from '../helpers/applicable.ts';
import type { LsTask } from '../../src/api/types.ts';
import { projectNotFound, SENTIMENT_CONFIG, choice, expectApiError, useTarget } from './target.ts';

const { t, client } = useTarget(test);

async function project(name: string): Promise<number> {
  const p = await client.createProject({ title: `${t.prefix} ${name}`, label_config: SENTIMENT_CONFIG });
  return t.track(p.id);
}

test('import: bare data dicts are wrapped; counts; task_ids only when asked', async () => {
  const id = await project('import');
  const plain = await client.importTasks(id, [{ text: 'good day' }, { text: 'fine' }, { text: 'bad day' }]);
  assert.equal(Object.keys(plain).sort(), [
    'annotation_count',
    'could_be_tasks_list',
    'data_columns',
    'duration',
    'file_upload_ids',
    'found_formats',
    'prediction_count',
    'task_count',
  ]);
  assert.is(plain.task_count, 3);
  assert.is(plain.annotation_count, 0);
  assert.is(plain.prediction_count, 0);
  assert.type(plain.duration, 'number');
  assert.equal(plain.file_upload_ids, []);
  const withIds = await client.importTasks(
    id,
    [
      { data: { text: 'x' }, annotations: [choice('Positive')], predictions: [{ ...choice('Negative'), score: 0.5 }] },
      { data: { text: 'y' } },
    ],
    { returnTaskIds: true },
  );
  assert.is(withIds.task_count, 2);
  assert.is(withIds.annotation_count, 1);
  assert.is(withIds.prediction_count, 1);
  assert.is(withIds.task_ids?.length, 2);
  assert.ok(withIds.task_ids![0]! < withIds.task_ids![1]!);
  const p = await client.getProject(id);
  assert.is(p.task_number, 5);
  assert.is(p.total_annotations_number, 1);
  assert.is(p.total_predictions_number, 1);
  // Imported annotations are ground truth, and ground truth does not make a task "with annotations".
  assert.is(p.num_tasks_with_annotations, 0);
  assert.is(p.ground_truth_number, 1);
  assert.is(p.finished_task_number, 1);
});

onlyFrom(
  test,
  '1.13',
  'the wording of a missing data key of 1.13 and later',
)('import: a missing data key names the item and the key, and rejects the whole batch', async () => {
  const id = await project('missing key');
  const err = await expectApiError(client.importTasks(id, [{ text: 'ok' }, { nottext: 'x' }, { data: { other: 1 } }]));
  assert.is(err.status, 400);
  const messages = err.validationErrors?.non_field_errors ?? [];
  assert.is(messages.length, 3);
  assert.is(messages[0], '{}');
  assert.is(
    messages[1],
    "Error at item 1: \"text\" key is expected in task data [assume: item as is = task root with values]  :: {'nottext': 'x'}",
  );
  assert.is(
    messages[2],
    'Error at item 2: "text" key is expected in task data [assume: item["data"] = task root with values] :: {\'data\': {\'other\': 1}}',
  );
  assert.is((await client.getProject(id)).task_number, 0);
  const wrongType = await expectApiError(client.importTasks(id, [{ text: null }]));
  assert.match(
    wrongType.validationErrors?.non_field_errors?.[0] ?? '',
    "data['text']=None is of type 'NoneType', but the object tag Text expects the following types: ['str', 'int', 'float', 'list']",
  );
  const empty = await expectApiError(client.importTasks(id, []));
  assert.equal(empty.validationErrors?.non_field_errors, ['load_tasks: No tasks added']);
});

test('listTasks pages through 250 tasks 100 at a time, in import order', async () => {
  const id = await project('paging');
  const imported = await client.importTasks(
    id,
    Array.from({ length: 250 }, (_, i) => ({ text: `task ${i}` })),
    { returnTaskIds: true },
  );
  const pages: LsTask[][] = [];
  for await (const tasks of client.listTasks(id, { pageSize: 100 })) pages.push(tasks);
  assert.equal(
    pages.map((p) => p.length),
    [100, 100, 50],
  );
  assert.equal(
    pages.flat().map((task) => task.id),
    imported.task_ids,
  );
  assert.equal(
    pages
      .flat()
      .map((task) => task.data.text)
      .slice(0, 2),
    ['task 0', 'task 1'],
  );
  const page3 = await client.listTasksPage(id, 3, { pageSize: 100 });
  assert.is(page3.total, 250);
  assert.is(page3.tasks.length, 50);
  assert.equal((await client.listTasksPage(id, 4, { pageSize: 100 })).tasks, []);
  const raw = await expectApiError(
    client.http.request('GET', '/api/tasks/', { params: { project: id, page: 4, page_size: 100 } }),
  );
  assert.is(raw.status, 404);
  assert.is(raw.detail, 'Invalid page.');
  const byDefault = await client.http.request<{ tasks: unknown[] }>('GET', '/api/tasks/', { params: { project: id } });
  assert.is(byDefault.tasks.length, 100);
});

test('the tasks list needs a project: a raw 404 without one, the envelope for an unknown one', async () => {
  const none = await expectApiError(client.http.request('GET', '/api/tasks/'));
  assert.is(none.status, 404);
  assert.is(none.detail, 'Neither project nor view id specified');
  const unknown = await expectApiError(client.http.request('GET', '/api/tasks/', { params: { project: 999999999 } }));
  assert.is(unknown.status, 404);
  assert.is(unknown.detail, projectNotFound());
});

test('task meta round-trips; plain imports get {}', async () => {
  const id = await project('meta');
  await client.importTasks(id, [{ data: { text: 'm1' }, meta: { labelform: 'x', n: 1 } }, { text: 'm2' }]);
  const { tasks } = await client.listTasksPage(id, 1);
  assert.equal(
    tasks.map((task) => task.meta),
    [{ labelform: 'x', n: 1 }, {}],
  );
});

onlyFrom(
  test,
  '1.13',
  'the task shape of 1.13 and later (1.8.2 has no counters with fields=all)',
)('the task shape: task-only by default, annotations and predictions with fields=all', async () => {
  const id = await project('fields all');
  const { task_ids } = await client.importTasks(
    id,
    [{ text: 'a' }, { data: { text: 'b' }, predictions: [choice('Neutral')] }],
    { returnTaskIds: true },
  );
  const annotation = await client.createAnnotation(task_ids![0]!, choice('Positive'));
  const only = await client.listTasksPage(id, 1);
  assert.is(only.total, 2);
  assert.is(only.total_annotations, 1);
  assert.is(only.total_predictions, 1);
  const first = only.tasks[0]!;
  assert.is(first.annotations, undefined);
  assert.is(first.total_annotations, 1);
  assert.is(first.is_labeled, true);
  assert.is(first.annotations_results, '');
  assert.equal(Object.keys(first), [
    'id',
    'drafts',
    'annotators',
    'inner_id',
    'cancelled_annotations',
    'total_annotations',
    'total_predictions',
    'annotations_results',
    'predictions_results',
    'file_upload',
    'storage_filename',
    'annotations_ids',
    'predictions_model_versions',
    'updated_by',
    'data',
    'meta',
    'created_at',
    'updated_at',
    'is_labeled',
    'overlap',
    'comment_count',
    'unresolved_comment_count',
    'last_comment_updated_at',
    'project',
    'comment_authors',
  ]);
  const all = await client.listTasksPage(id, 1, { fields: 'all' });
  const [annotated, predicted] = all.tasks;
  assert.is(annotated!.annotations?.length, 1);
  assert.is(annotated!.annotations![0]!.id, annotation.id);
  assert.equal(annotated!.annotations![0]!.result, choice('Positive').result);
  assert.equal(annotated!.annotators, [annotation.completed_by]);
  assert.is(predicted!.predictions?.length, 1);
  assert.equal((predicted!.predictions![0] as { result: unknown }).result, choice('Neutral').result);
  const p = await client.getProject(id);
  assert.is(p.finished_task_number, 1);
  assert.is(p.useful_annotation_number, 1);
  assert.is(p.queue_total, 2);
  assert.is(p.queue_done, 1);
});

test('imported annotations come back as ground truth; API ones do not', async () => {
  const id = await project('ground truth');
  const { task_ids } = await client.importTasks(
    id,
    [{ data: { text: 'a' }, annotations: [choice('Positive')] }, { text: 'b' }],
    { returnTaskIds: true },
  );
  await client.createAnnotation(task_ids![1]!, choice('Negative'));
  const { tasks } = await client.listTasksPage(id, 1, { fields: 'all' });
  assert.equal(
    tasks.map((task) => task.annotations![0]!.ground_truth),
    [true, false],
  );
  const p = await client.getProject(id);
  assert.is(p.ground_truth_number, 1);
  assert.is(p.useful_annotation_number, 1);
});

test('import with commit_to_project=false: counts only, null annotation and prediction counts, nothing stored', async () => {
  const id = await project('dry import');
  const dry = await client.http.request<{ task_count: number; annotation_count: unknown; prediction_count: unknown }>(
    'POST',
    `/api/projects/${id}/import`,
    {
      data: [{ text: 'a' }],
      params: { commit_to_project: false },
      idempotent: false,
    },
  );
  assert.is(dry.task_count, 1);
  assert.is(dry.annotation_count, null);
  assert.is(dry.prediction_count, null);
  assert.is((await client.getProject(id)).task_number, 0);
  const slash = await expectApiError(
    client.http.request('POST', `/api/projects/${id}/import/`, { data: [{ text: 'a' }], idempotent: false }),
  );
  assert.is(slash.status, 404);
  assert.is(slash.kind, 'not-label-studio');
});

test.run();
