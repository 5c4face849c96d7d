import type { Test } from 'uvu';
/**
 * A fake of the slice of GitHub's REST API that `plan --comment` and `drift --issue` use, reached
 * through GITHUB_API_URL: issues and pull requests of one repository, their comments, pages with
 * `Link` headers, and GitHub's answers to mistakes: 401 for a bad token, 403 for a token without
 * the permission, 404 for another repository, 422 for a body over 65,536 characters. A secondary
 * rate limit (403 with Retry-After) and anything else are scripted with `fail`.
 *
 * Who a token is, as GitHub says it: the default token is an installation token (`ghs_…`, as the
 * workflow's GITHUB_TOKEN is), which `GET /user` answers with 403 "Resource not accessible by
 * integration" and GraphQL's `viewer` with its bot, `github-actions[bot]`; `pat` is a personal
 * access token (`ghp_…`) that both answer with its user's login. Comments and issues are written
 * by the account of the token that made them. Pull requests carry a head, a base and, once merged,
 * `merged_at` and `merge_commit_sha`, are found from a commit (`commits/{sha}/pulls`) and listed
 * (`pulls?state=open`, with an `updated_at` every comment written, edited or removed moves).
 */
import { pageOf, serveFake, type FakeReply, type FakeRequest, type FakeServer } from './serve.ts';

export interface FakeIssue {
  readonly number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  /** Set for a pull request (GitHub lists them among the issues). */
  readonly pull: boolean;
  readonly created: number;
  /** Bumped by every comment written, edited or removed on it (GitHub's `updated_at`). */
  updated: number;
  /** The login of who opened it. */
  readonly user: string;
  /** A pull request's branch and merge, when `pull`. */
  readonly pr?: FakePull;
}

export interface FakePull {
  headSha: string;
  /** Every commit of the branch (the head included): what `commits/{sha}/pulls` finds it by. */
  commits: string[];
  baseRef: string;
  mergedAt: string | null;
  /** Open: GitHub's test merge commit; merged: the commit on the base branch (merge, squash or rebase). */
  mergeCommitSha: string | null;
}

export interface FakePullOptions {
  readonly user?: string;
  readonly headSha?: string;
  readonly commits?: readonly string[];
  readonly baseRef?: string;
  readonly mergeCommitSha?: string;
  /** Merged at this time (ISO 8601), as `mergeCommitSha`. */
  readonly mergedAt?: string;
}

/** Who a token is: an installation (GITHUB_TOKEN, a GitHub App) or a user (a personal access token). */
export interface FakeIdentity {
  readonly kind: 'installation' | 'user';
  login: string;
}

export interface FakeComment {
  readonly id: number;
  readonly issue: number;
  body: string;
  readonly user: string;
}

export interface FakeGitHub extends FakeServer {
  readonly owner: string;
  readonly repo: string;
  /** The installation token (`ghs_…`) of `github-actions[bot]`: the workflow's GITHUB_TOKEN. */
  readonly token: string;
  /** A personal access token (`ghp_…`) of the user `patLogin`. */
  readonly pat: string;
  /** Every token the fake knows and who it is (change a login, add a token). */
  readonly identities: Map<string, FakeIdentity>;
  readonly issues: Map<number, FakeIssue>;
  readonly comments: Map<number, FakeComment>;
  /** Writes answered 403 "Resource not accessible by integration" (a token without the permission). */
  readOnly: boolean;
  addPullRequest(body?: string, opts?: FakePullOptions): number;
  /** Merges an open pull request as `mergeCommitSha`. */
  mergePullRequest(number: number, mergeCommitSha: string, mergedAt?: string): void;
  addIssue(title: string, body: string, opts?: { state?: 'open' | 'closed'; user?: string }): number;
  addComment(issue: number, body: string, user?: string): number;
  commentsOn(issue: number): FakeComment[];
  openIssues(): FakeIssue[];
}

/** GitHub's body limit for issues and comments. */
const BODY_LIMIT = 65_536;

