import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import type { LabelStudioClient } from '../api/client.ts';
import type { PlanDiagnostic, TaskImport } from '../generated/schema-types.ts';
import type { DeclaredTaskFile, ProjectResource } from '../manifest/types.ts';
import { fingerprintValue } from '../state/fingerprint.ts';
import { UserError } from '../util/errors.ts';
import { checkTask, toTask } from './check-task.ts';
import { runImport, type ImportProgress } from './import-tasks.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_MIB } from './limits.ts';
import { formatFromPath, readTaskRecords, TaskFileError, type TaskRecord } from './read-records.ts';
import { countTaggedTasks, listTaggedMeta } from './tagged-tasks.ts';

/**
 * Declared datasets (`tasks: [{file}]` in a Project manifest). Every task labelform imports from
 * one carries `meta.labelform = "labelform-dataset=<dataset> file=<file hash> task=<task hash>"`:
 * the dataset id names (namespace, project key, path), the file hash the file's content when it
 * was imported, the task hash the task itself. An unchanged file is recognised with one request
 * (the count of tasks carrying its file hash); a changed file is compared task by task, and only
 * the tasks not yet on the server are imported. Tasks never get deleted because a file changed.
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
    problems.push({ severity: 'error', code: 'task-file-format', message: `${file.display}: cannot tell the format from the extension; add format: json|jsonl|csv|tsv`, key: desired.name, file: desired.file, line: at.line, col: at.col, pointer: file.pointer });
    return { file, datasetId: id, fileHash, count: 0, missing: 0, problems, hashes };
  }
  try {
    for await (const r of readTaskRecords(file.path, format, file.display)) {
      const message = checkTask(r.item, dataKeys);
      if (message && problems.length < 20) problems.push({ severity: 'error', code: 'task-invalid', message: `item ${r.index + 1}: ${message}`, key: desired.name, file: file.display, line: r.line });
      hashes.push(taskHash(r.item));
    }
  } catch (err) {
    if (!(err instanceof TaskFileError)) throw err;
    problems.push({ severity: 'error', code: 'task-file', message: err.reason, key: desired.name, file: err.file, line: err.line });
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

/** Imports the tasks of a declared file that the server does not hold yet. */
export async function importDataset(
  client: LabelStudioClient,
  projectId: number,
  desired: ProjectResource,
  namespace: string,
  root: string,
  file: DeclaredTaskFile,
  opts: { batchSize?: number; maxBatchBytes?: number; onStart?: (missing: number) => Promise<void> | void; onCommitted?: (p: Readonly<ImportProgress>) => void } = {},
): Promise<ImportProgress & { skipped: number }> {
  const state = await readDatasetState(client, projectId, desired, namespace, root, file);
  if (state.problems.length) throw new UserError(`${state.problems[0]!.file ?? file.display}:${state.problems[0]!.line ?? 1}: ${state.problems[0]!.message}`);
  const empty = { records: state.count, tasks: 0, annotations: 0, predictions: 0, batches: 0, bytes: 0, skipped: state.count };
  if (state.missing === 0) return empty;
  await opts.onStart?.(state.missing);
  const present = state.missing === state.count ? new Set<string>() : await presentHashes(client, projectId, state.datasetId);
  const format = file.format ?? formatFromPath(file.path)!;
  async function* missingRecords(): AsyncGenerator<TaskRecord> {
    for await (const r of readTaskRecords(file.path, format, file.display)) if (!present.has(taskHash(r.item))) yield r;
  }
  const tagPrefix = `${prefix(state.datasetId)}file=${state.fileHash}`;
  const alreadyTagged = await countTaggedTasks(client, projectId, tagPrefix);
  const result = await runImport({
    client,
    projectId,
    records: missingRecords(),
    skip: 0,
    tag: (task) => `${tagPrefix} task=${taskHash(task)}`,
    tagPrefix,
    alreadyTagged,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    maxBatchBytes: opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_MIB * 1024 * 1024,
    ...(opts.onCommitted ? { onCommitted: opts.onCommitted } : {}),
  });
  return { ...result, skipped: state.count - state.missing };
}

/** The plan's view of the declared files of one project (paths relative to the repository, so a saved plan applies from anywhere). */
export function toTaskImports(states: readonly DatasetState[], root: string): TaskImport[] {
  return states.filter((s) => s.missing > 0).map((s) => ({ file: repoRelative(root, s.file.path), fingerprint: s.fileHash, tasks: s.missing }));
}

export function repoRelative(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}
