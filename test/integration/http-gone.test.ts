/**
 * The client's "server gone" state (src/api/http.ts) is a short one: it stops the queued requests
 * of a run whose server went away, but a server that comes back on the same port is used again
 * once a probe gets through, and a slow request (a timeout) never starts it.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../src/api/errors.ts';
import { createHttp, type Exchange } from '../../src/api/http.ts';

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** A server on `port` answering JSON; `/slow` answers after `slowMs`. */
async function listen(port: number, slowMs = 0): Promise<{ hits: string[] }> {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    hits.push(req.url ?? '');
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    if (req.url?.startsWith('/slow')) setTimeout(answer, slowMs);
    else answer();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { hits };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ApiError,
  );

test('refused: the next request is not sent; after the pause one probe goes, and a server back on the port clears it', async () => {
  const port = await freePort();
  let clock = 1_000_000;
  const exchanges: Exchange[] = [];
  const http = createHttp({
    baseUrl: `http://127.0.0.1:${port}`,
    token: 'a-token-of-some-length',
    now: () => clock,
    sleep: async () => undefined,
    backoffMs: 1,
    onExchange: (e) => exchanges.push(e),
  });
  const first = await failure(http.request('GET', '/api/projects/'));
  assert.instance(first, ApiError);
  assert.is(first!.code, 'ECONNREFUSED');
  assert.is(exchanges.length, 1, 'a refused connection is not retried');
  // Within the pause: failed without a connection attempt.
  const second = await failure(http.request('GET', '/api/projects/2/'));
  assert.is(second!.code, 'ECONNREFUSED');
  assert.is(exchanges.length, 1);
  // The server comes back on the same port; past the pause one request probes and is answered.
  const { hits } = await listen(port);
  clock += 2_001;
  assert.equal(await http.request('GET', '/api/projects/3/'), { ok: true });
  assert.equal(await http.request('GET', '/api/projects/4/'), { ok: true });
  assert.equal(hits, ['/api/projects/3/', '/api/projects/4/']);
});

test('a request that times out on every attempt does not stop the next one', async () => {
  const port = await freePort();
  const { hits } = await listen(port, 400);
  const http = createHttp({
    baseUrl: `http://127.0.0.1:${port}`,
    token: 'a-token-of-some-length',
    timeoutMs: 100,
    maxRetries: 1,
    sleep: async () => undefined,
    backoffMs: 1,
  });
  const slow = await failure(http.request('GET', '/slow'));
  assert.is(slow!.kind, 'timeout');
  assert.equal(await http.request('GET', '/api/version/'), { ok: true });
  assert.equal(hits, ['/slow', '/slow', '/api/version/']);
});

test.run();
