import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { importStorageKind } from '../../kinds/import-storage/kind.ts';
import type { Repository } from '../../kinds/kind.ts';
import { syncStorage } from '../../kinds/storage/sync.ts';
import { explainS3Failure, syncOutcome, syncRunning } from '../../kinds/storage/sync-state.ts';
import type { LiveStorage } from '../../kinds/storage/types.ts';
import { liveOf, type LiveState } from '../../state/live-state.ts';
import { isUserError } from '../../util/errors.ts';
import { redact } from '../../util/redact.ts';
import type { WatchLog } from '../../watch/log.ts';

export type SyncResult = 'ok' | 'failed';

/**
 * The scheduled syncs of `watch` (`sync: {every}` on an import storage): after a cycle, each
 * declared storage whose last sync (the server's `last_sync`, and this watcher's last attempt)
 * is older than `every`, and that is not syncing now, is synced, without holding the loop (a sync
 * can take long; the server runs it whether or not anyone waits). The server's clock of the last
 * sync makes it the same for any number of watchers and restarts; the watcher's own last attempt
 * keeps a sync that keeps failing from being tried every cycle. What it does is logged: a sync
 * that ended, with its count, and one that failed, by its key and id (a title or bucket may come
 * from `${env:...}`).
 */
export function createSyncScheduler(opts: {
  readonly log: WatchLog;
  readonly now: () => number;
  readonly onResult?: (result: SyncResult) => void;
}) {
  const attempted = new Map<number, number>();
  const running = new Map<number, Promise<void>>();
  return {
    /** Starts the syncs that are due; returns how many it started. */
    start(repo: Repository, live: LiveState, client: LabelStudioClient): number {
      const declared = importStorageKind.desired(repo).filter((d) => d.syncEveryMs !== undefined);
      if (!declared.length) return 0;
      const lives = liveOf<LiveStorage>(live, importStorageKind.kind);
      const now = opts.now();
      let started = 0;
      for (const d of declared) {
        const l = lives.find(
          (s) =>
            s.marker?.namespace === repo.config.namespace && s.marker.key === d.name && s.marker.parent === d.parent,
        );
        if (!l || running.has(l.id) || syncRunning(l.raw)) continue;
        const last = Math.max(Date.parse(l.raw.last_sync ?? '') || 0, attempted.get(l.id) ?? 0);
        if (now - last < d.syncEveryMs!) continue;
        attempted.set(l.id, now);
        const name = `${d.parent}/${d.name}`;
        const done = syncStorage(client, 'import', l.raw.type, l.id)
          .then((s) => {
            const outcome = syncOutcome('import', s);
            if (outcome.ok) {
              opts.log.info(`scheduled sync of import storage ${name} done: ${outcome.count}`, {
                storage: name,
                id: l.id,
              });
              opts.onResult?.('ok');
            } else {
              opts.log.warn(`scheduled sync of import storage ${name} (id ${l.id}) ${outcome.message}`);
              opts.onResult?.('failed');
            }
          })
          .catch((err: unknown) => {
            // Never thrown on: nobody awaits a scheduled sync, and the loop must go on.
            const why =
              explainS3Failure(err, d, 'import') ??
              (isUserError(err) || isApiError(err) ? redact(err.message) : `internal error: ${String(err)}`);
            opts.log.warn(`scheduled sync of import storage ${name} (id ${l.id}) failed: ${why}`);
            opts.onResult?.('failed');
          })
          .finally(() => running.delete(l.id));
        running.set(l.id, done);
        started++;
      }
      return started;
    },
    /** Resolves when the syncs started so far have ended (tests; a stopping watcher does not wait). */
    async idle(): Promise<void> {
      while (running.size) await Promise.all([...running.values()]);
    },
  };
}
