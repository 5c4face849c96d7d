/**
 * Projects as Label Studio 1.23.2 stores and answers them: the 46-key object in the server's
 * order, real defaults, ProjectSerializer's validation and messages, `Project.save()` side effects
 * (derived config data, control_weights regeneration, is_published clearing is_draft) and the
 * counters, which are null in a create response and numbers elsewhere.
 */
import { checkBody } from './project-body.ts';
import { envelope, fail, json, readObject, type Ctx, type Reply } from './http.ts';
import { extractDataTypes, parseLabelConfig, suitableForBulkAnnotation, type ParsedConfig } from './label-config.ts';
import { pyTypeName } from './python.ts';
import { releaseBefore } from './release.ts';
import { isoNow, type FakeProject, type FakeState, type FakeTask } from './state.ts';

export const DEFAULT_LABEL_CONFIG = '<View></View>';

/** ProjectSerializer.Meta.fields, in order. */
export const PROJECT_KEYS = [
  'id',
  'title',
  'description',
  'label_config',
  'expert_instruction',
  'show_instruction',
  'show_skip_button',
  'enable_empty_annotation',
  'show_annotation_history',
  'organization',
  'color',
  'maximum_annotations',
  'is_published',
  'model_version',
  'is_draft',
  'created_by',
  'created_at',
  'min_annotations_to_start_training',
  'start_training_on_annotation_update',
  'show_collab_predictions',
  'num_tasks_with_annotations',
  'task_number',
  'useful_annotation_number',
  'ground_truth_number',
  'skipped_annotations_number',
  'total_annotations_number',
  'total_predictions_number',
  'sampling',
  'show_ground_truth_first',
  'annotator_evaluation_enabled',
  'show_overlap_first',
  'overlap_cohort_percentage',
  'task_data_login',
  'task_data_password',
  'control_weights',
  'parsed_label_config',
  'evaluate_predictions_automatically',
  'config_has_control_tags',
  'skip_queue',
  'reveal_preannotations_interactively',
  'pinned_at',
  'finished_task_number',
  'queue_total',
  'queue_done',
  'config_suitable_for_bulk_annotation',
  'state',
] as const;

const COUNTER_KEYS = new Set([
  'num_tasks_with_annotations',
  'task_number',
  'useful_annotation_number',
  'ground_truth_number',
  'skipped_annotations_number',
  'total_annotations_number',
  'total_predictions_number',
  'finished_task_number',
]);

/** Model defaults of the stored, writable fields. */
function defaults(): Record<string, unknown> {
  return {
    title: '',
    description: '',
    label_config: DEFAULT_LABEL_CONFIG,
    expert_instruction: '',
    show_instruction: false,
    show_skip_button: true,
    enable_empty_annotation: true,
    show_annotation_history: false,
    organization: 1,
    color: '#FFFFFF',
    maximum_annotations: 1,
    is_published: false,
    model_version: '',
    is_draft: false,
    min_annotations_to_start_training: 0,
    show_collab_predictions: true,
    sampling: 'Sequential sampling',
    show_ground_truth_first: false,
    annotator_evaluation_enabled: false,
    show_overlap_first: false,
    overlap_cohort_percentage: 100,
    task_data_login: null,
    task_data_password: null,
    control_weights: {},
    evaluate_predictions_automatically: false,
    skip_queue: 'REQUEUE_FOR_OTHERS',
    reveal_preannotations_interactively: false,
    pinned_at: null,
  };
}

/** POST /api/projects/ */
export function createProject(ctx: Ctx): Reply {
  const { state } = ctx;
  const body = readObject(ctx);
  const values = checkBody(state, body, undefined);
  const fields: Record<string, unknown> = { ...defaults(), ...values, organization: 1 };
  const derived = deriveConfig(String(fields.label_config ?? ''));
  fields.control_weights = regenerateWeights(fields.control_weights, derived.parsed);
  settle(fields);
  const id = state.nextId.project++;
  const created_at = nextCreatedAt(state);
  const project: FakeProject = {
    id,
    created_at,
    fields,
    ...derived,
    taskIds: [],
    nextInnerId: 1,
    summary: {
      created_at,
      all_data_columns: {},
      common_data_columns: [],
      created_annotations: {},
      created_labels: {},
      created_labels_drafts: {},
    },
    exports: new Map(),
  };
  state.projects.set(id, project);
  return json(201, serializeProject(state, project, { counters: false }));
}

