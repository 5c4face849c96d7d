import { readFile, stat } from 'node:fs/promises';
// proper-lockfile: the maintained mkdir-based lock npm itself used; it refreshes the lock's
// mtime while held, so a lock whose holder was killed goes stale and is taken over.
import lockfile from 'proper-lockfile';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import type { TaskSource } from './sources.ts';

/**
 * The small progress file kept next to an imported file (`tasks.jsonl.labelform-import.json`):
 * which import this is (its id tags every task it sends), where it goes, and what is committed.
 * Rewritten atomically after every batch the server accepted.
 */
export interface ImportSidecar {
  readonly version: 1;
  readonly importId: string;
  readonly server: string;
  readonly projectId: number;
  readonly sources: ReadonlyArray<{ readonly file: string; readonly size: number; readonly mtimeMs: number }>;
  readonly committed: { records: number; tasks: number; annotations: number; predictions: number; batches: number };
  readonly complete: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
}

export function sidecarPath(input: string, isDirectory: boolean): string {
  return isDirectory ? `${input.replace(/\/+$/, '')}/.labelform-import.json` : `${input}.labelform-import.json`;
}

export async function readSidecar(path: string): Promise<ImportSidecar | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as ImportSidecar;
    return value.version === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSidecar(path: string, sidecar: ImportSidecar): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(sidecar, null, 2)}\n`);
}

export async function describeSources(sources: readonly TaskSource[]): Promise<ImportSidecar['sources']> {
  return Promise.all(
    sources.map(async (s) => {
      const st = await stat(s.path);
      // Absolute: the same import can be resumed from any working directory.
      return { file: s.path, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
    }),
  );
}

/** True when the files are the ones the sidecar was written for (same names, sizes and times). */
export function sameSources(a: ImportSidecar['sources'], b: ImportSidecar['sources']): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.file === b[i]!.file && x.size === b[i]!.size && x.mtimeMs === b[i]!.mtimeMs)
  );
}

/** A lock not refreshed for this long belongs to a run that stopped (it is refreshed every 5 s). */
export const LOCK_STALE_MS = 10_000;

/** How long a run waits for a lock another run holds: long enough for a killed run's lock to go stale. */
export const LOCK_WAIT_MS = LOCK_STALE_MS + 2_000;

export interface SidecarLock {
  /** The lock directory (`<sidecar>.lock`). */
  readonly path: string;
  /** Set when the lock was a stopped run's and this one took it over: how long it had not been refreshed. */
  readonly tookOverAfterMs: number | undefined;
  /** Throws when the lock was lost (this process stalled past the stale time and another run took it). */
  assertHeld(): void;
  release(): Promise<void>;
}

export interface LockWaitOptions {
  /** Longest wait for a held lock; default {@link LOCK_WAIT_MS}. */
  readonly waitMs?: number;
  /** Called once when the lock is held by another run and this one starts waiting (its age in ms). */
  readonly onWait?: (ageMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Locks a sidecar for one import (`<sidecar>.lock`, a directory, so taking it is atomic on any
 * file system). While another run holds it, waits at most {@link LOCK_WAIT_MS}: a live holder
 * refreshes its lock and the wait ends in an error naming the lock; a killed holder's lock is no
 * longer refreshed, goes stale after {@link LOCK_STALE_MS} and is taken over, so a run started
 * right after a `kill -9` carries on. `input` is how the user named the file, for messages.
 */
export async function lockSidecar(sidecar: string, input = sidecar, opts: LockWaitOptions = {}): Promise<SidecarLock> {
  const path = `${sidecar}.lock`;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (opts.waitMs ?? LOCK_WAIT_MS);
  const ageMs = async () => {
    const st = await stat(path).catch(() => undefined);
    return st ? Math.max(0, Date.now() - st.mtimeMs) : undefined;
  };
  let lost: Error | undefined;
  let waiting = false;
  for (;;) {
    const age = await ageMs();
    try {
      const release = await lockfile.lock(sidecar, {
        lockfilePath: path,
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: 0,
        onCompromised: (err) => {
          lost = err;
        },
      });
      return {
        path,
        // proper-lockfile removes a stale lock silently; its age just before says it did.
        tookOverAfterMs: age !== undefined && age > LOCK_STALE_MS ? age : undefined,
        assertHeld: () => {
          if (lost) {
            throw new UserError(
              `lost the lock on ${input} (${path}): this run stalled for more than ${LOCK_STALE_MS / 1000} s and another run may have taken the import over; stopping`,
              [],
              'The tasks sent so far are committed; run again with --resume to continue.',
            );
          }
        },
        release: async () => {
          if (!lost) await release().catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') {
        throw new UserError(
          `cannot lock ${input} for this import: ${(err as Error).message}`,
          [],
          `labelform keeps its progress beside the file (${sidecar}) and locks it with ${path}; the folder must be writable.`,
        );
      }
      const now = (await ageMs()) ?? 0;
      if (Date.now() >= deadline) {
        throw new UserError(
          `${input} is being imported by another labelform run (lock ${path}, refreshed ${Math.round(now / 1000)} s ago)`,
          [],
          `That run is alive: it keeps refreshing the lock (a killed run's lock goes stale within ${LOCK_STALE_MS / 1000} s and is taken over). Wait for it to finish, then run again with --resume if it did not complete.`,
        );
      }
      if (!waiting) opts.onWait?.(now);
      waiting = true;
      await sleep(500);
    }
  }
}
