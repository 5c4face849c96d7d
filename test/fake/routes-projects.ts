/** Project routes: list, detail, create, update, delete, the two config validators, summary. */
import { envelope, fail, json, noContent, pageUrl, paginate, readData, type Ctx, type Reply } from './http.ts';
import { checkLabelConfig, checkWithLxml, essentialDataChanged } from './label-config.ts';
import { parseChar } from './fields.ts';
import { validateProjectConfig } from './project-body.ts';
import { pyRepr, pyStrip } from './python.ts';
import { createProject, deleteProject, findProject, serializeProject, updateProject } from './project-model.ts';
import type { FakeProject } from './state.ts';
import { emitWebhooks } from './routes-webhooks.ts';

/**
 * GET /api/projects/, as 1.23.2 on SQLite answers it (reference §12.1): pinned first, then newest
 * first (`-created_at`); 30 a page, at most 100; `include=` trims. It filters on `ids=1,2,3` and
 * `title=` (stripped, then a substring match that ignores case for ASCII letters only, like
 * SQLite's LIKE), and `filter=pinned_only|exclude_pinned`. `search=` is accepted and ignored.
 */
export function listProjects(ctx: Ctx): Reply {
  const { state, query } = ctx;
  let projects = [...state.projects.values()];
  const ids = query.get('ids');
  if (ids) {
    const wanted = new Set(ids.split(',').map(checkId));
    projects = projects.filter((p) => wanted.has(p.id));
  }
  const title = pyStrip(query.get('title') ?? '');
  if (title) projects = projects.filter((p) => asciiLower(String(p.fields.title ?? '')).includes(asciiLower(title)));
  const filter = query.get('filter');
  if (filter === 'pinned_only') projects = projects.filter((p) => p.fields.pinned_at);
  if (filter === 'exclude_pinned') projects = projects.filter((p) => !p.fields.pinned_at);
  projects.sort(ordering(query.get('ordering')));
  const { page, pages, items } = paginate(ctx, projects, 30, 100);
  const include = includeParam(ctx);
  return json(200, {
    count: projects.length,
    next: page < pages ? pageUrl(ctx, page + 1) : null,
    previous: page > 1 ? pageUrl(ctx, page === 2 ? undefined : page - 1) : null,
    results: items.map((p) => serializeProject(state, p, { counters: true, include })),
  });
}

export function getProject(ctx: Ctx): Reply {
  const project = findProject(ctx.state, ctx.params.id);
  return json(200, serializeProject(ctx.state, project, { counters: true, include: includeParam(ctx) }));
}

export function postProject(ctx: Ctx): Reply {
  return createProject(ctx);
}

/** PATCH and PUT; a 200 fires PROJECT_UPDATED to the project's and the organization's webhooks, before the answer, as the server does. */
export async function patchProject(ctx: Ctx): Promise<Reply> {
  const project = findProject(ctx.state, ctx.params.id);
  const reply = updateProject(ctx, project);
  if (reply.status === 200)
    await emitWebhooks(ctx.state, project.id, 'PROJECT_UPDATED', () => ({
      project: serializeProject(ctx.state, project, { counters: false, include: undefined }),
    }));
  return reply;
}

export function removeProject(ctx: Ctx): Reply {
  deleteProject(ctx.state, findProject(ctx.state, ctx.params.id));
  return noContent();
}

/**
 * POST /api/projects/validate/ (no auth needed): 204, or DRF's plain `{"label_config": [...]}`
 * without Label Studio's envelope; an encoding declaration is a 500 with the envelope.
 */
export function validateConfig(ctx: Ctx): Reply {
  const body = readData(ctx) as Record<string, unknown>;
  const raw = body && typeof body === 'object' && !Array.isArray(body) ? body.label_config : undefined;
  if (raw === undefined) return json(400, { label_config: ['This field is required.'] });
  const parsed = parseChar(raw, {});
  if (!parsed.ok) return json(400, { label_config: parsed.errors });
  const problem = checkLabelConfig(parsed.value);
  if (problem?.status === 500) return envelope(500, problem.message);
  if (problem) return json(400, { label_config: [problem.message] });
  return noContent();
}

/**
 * POST /api/projects/{id}/validate/: the strict check (refuses removed labels still counted in
 * the summary). 200 `{config_essential_data_has_changed: true | null}`.
 */
export function validateProjectConfigRoute(ctx: Ctx): Reply {
  const project = findProject(ctx.state, ctx.params.id);
  if (ctx.method === 'GET') return json(200, { label_config: project.fields.label_config });
  const body = readData(ctx) as Record<string, unknown>;
  const config = body && typeof body === 'object' && !Array.isArray(body) ? body.label_config : undefined;
  if (!config) fail(envelope(400, 'Validation error', { non_field_errors: ['Label config is not set or is empty'] }));
  if (typeof config !== 'string') fail(envelope(500, 'can only parse strings'));
  // The lxml pre-check runs on the raw string and the stored config, before any validation.
  const lxml = checkWithLxml(config);
  if (lxml) fail(envelope(lxml.status, lxml.message));
  const changed = essentialDataChanged(config, String(project.fields.label_config ?? ''));
  const message = validateProjectConfig(ctx.state, project, config, true);
  if (message) fail(envelope(400, 'Validation error', { non_field_errors: [message] }));
  return json(200, { config_essential_data_has_changed: changed });
}

export function projectSummary(ctx: Ctx): Reply {
  const project = findProject(ctx.state, ctx.params.id, 'ProjectSummary');
  const s = project.summary;
  return json(200, {
    project: project.id,
    created_at: s.created_at,
    all_data_columns: s.all_data_columns,
    common_data_columns: s.common_data_columns,
    created_annotations: s.created_annotations,
    created_labels: s.created_labels,
    created_labels_drafts: s.created_labels_drafts,
  });
}

/** `?include=a,b` (present but empty trims everything); `fields=` is ignored, as on the server. */
function includeParam(ctx: Ctx): string[] | undefined {
  const raw = ctx.query.get('include');
  return raw === null
    ? undefined
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

function ordering(raw: string | null): (a: FakeProject, b: FakeProject) => number {
  const field = raw?.replace(/^-/, '');
  if (field && ['id', 'created_at', 'title'].includes(field)) {
    const dir = raw!.startsWith('-') ? -1 : 1;
    const key = (p: FakeProject) =>
      field === 'id' ? p.id : field === 'created_at' ? p.created_at : String(p.fields.title ?? '');
    return (a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0);
  }
  return (a, b) => {
    const pa = a.fields.pinned_at as string | null;
    const pb = b.fields.pinned_at as string | null;
    if (pa && !pb) return -1;
    if (pb && !pa) return 1;
    if (pa && pb && pa !== pb) return pa < pb ? 1 : -1;
    if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
    return b.id - a.id;
  };
}

/** An `ids=` item: Django's IntegerField lookup refuses anything that is not a number with a 500. */
function checkId(raw: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) fail(envelope(500, `Field 'id' expected a number but got ${pyRepr(raw)}.`));
  return Number(raw);
}

/** SQLite's LIKE folds case for ASCII letters only (`ÉCLAIR` matches `Éclair`, `éclair` does not). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
