import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testRelease } from '../helpers/applicable.ts';
import { createClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { runCli } from '../helpers/cli.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { api, makeRepo, projectManifest, realServer, resetServer, uniqueNamespace } from './support.ts';

const direct = api();
let proxy: FaultProxy;

test.before(async () => {
  await resetServer(direct);
  proxy = await startFaultProxy(realServer().url);
});
test.after(async () => {
  await proxy.close();
});
test.before.each(() => proxy.clear());

const viaProxy = (timeoutMs = 10_000) =>
  createClient({ baseUrl: proxy.url, token: realServer().token, backoffMs: 50, maxBackoffMs: 400, timeoutMs });

test('connection resets on a GET are retried', async () => {
  proxy.inject({ method: 'GET', path: /^\/api\/version\//, times: 2, fault: { kind: 'reset' } });
  const v = await viaProxy().version();
  assert.is(v.release, testRelease());
  assert.equal(
    proxy.seen.map((s) => s.fault ?? 'passed'),
    ['reset', 'reset', 'passed'],
  );
});

test('503 on a GET is retried with backoff', async () => {
  proxy.inject({ method: 'GET', path: /^\/api\/projects\//, times: 2, fault: { kind: 'status', status: 503 } });
  const client = viaProxy();
  const pages = [];
  for await (const page of client.listProjects()) pages.push(page);
  assert.is(pages.length, 1);
  assert.is(proxy.seen.length, 3);
  assert.is(client.http.stats.retries, 2);
});

test('429 with Retry-After: the retry waits as long as the server asked', async () => {
  proxy.inject({ method: 'GET', path: /whoami/, times: 1, fault: { kind: 'status', status: 429, retryAfter: '1' } });
  const user = await viaProxy().whoami();
  assert.ok(user.email);
  const [first, second] = proxy.seen;
  assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms`);
});

test('a response slower than the timeout is retried for a GET', async () => {
  proxy.inject({ method: 'GET', path: /whoami/, times: 1, fault: { kind: 'delay', ms: 2500 } });
  const user = await viaProxy(800).whoami();
  assert.ok(user.email);
  assert.is(proxy.seen.length, 2);
});

test('a POST that creates is never retried blindly: reset and 503 each reach the server once', async () => {
  const client = viaProxy();
  const title = `No retry ${uniqueNamespace('p')}`;
  proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'reset' } });
  const err1 = await client.createProject({ title }).catch((e: unknown) => e);
  assert.instance(err1, ApiError);
  assert.is((err1 as ApiError).kind, 'network');
  proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'status', status: 503 } });
  const err2 = await client.createProject({ title }).catch((e: unknown) => e);
  assert.is((err2 as ApiError).status, 503);
  assert.is(proxy.seen.filter((s) => s.method === 'POST').length, 2, 'one POST per call, no retries');
  let withTitle = 0;
  for await (const page of direct.listProjects()) withTitle += page.filter((p) => p.title === title).length;
  assert.is(withTitle, 0);
  // The safe POST (config validation) is retried.
  proxy.inject({ method: 'POST', path: /validate/, times: 2, fault: { kind: 'status', status: 502 } });
  await client.validateConfig('<View><Text name="t" value="$t"/></View>');
  assert.is(proxy.seen.filter((s) => /validate/.test(s.path)).length, 3);
});

test('apply through a proxy that loses the answer to the create: exactly one project, found by its marker', async () => {
  const ns = uniqueNamespace('lost');
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest('lost-answer', `  title: Lost answer ${ns}\n  color: "#0A0B0C"\n`),
  });
  proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'drop-answer' } });
  const env = { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: realServer().token };
  const applied = await runCli(['apply', '--auto-approve', '-C', dir], { env, cwd: dir });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /already carrying the marker/);
  assert.is(proxy.seen.filter((s) => s.method === 'POST').length, 1, 'the create was not sent twice');
  assert.is(await countMarked(ns), 1);

  // A reset before the server sees the POST: the look-up finds nothing, so it posts again, once.
  const ns2 = uniqueNamespace('reset');
  const dir2 = await makeRepo(ns2, { 'p.yaml': projectManifest('reset-create', `  title: Reset create ${ns2}\n`) });
  proxy.clear();
  proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'reset' } });
  const again = await runCli(['apply', '--auto-approve', '-C', dir2], { env, cwd: dir2 });
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.is(proxy.seen.filter((s) => s.method === 'POST').length, 2);
  assert.is(await countMarked(ns2), 1);
  const plan = await runCli(['plan', '--detailed-exitcode', '-C', dir2], { env, cwd: dir2 });
  assert.is(plan.code, 0);
});

test('the server goes away during a plan (its port refuses): the plan fails at once with one clear message, the queued reads are not each retried', async () => {
  const ns = uniqueNamespace('gone');
  const N = 30;
  const files: Record<string, string> = {};
  for (let i = 0; i < N; i++) {
    await direct.createProject({
      title: `Gone ${ns} ${i}`,
      description: withMarker('', { namespace: ns, key: `p${i}` }),
    });
    files[`p${i}.yaml`] = projectManifest(`p${i}`, `  title: Gone ${ns} ${i}\n`);
  }
  // One ML backend in the repository: the plan reads the backends of every project, one request each.
  files['ml.yaml'] =
    'apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: m\nspec:\n  project: p0\n  url: http://ml.example:9090\n';
  const dir = await makeRepo(ns, files);
  const dying = await startFaultProxy(realServer().url);
  let backendReads = 0;
  dying.onRequest = (r) => {
    if (r.path.startsWith('/api/ml/') && ++backendReads === 5) void dying.close();
  };
  const plan = await runCli(['plan', '--debug', '-C', dir], {
    env: { LABEL_STUDIO_URL: dying.url, LABEL_STUDIO_API_KEY: realServer().token },
    cwd: dir,
  });
  assert.is(plan.code, 1, plan.stdout + plan.stderr);
  assert.ok(backendReads >= 5);
  // Each attempt is one --debug line; the failed ones are those in flight when it went (at most
  // the client's 4, each tried once more), not the ~25 reads queued behind them, five times each.
  const failedAttempts = plan.stderr
    .split('\n')
    .filter((l) => /^\[http\] GET \/api\/ml\/.* -> (error|retry)/.test(l)).length;
  assert.ok(failedAttempts >= 1 && failedAttempts <= 8, plan.stderr);
  const messages = plan.stderr.split('\n').filter((l) => l && !l.startsWith('[http] '));
  assert.match(
    messages[0]!,
    `cannot reach Label Studio at ${dying.url} (LABEL_STUDIO_URL): cannot connect to ${dying.url}: connection refused`,
  );
  assert.is(plan.stderr.split('connection refused').length - 1, 1);
  assert.not.match(plan.stderr, /\n\s+at .+:\d+:\d+/);
});

async function countMarked(ns: string): Promise<number> {
  let n = 0;
  for await (const page of direct.listProjects())
    n += page.filter((p) => parseMarker(p.description)?.namespace === ns).length;
  return n;
}

test.run();
