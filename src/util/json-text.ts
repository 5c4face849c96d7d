/**
 * JSON text kept as the server wrote it. `JSON.parse` forgets how a number was spelt (`10.0`
 * becomes `10`) and moves integer-like keys first, so a value parsed and stringified again is not
 * what was stored: Label Studio (Python) keeps `10.0` a float and `10` an int. These helpers find
 * the exact text of a value inside a document, and write a changed value reusing the original text
 * of every part that did not change, so that only what a caller changed differs byte for byte.
 */
import equal from 'fast-deep-equal';

/** A parsed JSON value with the span of its text in the document. */
export type JsonNode =
  | { readonly kind: 'object'; readonly start: number; readonly end: number; readonly entries: readonly JsonEntry[] }
  | { readonly kind: 'array'; readonly start: number; readonly end: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'scalar'; readonly start: number; readonly end: number };

export interface JsonEntry {
  readonly key: string;
  readonly node: JsonNode;
}

/** Parses `text` into nodes with spans; throws a SyntaxError on text that is not JSON. */
export function parseJsonNodes(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: JsonEntry[] = [];
      ws();
      if (text[i] === '}') return { kind: 'object', start, end: ++i, entries };
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        entries.push({ key, node: value() });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return { kind: 'object', start, end: ++i, entries };
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
        fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      str();
      return { kind: 'scalar', start, end: i };
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected character');
    i += m![0].length;
    return { kind: 'scalar', start, end: i };
  };
  const root = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return root;
}

/** The exact text of `key` at the top of a JSON object document, or undefined when absent. */
export function topLevelText(text: string, key: string): string | undefined {
  const root = parseJsonNodes(text);
  if (root.kind !== 'object') return undefined;
  const entry = root.entries.find((e) => e.key === key);
  return entry ? text.slice(entry.node.start, entry.node.end) : undefined;
}

/**
 * `value` as JSON text, reusing `before`'s text for every part equal to what it was: an unchanged
 * value is `before` itself; in a changed object the keys keep their old order (new keys last); in
 * a changed array an object item is matched to the old item with the same `id` (a region), else
 * to the old item at its index.
 */
export function stringifyLike(value: unknown, before: string): string {
  return write(value, before, parseJsonNodes(before));
}

function write(value: unknown, text: string, node: JsonNode | undefined): string {
  if (value === undefined) return 'null';
  if (!node) return JSON.stringify(value);
  const raw = text.slice(node.start, node.end);
  if (equal(value, JSON.parse(raw))) return raw;
  if (Array.isArray(value) && node.kind === 'array') {
    const byId = new Map<unknown, JsonNode>();
    for (const item of node.items) {
      const id = item.kind === 'object' ? idOf(text, item) : undefined;
      if (id !== undefined && !byId.has(id)) byId.set(id, item);
    }
    return `[${value
      .map((v, k) => {
        const id = isRecord(v) ? v.id : undefined;
        const old =
          (id !== undefined && (typeof id === 'string' || typeof id === 'number') && byId.get(id)) || node.items[k];
        return write(v, text, old);
      })
      .join(', ')}]`;
  }
  if (isRecord(value) && node.kind === 'object') {
    const old = new Map(node.entries.map((e) => [e.key, e.node]));
    const keys = [
      ...node.entries.map((e) => e.key).filter((k) => Object.hasOwn(value, k) && value[k] !== undefined),
      ...Object.keys(value).filter((k) => !old.has(k) && value[k] !== undefined),
    ];
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${write(value[k], text, old.get(k))}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function idOf(text: string, node: JsonNode & { kind: 'object' }): unknown {
  const entry = node.entries.find((e) => e.key === 'id');
  if (!entry || entry.node.kind !== 'scalar') return undefined;
  const id = JSON.parse(text.slice(entry.node.start, entry.node.end)) as unknown;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
