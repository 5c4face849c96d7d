/**
 * Tasks, annotations and predictions: import validation (`TaskValidator` and
 * `BaseTaskSerializerBulk.format_error`), the task shapes of `/api/tasks/` (task-only and
 * `fields=all`), the annotation shape, and the project summary updates, which only annotations
 * made through `/api/tasks/{id}/annotations/` reach (imported ones are invisible to it).
 */
import { randomUUID } from 'node:crypto';
import { isLabeled } from './project-model.ts';
import { pyRepr, pyStr, pyTypeName } from './python.ts';
import {
  isoNow,
  type FakeAnnotation,
  type FakeDraft,
  type FakePrediction,
  type FakeProject,
  type FakeState,
  type FakeSummary,
  type FakeTask,
} from './state.ts';

/** Django's timesince, with its no-break space. */
const CREATED_AGO = '0\u00a0minutes';

/** `_DATA_TYPES` of tasks/validation.py: what each object tag accepts (default: str). */
const DATA_TYPES: Record<string, string[]> = {
  Text: ['str', 'int', 'float', 'list'],
  Header: ['str', 'int', 'float'],
  HyperText: ['str'],
  Image: ['str', 'list'],
  Paragraphs: ['list', 'str'],
  Chat: ['list', 'str'],
  Table: ['dict', 'list', 'str'],
  TimeSeries: ['dict', 'list', 'str'],
  TimeSeriesChannel: ['dict', 'list', 'str'],
  List: ['list', 'str'],
  Choices: ['str', 'list'],
  PolygonLabels: ['str', 'list'],
  Labels: ['str', 'list'],
  BrushLabels: ['str', 'list'],
  EllipseLabels: ['str', 'list'],
  HyperTextLabels: ['str', 'list'],
  KeyPointLabels: ['str', 'list'],
  ParagraphLabels: ['str', 'list'],
  RectangleLabels: ['str', 'list'],
  TimeSeriesLabels: ['str', 'list'],
  Taxonomy: ['str', 'list', 'NoneType'],
  Ranker: ['list', 'str'],
};

/**
 * One message per import item (`{}` for a valid one, as the server lists them), or undefined
 * when the whole batch is valid. Stops at 100 entries like the server.
 */
export function checkImportItems(
  project: FakeProject,
  items: readonly unknown[],
): Array<string | Record<string, never>> | undefined {
  const errors: Array<string | Record<string, never>> = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const message = checkImportItem(project, item);
    if (message === undefined) {
      errors.push({});
      continue;
    }
    errors.push(`Error at item ${i}: ${message} :: ${pyStr(item)}`);
    if (errors.length >= 100) {
      errors[99] = '...';
      break;
    }
  }
  return errors.some((e) => typeof e === 'string') ? errors : undefined;
}

function checkImportItem(project: FakeProject, item: unknown): string | undefined {
  if (!isDict(item)) return 'Task root must be dict with "data", "meta", "annotations", "predictions" fields';
  if (!('data' in item)) return checkData(project, item, true);
  if (!isDict(item.data) && !Array.isArray(item.data)) return 'Task[data] must be dict or list';
  const dataProblem = checkData(project, item.data, false);
  if (dataProblem) return dataProblem;
  if ('annotations' in item && !Array.isArray(item.annotations)) return 'Task[annotations] must be list';
  for (const a of (item.annotations as unknown[] | undefined) ?? []) {
    if (!isDict(a)) continue;
    if (!('result' in a)) return 'Annotation must have "result" fields';
    if (a.result !== undefined && !Array.isArray(a.result)) return '"result" field in annotation must be list';
  }
  if ('predictions' in item && !Array.isArray(item.predictions)) return 'Task[predictions] must be list';
  for (const p of (item.predictions as unknown[] | undefined) ?? []) {
    if (isDict(p) && !('result' in p)) return 'Prediction must have "result" fields';
  }
  if ('meta' in item && !isDict(item.meta) && !Array.isArray(item.meta)) return 'Task[meta] must be dict or list';
  return undefined;
}

