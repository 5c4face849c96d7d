import type { Io } from '../util/io.ts';
import type { Plan } from '../generated/schema-types.ts';
import { UserError } from '../util/errors.ts';
import { readCiContext, shortSha } from './ci-context.ts';
import { composeReport, contextOf } from './compose-report.ts';
import { COMMENT_BUDGET } from './fit-markdown.ts';
import { markerFor, type MarkerScope } from './marker.ts';
import type { MergedChange } from './merged-change.ts';
import { decodePlanData } from './plan-data.ts';
import { readToken } from './read-token.ts';
import { scopeFor } from './report-scope.ts';
import { ownMarked, upsertMarkedComment, type CommentThread } from './upsert-comment.ts';

/** The plan reviewed in the pull request (or merge request) that was merged as this run's commit. */
export interface MergedPlan {
  /** The commit being applied: the one the run is for, and the checkout. */
  readonly commit: string;
  /** The merged pull request, when the commit came from one. */
  readonly change?: MergedChange;
  /** "pull request #12", "merge request !4". */
  readonly changeName?: string;
  /** The plan saved in labelform's own plan comment there, when there is one that checks out. */
  readonly plan?: Plan;
  /** Why there is no plan to apply (no pull request, no comment, a plan for another commit). */
  readonly problem?: string;
  /** Posts (or updates) labelform's apply comment on the merged pull request; nothing without one. */
  post(render: (limit: number) => string): Promise<string | undefined>;
}

export interface MergedPlanOptions {
  readonly dir: string;
  /** The environment in use, for the comments' marker. */
  readonly environment: string;
  /** The variable holding the GitHub / GitLab token (default GITHUB_TOKEN / GITLAB_TOKEN). */
  readonly tokenEnv?: string;
  readonly debug: boolean;
  /** git HEAD of the checkout, which must be the run's commit. */
  readonly head: string;
}

/**
 * Finds what `apply --merged` applies: the run must be for the default branch (a push, or a
 * dispatch on it), its checkout the run's commit; the pull request merged as that commit is
 * looked up through the API, and labelform's own plan comment on it (the marker for this
 * directory and environment, written by the token's own account) holds the reviewed plan. That
 * plan must be of the pull request's head as merged: a push after the last plan was not reviewed.
 */
export async function readMergedPlan(io: Io, opts: MergedPlanOptions): Promise<MergedPlan> {
  const ci = await readCiContext(io.env);
  const scope = await scopeFor(io, opts.dir, opts.environment, undefined);
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const debug = opts.debug ? (line: string) => io.stderr(`${line}\n`) : undefined;
  switch (ci.platform) {
    case 'none':
      throw new UserError(
        '--merged applies the plan reviewed in the pull request merged as this commit, so it runs in GitHub Actions or GitLab CI (GITHUB_ACTIONS or GITLAB_CI is "true"); locally, apply a plan file instead',
      );
    case 'github': {
      if (!ci.repository)
        throw new UserError('--merged: GITHUB_REPOSITORY is not set to owner/name; the runner sets it');
      if (!ci.defaultBranch)
        throw new UserError(
          '--merged: the event payload (GITHUB_EVENT_PATH) does not name the default branch; run it on push or workflow_dispatch',
        );
      if (ci.ref !== `refs/heads/${ci.defaultBranch}`) {
        throw new UserError(
          `--merged applies only on the default branch ${ci.defaultBranch}; this run is for ${ci.ref ?? '(GITHUB_REF is not set)'} (event ${ci.event ?? 'unknown'}), so nothing was applied`,
          [],
          'Merge the change into the default branch through a pull request; its apply job applies the plan reviewed there.',
        );
      }
      const commit = requireCommit(io.env.GITHUB_SHA, 'GITHUB_SHA', opts.head);
      const tokenEnv = opts.tokenEnv ?? 'GITHUB_TOKEN';
      const token = readToken(
        io,
        tokenEnv,
        '--merged',
        'Pass the workflow token to the step (`env: GITHUB_TOKEN: ${{ github.token }}`) and give the job `permissions: pull-requests: write`',
      );
      const { gitHubFor } = await import('./github-client.ts');
      const { mergedPullRequestOf, pullRequestComments } = await import('./github-threads.ts');
      const gh = gitHubFor(io, token, ci.apiUrl, opts.debug);
      const settings = { tokenEnv, apiUrl: ci.apiUrl };
      const change = await mergedPullRequestOf(gh, ci.repository, commit, settings);
      const thread = change ? pullRequestComments(gh, ci.repository, change.number, settings) : undefined;
      return settle(commit, change, change ? `pull request #${change.number}` : undefined, thread, scope, {
        ...contextOf(scope, ci),
        commit: { sha: commit, ...(ci.commit?.url ? { url: ci.commit.url } : {}) },
      });
    }
    case 'gitlab': {
      if (!ci.defaultBranch || ci.branch !== ci.defaultBranch) {
        throw new UserError(
          `--merged applies only on the default branch${ci.defaultBranch ? ` ${ci.defaultBranch}` : ''}; this pipeline is for ${ci.branch ? `branch ${ci.branch}` : 'no branch (CI_COMMIT_BRANCH is not set: a tag or merge request pipeline)'}, so nothing was applied`,
          [],
          'Merge the change into the default branch through a merge request; its apply job applies the plan reviewed there.',
        );
      }
      if (!ci.apiUrl || !ci.projectId)
        throw new UserError('--merged: CI_API_V4_URL and CI_PROJECT_ID must be set (GitLab CI sets them)');
      const commit = requireCommit(io.env.CI_COMMIT_SHA, 'CI_COMMIT_SHA', opts.head);
      const tokenEnv = opts.tokenEnv ?? 'GITLAB_TOKEN';
      const token = readToken(
        io,
        tokenEnv,
        '--merged',
        'Store a project access token with the api scope (role Reporter or higher) as a masked CI/CD variable of that name',
      );
      const { mergedMergeRequestOf, mergeRequestNotes } = await import('./gitlab-notes.ts');
      const api = { apiUrl: ci.apiUrl, projectId: ci.projectId, token, tokenEnv, sleep, ...(debug ? { debug } : {}) };
      const change = await mergedMergeRequestOf(api, commit);
      const thread = change ? mergeRequestNotes({ ...api, iid: change.number }) : undefined;
      return settle(
        commit,
        change,
        change ? `merge request !${change.number}` : undefined,
        thread,
        scope,
        contextOf(scope, ci),
      );
    }
  }
}

