/**
 * Merge request notes through GitLab's REST API with the runtime's fetch: a handful of endpoints,
 * for which a GitLab client library would bring its whole API surface, and axios stays inside src/api/.
 */
import { UserError } from '../util/errors.ts';
import { once } from '../util/once.ts';
import { registerSecret, withholdSecrets } from '../util/redact.ts';
import { shortSha } from './ci-context.ts';
import type { MergedChange } from './merged-change.ts';
import type { CommentThread, ThreadComment } from './upsert-comment.ts';

/** How to reach one project of a GitLab. */
export interface GitLabApiOptions {
  /** `CI_API_V4_URL`. */
  readonly apiUrl: string;
  /** `CI_PROJECT_ID` (a number, or a URL-encoded path). */
  readonly projectId: string;
  readonly token: string;
  readonly tokenEnv: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly debug?: (line: string) => void;
  readonly fetch?: typeof fetch;
}

export interface GitLabNotesOptions extends GitLabApiOptions {
  /** `CI_MERGE_REQUEST_IID`. */
  readonly iid: number;
}

/** Tries after 429 or a gateway error, waiting as long as `Retry-After` says (else 1, 2, 4 s). */
const RETRIES = 3;
const MAX_WAIT_SECONDS = 120;

/** The notes of one merge request: the port `upsertMarkedComment` uses. */
export function mergeRequestNotes(opts: GitLabNotesOptions): CommentThread {
  registerSecret(opts.token);
  const base = `${opts.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(opts.projectId)}/merge_requests/${opts.iid}/notes`;
  const call = (what: string, method: string, url: string, body?: unknown) =>
    request(opts, `${what} merge request !${opts.iid} of project ${opts.projectId}`, method, url, body);
  return {
    self: once(() => readOwnUsername(opts)),
    list: async () => {
      const notes: ThreadComment[] = [];
      for (const n of await readAllPages<GitLabNote>((page) =>
        call('read the notes of', 'GET', `${base}?per_page=100&page=${page}&sort=asc&order_by=created_at`),
      ))
        notes.push(toComment(n));
      return notes;
    },
    create: async (body) => toComment((await (await call('comment on', 'POST', base, { body })).json()) as GitLabNote),
    update: async (id, body) =>
      toComment((await (await call(`update note ${id} on`, 'PUT', `${base}/${id}`, { body })).json()) as GitLabNote),
    remove: async (id) => {
      await call(`remove the extra note ${id} from`, 'DELETE', `${base}/${id}`, undefined).catch((err: unknown) => {
        if (!(err instanceof NotFound)) throw err;
      });
    },
  };
}

/** A merge request merged as a commit: see `MergedChange` (the iid is its `number`). */
export type MergedMergeRequest = MergedChange;

/**
 * The merge request that was merged as commit `sha` (a pipeline on the target branch), or
 * undefined when none was: state `merged` and `sha` as its merge commit, or its squash commit
 * (a fast-forward squash merge makes no merge commit). Open merge requests whose branches merely
 * contain the commit are not it.
 */
export async function mergedMergeRequestOf(
  opts: GitLabApiOptions,
  sha: string,
): Promise<MergedMergeRequest | undefined> {
  registerSecret(opts.token);
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(opts.projectId)}/repository/commits/${encodeURIComponent(sha)}/merge_requests`;
  const what = `find the merge request merged as commit ${shortSha(sha)} in project ${opts.projectId}`;
  const check = `check CI_PROJECT_ID, CI_API_V4_URL and that commit ${shortSha(sha)} is in the project`;
  const all = await readAllPages<GitLabMergeRequest>((page) =>
    request(opts, what, 'GET', `${url}?per_page=100&page=${page}`, undefined, check),
  );
  const same = (other: string | null | undefined) => !!other && other.toLowerCase() === sha.toLowerCase();
  const merged = all.find((mr) => mr.state === 'merged' && (same(mr.merge_commit_sha) || same(mr.squash_commit_sha)));
  if (!merged) return undefined;
  return {
    number: merged.iid,
    headSha: merged.sha,
    baseRef: merged.target_branch,
    ...(merged.merged_at ? { mergedAt: merged.merged_at } : {}),
    ...(merged.web_url ? { url: merged.web_url } : {}),
  };
}

interface GitLabNote {
  readonly id: number;
  readonly body?: string | null;
  readonly author?: { readonly username?: string } | null;
}

interface GitLabMergeRequest {
  readonly iid: number;
  readonly state: string;
  readonly sha: string;
  readonly merge_commit_sha?: string | null;
  readonly squash_commit_sha?: string | null;
  readonly target_branch: string;
  readonly merged_at?: string | null;
  readonly web_url?: string;
}

function toComment(n: GitLabNote): ThreadComment {
  return { id: n.id, body: n.body ?? '', author: n.author?.username ?? '' };
}

/**
 * The username the token posts as: `GET /user` answers it for personal, project and group access
 * tokens alike (the latter two as their bot user). Never guessed: no answer is an error.
 */
async function readOwnUsername(opts: GitLabApiOptions): Promise<string> {
  const what = `learn which user the token in ${opts.tokenEnv} posts as`;
  const res = await request(
    opts,
    what,
    'GET',
    `${opts.apiUrl.replace(/\/+$/, '')}/user`,
    undefined,
    `check CI_API_V4_URL (${opts.apiUrl})`,
  );
  const username = ((await res.json().catch(() => undefined)) as { username?: unknown } | undefined)?.username;
  if (typeof username === 'string' && username) return username;
  throw new UserError(
    `cannot ${what}: GitLab's GET /user named no username; labelform edits only the notes its own user wrote, so it writes nothing without knowing it`,
  );
}