/** PATCH and PUT /api/projects/{id}/ (PUT is partial too, minus PATCH's lxml pre-check). */
export function updateProject(ctx: Ctx, project: FakeProject): Reply {
  const { state } = ctx;
  const body = readObject(ctx);
  const values = checkBody(state, body, project, ctx.method === 'PATCH');
  const fields = { ...project.fields, ...values };
  if (values.show_collab_predictions === false) fields.model_version = '';
  const configChanged = 'label_config' in values && values.label_config !== project.fields.label_config;
  const derived = configChanged
    ? deriveConfig(String(fields.label_config ?? ''))
    : { parsed: project.parsed, dataTypes: project.dataTypes, bulk: project.bulk };
  if (fields.label_config && (configChanged || isPyFalsy(fields.control_weights))) {
    fields.control_weights = regenerateWeights(fields.control_weights, derived.parsed);
  }
  settle(fields);
  project.fields = fields;
  project.parsed = derived.parsed;
  project.dataTypes = derived.dataTypes;
  project.bulk = derived.bulk;
  return json(200, serializeProject(state, project, { counters: true }));
}

/**
 * A creation time later than every earlier project's. The server's list is newest first by
 * `created_at`, which on a real server follows the ids; the fake's random microseconds alone
 * could order two projects made in the same millisecond against their ids.
 */
function nextCreatedAt(state: FakeState): string {
  const micros = (iso: string) => Date.parse(iso) * 1000 + Number(iso.slice(-4, -1));
  const previous = lastCreatedAt.get(state);
  const us = Math.max(micros(isoNow(state)), previous === undefined ? 0 : previous + 1);
  lastCreatedAt.set(state, us);
  return new Date(Math.floor(us / 1000))
    .toISOString()
    .replace(/\.(\d{3})Z$/, `.$1${String(us % 1000).padStart(3, '0')}Z`);
}
const lastCreatedAt = new WeakMap<FakeState, number>();

export function findProject(state: FakeState, id: string | undefined, model = 'Project'): FakeProject {
  const project = state.projects.get(Number(id));
  if (!project) fail(envelope(404, `No ${model} matches the given query.`));
  return project;
}

export function deleteProject(state: FakeState, project: FakeProject): void {
  for (const id of project.taskIds) state.tasks.delete(id);
  // The project's webhooks go with it (a foreign key with CASCADE).
  for (const [id, w] of state.webhooks) if (w.project === project.id) state.webhooks.delete(id);
  for (const [id, v] of state.views) if (v.project === project.id) state.views.delete(id);
  for (const [id, b] of state.mlBackends) if (b.project === project.id) state.mlBackends.delete(id);
  for (const [id, st] of state.storages) if (st.project === project.id) state.storages.delete(id);
  state.projects.delete(project.id);
}

export interface SerializeOptions {
  /** false: the create response, where every counter is null. */
  readonly counters: boolean;
  /** `?include=a,b`: only these keys (an empty list gives `{}`). */
  readonly include?: readonly string[];
}

export function serializeProject(state: FakeState, project: FakeProject, o: SerializeOptions): Record<string, unknown> {
  const f = project.fields;
  const counts = o.counters ? countProject(state, project) : undefined;
  const queue = queueCounts(state, project);
  const all: Record<string, unknown> = {
    ...f,
    id: project.id,
    created_by: { id: state.user.id, first_name: '', last_name: '', email: state.user.email, avatar: null },
    created_at: project.created_at,
    start_training_on_annotation_update: Boolean(f.min_annotations_to_start_training),
    parsed_label_config: project.parsed,
    config_has_control_tags: Object.keys(project.parsed).length > 0,
    config_suitable_for_bulk_annotation: project.bulk,
    queue_total: queue.total,
    queue_done: queue.done,
    state: null,
  };
  const include = o.include ? new Set(o.include) : undefined;
  const out: Record<string, unknown> = {};
  for (const key of PROJECT_KEYS) {
    if (include && !include.has(key)) continue;
    if (key === 'annotator_evaluation_enabled' && releaseBefore(state.release, [1, 23])) continue;
    out[key] = COUNTER_KEYS.has(key) ? (counts ? counts[key] : null) : all[key];
  }
  return out;
}

