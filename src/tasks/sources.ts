import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DataKey } from '../labelconfig/summarize.ts';
import { UserError } from '../util/errors.ts';
import { formatBytes } from '../manifest/source-file.ts';
import { checkTask, toTask } from './check-task.ts';
import { DEFAULT_MAX_BATCH_MIB, TASK_TAG_ALLOWANCE_BYTES } from './limits.ts';
import {
  formatFromPath,
  readTaskRecords,
  TaskFileError,
  type ReadOptions,
  type TaskFormat,
  type TaskRecord,
} from './read-records.ts';

export interface TaskSource {
  readonly path: string;
  readonly display: string;
  readonly format: TaskFormat;
  /** A temporary copy (standard input) to delete when done. */
  readonly temporary?: boolean;
}

/** A record with the file it came from and its position across all the sources. */
export interface SourcedRecord extends TaskRecord {
  readonly file: string;
}

export interface TaskProblem {
  readonly file: string;
  readonly line: number;
  readonly index: number;
  readonly message: string;
}

/**
 * FILE, DIR (its task files, in name order) or `-` (standard input, spooled to a temporary file
 * so it can be checked in full before anything is sent).
 */
export async function resolveSources(
  input: string,
  format: TaskFormat | undefined,
  cwd: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<TaskSource[]> {
  if (input === '-') {
    const dir = await mkdtemp(join(tmpdir(), 'labelform-stdin-'));
    const path = join(dir, 'stdin');
    await pipeline(stdin, createWriteStream(path));
    const fmt = format ?? (await sniffFormat(path));
    return [{ path, display: '<stdin>', format: fmt, temporary: true }];
  }
  const path = resolve(cwd, input);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new UserError(`${input}: no such file or directory`);
  const show = (p: string) => relative(cwd, p) || p;
  if (st.isDirectory()) {
    const names = (await readdir(path))
      .filter((n) => !n.startsWith('.') && !n.endsWith('.labelform-import.json') && formatFromPath(n) !== undefined)
      .sort();
    if (names.length === 0)
      throw new UserError(`${input}: no task files (.json, .jsonl, .ndjson, .csv, .tsv) in this directory`);
    return names.map((n) => ({
      path: join(path, n),
      display: show(join(path, n)),
      format: format ?? formatFromPath(n)!,
    }));
  }
  const fmt = format ?? formatFromPath(path);
  if (!fmt)
    throw new UserError(`${input}: cannot tell the format from the extension; pass --format json|jsonl|csv|tsv`);
  return [{ path, display: show(path), format: fmt }];
}

/** Removes the temporary copies among the sources (standard input). */
export async function removeTemporarySources(sources: readonly TaskSource[]): Promise<void> {
  const { rm } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  for (const s of sources) if (s.temporary) await rm(dirname(s.path), { recursive: true, force: true });
}

async function sniffFormat(path: string): Promise<TaskFormat> {
  const { createReadStream } = await import('node:fs');
  for await (const chunk of createReadStream(path, {
    start: 0,
    end: 4095,
    encoding: 'utf8',
  }) as AsyncIterable<string>) {
    const first = chunk.trimStart()[0];
    if (first === '[') return 'json';
    if (first === '{') return 'jsonl';
    break;
  }
  throw new UserError('<stdin>: cannot tell the format; pass --format json|jsonl|csv|tsv');
}

/** Every record of every source, in order, with one running index. */
export async function* readSources(
  sources: readonly TaskSource[],
  opts: ReadOptions = {},
): AsyncGenerator<SourcedRecord> {
  let index = 0;
  for (const s of sources) {
    for await (const r of readTaskRecords(s.path, s.format, s.display, opts))
      yield { ...r, index: index++, file: s.display };
  }
}

export interface ScanOptions {
  /** The batch byte cap of the import to come: a bigger task is refused here. */
  readonly maxBatchBytes?: number;
  /** How to raise the cap, for the message (`--max-batch-mb`). */
  readonly capSetting?: string;
  readonly maxProblems?: number;
}

/**
 * The check before anything is sent: every item is read and checked against the data keys the
 * project's label config reads, and against the batch byte cap (a task is sent whole, so one
 * bigger than a batch can never go; reading stops at such an item instead of holding it).
 * Returns the number of tasks and the first problems found.
 */
export async function scanSources(
  sources: readonly TaskSource[],
  dataKeys: readonly DataKey[],
  opts: ScanOptions = {},
): Promise<{ count: number; problems: TaskProblem[]; problemCount: number }> {
  const maxProblems = opts.maxProblems ?? 50;
  const maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_MIB * 1024 * 1024;
  const problems: TaskProblem[] = [];
  let problemCount = 0;
  let count = 0;
  try {
    for await (const r of readSources(sources, { maxItemBytes: maxBatchBytes })) {
      count++;
      const message = checkTask(r.item, dataKeys) ?? checkTaskSize(r.item, maxBatchBytes, opts.capSetting);
      if (message) {
        problemCount++;
        if (problems.length < maxProblems) problems.push({ file: r.file, line: r.line, index: r.index, message });
      }
    }
  } catch (err) {
    if (!(err instanceof TaskFileError)) throw err;
    problemCount++;
    problems.push({ file: err.file, line: err.line, index: count, message: err.reason });
  }
  return { count, problems, problemCount };
}

/**
 * Why a task cannot be imported in a batch of at most `maxBatchBytes` (its JSON as sent, with the
 * room its labelform tag takes), or undefined. `capSetting` names how to raise the cap.
 */
export function checkTaskSize(item: unknown, maxBatchBytes: number, capSetting?: string): string | undefined {
  const task = toTask(item);
  if (!task) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(task)) + TASK_TAG_ALLOWANCE_BYTES + 2;
  if (bytes <= maxBatchBytes) return undefined;
  return `this task is ${formatBytes(bytes)} as sent, over the batch limit of ${formatBytes(maxBatchBytes)}${capSetting ? ` (${capSetting})` : ''}; a task is sent whole, in one request, so it cannot be imported`;
}