/** Every page of a list, following `x-next-page`. */
async function readAllPages<T>(get: (page: string) => Promise<Response>): Promise<T[]> {
  const all: T[] = [];
  for (let page: string | null = '1'; page;) {
    const res = await get(page);
    all.push(...((await res.json()) as T[]));
    page = res.headers.get('x-next-page') || null;
  }
  return all;
}

/** A 404, kept apart so a note that is already gone can be ignored. */
class NotFound extends UserError {}

async function request(
  opts: GitLabApiOptions,
  what: string,
  method: string,
  url: string,
  body: unknown,
  check = 'check CI_PROJECT_ID, CI_MERGE_REQUEST_IID and CI_API_V4_URL',
): Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          'PRIVATE-TOKEN': opts.token,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          Accept: 'application/json',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UserError(
        `cannot ${what}: GitLab at ${opts.apiUrl} did not answer (${cause?.code ?? cause?.message ?? (err as Error).message}); check CI_API_V4_URL and the runner's network`,
      );
    }
    opts.debug?.(`GitLab: ${method} ${new URL(url).pathname}${new URL(url).search} → ${res.status}`);
    if (res.ok) return res;
    const wait = retryWait(res, attempt);
    if (wait !== undefined && attempt < RETRIES) {
      await res.body?.cancel();
      await opts.sleep(wait * 1000);
      continue;
    }
    throw await describe(res, what, opts, check);
  }
}

function retryWait(res: Response, attempt: number): number | undefined {
  if (![429, 502, 503, 504].includes(res.status)) return undefined;
  const after = Number(res.headers.get('retry-after'));
  const wait = res.headers.has('retry-after') && Number.isFinite(after) && after >= 0 ? after : 2 ** attempt;
  return wait <= MAX_WAIT_SECONDS ? wait : undefined;
}

async function describe(res: Response, what: string, opts: GitLabApiOptions, check: string): Promise<UserError> {
  const said = await messageOf(res);
  switch (res.status) {
    case 401:
      return new UserError(
        `cannot ${what}: GitLab refused the token in ${opts.tokenEnv} (401 ${said}); set ${opts.tokenEnv} to a project, group or personal access token with the api scope`,
      );
    case 403:
      return new UserError(
        `cannot ${what}: the token in ${opts.tokenEnv} may not do that (403 ${said}); it needs the api scope and at least the Reporter role in the project`,
      );
    case 404:
      return new NotFound(
        `cannot ${what}: GitLab answered 404 (${said}); ${check}, and that the token in ${opts.tokenEnv} can see the project`,
      );
    default:
      return new UserError(
        `cannot ${what}: GitLab answered ${res.status} (${said})${res.status >= 500 || res.status === 429 ? '; run again later' : ''}`,
      );
  }
}

/** GitLab's `message` or `error`, on one line, at most 200 characters, never holding a secret. */
async function messageOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  let said = text;
  try {
    const data = JSON.parse(text) as { message?: unknown; error?: unknown };
    const m = data.message ?? data.error;
    if (m !== undefined) said = typeof m === 'string' ? m : JSON.stringify(m);
  } catch {
    // not JSON: the text itself
  }
  // GitLab's messages repeat the status ("401 Unauthorized"), which the caller shows already.
  said = withholdSecrets(
    said
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\d{3} /, ''),
  );
  return said.length > 200 ? `${said.slice(0, 199)}…` : said || res.statusText || 'no message';
}
