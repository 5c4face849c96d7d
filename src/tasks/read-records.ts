import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatBytes } from '../manifest/source-file.ts';

export type TaskFormat = 'json' | 'jsonl' | 'csv' | 'tsv';

/** One item of a task file, with where it is, for messages. */
export interface TaskRecord {
  /** 0-based position in the file. */
  readonly index: number;
  /** 1-based line where the item starts. */
  readonly line: number;
  readonly item: unknown;
}

/** A malformed task file: where, and why. */
export class TaskFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

export function formatFromPath(path: string): TaskFormat | undefined {
  const m = /\.(json|jsonl|ndjson|csv|tsv)$/i.exec(path);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  return ext === 'ndjson' ? 'jsonl' : (ext as TaskFormat);
}

export interface ReadOptions {
  /**
   * Refuse an item whose text passes this many characters (whitespace between JSON tokens not
   * counted) as soon as it does, without reading the rest of it: a task is sent whole, in one
   * request, so one bigger than a batch can never be imported, and holding it costs memory.
   */
  readonly maxItemBytes?: number;
}

/**
 * Streams the items of a task file without holding the file in memory: a JSON array (item by
 * item), JSON Lines, or CSV/TSV with a header row (each row becomes a task's data). Mistakes that
 * would lose data silently are errors at their line: a JSON object with a key twice, a header
 * naming a column twice.
 */
export function readTaskRecords(
  input: Readable | string,
  format: TaskFormat,
  file: string,
  opts: ReadOptions = {},
): AsyncGenerator<TaskRecord> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  const max = opts.maxItemBytes ?? Infinity;
  switch (format) {
    case 'jsonl':
      return readJsonLines(stream, file, max);
    case 'json':
      return readJsonArray(stream, file, max);
    case 'csv':
    case 'tsv':
      return readDelimited(stream, file, format === 'tsv' ? '\t' : ',', max);
  }
}

async function* readJsonLines(stream: Readable, file: string, max: number): AsyncGenerator<TaskRecord> {
  stream.setEncoding('utf8');
  let line = 0;
  let index = 0;
  // The current line so far; its pieces are joined only when it ends (and only while small).
  let pieces: string[] = [];
  let length = 0;
  const finish = (text: string): TaskRecord | undefined => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    return { index: index++, line, item: parseJson(trimmed, file, line, 'not valid JSON: ') };
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      checkSize(length + piece.length, max, file, line + 1);
      const record = finish(pieces.length ? pieces.join('') + piece : piece);
      pieces = [];
      length = 0;
      start = nl + 1;
      if (record) yield record;
    }
    if (start < chunk.length) {
      const rest = chunk.slice(start);
      length += rest.length;
      // Whitespace-only tails (a trailing blank line) are not an item growing.
      if (rest.trim() !== '' || pieces.length) checkSize(length, max, file, line + 1);
      pieces.push(rest);
    }
  }
  if (pieces.length) {
    const record = finish(pieces.join(''));
    if (record) yield record;
  }
}

/**
 * Splits a top-level JSON array into its items as the bytes arrive, tracking lines, and parses
 * each item on its own. (A streaming JSON library would not say on which line an item starts.)
 */
async function* readJsonArray(stream: Readable, file: string, max: number): AsyncGenerator<TaskRecord> {
  stream.setEncoding('utf8');
  let line = 1;
  let state = 'before' as 'before' | 'between' | 'item' | 'after';
  let depth = 0;
  let inString = false;
  let escaped = false;
  // The current item: finished pieces of earlier chunks, and where it starts in this one.
  let pieces: string[] = [];
  let size = 0;
  let itemLine = 1;
  let index = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    let from = 0;
    const take = (end: number): string => {
      const text = pieces.length ? pieces.join('') + chunk.slice(from, end) : chunk.slice(from, end);
      pieces = [];
      return text;
    };
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (ch === '\n') line++;
      if (state === 'item') {
        if (inString) {
          if (++size > max) tooLarge(max, file, itemLine);
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          if (depth === 0 && ch === ']') {
            yield parseItem(take(i), file, itemLine, index++);
            state = 'after';
            continue;
          }
          depth--;
        } else if (ch === ',' && depth === 0) {
          yield parseItem(take(i), file, itemLine, index++);
          state = 'between';
          continue;
        }
        if (!isJsonSpace(ch) && ++size > max) tooLarge(max, file, itemLine);
        continue;
      }
      if (isJsonSpace(ch) || ch === '\ufeff') continue;
      if (state === 'before') {
        if (ch !== '[')
          throw new TaskFileError(
            file,
            line,
            'a JSON task file must be an array of tasks ([ ... ]); for one task per line use .jsonl',
          );
        state = 'between';
        continue;
      }
      if (state === 'between') {
        if (ch === ']' && index === 0) {
          state = 'after';
          continue;
        }
        state = 'item';
        itemLine = line;
        from = i;
        size = 1;
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth = 1;
        else depth = 0;
        continue;
      }
      throw new TaskFileError(file, line, 'unexpected text after the end of the JSON array');
    }
    if (state === 'item') pieces.push(chunk.slice(from));
  }
  if (state !== 'after')
    throw new TaskFileError(
      file,
      line,
      state === 'before' ? 'the file is empty' : 'the JSON array is not closed (the file is cut short?)',
    );
}

function isJsonSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t';
}

function parseItem(text: string, file: string, line: number, index: number): TaskRecord {
  return { index, line, item: parseJson(text, file, line, `item ${index + 1} is not valid JSON: `) };
}

/** JSON.parse, plus what it hides: a key twice in one object (it keeps the last value). */
function parseJson(text: string, file: string, line: number, invalid: string): unknown {
  let item: unknown;
  try {
    item = JSON.parse(text);
  } catch (err) {
    throw new TaskFileError(file, line, `${invalid}${(err as Error).message}`);
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    const at = line + countNewlines(text, dup.offset);
    throw new TaskFileError(
      file,
      at,
      `the key ${JSON.stringify(dup.key)} appears twice in one object; JSON keeps only the last value, so fix the file`,
    );
  }
  return item;
}

/**
 * The first key that appears twice in one object of a JSON text that parses, and its offset.
 * One pass over the text; strings are skipped whole, keys with escapes are decoded to compare.
 */
export function findDuplicateKey(text: string): { key: string; offset: number } | undefined {
  if (text.indexOf('{') === -1) return undefined;
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escapes = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escapes = true;
          j += 2;
        } else if (d === 0x22 || Number.isNaN(d)) break;
        else j++;
      }
      const keys = stack[stack.length - 1];
      if (keys && expectKey) {
        const key = escapes ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (keys.has(key)) return { key, offset: i };
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return undefined;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function checkSize(size: number, max: number, file: string, line: number): void {
  if (size > max) tooLarge(max, file, line);
}

function tooLarge(max: number, file: string, line: number): never {
  throw new TaskFileError(
    file,
    line,
    `this task is larger than ${formatBytes(max)}, the most one import batch holds; a task is sent whole, in one request, so it cannot be imported`,
  );
}

async function* readDelimited(
  stream: Readable,
  file: string,
  delimiter: string,
  max: number,
): AsyncGenerator<TaskRecord> {
  const { parse: parseCsv } = await import('csv-parse');
  const parser = stream.pipe(
    parseCsv({
      delimiter,
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      ...(Number.isFinite(max) ? { max_record_size: max } : {}),
    }),
  );
  const what = delimiter === '\t' ? 'TSV' : 'CSV';
  let header: string[] | undefined;
  let index = 0;
  try {
    for await (const row of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = row.record;
        const seen = new Map<string, number>();
        for (const [i, name] of header.entries()) {
          const first = seen.get(name);
          if (first !== undefined) {
            throw new TaskFileError(
              file,
              row.info.lines,
              `the header names column ${JSON.stringify(name)} twice (columns ${first + 1} and ${i + 1}); each column becomes a data key, so one would be lost`,
            );
          }
          seen.set(name, i);
        }
        continue;
      }
      const item: Record<string, string> = {};
      for (const [i, name] of header.entries()) item[name] = row.record[i]!;
      yield { index: index++, line: row.info.lines, item };
    }
  } catch (err) {
    if (err instanceof TaskFileError) throw err;
    const e = err as { message?: string; lines?: number; code?: string };
    if (e.code === 'CSV_MAX_RECORD_SIZE') tooLarge(max, file, e.lines ?? 0);
    throw new TaskFileError(file, e.lines ?? 0, `not valid ${what}: ${e.message ?? String(err)}`);
  }
}
