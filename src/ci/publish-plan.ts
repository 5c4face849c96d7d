import type { Plan } from '../generated/schema-types.ts';
import type { Io } from '../util/io.ts';
import { renderFailureDocument } from './failure-document.ts';
import { renderPlanMarkdown, type MarkdownExtras } from '../reconcile/render-markdown.ts';
import { isUserError, UserError } from '../util/errors.ts';
import { readCiContext, type CiContext } from './ci-context.ts';
import { composeReport, contextOf } from './compose-report.ts';
import { COMMENT_BUDGET, cutMarkdown } from './fit-markdown.ts';
import { markerFor, type MarkerScope } from './marker.ts';
import { encodePlanData } from './plan-data.ts';
import { readToken } from './read-token.ts';
import { scopeFor } from './report-scope.ts';
import { appendStepSummary } from './step-summary.ts';
import { upsertMarkedComment, type CommentThread } from './upsert-comment.ts';

export interface PlanPublishing {
  /** `-C`: the directory holding labelform.yaml, as given. */
  readonly dir: string;
  /** `-e`, when given. */
  readonly env?: string;
  /** `--comment`: create or update the pull request's plan comment. */
  readonly comment: boolean;
  /** `--comment-token-env`: the variable holding the token (default GITHUB_TOKEN / GITLAB_TOKEN). */
  readonly commentTokenEnv?: string;
  readonly debug: boolean;
  /** `--out`, for the pointer to the whole plan. */
  readonly out?: string;
  /** What the Markdown plan shows beyond the plan (label-config previews). */
  readonly extras?: MarkdownExtras;
}

export interface PlanRun {
  readonly plan: Plan;
  readonly code: number;
}

/**
 * Runs a plan, then writes it to the step summary (when `GITHUB_STEP_SUMMARY` is set) and, with
 * `--comment`, to the pull request's plan comment. A plan that fails before it exists (manifests
 * with errors, no server) is published as that failure, then the error goes on as before.
 *
 * Exit code: the plan's own, except that a comment that was asked for and could not be written
 * is an error (exit 1): a reviewer would otherwise read a stale comment as the current plan.
 */
export async function publishPlanRun(io: Io, opts: PlanPublishing, run: () => Promise<PlanRun>): Promise<number> {
  if (!opts.comment && !io.env.GITHUB_STEP_SUMMARY) return (await run()).code;
  let result: PlanRun;
  try {
    result = await run();
  } catch (err) {
    try {
      await publishFailure(io, opts, err);
    } catch (publishing) {
      // The plan's own error is the one that matters; say what else went wrong, then raise it.
      io.stderr(`Error: ${isUserError(publishing) ? publishing.message : String(publishing)}\n`);
    }
    throw err;
  }
  const { plan, code } = result;
  const scope = await scopeFor(io, opts.dir, plan.server.environment, opts.env);
  return publish(
    io,
    opts,
    scope,
    (limit) => renderPlanMarkdown(plan, limit, opts.extras),
    code,
    opts.comment ? encodePlanData(plan) : undefined,
  );
}

/** The step summary of an `apply` that applied nothing: its plan (with errors, or no changes). */
export async function summarizePlan(io: Io, dir: string, plan: Plan): Promise<void> {
  if (!io.env.GITHUB_STEP_SUMMARY) return;
  const scope = await scopeFor(io, dir, plan.server.environment, undefined);
  const ci = await readCiContext(io.env).catch((): CiContext => ({ platform: 'none' }));
  await appendStepSummary(io, (budget) =>
    composeReport(
      { render: (limit) => renderPlanMarkdown(plan, limit), context: contextOf(scope, ci), fullAt: JOB_LOG },
      budget,
    ),
  );
}

const JOB_LOG = 'the job log of this run, where labelform prints it whole';

async function publishFailure(io: Io, opts: PlanPublishing, err: unknown): Promise<void> {
  const failure = isUserError(err)
    ? { message: err.message, diagnostics: err.diagnostics, ...(err.hint ? { hint: err.hint } : {}) }
    : { message: `internal error: ${(err as Error)?.message ?? String(err)}`, diagnostics: [], internal: true };
  const markdown = renderFailureDocument({ command: 'plan', format: 'markdown' }, failure);
  const scope = await scopeFor(io, opts.dir, undefined, opts.env);
  await publish(io, opts, scope, (limit) => cutMarkdown(markdown, limit), 1);
}

/**
 * The most of a comment the saved plan may take: the Markdown keeps at least the rest. A plan
 * whose compressed data is larger is not carried (the comment says so, and `apply --merged`
 * refuses it after merge).
 */
const PLAN_DATA_MAX = COMMENT_BUDGET.max - 16_000;

