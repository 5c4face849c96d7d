import type { UpdateChange } from '../../generated/schema-types.ts';
import type { DriftEntry } from '../../reconcile/drift.ts';
import { resourceName } from '../../model/resource-name.ts';
import { isUserError } from '../../util/errors.ts';
import type { Io } from '../../util/io.ts';
import { redact } from '../../util/redact.ts';
import { readAndPlan, type Session } from '../plan-shell.ts';
import { execute, guardRollback } from './apply.ts';

/** A resource healed is not healed again within this time: a second edit is a person, not an accident. */
export const HEAL_EVERY_MS = 5 * 60_000;

export type HealOutcome =
  { readonly healed: true; readonly fields: readonly string[] } | { readonly healed: false; readonly reason: string };

/**
 * Why `--self-heal` leaves this drift alone, or undefined when it may put git's values back: only
 * fields changed on the server (every field's origin `server`: git's value is the one last
 * applied, so putting it back applies nothing a review has not seen), never a resource missing,
 * unmarked or orphaned, never what the annotation guard blocks.
 */
export function notHealable(e: DriftEntry): string | undefined {
  if (e.kind !== 'changed')
    return `it is ${e.kind === 'missing' ? 'missing on the server' : e.kind}; only changed fields are healed`;
  if (e.blockers?.length) return `apply would refuse it: ${e.blockers.join('; ')}`;
  const notServer = e.fields.filter((f) => f.origin !== 'server');
  if (notServer.length)
    return `${notServer.map((f) => f.field).join(', ')} ${notServer.length === 1 ? 'is' : 'are'} not only changed on the server (${[...new Set(notServer.map((f) => f.origin))].join(', ')}): that is for a reviewed apply`;
  return undefined;
}

/**
 * Puts git's values back on one resource: a plan targeted at it, carried out only when it holds
 * exactly this resource's update, of exactly the drifted fields, with no error (the annotation
 * guard's refusals are errors) and no rollback over a newer commit; then the same code as `apply`
 * carries it out. `io` gets what apply prints (the watcher keeps it out of its events).
 */
export async function healResource(io: Io, session: Session, e: DriftEntry, dir: string): Promise<HealOutcome> {
  const target = `${e.resourceKind}/${e.key}`;
  try {
    const { plan, live } = await readAndPlan(io, session, { targets: [target], datasets: false });
    if (plan.summary.errors > 0)
      return {
        healed: false,
        reason: `its plan has errors: ${plan.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => d.message)
          .slice(0, 2)
          .join('; ')}`,
      };
    const pending = plan.changes.filter((c) => c.action !== 'no-op');
    const [change] = pending;
    const mine =
      pending.length === 1 &&
      change!.action === 'update' &&
      change!.kind === e.resourceKind &&
      change!.key === e.key &&
      (change!.parent?.key ?? undefined) === e.parent;
    if (!mine) {
      if (pending.length === 0) return { healed: false, reason: 'it matches git again' };
      return {
        healed: false,
        reason: `its plan would change more than it (${pending.map((c) => `${c.action} ${resourceName(c)}`).join(', ')}): that is for a reviewed apply`,
      };
    }
    const fields = (change as UpdateChange).fields.map((f) => f.field);
    const drifted = new Set(e.fields.map((f) => f.field));
    const extra = fields.filter((f) => !drifted.has(f));
    if (extra.length)
      return { healed: false, reason: `its plan would also write ${extra.join(', ')}, which git changed` };
    await guardRollback(io, session, live, plan, false);
    const code = await execute(io, session, plan, live, {
      dir,
      debug: false,
      autoApprove: true,
      prune: false,
      allowDataLoss: false,
      allowDuplicateTitle: false,
      dedupe: false,
      target: [target],
    });
    return code === 0 ? { healed: true, fields } : { healed: false, reason: `apply exited with ${code}` };
  } catch (err) {
    if (!isUserError(err)) throw err;
    return { healed: false, reason: redact(err.message) };
  }
}
