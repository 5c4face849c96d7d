/**
 * What in a tab makes Label Studio answer 500 for everyone who opens it. The server stores a
 * tab's filters, ordering and hidden columns as given (`POST /api/dm/views/` checks only the
 * `filter:tasks:` prefix) and reads them on every task list of the tab (`GET /api/tasks/?view=`),
 * where `data_manager/managers.py` turns them into a Django query: an unknown column is a
 * FieldError ("Cannot resolve keyword …"), a value `cast_value` cannot convert is a ValueError,
 * and a value the column's field cannot take is a ValidationError, each a 500. Every rule below
 * was measured on 1.23.2 (test/e2e/view-filters.test.ts pins the 500s).
 */

import { arrayAt } from '../../util/narrow.ts';

/** How the server treats a task column in filters and ordering. */
type ColumnKind =
  | 'integer'
  | 'float'
  | 'datetime'
  | 'boolean'
  | 'text'
  | 'users'
  | 'results'
  | 'annotation-ids'
  | 'model-versions'
  | 'json';

/**
 * The task columns of the Data Manager (`data_manager/functions.py` get_all_columns, 1.23.2), then
 * the Task model's own fields, which the server resolves too (the tab then sorts or filters on
 * them, measured). `data.<key>` columns are the task's data, free-form. Not `state`: 1.23.2 lists
 * it in its API docs but answers 500 for it (its FSM is off in the community edition).
 */
export const TASK_COLUMNS: Readonly<Record<string, ColumnKind>> = {
  id: 'integer',
  inner_id: 'integer',
  completed_at: 'datetime',
  total_annotations: 'integer',
  cancelled_annotations: 'integer',
  total_predictions: 'integer',
  annotators: 'users',
  annotations_results: 'results',
  annotations_ids: 'annotation-ids',
  predictions_score: 'float',
  predictions_model_versions: 'model-versions',
  predictions_results: 'results',
  file_upload: 'text',
  storage_filename: 'text',
  created_at: 'datetime',
  updated_at: 'datetime',
  updated_by: 'users',
  avg_lead_time: 'float',
  draft_exists: 'boolean',
  data: 'json',
  // Task model fields.
  is_labeled: 'boolean',
  overlap: 'integer',
  allow_skip: 'boolean',
  meta: 'json',
  comment_count: 'integer',
  unresolved_comment_count: 'integer',
  last_comment_updated_at: 'datetime',
  precomputed_agreement: 'float',
};

/** A problem in a view's spec: where (a JSON pointer under /spec), what, and what the server answers for the tab. */
export interface ViewProblem {
  readonly pointer: string;
  readonly message: string;
  /**
   * What listing the tab's tasks answers: 500 for everyone; 400 on a server with PostgreSQL; 200
   * where labelform is stricter than the server (a sort column it ignores or that sorts by a
   * relation). The message gives the reason in its own words.
   */
  readonly answer: 500 | 400 | 200;
}

/**
 * Task fields that are on the Task model only from a release on (read in each pinned release's
 * tasks/models.py): a server before it answers 500 for a tab that filters or sorts by them, so
 * labelform refuses them everywhere (the Data Manager offers neither as a column).
 */
const RECENT_TASK_FIELDS: Readonly<Record<string, string>> = { allow_skip: '1.23', precomputed_agreement: '1.23' };

function recentField(column: string, verb: string): string | undefined {
  const since = Object.hasOwn(RECENT_TASK_FIELDS, column) ? RECENT_TASK_FIELDS[column] : undefined;
  return (
    since &&
    `"tasks:${column}" is a task field only from Label Studio ${since} and no Data Manager column: a server before ${since} answers 500 for everyone for a tab that ${verb} it, so labelform refuses it`
  );
}

/** What the Task model resolves besides its columns (relations, foreign keys): the server sorts by them. */
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

const COLUMN_LIST = `${Object.keys(TASK_COLUMNS).join(', ')}, or data.<key> for the task's data`;