/** `TaskValidator.check_data` against the `$vars` of the project's object tags. */
function checkData(project: FakeProject, data: unknown, dictIsRoot: boolean): string | undefined {
  const suffix = dictIsRoot
    ? ' [assume: item as is = task root with values] '
    : ' [assume: item["data"] = task root with values]';
  for (const [rawKey, tag] of Object.entries(project.dataTypes)) {
    const isArray = rawKey.includes('[');
    const key = rawKey.split('[')[0]!;
    let item: unknown = data;
    let found = true;
    for (const part of key.includes('.') ? key.split('.') : [key]) {
      if (isDict(item) && part in item) item = item[part];
      else {
        found = false;
        break;
      }
    }
    if (!found) return `"${key}" key is expected in task data${suffix}`;
    const expected = isArray ? ['list'] : (DATA_TYPES[tag] ?? ['str']);
    const type = pyTypeName(item);
    // Python's bool is an int.
    if (!expected.includes(type) && !(type === 'bool' && expected.includes('int'))) {
      return `data['${key}']=${pyStr(item)} is of type '${type}', but the object tag ${tag} expects the following types: ${pyRepr(expected)}${suffix}`;
    }
  }
  return undefined;
}

/** Stores validated import items as tasks; returns the new task ids. */
export function createTasks(
  state: FakeState,
  project: FakeProject,
  items: readonly unknown[],
): { ids: number[]; annotations: number; predictions: number } {
  const ids: number[] = [];
  let annotationCount = 0;
  let predictionCount = 0;
  const now = isoNow(state);
  const created: FakeTask[] = [];
  for (const raw of items) {
    const item = raw as Record<string, unknown>;
    const wrapped = 'data' in item ? item : { data: item };
    const id = state.nextId.task++;
    const task: FakeTask = {
      id,
      project: project.id,
      inner_id: project.nextInnerId++,
      data: wrapped.data as Record<string, unknown>,
      meta: wrapped.meta ?? {},
      created_at: now,
      updated_at: now,
      updated_by: null,
      annotations: [],
      predictions: [],
    };
    for (const a of (wrapped.annotations as Array<Record<string, unknown>> | undefined) ?? []) {
      if (!isDict(a)) continue;
      annotationCount++;
      // Imported annotations come back as ground truth.
      task.annotations.push(
        newAnnotation(state, a, {
          imported: true,
          ground_truth: a.ground_truth === undefined ? true : Boolean(a.ground_truth),
        }),
      );
    }
    for (const p of (wrapped.predictions as Array<Record<string, unknown>> | undefined) ?? []) {
      if (!isDict(p)) continue;
      predictionCount++;
      task.predictions.push(newPrediction(state, p));
    }
    state.tasks.set(id, task);
    project.taskIds.push(id);
    ids.push(id);
    created.push(task);
  }
  updateDataColumns(project.summary, created);
  return { ids, annotations: annotationCount, predictions: predictionCount };
}

/**
 * Deletes tasks (the Data Manager's `delete_tasks`): with every task of the project gone the
 * summary is reset, as the server does.
 */
export function deleteTasks(state: FakeState, project: FakeProject, tasks: readonly FakeTask[]): void {
  const gone = new Set(tasks.map((t) => t.id));
  for (const id of gone) state.tasks.delete(id);
  project.taskIds = project.taskIds.filter((id) => !gone.has(id));
  if (project.taskIds.length === 0) {
    project.summary.all_data_columns = {};
    project.summary.common_data_columns = [];
    project.summary.created_annotations = {};
    project.summary.created_labels = {};
    project.summary.created_labels_drafts = {};
  }
}

/** POST /api/tasks/{id}/annotations/: the annotation, plus the summary updates imports skip. */
export function addAnnotation(
  state: FakeState,
  project: FakeProject,
  task: FakeTask,
  body: Record<string, unknown>,
): FakeAnnotation {
  const annotation = newAnnotation(state, body, { imported: false, ground_truth: Boolean(body.ground_truth ?? false) });
  task.annotations.push(annotation);
  task.updated_by = state.user.id;
  task.updated_at = annotation.updated_at;
  updateCreatedAnnotations(project.summary, [annotation]);
  updateDataColumns(project.summary, [task]);
  return annotation;
}

export function serializeAnnotation(state: FakeState, task: FakeTask, a: FakeAnnotation): Record<string, unknown> {
  return {
    id: a.id,
    result: a.result,
    created_username: ` ${state.user.email}, ${state.user.id}`,
    created_ago: CREATED_AGO,
    completed_by: a.completed_by,
    was_cancelled: a.was_cancelled,
    ground_truth: a.ground_truth,
    created_at: a.created_at,
    updated_at: a.updated_at,
    draft_created_at: null,
    lead_time: a.lead_time,
    import_id: null,
    last_action: null,
    bulk_created: false,
    task: task.id,
    project: task.project,
    updated_by: a.updated_by,
    parent_prediction: null,
    parent_annotation: null,
    last_created_by: null,
  };
}

