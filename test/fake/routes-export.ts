/**
 * Export routes: the format list, the synchronous export (annotated tasks only by default) and
 * snapshots, which complete inside the POST (Community edition) and convert on request. Missing
 * projects or snapshots are Django HTML 404s on most of these routes, as on the server.
 */
import { createHash } from 'node:crypto';
import { envelope, fail, html404, json, noContent, readObject, validationError, type Ctx, type Reply } from './http.ts';
import { EXPORT_FORMATS } from './catalog.ts';
import { exportFormatList, pythonJson, renderExport } from './export-format.ts';
import { findProject, projectTasks } from './project-model.ts';
import { exportTask } from './task-model.ts';
import { isoNow, type FakeExport, type FakeProject, type FakeState } from './state.ts';

const FORMAT_NAMES = new Set(EXPORT_FORMATS.map((f) => f.name));

export function exportFormats(ctx: Ctx): Reply {
  const project = ctx.state.projects.get(Number(ctx.params.id));
  if (!project) return html404();
  return json(200, exportFormatList(project.parsed));
}

/** GET /api/projects/{id}/export?exportType=JSON|JSON_MIN|CSV|TSV[&download_all_tasks=true][&ids[]=N] */
export function syncExport(ctx: Ctx): Reply {
  const { state, query } = ctx;
  const project = state.projects.get(Number(ctx.params.id));
  if (!project) return html404();
  const format = query.get('exportType') ?? query.get('export_type') ?? 'JSON';
  const all = ['true', '1', 'True', 'yes'].includes(query.get('download_all_tasks') ?? '');
  const ids = new Set(query.getAll('ids[]').map(Number));
  const tasks = projectTasks(state, project)
    .filter((t) => ids.size === 0 || ids.has(t.id))
    .filter((t) => all || t.annotations.length > 0)
    .map((t) => exportTask(state, t));
  if (!FORMAT_NAMES.has(format)) fail(envelope(500, ''));
  const file = renderExport(tasks, format, 'compact');
  if (!file) fail(envelope(500, `the fake Label Studio does not convert to ${format}`));
  const name = `project-${project.id}-at-${stamp(new Date())}-${md5(JSON.stringify(JSON.stringify(tasks))).slice(0, 8)}.${file.ext}`;
  return attachment(file.body, `application/.${file.ext}`, name);
}

/** GET (plain array, newest first) and POST (201, already completed) /api/projects/{id}/exports/ */
export function snapshots(ctx: Ctx): Reply {
  const { state } = ctx;
  const project = findProject(state, ctx.params.id);
  if (ctx.method === 'GET')
    return json(
      200,
      [...project.exports.values()].reverse().map((e) => serializeExport(state, e)),
    );
  const body = readObject(ctx);
  const onlyAnnotated = Boolean(
    (body.task_filter_options as Record<string, unknown> | undefined)?.only_with_annotations,
  );
  const tasks = projectTasks(state, project)
    .filter((t) => !onlyAnnotated || t.annotations.length > 0)
    .map((t) => exportTask(state, t));
  const created = isoNow(state);
  const title =
    typeof body.title === 'string' && body.title.trim()
      ? body.title.trim()
      : `${slugify(String(project.fields.title ?? ''))}-at-${stamp(new Date(created))}`;
  const snapshot: FakeExport = {
    id: state.nextId.export++,
    title,
    created_at: created,
    finished_at: isoNow(state),
    md5: md5(pythonJson(tasks)),
    task_number: tasks.length,
    tasks,
    converted_formats: [],
  };
  project.exports.set(snapshot.id, snapshot);
  return json(201, {
    ...serializeExport(state, snapshot),
    task_filter_options: null,
    annotation_filter_options: null,
    serialization_options: null,
  });
}

/** GET / DELETE /api/projects/{id}/exports/{eid} (no trailing slash) */
export function snapshot(ctx: Ctx): Reply {
  const { project, snapshot } = findSnapshot(ctx);
  if (ctx.method === 'DELETE') {
    project.exports.delete(snapshot.id);
    return noContent();
  }
  return json(200, serializeExport(ctx.state, snapshot));
}

/** POST /api/projects/{id}/exports/{eid}/convert {export_type}: once per format. */
export function convertSnapshot(ctx: Ctx): Reply {
  const { state } = ctx;
  const { snapshot } = findSnapshot(ctx);
  const body = readObject(ctx);
  const type = body.export_type;
  if (type === undefined) fail(validationError({ export_type: ['This field is required.'] }));
  if (typeof type !== 'string' || !FORMAT_NAMES.has(type))
    fail(validationError({ export_type: [`${String(type)} is not supported export format`] }));
  if (snapshot.converted_formats.some((f) => f.export_type === type))
    fail(validationError({ non_field_errors: [`Conversion to ${type} already started`] }));
  const converted = { id: state.nextId.convertedFormat++, export_type: type, status: 'completed' };
  snapshot.converted_formats.push(converted);
  return json(200, { export_type: type, converted_format: converted.id });
}

/** GET /api/projects/{id}/exports/{eid}/download[?exportType=] (unconverted formats convert on the fly) */
export function downloadSnapshot(ctx: Ctx): Reply {
  const { project, snapshot } = findSnapshot(ctx);
  const requested = ctx.query.get('exportType');
  const format = requested ?? 'JSON';
  const file = renderExport(snapshot.tasks as Array<Record<string, unknown>>, format, 'python');
  if (!file) fail(envelope(500, `the fake Label Studio does not convert to ${format}`));
  const base = `project-${project.id}-at-${stamp(new Date(snapshot.created_at))}-${snapshot.md5.slice(0, 8)}.${file.ext}`;
  // Without exportType the stored file is sent, and its name carries its storage path.
  const name = requested === null ? `export/${project.id}/${base}` : base;
  return attachment(file.body, file.ext === 'json' ? 'application/json' : `application/${file.ext}`, name);
}

function findSnapshot(ctx: Ctx): { project: FakeProject; snapshot: FakeExport } {
  const project = ctx.state.projects.get(Number(ctx.params.id));
  const snapshot = project?.exports.get(Number(ctx.params.eid));
  if (!project || !snapshot) fail(html404());
  return { project, snapshot };
}

function serializeExport(state: FakeState, e: FakeExport): Record<string, unknown> {
  return {
    title: e.title,
    id: e.id,
    created_by: { id: state.user.id, first_name: '', last_name: '', email: state.user.email, avatar: null },
    created_at: e.created_at,
    finished_at: e.finished_at,
    status: 'completed',
    md5: e.md5,
    counters: { task_number: e.task_number },
    converted_formats: e.converted_formats.map((f) => ({
      id: f.id,
      status: f.status,
      export_type: f.export_type,
      traceback: null,
    })),
  };
}

function attachment(body: string, contentType: string, filename: string): Reply {
  return {
    status: 200,
    headers: { 'Content-Type': contentType, 'Content-Disposition': `attachment; filename="${filename}"`, filename },
    body,
  };
}

/** `%Y-%m-%d-%H-%M` */
function stamp(d: Date): string {
  return d.toISOString().slice(0, 16).replace(/[T:]/g, '-');
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Django's slugify. */
function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[-\s]+/g, '-');
}
