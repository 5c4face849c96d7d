import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { URL_FORMATS, urlProblem, type UrlFormat } from './url-rules.ts';

/** schemas/ sits beside src/ and dist/, so the same relative path works from both. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** A schema file's stem: `labelform`, `plan`, or a kind's (its `schema` in the registry). */
export type SchemaName = string;

export interface SchemaIssue {
  /** JSON pointer of the offending value (or, for unknown fields, of the key). */
  readonly pointer: string;
  /** True when the location is a mapping key (an unknown field). */
  readonly atKey: boolean;
  readonly message: string;
  /**
   * The value has the right type and only its content is refused (a pattern, a format, a length,
   * a range): code that reads the document by its types can still read it.
   */
  readonly wellTyped?: boolean;
}

const CONTENT_KEYWORDS = new Set([
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // The formats the schemas use; ajv-formats would load dozens more for these.
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  // URL-typed fields: one rule each for what the server accepts (see url-rules.ts).
  for (const format of URL_FORMATS)
    ajv.addFormat(format, { type: 'string', validate: (s: string) => urlProblem(format, s) === undefined });
  // A schema annotation carrying the message to show instead of a oneOf's branch errors.
  ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' });
  // Every schema of schemas/ (the kinds' refer to project.schema.json's definitions); this module
  // sits below the kinds, so it reads the folder rather than the registry.
  for (const file of readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')) as object, file);
  }
  return ajv;
}

/** RFC 3339 date-time, as Label Studio's `pinned_at` takes it. */
function isDateTime(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s) &&
    !Number.isNaN(Date.parse(s))
  );
}

