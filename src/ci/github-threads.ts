import { carriesMarker } from './marker.ts';
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

/** The comments of a pull request (issue comments: the conversation tab), through Octokit. */
export function pullRequestComments(gh: GitHub, repo: GitHubRepository, number: number, settings: GitHubSettings): CommentThread {
  const at = { ...repo, issue_number: number };
  const action = (what: string): GitHubAction => ({ what: `${what} pull request #${number} of ${repo.owner}/${repo.repo}`, permission: 'pull-requests: write', ...settings });
  return {
    list: () => guard(action('read the comments of'), async () => (await gh.paginate(gh.rest.issues.listComments, { ...at, per_page: 100 })).map(toComment)),
    create: (body) => guard(action('comment on'), async () => toComment((await gh.rest.issues.createComment({ ...at, body })).data)),
    update: (id, body) => guard(action(`update comment ${id} on`), async () => toComment((await gh.rest.issues.updateComment({ ...repo, comment_id: id, body })).data)),
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
  readonly url?: string;
}

/** The issues of a repository, as the drift issue needs them. */
export interface IssueTracker {
  /** The oldest open issue (not pull request) whose body starts with the marker, reading every page. */
  findOpen(marker: string): Promise<Issue | undefined>;
  open(title: string, body: string): Promise<Issue>;
  update(number: number, title: string, body: string): Promise<Issue>;
  comment(number: number, body: string): Promise<void>;
  close(number: number): Promise<void>;
}

export function repositoryIssues(gh: GitHub, repo: GitHubRepository, settings: GitHubSettings): IssueTracker {
  const action = (what: string): GitHubAction => ({ what: `${what} in ${repo.owner}/${repo.repo}`, permission: 'issues: write', ...settings });
  return {
    findOpen: (marker) =>
      guard(action('read the open issues'), async () => {
        // Oldest first, so racing runs that each opened one agree on which is the drift issue.
        const pages = gh.paginate.iterator(gh.rest.issues.listForRepo, { ...repo, state: 'open', sort: 'created', direction: 'asc', per_page: 100 });
        for await (const page of pages) {
          // The issues list holds pull requests too.
          const found = page.data.find((i) => !i.pull_request && carriesMarker(i.body, marker));
          if (found) return toIssue(found);
        }
        return undefined;
      }),
    open: (title, body) => guard(action('open an issue'), async () => toIssue((await gh.rest.issues.create({ ...repo, title, body })).data)),
    update: (number, title, body) => guard(action(`update issue #${number}`), async () => toIssue((await gh.rest.issues.update({ ...repo, issue_number: number, title, body })).data)),
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

async function guard<T>(action: GitHubAction, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw describeGitHubError(err, action);
  }
}

function toComment(c: { id: number; body?: string | null; html_url?: string }): ThreadComment {
  return { id: c.id, body: c.body ?? '', ...(c.html_url ? { url: c.html_url } : {}) };
}

function toIssue(i: { number: number; title: string; body?: string | null; html_url?: string }): Issue {
  return { number: i.number, title: i.title, body: i.body ?? '', ...(i.html_url ? { url: i.html_url } : {}) };
}
