/**
 * Request and response as plain data, and the response shapes Label Studio uses: JSON, its error
 * envelope, DRF's plain bodies, and Django's HTML 404 page.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LS_VERSION, type FakeState, type FakeUser } from './state.ts';

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface Ctx {
  readonly state: FakeState;
  readonly method: string;
  /** Path as routed (a missing trailing slash already added back). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** `http://host:port` as the client addressed us, for `next`/`previous` links. */
  readonly origin: string;
  readonly params: Readonly<Record<string, string>>;
  readonly user: FakeUser | undefined;
}

/** Thrown by handlers to answer early (404, 400, ...); caught by the dispatcher. */
export interface ReplyThrow {
  readonly reply: Reply;
}

export function fail(reply: Reply): never {
  const thrown: ReplyThrow = { reply };
  throw thrown;
}

export function isReplyThrow(err: unknown): err is ReplyThrow {
  return (
    typeof err === 'object' && err !== null && 'reply' in err && typeof (err as ReplyThrow).reply?.status === 'number'
  );
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function noContent(): Reply {
  return { status: 204, headers: { 'Content-Length': '0' } };
}

/** Label Studio's error envelope (`custom_exception_handler`). */
export function envelope(
  status: number,
  detail: string,
  validationErrors?: Record<string, unknown>,
  bodyStatus = status,
): Reply {
  return json(status, {
    id: randomUUID(),
    status_code: bodyStatus,
    version: LS_VERSION,
    detail,
    exc_info: null,
    ...(validationErrors ? { validation_errors: validationErrors } : {}),
  });
}

export function validationError(errors: Record<string, unknown>): Reply {
  return envelope(400, 'Validation error', errors);
}

export function notFound(model: string): Reply {
  return envelope(404, `No ${model} matches the given query.`);
}

/** Django's 404 for unknown routes and wrong slashes: the SPA's HTML page, not JSON. */
export function html404(): Reply {
  return {
    status: 404,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: '\n\n\n<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>Label Studio</title>\n</head>\n<body><div id="app"></div></body>\n</html>\n',
  };
}

export function methodNotAllowed(method: string): Reply {
  return envelope(405, `Method "${method}" not allowed.`);
}

/** Parses the request body as DRF would (JSON or form); a 415/400 envelope otherwise. */
export function readData(ctx: Ctx): unknown {
  if (ctx.rawBody.length === 0) return {};
  const type = String(ctx.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const text = ctx.rawBody.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      fail(envelope(400, `JSON parse error - ${pythonJsonError(text, (err as Error).message)}`));
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  fail(envelope(415, `Unsupported media type "${type || 'text/plain'}" in request.`));
}

/** A dict body, as DRF serializers need (a list → "Invalid data. Expected a dictionary, but got list."). */
export function readObject(ctx: Ctx): Record<string, unknown> {
  const data = readData(ctx);
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    fail(
      validationError({
        non_field_errors: [
          `Invalid data. Expected a dictionary, but got ${Array.isArray(data) ? 'list' : typeof data === 'string' ? 'str' : typeof data === 'number' ? 'int' : 'NoneType'}.`,
        ],
      }),
    );
  }
  return data as Record<string, unknown>;
}

/** Query string as Python's `urlencode(sorted(...))` writes it (DRF's `replace_query_param`). */
export function pageUrl(ctx: Ctx, page: number | undefined): string {
  const params = new Map<string, string[]>();
  for (const [k, v] of ctx.query) params.set(k, [...(params.get(k) ?? []), v]);
  if (page === undefined) params.delete('page');
  else params.set('page', [String(page)]);
  const q = [...params.keys()]
    .sort()
    .flatMap((k) => params.get(k)!.map((v) => `${quotePlus(k)}=${quotePlus(v)}`))
    .join('&');
  return `${ctx.origin}${ctx.path}${q ? `?${q}` : ''}`;
}

function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%7E/g, '~')
    .replace(/%20/g, '+');
}

/**
 * Django's paginator: `page` is a positive integer or "last"; anything else, or a page past the
 * end, is a 404 "Invalid page." (page 1 of an empty list is fine).
 */
export function paginate<T>(
  ctx: Ctx,
  items: readonly T[],
  defaultSize: number,
  maxSize: number | undefined,
): { page: number; items: T[]; pages: number } {
  const rawSize = ctx.query.get('page_size');
  let size = defaultSize;
  if (rawSize !== null && /^\s*[+-]?\d+\s*$/.test(rawSize) && Number(rawSize) > 0) size = Number(rawSize);
  if (maxSize) size = Math.min(size, maxSize);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const rawPage = ctx.query.get('page') ?? '1';
  const page = rawPage === 'last' ? pages : /^\s*[+-]?\d+\s*$/.test(rawPage) ? Number(rawPage) : NaN;
  if (!Number.isInteger(page) || page < 1 || page > pages) fail(envelope(404, 'Invalid page.'));
  return { page, pages, items: items.slice((page - 1) * size, page * size) };
}

/** V8's JSON.parse message reworded as Python's json module words it (`msg: line L column C (char N)`). */
function pythonJsonError(text: string, v8: string): string {
  const at = /at position (\d+)/.exec(v8);
  const pos = at ? Number(at[1]) : text.length;
  const msg = /after property value|after array element/.test(v8)
    ? "Expecting ',' delimiter"
    : /after property name/.test(v8)
      ? "Expecting ':' delimiter"
      : /property name/.test(v8)
        ? 'Expecting property name enclosed in double quotes'
        : /non-whitespace character after JSON/.test(v8)
          ? 'Extra data'
          : /control character/.test(v8)
            ? 'Invalid control character at'
            : /Unterminated string/.test(v8)
              ? 'Unterminated string starting at'
              : 'Expecting value';
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${msg}: line ${line} column ${col} (char ${pos})`;
}
