import { readFile } from 'node:fs/promises';
import { UserError } from '../util/errors.ts';

/** Where a run is: a GitHub Actions job, a GitLab CI job, or neither. Read from the environment. */
export type CiContext = GitHubContext | GitLabContext | { readonly platform: 'none' };

export interface GitHubContext {
  readonly platform: 'github';
  /** `GITHUB_API_URL`, default https://api.github.com (GitHub Enterprise sets its own). */
  readonly apiUrl: string;
  /** `GITHUB_REPOSITORY` split, when set. */
  readonly repository?: { readonly owner: string; readonly repo: string };
  /** The pull request the event is about (any event whose payload has `pull_request`). */
  readonly pullRequest?: { readonly number: number };
  /** The event name, for messages ("push", "schedule"). */
  readonly event?: string;
  /** `GITHUB_REF`: the ref the run is for (`refs/heads/main`, `refs/pull/7/merge`). */
  readonly ref?: string;
  /** The repository's default branch, from the event payload. */
  readonly defaultBranch?: string;
  /** The commit a person recognises as planned; see `commitOf`. */
  readonly commit?: Commit;
  /** This run's page, for pointers to its step summary and log. */
  readonly runUrl?: string;
}

export interface GitLabContext {
  readonly platform: 'gitlab';
  /** `CI_API_V4_URL`. */
  readonly apiUrl?: string;
  /** `CI_PROJECT_ID`. */
  readonly projectId?: string;
  /** `CI_MERGE_REQUEST_IID`: set only in merge request pipelines. */
  readonly mergeRequestIid?: number;
  readonly commit?: Commit;
  /** `CI_COMMIT_BRANCH`: set in branch pipelines only. */
  readonly branch?: string;
  /** `CI_DEFAULT_BRANCH`. */
  readonly defaultBranch?: string;
  /** `CI_JOB_URL`. */
  readonly runUrl?: string;
}

export interface Commit {
  readonly sha: string;
  /** A page showing the commit (in the pull request when there is one). */
  readonly url?: string;
}

/**
 * Reads the CI context. On GitHub, the pull request and its head commit come from the event
 * payload (`GITHUB_EVENT_PATH`): on `pull_request` events `GITHUB_SHA` is a merge commit GitHub
 * makes for the check, which appears nowhere in the pull request, so the comment names the head
 * commit the author pushed instead. Other events name `GITHUB_SHA`.
 */
export async function readCiContext(
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<CiContext> {
  if (env.GITLAB_CI === 'true') return readGitLab(env);
  if (env.GITHUB_ACTIONS !== 'true' && !env.GITHUB_REPOSITORY) return { platform: 'none' };
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = splitRepository(env.GITHUB_REPOSITORY);
  const event = env.GITHUB_EVENT_NAME || undefined;
  const payload = env.GITHUB_EVENT_PATH ? await readEvent(env.GITHUB_EVENT_PATH, read) : undefined;
  const pr = payload?.pull_request;
  const number = typeof pr?.number === 'number' ? pr.number : undefined;
  // pull_request_target runs on the base branch's commit (GITHUB_SHA): that is what is planned,
  // and labelform refuses to send credentials for any other checkout there (ci-trust.ts).
  const headSha = event !== 'pull_request_target' && typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined;
  const sha = headSha ?? (env.GITHUB_SHA || undefined);
  const defaultBranch =
    typeof payload?.repository?.default_branch === 'string' ? payload.repository.default_branch : undefined;
  const base = repository ? `${serverUrl}/${repository.owner}/${repository.repo}` : undefined;
  return {
    platform: 'github',
    apiUrl,
    ...(repository ? { repository } : {}),
    ...(number !== undefined ? { pullRequest: { number } } : {}),
    ...(event ? { event } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    ...(sha
      ? {
          commit: {
            sha,
            ...(base
              ? { url: number !== undefined ? `${base}/pull/${number}/commits/${sha}` : `${base}/commit/${sha}` }
              : {}),
          },
        }
      : {}),
    ...(base && env.GITHUB_RUN_ID
      ? {
          runUrl: `${base}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`,
        }
      : {}),
  };
}

function readGitLab(env: Readonly<Record<string, string | undefined>>): GitLabContext {
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  // In merged-results pipelines CI_COMMIT_SHA is GitLab's merge commit; the source branch's
  // head is what the merge request shows.
  const sha = env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA || undefined;
  const project = env.CI_PROJECT_URL?.replace(/\/+$/, '');
  return {
    platform: 'gitlab',
    ...(env.CI_API_V4_URL ? { apiUrl: env.CI_API_V4_URL.replace(/\/+$/, '') } : {}),
    ...(env.CI_PROJECT_ID ? { projectId: env.CI_PROJECT_ID } : {}),
    ...(Number.isInteger(iid) && iid > 0 ? { mergeRequestIid: iid } : {}),
    ...(env.CI_COMMIT_BRANCH ? { branch: env.CI_COMMIT_BRANCH } : {}),
    ...(env.CI_DEFAULT_BRANCH ? { defaultBranch: env.CI_DEFAULT_BRANCH } : {}),
    ...(sha ? { commit: { sha, ...(project ? { url: `${project}/-/commit/${sha}` } : {}) } } : {}),
    ...(env.CI_JOB_URL ? { runUrl: env.CI_JOB_URL } : {}),
  };
}

interface EventPayload {
  readonly pull_request?: { readonly number?: unknown; readonly head?: { readonly sha?: unknown } };
  readonly repository?: { readonly default_branch?: unknown };
}

async function readEvent(path: string, read: (path: string) => Promise<string>): Promise<EventPayload> {
  let text: string;
  try {
    text = await read(path);
  } catch (err) {
    throw new UserError(
      `GITHUB_EVENT_PATH names ${path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); it should be the event payload file the runner writes`,
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    throw new UserError(
      `GITHUB_EVENT_PATH names ${path}, which is not JSON; it should be the event payload file the runner writes`,
    );
  }
}

function splitRepository(value: string | undefined): GitHubContext['repository'] {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value ?? '');
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}

/** The first 7 characters of a commit, as GitHub and GitLab show it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
