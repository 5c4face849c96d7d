import { UserError } from '../util/errors.ts';
import { execGit, readHead, type RunGit } from './git.ts';

/**
 * The variable a CI job sets to name the Label Studio servers its token may go to: URLs (or
 * origins) separated by commas or whitespace. Set by the pipeline, never read from the repository.
 */
export const ALLOWED_URLS_ENV = 'LABELFORM_ALLOWED_URLS';

type Env = Readonly<Record<string, string | undefined>>;

/** Which CI this run is in, by the variables CI systems set, for messages; undefined outside CI. */
export function ciRunner(env: Env): string | undefined {
  if (env.GITHUB_ACTIONS === 'true') return 'GitHub Actions (GITHUB_ACTIONS is "true")';
  if (env.GITLAB_CI === 'true') return 'GitLab CI (GITLAB_CI is "true")';
  const ci = env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') return 'CI (CI is set)';
  return undefined;
}

/**
 * In CI, a token goes only to a server that someone outside the repository named: a URL from
 * `labelform.yaml` (which a pull request can edit, `${env:}` parts included) must match
 * `LABEL_STUDIO_URL` or an entry of `LABELFORM_ALLOWED_URLS`, both set by the job. Otherwise a
 * pull request that changes `url:` would have the plan job send the CI secret to its own host.
 * A URL that comes from `LABEL_STUDIO_URL` itself is the job's. Outside CI nothing changes.
 */
export function assertTokenDestination(
  target: {
    readonly name: string;
    readonly url: string;
    readonly urlSource: string;
    readonly tokenEnv: string;
    readonly fromRepository: boolean;
  },
  env: Env,
): void {
  if (!target.fromRepository) return;
  const runner = ciRunner(env);
  if (!runner) return;
  const url = new URL(target.url);
  const allowed = allowedUrls(env);
  if (allowed.some((a) => sameServer(url, a))) return;
  const named = allowed.length
    ? `it is not among the servers the job names (${ALLOWED_URLS_ENV}${env.LABEL_STUDIO_URL ? ' and LABEL_STUDIO_URL' : ''})`
    : `the job names no server (neither ${ALLOWED_URLS_ENV} nor LABEL_STUDIO_URL is set)`;
  throw new UserError(
    `${target.urlSource}: environment "${target.name}" would send the token in ${target.tokenEnv} to ${url.origin}, a URL taken from the repository, and ${named}; in ${runner} a token goes only to a server the CI job names, so nothing was sent`,
    [],
    `If ${url.origin} is your server, name it in the job, outside the repository: \`${ALLOWED_URLS_ENV}: ${url.origin}\` (a CI variable), or set LABEL_STUDIO_URL to it. A pull request that edits url: must not move the token.`,
  );
}

/**
 * Under `pull_request_target` a job holds the repository's secrets while running for a pull
 * request, fork or not: code or data checked out from the pull request would then steer what
 * the token does (GitHub's own warning about this event). labelform sends credentials there only
 * when the checkout is the base commit the event names (`GITHUB_SHA`).
 */
export async function assertTrustedCheckout(env: Env, dir: string, runGit: RunGit = execGit): Promise<void> {
  if (env.GITHUB_EVENT_NAME !== 'pull_request_target') return;
  const base = env.GITHUB_SHA?.trim().toLowerCase() ?? '';
  const head = (await readHead(runGit, dir)) ?? '';
  if (head && base && head === base) return;
  const checkout = head
    ? `the checkout is ${head.slice(0, 12)}`
    : 'which commit is checked out cannot be read (no git repository)';
  throw new UserError(
    `this job runs on pull_request_target, which gives it the repository's secrets, and ${checkout}, not the base commit ${base ? base.slice(0, 12) : '(GITHUB_SHA is not set)'}: labelform sends no credentials for files a pull request can change; nothing was sent`,
    [],
    'Plan pull requests on the pull_request event (pull requests from forks get no secrets there, by design), or check out only the base commit under pull_request_target.',
  );
}

/** `LABEL_STUDIO_URL` and the entries of `LABELFORM_ALLOWED_URLS`; a malformed entry is an error naming it. */
function allowedUrls(env: Env): URL[] {
  const out: URL[] = [];
  for (const entry of (env[ALLOWED_URLS_ENV] ?? '').split(/[\s,]+/).filter(Boolean)) {
    const url = parseHttpUrl(entry);
    if (!url)
      throw new UserError(
        `${ALLOWED_URLS_ENV}: "${entry}" is not an http(s) URL; list the Label Studio servers the token may go to, e.g. https://label-studio.example.com`,
      );
    out.push(url);
  }
  const fromEnv = env.LABEL_STUDIO_URL ? parseHttpUrl(env.LABEL_STUDIO_URL.trim()) : undefined;
  if (fromEnv) out.push(fromEnv);
  return out;
}

function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Same scheme, host and port (URL normalises case and default ports), and under the allowed path. */
function sameServer(url: URL, allowed: URL): boolean {
  if (url.protocol !== allowed.protocol || url.host !== allowed.host) return false;
  const base = allowed.pathname.replace(/\/+$/, '');
  const path = url.pathname.replace(/\/+$/, '');
  return base === '' || path === base || path.startsWith(`${base}/`);
}
