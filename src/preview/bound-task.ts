/**
 * A task from a pull request drawn in a browser: long values are cut before the page sees them,
 * so a task of megabytes cannot take the machine's memory or the run's time. What is cut says so
 * in the drawing itself, and in the report.
 */

/** Text drawn per value: about 4,000 pixels of page at the editor's type size, the most an image shows. */
export const MAX_TEXT_CHARS = 20_000;
/** Items kept per list (Paragraphs rows, TimeSeries points, List items). */
export const MAX_ITEMS = 2_000;
/** A `data:` URL (an image in the task) is kept whole up to this size, and replaced beyond it. */
export const MAX_DATA_URL_CHARS = 5_000_000;

export interface BoundedTask {
  readonly data: Record<string, unknown>;
  /** What was cut, for the report ("text: 2,000,000 characters, the first 20,000 drawn"). */
  readonly cuts: readonly string[];
}

/**
 * The task with every string cut to MAX_TEXT_CHARS (with a visible note), every list to MAX_ITEMS,
 * and a `data:` URL beyond MAX_DATA_URL_CHARS replaced by `dataUrlReplacement` (the sample image).
 */
export function boundTask(data: Record<string, unknown>, dataUrlReplacement: string): BoundedTask {
  const cuts: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  const walk = (value: unknown, path: string, depth: number): unknown => {
    if (typeof value === 'string') {
      if (value.startsWith('data:')) {
        if (value.length <= MAX_DATA_URL_CHARS) return value;
        cuts.push(`${path}: a data: URL of ${n(value.length)} characters, replaced by the sample`);
        return dataUrlReplacement;
      }
      if (value.length <= MAX_TEXT_CHARS) return value;
      cuts.push(`${path}: ${n(value.length)} characters, the first ${n(MAX_TEXT_CHARS)} drawn`);
      return `${value.slice(0, MAX_TEXT_CHARS)}\n\n[… cut by labelform preview: ${n(value.length - MAX_TEXT_CHARS)} more characters are not drawn]`;
    }
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      if (value.length > MAX_ITEMS) cuts.push(`${path}: ${n(value.length)} items, the first ${n(MAX_ITEMS)} drawn`);
      return value.slice(0, MAX_ITEMS).map((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > MAX_ITEMS) cuts.push(`${path}: ${n(entries.length)} fields, the first ${n(MAX_ITEMS)} drawn`);
    return Object.fromEntries(entries.slice(0, MAX_ITEMS).map(([k, v]) => [k, walk(v, `${path}.${k}`, depth + 1)]));
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) out[key] = walk(value, key, 0);
  return { data: out, cuts: cuts.slice(0, 5).concat(cuts.length > 5 ? [`and ${cuts.length - 5} more values`] : []) };
}