export function loadSchema(name: SchemaName): object {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}.schema.json`, 'utf8')) as object;
}

/**
 * Validates a value against one of the schemas in `schemas/`, returning every issue. Messages
 * quote the offending value ("got a string ...") except where `hideValue` says the value is a
 * secret (it came from `${env:...}`).
 */
export function validateAgainstSchema(
  name: SchemaName,
  value: unknown,
  opts: { hideValue?: (pointer: string) => boolean } = {},
): SchemaIssue[] {
  let validate = compiled.get(name);
  if (!validate) {
    validate = getAjv().getSchema(`${name}.schema.json`)!;
    compiled.set(name, validate);
  }
  if (validate(value)) return [];
  return toIssues(validate.errors ?? [], opts.hideValue ?? (() => false));
}

function toIssues(errors: ErrorObject[], hideValue: (pointer: string) => boolean): SchemaIssue[] {
  // A failed oneOf (or if/then/else) with an `x-error` message replaces the errors of its branches.
  const collapsed = errors.filter(
    (e) => (e.keyword === 'oneOf' || e.keyword === 'if') && typeof e.parentSchema?.['x-error'] === 'string',
  );
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // Branch errors sit at or under the oneOf's value; with `$ref` branches their schemaPath is the
    // referenced definition's, outside the property's own schema. An if's branches are its siblings
    // `then` and `else`.
    const owner = collapsed.find((c) => {
      if (c === e || !(e.instancePath === c.instancePath || e.instancePath.startsWith(`${c.instancePath}/`)))
        return false;
      if (c.keyword === 'if') {
        const base = c.schemaPath.replace(/if$/, '');
        return e.schemaPath.startsWith(`${base}then/`) || e.schemaPath.startsWith(`${base}else/`);
      }
      return (
        e.schemaPath.startsWith(`${c.schemaPath}/`) || !e.schemaPath.startsWith(c.schemaPath.replace(/oneOf$/, ''))
      );
    });
    if (owner) continue;
    const found = toIssue(e, hideValue(e.instancePath));
    if (!found) continue;
    const issue =
      CONTENT_KEYWORDS.has(e.keyword) && e.propertyName === undefined ? { ...found, wellTyped: true } : found;
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  // One problem per value: a URL that fails its pattern (^https?://) is not also told its format.
  return issues.filter((i) => !(isFormatIssue(i) && issues.some((o) => o.pointer === i.pointer && !isFormatIssue(o))));
}

const FORMAT_ISSUE = Symbol('format');
function isFormatIssue(i: SchemaIssue): boolean {
  return (i as SchemaIssue & { [FORMAT_ISSUE]?: true })[FORMAT_ISSUE] === true;
}

function toIssue(e: ErrorObject, hidden: boolean): SchemaIssue | undefined {
  const at = e.instancePath;
  const preview = (v: unknown) => (hidden ? 'a value from ${env:...} (not shown)' : previewValue(v));
  const custom = e.parentSchema?.['x-error'];
  const field = fieldName(at);
  switch (e.keyword) {
    case 'oneOf':
    case 'if':
      return {
        pointer: at,
        atKey: false,
        message: `${field} ${typeof custom === 'string' ? custom : 'does not match any allowed form'}`,
      };
    case 'required':
      return {
        pointer: at,
        atKey: false,
        message: `missing required field "${(e.params as { missingProperty: string }).missingProperty}"${at ? ` in ${field}` : ''}`,
      };
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const hint = closest(prop, allowed);
      return {
        pointer: `${at}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        atKey: true,
        message: `unknown field "${prop}"${at ? ` in ${field}` : ''}${hint ? `; did you mean "${hint}"?` : ''}`,
      };
    }
    case 'const':
      return {
        pointer: at,
        atKey: false,
        message: `${field} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${preview(e.data)}`,
      };
    case 'enum':
      return {
        pointer: at,
        atKey: false,
        message: `${field} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}; got ${preview(e.data)}`,
      };
    case 'type':
      return {
        pointer: at,
        atKey: false,
        message: `${field} must be ${article((e.params as { type: string | string[] }).type)}, got ${describeType(e.data)}${e.data === null || hidden ? '' : ` ${preview(e.data)}`}`,
      };
    case 'pattern':
      // Under propertyNames the offending value is a key: point at it, not at the whole mapping.
      if (e.propertyName !== undefined) {
        return {
          pointer: `${at}/${e.propertyName.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          atKey: true,
          message: `${field} ${patternMessage(at, (e.params as { pattern: string }).pattern)}, got ${preview(e.data)}`,
        };
      }
      return {
        pointer: at,
        atKey: false,
        message: `${field} ${patternMessage(at, (e.params as { pattern: string }).pattern)}, got ${preview(e.data)}`,
      };
    case 'minLength':
    case 'maxLength':
      return {
        pointer: at,
        atKey: false,
        message: `${field} must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${(e.params as { limit: number }).limit} character${(e.params as { limit: number }).limit === 1 ? '' : 's'}, got ${String(e.data).length}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer: at,
        atKey: false,
        message: `${field} ${e.message ?? 'is out of range'}, got ${preview(e.data)}`,
      };
    case 'propertyNames':
      return undefined; // reported by the nested `pattern` error with the key itself
    case 'format': {
      const format = (e.params as { format: string }).format;
      if (!(URL_FORMATS as readonly string[]).includes(format))
        return {
          pointer: at,
          atKey: false,
          message: `${field} must be a ${format} (ISO 8601), got ${preview(e.data)}`,
        };
      // The reason may quote part of the value: not for a value from ${env:...}.
      const message = hidden
        ? `${field} must be ${FORMAT_NOUN[format as UrlFormat]}; the value from \${env:...} (not shown) is not`
        : `${field} ${urlProblem(format as UrlFormat, String(e.data)) ?? 'is invalid'}, got ${preview(e.data)}`;
      return Object.assign({ pointer: at, atKey: false, message }, { [FORMAT_ISSUE]: true as const });
    }
    default:
      return { pointer: at, atKey: false, message: `${field} ${e.message ?? 'is invalid'}` };
  }
}

const FORMAT_NOUN: Record<UrlFormat, string> = {
  'webhook-url': 'a URL the server accepts for a webhook',
  'http-url': 'an http(s) URL',
  'env-http-url': 'an http(s) URL',
  'host-name': 'a host name or address',
};

function fieldName(pointer: string): string {
  if (!pointer) return 'document';
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function patternMessage(pointer: string, pattern: string): string {
  if (pointer.endsWith('/color')) return 'must be a color in #RRGGBB form';
  if (pointer.endsWith('/name') || pointer.endsWith('/ref') || pointer === '/namespace') {
    return 'must be lowercase letters, digits and "-", starting with a letter or digit';
  }
  return `must match ${pattern}`;
}

function article(type: string | string[]): string {
  const types = Array.isArray(type) ? type : [type];
  return types
    .map((t) =>
      t === 'object'
        ? 'a mapping'
        : t === 'array'
          ? 'a list'
          : t === 'integer'
            ? 'an integer'
            : t === 'null'
              ? 'null'
              : `a ${t}`,
    )
    .join(' or ');
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'number' && Number.isInteger(v) ? 'an integer' : `a ${typeof v}`;
}

function previewValue(v: unknown): string {
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[...]' : '{...}';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s;
}

/** The allowed name nearest to a misspelt one (edit distance <= 3), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(word.length / 2) + 1);
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best === undefined && d <= 1)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