/** The login comments made with GITHUB_TOKEN carry. */
export const ACTIONS_BOT = 'github-actions[bot]';

export async function startFakeGitHub(
  opts: { owner?: string; repo?: string; token?: string; pat?: string; patLogin?: string } = {},
): Promise<FakeGitHub> {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'labels';
  const token = opts.token ?? 'ghs_fakeGitHubToken0123456789abcdef';
  const pat = opts.pat ?? 'ghp_fakePersonalToken0123456789abcdef';
  const identities = new Map<string, FakeIdentity>([
    [token, { kind: 'installation', login: ACTIONS_BOT }],
    [pat, { kind: 'user', login: opts.patLogin ?? 'labelform-bot' }],
  ]);
  const issues = new Map<number, FakeIssue>();
  const comments = new Map<number, FakeComment>();
  let nextNumber = 1;
  let nextCommentId = 1000;
  let clock = 0;
  // The returned fake, once made: handlers read its readOnly switch.
  let state: { readOnly: boolean } = { readOnly: false };

  const addIssue = (
    title: string,
    body: string,
    pull: boolean,
    st: 'open' | 'closed' = 'open',
    user = ACTIONS_BOT,
    pr?: FakePull,
  ) => {
    const number = nextNumber++;
    issues.set(number, {
      number,
      title,
      body,
      state: st,
      state_reason: null,
      pull,
      created: clock,
      updated: clock++,
      user,
      ...(pr ? { pr } : {}),
    });
    return number;
  };
  const addPullRequest = (body = '', o: FakePullOptions = {}) => {
    const headSha = o.headSha ?? o.commits?.at(-1) ?? `${nextNumber}`.padStart(40, 'e');
    const merged = o.mergedAt !== undefined;
    const pr: FakePull = {
      headSha,
      commits: [...new Set([...(o.commits ?? []), headSha])],
      baseRef: o.baseRef ?? 'main',
      mergedAt: o.mergedAt ?? null,
      mergeCommitSha: o.mergeCommitSha ?? null,
    };
    return addIssue('A pull request', body, true, merged ? 'closed' : 'open', o.user ?? 'octocat', pr);
  };
  const touch = (issue: number) => {
    const i = issues.get(issue);
    if (i) i.updated = clock++;
  };
  const addComment = (issue: number, body: string, user = ACTIONS_BOT) => {
    const id = nextCommentId++;
    comments.set(id, { id, issue, body, user });
    touch(issue);
    return id;
  };
  const html = (i: FakeIssue) => `https://github.com/${owner}/${repo}/${i.pull ? 'pull' : 'issues'}/${i.number}`;
  const issueJson = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    html_url: html(i),
    comments: [...comments.values()].filter((c) => c.issue === i.number).length,
    user: { login: i.user },
    ...(i.pull
      ? {
          pull_request: {
            url: `https://api.github.com/repos/${owner}/${repo}/pulls/${i.number}`,
            merged_at: i.pr?.mergedAt ?? null,
          },
        }
      : {}),
  });
  const pullJson = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    html_url: html(i),
    user: { login: i.user },
    head: { sha: i.pr!.headSha, ref: `branch-${i.number}` },
    base: { ref: i.pr!.baseRef },
    merged_at: i.pr!.mergedAt,
    merge_commit_sha: i.pr!.mergeCommitSha,
    updated_at: new Date(Date.UTC(2026, 0, 1) + i.updated * 1000).toISOString().replace('.000Z', 'Z'),
  });
  const commentJson = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    user: { login: c.user },
    html_url: `${html(issues.get(c.issue)!)}#issuecomment-${c.id}`,
  });

  const handle = (req: FakeRequest): FakeReply => {
    const auth = String(req.headers.authorization ?? '');
    if (!auth) return error(401, 'Requires authentication');
    const who = identities.get(auth.replace(/^(token|bearer)\s+/i, ''));
    if (!who) return error(401, 'Bad credentials');
    if (req.path === '/user' && req.method === 'GET') {
      // GitHub: an installation token may not read the authenticated user.
      if (who.kind === 'installation')
        return {
          status: 403,
          body: {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
            status: '403',
          },
        };
      return { status: 200, body: { login: who.login, id: 583231, type: 'User' } };
    }
    if (req.path === '/graphql' && req.method === 'POST') {
      const query = String((req.body as { query?: unknown } | undefined)?.query ?? '');
      if (/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
        return { status: 200, body: { data: { viewer: { login: who.login } } } };
      return { status: 200, body: { errors: [{ message: 'the fake GitHub answers only { viewer { login } }' }] } };
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(req.path);
    if (!m || m[1] !== owner || m[2] !== repo) return error(404, 'Not Found');
    const rest = m[3]!;
    const write = req.method !== 'GET';
    if (write && state.readOnly) return error(403, 'Resource not accessible by integration');
    const body = (req.body ?? {}) as Record<string, unknown>;
    let r: RegExpExecArray | null;
    if ((r = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = issues.get(Number(r[1]));
      if (!issue) return error(404, 'Not Found');
      if (req.method === 'GET') {
        const all = [...comments.values()].filter((c) => c.issue === issue.number).sort((a, b) => a.id - b.id);
        return paged(req, all.map(commentJson));
      }
      if (req.method === 'POST') {
        const invalid = checkBody(body.body, 'IssueComment');
        if (invalid) return invalid;
        return {
          status: 201,
          body: commentJson(comments.get(addComment(issue.number, String(body.body), who.login))!),
        };
      }
    }
    if ((r = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = comments.get(Number(r[1]));
      if (!comment) return error(404, 'Not Found');
      if (req.method === 'PATCH') {
        const invalid = checkBody(body.body, 'IssueComment');
        if (invalid) return invalid;
        comment.body = String(body.body);
        touch(comment.issue);
        return { status: 200, body: commentJson(comment) };
      }
      if (req.method === 'DELETE') {
        comments.delete(comment.id);
        touch(comment.issue);
        return { status: 204 };
      }
      if (req.method === 'GET') return { status: 200, body: commentJson(comment) };
    }
    if (rest === '/issues') {
      if (req.method === 'GET') {
        const wanted = req.query.get('state') ?? 'open';
        const asc = req.query.get('direction') === 'asc';
        const all = [...issues.values()]
          .filter((i) => wanted === 'all' || i.state === wanted)
          .sort((a, b) => (asc ? a.created - b.created : b.created - a.created));
        return paged(req, all.map(issueJson));
      }
      if (req.method === 'POST') {
        if (typeof body.title !== 'string' || !body.title)
          return validation('Issue', 'title', 'missing_field', 'title is missing');
        const invalid = body.body === undefined ? undefined : checkBody(body.body, 'Issue');
        if (invalid) return invalid;
        return {
          status: 201,
          body: issueJson(issues.get(addIssue(body.title, String(body.body ?? ''), false, 'open', who.login))!),
        };
      }
    }
    if ((r = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = issues.get(Number(r[1]));
      if (!issue) return error(404, 'Not Found');
      if (req.method === 'GET') return { status: 200, body: issueJson(issue) };
      if (req.method === 'PATCH') {
        if (body.body !== undefined) {
          const invalid = checkBody(body.body, 'Issue');
          if (invalid) return invalid;
          issue.body = String(body.body);
        }
        if (typeof body.title === 'string') issue.title = body.title;
        if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
        if (typeof body.state_reason === 'string') issue.state_reason = body.state_reason;
        return { status: 200, body: issueJson(issue) };
      }
    }
    if ((r = /^\/commits\/([0-9a-f]{7,40})\/pulls$/i.exec(rest)) && req.method === 'GET') {
      const sha = r[1]!.toLowerCase();
      const found = [...issues.values()]
        .filter((i) => i.pr && (i.pr.commits.includes(sha) || i.pr.mergeCommitSha === sha))
        .sort((a, b) => b.number - a.number);
      return paged(req, found.map(pullJson));
    }
    if (rest === '/pulls' && req.method === 'GET') {
      const wanted = req.query.get('state') ?? 'open';
      const all = [...issues.values()]
        .filter((i) => i.pull && (wanted === 'all' || i.state === wanted))
        .sort((a, b) => b.created - a.created);
      return paged(req, all.map(pullJson));
    }
    if ((r = /^\/pulls\/(\d+)$/.exec(rest)) && req.method === 'GET') {
      const pull = issues.get(Number(r[1]));
      if (!pull?.pr) return error(404, 'Not Found');
      return { status: 200, body: pullJson(pull) };
    }
    return error(404, 'Not Found');
  };

  const server = await serveFake(handle);
  const fake = Object.assign(server, {
    owner,
    repo,
    token,
    pat,
    identities,
    issues,
    comments,
    readOnly: false,
    addPullRequest,
    mergePullRequest: (number: number, mergeCommitSha: string, mergedAt = '2026-01-02T03:04:05Z') => {
      const pull = issues.get(number);
      if (!pull?.pr || pull.state !== 'open') throw new Error(`#${number} is not an open pull request`);
      Object.assign(pull.pr, { mergeCommitSha, mergedAt });
      pull.state = 'closed';
    },
    addIssue: (title: string, body: string, o: { state?: 'open' | 'closed'; user?: string } = {}) =>
      addIssue(title, body, false, o.state, o.user),
    addComment,
    commentsOn: (issue: number) => [...comments.values()].filter((c) => c.issue === issue).sort((a, b) => a.id - b.id),
    openIssues: () => [...issues.values()].filter((i) => !i.pull && i.state === 'open'),
  });
  state = fake;
  return fake;
}

/** A page of a list, with GitHub's `Link` header (absolute URLs, next/last/first/prev). */
function paged(req: FakeRequest, all: readonly unknown[]): FakeReply {
  const { items, page, last } = pageOf(all, req.query);
  const at = (n: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(n));
    return `<${req.origin}${req.path}?${q}>`;
  };
  const links = [
    ...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []),
    ...(page > 1 ? [`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`] : []),
  ];
  return { status: 200, body: items, ...(links.length ? { headers: { link: links.join(', ') } } : {}) };
}

function checkBody(body: unknown, resource: string): FakeReply | undefined {
  if (typeof body !== 'string') return validation(resource, 'body', 'missing_field', 'body is missing');
  // GitHub counts characters, not UTF-16 units.
  if ([...body].length > BODY_LIMIT)
    return validation(resource, 'body', 'custom', `body is too long (maximum is ${BODY_LIMIT} characters)`);
  return undefined;
}

function validation(resource: string, field: string, code: string, message: string): FakeReply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource, code, field, message }],
      documentation_url: 'https://docs.github.com/rest',
      status: '422',
    },
  };
}

