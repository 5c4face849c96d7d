import type { LabelStudioClient } from '../api/client.ts';
import { isApiError } from '../api/errors.ts';
import { UserError } from '../util/errors.ts';
import type { LsImportResult } from '../api/types.ts';
import { toTask, type TaskItem } from './check-task.ts';
import type { TaskRecord } from './read-records.ts';
import { META_KEY, countTaggedTasks } from './tagged-tasks.ts';

export interface ImportProgress {
  /** Records of the file consumed so far (skipped ones included). */
  records: number;
  /** Tasks this run sent and the server committed. */
  tasks: number;
  annotations: number;
  predictions: number;
  batches: number;
  bytes: number;
}

export interface ImportRun {
  readonly client: LabelStudioClient;
  readonly projectId: number;
  readonly records: AsyncIterable<TaskRecord>;
  /** Records at the start of the file already on the server (a resumed run). */
  readonly skip: number;
  /** The `meta.labelform` string for a task. */
  readonly tag: (task: TaskItem, record: TaskRecord) => string;
  /** A substring all this run's tags share, to count them on the server. */
  readonly tagPrefix: string;
  /** Tasks on the server carrying tagPrefix before this run sent anything. */
  readonly alreadyTagged: number;
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly onCommitted?: (p: Readonly<ImportProgress>) => Promise<void> | void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends tasks in batches that stay inside the server's limits (tasks per request and bytes per
 * request), in file order, one batch at a time. Each batch is all-or-nothing on the server, so
 * after a failure whose answer was lost the tagged-task count says whether it landed; a batch is
 * sent again only when it positively did not.
 */
export async function runImport(run: ImportRun): Promise<ImportProgress> {
  const progress: ImportProgress = { records: 0, tasks: 0, annotations: 0, predictions: 0, batches: 0, bytes: 0 };
  const sleep = run.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let parts: string[] = [];
  let bytes = 2;
  let pendingRecords = 0;

  const flush = async () => {
    if (parts.length === 0) return;
    const body = `[${parts.join(',')}]`;
    const count = parts.length;
    const result = await sendBatch(run, body, count, run.alreadyTagged + progress.tasks, sleep);
    progress.tasks += result.task_count ?? count;
    progress.annotations += Number(result.annotation_count ?? 0);
    progress.predictions += Number(result.prediction_count ?? 0);
    progress.batches++;
    progress.bytes += bytes;
    progress.records += pendingRecords;
    parts = [];
    bytes = 2;
    pendingRecords = 0;
    await run.onCommitted?.(progress);
  };

  for await (const record of run.records) {
    if (record.index < run.skip) {
      progress.records++;
      continue;
    }
    const task = toTask(record.item)!;
    const tagged = { ...task, meta: { ...(task.meta ?? {}), [META_KEY]: run.tag(task, record) } };
    const json = JSON.stringify(tagged);
    if (parts.length > 0 && (parts.length >= run.batchSize || bytes + Buffer.byteLength(json) + 1 > run.maxBatchBytes)) await flush();
    parts.push(json);
    bytes += Buffer.byteLength(json) + 1;
    pendingRecords++;
  }
  await flush();
  return progress;
}

async function sendBatch(run: ImportRun, body: string, count: number, taggedBefore: number, sleep: (ms: number) => Promise<void>): Promise<LsImportResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run.client.importTasks(run.projectId, body);
    } catch (err) {
      if (isApiError(err) && err.status === 500 && /cannot access body after reading/i.test(err.detail)) {
        // Django's answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (nothing was created).
        throw new UserError(
          `the server refused a batch of ${(Buffer.byteLength(body) / 1048576).toFixed(1)} MiB (${count} tasks): it is over the server's upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE)`,
          [],
          'Pass a smaller --max-batch-mb (or --batch-size); the tasks sent so far are committed, and --resume continues from there.',
        );
      }
      const ambiguous = isApiError(err) && (err.kind === 'network' || err.kind === 'timeout' || (err.status ?? 0) >= 500);
      if (!ambiguous || attempt >= 3) throw err;
      await sleep(1000 * (attempt + 1));
      const now = await countTaggedTasks(run.client, run.projectId, run.tagPrefix).catch(() => undefined);
      if (now === taggedBefore + count) return { task_count: count, annotation_count: null, prediction_count: null };
      if (now !== taggedBefore) throw err; // neither landed nor absent: do not guess
    }
  }
}
