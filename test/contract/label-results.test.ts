/**
 * What a label migration relies on when it reads and rewrites results: the JSON export with
 * `download_all_tasks` (annotations, cancelled ones too, and every draft in full; predictions as
 * ids), the predictions list (`?task__project=`: one list of that project alone, with
 * `model_version`; before 1.13 `?project=` is ignored), one annotation, draft or prediction read
 * and PATCHed by id (the result's text as written: `10.0` stays a float), and the trap: a PATCH of
 * an annotation deletes the draft attached to it, and only that one (every release: a post_save
 * receiver of Annotation in `tasks/models.py`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsAnnotation, LsDraft, LsPrediction } from '../../src/api/types.ts';
import { expectApiError, notFoundDetail, targetDatabase, useTarget } from './target.ts';

const { t, client } = useTarget(test);

const CONFIG =
  '<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="Org"/><Label value="Organization"/><Label value="Person"/></Labels></View>';

/** A region as JSON text, with a float written `10.0` (Python keeps it a float). */
const regionText = (id: string, label: string) =>
  `{"id":"${id}","from_name":"label","to_name":"text","type":"labels","value":{"start":0,"end":3,"text":"abc","labels":["${label}"]},"score":10.0}`;
const region = (id: string, label: string) => JSON.parse(regionText(id, label)) as Record<string, unknown>;

/**
 * The result text as the server stores what was sent: the same bytes on SQLite; on PostgreSQL
 * (jsonb) the same values with the numbers as written (`10.0` stays `10.0`), keys in jsonb's order.
 */
function assertStoredAs(stored: string, sent: string): void {
  if (targetDatabase() === 'sqlite') return assert.is(stored, sent);
  assert.equal(JSON.parse(stored), JSON.parse(sent));
  assert.equal(stored.match(/\d+\.\d+/g), sent.match(/\d+\.\d+/g), 'the numbers as written');
}

let projectId: number;
let otherProjectId: number;
let taskIds: number[];
let imported: LsAnnotation[];
let made: LsAnnotation;

test.before(async () => {
  projectId = t.track((await client.createProject({ title: `${t.prefix} results`, label_config: CONFIG })).id);
  otherProjectId = t.track((await client.createProject({ title: `${t.prefix} other`, label_config: CONFIG })).id);
  // Sent as text, so that the floats reach the server as floats.
  const tasks = `[${[0, 1, 2]
    .map(
      (i) =>
        `{"data":{"text":"abc ${i}"},"annotations":[{"result":[${regionText(`a${i}`, 'Org')}]}],"predictions":[{"model_version":"${i === 0 ? 'v1' : 'v2'}","result":[${regionText(`p${i}`, 'Org')}]}]}`,
    )
    .join(',')}]`;
  taskIds = [...(await client.importTasks(projectId, tasks, { returnTaskIds: true })).task_ids!].sort((a, b) => a - b);
  await client.importTasks(otherProjectId, [{ data: { text: 'x' }, predictions: [{ result: [region('o', 'Org')] }] }]);
  made = await client.createAnnotation(taskIds[2]!, { result: [region('m', 'Person')] });
  const exported = await client.exportAnnotationsAndDrafts(projectId);
  imported = exported
    .flatMap((task) => task.annotations)
    .filter((a) => a.id !== made.id)
    .sort((a, b) => Number(a.task) - Number(b.task));
});

test('export with download_all_tasks: every annotation and draft in full, predictions as ids', async () => {
  const draft = await client.createDraft(
    taskIds[0]!,
    { result: [region('d', 'Org')], lead_time: 1.5 },
    imported[0]!.id,
  );
  const loose = await client.createDraft(taskIds[1]!, { result: [region('l', 'Org')] });
  const exported = await client.exportAnnotationsAndDrafts(projectId);
  assert.equal(
    exported.map((task) => task.id).sort((a, b) => a - b),
    taskIds,
  );
  const annotationIds = exported.flatMap((task) => task.annotations.map((a) => a.id)).sort((a, b) => a - b);
  assert.equal(
    annotationIds,
    [...imported.map((a) => a.id), made.id].sort((a, b) => a - b),
  );
  const drafts = exported.flatMap((task) => task.drafts);
  const byId = new Map(drafts.map((d) => [d.id, d]));
  assert.is(byId.get(draft.id)?.annotation, imported[0]!.id);
  assert.is(byId.get(draft.id)?.task, taskIds[0]);
  assert.equal(byId.get(draft.id)?.result, [region('d', 'Org')]);
  assert.is(byId.get(loose.id)?.annotation, null);
  for (const task of exported) assert.ok(task.predictions.every((p) => typeof p === 'number'));
  assert.equal(
    (await client.listTaskDrafts(taskIds[0]!)).map((d) => d.id),
    [draft.id],
  );
  await client.http.request('DELETE', `/api/drafts/${draft.id}/`);
  await client.http.request('DELETE', `/api/drafts/${loose.id}/`);
});

