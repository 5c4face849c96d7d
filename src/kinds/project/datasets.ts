import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import type { LabelStudioClient } from '../../api/client.ts';
import type { PlanDiagnostic, TaskImport } from '../../generated/schema-types.ts';
import type { DeclaredTaskFile, ProjectResource } from './types.ts';
import { fingerprintValue } from '../../util/fingerprint.ts';
import { UserError } from '../../util/errors.ts';
import { checkTask, toTask } from '../../tasks/check-task.ts';
import { runImport, type DoubledBatch, type ImportProgress } from '../../tasks/import-tasks.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_MIB } from '../../tasks/limits.ts';
import { formatFromPath, readTaskRecords, TaskFileError, type TaskRecord } from '../../tasks/read-records.ts';
import { settleCopies } from '../../tasks/settle-copies.ts';
import { checkTaskSize } from '../../tasks/sources.ts';
import { countTaggedTasks, listTaggedMeta } from '../../tasks/tagged-tasks.ts';

/**
 * Declared datasets (`tasks: [{file}]` in a Project manifest). Every task labelform imports from
 * one carries `meta.labelform = "labelform-dataset=<dataset> file=<file hash> batch=<run>.<n>
 * item=<index> task=<task hash>"` (tags written before batches and items existed lack those two):
 * the dataset id names (namespace, project key, path), the file hash the file's content when it
 * was imported, the task hash the task itself. An unchanged file is recognised with one request
 * (the count of tasks carrying its file hash); a changed file is compared task by task, and only
 * the tasks not yet on the server are imported. Tasks never get deleted because a file changed;
 * only copies of one row of one file version are (two runs racing, a request the server re-ran).
 */
export interface DatasetState {
  readonly file: DeclaredTaskFile;
  readonly datasetId: string;
  readonly fileHash: string;
  /** Tasks in the file. */
  readonly count: number;
  /** Tasks in the file that are not on the server. */
  readonly missing: number;
  readonly problems: PlanDiagnostic[];
}

export function datasetId(namespace: string, key: string, root: string, file: DeclaredTaskFile): string {
  return fingerprintValue({ namespace, key, path: repoRelative(root, file.path) });
}

/** Hash of a task as it would be sent (the dataset tag not included). */
export function taskHash(item: unknown): string {
  return fingerprintValue(toTask(item)).slice(0, 12);
}

function prefix(id: string): string {
  return `labelform-dataset=${id} `;
}

/** Reads a declared file (hash, count, per-task hashes, problems) and what the server holds of it. */
export async function readDatasetState(
  client: LabelStudioClient | undefined,
  projectId: number | undefined,
  desired: ProjectResource,
  namespace: string,
  root: string,
  file: DeclaredTaskFile,
): Promise<DatasetState & { hashes: string[] }> {
  const id = datasetId(namespace, desired.name, root, file);
  const fileHash = await hashFile(file.path);
  const dataKeys = desired.labelConfig?.summary.dataKeys ?? [];
  const problems: PlanDiagnostic[] = [];
  const hashes: string[] = [];
  const format = file.format ?? formatFromPath(file.path);
  if (!format) {
    const at = desired.doc.locate(file.pointer);
    problems.push({
      severity: 'error',
      code: 'task-file-format',
      message: `${file.display}: cannot tell the format from the extension; add format: json|jsonl|csv|tsv`,
      key: desired.name,
      file: desired.file,
      line: at.line,
      col: at.col,
      pointer: file.pointer,
    });
    return { file, datasetId: id, fileHash, count: 0, missing: 0, problems, hashes };
  }
  try {
    // apply imports declared files with the default batch cap: a task over it can never go.
    const maxBatchBytes = DEFAULT_MAX_BATCH_MIB * 1024 * 1024;
    for await (const r of readTaskRecords(file.path, format, file.display, { maxItemBytes: maxBatchBytes })) {
      const message = checkTask(r.item, dataKeys) ?? checkTaskSize(r.item, maxBatchBytes);
      if (message && problems.length < 20)
        problems.push({
          severity: 'error',
          code: 'task-invalid',
          message: `item ${r.index + 1}: ${message}`,
          key: desired.name,
          file: file.display,
          line: r.line,
        });
      hashes.push(taskHash(r.item));
    }
  } catch (err) {
    if (!(err instanceof TaskFileError)) throw err;
    problems.push({
      severity: 'error',
      code: 'task-file',
      message: err.reason,
      key: desired.name,
      file: err.file,
      line: err.line,
    });
  }
  let missing = hashes.length;
  if (client && projectId !== undefined && problems.length === 0) {
    const sameFile = await countTaggedTasks(client, projectId, `${prefix(id)}file=${fileHash}`);
    if (sameFile >= hashes.length) missing = 0;
    else {
      const present = await presentHashes(client, projectId, id);
      missing = hashes.filter((h) => !present.has(h)).length;
    }
  }
  return { file, datasetId: id, fileHash, count: hashes.length, missing, problems, hashes };
}

