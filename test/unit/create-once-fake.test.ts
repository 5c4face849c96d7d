/**
 * createProjectOnce against the fake Label Studio behind a fault-injecting proxy: a project that
 * already carries the marker is found instead of created, a lost answer is found by its marker,
 * and an ambiguous failure is never retried without looking first. Sleeps are injected.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { createProjectOnce, findMarkedProject } from '../../src/kinds/project/write.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const M = { namespace: 'test', key: 'alpha' };
const POST = { method: 'POST', path: /^\/api\/projects\/$/ };

let ls: FakeLabelStudio;
let proxy: FaultProxy;
let client: LabelStudioClient;
let sleeps: number[];
const sleep = async (ms: number) => void sleeps.push(ms);

test.before(async () => {
  ls = await startFakeLabelStudio();
  proxy = await startFaultProxy(ls.url);
  client = createClient({ baseUrl: proxy.url, token: ls.token, sleep, backoffMs: 1 });
});
test.before.each(() => {
  ls.state.projects.clear();
  proxy.clear();
  sleeps = [];
});
test.after(async () => {
  await proxy.close();
  await ls.stop();
});

const body = (title = 'Alpha project') => ({ title, description: withMarker('', M) });
const posts = () => proxy.seen.filter((s) => s.method === 'POST').length;
const marked = () => [...ls.state.projects.values()].filter((p) => parseMarker(String(p.fields.description))?.key === M.key && parseMarker(String(p.fields.description))?.namespace === M.namespace);

test('findMarkedProject: exact namespace and key, not a prefix of either', async () => {
  await client.createProject({ title: 'Longer key', description: withMarker('', { namespace: 'test', key: 'alpha-2' }) });
  await client.createProject({ title: 'Longer namespace', description: withMarker('', { namespace: 'test-2', key: 'alpha' }) });
  await client.createProject({ title: 'Quoted in text', description: 'see (namespace: test, key: alpha) elsewhere' });
  assert.is(await findMarkedProject(client, M), undefined);
  const real = await client.createProject(body());
  assert.is((await findMarkedProject(client, M))?.id, real.id);
});

test('a project already carrying the marker is returned, and nothing is posted', async () => {
  const existing = await client.createProject(body('Made by an earlier run'));
  proxy.clear();
  assert.equal(await createProjectOnce(client, body(), M, sleep), { id: existing.id, found: 'before-post' });
  assert.is(posts(), 0);
  assert.is(marked().length, 1);
});

test('no marked project: one look, one POST', async () => {
  const outcome = await createProjectOnce(client, body(), M, sleep);
  assert.equal(proxy.seen.map((s) => s.method), ['GET', 'POST']);
  assert.equal(outcome, { id: marked()[0]!.id });
});

test('the answer to the POST is lost: the project is found by its marker, not created twice', async () => {
  proxy.inject({ ...POST, times: 1, fault: { kind: 'drop-answer' } });
  const outcome = await createProjectOnce(client, body(), M, sleep);
  assert.is(outcome.found, 'after-failed-post');
  assert.is(posts(), 1);
  assert.is(marked().length, 1);
  assert.is(outcome.id, marked()[0]!.id);
  assert.equal(sleeps, [400]);
});

test('a reset before the server saw the POST: looks, finds nothing, posts once more', async () => {
  proxy.inject({ ...POST, times: 1, fault: { kind: 'reset' } });
  const outcome = await createProjectOnce(client, body(), M, sleep);
  assert.is(outcome.found, undefined);
  assert.is(posts(), 2);
  assert.is(marked().length, 1);
  assert.equal(sleeps, [400, 800, 1200], 'three looks between the two POSTs');
});

test('a server that keeps failing with 5xx: three POSTs at most, each after a look, then the error', async () => {
  proxy.inject({ ...POST, times: 10, fault: { kind: 'status', status: 503 } });
  const err = await createProjectOnce(client, body(), M, sleep).catch((e: unknown) => e);
  assert.instance(err, ApiError);
  assert.is((err as ApiError).status, 503);
  assert.is(posts(), 3);
  assert.equal(proxy.seen.map((s) => s.method).join(' '), 'GET POST GET GET GET POST GET GET GET POST');
  assert.equal(sleeps, [400, 800, 1200, 400, 800, 1200]);
  assert.is(marked().length, 0);
});

test('a 400 is not ambiguous: one POST, no second look', async () => {
  const err = await createProjectOnce(client, body('no'), M, sleep).catch((e: unknown) => e);
  assert.instance(err, ApiError);
  assert.match((err as ApiError).message, /HTTP 400: title: Ensure this field has at least 3 characters\./);
  assert.equal(proxy.seen.map((s) => s.method), ['GET', 'POST']);
  assert.equal(sleeps, []);
});

test.run();
