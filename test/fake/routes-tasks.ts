/**
 * Task routes: the synchronous import, the `/api/tasks/` list, annotation create/list, and the
 * Data Manager's `delete_tasks` action.
 */
import { performance } from 'node:perf_hooks';
import {
  envelope,
  fail,
  html404,
  json,
  paginate,
  readData,
  readObject,
  validationError,
  type Ctx,
  type Reply,
} from './http.ts';
import { findProject, projectTasks } from './project-model.ts';
import { pythonJson } from './export-format.ts';
import type { FakeTask } from './state.ts';
import {
  addAnnotation,
  checkImportItems,
  createTasks,
  deleteTasks,
  serializeAnnotation,
  serializeTask,
} from './task-model.ts';
import { viewTaskListFailure } from './routes-views.ts';
import { keepResultTexts, postedResultText } from './routes-results.ts';

/** POST /api/projects/{id}/import (no trailing slash): JSON list or object, all-or-nothing. */
export function importTasks(ctx: Ctx): Reply {
  const started = performance.now();
  const { state } = ctx;
  // An unknown project here is Django's HTML 404, not the JSON envelope.
  const project = state.projects.get(Number(ctx.params.id));
  if (!project) return html404();
  const data = readData(ctx);
  const items = Array.isArray(data) ? data : [data];
  if (items.length === 0) fail(validationError({ non_field_errors: ['load_tasks: No tasks added'] }));
  const commit = !['false', '0', 'False'].includes(ctx.query.get('commit_to_project') ?? 'true');
  const errors = checkImportItems(project, items);
  if (errors) fail(validationError({ non_field_errors: errors }));
  const base = { file_upload_ids: [], could_be_tasks_list: false, found_formats: [], data_columns: [] };
  if (!commit) {
    return json(201, {
      task_count: items.length,
      annotation_count: null,
      prediction_count: null,
      duration: seconds(started),
      ...base,
    });
  }
  const created = createTasks(state, project, items);
  keepResultTexts(
    ctx.rawBody,
    created.ids.map((id) => state.tasks.get(id)!),
  );
  const returnIds = ['true', '1', 'True'].includes(ctx.query.get('return_task_ids') ?? '');
  return json(201, {
    task_count: created.ids.length,
    annotation_count: created.annotations,
    prediction_count: created.predictions,
    duration: seconds(started),
    ...base,
    ...(returnIds ? { task_ids: created.ids } : {}),
  });
}

/**
 * GET /api/tasks/?project=&page=&page_size=&fields=all: `{total_annotations, total_predictions,
 * total, tasks}`, 100 a page by default, no upper limit; a page past the end is a 404.
 */
export function listTasks(ctx: Ctx): Reply {
  const { state, query } = ctx;
  const raw = query.get('project') ?? query.get('view');
  if (raw === null) return json(404, { detail: 'Neither project nor view id specified' });
  if (!/^\d+$/.test(raw)) {
    fail(
      envelope(400, 'Validation error', {
        project: `Incorrect value in key "project" = "${raw}". It should be digit string.`,
      }),
    );
  }
  const project = findProject(state, raw);
  // A tab whose filters the server cannot turn into a query answers 500 (routes-views.ts).
  const broken = query.get('view') === null ? undefined : viewTaskListFailure(ctx, query.get('view')!);
  if (broken) return broken;
  const tasks = selectTasks(projectTasks(state, project), parseQuery(query.get('query')));
  let totalAnnotations = 0;
  let totalPredictions = 0;
  for (const t of tasks) {
    totalAnnotations += t.annotations.filter((a) => !a.was_cancelled).length;
    totalPredictions += t.predictions.length;
  }
  const { items } = paginate(ctx, tasks, 100, undefined);
  const all = query.get('fields') === 'all';
  return json(200, {
    total_annotations: totalAnnotations,
    total_predictions: totalPredictions,
    total: tasks.length,
    tasks: items.map((t) => serializeTask(state, project, t, all)),
  });
}

/** POST (201) and GET /api/tasks/{id}/annotations/ */
export function taskAnnotations(ctx: Ctx): Reply {
  const { state } = ctx;
  const task = state.tasks.get(Number(ctx.params.id));
  if (!task) fail(envelope(404, 'No Task matches the given query.'));
  if (ctx.method === 'GET')
    return json(
      200,
      task.annotations.filter((a) => !a.was_cancelled).map((a) => serializeAnnotation(state, task, a)),
    );
  const body = readObject(ctx);
  if (typeof body.result === 'string') {
    try {
      body.result = JSON.parse(body.result);
    } catch {
      fail(envelope(500, 'annotation "result" can\'t be parse from str to JSON'));
    }
  }
  const project = state.projects.get(task.project)!;
  const annotation = addAnnotation(state, project, task, body);
  if (Array.isArray(body.result)) annotation.resultText = postedResultText(ctx.rawBody);
  return json(201, serializeAnnotation(state, task, annotation));
}

