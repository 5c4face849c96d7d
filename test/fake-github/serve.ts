/**
 * The bit of HTTP both fakes share: a server on 127.0.0.1 with a random port, requests as plain
 * data, JSON replies, scripted failures and a log of what was asked.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** `http://127.0.0.1:port`, for absolute links. */
  readonly origin: string;
}

export interface FakeReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** A failure to answer with instead of the real thing, for the next `times` matching requests. */
export interface ScriptedFailure {
  readonly method?: string;
  readonly path?: RegExp;
  times: number;
  readonly reply: FakeReply;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface FakeServer {
  readonly url: string;
  /** Every request answered, in order. */
  readonly requests: LoggedRequest[];
  /** Answers the next matching request(s) with `reply` instead. */
  fail(failure: Omit<ScriptedFailure, 'times'> & { times?: number }): void;
  /** Forgets the scripted failures not used up yet. */
  clearFailures(): void;
  stop(): Promise<void>;
}

export async function serveFake(handle: (req: FakeRequest) => FakeReply): Promise<FakeServer> {
  const requests: LoggedRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const method = req.method ?? 'GET';
      const request: FakeRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        origin: `http://${req.headers.host}`,
      };
      const scripted = failures.find(
        (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)),
      );
      let reply: FakeReply;
      if (scripted) {
        scripted.times--;
        reply = scripted.reply;
      } else {
        try {
          reply = handle(request);
        } catch (err) {
          reply = { status: 500, body: { message: `fake server bug: ${(err as Error).message}` } };
        }
      }
      requests.push({ method, path: `${url.pathname}${url.search}`, status: reply.status });
      const payload =
        reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...reply.headers,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (f) => failures.push({ ...f, times: f.times ?? 1 }),
    clearFailures: () => void failures.splice(0),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** One page of `items` from `page` and `per_page` (GitHub's default 30, at most 100). */
export function pageOf<T>(
  items: readonly T[],
  query: URLSearchParams,
  defaultSize = 30,
): { items: T[]; page: number; size: number; last: number } {
  const size = Math.min(100, Math.max(1, Number(query.get('per_page')) || defaultSize));
  const page = Math.max(1, Number(query.get('page')) || 1);
  const last = Math.max(1, Math.ceil(items.length / size));
  return { items: items.slice((page - 1) * size, page * size), page, size, last };
}
