import { UserError } from '../util/errors.ts';
import { once } from '../util/once.ts';
import { shortSha } from './ci-context.ts';
import { carriesMarker } from './marker.ts';
import type { MergedChange } from './merged-change.ts';
import { describeGitHubError, type GitHub, type GitHubAction } from './github-client.ts';
import type { CommentThread, ThreadComment } from './upsert-comment.ts';

export interface GitHubRepository {
  readonly owner: string;
  readonly repo: string;
}

/** Names the token variable and API URL in error messages. */
export interface GitHubSettings {
  readonly tokenEnv: string;
  readonly apiUrl: string;
}

/**
 * The comments of a pull request (issue comments: the conversation tab), through Octokit. `self`
 * shares one lookup of the token's account among the threads of a run that reads many.
 */
export function pullRequestComments(
  gh: GitHub,
  repo: GitHubRepository,
  number: number,
  settings: GitHubSettings,
  self?: () => Promise<string>,
): CommentThread {
  const at = { ...repo, issue_number: number };
  const action = (what: string): GitHubAction => ({
    what: `${what} pull request #${number} of ${repo.owner}/${repo.repo}`,
    permission: 'pull-requests: write',
    ...settings,
  });
  return {
    self: self ?? ownLogin(gh, settings),
    list: () =>
      guard(action('read the comments of'), async () =>
        (await gh.paginate(gh.rest.issues.listComments, { ...at, per_page: 100 })).map(toComment),
      ),
    create: (body) =>
      guard(action('comment on'), async () => toComment((await gh.rest.issues.createComment({ ...at, body })).data)),
    update: (id, body) =>
      guard(action(`update comment ${id} on`), async () =>
        toComment((await gh.rest.issues.updateComment({ ...repo, comment_id: id, body })).data),
      ),
    remove: (id) =>
      guard(action(`remove the extra comment ${id} from`), async () => {
        await gh.rest.issues.deleteComment({ ...repo, comment_id: id }).catch((err: { status?: number }) => {
          if (err.status !== 404) throw err;
        });
      }),
  };
}

export interface Issue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  /** The login of who opened it. */
  readonly author: string;
  readonly url?: string;
}

/** The issues of a repository, as the drift issue needs them. */
export interface IssueTracker {
  /**
   * The oldest open issue (not pull request) whose body starts with the marker and that the
   * token's own account opened, reading every page. One anyone else opened with the marker is
   * not ours, however it looks.
   */
  findOpen(marker: string): Promise<Issue | undefined>;
  open(title: string, body: string): Promise<Issue>;
  update(number: number, title: string, body: string): Promise<Issue>;
  comment(number: number, body: string): Promise<void>;
  close(number: number): Promise<void>;
}

export function repositoryIssues(gh: GitHub, repo: GitHubRepository, settings: GitHubSettings): IssueTracker {
  const action = (what: string): GitHubAction => ({
    what: `${what} in ${repo.owner}/${repo.repo}`,
    permission: 'issues: write',
    ...settings,
  });
  const self = once(() => readOwnLogin(gh, { permission: 'issues: write', ...settings }));
  return {
    findOpen: async (marker) => {
      const login = await self();
      return guard(action('read the open issues'), async () => {
        // Oldest first, so racing runs that each opened one agree on which is the drift issue.
        const pages = gh.paginate.iterator(gh.rest.issues.listForRepo, {
          ...repo,
          state: 'open',
          sort: 'created',
          direction: 'asc',
          per_page: 100,
        });
        for await (const page of pages) {
          // The issues list holds pull requests too.
          const found = page.data.find(
            (i) => !i.pull_request && i.user?.login === login && carriesMarker(i.body, marker),
          );
          if (found) return toIssue(found);
        }
        return undefined;
      });
    },
    open: async (title, body) => {
      const login = await self();
      const issue = await guard(action('open an issue'), async () =>
        toIssue((await gh.rest.issues.create({ ...repo, title, body })).data),
      );
      // Else every later run would miss it and open one more.
      if (issue.author !== login)
        throw new Error(
          `issue #${issue.number} just opened is by "${issue.author}", but the token reads as "${login}"; labelform would not find it again`,
        );
      return issue;
    },
    update: (number, title, body) =>
      guard(action(`update issue #${number}`), async () =>
        toIssue((await gh.rest.issues.update({ ...repo, issue_number: number, title, body })).data),
      ),
    comment: (number, body) =>
      guard(action(`comment on issue #${number}`), async () => {
        await gh.rest.issues.createComment({ ...repo, issue_number: number, body });
      }),
    close: (number) =>
      guard(action(`close issue #${number}`), async () => {
        await gh.rest.issues.update({ ...repo, issue_number: number, state: 'closed', state_reason: 'completed' });
      }),
  };
}