async function presentHashes(client: LabelStudioClient, projectId: number, id: string): Promise<Set<string>> {
  const present = new Set<string>();
  for await (const metas of listTaggedMeta(client, projectId, prefix(id))) {
    for (const m of metas) {
      const h = / task=([0-9a-f]+)/.exec(m)?.[1];
      if (h) present.add(h);
    }
  }
  return present;
}

/** What importing a declared file did. */
export interface DatasetImport extends ImportProgress {
  /** Tasks of the file already on the server. */
  readonly skipped: number;
  /** Lines for the person running apply: copies removed, copies kept (with their ids). */
  readonly notes: string[];
}

/**
 * Imports the tasks of a declared file that the server does not hold yet, then makes sure each
 * row of this file version is on the server once: another run may have imported the same rows
 * at the same time (two applies racing), or the server may have stored a batch twice. When the
 * server holds more tasks of this file version than were there before plus what this run added,
 * copies are settled (lowest id stays; a copy someone worked on is kept and reported).
 */
export async function importDataset(
  client: LabelStudioClient,
  projectId: number,
  desired: ProjectResource,
  namespace: string,
  root: string,
  file: DeclaredTaskFile,
  opts: {
    batchSize?: number;
    maxBatchBytes?: number;
    onStart?: (missing: number) => Promise<void> | void;
    onCommitted?: (p: Readonly<ImportProgress>) => void;
    onDoubled?: (d: DoubledBatch) => void;
  } = {},
): Promise<DatasetImport> {
  const state = await readDatasetState(client, projectId, desired, namespace, root, file);
  const [problem] = state.problems;
  if (problem) throw new UserError(`${problem.file ?? file.display}:${problem.line ?? 1}: ${problem.message}`);
  const empty = {
    records: state.count,
    tasks: 0,
    annotations: 0,
    predictions: 0,
    batches: 0,
    bytes: 0,
    copiesRemoved: 0,
    copiesKept: [],
    skipped: state.count,
    notes: [],
  };
  if (state.missing === 0) return empty;
  await opts.onStart?.(state.missing);
  const present =
    state.missing === state.count ? new Set<string>() : await presentHashes(client, projectId, state.datasetId);
  // readDatasetState, above, refused a file whose format its name does not say.
  const format = file.format ?? formatFromPath(file.path)!;
  async function* missingRecords(): AsyncGenerator<TaskRecord> {
    for await (const r of readTaskRecords(file.path, format, file.display)) if (!present.has(taskHash(r.item))) yield r;
  }
  const scope = `${prefix(state.datasetId)}file=${state.fileHash}`;
  const before = await countTaggedTasks(client, projectId, scope);
  const result = await runImport({
    client,
    projectId,
    records: missingRecords(),
    skip: 0,
    scope,
    tagSuffix: (task) => ` task=${taskHash(task)}`,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    maxBatchBytes: opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_MIB * 1024 * 1024,
    ...(opts.onCommitted ? { onCommitted: opts.onCommitted } : {}),
    ...(opts.onDoubled ? { onDoubled: opts.onDoubled } : {}),
  });
  let removed = result.copiesRemoved;
  const kept = [...result.copiesKept];
  // Only another writer makes the count differ from what this run can account for.
  if ((await countTaggedTasks(client, projectId, scope)) !== before + result.tasks) {
    const settled = await settleCopies(client, projectId, scope);
    removed += settled.removed;
    kept.push(...settled.kept.filter((id) => !kept.includes(id)));
  }
  const notes: string[] = [];
  if (removed > 0)
    notes.push(
      `removed ${removed} duplicate ${removed === 1 ? 'copy' : 'copies'} (another run imported the same rows, or the server stored a batch twice)`,
    );
  if (kept.length > 0)
    notes.push(
      `${kept.length} duplicate ${kept.length === 1 ? 'copy was' : 'copies were'} kept because someone worked on ${kept.length === 1 ? 'it' : 'them'}: task ids ${kept.join(', ')}`,
    );
  return { ...result, copiesRemoved: removed, copiesKept: kept, skipped: state.count - state.missing, notes };
}

/** The plan's view of the declared files of one project (paths relative to the repository, so a saved plan applies from anywhere). */
export function toTaskImports(states: readonly DatasetState[], root: string): TaskImport[] {
  return states
    .filter((s) => s.missing > 0)
    .map((s) => ({ file: repoRelative(root, s.file.path), fingerprint: s.fileHash, tasks: s.missing }));
}

export function repoRelative(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  // A file stream opened without an encoding yields Buffers.
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}
