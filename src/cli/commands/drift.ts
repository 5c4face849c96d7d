import {
  driftDiagnostics,
  driftExitCode,
  driftFromPlan,
  failedDriftReport,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
  type DriftReport,
} from '../../reconcile/drift.ts';
import { isUserError } from '../../util/errors.ts';
import { emitAnnotations } from '../annotations.ts';
import type { Io } from '../../util/io.ts';
import { openSession, readAndPlan } from '../plan-shell.ts';
import { publishDrift } from '../../ci/publish-drift.ts';

export interface DriftArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly json: boolean;
  readonly markdown: boolean;
  /** Open, update or close the drift issue of this directory and environment (GitHub). */
  readonly issue?: boolean;
  /** The variable holding the token for --issue (default GITHUB_TOKEN). */
  readonly issueTokenEnv?: string;
}

/**
 * `labelform drift`: exit 2 when the server does not match git (changed on the server, or
 * changed in git and not applied yet; the report says which), 0 when it does, 1 when the check
 * failed (the report still lists its errors and whatever it could compare).
 */
export async function runDrift(io: Io, args: DriftArgs): Promise<number> {
  const publishing = {
    dir: args.dir,
    issue: args.issue ?? false,
    debug: args.debug,
    ...(args.env ? { env: args.env } : {}),
    ...(args.issueTokenEnv ? { issueTokenEnv: args.issueTokenEnv } : {}),
  };
  let report: DriftReport;
  try {
    const session = await openSession(io, args);
    const { plan, live } = await readAndPlan(io, session, { datasets: false });
    report = driftFromPlan(plan, { repo: session.repo, live });
  } catch (err) {
    if (!isUserError(err)) throw err;
    // A check that failed before it could compare (manifests with errors, no server) is still a
    // drift report, in the format asked for, with its errors: never "no drift".
    const failed = failedDriftReport(
      err.diagnostics.length ? err.diagnostics : [{ severity: 'error', code: 'error', message: err.message }],
      args.env ? { environment: args.env } : {},
    );
    if (args.json || args.markdown) io.stdout(args.json ? renderDriftJson(failed) : renderDriftMarkdown(failed));
    // Publishing must not hide why the check failed: its own trouble is only a warning here.
    await publishDrift(io, publishing, failed, 1).catch((e: unknown) =>
      io.stderr(`warning: the failed drift check could not be published: ${(e as Error).message}\n`),
    );
    throw err;
  }
  if (args.json) io.stdout(renderDriftJson(report));
  else if (args.markdown) io.stdout(renderDriftMarkdown(report));
  else io.stdout(renderDriftText(report, io.color));
  emitAnnotations(io, driftDiagnostics(report));
  // Also into the step summary and, with --issue, the drift issue (see src/ci/).
  return publishDrift(io, publishing, report, driftExitCode(report));
}
