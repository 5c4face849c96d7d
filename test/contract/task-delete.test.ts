/**
 * Deleting tasks and reading them back for a decision: the Data Manager `delete_tasks` action
 * (`POST /api/dm/actions/?id=delete_tasks&project=N`) with a selection and filters, what an empty
 * selection means, the meta "contains" filter that tells batches apart, and the fields that tell
 * an imported copy from one someone worked on. labelform removes the copies of a batch the
 * server stored twice with exactly these calls.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsTask } from '../../src/api/types.ts';
import { batchText, countTaggedTasks, metaContains, readTaggedTasks } from '../../src/tasks/tagged-tasks.ts';
import { projectNotFound, SENTIMENT_CONFIG, choice, rawRequest, useTarget } from './target.ts';

const { t, client } = useTarget(test);

async function project(name: string): Promise<number> {
  const p = await client.createProject({ title: `${t.prefix} ${name}`, label_config: SENTIMENT_CONFIG });
  return t.track(p.id);
}

const tagged = (tag: string, n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    data: { text: `${tag} ${i}` },
    meta: { labelform: `${tag} item=${i}` },
    ...extra,
  }));

async function ids(projectId: number): Promise<number[]> {
  const out: number[] = [];
  for await (const page of client.listTasks(projectId, { pageSize: 100 })) out.push(...page.map((x) => x.id));
  return out.sort((a, b) => a - b);
}

test('meta "contains" tells batch 1 from batch 10 when the batch name ends with a space', async () => {
  const id = await project('batch text');
  await client.importTasks(id, tagged('scope batch=r.1', 2));
  await client.importTasks(id, tagged('scope batch=r.10', 3));
  assert.is(await countTaggedTasks(client, id, batchText('scope', 'r.1')), 2);
  assert.is(await countTaggedTasks(client, id, batchText('scope', 'r.10')), 3);
  assert.is(
    await countTaggedTasks(client, id, 'scope batch=r.1'),
    5,
    'without the space, batch 1 also matches batch 10',
  );
});

test('delete_tasks deletes the selected ids that match the filters, in one request; the answer counts them', async () => {
  const id = await project('delete selected');
  const a = await client.importTasks(id, tagged('del-a', 4), { returnTaskIds: true });
  const b = await client.importTasks(id, tagged('del-b', 2), { returnTaskIds: true });
  // The selection names a task of another tag: the meta filter keeps it.
  const deleted = await client.deleteTasks(
    id,
    [a.task_ids![2]!, a.task_ids![3]!, b.task_ids![0]!],
    [metaContains('del-a ')],
  );
  assert.is(deleted, 2);
  assert.equal(
    await ids(id),
    [a.task_ids![0]!, a.task_ids![1]!, ...b.task_ids!].sort((x, y) => x - y),
  );
  // Again: nothing left to delete among those ids.
  assert.is(await client.deleteTasks(id, [a.task_ids![2]!, a.task_ids![3]!], [metaContains('del-a ')]), 0);
  const raw = await rawRequest(t.url, 'POST', `/api/dm/actions/?id=delete_tasks&project=${id}`, {
    headers: { Authorization: `Token ${t.token}` },
    body: {
      selectedItems: { all: false, included: [a.task_ids![0]!] },
      filters: { conjunction: 'and', items: [metaContains('del-a ')] },
    },
  });
  assert.is(raw.status, 200);
  assert.equal(JSON.parse(raw.text), { processed_items: 1, reload: false, detail: 'Deleted 1 tasks' });
});

test('delete_tasks with "no annotation rows" as a filter keeps a task someone annotated or skipped', async () => {
  const id = await project('delete unannotated');
  const r = await client.importTasks(id, tagged('ann', 4), { returnTaskIds: true });
  await client.createAnnotation(r.task_ids![1]!, choice('Positive'));
  await client.createAnnotation(r.task_ids![2]!, { ...choice('Negative'), was_cancelled: true });
  // Rows, not the per-task counters (which a server with its signals switched off stops updating).
  const where = [
    metaContains('ann '),
    { filter: 'filter:tasks:annotations_ids', operator: 'empty', type: 'String', value: 'true' },
  ];
  assert.is(await client.deleteTasks(id, r.task_ids!, where), 2);
  assert.equal(await ids(id), [r.task_ids![1]!, r.task_ids![2]!]);
});

test('an empty `included` selects every task (so the client never sends one); the last task gone reloads', async () => {
  const id = await project('empty selection');
  await client.importTasks(id, tagged('keep', 2));
  await client.importTasks(id, tagged('gone', 3));
  const raw = await rawRequest(t.url, 'POST', `/api/dm/actions/?id=delete_tasks&project=${id}`, {
    headers: { Authorization: `Token ${t.token}` },
    body: {
      selectedItems: { all: false, included: [] },
      filters: { conjunction: 'and', items: [metaContains('gone ')] },
    },
  });
  assert.is(raw.status, 200);
  assert.is(JSON.parse(raw.text).processed_items, 3, 'every task matching the filter, not none');
  assert.is((await ids(id)).length, 2);
  let refused = '';
  await client.deleteTasks(id, [], [metaContains('keep ')]).catch((e: Error) => (refused = e.message));
  assert.match(refused, /needs task ids/);
  const last = await rawRequest(t.url, 'POST', `/api/dm/actions/?id=delete_tasks&project=${id}`, {
    headers: { Authorization: `Token ${t.token}` },
    body: { selectedItems: { all: false, included: await ids(id) } },
  });
  assert.equal(JSON.parse(last.text), { processed_items: 2, reload: true, detail: 'Deleted 2 tasks' });
});

test('actions: a missing action id is a 422, an unknown one a 500, an unknown project a 404', async () => {
  const id = await project('action errors');
  const auth = { Authorization: `Token ${t.token}` };
  const body = { selectedItems: { all: false, included: [1] } };
  const missing = await rawRequest(t.url, 'POST', `/api/dm/actions/?project=${id}`, { headers: auth, body });
  assert.is(missing.status, 422);
  assert.equal(JSON.parse(missing.text), { detail: 'No action id "None", use ?id=<action-id>' });
  const unknown = await rawRequest(t.url, 'POST', `/api/dm/actions/?id=nope&project=${id}`, { headers: auth, body });
  assert.is(unknown.status, 500);
  assert.is(JSON.parse(unknown.text).detail, "Can't find 'nope' in registered actions");
  const noProject = await rawRequest(t.url, 'POST', '/api/dm/actions/?id=delete_tasks&project=99999999', {
    headers: auth,
    body,
  });
  assert.is(noProject.status, 404);
  assert.is(JSON.parse(noProject.text).detail, projectNotFound());
});

test('what tells an imported copy from one someone worked on: updated_by on the task and on its annotations', async () => {
  const id = await project('copy fields');
  const r = await client.importTasks(
    id,
    [
      {
        data: { text: 'imported with an annotation' },
        annotations: [{ ...choice('Negative'), updated_by: 1 }],
        meta: { labelform: 'fields item=0' },
      },
      { data: { text: 'annotated later' }, meta: { labelform: 'fields item=1' } },
    ],
    { returnTaskIds: true },
  );
  await client.createAnnotation(r.task_ids![1]!, choice('Positive'));
  // Read back by selection and filter, with annotations, drafts and comments.
  const tasks = new Map<number, LsTask>(
    (await readTaggedTasks(client, id, 'fields ', r.task_ids!)).map((x) => [x.id, x]),
  );
  assert.is(tasks.size, 2);
  const imported = tasks.get(r.task_ids![0]!)!;
  const annotated = tasks.get(r.task_ids![1]!)!;
  assert.equal(imported.updated_by, []);
  assert.is(imported.annotations?.length, 1);
  assert.is(
    imported.annotations![0]!.updated_by,
    null,
    'an imported annotation has no updated_by, even when the file gave one',
  );
  assert.equal(imported.drafts, []);
  assert.is(imported.comment_count, 0);
  assert.is(imported.total_annotations, 1);
  assert.is(imported.cancelled_annotations, 0);
  assert.ok(
    Array.isArray(annotated.updated_by) && (annotated.updated_by as unknown[]).length === 1,
    'annotating a task records who did it',
  );
  assert.type(annotated.annotations![0]!.updated_by, 'number');
});

test.run();
