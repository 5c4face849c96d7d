import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import pLimit from 'p-limit';
import { registerSecret } from '../util/redact.ts';
import { sleepUnlessAborted } from '../util/sleep.ts';
import { accessTokenIsFresh, decodeJwtPayload, detectAuthScheme, type AuthScheme, type JwtPayload } from './auth.ts';
import { ApiError, parseErrorBody } from './errors.ts';

export interface HttpOptions {
  /** Server base URL, with or without a trailing slash or a path prefix. */
  readonly baseUrl: string;
  /** Legacy token or personal access token. Never logged. */
  readonly token: string;
  readonly timeoutMs?: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** Retries of a request that is safe to repeat. */
  readonly maxRetries?: number;
  /** Base of the exponential backoff, in ms. */
  readonly backoffMs?: number;
  /** Longest wait between two attempts (also caps Retry-After), in ms. */
  readonly maxBackoffMs?: number;
  readonly userAgent?: string;
  /** Called after every HTTP exchange (for --debug); never given headers or bodies. */
  readonly onExchange?: (e: Exchange) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * Abandons every request of this client once aborted (a long-running `watch` shutting down):
   * the one in flight is cut, one waiting in the queue or between two attempts is not sent, and
   * each fails at once with a `network` error saying so. Never retried, never "server gone".
   */
  readonly signal?: AbortSignal;
}

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly ms: number;
  readonly attempt: number;
  readonly outcome: 'ok' | 'retry' | 'error' | 'refresh';
}

export interface RequestOptions {
  readonly params?: Record<string, string | number | boolean | undefined>;
  readonly data?: unknown;
  /** Safe to send twice: retried on network errors, 429, 502, 503, 504. GET/HEAD/DELETE are by default. */
  readonly idempotent?: boolean;
  readonly responseType?: 'json' | 'stream' | 'text';
  readonly timeoutMs?: number;
  readonly headers?: Record<string, string>;
  /** Send without credentials (the global config validator and the token refresh need none). */
  readonly anonymous?: boolean;
  /**
   * A write that may run beside other writes (within the concurrency limit) instead of one at a
   * time: for updates of one existing row that create nothing and switch off no signals (the
   * PATCH of one annotation's result). Creates and deletes never set it.
   */
  readonly concurrentWrite?: boolean;
}

export interface HttpStats {
  /** HTTP requests sent, retries and token refreshes included. */
  requests: number;
  retries: number;
  refreshes: number;
}

export interface Http {
  readonly baseUrl: string;
  readonly scheme: AuthScheme;
  readonly stats: HttpStats;
  request<T>(method: Method, path: string, opts?: RequestOptions): Promise<T>;
  /** A streaming response (downloads); errors are parsed like any other. */
  stream(
    method: Method,
    path: string,
    opts?: RequestOptions,
  ): Promise<{ stream: Readable; headers: Record<string, string> }>;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Statuses of a gateway whose server is away (restarting, or gone); 429 is a server that is there. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);
const RETRY_NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_NETWORK',
]);
/**
 * Nothing listens there (refused) or the name does not exist: no request reached a server, and
 * asking again will not find one. Not retried, and every later request fails at once.
 */
const SERVER_GONE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);
/**
 * How long a server taken for gone stays so: after it, one request goes out as a probe (a
 * server restarted on the same port, a long-lived client), and any answer clears the state.
 */
const GONE_FOR_MS = 2000;

/** Why the server is taken for gone: every request after it fails with this, without a connection. */
interface ServerGone {
  /** When the state began (or the last probe went out). */
  at: number;
  readonly kind: 'network' | 'timeout' | 'http';
  readonly status?: number;
  readonly code?: string;
  readonly detail: string;
}

