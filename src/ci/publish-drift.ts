import type { Io } from '../util/io.ts';
import { renderDriftMarkdown, type DriftReport } from '../reconcile/drift.ts';
import { UserError } from '../util/errors.ts';
import { readCiContext, type CiContext } from './ci-context.ts';
import { composeReport, contextOf, renderFooter, type ReportContext } from './compose-report.ts';
import { syncDriftIssue } from './drift-issue.ts';
import { COMMENT_BUDGET, cutMarkdown } from './fit-markdown.ts';
import { markerFor, type MarkerScope } from './marker.ts';
import { readToken } from './read-token.ts';
import { scopeFor } from './report-scope.ts';
import { appendStepSummary } from './step-summary.ts';
import { assertNever } from '../util/assert-never.ts';

export interface DriftPublishing {
  /** `-C`: the directory holding labelform.yaml, as given. */
  readonly dir: string;
  /** `--issue`: keep the drift issue of this directory and environment in step. */
  readonly issue: boolean;
  /** `--issue-token-env` (default GITHUB_TOKEN). */
  readonly issueTokenEnv?: string;
  /** `-e`, when given. */
  readonly env?: string;
  readonly debug: boolean;
}

/**
 * After a drift check: the report into the step summary (when `GITHUB_STEP_SUMMARY` is set) and,
 * with `--issue`, the drift issue opened, updated or closed. Returns the check's own exit code; an
 * issue that was asked for and could not be written is an error (exit 1).
 */
export async function publishDrift(io: Io, opts: DriftPublishing, report: DriftReport, code: number): Promise<number> {
  if (!opts.issue && !io.env.GITHUB_STEP_SUMMARY) return code;
  const scope = await scopeFor(io, opts.dir, report.environment, opts.env);
  const ci = await readCiContext(io.env).catch((err: unknown) => {
    if (opts.issue) throw err;
    return { platform: 'none' } as const;
  });
  const context = contextOf(scope, ci);
  // The renderer cuts by rows and says what it cut; cutMarkdown stays as the last resort.
  const render = (limit: number) => cutMarkdown(renderDriftMarkdown(report, limit), limit);
  await appendStepSummary(io, (budget) =>
    composeReport(
      { render, context, fullAt: 'the job log of this run, where `labelform drift` prints it whole' },
      budget,
    ),
  );
  if (opts.issue) await keepIssue(io, opts, ci, scope, context, report, render);
  return code;
}

async function keepIssue(
  io: Io,
  opts: DriftPublishing,
  ci: CiContext,
  scope: MarkerScope,
  context: ReportContext,
  report: DriftReport,
  render: (limit: number) => string,
): Promise<void> {
  if (ci.platform === 'gitlab')
    throw new UserError(
      '--issue opens GitHub issues; on GitLab CI, run `labelform drift --markdown` and let the job fail on exit code 2',
    );
  if (ci.platform === 'none' || !ci.repository) {
    throw new UserError(
      '--issue: GITHUB_REPOSITORY is not set to owner/name, so there is no repository to open the drift issue in (GitHub Actions sets it)',
    );
  }
  const tokenEnv = opts.issueTokenEnv ?? 'GITHUB_TOKEN';
  const token = readToken(
    io,
    tokenEnv,
    '--issue',
    'Pass the workflow token to the step (`env: GITHUB_TOKEN: ${{ github.token }}`) and give the job `permissions: issues: write`',
  );
  // Loaded only here: a plain `drift` does not pay for Octokit.
  const { gitHubFor } = await import('./github-client.ts');
  const { repositoryIssues } = await import('./github-threads.ts');
  const gh = gitHubFor(io, token, ci.apiUrl, opts.debug);
  const marker = markerFor('drift', scope);
  const outcome = await syncDriftIssue(repositoryIssues(gh, ci.repository, { tokenEnv, apiUrl: ci.apiUrl }), {
    marker,
    title: `labelform: drift in environment ${scope.env}${scope.dir === '.' ? '' : ` (${scope.dir})`}`,
    body: composeReport({ marker, render, context, fullAt: 'the job log of the run named below' }, COMMENT_BUDGET).text,
    closingComment: `✅ No drift any more: the server matches git again (environment \`${scope.env}\`, directory \`${scope.dir}\`). Closing.\n\n${renderFooter(context)}\n`,
    // Changes in git not applied yet leave the server apart from git too: the issue stays open
    // until the server matches (the report says which side moved).
    drift: report.drift || report.pending,
    errors: report.errors.length > 0,
  });
  switch (outcome.action) {
    case 'opened':
    case 'updated':
    case 'closed':
      io.stderr(
        `Drift issue #${outcome.issue.number} ${outcome.action}${outcome.issue.url ? `: ${outcome.issue.url}` : ''}.\n`,
      );
      return;
    case 'none':
      io.stderr('No drift, and no open drift issue to close.\n');
      return;
    case 'left':
      io.stderr('The drift check has errors and found no drift: the drift issue, if one is open, is left as it is.\n');
      return;
    default:
      return assertNever(outcome, 'drift issue outcome');
  }
}
