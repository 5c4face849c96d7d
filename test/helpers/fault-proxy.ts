/**
 * A fault-injecting HTTP proxy for 127.0.0.1: forwards to a target server and, for requests that
 * match a rule, resets the connection, answers an error status (with Retry-After), answers slower
 * than a client's timeout, forwards the request and then drops the answer (the server acted,
 * the client never hears), forwards it and answers an error status instead of the server's answer, or delivers the request twice and answers with the second answer (what
 * Label Studio's `DatabaseIsLockedRetryMiddleware` does on SQLite when a write hits a locked
 * database: the request runs again, and the client only sees the last answer). Closed, its port
 * refuses connections: a server that died.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { readonly kind: 'reset' }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly body?: string;
      readonly contentType?: string;
    }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop-answer' }
  /** Forwards the request, then answers this status instead of the server's answer (a view that failed after its write). */
  | { readonly kind: 'status-after-forward'; readonly status: number }
  | { readonly kind: 'deliver-twice' };

export interface Rule {
  readonly method?: string;
  readonly path?: RegExp;
  /** Matches the request body (as text). */
  readonly body?: RegExp;
  /** How many matching requests get the fault. */
  times: number;
  readonly fault: Fault;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
  readonly fault?: Fault['kind'];
  /** The server's answer, once it came back through the proxy (not set for a fault's own answer). */
  status?: number;
  /** When that answer came back (ms since the epoch, as `at`). */
  doneAt?: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Called for each request as it arrives (before any fault): e.g. to stop the proxy at the Nth. */
  onRequest?: (r: SeenRequest) => void;
  inject(rule: Rule): void;
  clear(): void;
  close(): Promise<void>;
}

/** `port`: listen there (a proxy started again where a closed one was: the server is back). */
export async function startFaultProxy(target: string, opts: { port?: number } = {}): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const rules: Rule[] = [];
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onAnswer: (status: number, headers: IncomingMessage['headers'], data: Buffer) => void,
    onError: () => void,
  ) => {
    const upstream = httpRequest(
      {
        hostname: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => onAnswer(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
      },
    );
    upstream.on('error', onError);
    upstream.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const rule = rules.find(
        (r) =>
          r.times > 0 &&
          (!r.method || r.method === method) &&
          (!r.path || r.path.test(path)) &&
          (!r.body || r.body.test(body.toString('utf8'))),
      );
      if (rule) rule.times--;
      const entry: SeenRequest = { method, path, at: Date.now(), ...(rule ? { fault: rule.fault.kind } : {}) };
      seen.push(entry);
      proxy.onRequest?.(entry);
      const fault = rule?.fault;
      const pass = () =>
        forward(
          req,
          body,
          (status, headers, data) => {
            entry.status = status;
            entry.doneAt = Date.now();
            const h = { ...headers };
            delete h['transfer-encoding'];
            h['content-length'] = String(data.length);
            res.writeHead(status, h);
            res.end(data);
          },
          () => res.destroy(),
        );
      if (!fault) return pass();
      switch (fault.kind) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'status':
          res.writeHead(fault.status, {
            'content-type': fault.contentType ?? 'text/html',
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          });
          res.end(fault.body ?? `<html><body>${fault.status}</body></html>`);
          return;
        case 'delay':
          setTimeout(pass, fault.ms);
          return;
        case 'drop-answer':
          forward(
            req,
            body,
            () => req.socket.destroy(),
            () => req.socket.destroy(),
          );
          return;
        case 'status-after-forward':
          forward(
            req,
            body,
            () => {
              res.writeHead(fault.status, { 'content-type': 'text/html' });
              res.end(`<html><body>${fault.status}</body></html>`);
            },
            () => res.destroy(),
          );
          return;
        case 'deliver-twice':
          // One after the other, as the middleware does: the first run has finished (and
          // committed) before the second starts.
          forward(
            req,
            body,
            () => pass(),
            () => res.destroy(),
          );
          return;
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}`,
    seen,
    inject: (rule) => rules.push(rule),
    clear: () => {
      rules.length = 0;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return proxy;
}
