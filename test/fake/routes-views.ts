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
  const list = [...ctx.state.views.values()]
    .filter((v) => project === null || v.project === Number(project))
    .sort((a, b) => a.order - b.order || a.id - b.id);
  return json(200, list.map(serialize));
}

export function createView(ctx: Ctx): Reply {
  const body = object(ctx);
  const project = body.project;
  if (project === undefined || !ctx.state.projects.has(Number(project)))
    return validationError({
      project: [
        project === undefined ? 'This field is required.' : `Invalid pk "${String(project)}" - object does not exist.`,
      ],
    });
  const { data, filters, ordering } = split((body.data as Record<string, unknown> | undefined) ?? {});
  const same = [...ctx.state.views.values()].filter((v) => v.project === Number(project));
  const v: FakeView = {
    id: ctx.state.nextId.view++,
    project: Number(project),
    data,
    filters: filters ?? null,
    ordering: ordering ?? null,
    order: same.length ? Math.max(...same.map((x) => x.order)) + 1 : 0,
  };
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

function split(raw: Record<string, unknown>): {
  data: Record<string, unknown>;
  filters?: FakeView['filters'];
  ordering?: unknown[];
} {
  const { filters, ordering, ...data } = raw;
  const out: { data: Record<string, unknown>; filters?: FakeView['filters']; ordering?: unknown[] } = { data };
  if (filters !== undefined && filters !== null) {
    const f = filters as { conjunction?: string; items?: Array<Record<string, unknown>> };
    const items = (f.items ?? []).map((i) => ({
      filter: i.filter,
      operator: i.operator,
      type: i.type,
      value: i.value,
    }));
    const bad = items.find((i) => !String(i.filter).startsWith('filter:tasks:'));
    if (bad)
      fail(
        validationError({
          filter_group: { filters: [{ column: [`Filter "${String(bad.filter)}" should start with "filter:tasks:"`] }] },
        }),
      );
    out.filters = { conjunction: f.conjunction ?? 'and', items };
  }
  if (Array.isArray(ordering)) out.ordering = ordering;
  return out;
}

function serialize(v: FakeView): Record<string, unknown> {
  return {
    id: v.id,
    data: { ...v.data, ...(v.filters ? { filters: v.filters } : {}), ...(v.ordering ? { ordering: v.ordering } : {}) },
    order: v.order,
    user: 1,
    project: v.project,
  };
}

function object(ctx: Ctx): Record<string, unknown> {
  const body = readData(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    fail(validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }));
  return body as Record<string, unknown>;
}

/**
 * What `GET /api/tasks/?view=ID` does with a stored tab in 1.23.2 (data_manager/managers.py,
 * measured): the filters are read into pydantic models, then each is turned into a Django lookup
 * (`cast_value` by the filter's type, then the column's field); the first ordering entry is
 * resolved as a field; hidden columns are read as two lists. Whatever fails there is a 500 for
 * everyone who opens the tab. Returns that 500, or undefined for a tab the server can list.
 */
export function viewTaskListFailure(ctx: Ctx, viewId: string): Reply | undefined {
  const v = ctx.state.views.get(Number(viewId));
  if (!v) return undefined;
  const e500 = (detail: string) => envelope(500, detail);
  const items = v.filters?.items ?? [];
  if (v.filters && !['and', 'or'].includes(v.filters.conjunction))
    return e500("1 validation error for PrepareParams\nfilters.conjunction\n  Input should be 'or' or 'and'");
  for (const i of items) {
    const x = i.value;
    const scalar = (y: unknown) => typeof y === 'string' || typeof y === 'number';
    const range = typeof x === 'object' && x !== null && !Array.isArray(x);
    if (
      x === null ||
      x === undefined ||
      (range && !(scalar((x as Record<string, unknown>).min) && scalar((x as Record<string, unknown>).max)))
    ) {
      return e500(
        '6 validation errors for PrepareParams\nfilters.items.0.value.int\n  Input should be a valid integer',
      );
    }
  }
  const hidden = v.data.hiddenColumns as Record<string, unknown> | undefined;
  if (hidden && typeof hidden === 'object' && Object.keys(hidden).length > 0) {
    for (const k of ['explore', 'labeling']) if (!(k in hidden)) return e500(`'${k}'`);
  }
  for (const i of items) {
    const failure = filterFailure(
      String(i.filter).replace(/^filter:tasks:/, ''),
      String(i.operator),
      String(i.type),
      i.value,
    );
    if (failure) return e500(failure);
  }
  const first = v.ordering?.[0];
  if (typeof first === 'string') {
    // As the server reads it (data_manager/functions.py preprocess_field_name): one `-` before the
    // prefix, or else one after it.
    const descending = first.startsWith('-');
    const bare = first
      .replace(/^-/, '')
      .replace(/^filter:/, '')
      .replace(/^tasks:/, '');
    const column = descending ? bare : bare.replace(/^-/, '');
    if (!column.startsWith('data.') && !(column in FAKE_COLUMNS) && !TASK_RELATIONS.includes(column))
      return e500(
        `Cannot resolve keyword '${column}' into field. Choices are: ${Object.keys(FAKE_COLUMNS).sort().join(', ')}`,
      );
  }
  return undefined;
}

