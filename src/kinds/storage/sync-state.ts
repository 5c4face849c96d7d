import type { FieldChange } from '../../generated/schema-types.ts';
import { isApiError } from '../../api/errors.ts';
import { withholdSecrets } from '../../util/redact.ts';
import type { Direction, LiveStorage, LsStorage, StorageResource } from './types.ts';

/**
 * The field of a plan's change that stands for a sync labelform runs: not a field of the storage,
 * but how a pending sync shows in every renderer, in drift and in a saved plan (`status` as the
 * server answers it → `completed`).
 */
export const SYNC_FIELD = 'sync';

/** Statuses of a sync that is running now (queued in a job queue, or inline). */
const RUNNING = new Set(['queued', 'in_progress']);

/** Label Studio's words when it hides why S3 failed (io_storages/s3/utils.py `catch_and_reraise_from_none`). */
const HIDDEN_S3 = /Debugging info is not available for s3 endpoints/i;

/**
 * Whether a storage needs a sync labelform runs. Import: no sync has finished: never run
 * (`initialized`), or the last one failed or was stopped part way (`failed`). Label Studio clears
 * `last_sync` whenever a sync starts and sets it only when one finishes (io_storages/base_models.py
 * `_update_queued_status`, `info_set_completed`), and records nothing of who started it: a failed
 * sync started in the UI counts too, since its objects did not arrive either. Export: only a
 * `failed` last sync. The server syncs a new export storage itself, inside its create request
 * (`ExportStorageListAPI.perform_create`, SYNC_ON_TARGET_STORAGE_CREATION); one never synced was
 * made on a server with that setting off, whose choice it is, and every annotation saved later is
 * written to it as it is saved either way.
 */
export function unsynced(direction: Direction, s: LsStorage): 'never' | 'failed' | undefined {
  if (s.status === 'failed') return 'failed';
  if (direction === 'import' && s.status === 'initialized' && !s.last_sync) return 'never';
  return undefined;
}

export function syncRunning(s: LsStorage): boolean {
  return RUNNING.has(String(s.status));
}

/** Whether a live storage reads the same objects as a manifest: same type, place and prefix. */
export function sameSource(live: LsStorage, desired: StorageResource): boolean {
  const place = (x: Readonly<Record<string, unknown>>) =>
    [x.bucket ?? x.container ?? null, x.path ?? null, x.prefix ?? null, x.host ?? null].map((v) =>
      v === '' ? null : v,
    );
  return live.type === desired.spec.type && JSON.stringify(place(live)) === JSON.stringify(place(desired.spec));
}

/**
 * Another import storage of the same project that reads the same objects (a storage given a new
 * key): tasks are told apart per storage only, so syncing this one would import them again.
 */
export function twinOf(
  desired: StorageResource,
  self: { readonly id: number; readonly type: string } | undefined,
  projectId: number,
  live: readonly LiveStorage[],
): LiveStorage | undefined {
  return live.find(
    (l) =>
      l.parentId === projectId && !(self && l.id === self.id && l.raw.type === self.type) && sameSource(l.raw, desired),
  );
}

export type PendingSync =
  { readonly sync: FieldChange; readonly note: string } | { readonly running: string } | undefined;

/**
 * What the plan says about syncing a managed storage that exists; pure. An import storage whose
 * sync never finished gets one (the promise of "synced once" also holds after an apply that died
 * between its create and its sync, or a sync that failed), unless the manifest or the server says
 * it is not synchronizable, or another storage of the project reads the same objects. An export
 * storage gets one when its last sync failed (the one its create ran, or a later one): the
 * project's annotations did not all reach it. A sync running now is left alone (two at once could
 * import an object twice); the plan warns.
 */
export function pendingSync(
  direction: Direction,
  desired: StorageResource,
  target: LiveStorage,
  live: readonly LiveStorage[],
): PendingSync {
  const s = target.raw;
  // Label Studio refuses to sync a storage that is not synchronizable (400), export storages too.
  if ((desired.spec.synchronizable ?? s.synchronizable) === false) return undefined;
  if (direction === 'import' && twinOf(desired, s, s.project, live)) return undefined;
  // A sync that stopped without a word (its server killed) is marked failed by Label Studio's own
  // list read once it has not progressed for 5 × STORAGE_IN_PROGRESS_TIMER (`health_check`): then planned.
  if (syncRunning(s))
    return {
      running: `a sync of it is running now (status ${String(s.status)}${s.last_sync_count ? `, ${Number(s.last_sync_count)} ${unitOf(direction)} so far` : ''}), so none is planned; Label Studio marks a sync that stopped as failed once it has not progressed for 25 s (5 × STORAGE_IN_PROGRESS_TIMER), and the next plan then plans one`,
    };
  const why = unsynced(direction, s);
  if (!why) return undefined;
  const sync: FieldChange = { field: SYNC_FIELD, before: String(s.status), after: 'completed' };
  const reason =
    why === 'never'
      ? 'it has never been synced (an earlier apply may have stopped between its create and its sync)'
      : `its last sync did not finish: ${failureText(direction, s)}`;
  const what =
    direction === 'import'
      ? 'a sync imports only the objects that have no task from this storage yet'
      : 'a sync writes every annotation of the project to it again, over the objects written before';
  return { sync, note: `labelform syncs it: ${reason}; ${what}` };
}

