import type { DataKey } from '../labelconfig/summarize.ts';

/** A task as Label Studio's import takes it. */
export interface TaskItem {
  data: Record<string, unknown>;
  meta?: Record<string, unknown>;
  annotations?: unknown[];
  predictions?: unknown[];
  [key: string]: unknown;
}

/**
 * Label Studio's rule (`TaskValidator`): an item with a `data` object is a task; any other object
 * is the task's data itself.
 */
export function toTask(item: unknown): TaskItem | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  if (o.data && typeof o.data === 'object' && !Array.isArray(o.data)) return o as TaskItem;
  return { data: o };
}

/** Object tags that show media read a URL (or, for Image with valueList, a list of them). */
const URL_TAGS = new Set(['Image', 'Audio', 'AudioPlus', 'Video', 'Pdf']);

/**
 * What is wrong with one task for a project whose object tags read these data keys, or
 * undefined: a missing key, or a value of a type the tag cannot show (mirroring the server's
 * "key is expected in task data" and "is of type ..., but the object tag ... expects" checks).
 */
export function checkTask(item: unknown, dataKeys: readonly DataKey[]): string | undefined {
  const task = toTask(item);
  if (!task)
    return `a task must be a JSON object, got ${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item}`;
  for (const k of dataKeys) {
    if (!(k.key in task.data)) {
      const have = Object.keys(task.data);
      return `missing data key "${k.key}" (read by <${k.tag}>); the task has ${have.length ? have.map((h) => `"${h}"`).join(', ') : 'no keys'}`;
    }
    const v = task.data[k.key];
    if (v === null || v === undefined) return `data key "${k.key}" is null; <${k.tag}> needs a value`;
    if (URL_TAGS.has(k.tag) && typeof v !== 'string' && !(Array.isArray(v) && k.tag === 'Image')) {
      return `data key "${k.key}" is ${Array.isArray(v) ? 'a list' : typeof v}; <${k.tag}> expects a URL string`;
    }
    if (typeof v === 'object' && !Array.isArray(v) && (k.tag === 'Text' || k.tag === 'HyperText')) {
      return `data key "${k.key}" is an object; <${k.tag}> expects text`;
    }
  }
  const bad = findUnstorableText(task);
  if (bad)
    return `${bad.path} holds ${bad.what}: Label Studio on PostgreSQL refuses the whole batch with an HTTP 500 (JSON in PostgreSQL cannot store it; SQLite does), so it is refused here on every server; remove or replace it`;
  return undefined;
}

/**
 * The first string (value or key, at any depth) holding text PostgreSQL's JSON cannot store:
 * U+0000, or half of a surrogate pair without its other half (`"\ud800"` in JSON).
 */
export function findUnstorableText(value: unknown, path = 'the task'): { path: string; what: string } | undefined {
  const what = (s: string) => {
    if (s.includes('\u0000')) return 'U+0000 (a NUL character)';
    const half = loneSurrogate(s);
    return half ? `a lone surrogate (U+${half})` : undefined;
  };
  if (typeof value === 'string') {
    const w = what(value);
    return w ? { path, what: w } : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findUnstorableText(v, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path === 'the task' ? k : `${path}.${k}`;
      const wk = what(k);
      if (wk)
        return {
          path: `the key ${JSON.stringify(k.replace(/[\u0000\ud800-\udfff]/g, '?'))} of ${path === 'the task' ? 'the task' : path}`,
          what: wk,
        };
      const found = findUnstorableText(v, here);
      if (found) return found;
    }
  }
  return undefined;
}

/** The first half of a surrogate pair standing alone, as hex, or undefined. */
function loneSurrogate(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return c.toString(16).toUpperCase();
    } else if (c >= 0xdc00 && c <= 0xdfff) return c.toString(16).toUpperCase();
  }
  return undefined;
}