/** Every problem of a tab's filters, ordering and hidden columns; none for a tab the server can list. */
export function checkViewSpec(
  spec: { readonly filters?: unknown; readonly ordering?: unknown; readonly hiddenColumns?: unknown },
  opts: { readonly sensitive?: ReadonlySet<string> } = {},
): ViewProblem[] {
  const out: ViewProblem[] = [];
  // Filters holding a value from ${env:...} are described by their shape only, never printed.
  const show = opts.sensitive?.has('filters') ? (x: unknown) => shape(x) : describe;
  arrayAt(spec.filters, 'items').forEach((raw, i) => {
    if (!isObject(raw)) return;
    const at = `/spec/filters/items/${i}`;
    const filter = typeof raw.filter === 'string' ? raw.filter : undefined;
    if (filter === undefined || !filter.startsWith('filter:tasks:')) return; // the schema says so
    const column = filter.slice('filter:tasks:'.length);
    const kind = columnKind(column);
    if (kind === undefined) {
      out.push({ pointer: `${at}/filter`, message: unknownColumn(column, 'filters on'), answer: 500 });
      return;
    }
    const recent = recentField(column, 'filters on');
    if (recent) {
      out.push({ pointer: `${at}/filter`, message: recent, answer: 200 });
      return;
    }
    const problem = checkFilterValue(
      { operator: String(raw.operator ?? ''), type: String(raw.type ?? ''), value: raw.value },
      column,
      kind,
      show,
    );
    if (problem)
      out.push({ pointer: `${at}/${problem.field}`, message: problem.message, answer: problem.answer ?? 500 });
  });
  if (Array.isArray(spec.ordering)) {
    spec.ordering.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const problem = orderingProblem(entry, i);
      if (problem) out.push({ pointer: `/spec/ordering/${i}`, ...problem });
    });
  }
  const hidden = spec.hiddenColumns;
  if (isObject(hidden) && Object.keys(hidden).length > 0) {
    const missing = (['explore', 'labeling'] as const).filter((k) => hidden[k] === undefined);
    if (missing.length === 1) {
      out.push({
        pointer: '/spec/hiddenColumns',
        message: `hiddenColumns needs both explore and labeling: the server reads both lists whenever it lists the tab's tasks, so without ${missing[0]} the tab answers 500 for everyone (write ${missing[0]}: [] to hide nothing there)`,
        answer: 500,
      });
    }
  }
  return out;
}

/**
 * Why the server cannot sort a tab by `entry` (the `i`-th sort column), read as
 * `preprocess_field_name` (data_manager/functions.py, 1.23.2) reads it: one "-" for descending,
 * before the `tasks:` prefix or after it (`-tasks:id`, `tasks:-id`), not both. The server sorts by
 * the first entry only; a later one that could not be the first is refused all the same.
 */
function orderingProblem(entry: string, i: number): { message: string; answer: 500 | 200 } | undefined {
  const unsigned = entry.startsWith('-') ? entry.slice(1) : entry;
  if (!unsigned.startsWith('tasks:')) return undefined; // the schema says so
  let column = unsigned.slice('tasks:'.length);
  if (column.startsWith('-') && unsigned === entry) column = column.slice(1);
  const ignored =
    i > 0
      ? ` The server sorts by the first entry only and ignores this one, but labelform refuses it as it would refuse it first.`
      : '';
  if (column.startsWith('-')) {
    return {
      message: `"${entry}" sorts descending twice: the server takes one "-" (before or after "tasks:"), so it looks for a column "${column}"${i > 0 ? '' : ` and the tab answers 500 for everyone ("Cannot resolve keyword '${column}'")`}; write "-tasks:${column.replace(/^-+/, '')}".${ignored}`,
      answer: i > 0 ? 200 : 500,
    };
  }
  const recent = recentField(column, 'sorts by');
  if (recent) return { message: recent, answer: 200 };
  if (columnKind(column) !== undefined) return undefined;
  if (TASK_RELATIONS.includes(column)) {
    return {
      message: `"tasks:${column}" is a relation of the Task model, not a task column: the server sorts by it, in no order the tab shows, and labelform refuses it. Task columns: ${COLUMN_LIST}`,
      answer: 200,
    };
  }
  if (i > 0)
    return { message: `"tasks:${column}" is not a task column. Task columns: ${COLUMN_LIST}.${ignored}`, answer: 200 };
  return { message: unknownColumn(column, 'sorts by'), answer: 500 };
}

/** The column's kind, or undefined for a column the server cannot resolve. */
export function columnKind(column: string): ColumnKind | undefined {
  if (column.startsWith('data.')) return 'json';
  return Object.hasOwn(TASK_COLUMNS, column) ? TASK_COLUMNS[column] : undefined;
}

