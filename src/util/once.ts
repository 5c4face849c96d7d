/**
 * One call of `fn` shared by every caller (an identity read once per run); a failure is not
 * kept, so a later call asks again.
 */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= fn().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}