/** The task columns 1.23.2 resolves, with the kind of value its field takes. */
const FAKE_COLUMNS: Record<
  string,
  'int' | 'float' | 'date' | 'bool' | 'str' | 'users' | 'ids' | 'versions' | 'results'
> = {
  id: 'int',
  inner_id: 'int',
  total_annotations: 'int',
  cancelled_annotations: 'int',
  total_predictions: 'int',
  overlap: 'int',
  comment_count: 'int',
  unresolved_comment_count: 'int',
  predictions_score: 'float',
  avg_lead_time: 'float',
  precomputed_agreement: 'float',
  completed_at: 'date',
  created_at: 'date',
  updated_at: 'date',
  last_comment_updated_at: 'date',
  draft_exists: 'bool',
  is_labeled: 'bool',
  allow_skip: 'bool',
  file_upload: 'str',
  storage_filename: 'str',
  data: 'str',
  meta: 'str',
  annotators: 'users',
  updated_by: 'users',
  annotations_ids: 'ids',
  predictions_model_versions: 'versions',
  annotations_results: 'results',
  predictions_results: 'results',
};

/** What else the Task model resolves (its relations and foreign keys): a tab sorts by them. */
const TASK_RELATIONS = [
  'annotations',
  'predictions',
  'drafts',
  'locks',
  'project',
  'project_id',
  'file_upload_id',
  'updated_by_id',
  'comment_authors',
  'failed_predictions',
  'fsm_states',
];