function unknownColumn(column: string, verb: string): string {
  return `"tasks:${column}" is not a task column: a tab that ${verb} it answers 500 for everyone ("Cannot resolve keyword '${column}'"). Task columns: ${COLUMN_LIST}`;
}

interface FilterItem {
  readonly operator: string;
  readonly type: string;
  readonly value: unknown;
}

/** The first reason the server cannot apply this filter, following `apply_filters` in data_manager/managers.py. */
function checkFilterValue(
  f: FilterItem,
  column: string,
  kind: ColumnKind,
  describe: (x: unknown) => string,
): { field: 'value' | 'type' | 'operator'; message: string; answer?: 400 } | undefined {
  const bad = (message: string) => ({
    field: 'value' as const,
    message: `${message}; the tab would answer 500 for everyone`,
  });
  const v = f.value;
  const op = f.operator;
  // The server first reads the item into a pydantic model: the value is a number, a boolean, a
  // string, a list or {min, max} of numbers or strings; anything else fails for every operator.
  if (v === null || v === undefined) return bad('a filter needs a value (null is not one)');
  const range = isObject(v);
  if (range && !(isScalar(v.min) && isScalar(v.max)))
    return bad('a range value is {min, max}, each a number or a string');
  if ((op === 'in' || op === 'not_in') && !range)
    return bad(`operator ${op} needs a range value {min, max}, got ${describe(v)}`);
  if (range && op !== 'in' && op !== 'not_in')
    return bad(`a range value {min, max} goes with operator in or not_in, not ${op || 'an empty operator'}`);
  if ((op === 'in_list' || op === 'not_in_list') && !Array.isArray(v))
    return bad(`operator ${op} needs a list value, got ${describe(v)}`);
  if (op === 'empty') return isBoolish(v) ? undefined : bad(`operator empty takes true or false, got ${describe(v)}`);

  // Columns the server handles apart.
  if (kind === 'users' && (op === 'contains' || op === 'not_contains')) {
    return isIntegerLike(v) ? undefined : bad(`${column} ${op} takes a user id (an integer), got ${describe(v)}`);
  }
  if (kind === 'annotation-ids' && (op.includes('contains') || op.includes('equal')) && typeof v !== 'string') {
    return bad(`${column} with operator ${op} takes a string of annotation ids ("1,2,3"), got ${describe(v)}`);
  }
  if (kind === 'annotation-ids' && op.includes('contains')) return undefined;
  if (kind === 'model-versions' && (op === 'contains' || op === 'not_contains')) {
    return typeof v === 'string' || Array.isArray(v)
      ? undefined
      : bad(`${column} ${op} takes a model version or a list of them, got ${describe(v)}`);
  }
  if (kind === 'results' && ['equal', 'not_equal', 'contains', 'not_contains'].includes(op)) return undefined;
  // On PostgreSQL these two are arrays, and the server refuses an *equal* operator on an array for
  // every task list of the tab (400 "Not supported filter type"); on SQLite it compares a joined string.
  if ((column === 'annotators' || kind === 'model-versions') && op.includes('equal')) {
    return {
      field: 'operator',
      message: `${column} holds a list: operator ${op} makes the tab answer 400 for everyone on a server with PostgreSQL ("Not supported filter type"); use contains or not_contains`,
      answer: 400,
    };
  }

  const values = range ? [v.min, v.max] : Array.isArray(v) && (op === 'in_list' || op === 'not_in_list') ? v : [v];
  const typeMismatch = (message: string) => ({
    field: 'type' as const,
    message: `${message}; the tab would answer 500 for everyone`,
  });
  // `cast_value`: the filter's type decides how the value is converted first.
  switch (f.type) {
    case 'Number':
      if (op === 'in_list' || op === 'not_in_list') break;
      if (kind === 'datetime') return typeMismatch(`type Number on the date column ${column}: use type Datetime`);
      for (const x of values) if (!isNumberLike(x)) return bad(`type Number needs a number, got ${describe(x)}`);
      return undefined;
    case 'Datetime':
      if (op === 'in_list' || op === 'not_in_list') break;
      if (kind !== 'datetime')
        return typeMismatch(`type Datetime on ${column}, which is not a date column (${dateColumns()})`);
      for (const x of values)
        if (!isDmDatetime(x))
          return bad(
            `type Datetime needs a time written as 2024-01-31T00:00:00.000Z (milliseconds and Z included), got ${describe(x)}`,
          );
      return undefined;
    case 'Boolean':
      if (op === 'in_list' || op === 'not_in_list') break;
      if (kind === 'datetime') return typeMismatch(`type Boolean on the date column ${column}`);
      for (const x of values)
        if (!isBoolish(x) || (typeof x === 'number' && x !== 0 && x !== 1))
          return bad(`type Boolean needs true or false, got ${describe(x)}`);
      return undefined;
    default:
      break;
  }
  // Any other type (String, Unknown, List, Image, ...) is not converted: the column's field must take the value.
  if (op === 'contains' || op === 'not_contains' || op === 'regex') return undefined;
  for (const x of values) {
    if ((kind === 'integer' && !isIntegerLike(x)) || (kind === 'float' && !isNumberLike(x)))
      return bad(`${column} holds numbers, got ${describe(x)}`);
    if (kind === 'datetime' && !isDjangoDate(x))
      return bad(`${column} holds dates, got ${describe(x)} (write 2024-01-31 or 2024-01-31T10:00:00Z)`);
    if (kind === 'boolean' && !isDjangoBoolean(x)) return bad(`${column} holds true or false, got ${describe(x)}`);
  }
  return undefined;
}

