import { isApiError } from '../../api/errors.ts';
import type { DeleteChange } from '../../generated/schema-types.ts';
import { Refusal, type ApplyRun, type StepDone } from '../kind.ts';

/** The manifest a create or update writes; gone since the plan, the step is refused. */
export function need<D>(desired: D | undefined, key: string): D {
  if (!desired) throw new Refusal(`no manifest for "${key}" any more`);
  return desired;
}

/** A delete's error, unless it is a 404: gone already (a racing run removed it first). */
export function ignore404(err: unknown): void {
  if (!(isApiError(err) && err.status === 404)) throw err;
}

/** Sends a DELETE; a 404 (gone already) is fine. */
export async function deleteIgnoringGone(request: () => Promise<unknown>): Promise<void> {
  await request().then(() => undefined, ignore404);
}

/**
 * A delete step of a resource that holds no data: a copy (`duplicateOf`) goes without asking, any
 * other only when the person confirms (when someone is asked at all; `mismatch` says what was
 * typed back), and a 404 is fine.
 */
export async function confirmedDelete(
  run: Pick<ApplyRun, 'confirmDelete'>,
  change: DeleteChange,
  mismatch: string,
  remove: () => Promise<unknown>,
): Promise<StepDone> {
  if (run.confirmDelete && change.duplicateOf === undefined && !(await run.confirmDelete(change)))
    return { id: change.id, skipped: mismatch };
  await deleteIgnoringGone(remove);
  return { id: change.id };
}