export function serializePrediction(task: FakeTask, p: FakePrediction): Record<string, unknown> {
  return {
    id: p.id,
    result: p.result,
    model_version: p.model_version,
    created_ago: CREATED_AGO,
    score: p.score,
    cluster: null,
    neighbors: null,
    mislabeling: 0,
    created_at: p.created_at,
    updated_at: p.updated_at,
    model: null,
    model_run: null,
    task: task.id,
    project: task.project,
  };
}

/** A draft as `AnnotationDraftSerializer` writes it (every field; `user` is the email). */
export function serializeDraft(state: FakeState, task: FakeTask, d: FakeDraft): Record<string, unknown> {
  return {
    id: d.id,
    user: state.user.email,
    created_username: `${state.user.email}, ${d.user}`,
    created_ago: CREATED_AGO,
    result: d.result,
    lead_time: d.lead_time,
    was_postponed: d.was_postponed,
    import_id: null,
    created_at: d.created_at,
    updated_at: d.updated_at,
    task: task.id,
    annotation: d.annotation,
  };
}

/** An item of `GET /api/tasks/`: the task-only shape, or with `fields=all` the full one. */
export function serializeTask(
  state: FakeState,
  project: FakeProject,
  task: FakeTask,
  all: boolean,
): Record<string, unknown> {
  const kept = task.annotations.filter((a) => !a.was_cancelled);
  const common = {
    drafts: [],
    annotators: all ? [...new Set(task.annotations.map((a) => a.completed_by))] : [],
    inner_id: task.inner_id,
    cancelled_annotations: task.annotations.length - kept.length,
    total_annotations: kept.length,
    total_predictions: task.predictions.length,
  };
  const tail = {
    updated_by: task.updated_by === null ? [] : [{ user_id: task.updated_by }],
    data: task.data,
    meta: task.meta,
    created_at: task.created_at,
    updated_at: task.updated_at,
    is_labeled: isLabeled(task, Number(project.fields.maximum_annotations) || 1),
    overlap: 1,
    comment_count: 0,
    unresolved_comment_count: 0,
    last_comment_updated_at: null,
    project: task.project,
    comment_authors: [],
  };
  if (!all) {
    return {
      id: task.id,
      ...common,
      annotations_results: '',
      predictions_results: '',
      file_upload: null,
      storage_filename: null,
      annotations_ids: '',
      predictions_model_versions: '',
      ...tail,
    };
  }
  const scores = task.predictions.map((p) => p.score).filter((s): s is number => typeof s === 'number');
  const leadTimes = task.annotations.map((a) => a.lead_time).filter((t): t is number => typeof t === 'number');
  return {
    id: task.id,
    predictions: task.predictions.map((p) => serializePrediction(task, p)),
    annotations: task.annotations.map((a) => serializeAnnotation(state, task, a)),
    ...common,
    completed_at: task.annotations.length
      ? task.annotations
          .map((a) => a.created_at)
          .sort()
          .at(-1)
      : null,
    annotations_results: task.annotations
      .map((a) => flowText(a.result))
      .filter((t) => t !== '')
      .join(', '),
    predictions_results: task.predictions
      .map((p) => flowText(p.result))
      .filter((t) => t !== '')
      .join(', '),
    predictions_score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    file_upload: null,
    storage_filename: null,
    annotations_ids: task.annotations.map((a) => a.id).join(','),
    predictions_model_versions: [...new Set(task.predictions.map((p) => p.model_version))].join(','),
    avg_lead_time: leadTimes.length ? leadTimes.reduce((a, b) => a + b, 0) / leadTimes.length : null,
    draft_exists: false,
    ...tail,
  };
}

/** A task as the JSON export (and snapshots) write it. */
export function exportTask(state: FakeState, task: FakeTask): Record<string, unknown> {
  const kept = task.annotations.filter((a) => !a.was_cancelled);
  return {
    id: task.id,
    annotations: task.annotations.map((a) => ({
      id: a.id,
      completed_by: a.completed_by,
      result: a.result,
      was_cancelled: a.was_cancelled,
      ground_truth: a.ground_truth,
      created_at: a.created_at,
      updated_at: a.updated_at,
      draft_created_at: null,
      lead_time: a.lead_time,
      prediction: {},
      // Annotation.save() counts distinct result ids (results without one count once);
      // imports are bulk-created without save(), so theirs stays 0.
      result_count:
        a.imported || !Array.isArray(a.result) ? 0 : new Set(a.result.map((r) => (isDict(r) ? r.id : undefined))).size,
      unique_id: a.unique_id,
      import_id: null,
      last_action: null,
      bulk_created: false,
      task: task.id,
      project: task.project,
      updated_by: a.updated_by,
      parent_prediction: null,
      parent_annotation: null,
      last_created_by: null,
    })),
    drafts: (task.drafts ?? []).map((d) => serializeDraft(state, task, d)),
    predictions: task.predictions.map((p) => p.id),
    data: task.data,
    meta: task.meta,
    created_at: task.created_at,
    updated_at: task.updated_at,
    allow_skip: true,
    inner_id: task.inner_id,
    total_annotations: kept.length,
    cancelled_annotations: task.annotations.length - kept.length,
    total_predictions: task.predictions.length,
    comment_count: 0,
    unresolved_comment_count: 0,
    last_comment_updated_at: null,
    project: task.project,
    updated_by: task.updated_by,
    comment_authors: [],
  };
}

