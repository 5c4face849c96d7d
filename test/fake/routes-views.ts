/**
 * /api/dm/views/ as Label Studio 1.23.2 answers it (measured; reference §6.5): a plain list, all
 * of the organization's tabs without `?project=` (an unknown project is a 400), `data.filters`
 * moved into rows of their own (items keep filter/operator/type/value, an `id` is dropped) and
 * `data.ordering` too, put back under `data` on read; a PATCH of `data` replaces the rest of it
 * but keeps the filters and ordering unless it sends them; `order` is max + 1.
 */
import { envelope, fail, json, noContent, readData, validationError, type Ctx, type Reply } from './http.ts';
import type { FakeView } from './state.ts';

export function listViews(ctx: Ctx): Reply {
  const project = ctx.query.get('project');
  if (project !== null && (!/^\d+$/.test(project) || !ctx.state.projects.has(Number(project)))) {
    return validationError({ project: ['Select a valid choice. That choice is not one of the available choices.'] });
  }
  const list = [...ctx.state.views.values()].filter((v) => project === null || v.project === Number(project)).sort((a, b) => a.order - b.order || a.id - b.id);
  return json(200, list.map(serialize));
}

export function createView(ctx: Ctx): Reply {
  const body = object(ctx);
  const project = body.project;
  if (project === undefined || !ctx.state.projects.has(Number(project))) return validationError({ project: [project === undefined ? 'This field is required.' : `Invalid pk "${String(project)}" - object does not exist.`] });
  const { data, filters, ordering } = split((body.data as Record<string, unknown> | undefined) ?? {});
  const same = [...ctx.state.views.values()].filter((v) => v.project === Number(project));
  const v: FakeView = { id: ctx.state.nextId.view++, project: Number(project), data, filters: filters ?? null, ordering: ordering ?? null, order: same.length ? Math.max(...same.map((x) => x.order)) + 1 : 0 };
  ctx.state.views.set(v.id, v);
  return json(201, serialize(v));
}

export function view(ctx: Ctx): Reply {
  const v = ctx.state.views.get(Number(ctx.params.id));
  if (!v) return envelope(404, 'No View matches the given query.');
  if (ctx.method === 'GET') return json(200, serialize(v));
  if (ctx.method === 'DELETE') {
    ctx.state.views.delete(v.id);
    return noContent();
  }
  const body = object(ctx);
  if (body.data !== undefined) {
    const { data, filters, ordering } = split(body.data as Record<string, unknown>);
    v.data = data;
    if (filters !== undefined) v.filters = filters;
    if (ordering !== undefined) v.ordering = ordering;
  }
  return json(200, serialize(v));
}

function split(raw: Record<string, unknown>): { data: Record<string, unknown>; filters?: FakeView['filters']; ordering?: unknown[] } {
  const { filters, ordering, ...data } = raw;
  const out: { data: Record<string, unknown>; filters?: FakeView['filters']; ordering?: unknown[] } = { data };
  if (filters !== undefined && filters !== null) {
    const f = filters as { conjunction?: string; items?: Array<Record<string, unknown>> };
    const items = (f.items ?? []).map((i) => ({ filter: i.filter, operator: i.operator, type: i.type, value: i.value }));
    const bad = items.find((i) => !String(i.filter).startsWith('filter:tasks:'));
    if (bad) fail(validationError({ filter_group: { filters: [{ column: [`Filter "${String(bad.filter)}" should start with "filter:tasks:"`] }] } }));
    out.filters = { conjunction: f.conjunction ?? 'and', items };
  }
  if (Array.isArray(ordering)) out.ordering = ordering;
  return out;
}

function serialize(v: FakeView): Record<string, unknown> {
  return { id: v.id, data: { ...v.data, ...(v.filters ? { filters: v.filters } : {}), ...(v.ordering ? { ordering: v.ordering } : {}) }, order: v.order, user: 1, project: v.project };
}

function object(ctx: Ctx): Record<string, unknown> {
  const body = readData(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail(validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }));
  return body as Record<string, unknown>;
}
