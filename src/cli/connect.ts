import { createClient, type LabelStudioClient } from '../api/client.ts';
import { isApiError, type ApiError } from '../api/errors.ts';
import { FEATURE_SINCE, showSince } from '../api/server-versions.ts';
import type { Exchange } from '../api/http.ts';
import type { RootConfig } from '../manifest/types.ts';
import { interpolate } from '../manifest/interpolate.ts';
import { UserError } from '../util/errors.ts';
import { registerSecret, showRequestPath } from '../util/redact.ts';
import { assertTokenDestination } from './ci-trust.ts';
import type { Io } from '../util/io.ts';
import { VERSION } from '../util/version.ts';

export const DEFAULT_URL_ENV = 'LABEL_STUDIO_URL';
export const DEFAULT_TOKEN_ENV = 'LABEL_STUDIO_API_KEY';

export interface ResolvedEnvironment {
  readonly name: string;
  readonly url: string;
  readonly token: string;
  readonly tokenEnv: string;
  /** Where the URL came from, for messages ("LABEL_STUDIO_URL", "labelform.yaml:7:10"). */
  readonly urlSource: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/**
 * The environment's server URL alone (no token needed): for what reads only the server's public
 * files, such as `preview` loading the labeling editor.
 */
export function resolveServerUrl(
  config: RootConfig | undefined,
  requested: string | undefined,
  env: Io['env'],
): {
  name: string;
  url: string;
  urlSource: string;
  def: NonNullable<RootConfig['environments'][string]> | Record<string, never>;
} {
  const name = requested ?? config?.defaultEnvironment ?? 'default';
  const def = config ? config.environments[name] : {};
  if (!def) {
    throw new UserError(
      `no environment "${name}" in ${config!.file} (defined: ${Object.keys(config!.environments).join(', ')})`,
    );
  }
  const pos = (pointer: string) => {
    if (!config) return '';
    const at = config.doc.locate(pointer);
    return `${config.file}:${at.line}:${at.col}`;
  };
  let url: string;
  let urlSource: string;
  if (def.url !== undefined) {
    urlSource = pos(`/environments/${name}/url`);
    const resolved = interpolate(def.url, {
      variables: ('variables' in def && def.variables) || {},
      env,
      requireEnv: true,
    });
    if (resolved.issues.length > 0)
      throw new UserError(`${urlSource}: environment "${name}" url: ${resolved.issues[0]!.message}`);
    url = String(resolved.value);
  } else {
    urlSource = DEFAULT_URL_ENV;
    url = env[DEFAULT_URL_ENV] ?? '';
    if (!url) {
      throw new UserError(
        `${DEFAULT_URL_ENV} is not set: environment "${name}" has no url${config ? ` in ${config.file}` : ''}, so the server URL comes from ${DEFAULT_URL_ENV}`,
        [],
        `Set it, e.g. export ${DEFAULT_URL_ENV}=http://localhost:8080${config ? `, or add url: to environments.${name} in ${config.file}` : ''}.`,
      );
    }
  }
  if (!/^https?:\/\/[^\s/]+/i.test(url.trim())) {
    throw new UserError(`${urlSource}: "${url}" is not an http(s) URL (environment "${name}")`);
  }
  if (/^https?:\/\/[^/@\s]*@/i.test(url.trim())) {
    // Credentials in the URL would replace the token's Authorization header, and show in errors.
    registerSecret(
      url
        .trim()
        .replace(/^https?:\/\//i, '')
        .split('@')[0],
    );
    throw new UserError(
      `${urlSource}: the URL of environment "${name}" contains a user name or password; remove it (the API token in ${def.tokenEnv ?? DEFAULT_TOKEN_ENV} is what authenticates)`,
    );
  }
  return { name, url: url.trim(), urlSource, def };
}

/**
 * Picks the environment's URL and token: from labelform.yaml when there is one (the URL may use
 * ${env:NAME}; the token always comes from the env var named by tokenEnv), else from
 * LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY. Each missing or malformed setting is named exactly.
 * In CI, a URL from the repository must be one the job names (`assertTokenDestination`).
 */
export function resolveEnvironment(
  config: RootConfig | undefined,
  requested: string | undefined,
  env: Io['env'],
): ResolvedEnvironment {
  const { name, url, urlSource, def } = resolveServerUrl(config, requested, env);
  const pos = (pointer: string) => {
    if (!config) return '';
    const at = config.doc.locate(pointer);
    return `${config.file}:${at.line}:${at.col}`;
  };
  const tokenEnv = def.tokenEnv ?? DEFAULT_TOKEN_ENV;
  // Before the token is even read: in CI, a URL from the repository must be one the job names.
  assertTokenDestination({ name, url, urlSource, tokenEnv, fromRepository: def.url !== undefined }, env);
  const token = (env[tokenEnv] ?? '').trim();
  if (!token) {
    const where = def.tokenEnv ? ` (tokenEnv at ${pos(`/environments/${name}/tokenEnv`)})` : '';
    throw new UserError(
      `${tokenEnv} is not set: environment "${name}" reads its Label Studio API token from it${where}`,
      [],
      'Create a token in Label Studio under Account & Settings (a personal access token, or a legacy token) and export it in that variable; never write it in a manifest.',
    );
  }
  registerSecret(token);
  return {
    name,
    url,
    token,
    tokenEnv,
    urlSource,
    timeoutMs: (def.timeoutSeconds ?? 30) * 1000,
    concurrency: def.concurrency ?? 4,
  };
}

export function connect(
  target: ResolvedEnvironment,
  io: Io,
  opts: { debug?: boolean; signal?: AbortSignal } = {},
): LabelStudioClient {
  return createClient({
    baseUrl: target.url,
    token: target.token,
    timeoutMs: target.timeoutMs,
    concurrency: target.concurrency,
    userAgent: `labelform/${VERSION}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.debug
      ? {
          onExchange: (e: Exchange) =>
            io.stderr(
              `[http] ${e.method} ${showRequestPath(e.path)} -> ${e.status ?? e.outcome} (${e.ms} ms${e.attempt ? `, attempt ${e.attempt + 1}` : ''})\n`,
            ),
        }
      : {}),
  });
}

/**
 * Turns an API failure into the message a person needs: unreachable, not Label Studio, wrong
 * token, legacy tokens disabled (with the fix), expired or revoked personal access token.
 */
export function explainApiError(err: ApiError, target: ResolvedEnvironment, serverVersion?: string): UserError {
  const detail = err.detail ?? '';
  if (err.kind === 'network' || err.kind === 'timeout') {
    return new UserError(
      `cannot reach Label Studio at ${target.url} (${target.urlSource}): ${detail}`,
      [],
      'Check the URL and that the server is running.',
    );
  }
  if (patRefreshMissing(err)) {
    const since = showSince(FEATURE_SINCE.personalAccessTokens);
    return new UserError(
      `the token in ${target.tokenEnv} is a personal access token, and personal access tokens need Label Studio ${since} or later; this server ${serverVersion ? `is ${serverVersion}` : `has no token refresh route, so it is older than ${since}`}`,
      [],
      "Use your account's legacy API token instead (Account & Settings → Access Token: a plain hexadecimal string, no dots), or upgrade the server.",
    );
  }
  if (err.kind === 'not-label-studio') {
    return new UserError(`${target.url} (${target.urlSource}) does not look like a Label Studio server: ${detail}`);
  }
  if (err.status === 401) {
    if (/legacy token authentication has been disabled/i.test(detail)) {
      return new UserError(
        `the server refused the legacy API token in ${target.tokenEnv}: legacy token authentication is disabled for this organization`,
        [],
        'Fix: use a personal access token instead (Account & Settings → Personal Access Token), or have an admin enable legacy tokens (Organization → API Token Settings, or POST /api/jwt/settings {"legacy_api_tokens_enabled": true}).',
      );
    }
    if (err.path.startsWith('/api/token/refresh')) {
      const why = /blacklisted/i.test(detail)
        ? 'it has been revoked'
        : /expired/i.test(detail)
          ? 'it has expired'
          : 'the server does not accept it';
      return new UserError(
        `the personal access token in ${target.tokenEnv} cannot be exchanged for an access token: ${why} (${detail})`,
        [],
        'Create a new personal access token in Label Studio (Account & Settings) and update the variable.',
      );
    }
    if (/Invalid token/i.test(detail)) {
      return new UserError(
        `the API token in ${target.tokenEnv} was rejected by ${target.url}: ${detail}`,
        [],
        'Check that the token belongs to this server and has not been reset.',
      );
    }
    return new UserError(
      `${target.url} refused the credentials from ${target.tokenEnv} (${detail})`,
      [],
      'If this is a personal access token, check that personal access tokens are enabled for the organization.',
    );
  }
  if (err.status === 403) return new UserError(`the user behind ${target.tokenEnv} may not do this: ${err.message}`);
  return new UserError(err.message);
}

/** Runs an async step against the server, turning API errors into clear user errors. */
export async function withServer<T>(target: ResolvedEnvironment, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isApiError(err))
      throw explainApiError(err, target, patRefreshMissing(err) ? await anonymousVersion(target.url) : undefined);
    throw err;
  }
}

/** A personal access token sent to a server without `/api/token/refresh/` (older than 1.17). */
function patRefreshMissing(err: ApiError): boolean {
  return (
    err.path.startsWith('/api/token/refresh') &&
    (err.status === 404 || err.status === 405 || (err.kind === 'not-label-studio' && err.status !== 200))
  );
}

/** The server's release from `/api/version/` (which needs no credentials), or undefined. */
async function anonymousVersion(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/api/version/`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { release?: unknown };
    return typeof body.release === 'string' ? body.release : undefined;
  } catch {
    return undefined;
  }
}
