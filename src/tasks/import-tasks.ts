import { randomBytes } from 'node:crypto';
import type { LabelStudioClient } from '../api/client.ts';
import { isApiError, type ApiError } from '../api/errors.ts';
import { UserError } from '../util/errors.ts';
import type { LsImportResult } from '../api/types.ts';
import { BatchBody } from './batch-body.ts';
import { toTask, type TaskItem } from './check-task.ts';
import type { TaskRecord } from './read-records.ts';
import { settleCopies, type SettleReport } from './settle-copies.ts';
import { META_KEY, batchText, countTaggedTasks, runText, taskTag } from './tagged-tasks.ts';

export interface ImportProgress {
  /** Records of the file consumed so far (skipped ones included). */
  records: number;
  /** Tasks this run sent and the server committed (once each, whatever the server repeated). */
  tasks: number;
  annotations: number;
  predictions: number;
  batches: number;
  bytes: number;
  /** Extra copies of this run's batches that the server made and this run deleted. */
  copiesRemoved: number;
  /** Extra copies left in place because someone worked on them. */
  copiesKept: number[];
}

/** A batch the server stored more than once, and what was done about it. */
export interface DoubledBatch extends SettleReport {
  /** 1-based, within this run. */
  readonly batch: number;
  /** Tasks in the batch. */
  readonly size: number;
  /** Tasks of the batch on the server before settling. */
  readonly found: number;
}

export interface ImportRun {
  readonly client: LabelStudioClient;
  readonly projectId: number;
  readonly records: AsyncIterable<TaskRecord>;
  /** Records at the start of the file already on the server (a resumed run). */
  readonly skip: number;
  /**
   * What every task of this import carries at the start of its `meta.labelform` tag
   * (`labelform-import=<id>`, or a dataset's `labelform-dataset=<id> file=<hash>`); the batch
   * and item follow (see tagged-tasks.ts).
   */
  readonly scope: string;
  /** Text after the item in a task's tag (a dataset's ` task=<hash>`). */
  readonly tagSuffix?: (task: TaskItem) => string;
  /** Names this run's batches; random unless given. */
  readonly runId?: string;
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly onCommitted?: (p: Readonly<ImportProgress>) => Promise<void> | void;
  /** A batch turned out to be on the server more than once (and was settled). */
  readonly onDoubled?: (d: DoubledBatch) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends tasks in batches that stay inside the server's limits (tasks per request and bytes per
 * request), in file order, one request at a time; the next batch is read and built while the
 * server stores the last one (never more than one ahead, so memory stays flat). Each batch
 * carries its own tag, and every tag of the run starts the same way, so one count at the end says
 * whether the server stored any batch more than once: Label Studio on SQLite re-runs a request
 * that hit a locked database, and an import that was committed before the lock is then committed
 * twice while the client sees one answer. Only when that count is more than the run sent are the
 * batches counted one by one, and the extra copies of each doubled one settled
 * (settle-copies.ts). After a failure whose answer was lost, the batch's count says whether it
 * landed; it is sent again only when it positively did not.
 */
export async function runImport(run: ImportRun): Promise<ImportProgress> {
  const progress: ImportProgress = {
    records: 0,
    tasks: 0,
    annotations: 0,
    predictions: 0,
    batches: 0,
    bytes: 0,
    copiesRemoved: 0,
    copiesKept: [],
  };
  const sleep = run.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const runId = run.runId ?? randomBytes(4).toString('hex');
  const sent: SentBatch[] = [];
  // Two buffers: one in flight, one being filled (batch-body.ts).
  let filling = new BatchBody();
  let spare = new BatchBody();
  let bytes = 2;
  let pendingRecords = 0;
  // Batches built so far: the one being built is number `built + 1`, whatever is in flight.
  let built = 0;
  // The request in flight (at most one), and how it failed: a failure is kept, not left as an
  // unhandled rejection while the next batch is read, and thrown before anything else is sent.
  let inFlight: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const settleInFlight = async () => {
    await inFlight;
    inFlight = undefined;
    if (failure) throw failure.error;
  };

  const send = async (batch: SentBatch, body: Buffer, batchBytes: number, records: number) => {
    const result = await sendBatch(run, body, batch.size, batch.text, sleep);
    sent.push(batch);
    progress.tasks += result.task_count ?? batch.size;
    progress.annotations += Number(result.annotation_count ?? 0);
    progress.predictions += Number(result.prediction_count ?? 0);
    progress.batches = batch.n;
    progress.bytes += batchBytes;
    progress.records += records;
    await run.onCommitted?.(progress);
  };

  const flush = async () => {
    if (filling.count === 0) return;
    const n = ++built;
    const batch = { n, size: filling.count, text: batchText(run.scope, batchName(runId, n)) };
    const body = filling.finish();
    const batchBytes = bytes;
    const records = pendingRecords;
    bytes = 2;
    pendingRecords = 0;
    // The request before ends first: its buffer is the one filled next.
    await settleInFlight();
    inFlight = send(batch, body, batchBytes, records).catch((error: unknown) => {
      failure = { error };
    });
    [filling, spare] = [spare, filling];
    filling.reset();
  };

  for await (const record of run.records) {
    if (record.index < run.skip) {
      progress.records++;
      continue;
    }
    if (failure) break;
    const task = toTask(record.item)!;
    const suffix = run.tagSuffix?.(task) ?? '';
    let json = tagged(task, taskTag(run.scope, batchName(runId, built + 1), record.index, suffix));
    if (
      filling.count > 0 &&
      (filling.count >= run.batchSize || bytes + Buffer.byteLength(json) + 1 > run.maxBatchBytes)
    ) {
      await flush();
      // The batch number is in the tag: a task that starts a new batch is tagged again.
      json = tagged(task, taskTag(run.scope, batchName(runId, built + 1), record.index, suffix));
    }
    filling.add(json);
    bytes += Buffer.byteLength(json) + 1;
    pendingRecords++;
  }
  await flush();
  await settleInFlight();
  await settleDoubled(run, runId, sent, progress);
  return progress;
}

