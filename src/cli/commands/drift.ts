import { driftFromPlan, renderDriftMarkdown, renderDriftText } from '../../reconcile/drift.ts';
import type { Io } from '../io.ts';
import { openSession, readAndPlan } from '../plan-shell.ts';

export interface DriftArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly json: boolean;
  readonly markdown: boolean;
}

/** `labelform drift`: exit 2 when the server differs from git, 0 when it does not, 1 on error. */
export async function runDrift(io: Io, args: DriftArgs): Promise<number> {
  const session = await openSession(io, args);
  const { plan } = await readAndPlan(io, session, { datasets: false });
  const report = driftFromPlan(plan);
  if (args.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (args.markdown) io.stdout(renderDriftMarkdown(report));
  else io.stdout(renderDriftText(report, io.color));
  if (report.errors.length) return 1;
  return report.drift ? 2 : 0;
}
