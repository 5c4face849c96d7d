/**
 * The objects that hold a labelled `result`, one at a time: `/api/annotations/{id}/`,
 * `/api/drafts/{id}/`, `/api/predictions/{id}/`, the predictions list (`?project=`, `?task=`,
 * unpaginated) and a task's drafts (`/api/tasks/{id}/drafts`, and
 * `/api/tasks/{id}/annotations/{aid}/drafts` for a draft of one annotation).
 *
 * As on 1.23.2: a PATCH of an annotation sets `updated_by` to the caller and deletes the drafts
 * attached to that annotation (`tasks/models.py` `delete_draft`, a post_save signal); a result
 * written by PATCH comes back with its numbers as sent (Python keeps `10.0` a float).
 */
import { parseJsonNodes, type JsonNode } from '../../src/util/json-text.ts';
import { envelope, fail, json, noContent, readObject, type Ctx, type Reply } from './http.ts';
import {
  isoNow,
  type FakeAnnotation,
  type FakeDraft,
  type FakePrediction,
  type FakeState,
  type FakeTask,
} from './state.ts';
import { serializeAnnotation, serializeDraft, serializePrediction } from './task-model.ts';

/** GET, PATCH, PUT, DELETE /api/annotations/{id}/ */
export function annotationRoute(ctx: Ctx): Reply {
  const { state } = ctx;
  const found = findAnnotation(state, Number(ctx.params.id));
  if (!found) fail(envelope(404, 'No Annotation matches the given query.'));
  const { task, annotation } = found;
  if (ctx.method === 'DELETE') {
    task.annotations = task.annotations.filter((a) => a !== annotation);
    return noContent();
  }
  if (ctx.method === 'PATCH' || ctx.method === 'PUT') {
    const written = readResult(ctx);
    annotation.updated_by = state.user.id;
    if (written) {
      annotation.result = written.value;
      annotation.resultText = written.text;
    }
    annotation.updated_at = isoNow(state);
    task.updated_at = annotation.updated_at;
    // post_save: every draft of this annotation goes.
    task.drafts = (task.drafts ?? []).filter((d) => d.annotation !== annotation.id);
  }
  return withResult(200, serializeAnnotation(state, task, annotation), annotation);
}

/** GET, PATCH, PUT, DELETE /api/drafts/{id}/ */
export function draftRoute(ctx: Ctx): Reply {
  const { state } = ctx;
  const found = findDraft(state, Number(ctx.params.id));
  if (!found) fail(envelope(404, 'No AnnotationDraft matches the given query.'));
  const { task, draft } = found;
  if (ctx.method === 'DELETE') {
    task.drafts = (task.drafts ?? []).filter((d) => d !== draft);
    return noContent();
  }
  if (ctx.method === 'PATCH' || ctx.method === 'PUT') {
    const written = readResult(ctx);
    if (written) {
      draft.result = written.value;
      draft.resultText = written.text;
    }
    draft.updated_at = isoNow(state);
  }
  return withResult(200, serializeDraft(state, task, draft), draft);
}

/** GET and POST /api/tasks/{id}/drafts, /api/tasks/{id}/annotations/{aid}/drafts */
export function taskDrafts(ctx: Ctx): Reply {
  const { state } = ctx;
  const task = state.tasks.get(Number(ctx.params.id));
  if (!task) fail(envelope(404, 'No Task matches the given query.'));
  if (ctx.method === 'GET')
    return json(
      200,
      (task.drafts ?? []).map((d) => serializeDraft(state, task, d)),
    );
  const body = readObject(ctx);
  const now = isoNow(state);
  const draft: FakeDraft = {
    id: state.nextId.draft++,
    result: body.result ?? [],
    annotation: ctx.params.aid === undefined ? null : Number(ctx.params.aid),
    user: state.user.id,
    lead_time: typeof body.lead_time === 'number' ? body.lead_time : null,
    was_postponed: Boolean(body.was_postponed ?? false),
    created_at: now,
    updated_at: now,
  };
  (task.drafts ??= []).push(draft);
  return json(201, serializeDraft(state, task, draft));
}

/** GET /api/predictions/?project=|task= : one list, not paginated. */
export function listPredictions(ctx: Ctx): Reply {
  const { state, query } = ctx;
  const project = query.get('project') ?? query.get('task__project');
  const taskId = query.get('task');
  const out: string[] = [];
  for (const task of state.tasks.values()) {
    if (project !== null && String(task.project) !== project) continue;
    if (taskId !== null && String(task.id) !== taskId) continue;
    for (const p of task.predictions) out.push(resultJson(serializePrediction(task, p), p));
  }
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: `[${out.join(',')}]` };
}

