/**
 * The journal of a label migration: one JSON object a line, appended and fsynced before the write
 * it announces, so that after `kill -9` at any point it says what each object held before. A last
 * line cut short by the kill is tolerated (and cut off before the next append); any other line
 * that is not an entry stops the reader with `file:line`.
 *
 *   {"op":"run","project":7,"action":"migrate","at":"..."}           a run starts
 *   {"op":"write","type":"annotation","id":12,"task":3,"before":"[...]","after":"[...]"}
 *   {"op":"done","type":"annotation","id":12}                         the PATCH answered 200
 *   {"op":"failed","type":"annotation","id":12,"error":"..."}         the PATCH failed (may or may not have landed)
 *
 * `before` and `after` are the exact JSON text of the result (as the server wrote it, and as sent),
 * kept as strings so that `10.0` stays `10.0`. A revert run appends the same entries with
 * `"revert": true`.
 */
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import type { ResultHolderType } from '../../../api/types.ts';
import { UserError } from '../../../util/errors.ts';

export type JournalEntry =
  | { readonly op: 'run'; readonly project: number; readonly action: 'migrate' | 'revert'; readonly at: string }
  | {
      readonly op: 'write';
      readonly type: ResultHolderType;
      readonly id: number;
      readonly task: number;
      readonly before: string;
      readonly after: string;
      readonly revert?: true;
    }
  | { readonly op: 'done'; readonly type: ResultHolderType; readonly id: number; readonly revert?: true }
  | {
      readonly op: 'failed';
      readonly type: ResultHolderType;
      readonly id: number;
      readonly error: string;
      readonly revert?: true;
    };

export interface JournalContents {
  readonly entries: readonly JournalEntry[];
  /** The last line was cut short (a run killed while appending it); it is not in `entries`. */
  readonly torn: boolean;
  /** Bytes of whole lines: where the next append goes. */
  readonly validBytes: number;
}

export interface Journal {
  readonly path: string;
  /** Appends one entry and resolves once it is fsynced; entries from concurrent callers never interleave. */
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
}

/** Reads a journal; a missing file is an empty journal. */
export async function readJournal(path: string): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], torn: false, validBytes: 0 };
    throw new UserError(`cannot read the migration journal ${path}: ${(err as Error).message}`);
  }
  return parseJournal(text, path);
}

/** The journal in `text` (exported for tests). */
export function parseJournal(text: string, path: string): JournalContents {
  const entries: JournalEntry[] = [];
  const lines = text.split('\n');
  // The part after the last newline: empty for a journal that ends well, a torn line otherwise.
  const tail = lines.pop() ?? '';
  let offset = 0;
  lines.forEach((line, i) => {
    offset += Buffer.byteLength(line) + 1;
    if (line.trim() === '') return;
    const entry = parseEntry(line);
    if (!entry)
      throw new UserError(
        `${path}:${i + 1}:1: not an entry of a labelform migration journal; the file was changed by hand or is another file`,
      );
    entries.push(entry);
  });
  return { entries, torn: tail.trim() !== '', validBytes: offset };
}

/**
 * Opens a journal for appending (creating it): a torn last line left by a killed run is cut off
 * first, so that the next entry starts on a line of its own.
 */
export async function openJournal(path: string): Promise<Journal> {
  const contents = await readJournal(path);
  if (contents.torn) await truncate(path, contents.validBytes);
  let fh: FileHandle;
  try {
    fh = await open(path, 'a');
  } catch (err) {
    throw new UserError(`cannot write the migration journal ${path}: ${(err as Error).message}`);
  }
  // Group commit: entries appended while a write + fsync is under way go out together in the
  // next one, so concurrent writers share fsyncs (each append still resolves only once its line
  // is on disk).
  let pending: Array<{ line: string; resolve: () => void; reject: (err: unknown) => void }> = [];
  let flushing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await fh.write(batch.map((b) => b.line).join(''));
        await fh.sync();
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    flushing = undefined;
  };
  return {
    path,
    append: (entry) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ line: `${JSON.stringify(entry)}\n`, resolve, reject });
        flushing ??= flush();
      }),
    close: async () => {
      await flushing;
      await fh.close();
    },
  };
}

/** What the journal says about one object, over every run in it. */
export interface JournalObject {
  readonly type: ResultHolderType;
  readonly id: number;
  readonly task: number;
  /** Migration writes announced, in order (`before` is what the object held, `after` what was sent). */
  readonly writes: ReadonlyArray<{ readonly before: string; readonly after: string; readonly done: boolean }>;
  /** Revert writes announced, in order. */
  readonly reverts: ReadonlyArray<{ readonly before: string; readonly after: string; readonly done: boolean }>;
}

/** The objects of a journal, in the order they first appear. */
export function journalObjects(entries: readonly JournalEntry[]): JournalObject[] {
  const byKey = new Map<
    string,
    {
      type: ResultHolderType;
      id: number;
      task: number;
      writes: Array<{ before: string; after: string; done: boolean }>;
      reverts: Array<{ before: string; after: string; done: boolean }>;
    }
  >();
  for (const e of entries) {
    if (e.op === 'run') continue;
    const key = `${e.type}:${e.id}`;
    if (e.op === 'write') {
      const o = byKey.get(key) ?? { type: e.type, id: e.id, task: e.task, writes: [], reverts: [] };
      byKey.set(key, o);
      (e.revert ? o.reverts : o.writes).push({ before: e.before, after: e.after, done: false });
      continue;
    }
    const o = byKey.get(key);
    const list = e.revert ? o?.reverts : o?.writes;
    const last = list?.at(-1);
    if (last && e.op === 'done') last.done = true;
  }
  return [...byKey.values()];
}

function parseEntry(line: string): JournalEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const typed = o.type === 'annotation' || o.type === 'draft' || o.type === 'prediction';
  switch (o.op) {
    case 'run':
      return typeof o.project === 'number' && (o.action === 'migrate' || o.action === 'revert')
        ? (o as JournalEntry)
        : undefined;
    case 'write':
      return typed &&
        typeof o.id === 'number' &&
        typeof o.task === 'number' &&
        typeof o.before === 'string' &&
        typeof o.after === 'string'
        ? (o as JournalEntry)
        : undefined;
    case 'done':
      return typed && typeof o.id === 'number' ? (o as JournalEntry) : undefined;
    case 'failed':
      return typed && typeof o.id === 'number' && typeof o.error === 'string' ? (o as JournalEntry) : undefined;
    default:
      return undefined;
  }
}