function newAnnotation(
  state: FakeState,
  body: Record<string, unknown>,
  o: { imported: boolean; ground_truth: boolean },
): FakeAnnotation {
  const now = isoNow(state);
  return {
    id: state.nextId.annotation++,
    result: body.result === undefined ? (o.imported ? [] : null) : body.result,
    completed_by: typeof body.completed_by === 'number' ? body.completed_by : state.user.id,
    was_cancelled: Boolean(body.was_cancelled ?? false),
    ground_truth: o.ground_truth,
    lead_time: typeof body.lead_time === 'number' ? body.lead_time : null,
    created_at: now,
    updated_at: now,
    updated_by: o.imported ? null : state.user.id,
    imported: o.imported,
    unique_id: randomUUID(),
  };
}

function newPrediction(state: FakeState, body: Record<string, unknown>): FakePrediction {
  const now = isoNow(state);
  return {
    id: state.nextId.prediction++,
    result: body.result,
    model_version: typeof body.model_version === 'string' ? body.model_version : 'undefined',
    score: typeof body.score === 'number' ? body.score : null,
    created_at: now,
    updated_at: now,
  };
}

/** `ProjectSummary.update_data_columns` (annotating a task counts its columns again, as the server does). */
function updateDataColumns(summary: FakeSummary, tasks: readonly FakeTask[]): void {
  let common: Set<string> | undefined;
  for (const task of tasks) {
    const keys = isDict(task.data) ? Object.keys(task.data) : [];
    for (const k of keys) summary.all_data_columns[k] = (summary.all_data_columns[k] ?? 0) + 1;
    common = common && common.size > 0 ? new Set(keys.filter((k) => common!.has(k))) : new Set(keys);
  }
  const incoming = common ?? new Set<string>();
  summary.common_data_columns =
    summary.common_data_columns.length === 0
      ? [...incoming].sort()
      : summary.common_data_columns.filter((k) => incoming.has(k)).sort();
}

/**
 * `ProjectSummary.update_created_annotations_and_labels`, bug included: a control not yet in the
 * stored labels has its counter reset for every result, so within one call only the last result's
 * labels of a new control survive.
 */
function updateCreatedAnnotations(summary: FakeSummary, annotations: readonly FakeAnnotation[]): void {
  const before = new Set(Object.keys(summary.created_labels));
  const labels = { ...summary.created_labels };
  for (const a of annotations) {
    if (!Array.isArray(a.result)) continue;
    for (const r of a.result) {
      if (!isDict(r)) continue;
      const type = r.type;
      if (type === 'relation' || type === 'pairwise' || type === undefined || type === null) continue;
      if (!('from_name' in r) || !('to_name' in r)) continue;
      const to = Array.isArray(r.to_name) ? r.to_name.join(',') : String(r.to_name);
      const key = [String(r.from_name), to, String(type).toLowerCase()].join('|');
      summary.created_annotations[key] = (summary.created_annotations[key] ?? 0) + 1;
      const from = String(r.from_name);
      if (!before.has(from)) labels[from] = {};
      const target = (labels[from] = { ...(labels[from] ?? {}) });
      for (const label of resultLabels(r)) target[label] = (target[label] ?? 0) + 1;
    }
  }
  summary.created_labels = labels;
}

function resultLabels(r: Record<string, unknown>): string[] {
  let type = String(r.type);
  if (type === 'videorectangle') type = 'labels';
  const value = isDict(r.value) ? r.value[type] : undefined;
  if (!Array.isArray(value) || value.length === 0 || type === 'text') return [];
  return value.flatMap((v) => (type === 'taxonomy' && Array.isArray(v) ? v.map((x) => pyStr(x)) : [pyStr(v)]));
}

/** The unquoted flow text Label Studio puts in `annotations_results`: `[{from_name: a, ...}]`. */
function flowText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${flowText(v)}`)
      .join(', ')}}`;
  return String(value);
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