/**
 * POST /api/dm/actions/?id=&project=: only `delete_tasks`. The selection is the body's
 * `selectedItems` narrowed by its `filters`; `{"all": false, "included": []}` selects every task
 * (the server only narrows by a non-empty `included`), as does a missing `selectedItems`.
 */
export function dmAction(ctx: Ctx): Reply {
  const { state, query } = ctx;
  const raw = query.get('project') ?? '';
  const project = /^\d+$/.test(raw) ? state.projects.get(Number(raw)) : undefined;
  if (!project) fail(envelope(404, 'No Project matches the given query.'));
  const action = query.get('id');
  if (action === null) return json(422, { detail: 'No action id "None", use ?id=<action-id>' });
  if (action !== 'delete_tasks') fail(envelope(500, `Can't find '${action}' in registered actions`));
  const body = readObject(ctx) as DmQuery;
  if (
    body.selectedItems !== undefined &&
    (typeof body.selectedItems !== 'object' || body.selectedItems === null || Array.isArray(body.selectedItems))
  ) {
    fail(
      envelope(
        500,
        `selectedItems must be JSON encoded string for dict: {"all": [true|false], "excluded | included": [...task_ids...]}. Found: ${stringOf(body.selectedItems)}`,
      ),
    );
  }
  const selected = selectTasks(projectTasks(state, project), body);
  deleteTasks(state, project, selected);
  // The server reloads the Data Manager when the project is left without tasks.
  return json(200, {
    processed_items: selected.length,
    reload: project.taskIds.length === 0,
    detail: `Deleted ${selected.length} tasks`,
  });
}

interface DmFilter {
  filter?: string;
  operator?: string;
  value?: unknown;
}

interface DmQuery {
  filters?: { conjunction?: string; items?: DmFilter[] };
  selectedItems?: { all?: boolean; included?: number[]; excluded?: number[] };
}

function parseQuery(raw: string | null): DmQuery {
  if (!raw) return {};
  try {
    const q = JSON.parse(raw);
    return q && typeof q === 'object' ? (q as DmQuery) : {};
  } catch {
    return {};
  }
}

/** The filters, then the selection (`included` only narrows when it is non-empty). */
function selectTasks(tasks: FakeTask[], query: DmQuery): FakeTask[] {
  const filtered = filterTasks(tasks, query);
  const sel = query.selectedItems;
  if (sel?.all === false && sel.included?.length) {
    const ids = new Set(sel.included.map(Number));
    return filtered.filter((t) => ids.has(t.id));
  }
  if (sel?.all === true && sel.excluded?.length) {
    const ids = new Set(sel.excluded.map(Number));
    return filtered.filter((t) => !ids.has(t.id));
  }
  return filtered;
}

/**
 * The Data Manager filters the fake understands: `filter:tasks:meta` and
 * `filter:tasks:data.<key>` with contains / not_contains (case-insensitive, over the JSON text
 * for meta) and equal / not_equal, `filter:tasks:total_annotations` / `cancelled_annotations`
 * with equal / not_equal, and `filter:tasks:annotations_ids` empty (no annotation rows). Other
 * filters are ignored.
 */
function filterTasks(tasks: FakeTask[], query: DmQuery): FakeTask[] {
  const items = (query.filters?.items ?? []).filter((i) =>
    /^filter:tasks:(meta|data\.|total_annotations$|cancelled_annotations$|annotations_ids$)/.test(i.filter ?? ''),
  );
  if (items.length === 0) return tasks;
  const test = (task: FakeTask, item: DmFilter): boolean => {
    const field = item.filter!.slice('filter:tasks:'.length);
    // Annotation rows, cancelled ones included; other operators on it are not modelled.
    if (field === 'annotations_ids')
      return item.operator === 'empty'
        ? (task.annotations.length === 0) === ['true', true, 1, '1'].includes(item.value as string)
        : true;
    if (field === 'total_annotations' || field === 'cancelled_annotations') {
      const cancelled = task.annotations.filter((a) => a.was_cancelled).length;
      const n = field === 'cancelled_annotations' ? cancelled : task.annotations.length - cancelled;
      const wanted = Number(item.value);
      return item.operator === 'not_equal' ? n !== wanted : item.operator === 'equal' ? n === wanted : true;
    }
    const value = field === 'meta' ? pythonJson(task.meta) : stringOf(task.data[field.slice('data.'.length)]);
    const wanted = stringOf(item.value);
    switch (item.operator) {
      case 'contains':
        return value.toLowerCase().includes(wanted.toLowerCase());
      case 'not_contains':
        return !value.toLowerCase().includes(wanted.toLowerCase());
      case 'equal':
        return value === wanted;
      case 'not_equal':
        return value !== wanted;
      case undefined:
      default:
        return true;
    }
  };
  const any = query.filters?.conjunction === 'or';
  return tasks.filter((t) => (any ? items.some((i) => test(t, i)) : items.every((i) => test(t, i))));
}

function stringOf(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function seconds(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