/** GET, PATCH, PUT, DELETE /api/predictions/{id}/ */
export function predictionRoute(ctx: Ctx): Reply {
  const { state } = ctx;
  const found = findPrediction(state, Number(ctx.params.id));
  if (!found) fail(envelope(404, 'No Prediction matches the given query.'));
  const { task, prediction } = found;
  if (ctx.method === 'DELETE') {
    task.predictions = task.predictions.filter((p) => p !== prediction);
    return noContent();
  }
  if (ctx.method === 'PATCH' || ctx.method === 'PUT') {
    const written = readResult(ctx);
    const body = readObject(ctx);
    if (written) {
      prediction.result = written.value;
      prediction.resultText = written.text;
    }
    if (typeof body.model_version === 'string') prediction.model_version = body.model_version;
    prediction.updated_at = isoNow(state);
  }
  return withResult(200, serializePrediction(task, prediction), prediction);
}

function findAnnotation(state: FakeState, id: number): { task: FakeTask; annotation: FakeAnnotation } | undefined {
  for (const task of state.tasks.values()) {
    const annotation = task.annotations.find((a) => a.id === id);
    if (annotation) return { task, annotation };
  }
  return undefined;
}

function findDraft(state: FakeState, id: number): { task: FakeTask; draft: FakeDraft } | undefined {
  for (const task of state.tasks.values()) {
    const draft = task.drafts?.find((d) => d.id === id);
    if (draft) return { task, draft };
  }
  return undefined;
}

function findPrediction(state: FakeState, id: number): { task: FakeTask; prediction: FakePrediction } | undefined {
  for (const task of state.tasks.values()) {
    const prediction = task.predictions.find((p) => p.id === id);
    if (prediction) return { task, prediction };
  }
  return undefined;
}

/** The body's `result`, parsed and as Python would write it back (compact, floats kept floats). */
function readResult(ctx: Ctx): { value: unknown; text: string } | undefined {
  const body = readObject(ctx);
  if (!('result' in body)) return undefined;
  const text = ctx.rawBody.toString('utf8');
  const root = parseJsonNodes(text);
  const node = root.kind === 'object' ? root.entries.find((e) => e.key === 'result')?.node : undefined;
  return { value: body.result, text: node ? pythonText(text, node) : JSON.stringify(body.result) };
}

function withResult(status: number, serialized: Record<string, unknown>, holder: { resultText?: string }): Reply {
  return { status, headers: { 'Content-Type': 'application/json' }, body: resultJson(serialized, holder) };
}

/** The serialised object as JSON, its `result` spliced in as stored text when there is one. */
function resultJson(serialized: Record<string, unknown>, holder: { resultText?: string }): string {
  if (holder.resultText === undefined) return JSON.stringify(serialized);
  const marker = '\u0000result\u0000';
  return JSON.stringify({ ...serialized, result: marker }).replace(JSON.stringify(marker), () => holder.resultText!);
}

/** DRF's compact rendering of a parsed value: no spaces, a float with a fraction stays one (`10.0`). */
function pythonText(text: string, node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${node.entries.map((e) => `${JSON.stringify(e.key)}:${pythonText(text, e.node)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map((n) => pythonText(text, n)).join(',')}]`;
    case 'scalar': {
      const raw = text.slice(node.start, node.end);
      if (raw.startsWith('"')) return JSON.stringify(JSON.parse(raw) as string);
      if (!/^-?\d/.test(raw) || !/[.eE]/.test(raw)) return raw;
      const s = String(Number(raw));
      return /^-?\d+$/.test(s) ? `${s}.0` : s;
    }
  }
}

/**
 * Keeps the text of every result an import or an annotation POST wrote (Python stores what it
 * parsed: `10.0` stays a float), for the objects made from `items` (the body's list, or the body).
 */
export function keepResultTexts(rawBody: Buffer, tasks: readonly FakeTask[]): void {
  const text = rawBody.toString('utf8');
  let root: JsonNode;
  try {
    root = parseJsonNodes(text);
  } catch {
    return;
  }
  const items = root.kind === 'array' ? root.items : [root];
  tasks.forEach((task, i) => {
    const item = items[i];
    if (item?.kind !== 'object') return;
    const wrapped = item.entries.some((e) => e.key === 'data') ? item : undefined;
    const list = (key: string) => {
      const node = wrapped?.entries.find((e) => e.key === key)?.node;
      return node?.kind === 'array' ? node.items.filter((n) => n.kind === 'object') : [];
    };
    const texts = (nodes: JsonNode[]) =>
      nodes.map((n) => {
        const r = n.kind === 'object' ? n.entries.find((e) => e.key === 'result')?.node : undefined;
        return r ? pythonText(text, r) : undefined;
      });
    texts(list('annotations')).forEach((t, k) => {
      if (t !== undefined && task.annotations[k]) task.annotations[k].resultText = t;
    });
    texts(list('predictions')).forEach((t, k) => {
      if (t !== undefined && task.predictions[k]) task.predictions[k].resultText = t;
    });
  });
}

/** The text of the `result` of an annotation POST body, as Python would write it back. */
export function postedResultText(rawBody: Buffer): string | undefined {
  const text = rawBody.toString('utf8');
  try {
    const root = parseJsonNodes(text);
    const node = root.kind === 'object' ? root.entries.find((e) => e.key === 'result')?.node : undefined;
    return node?.kind === 'array' ? pythonText(text, node) : undefined;
  } catch {
    return undefined;
  }
}
