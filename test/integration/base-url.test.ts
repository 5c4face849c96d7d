import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';

let ls: FakeLabelStudio;
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];

test.before(async () => {
  ls = await startFakeLabelStudio();
  const target = new URL(ls.url);
  // A reverse proxy that serves Label Studio under /tools/labelstudio, as many installs do.
  proxy = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(url);
    if (!url.startsWith('/tools/labelstudio/')) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html>not here</html>');
      return;
    }
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: url.slice('/tools/labelstudio'.length),
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
test.after(async () => {
  await new Promise((r) => proxy.close(r));
  await ls.stop();
});

for (const base of ['/tools/labelstudio', '/tools/labelstudio/', '/tools/labelstudio//']) {
  test(`a base URL with a path prefix: "${base}"`, async () => {
    seen.length = 0;
    const client = createClient({ baseUrl: `${proxyUrl}${base}`, token: ls.token });
    assert.is((await client.version()).release, '1.23.2');
    const p = await client.createProject({ title: `Prefix ${base}` });
    assert.is((await client.getProject(p.id)).title, `Prefix ${base}`);
    await client.importTasks(p.id, [{ text: 'x' }]);
    // Each route keeps its own trailing slash (or none), under the prefix, with no double slash.
    assert.equal(seen, [
      '/tools/labelstudio/api/version/',
      '/tools/labelstudio/api/projects/',
      `/tools/labelstudio/api/projects/${p.id}/`,
      `/tools/labelstudio/api/projects/${p.id}/import`,
    ]);
  });
}

test('a base URL without the prefix reaches the proxy, not Label Studio: a clear error', async () => {
  const client = createClient({ baseUrl: proxyUrl, token: ls.token, maxRetries: 0 });
  const err = await client.whoami().catch((e: unknown) => e as Error);
  assert.match(String(err), /answered HTTP 404 with an HTML page: is this the URL of a Label Studio server\?/);
});

test.run();
