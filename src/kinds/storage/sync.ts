import type { LabelStudioClient } from '../../api/client.ts';
import { itemPath, type Direction, type LsStorage, type StorageType } from './types.ts';

const FINISHED = new Set(['completed', 'completed_with_errors', 'failed']);

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
  opts: { readonly onProgress?: (s: LsStorage) => void; readonly pollMs?: number; readonly timeoutMs?: number; readonly sleep?: (ms: number) => Promise<void> } = {},
): Promise<LsStorage> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let s = await client.http.request<LsStorage>('POST', `${itemPath(direction, type, id)}/sync`, { idempotent: true });
  const end = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  while (!FINISHED.has(String(s.status)) && Date.now() < end) {
    opts.onProgress?.(s);
    await sleep(opts.pollMs ?? 1000);
    s = await client.http.request<LsStorage>('GET', itemPath(direction, type, id));
  }
  opts.onProgress?.(s);
  return s;
}
