import { driftExitCode, type DriftReport } from '../reconcile/drift.ts';
import { showDuration } from '../util/duration.ts';
import { sleepUnlessAborted } from '../util/sleep.ts';
import { ChangeTracker, type CycleOutcome, type ErrorKind, type WatchEvent } from './events.ts';
import type { WatchLog } from './log.ts';
import type { Health, WatchMetrics } from './metrics.ts';

/** What one cycle read: the drift report, and every resource git declares (`resourceId`). */
export interface CycleResult {
  readonly report: DriftReport;
  readonly desired: ReadonlySet<string>;
}

/** A cycle that could not compare: the checkout's manifests do not load (`git`), or the server cannot be read (`server`). */
export class CycleFailure extends Error {
  constructor(
    readonly kind: Exclude<ErrorKind, 'check'>,
    message: string,
  ) {
    super(message);
  }
}

export interface CycleInfo {
  /** 1 for the first cycle. */
  readonly n: number;
  readonly ok: boolean;
  readonly events: readonly WatchEvent[];
  /** HTTP requests the cycle sent. */
  readonly requests: number;
  /** How long the loop waits before the next cycle (the interval with jitter, or the back-off). */
  readonly waitMs: number;
  readonly retained: ReturnType<ChangeTracker['retained']>;
}

export interface WatchLoopOptions {
  readonly intervalMs: number;
  /** Each wait is the interval times 1 ± this, at random (default 0.1): watchers started together spread out. */
  readonly jitter?: number;
  /** One cycle, then return its exit code (as `drift`'s: 0 matches, 2 differs, 1 error). */
  readonly once?: boolean;
  readonly cycle: () => Promise<CycleResult>;
  /** HTTP requests sent so far, all clients together (the loop counts each cycle's share). */
  readonly requests: () => number;
  readonly emit: (events: readonly WatchEvent[]) => void;
  readonly log: WatchLog;
  readonly metrics?: WatchMetrics;
  /** Aborted: stop now. The cycle in flight is abandoned (its requests are cut by the client's own signal). */
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly random?: () => number;
  /** The wait between cycles; over early when `signal` aborts. Default: a real timer. */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * After a successful cycle's events are out: `--self-heal` (its events are emitted after the
   * cycle's) and `--issue`. Given the report and the events the cycle emitted; not abandoned on
   * SIGTERM (a write in flight finishes), and not started once stopping.
   */
  readonly afterReport?: (report: DriftReport, emitted: readonly WatchEvent[]) => Promise<readonly WatchEvent[]>;
  /** Called after each cycle, before the wait (tests look and act here). */
  readonly afterCycle?: (info: CycleInfo) => void | Promise<void>;
}

export interface WatchLoop {
  /** Runs cycles until the signal aborts (then 0), or one with `once` (its exit code). */
  run(): Promise<number>;
  /** Healthy after a successful cycle within the last three intervals. */
  health(): Health;
  readonly tracker: ChangeTracker;
}

/** The first wait after a failed cycle; it doubles with each failure in a row, up to the interval. */
export const BACKOFF_START_MS = 1000;

/**
 * The `watch` loop: a cycle (the reads of `drift`) every interval, with jitter; what changed
 * since the last cycle as events (see `ChangeTracker`); after a failure, an exponential back-off
 * capped at the interval, the error reported once and its recovery when a cycle succeeds again.
 * Holds nothing per cycle: the tracker holds what differs now, the loop a few numbers.
 */
export function createWatchLoop(opts: WatchLoopOptions): WatchLoop {
  const tracker = new ChangeTracker();
  const random = opts.random ?? Math.random;
  const jitter = opts.jitter ?? 0.1;
  const wait = opts.wait ?? sleepUnlessAborted;
  let lastSuccessAt: number | undefined;
  let cycles = 0;
  let failuresInARow = 0;

  const health = (): Health => {
    const now = opts.now();
    const ok = lastSuccessAt !== undefined && now - lastSuccessAt <= 3 * opts.intervalMs;
    return {
      ok,
      body: {
        status: ok ? 'ok' : lastSuccessAt === undefined ? 'starting' : 'failing',
        lastSuccessAt: lastSuccessAt === undefined ? null : new Date(lastSuccessAt).toISOString(),
        cycles,
        failuresInARow,
      },
    };
  };

  const run = async (): Promise<number> => {
    const { signal, log } = opts;
    while (!signal.aborted) {
      cycles++;
      const started = opts.now();
      const requestsBefore = opts.requests();
      let outcome: CycleOutcome;
      let code: number;
      try {
        const result = await unlessAborted(opts.cycle(), signal);
        outcome = { ok: true, report: result.report, desired: result.desired };
        code = driftExitCode(result.report);
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof CycleFailure) {
          outcome = { ok: false, kind: err.kind, message: err.message };
        } else {
          // A bug, not a state of the server: reported (once) and retried like a failure, so a
          // service does not die of one odd answer; --debug logs the stack.
          const e = err instanceof Error ? err : new Error(String(err));
          log.debug('unexpected error in a cycle', { stack: e.stack });
          outcome = { ok: false, kind: 'check', key: 'internal', message: `internal error: ${e.message}` };
        }
        code = 1;
      }
      const finished = opts.now();
      const observed = tracker.observe(outcome, new Date(finished).toISOString());
      opts.emit(observed);
      // After the drift is reported, and not abandoned on SIGTERM (a heal in flight finishes: a
      // write is not cut half-way); none starts once stopping.
      const healed =
        outcome.ok && opts.afterReport && !signal.aborted ? await opts.afterReport(outcome.report, observed) : [];
      opts.emit(healed);
      const events = [...observed, ...healed];
      const requests = opts.requests() - requestsBefore;
      opts.metrics?.cycle(outcome.ok ? 'ok' : 'error', requests, finished - started);
      if (!outcome.ok) opts.metrics?.failed(outcome.kind);
      else if (outcome.report.errors.length) opts.metrics?.failed('check');
      if (outcome.ok) {
        lastSuccessAt = finished;
        opts.metrics?.succeeded(finished);
      }
      opts.metrics?.drifted(tracker.driftedBySide());
      if (opts.once) return code;

      failuresInARow = outcome.ok ? 0 : failuresInARow + 1;
      const base = failuresInARow
        ? Math.min(opts.intervalMs, BACKOFF_START_MS * 2 ** Math.min(failuresInARow - 1, 30))
        : opts.intervalMs;
      const waitMs = Math.max(0, Math.round(base * (1 + (random() * 2 - 1) * jitter)));
      log.debug('cycle', {
        n: cycles,
        ok: outcome.ok,
        requests,
        durationMs: finished - started,
        events: events.length,
        nextInMs: waitMs,
      });
      if (failuresInARow) log.debug(`retrying in ${showDuration(waitMs)}`, { failuresInARow });
      await opts.afterCycle?.({
        n: cycles,
        ok: outcome.ok,
        events,
        requests,
        waitMs,
        retained: tracker.retained(),
      });
      if (signal.aborted) break;
      await wait(waitMs, signal);
    }
    return 0;
  };

  return { run, health, tracker };
}

/** `p`, unless `signal` aborts first: then a rejection at once (and `p`'s own outcome is dropped). */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => {});
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Error('aborted'));
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