export function projectTasks(state: FakeState, project: FakeProject): FakeTask[] {
  return project.taskIds.map((id) => state.tasks.get(id)!);
}

export function isLabeled(task: FakeTask, maximumAnnotations: number): boolean {
  return task.annotations.filter((a) => !a.was_cancelled).length >= Math.max(1, maximumAnnotations);
}

function countProject(state: FakeState, project: FakeProject): Record<string, number> {
  const c = {
    num_tasks_with_annotations: 0,
    task_number: 0,
    useful_annotation_number: 0,
    ground_truth_number: 0,
    skipped_annotations_number: 0,
    total_annotations_number: 0,
    total_predictions_number: 0,
    finished_task_number: 0,
  };
  const max = Number(project.fields.maximum_annotations) || 1;
  for (const task of projectTasks(state, project)) {
    c.task_number++;
    c.total_predictions_number += task.predictions.length;
    // The server's annotate_* subqueries: "useful" (and a task "with annotations") means not
    // cancelled, not ground truth (imported annotations are) and a non-null result.
    let useful = 0;
    for (const a of task.annotations) {
      if (a.ground_truth) c.ground_truth_number++;
      if (a.was_cancelled) {
        c.skipped_annotations_number++;
        continue;
      }
      c.total_annotations_number++;
      if (!a.ground_truth && a.result !== null) useful++;
    }
    c.useful_annotation_number += useful;
    if (useful > 0) c.num_tasks_with_annotations++;
    if (isLabeled(task, max)) c.finished_task_number++;
  }
  return c;
}

/** queue_total / queue_done are per requesting user (here the only one). */
function queueCounts(state: FakeState, project: FakeProject): { total: number; done: number } {
  const max = Number(project.fields.maximum_annotations) || 1;
  let total = 0;
  let done = 0;
  for (const task of projectTasks(state, project)) {
    const mine = task.annotations.some((a) => a.completed_by === state.user.id);
    if (mine || !isLabeled(task, max)) total++;
    if (mine) done++;
  }
  return { total, done };
}

function deriveConfig(config: string): { parsed: ParsedConfig; dataTypes: Record<string, string>; bulk: boolean } {
  return {
    parsed: parseLabelConfig(config),
    dataTypes: extractDataTypes(config),
    bulk: suitableForBulkAnnotation(config),
  };
}

/**
 * `Project.get_updated_weights`: one entry per control, keeping known numbers, 1.0 for the rest.
 * Like the server, a stored value that is not a dict fails with Python's AttributeError text.
 */
function regenerateWeights(current: unknown, parsed: ParsedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, info] of Object.entries(parsed)) {
    if (info.type === 'Filter') continue;
    const entry = pyGet(current, name, undefined);
    const overall = isPyFalsy(entry) ? 1.0 : (pyGet(entry, 'overall', undefined) ?? 1.0);
    const labels: Record<string, unknown> = {};
    for (const label of info.labels) {
      const byLabel = pyGet(pyGet(pyGet(current, name, {}), 'labels', {}), label, undefined);
      labels[label] = byLabel ?? 1.0;
    }
    out[name] = { overall, type: info.type, labels };
  }
  return out;
}

/** Python `obj.get(key, default)`, with the 500 a non-dict gives. */
function pyGet(obj: unknown, key: string, fallback: unknown): unknown {
  if (obj === null || obj === undefined || typeof obj !== 'object' || Array.isArray(obj)) {
    fail(envelope(500, `'${pyTypeName(obj)}' object has no attribute 'get'`));
  }
  const record = obj as Record<string, unknown>;
  return key in record && record[key] !== undefined ? record[key] : fallback;
}

function isPyFalsy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** `Project.save()`: a published project is never a draft. */
function settle(fields: Record<string, unknown>): void {
  if (fields.is_published && fields.is_draft) fields.is_draft = false;
}