/** A pull request merged as a commit: see `MergedChange`. */
export type MergedPullRequest = MergedChange;

/**
 * The pull request that was merged as commit `sha` (a push to the base branch), or undefined when
 * none was. Squash, merge and rebase merges all set `merge_commit_sha` to the commit they made on
 * the base branch, so that, with `merged_at` set, tells it apart from open pull requests (and
 * other merged ones) whose branches merely contain the commit.
 */
export async function mergedPullRequestOf(
  gh: GitHub,
  repo: GitHubRepository,
  sha: string,
  settings: GitHubSettings,
): Promise<MergedPullRequest | undefined> {
  const action: GitHubAction = {
    what: `find the pull request merged as commit ${shortSha(sha)} in ${repo.owner}/${repo.repo}`,
    permission: 'pull-requests: read',
    ...settings,
  };
  return guard(action, async () => {
    const pulls = await gh.paginate(gh.rest.repos.listPullRequestsAssociatedWithCommit, {
      ...repo,
      commit_sha: sha,
      per_page: 100,
    });
    const merged = pulls.find((p) => p.merged_at && p.merge_commit_sha?.toLowerCase() === sha.toLowerCase());
    if (!merged) return undefined;
    return {
      number: merged.number,
      headSha: merged.head.sha,
      baseRef: merged.base.ref,
      ...(merged.merged_at ? { mergedAt: merged.merged_at } : {}),
      ...(merged.html_url ? { url: merged.html_url } : {}),
    };
  });
}

/** An open pull request, as `watch --comment` looks at it. */
export interface OpenPullRequest {
  readonly number: number;
  /** When anything on it last changed (a comment, a push): a pull request that did not change is not read again. */
  readonly updatedAt: string;
  readonly headSha: string;
}

/** The repository's open pull requests, all pages. */
export async function openPullRequests(
  gh: GitHub,
  repo: GitHubRepository,
  settings: GitHubSettings,
): Promise<OpenPullRequest[]> {
  const action: GitHubAction = {
    what: `list the open pull requests of ${repo.owner}/${repo.repo}`,
    permission: 'pull-requests: read',
    ...settings,
  };
  return guard(action, async () =>
    (await gh.paginate(gh.rest.pulls.list, { ...repo, state: 'open', per_page: 100 })).map((p) => ({
      number: p.number,
      updatedAt: p.updated_at,
      headSha: p.head.sha,
    })),
  );
}

/** The token's account, looked up once when first asked (see readOwnLogin). */
export function ownLogin(gh: GitHub, settings: GitHubSettings): () => Promise<string> {
  return once(() => readOwnLogin(gh, { permission: 'pull-requests: write', ...settings }));
}

/**
 * The login the token posts as, the author of every comment and issue labelform writes with it:
 * `GET /user` for a personal access token, else GraphQL's `viewer`. Never guessed: no answer is
 * an error, never a fallback to the marker alone.
 */
async function readOwnLogin(gh: GitHub, settings: GitHubSettings & { readonly permission: string }): Promise<string> {
  const action: GitHubAction = { what: `learn which account the token in ${settings.tokenEnv} posts as`, ...settings };
  try {
    const login = (await gh.rest.users.getAuthenticated()).data.login;
    if (login) return login;
  } catch (err) {
    if ((err as { status?: number }).status !== 403) throw describeGitHubError(err, action);
  }
  // An installation token (GITHUB_TOKEN) gets 403 on GET /user and GET /app wants the app's JWT; the viewer names its bot, e.g. github-actions[bot] (github.com/fullsend-ai/fullsend/pull/1953).
  let viewer: string | null | undefined;
  try {
    viewer = (await gh.graphql<{ viewer?: { login?: string | null } | null }>('query { viewer { login } }')).viewer
      ?.login;
  } catch (err) {
    throw describeGitHubError(err, action);
  }
  if (viewer) return viewer;
  throw new UserError(
    `cannot ${action.what}: neither GET /user nor GraphQL's viewer named a login; labelform edits only the comments and issues its own account wrote, so it writes nothing without knowing it. ` +
      `Set ${settings.tokenEnv} to the workflow token (\`\${{ github.token }}\`), a GitHub App installation token or a personal access token`,
  );
}

async function guard<T>(action: GitHubAction, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw describeGitHubError(err, action);
  }
}

function toComment(c: {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string } | null;
}): ThreadComment {
  return { id: c.id, body: c.body ?? '', author: c.user?.login ?? '', ...(c.html_url ? { url: c.html_url } : {}) };
}

function toIssue(i: {
  number: number;
  title: string;
  body?: string | null;
  html_url?: string;
  user?: { login?: string } | null;
}): Issue {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    author: i.user?.login ?? '',
    ...(i.html_url ? { url: i.html_url } : {}),
  };
}