async function settle(
  commit: string,
  change: MergedChange | undefined,
  changeName: string | undefined,
  thread: CommentThread | undefined,
  scope: MarkerScope,
  context: ReturnType<typeof contextOf>,
): Promise<MergedPlan> {
  const post = async (render: (limit: number) => string): Promise<string | undefined> => {
    if (!thread) return undefined;
    const marker = markerFor('apply', scope);
    const body = composeReport({ marker, render, context, fullAt: 'the job log of this run' }, COMMENT_BUDGET).text;
    const done = await upsertMarkedComment(thread, marker, body);
    return done.comment.url ?? changeName;
  };
  const base = { commit, post, ...(change ? { change } : {}), ...(changeName ? { changeName } : {}) };
  if (!change || !thread)
    return {
      ...base,
      problem: `commit ${shortSha(commit)} was not merged from a pull request (a direct push?), so no plan of it was reviewed`,
    };
  const comments = ownMarked(await thread.list(), markerFor('plan', scope), await thread.self());
  const comment = comments[0];
  const where = `labelform's plan comment on ${changeName}`;
  if (!comment)
    return {
      ...base,
      problem: `${changeName} has no plan comment of labelform for directory ${scope.dir} and environment ${scope.env}, so no plan of it was reviewed`,
    };
  const decoded = decodePlanData(comment.body, where);
  if ('problem' in decoded) return { ...base, problem: decoded.problem };
  const planned = decoded.plan.source?.pullRequest;
  if (!planned || planned.number !== change.number || planned.headSha !== change.headSha.toLowerCase()) {
    return {
      ...base,
      problem: `${where} is a plan of ${planned ? `commit ${shortSha(planned.headSha)}${planned.number !== change.number ? ` of #${planned.number}` : ''}` : 'an unknown commit'}, but ${changeName} was merged at commit ${shortSha(change.headSha)}: what was merged was not planned (the last plan job failed, was cancelled, or has not finished)`,
    };
  }
  return { ...base, plan: decoded.plan };
}

/** The run's commit, which must be what is checked out: what is applied is what the run names. */
function requireCommit(value: string | undefined, name: string, head: string): string {
  const commit = value?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new UserError(`--merged: ${name} is not set to a commit; CI sets it`);
  if (commit !== head)
    throw new UserError(
      `--merged: the checkout is commit ${shortSha(head) || '(none: no git repository)'}, not ${shortSha(commit)} that this run is for (${name}); check out the run's commit`,
    );
  return commit;
}