test('predictions list: one unpaginated list of the project, with model_version', async () => {
  const predictions = await client.listPredictions(projectId);
  assert.is(predictions.length, 3);
  assert.equal(predictions.map((p) => p.model_version).sort(), ['v1', 'v2', 'v2']);
  assert.equal(
    predictions.map((p) => p.task).sort((a, b) => a - b),
    taskIds,
  );
  assert.ok(predictions.every((p) => Array.isArray(p.result)));
});

test('read one annotation, draft, prediction: the result text as the server stores it', async () => {
  const a = await client.readResult('annotation', imported[0]!.id);
  assert.is((a.object as LsAnnotation).id, imported[0]!.id);
  assert.equal(JSON.parse(a.resultText), [region('a0', 'Org')]);
  assert.match(a.resultText, /"score":10\.0/);
  const predictions = await client.listPredictions(projectId);
  const p = await client.getPrediction(predictions[0]!.id);
  assert.is(p.id, predictions[0]!.id);
  const d = await client.createDraft(taskIds[1]!, { result: [region('x', 'Org')] });
  assert.is((await client.getDraft(d.id)).id, d.id);
  await client.http.request('DELETE', `/api/drafts/${d.id}/`);
});

test('PATCH result of annotation, draft and prediction: written as sent, 10.0 stays a float', async () => {
  const text = `[${regionText('a1', 'Organization')}]`;
  const a = await client.writeResult('annotation', imported[1]!.id, text);
  assertStoredAs(a.resultText, text);
  assertStoredAs((await client.readResult('annotation', imported[1]!.id)).resultText, text);
  assert.is((a.object as LsAnnotation).updated_by, (await client.whoami()).id);

  const d = await client.createDraft(taskIds[1]!, { result: [region('y', 'Org')] });
  const dText = `[${regionText('y', 'Organization')}]`;
  assertStoredAs((await client.writeResult('draft', d.id, dText)).resultText, dText);
  assert.equal((await client.getDraft(d.id)).result, JSON.parse(dText));
  await client.http.request('DELETE', `/api/drafts/${d.id}/`);

  const [prediction] = (await client.listPredictions(projectId)).filter((p) => p.model_version === 'v1');
  const pText = `[${regionText('p0', 'Organization')}]`;
  const written = await client.writeResult('prediction', prediction!.id, pText);
  assertStoredAs(written.resultText, pText);
  assert.is((written.object as LsPrediction).model_version, 'v1');
  assertStoredAs((await client.readResult('prediction', prediction!.id)).resultText, pText);
});

test('PATCH of an annotation deletes the draft attached to it, and no other draft', async () => {
  const target = imported[2]!;
  const attached = await client.createDraft(taskIds[2]!, { result: [region('z', 'Org')] }, target.id);
  const ofOther = await client.createDraft(taskIds[2]!, { result: [region('w', 'Org')] }, made.id);
  const loose = await client.createDraft(taskIds[2]!, { result: [region('v', 'Org')] });
  await client.writeResult('annotation', target.id, `[${regionText('a2', 'Organization')}]`);
  const gone = await expectApiError(client.getDraft(attached.id));
  assert.is(gone.status, 404);
  assert.is(gone.detail, notFoundDetail('AnnotationDraft'));
  const left: LsDraft[] = await client.listTaskDrafts(taskIds[2]!);
  assert.equal(
    left.map((d) => d.id).sort((a, b) => a - b),
    [ofOther.id, loose.id].sort((a, b) => a - b),
  );
  // A draft PATCH deletes nothing.
  await client.writeResult('draft', ofOther.id, `[${regionText('w', 'Organization')}]`);
  assert.is((await client.listTaskDrafts(taskIds[2]!)).length, 2);
});

test('a missing annotation, draft or prediction is a 404 with the server words', async () => {
  assert.is((await expectApiError(client.readResult('annotation', 987654321))).detail, notFoundDetail('Annotation'));
  assert.is((await expectApiError(client.readResult('draft', 987654321))).detail, notFoundDetail('AnnotationDraft'));
  assert.is((await expectApiError(client.readResult('prediction', 987654321))).status, 404);
});

test.run();