/** How a sync ended, for apply and `storage sync` alike: only `completed` is a success. */
export function syncOutcome(
  direction: Direction,
  s: LsStorage,
): { readonly ok: true; readonly count: string } | { readonly ok: false; readonly message: string } {
  const count = Number(s.last_sync_count ?? 0);
  const unit = unitOf(direction);
  if (s.status === 'completed') return { ok: true, count: `${count} ${unit}` };
  if (s.status === 'completed_with_errors')
    return {
      ok: false,
      message: `completed with errors: ${count} ${unit}, and some were refused${tracebackError(s.traceback) ? ` (${tracebackError(s.traceback)})` : ''}; see the storage in the UI`,
    };
  if (syncRunning(s))
    return {
      ok: false,
      message: `was still ${String(s.status)} when labelform stopped waiting (${count} ${unit} so far)`,
    };
  return { ok: false, message: `ended ${String(s.status)}: ${failureText(direction, s)}` };
}

/**
 * Label Studio 1.23.2 hides why an S3 connection check failed when `s3_endpoint` is not on one of
 * its S3_TRUSTED_STORAGE_DOMAINS (io_storages/s3/utils.py `catch_and_reraise_from_none`): a 500
 * that names nothing. The check (`S3StorageMixin.validate_connection`) fails for a missing bucket,
 * refused credentials, and, for an import storage with a prefix, no object under that prefix.
 */
export function explainS3Failure(err: unknown, desired: StorageResource, direction: Direction): string | undefined {
  if (!(isApiError(err) && err.status === 500 && HIDDEN_S3.test(err.detail))) return undefined;
  const prefix = desired.spec.prefix;
  const hasPrefix = direction === 'import' && typeof prefix === 'string' && prefix !== '';
  const causes = [
    'the bucket does not exist',
    'the credentials are refused',
    ...(hasPrefix ? ['no object exists under the prefix (an import storage with a prefix needs at least one)'] : []),
  ];
  return (
    `Label Studio could not connect to the S3 bucket, and does not say why for an s3_endpoint outside its S3_TRUSTED_STORAGE_DOMAINS (HTTP 500 to ${err.method} ${err.path}). ` +
    `It refuses when ${causes.join(', or ')}: check ${hasPrefix ? 'those, or put an object under the prefix first' : 'both'}. The server's log shows the real error`
  );
}

function unitOf(direction: Direction): string {
  return direction === 'import' ? 'task(s)' : 'annotation(s)';
}

function failureText(direction: Direction, s: LsStorage): string {
  const line = tracebackError(s.traceback);
  const count = s.last_sync_count ? ` after ${Number(s.last_sync_count)} ${unitOf(direction)}` : '';
  // io_storages/s3/utils.py hides the cause for an s3_endpoint outside S3_TRUSTED_STORAGE_DOMAINS, reading objects too.
  const hidden =
    line && HIDDEN_S3.test(line)
      ? `Label Studio hides the cause for this s3_endpoint: an object that is not a JSON task file (with use_blob_urls: false), or one it cannot read; its log shows which`
      : undefined;
  return `status ${String(s.status)}${count}${hidden ? ` (${hidden})` : line ? ` (${line})` : ''}`;
}

/**
 * The error a server's traceback ends with (`ValueError: …`, with the lines its message runs on),
 * else its last line; withheld whole when it holds a secret value, cut at 200 characters.
 */
function tracebackError(traceback: unknown): string | undefined {
  if (typeof traceback !== 'string') return undefined;
  const lines = traceback
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return undefined;
  let from = lines.length - 1;
  for (const [i, line] of [...lines.entries()].reverse()) {
    if (/^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b:?/.test(line)) {
      from = i;
      break;
    }
    if (/^File "/.test(line)) break;
  }
  const safe = withholdSecrets(lines.slice(from).join(' '));
  return safe.length > 200 ? `${safe.slice(0, 199)}…` : safe;
}