/**
 * The transport under every API call: base URL handling, auth (legacy token or PAT with access
 * token refresh before `exp` and once on a 401), a concurrency limit, timeouts, retries with
 * exponential backoff and full jitter for requests safe to repeat (honouring Retry-After), and
 * errors turned into ApiError without headers. The only place that imports axios.
 *
 * A server that is gone stops the whole client, not one request: once a connection is refused
 * (or the host does not resolve), or one request has spent all its retries on network failures or
 * gateway errors (502/503/504) while no request got an answer from the server, every queued and
 * later request fails at once with that error instead of retrying on its own (300 queued reads
 * used to take ~4 minutes to fail, one by one). Two seconds on, one request goes out again as a
 * probe, and any answer from the server ends the state. A timeout never starts it.
 */
export function createHttp(opts: HttpOptions): Http {
  const baseUrl = opts.baseUrl.trim().replace(/\/+$/, '');
  const token = opts.token.trim();
  registerSecret(token);
  const scheme = detectAuthScheme(token);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxRetries = opts.maxRetries ?? 4;
  const backoffMs = opts.backoffMs ?? 300;
  const maxBackoffMs = opts.maxBackoffMs ?? 15_000;
  const signal = opts.signal;
  // A wait between two attempts ends early (its timer cleared) when the client is abandoned.
  const sleep = (ms: number): Promise<void> =>
    opts.sleep ? (signal ? untilAborted(opts.sleep(ms), signal) : opts.sleep(ms)) : sleepUnlessAborted(ms, signal);
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const limit = pLimit(opts.concurrency ?? 4);
  // Writes go one at a time. Label Studio 1.23 on SQLite re-runs a whole request when the
  // database is locked (so parallel creates can make duplicates), and a project delete switches
  // off model signals process-wide without nesting (so parallel deletes can leave them off).
  const writeLimit = pLimit(1);
  const limited = <T>(method: Method, fn: () => Promise<T>, concurrentWrite = false): Promise<T> =>
    concurrentWrite || ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())
      ? limit(fn)
      : writeLimit(() => limit(fn));
  const stats: HttpStats = { requests: 0, retries: 0, refreshes: 0 };
  const agentOptions = { keepAlive: true, maxSockets: (opts.concurrency ?? 4) + 2 };
  const ax: AxiosInstance = axios.create({
    baseURL: baseUrl,
    // Never let axios throw on status: every status is read here, and axios errors carry headers.
    validateStatus: () => true,
    maxRedirects: 3,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    headers: { 'User-Agent': opts.userAgent ?? 'labelform', Accept: 'application/json' },
    maxContentLength: Infinity,
    maxBodyLength: Infinity,
    transitional: { clarifyTimeoutError: true },
  });

  let gone: ServerGone | undefined;
  // Answers from the server itself (any status but a gateway's): a request that spent its
  // retries while others were answered met a bad endpoint, not a server that is gone.
  let answered = 0;
  const markGone = (g: Omit<ServerGone, 'at'>) => void (gone ??= { ...g, at: now() });
  const goneError = (method: Method, shown: string, g: ServerGone) =>
    new ApiError(g.kind, method.toUpperCase(), shown, g.status, g.detail, undefined, g.code);

  let access: { token: string; payload: JwtPayload | undefined } | undefined;
  let refreshing: Promise<void> | undefined;

  const refreshAccessToken = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const body = await send<{ access?: string }>(
          'POST',
          '/api/token/refresh/',
          { data: { refresh: token }, anonymous: true, idempotent: true },
          'refresh',
        );
        if (typeof body?.access !== 'string') {
          throw new ApiError(
            'not-label-studio',
            'POST',
            '/api/token/refresh/',
            200,
            'the token refresh answered without an access token',
            undefined,
          );
        }
        registerSecret(body.access);
        access = { token: body.access, payload: decodeJwtPayload(body.access) };
        stats.refreshes++;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const authHeader = async (): Promise<string> => {
    if (scheme === 'legacy-token') return `Token ${token}`;
    if (!access || !accessTokenIsFresh(access.payload, now())) await refreshAccessToken();
    return `Bearer ${access!.token}`;
  };

  async function send<T>(
    method: Method,
    path: string,
    o: RequestOptions,
    purpose: 'call' | 'refresh' | 'stream' = 'call',
  ): Promise<T> {
    const idempotent = o.idempotent ?? ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method.toUpperCase());
    const shown = describePath(path, o.params);
    let refreshedAfter401 = false;
    const answeredBefore = answered;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abandoned(method, shown);
      // Checked before every attempt: a request waiting in the queue or between two attempts
      // when the server went away is not sent; once the state is old, this one goes as a probe.
      if (gone) {
        if (now() - gone.at < GONE_FOR_MS) throw goneError(method, shown, gone);
        gone.at = now();
      }
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (!o.anonymous) headers.Authorization = await authHeader();
      const started = now();
      let res: AxiosResponse;
      try {
        stats.requests++;
        res = await ax.request({
          method,
          url: path,
          params: o.params ? stripUndefined(o.params) : undefined,
          data: o.data,
          headers,
          timeout: o.timeoutMs ?? timeoutMs,
          responseType: o.responseType === 'stream' ? 'stream' : o.responseType === 'text' ? 'text' : 'json',
          // Keep JSON.parse failures visible instead of silently returning text.
          transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (signal?.aborted) throw abandoned(method, shown);
        const { kind, code, detail } = describeTransportError(err, baseUrl, o.timeoutMs ?? timeoutMs);
        const retryable = kind === 'timeout' || RETRY_NETWORK_CODES.has(code ?? '');
        const retry = idempotent && attempt < maxRetries && retryable;
        opts.onExchange?.({ method, path: shown, ms: now() - started, attempt, outcome: retry ? 'retry' : 'error' });
        if (retry) {
          stats.retries++;
          await sleep(backoff(attempt));
          continue;
        }
        // Refused, or the connection still failing after every retry while nothing else was
        // answered: the server is gone, not having a moment. Not a timeout: a slow request
        // (a large project's PATCH) says nothing about the next one.
        if (
          SERVER_GONE_CODES.has(code ?? '') ||
          (kind !== 'timeout' && retryable && idempotent && attempt > 0 && answered === answeredBefore)
        )
          markGone({ kind, ...(code ? { code } : {}), detail });
        throw new ApiError(kind, method.toUpperCase(), shown, undefined, detail, undefined, code);
      }
      const status = res.status;
      if (!GATEWAY_STATUSES.has(status)) {
        answered++;
        gone = undefined;
      }
      if (status === 401 && !o.anonymous && scheme === 'personal-access-token' && !refreshedAfter401) {
        // An access token can expire between our `exp` check and the server's: refresh once.
        await drain(res);
        opts.onExchange?.({ method, path: shown, status, ms: now() - started, attempt, outcome: 'refresh' });
        refreshedAfter401 = true;
        access = undefined;
        attempt--;
        continue;
      }
      if (RETRY_STATUSES.has(status) && idempotent && attempt < maxRetries) {
        const wait = retryAfterMs(res.headers['retry-after'], now()) ?? backoff(attempt);
        await drain(res);
        opts.onExchange?.({ method, path: shown, status, ms: now() - started, attempt, outcome: 'retry' });
        stats.retries++;
        await sleep(Math.min(wait, maxBackoffMs * 4));
        continue;
      }
      if (status === 404 && method.toUpperCase() === 'DELETE' && attempt > 0 && !isHtml(res)) {
        // A DELETE sent again after its answer was lost: the first one did it (a project with
        // 100,000 tasks takes PostgreSQL longer than the timeout to delete). Gone is what was asked.
        await drain(res);
        opts.onExchange?.({ method, path: shown, status, ms: now() - started, attempt, outcome: 'ok' });
        return undefined as T;
      }
      if (status >= 400) {
        const body = o.responseType === 'stream' ? await readStream(res.data as Readable) : res.data;
        opts.onExchange?.({ method, path: shown, status, ms: now() - started, attempt, outcome: 'error' });
        const { detail, validationErrors } = parseErrorBody(body);
        // A gateway still answering 502/503/504 after every retry: its server is not coming back soon.
        if (GATEWAY_STATUSES.has(status) && idempotent && attempt > 0 && answered === answeredBefore)
          markGone({ kind: 'http', status, detail });
        const kind = isHtml(res) && (status === 404 || status === 405) ? 'not-label-studio' : 'http';
        throw new ApiError(
          kind,
          method.toUpperCase(),
          shown,
          status,
          kind === 'not-label-studio'
            ? `${baseUrl} answered HTTP ${status} with an HTML page: is this the URL of a Label Studio server?`
            : detail,
          validationErrors,
        );
      }
      opts.onExchange?.({
        method,
        path: shown,
        status,
        ms: now() - started,
        attempt,
        outcome: purpose === 'refresh' ? 'refresh' : 'ok',
      });
      if (purpose === 'stream') return res as unknown as T;
      if (
        (o.responseType ?? 'json') === 'json' &&
        status !== 204 &&
        res.data !== '' &&
        (typeof res.data !== 'object' || res.data === null)
      ) {
        throw new ApiError(
          'not-label-studio',
          method.toUpperCase(),
          shown,
          status,
          isHtml(res)
            ? `${baseUrl} answered with an HTML page, not Label Studio's JSON API: check the URL`
            : 'the server answered with something that is not JSON',
          undefined,
        );
      }
      return res.data as T;
    }
  }

  function backoff(attempt: number): number {
    // "Equal jitter": half the exponential step plus a random half, so parallel clients spread out.
    const cap = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
    return Math.round(cap / 2 + random() * (cap / 2));
  }

  return {
    baseUrl,
    scheme,
    stats,
    request: <T>(method: Method, path: string, o: RequestOptions = {}) =>
      limited(method, () => send<T>(method, path, o), o.concurrentWrite),
    stream: (method, path, o = {}) =>
      limited(method, async () => {
        const res = await send<AxiosResponse>(method, path, { ...o, responseType: 'stream' }, 'stream');
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
        return { stream: res.data as Readable, headers };
      }),
  };
}