/** A batch the server answered for: its number, its tasks, and the text only its tasks carry. */
interface SentBatch {
  readonly n: number;
  readonly size: number;
  readonly text: string;
}

/**
 * One count of every task this run sent. When the server holds more (it stored a batch twice),
 * each batch is counted and the doubled ones settled, as they are reported: by batch.
 */
async function settleDoubled(
  run: ImportRun,
  runId: string,
  sent: readonly SentBatch[],
  progress: ImportProgress,
): Promise<void> {
  if (sent.length === 0) return;
  const expected = sent.reduce((n, b) => n + b.size, 0);
  if ((await countTaggedTasks(run.client, run.projectId, runText(run.scope, runId))) <= expected) return;
  for (const batch of sent) {
    const found = await countTaggedTasks(run.client, run.projectId, batch.text);
    if (found <= batch.size) continue;
    const settled = await settleCopies(run.client, run.projectId, batch.text);
    progress.copiesRemoved += settled.removed;
    progress.copiesKept.push(...settled.kept);
    run.onDoubled?.({ ...settled, batch: batch.n, size: batch.size, found });
  }
}

function tagged(task: TaskItem, tag: string): string {
  return JSON.stringify({ ...task, meta: { ...(task.meta ?? {}), [META_KEY]: tag } });
}

function batchName(runId: string, n: number): string {
  return `${runId}.${n}`;
}

async function sendBatch(
  run: ImportRun,
  body: Buffer,
  count: number,
  text: string,
  sleep: (ms: number) => Promise<void>,
): Promise<LsImportResult> {
  // The server's last answer to this batch, when it answered with a 5xx: the same answer twice
  // is the server's verdict on the batch, not a lost answer, and is not sent a third time.
  let previous: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run.client.importTasks(run.projectId, body);
    } catch (err) {
      if (isApiError(err) && err.status === 500 && /cannot access body after reading/i.test(err.detail)) {
        // Django's answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (nothing was created).
        throw new UserError(
          `the server refused a batch of ${(body.length / 1048576).toFixed(1)} MiB (${count} tasks): it is over the server's upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE)`,
          [],
          'Pass a smaller --max-batch-mb (or --batch-size); the tasks sent so far are committed, and --resume continues from there.',
        );
      }
      const ambiguous =
        isApiError(err) && (err.kind === 'network' || err.kind === 'timeout' || (err.status ?? 0) >= 500);
      if (!ambiguous || attempt >= 3) throw err;
      await sleep(1000 * (attempt + 1));
      const now = await countTaggedTasks(run.client, run.projectId, text).catch(() => undefined);
      // Landed (once or more: the caller counts again and settles copies).
      if (now !== undefined && now >= count)
        return { task_count: count, annotation_count: null, prediction_count: null };
      if (now !== 0) throw err; // neither landed nor absent: do not guess
      const answer = err.kind === 'http' ? `${err.status} ${err.detail}` : undefined;
      if (answer !== undefined && answer === previous) throw refusedTwice(err, count);
      previous = answer;
    }
  }
}

/**
 * A batch the server failed on twice in the same way, with nothing stored: said in words. The
 * server's text of a 500 is often a fragment of its SQL, which helps nobody here; its log has it.
 */
function refusedTwice(err: ApiError, count: number): UserError {
  const postgresText =
    /unsupported Unicode escape sequence|\\u0000 cannot be converted to text|invalid input syntax for type json/i.test(
      err.detail,
    );
  return new UserError(
    `the server failed twice in the same way (HTTP ${err.status}) on a batch of ${count} task${count === 1 ? '' : 's'} and stored none of it, so it is not sent again` +
      (postgresText
        ? ': its database (PostgreSQL) cannot store some text in these tasks, such as U+0000 or a lone surrogate'
        : "; the server's log says why"),
    [],
    'The batches before this one are committed; fix the cause and run the same command with --resume to continue from this batch.',
  );
}
