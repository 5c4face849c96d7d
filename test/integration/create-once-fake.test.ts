/**
 * createProjectOnce against the fake Label Studio behind a fault-injecting proxy: a project that
 * already carries the marker is found instead of created, a lost answer is found by its marker,
 * an ambiguous failure is never retried without looking first, and a key carried by more than
 * one project after the create (a re-run POST, a racing run) settles on the lowest id, removing
 * only fresh, empty copies. Sleeps are injected.
 */
import { createServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { createMarkerIndex, findMarkedProjects, settleCarriers } from '../../src/kinds/project/carriers.ts';
import { createProjectOnce } from '../../src/kinds/project/write.ts';
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
const marked = () =>
  [...ls.state.projects.values()].filter(
    (p) =>
      parseMarker(String(p.fields.description))?.key === M.key &&
      parseMarker(String(p.fields.description))?.namespace === M.namespace,
  );

test('findMarkedProjects: exact namespace and key, not a prefix of either, lowest id first', async () => {
  await client.createProject({
    title: 'Longer key',
    description: withMarker('', { namespace: 'test', key: 'alpha-2' }),
  });
  await client.createProject({
    title: 'Longer namespace',
    description: withMarker('', { namespace: 'test-2', key: 'alpha' }),
  });
  await client.createProject({ title: 'Quoted in text', description: 'see (namespace: test, key: alpha) elsewhere' });
  assert.equal(await findMarkedProjects(client, M), []);
  const a = await client.createProject(body());
  const b = await client.createProject(body());
  assert.equal(
    (await findMarkedProjects(client, M)).map((c) => c.id),
    [a.id, b.id],
  );
});

test('a project already carrying the marker is returned, and nothing is posted', async () => {
  const existing = await client.createProject(body('Made by an earlier run'));
  proxy.clear();
  assert.equal(await createProjectOnce(client, body(), M, { sleep }), {
    id: existing.id,
    found: 'before-post',
    removed: [],
    left: [],
  });
  assert.is(posts(), 0);
  assert.is(marked().length, 1);
});

test('no marked project: one read of the list, one POST, one read of what is new', async () => {
  const outcome = await createProjectOnce(client, body(), M, { sleep });
  assert.equal(
    proxy.seen.map((s) => s.method),
    ['GET', 'POST', 'GET'],
  );
  assert.equal(outcome, { id: marked()[0]!.id, removed: [], left: [] });
});

test('a refused connection sent nothing: the create fails at once, without looking for what it might have made', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const gone = createClient({ baseUrl: `http://127.0.0.1:${port}`, token: ls.token, sleep, backoffMs: 1 });
  const err = await createProjectOnce(gone, body(), M, {
    index: createMarkerIndex(gone, []),
    createdAfter: 0,
    sleep,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, ApiError);
  assert.is((err as ApiError).code, 'ECONNREFUSED');
  assert.equal(sleeps, []);
});

test('with an index kept by the caller: one POST per create while each id follows the highest known', async () => {
  await client.createProject({ title: 'Someone else' });
  const index = createMarkerIndex(client, []);
  await index.refresh();
  proxy.clear();
  for (const key of ['k1', 'k2', 'k3']) {
    const m = { namespace: 'test', key };
    await createProjectOnce(client, { title: `Project ${key}`, description: withMarker('', m) }, m, {
      index,
      createdAfter: 0,
      sleep,
    });
  }
  assert.equal(
    proxy.seen.map((s) => s.method),
    ['POST', 'POST', 'POST'],
  );
});

test('a project made by someone else between: the id leaves a gap, and what is new is read after the POST', async () => {
  await client.createProject({ title: 'Someone else' });
  const index = createMarkerIndex(client, []);
  await index.refresh();
  const other = createClient({ baseUrl: ls.url, token: ls.token });
  const between = await other.createProject({ title: 'Made between', description: withMarker('', M) });
  proxy.clear();
  const outcome = await createProjectOnce(client, body(), M, { index, createdAfter: 0, sleep });
  assert.equal(
    proxy.seen.map((s) => s.method).slice(0, 3),
    ['POST', 'GET', 'GET'],
    'the POST, the read of what is new, then the copy read again before its delete',
  );
  assert.is(outcome.id, between.id, 'the key settles on the project made between (the lowest id)');
  assert.is(marked().length, 1);
});

test('the server runs the POST twice (its SQLite retry middleware): the later copy is removed, the lowest id kept', async () => {
  await client.createProject({ title: 'Someone else' }); // the index knows the highest id
  const twice: LabelStudioClient = {
    ...client,
    createProject: async (b) => {
      await client.createProject(b); // the run the client never hears about
      return client.createProject(b);
    },
  };
  const outcome = await createProjectOnce(twice, body(), M, { sleep });
  assert.is(marked().length, 1);
  assert.is(outcome.id, marked()[0]!.id);
  assert.is(outcome.createdId, outcome.id + 1, 'the id the answer named was the copy');
  assert.equal(outcome.removed, [outcome.id + 1]);
  assert.equal(outcome.left, []);
});

test('two runs racing on one key settle on the same project and leave exactly one', async () => {
  const runs = await Promise.all([
    createProjectOnce(client, body(), M, { sleep }),
    createProjectOnce(client, body(), M, { sleep }),
  ]);
  assert.is(marked().length, 1);
  assert.is(runs[0].id, runs[1].id);
  assert.is(runs[0].id, marked()[0]!.id);
});

test('a copy that holds tasks, or that existed before the run, is left in place and reported', async () => {
  const older = await client.createProject(body('Older copy'));
  await client.importTasks(older.id, [{ text: 'keep me' }]);
  const index = createMarkerIndex(client, []);
  await index.refresh();
  // The older one is the lowest: it wins; the new one this run made is empty and removed.
  const outcome = await createProjectOnce(client, body(), M, { index, createdAfter: 0, sleep });
  assert.is(outcome.id, older.id);
  assert.is(outcome.found, 'before-post');
  assert.is(marked().length, 1);
  // A copy with data above the winner is never deleted.
  const winner = marked()[0]!;
  const withData = await client.createProject(body('Copy with data'));
  await client.importTasks(withData.id, [{ text: 'data' }]);
  const carriers = await findMarkedProjects(client, M);
  const settled = await settleCarriers(client, carriers, 0, { sleep });
  assert.is(settled.winner.id, winner.id);
  assert.equal(settled.removed, []);
  assert.equal(settled.left, [{ id: withData.id, reason: 'it holds 1 task(s) and 0 annotation(s)' }]);
  // An empty copy that predates the run is not provably this run's either.
  const predates = await client.createProject(body('Empty but old'));
  const again = await settleCarriers(client, await findMarkedProjects(client, M), predates.id, { sleep });
  assert.equal(again.removed, []);
  assert.equal(
    again.left.map((l) => [l.id, l.reason]),
    [
      [withData.id, 'it existed before this run'],
      [predates.id, 'it existed before this run'],
    ],
  );
});

test('a copy another run made is left to that run; removed here only when it is still there after the waits', async () => {
  const winner = await client.createProject(body('Winner'));
  const theirs = await client.createProject(body('Theirs'));
  proxy.clear();
  // The other run removes its copy while this one waits: nothing is deleted from here.
  const deletes = () => proxy.seen.filter((x) => x.method === 'DELETE').length;
  const settledByThem = await settleCarriers(client, await findMarkedProjects(client, M), 0, {
    sleep: async (ms) => {
      sleeps.push(ms);
      if (ls.state.projects.has(theirs.id)) ls.state.projects.delete(theirs.id);
    },
  });
  assert.equal([settledByThem.winner.id, settledByThem.removed, sleeps, deletes()], [winner.id, [], [500], 0]);
  // The other run died before settling: after 0.5 + 1 + 2 s its empty copy is removed here.
  const orphan = await client.createProject(body('Left by a dead run'));
  sleeps = [];
  const settledHere = await settleCarriers(client, await findMarkedProjects(client, M), 0, { sleep });
  assert.equal([settledHere.removed, sleeps], [[orphan.id], [500, 1000, 2000]]);
  // This run's own copies (the server ran its POST twice) go at once, without waiting.
  const own = await client.createProject(body('Own copy'));
  sleeps = [];
  const settledOwn = await settleCarriers(client, await findMarkedProjects(client, M), 0, {
    sleep,
    own: (id) => id === own.id,
  });
  assert.equal([settledOwn.removed, sleeps], [[own.id], []]);
  assert.equal(
    marked().map((p) => p.id),
    [winner.id],
  );
});

test('the answer to the POST is lost: the project is found by its marker, not created twice', async () => {
  proxy.inject({ ...POST, times: 1, fault: { kind: 'drop-answer' } });
  const outcome = await createProjectOnce(client, body(), M, { sleep });
  assert.is(outcome.found, 'after-failed-post');
  assert.is(posts(), 1);
  assert.is(marked().length, 1);
  assert.is(outcome.id, marked()[0]!.id);
  assert.equal(sleeps, [400]);
});

test('a reset before the server saw the POST: looks, finds nothing, posts once more', async () => {
  proxy.inject({ ...POST, times: 1, fault: { kind: 'reset' } });
  const outcome = await createProjectOnce(client, body(), M, { sleep });
  assert.is(outcome.found, undefined);
  assert.is(posts(), 2);
  assert.is(marked().length, 1);
  assert.equal(sleeps, [400, 800, 1200], 'three looks between the two POSTs');
});

test('a server that keeps failing with 5xx: three POSTs at most, each after a look, then the error', async () => {
  proxy.inject({ ...POST, times: 10, fault: { kind: 'status', status: 503 } });
  const err = await createProjectOnce(client, body(), M, { sleep }).catch((e: unknown) => e);
  assert.instance(err, ApiError);
  assert.is((err as ApiError).status, 503);
  assert.is(posts(), 3);
  assert.equal(proxy.seen.map((s) => s.method).join(' '), 'GET POST GET GET GET POST GET GET GET POST');
  assert.equal(sleeps, [400, 800, 1200, 400, 800, 1200]);
  assert.is(marked().length, 0);
});

test('a 400 is not ambiguous: one POST, no second look', async () => {
  const err = await createProjectOnce(client, body('no'), M, { sleep }).catch((e: unknown) => e);
  assert.instance(err, ApiError);
  assert.match((err as ApiError).message, /HTTP 400: title: Ensure this field has at least 3 characters\./);
  assert.equal(
    proxy.seen.map((s) => s.method),
    ['GET', 'POST'],
  );
  assert.equal(sleeps, []);
});

test('a DELETE whose answer is lost is sent again; the 404 that follows means done, not an error', async () => {
  const { id } = await createClient({ baseUrl: ls.url, token: ls.token }).createProject({ title: 'Slow to delete' });
  proxy.inject({ method: 'DELETE', path: /^\/api\/projects\/\d+\/$/, times: 1, fault: { kind: 'drop-answer' } });
  await client.deleteProject(id);
  assert.equal(
    proxy.seen.filter((x) => x.method === 'DELETE').map((x) => x.fault ?? 'answered'),
    ['drop-answer', 'answered'],
  );
  assert.is(ls.state.projects.has(id), false);
  // A first DELETE of something that is not there is still a 404 error.
  const missing = await client.deleteProject(id).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(missing instanceof ApiError && missing.status === 404);
});

test.run();