function describePath(path: string, params?: RequestOptions['params']): string {
  if (!params) return path;
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
  return q ? `${path}?${q}` : path;
}

/** The error of a request cut or never sent because its client was abandoned (`HttpOptions.signal`). */
function abandoned(method: Method, shown: string): ApiError {
  return new ApiError(
    'network',
    method.toUpperCase(),
    shown,
    undefined,
    'abandoned: the run is stopping',
    undefined,
    'ABORTED',
  );
}

/** Resolves with `p`, or as soon as `signal` aborts (the caller then checks the signal). */
function untilAborted(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    p.then(done, done);
  });
}

function describeTransportError(
  err: unknown,
  baseUrl: string,
  timeoutMs: number,
): { kind: 'network' | 'timeout'; code?: string; detail: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || /timeout/i.test(e?.message ?? '')) {
    return {
      kind: 'timeout',
      code: code ?? 'ETIMEDOUT',
      detail: `no answer from ${baseUrl} within ${Math.round(timeoutMs / 1000)} s`,
    };
  }
  const host = safeHost(baseUrl);
  const detail =
    code === 'ECONNREFUSED'
      ? `cannot connect to ${baseUrl}: connection refused (is Label Studio running, and is the URL right?)`
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `cannot resolve the host ${host} of ${baseUrl}`
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? `the connection to ${baseUrl} was reset`
          : code === 'ERR_INVALID_URL'
            ? `"${baseUrl}" is not a valid URL`
            : `cannot reach ${baseUrl}: ${code ?? e?.message ?? 'unknown network error'}`;
  return { kind: 'network', ...(code ? { code } : {}), detail };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function isHtml(res: AxiosResponse): boolean {
  const type = String(res.headers['content-type'] ?? '');
  return type.includes('text/html') || (typeof res.data === 'string' && /^\s*<(!doctype|html)/i.test(res.data));
}

async function drain(res: AxiosResponse): Promise<void> {
  const data = res.data as { resume?: () => void } | undefined;
  if (data && typeof data.resume === 'function') data.resume();
}

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size <= 64 * 1024) chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function stripUndefined(params: NonNullable<RequestOptions['params']>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number | boolean
  >;
}