/** One filter as `apply_filters` builds it: the Python exception's message, or undefined. */
function filterFailure(column: string, op: string, type: string, value: unknown): string | undefined {
  const field = column.startsWith('data.') ? 'json' : FAKE_COLUMNS[column];
  if (field === undefined)
    return `Cannot resolve keyword '${column}' into field. Choices are: ${Object.keys(FAKE_COLUMNS).sort().join(', ')}`;
  const py = (x: unknown) => (typeof x === 'string' ? `'${x}'` : JSON.stringify(x));
  const bool = (x: unknown): string | undefined =>
    typeof x === 'string' && !['true', 'yes', 'on', '1', 'false', 'no', 'not', 'off', '0'].includes(x.toLowerCase())
      ? `Incorrect bool value "${x}". It should be one of [1, 0, true, false, yes, no]`
      : undefined;
  const float = (x: unknown): string | undefined => {
    if (typeof x === 'number' || typeof x === 'boolean') return undefined;
    if (typeof x !== 'string')
      return `float() argument must be a string or a real number, not '${Array.isArray(x) ? 'list' : typeof x}'`;
    return x.trim() !== '' && !Number.isNaN(Number(x.replace(/_/g, ''))) && !/^\s*[+-]?0[xob]/i.test(x)
      ? undefined
      : `could not convert string to float: ${py(x)}`;
  };
  const strptime = (x: unknown): string | undefined => {
    if (typeof x !== 'string')
      return `strptime() argument 1 must be str, not ${typeof x === 'number' ? (Number.isInteger(x) ? 'int' : 'float') : typeof x}`;
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.\d{1,6}Z$/.exec(x);
    const valid =
      m !== null &&
      +m[2]! >= 1 &&
      +m[2]! <= 12 &&
      +m[3]! >= 1 &&
      +m[3]! <= new Date(Date.UTC(+m[1]!, +m[2]!, 0)).getUTCDate() &&
      +m[4]! < 24 &&
      +m[5]! < 60 &&
      +m[6]! <= 61;
    return valid ? undefined : `time data ${py(x)} does not match format '%Y-%m-%dT%H:%M:%S.%fZ'`;
  };
  if (field === 'users' && (op === 'contains' || op === 'not_contains')) {
    return typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value))
      ? undefined
      : `invalid literal for int() with base 10: ${py(value)}`;
  }
  if (field === 'users' && op === 'empty') return bool(value);
  if (field === 'results' && ['equal', 'not_equal', 'contains', 'not_contains'].includes(op)) return undefined;
  if (field === 'results' && op === 'empty') return bool(value);
  if (field === 'ids' && (op.includes('contains') || op.includes('equal')) && typeof value !== 'string')
    return `'${typeof value === 'number' ? 'int' : typeof value}' object has no attribute ${op.includes('contains') ? "'split'" : "'isdigit'"}`;
  if (field === 'ids' && op.includes('contains')) return undefined;
  if (field === 'versions' && (op === 'contains' || op === 'not_contains'))
    return typeof value === 'string' || Array.isArray(value)
      ? undefined
      : `'${typeof value === 'number' ? 'int' : typeof value}' object is not iterable`;
  if (field === 'versions' && op === 'empty') return bool(value);
  if (op === 'empty') return bool(value);
  if (op === 'regex') return undefined;
  const range =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { min: unknown; max: unknown })
      : undefined;
  if (op === 'in_list' || op === 'not_in_list') {
    if (!Array.isArray(value)) return `'${typeof value === 'number' ? 'int' : typeof value}' object is not iterable`;
    return undefined;
  }
  if ((op === 'in' || op === 'not_in') && !range)
    return `'${type === 'Number' ? 'float' : typeof value === 'number' ? 'int' : 'str'}' object has no attribute 'min'`;
  // cast_value
  let values: unknown[] = range ? [range.min, range.max] : [value];
  if (type === 'Number') {
    for (const x of values) {
      const bad = float(x);
      if (bad) return bad;
    }
    values = values.map((x) => Number(x));
  } else if (type === 'Datetime') {
    for (const x of values) {
      const bad = strptime(x);
      if (bad) return bad;
    }
    values = values.map((x) => new Date(String(x)));
  } else if (type === 'Boolean') {
    for (const x of values) {
      const bad = bool(x);
      if (bad) return bad;
    }
    values = values.map((x) => (typeof x === 'string' ? ['true', 'yes', 'on', '1'].includes(x.toLowerCase()) : x));
  }
  if (range && !(op === 'in' || op === 'not_in')) return 'Object of type FilterIn is not JSON serializable';
  // The column's field takes the converted value.
  if (op === 'contains' || op === 'not_contains')
    return field === 'json' && values.some((x) => x instanceof Date)
      ? 'Object of type datetime is not JSON serializable'
      : undefined;
  for (const x of values) {
    if (field === 'json') {
      if (x instanceof Date) return 'Object of type datetime is not JSON serializable';
    } else if (field === 'int' || field === 'float') {
      const ok =
        typeof x === 'boolean' ||
        (typeof x === 'number' && Number.isFinite(x)) ||
        (typeof x === 'string' && (field === 'int' ? /^\s*[+-]?\d+\s*$/.test(x) : float(x) === undefined));
      if (!ok)
        return `Field '${column}' expected a number but got ${x instanceof Date ? 'datetime.datetime(…)' : py(x)}.`;
    } else if (field === 'date') {
      if (typeof x !== 'string' && !(x instanceof Date)) return 'fromisoformat: argument must be str';
      if (
        typeof x === 'string' &&
        !/^\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{1,2}(:\d{1,2}([.,]\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?)?$/.test(x.trim())
      )
        return `['“${x}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.']`;
    } else if (field === 'bool') {
      if (!(
        typeof x === 'boolean' ||
        x === 0 ||
        x === 1 ||
        (typeof x === 'string' && ['t', 'f', 'True', 'False', 'true', 'false', '1', '0'].includes(x))
      ))
        return `['“${String(x)}” value must be either True or False.']`;
    }
  }
  return undefined;
}
