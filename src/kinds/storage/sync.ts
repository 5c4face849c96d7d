import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { syncRunning } from './sync-state.ts';
import { itemPath, type Direction, type LsStorage, type StorageType } from './types.ts';

export interface SyncWaitOptions {
  readonly onProgress?: (s: LsStorage) => void;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Syncs a storage and waits for the end: `POST …/sync` (on a server without a job queue it runs
 * inline and answers finished), then the storage read again every `pollMs` while its status is
 * queued or in progress, reporting the count so far. Returns the storage as it ended.
 */
export async function syncStorage(
  client: LabelStudioClient,
  direction: Direction,
  type: StorageType,
  id: number,
  opts: SyncWaitOptions = {},
): Promise<LsStorage> {
  let s: LsStorage;
  try {
    // Never sent twice: without a job queue the sync runs inside this request, and a second one
    // while it runs could import an object twice. It may take long, so it has the sync's own time.
    s = await client.http.request<LsStorage>('POST', `${itemPath(direction, type, id)}/sync`, {
      idempotent: false,
      timeoutMs: opts.timeoutMs ?? SYNC_TIMEOUT_MS,
    });
  } catch (err) {
    // The answer was lost (a reset, a timeout): the sync may be running or done. Read it, never post again.
    if (!(
      isApiError(err) &&
      (err.kind === 'timeout' || (err.kind === 'network' && err.code !== 'ECONNREFUSED' && err.code !== 'ENOTFOUND'))
    ))
      throw err;
    s = await client.http.request<LsStorage>('GET', itemPath(direction, type, id));
  }
  return waitForSync(client, direction, s, opts);
}

/** How long a sync may take (inline, or queued and polled) before labelform stops waiting. */
const SYNC_TIMEOUT_MS = 30 * 60_000;

/**
 * Reads a storage again every `pollMs` while its sync is queued or in progress (a sync a job
 * queue runs, or the one an export storage's create started), from `s` as last read.
 */
export async function waitForSync(
  client: LabelStudioClient,
  direction: Direction,
  s: LsStorage,
  opts: SyncWaitOptions = {},
): Promise<LsStorage> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const end = Date.now() + (opts.timeoutMs ?? SYNC_TIMEOUT_MS);
  while (syncRunning(s) && Date.now() < end) {
    opts.onProgress?.(s);
    await sleep(opts.pollMs ?? 1000);
    s = await client.http.request<LsStorage>('GET', itemPath(direction, s.type, s.id));
  }
  opts.onProgress?.(s);
  return s;
}
