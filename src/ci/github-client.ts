import type { Io } from '../util/io.ts';
import { retry } from '@octokit/plugin-retry';
import { Octokit } from '@octokit/rest';
import { VERSION } from '../util/version.ts';
import { UserError } from '../util/errors.ts';
import { registerSecret, withholdSecrets } from '../util/redact.ts';

const GitHubClient = Octokit.plugin(retry);
export type GitHub = InstanceType<typeof GitHubClient>;

export interface GitHubOptions {
  readonly token: string;
  /** `GITHUB_API_URL`. */
  readonly apiUrl: string;
  readonly sleep: (ms: number) => Promise<void>;
  /** One line for the person reading the log (a wait on a rate limit). */
  readonly notice: (line: string) => void;
  /** `--debug`: one line per request, never headers or bodies. */
  readonly debug?: (line: string) => void;
}

/** Tries after a secondary rate limit before giving up. */
const SECONDARY_LIMIT_RETRIES = 3;
/** A longer wait than this is not waited for: the run fails and says when to try again. */
const MAX_WAIT_SECONDS = 120;

/**
 * Octokit with its retry plugin (server errors, backing off) and one more rule: a secondary rate
 * limit (403 or 429 with `Retry-After`, or "secondary rate limit" in the message) is waited out,
 * as GitHub asks, through `sleep`, at most three times. Octokit's own console logging is off:
 * everything labelform prints goes through its Io.
 */
export function createGitHub(opts: GitHubOptions): GitHub {
  registerSecret(opts.token);
  const octokit = new GitHubClient({
    auth: opts.token,
    baseUrl: opts.apiUrl,
    userAgent: `labelform/${VERSION}`,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    // 429 is a rate limit: answered below by waiting as long as GitHub says, not by backing off.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  });
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await request(options);
        opts.debug?.(`GitHub: ${options.method} ${pathOf(res.url || options.url)} → ${res.status}`);
        return res;
      } catch (err) {
        const failed = err as { status?: number; request?: { url?: string } };
        opts.debug?.(
          `GitHub: ${options.method} ${pathOf(failed.request?.url ?? options.url)} → ${failed.status ?? 'no answer'}`,
        );
        const wait = secondaryLimitWait(err);
        if (wait === undefined || wait > MAX_WAIT_SECONDS || attempt >= SECONDARY_LIMIT_RETRIES) throw err;
        opts.notice(`GitHub's secondary rate limit: waiting ${wait} s before trying again (Retry-After)`);
        await opts.sleep(wait * 1000);
      }
    }
  });
  return octokit;
}

/**
 * The client for one command's run: it waits through the run's `Io` (tests pass a fake clock),
 * says its notices on stderr and, with `--debug`, each request.
 */
export function gitHubFor(io: Io, token: string, apiUrl: string, debug: boolean): GitHub {
  return createGitHub({
    token,
    apiUrl,
    sleep: io.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))),
    notice: (line) => io.stderr(`${line}\n`),
    ...(debug ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
  });
}

interface HttpFailure {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers: Readonly<Record<string, string | number | undefined>> };
}

function isHttpFailure(err: unknown): err is HttpFailure {
  return err instanceof Error && typeof (err as { status?: unknown }).status === 'number';
}

/**
 * Seconds to wait before trying again after a secondary rate limit, or undefined for any other
 * failure. A spent primary limit (`x-ratelimit-remaining: 0`) is not waited for: it resets up to
 * an hour later.
 */
export function secondaryLimitWait(err: unknown): number | undefined {
  if (!isHttpFailure(err) || (err.status !== 403 && err.status !== 429)) return undefined;
  const headers = err.response?.headers ?? {};
  if (String(headers['x-ratelimit-remaining']) === '0') return undefined;
  const after = headers['retry-after'];
  if (after !== undefined && Number.isFinite(Number(after)) && Number(after) >= 0) return Number(after);
  // GitHub's advice when it gives no Retry-After: wait at least a minute.
  return /secondary rate limit/i.test(err.message) ? 60 : undefined;
}

/** What a failed GitHub request was for, and which settings a person can change about it. */
export interface GitHubAction {
  /** "comment on pull request #12 of acme/labels" */
  readonly what: string;
  /** The workflow permission the call needs ("pull-requests: write"). */
  readonly permission: string;
  /** The variable the token came from. */
  readonly tokenEnv: string;
  readonly apiUrl: string;
}

/** A failed GitHub request as one line naming the setting to fix (no stack, no token). */
export function describeGitHubError(err: unknown, action: GitHubAction): UserError {
  if (!isHttpFailure(err))
    return new UserError(`cannot ${action.what}: ${oneLine(String((err as Error)?.message ?? err))}`);
  const said = oneLine(err.message);
  const headers = err.response?.headers ?? {};
  if (!err.response) {
    return new UserError(
      `cannot ${action.what}: GitHub at ${action.apiUrl} did not answer (${said}); check GITHUB_API_URL and the runner's network`,
    );
  }
  switch (err.status) {
    case 401:
      return new UserError(
        `cannot ${action.what}: GitHub refused the token in ${action.tokenEnv} (401 ${said}); set ${action.tokenEnv} to a valid token (in a workflow: \`env: ${action.tokenEnv}: \${{ github.token }}\`)`,
      );
    case 403:
    case 429:
      if (String(headers['x-ratelimit-remaining']) === '0') {
        const reset = Number(headers['x-ratelimit-reset']);
        return new UserError(
          `cannot ${action.what}: the GitHub API rate limit of the token in ${action.tokenEnv} is used up${Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''} (${err.status}); run again later`,
        );
      }
      if (secondaryLimitWait(err) !== undefined) {
        return new UserError(
          `cannot ${action.what}: GitHub's secondary rate limit still applies after ${SECONDARY_LIMIT_RETRIES} waits (${err.status} ${said}); run again in a few minutes`,
        );
      }
      return new UserError(
        `cannot ${action.what}: the token in ${action.tokenEnv} may not do that (403 ${said}); give the workflow \`permissions: ${action.permission}\` ` +
          '(a pull request from a fork gets a read-only token)',
      );
    case 404:
      return new UserError(
        `cannot ${action.what}: GitHub answered 404 (${said}); check GITHUB_REPOSITORY and GITHUB_API_URL (${action.apiUrl}), and that the token in ${action.tokenEnv} can read the repository`,
      );
    case 410:
      return new UserError(
        `cannot ${action.what}: GitHub answered 410 (${said}); are issues turned off for the repository? (Settings → General → Features → Issues)`,
      );
    case 422:
      return new UserError(`cannot ${action.what}: GitHub refused the request (422 ${said})`);
    default:
      return new UserError(`cannot ${action.what}: GitHub answered ${err.status} (${said}); run again later`);
  }
}

/** GitHub's message without its documentation link, on one line, at most 200 characters. */
function oneLine(message: string): string {
  const text = withholdSecrets(
    message
      .replace(/ - https:\/\/docs\.github\.com\S*/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return text.length > 200 ? `${text.slice(0, 199)}…` : text || 'no message';
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
