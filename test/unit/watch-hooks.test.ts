/**
 * The parts of `watch --listen` that need no server: which webhooks to write (planHooks), the
 * receiver's answers (serveHooks) and the wake-up that brings a cycle forward (Waker).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toLiveWebhook } from '../../src/kinds/webhook/live.ts';
import { webhookToManifest } from '../../src/kinds/webhook/to-manifest.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import {
  hookSecret,
  hookUrl,
  planHooks,
  SECRET_HEADER,
  serveHooks,
  WATCH_HEADER,
  Waker,
  type DeliveryOutcome,
} from '../../src/watch/hooks.ts';

const target = { namespace: 'team', base: 'http://watch:9465/labelform/hooks', secret: 's'.repeat(64) };

function hook(id: number, project: number | null, over: Partial<LsWebhook> = {}): LsWebhook {
  return {
    id,
    project,
    url: project === null ? `${target.base}/0` : hookUrl(target.base, project),
    send_payload: false,
    send_for_all_actions: false,
    headers: { [WATCH_HEADER]: target.namespace, [SECRET_HEADER]: target.secret },
    is_active: true,
    actions: ['PROJECT_UPDATED'],
    ...over,
  };
}

test('planHooks: one right webhook per managed project; wrong ones rewritten, extra and stale ones removed, other people’s left alone', () => {
  const list = [
    hook(1, 10), // right: kept
    hook(2, 10), // a second one on the same project: removed
    hook(3, 11, { headers: { [WATCH_HEADER]: 'team', [SECRET_HEADER]: 'old' } }), // old secret: rewritten
    hook(4, 12, { is_active: false }), // switched off in the UI: rewritten
    hook(5, 13, { actions: ['PROJECT_UPDATED', 'TASKS_CREATED'] }), // actions edited: rewritten
    hook(6, 99), // a project no longer managed: removed
    hook(7, 10, { url: 'http://other-watcher:9465/labelform/hooks/10' }), // another watcher's
    hook(8, 10, { headers: { [WATCH_HEADER]: 'other-namespace', [SECRET_HEADER]: target.secret } }),
    hook(9, 10, { headers: { 'X-Labelform-Managed': 'team/hook' }, url: 'https://example.com/hook' }), // a managed webhook
  ];
  const plan = planHooks(list, target, new Set([10, 11, 12, 13, 14]));
  assert.equal(plan.create, [14]);
  assert.equal(plan.update, [
    { id: 3, project: 11 },
    { id: 4, project: 12 },
    { id: 5, project: 13 },
  ]);
  assert.equal(
    [...plan.remove].sort((a, b) => a - b),
    [2, 6],
  );
  assert.is(plan.kept, 1);
  // Nothing managed: every webhook of this watcher goes, nobody else's.
  assert.equal(
    [...planHooks(list, target, new Set()).remove].sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6],
  );
});

test('pull never writes a manifest for a webhook of the watcher', () => {
  const pulled = webhookToManifest(toLiveWebhook(hook(1, 10), [], 'team'), {
    key: 'w',
    parentKey: 'p',
    adopt: true,
    secrets: [],
  });
  assert.ok('skipped' in pulled);
  assert.match(pulled.skipped, /watch --listen/);
  assert.not.match(JSON.stringify(pulled), new RegExp(target.secret));
});

test('hookSecret: the same for the same token, namespace and URL; another for any other; never the token', () => {
  const a = hookSecret('token-1', 'team', target.base);
  assert.is(a, hookSecret('token-1', 'team', target.base));
  assert.is.not(a, hookSecret('token-2', 'team', target.base));
  assert.is.not(a, hookSecret('token-1', 'other', target.base));
  assert.is.not(a, hookSecret('token-1', 'team', 'http://elsewhere/hooks'));
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.not.match(a, /token-1/);
});

test('serveHooks: 204 and the project for the right secret; 401, 404, 405 and 413 otherwise, with no delivery', async () => {
  const delivered: number[] = [];
  const outcomes: DeliveryOutcome[] = [];
  let secret = 'right-secret';
  const r = await serveHooks(
    { host: '127.0.0.1', port: 0 },
    {
      path: '/labelform/hooks',
      secret: () => secret,
      onDelivery: (id) => delivered.push(id),
      onOutcome: (o) => outcomes.push(o),
    },
  );
  try {
    const post = (path: string, headers: Record<string, string>, body = '{"action":"PROJECT_UPDATED"}') =>
      fetch(`${r.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    assert.is((await post('/labelform/hooks/7', { [SECRET_HEADER]: 'right-secret' })).status, 204);
    assert.is((await post('/labelform/hooks/7', { [SECRET_HEADER]: 'wrong-secret' })).status, 401);
    assert.is((await post('/labelform/hooks/7', {})).status, 401);
    assert.is((await post('/labelform/hooks/x', { [SECRET_HEADER]: 'right-secret' })).status, 404);
    assert.is((await post('/other/7', { [SECRET_HEADER]: 'right-secret' })).status, 404);
    assert.is((await fetch(`${r.url}/labelform/hooks/7`)).status, 405);
    const big = await post('/labelform/hooks/8', { [SECRET_HEADER]: 'right-secret' }, 'x'.repeat(200_000)).catch(
      () => undefined,
    );
    assert.ok(big === undefined || big.status === 413, String(big?.status));
    // Before the webhooks exist the secret is empty: nothing is accepted, not even an empty header.
    secret = '';
    assert.is((await post('/labelform/hooks/7', { [SECRET_HEADER]: '' })).status, 401);
    assert.equal(delivered, [7]);
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1);
    assert.ok(outcomes.filter((o) => o === 'refused').length >= 3);
  } finally {
    await r.close();
  }
});

test('Waker: a poke ends the wait shortly after (pokes meanwhile join it); a poke during a cycle shortens the next wait; abort ends it', async () => {
  const waker = new Waker(30);
  const never = new AbortController().signal;
  let t = Date.now();
  const waiting = waker.wait(60_000, never);
  waker.poke();
  waker.poke();
  await waiting;
  assert.ok(Date.now() - t < 5_000);
  // A poke with nobody waiting is kept for the next wait.
  waker.poke();
  t = Date.now();
  await waker.wait(60_000, never);
  assert.ok(Date.now() - t < 5_000);
  // ... once: the wait after that runs its time.
  const quick = await Promise.race([
    waker.wait(200, never).then(() => 'waited'),
    new Promise((r) => setTimeout(() => r('still waiting'), 50)),
  ]);
  assert.is(quick, 'still waiting');
  const stop = new AbortController();
  const held = waker.wait(60_000, stop.signal);
  stop.abort();
  await held;
});

test.run();