function error(status: number, message: string): FakeReply {
  return { status, body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) } };
}

/** GitHub's answer when a token makes too many requests too quickly. */
export function secondaryRateLimit(retryAfterSeconds: number): FakeReply {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4000' },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    },
  };
}

/**
 * The fake GitHub for a test file: started before its tests, emptied before each one (issues,
 * comments, the request log, scripted failures, the read-only switch, tokens and logins), stopped after them. Read `.current` inside a test.
 */
export function useFakeGitHub(suite: Test): { readonly current: FakeGitHub } {
  let gh: FakeGitHub | undefined;
  let defaults: [string, FakeIdentity][] = [];
  suite.before(async () => {
    gh = await startFakeGitHub();
    defaults = [...gh.identities].map(([token, who]) => [token, { ...who }]);
  });
  suite.before.each(() => {
    gh!.issues.clear();
    gh!.comments.clear();
    gh!.requests.length = 0;
    gh!.clearFailures();
    gh!.readOnly = false;
    gh!.identities.clear();
    for (const [token, who] of defaults) gh!.identities.set(token, { ...who });
  });
  suite.after(async () => {
    await gh?.stop();
  });
  return {
    get current() {
      if (!gh) throw new Error('the fake GitHub is not started yet (use it inside a test)');
      return gh;
    },
  };
}
