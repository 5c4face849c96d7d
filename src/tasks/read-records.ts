import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

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

/**
 * Streams the items of a task file without holding the file in memory: a JSON array (item by
 * item), JSON Lines, or CSV/TSV with a header row (each row becomes a task's data).
 */
export function readTaskRecords(input: Readable | string, format: TaskFormat, file: string): AsyncGenerator<TaskRecord> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  switch (format) {
    case 'jsonl':
      return readJsonLines(stream, file);
    case 'json':
      return readJsonArray(stream, file);
    case 'csv':
    case 'tsv':
      return readDelimited(stream, file, format === 'tsv' ? '\t' : ',');
  }
}

async function* readJsonLines(stream: Readable, file: string): AsyncGenerator<TaskRecord> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let index = 0;
  for await (const text of lines) {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(trimmed);
    } catch (err) {
      throw new TaskFileError(file, line, `not valid JSON: ${(err as Error).message}`);
    }
    yield { index: index++, line, item };
  }
}

/**
 * Splits a top-level JSON array into its items as the bytes arrive, tracking lines, and parses
 * each item on its own. (A streaming JSON library would not say on which line an item starts.)
 */
async function* readJsonArray(stream: Readable, file: string): AsyncGenerator<TaskRecord> {
  stream.setEncoding('utf8');
  let line = 1;
  let state: 'before' | 'between' | 'item' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let buf = '';
  let itemLine = 1;
  let index = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (ch === '\n') line++;
      if (state === 'item') {
        if (inString) {
          buf += ch;
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        if (ch === '{' || ch === '[') depth++;
        if (ch === '}' || ch === ']') {
          if (depth === 0 && ch === ']') {
            yield parseItem(buf, file, itemLine, index++);
            buf = '';
            state = 'after';
            continue;
          }
          depth--;
        }
        if (ch === ',' && depth === 0) {
          yield parseItem(buf, file, itemLine, index++);
          buf = '';
          state = 'between';
          continue;
        }
        buf += ch;
        continue;
      }
      if (/\s/.test(ch) || ch === '\ufeff') continue;
      if (state === 'before') {
        if (ch !== '[') throw new TaskFileError(file, line, 'a JSON task file must be an array of tasks ([ ... ]); for one task per line use .jsonl');
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
        buf = ch;
        if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth = 1;
        else depth = 0;
        continue;
      }
      throw new TaskFileError(file, line, 'unexpected text after the end of the JSON array');
    }
  }
  if (state !== 'after') throw new TaskFileError(file, line, state === 'before' ? 'the file is empty' : 'the JSON array is not closed (the file is cut short?)');
}

function parseItem(text: string, file: string, line: number, index: number): TaskRecord {
  try {
    return { index, line, item: JSON.parse(text) };
  } catch (err) {
    throw new TaskFileError(file, line, `item ${index + 1} is not valid JSON: ${(err as Error).message}`);
  }
}

async function* readDelimited(stream: Readable, file: string, delimiter: string): AsyncGenerator<TaskRecord> {
  const { parse: parseCsv } = await import('csv-parse');
  const parser = stream.pipe(parseCsv({ delimiter, columns: true, bom: true, info: true, skip_empty_lines: true, relax_column_count: false }));
  let index = 0;
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { index: index++, line: row.info.lines, item: row.record };
    }
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new TaskFileError(file, e.lines ?? 0, `not valid ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${e.message ?? String(err)}`);
  }
}
