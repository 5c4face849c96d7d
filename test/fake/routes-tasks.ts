/** Task routes: the synchronous import, the `/api/tasks/` list, annotation create/list. */
import { performance } from 'node:perf_hooks';
import { envelope, fail, html404, json, paginate, readData, readObject, validationError, type Ctx, type Reply } from './http.ts';
import { findProject, projectTasks } from './project-model.ts';
import { pythonJson } from './export-format.ts';
import type { FakeTask } from './state.ts';
import { addAnnotation, checkImportItems, createTasks, serializeAnnotation, serializeTask } from './task-model.ts';

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
    return json(201, { task_count: items.length, annotation_count: null, prediction_count: null, duration: seconds(started), ...base });
  }
  const created = createTasks(state, project, items);
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
    fail(envelope(400, 'Validation error', { project: `Incorrect value in key "project" = "${raw}". It should be digit string.` }));
  }
  const project = findProject(state, raw);
  const tasks = filterTasks(projectTasks(state, project), query.get('query'));
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
  if (ctx.method === 'GET') return json(200, task.annotations.filter((a) => !a.was_cancelled).map((a) => serializeAnnotation(state, task, a)));
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
  return json(201, serializeAnnotation(state, task, annotation));
}

/**
 * The Data Manager `query` filters the tasks list accepts, for `filter:tasks:meta` and
 * `filter:tasks:data.<key>` with contains / not_contains (case-insensitive, over the JSON text
 * for meta) and equal / not_equal. Other filters are ignored.
 */
function filterTasks(tasks: FakeTask[], raw: string | null): FakeTask[] {
  if (!raw) return tasks;
  let query: { filters?: { conjunction?: string; items?: Array<{ filter?: string; operator?: string; value?: unknown }> } };
  try {
    query = JSON.parse(raw);
  } catch {
    return tasks;
  }
  const items = (query.filters?.items ?? []).filter((i) => /^filter:tasks:(meta|data\.)/.test(i.filter ?? ''));
  if (items.length === 0) return tasks;
  const test = (task: FakeTask, item: (typeof items)[number]): boolean => {
    const field = item.filter!.slice('filter:tasks:'.length);
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