function dateColumns(): string {
  return Object.entries(TASK_COLUMNS)
    .filter(([, k]) => k === 'datetime')
    .map(([c]) => c)
    .join(', ');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** pydantic's StrictInt | StrictFloat | StrictStr. */
function isScalar(x: unknown): boolean {
  return typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}

/** What Python's float() takes: a number, a boolean, or a decimal string (spaces and _ allowed). */
function isNumberLike(x: unknown): boolean {
  if (typeof x === 'number' || typeof x === 'boolean') return true;
  return (
    typeof x === 'string' &&
    /^\s*[+-]?((\d(_?\d)*(\.(\d(_?\d)*)?)?)|(\.\d(_?\d)*))([eE][+-]?\d(_?\d)*)?\s*$|^\s*[+-]?(inf|infinity|nan)\s*$/i.test(
      x,
    )
  );
}

/** What Python's int() takes (the server's int(value), Django's IntegerField). */
function isIntegerLike(x: unknown): boolean {
  if (typeof x === 'boolean') return true;
  if (typeof x === 'number') return Number.isFinite(x);
  return typeof x === 'string' && /^\s*[+-]?\d(_?\d)*\s*$/.test(x);
}

/** `cast_bool_from_str`: a string must be one of its words; other values pass. */
function isBoolish(x: unknown): boolean {
  if (typeof x === 'string')
    return ['true', 'yes', 'on', '1', 'false', 'no', 'not', 'off', '0'].includes(x.toLowerCase());
  return typeof x === 'boolean' || typeof x === 'number';
}

/** Django's BooleanField. */
function isDjangoBoolean(x: unknown): boolean {
  return (
    typeof x === 'boolean' ||
    x === 0 ||
    x === 1 ||
    (typeof x === 'string' && ['t', 'f', 'True', 'False', 'true', 'false', '1', '0'].includes(x))
  );
}

/** `datetime.strptime(value, '%Y-%m-%dT%H:%M:%S.%fZ')`. */
function isDmDatetime(x: unknown): boolean {
  if (typeof x !== 'string') return false;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.\d{1,6}Z$/.exec(x);
  // All six groups are not optional: a match has them.
  return m !== null && validDate(+m[1]!, +m[2]!, +m[3]!) && +m[4]! < 24 && +m[5]! < 60 && +m[6]! <= 61;
}

/** Django's DateTimeField.to_python on a string: an ISO date, or date and time. */
function isDjangoDate(x: unknown): boolean {
  if (typeof x !== 'string') return false;
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d{1,12})?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(
      x.trim(),
    );
  // Groups 1-3 are not optional, and 5 comes with 4.
  return (
    m !== null &&
    validDate(+m[1]!, +m[2]!, +m[3]!) &&
    (m[4] === undefined || (+m[4] < 24 && +m[5]! < 60 && (m[6] === undefined || +m[6] < 60)))
  );
}

function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function describe(x: unknown): string {
  if (Array.isArray(x) || isObject(x)) return shape(x);
  return JSON.stringify(x) ?? String(x);
}

function shape(x: unknown): string {
  if (Array.isArray(x)) return 'a list';
  if (isObject(x)) return 'an object';
  if (x === null) return 'null';
  return `a ${typeof x} (from \${env:...}, not shown)`;
}