async function publish(
  io: Io,
  opts: PlanPublishing,
  scope: MarkerScope,
  render: (limit: number) => string,
  code: number,
  data?: string,
): Promise<number> {
  // The summary does without a commit when the event payload cannot be read; the comment cannot.
  const ci = await readCiContext(io.env).catch((err: unknown) => {
    if (opts.comment) throw err;
    return { platform: 'none' } as const;
  });
  const context = contextOf(scope, ci);
  const fullAt = `${JOB_LOG}${opts.out ? ` and the saved plan \`${opts.out}\`` : ''}`;
  const summary = await appendStepSummary(io, (budget) => composeReport({ render, context, fullAt }, budget));
  if (!opts.comment) return code;
  const commentFullAt =
    summary && !summary.truncated
      ? `the step summary of ${ci.platform === 'github' && ci.runUrl ? `[this run](${ci.runUrl})` : 'this run'}`
      : fullAt;
  const thread = await openThread(io, opts, ci);
  if (!thread) return code;
  const marker = markerFor('plan', scope);
  const carried = data !== undefined && data.length <= PLAN_DATA_MAX ? data : undefined;
  const tooLarge =
    data !== undefined && !carried
      ? `\n> ⚠️ **This plan is too large to travel in this comment** (${Math.ceil(data.length / 1024)} KiB compressed; at most ${Math.floor(PLAN_DATA_MAX / 1024)} KiB fit), so \`labelform apply --merged\` will refuse it after merge. Split the change into smaller pull requests.\n`
      : '';
  const withNote = tooLarge ? (limit: number) => `${render(Math.max(0, limit - tooLarge.length))}${tooLarge}` : render;
  const budget = carried ? { ...COMMENT_BUDGET, max: COMMENT_BUDGET.max - carried.length - 1 } : COMMENT_BUDGET;
  const text = composeReport({ marker, render: withNote, context, fullAt: commentFullAt }, budget).text;
  const body = carried ? `${text}${text.endsWith('\n') ? '' : '\n'}${carried}` : text;
  const done = await upsertMarkedComment(thread.comments, marker, body);
  io.stderr(
    `Plan comment ${done.action} on ${thread.name}${done.comment.url ? `: ${done.comment.url}` : ''}${done.removed.length ? ` (removed ${done.removed.length} duplicate${done.removed.length === 1 ? '' : 's'})` : ''}.\n`,
  );
  return code;
}

/**
 * The pull request's or merge request's comments, or nothing (said on stderr) outside one. The
 * clients are loaded only here: a plain `plan` does not pay for Octokit.
 */
async function openThread(
  io: Io,
  opts: PlanPublishing,
  ci: CiContext,
): Promise<{ comments: CommentThread; name: string } | undefined> {
  const debug = opts.debug ? (line: string) => io.stderr(`${line}\n`) : undefined;
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  switch (ci.platform) {
    case 'none':
      io.stderr(
        '--comment: not running in GitHub Actions or GitLab CI (neither GITHUB_ACTIONS nor GITLAB_CI is "true"), so there is no pull request to comment on; nothing was posted.\n',
      );
      return undefined;
    case 'github': {
      if (!ci.pullRequest) {
        io.stderr(
          `--comment: this run is not for a pull request (event ${ci.event ?? 'unknown'}; GITHUB_EVENT_PATH has no pull_request); nothing was posted.\n`,
        );
        return undefined;
      }
      if (!ci.repository)
        throw new UserError(
          '--comment: GITHUB_REPOSITORY is not set to owner/name; the runner sets it, so set it when running outside Actions',
        );
      const tokenEnv = opts.commentTokenEnv ?? 'GITHUB_TOKEN';
      const token = readToken(
        io,
        tokenEnv,
        '--comment',
        'Pass the workflow token to the step (`env: GITHUB_TOKEN: ${{ github.token }}`) and give the job `permissions: pull-requests: write`',
      );
      const { gitHubFor } = await import('./github-client.ts');
      const { pullRequestComments } = await import('./github-threads.ts');
      const gh = gitHubFor(io, token, ci.apiUrl, opts.debug);
      return {
        comments: pullRequestComments(gh, ci.repository, ci.pullRequest.number, { tokenEnv, apiUrl: ci.apiUrl }),
        name: `pull request #${ci.pullRequest.number}`,
      };
    }
    case 'gitlab': {
      if (!ci.mergeRequestIid) {
        io.stderr(
          '--comment: this pipeline is not a merge request pipeline (CI_MERGE_REQUEST_IID is not set); nothing was posted.\n',
        );
        return undefined;
      }
      if (!ci.apiUrl || !ci.projectId)
        throw new UserError('--comment: CI_API_V4_URL and CI_PROJECT_ID must be set (GitLab CI sets them)');
      const tokenEnv = opts.commentTokenEnv ?? 'GITLAB_TOKEN';
      const token = readToken(
        io,
        tokenEnv,
        '--comment',
        'Store a project access token with the api scope (role Reporter or higher) as a masked CI/CD variable of that name',
      );
      const { mergeRequestNotes } = await import('./gitlab-notes.ts');
      return {
        comments: mergeRequestNotes({
          apiUrl: ci.apiUrl,
          projectId: ci.projectId,
          iid: ci.mergeRequestIid,
          token,
          tokenEnv,
          sleep,
          ...(debug ? { debug } : {}),
        }),
        name: `merge request !${ci.mergeRequestIid}`,
      };
    }
  }
}
