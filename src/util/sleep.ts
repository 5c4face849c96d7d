/**
 * A real wait of `ms`, over at once (and its timer cleared) when `signal` aborts: a stopping run
 * neither waits out a retry or an interval nor keeps the process alive with a pending timer.
 */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
