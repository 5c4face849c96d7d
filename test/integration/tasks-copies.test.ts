/**
 * Doubled and raced task imports on the fake: a batch the server runs twice (the SQLite retry
 * middleware, reproduced by the fault proxy delivering the POST twice) is found and its extra
 * copies removed; copies someone worked on are kept and reported; the sidecar is locked while an
 * import uses it; two declared-dataset imports racing into one project end with each task once.
 */
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { countTaggedTasks } from '../../src/tasks/tagged-tasks.ts';
import { settleCopies } from '../../src/tasks/settle-copies.ts';
import { describeSources, lockSidecar, writeSidecar } from '../../src/tasks/sidecar.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { hasStackTrace, projectYaml, runCli, writeTree } from '../helpers/cli.ts';
import { main } from '../../src/cli/main.ts';
import type { UserError } from '../../src/util/errors.ts';

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>';
let ls: FakeLabelStudio;
let proxy: FaultProxy;
let client: LabelStudioClient;

test.before(async () => {
  ls = await startFakeLabelStudio();
  proxy = await startFaultProxy(ls.url);
  client = createClient({ baseUrl: ls.url, token: ls.token });
});
test.after(async () => {
  await proxy.close();
  await ls.stop();
});
test.before.each(() => proxy.clear());

const viaProxy = () => ({ LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token });
const direct = () => ({ LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token });
const jsonl = (n: number, item: (i: number) => unknown = (i) => ({ text: `text ${i}` })) =>
  `${Array.from({ length: n }, (_, i) => JSON.stringify(item(i))).join('\n')}\n`;
const choice = (label: string) => ({
  result: [{ from_name: 'c', to_name: 'text', type: 'choices', value: { choices: [label] } }],
});

async function project(title: string): Promise<number> {
  return (await client.createProject({ title, label_config: CONFIG })).id;
}
async function taskCount(id: number): Promise<number> {
  return Number((await client.getProject(id)).task_number ?? 0);
}
async function allTasks(id: number) {
  const out: Array<{
    id: number;
    data: Record<string, unknown>;
    meta: Record<string, unknown>;
    total_annotations: number;
  }> = [];
  for await (const page of client.listTasks(id, { pageSize: 1000 })) out.push(...(page as unknown as typeof out));
  return out;
}

test('a batch the server runs twice is found after the batch and its extra copies are removed, keeping the lowest ids', async () => {
  const dir = await writeTree({ 't.jsonl': jsonl(30) });
  const id = await project('Doubled batch');
  proxy.inject({ method: 'POST', path: /\/import/, body: /"text 10"/, times: 1, fault: { kind: 'deliver-twice' } });
  const r = await runCli(['tasks', 'import', String(id), 't.jsonl', '--batch-size', '10', '--quiet'], {
    env: viaProxy(),
    cwd: dir,
  });
  assert.is(r.code, 0, r.stderr);
  assert.equal(
    proxy.seen.filter((s) => s.fault === 'deliver-twice').length,
    1,
    'the proxy did deliver one batch twice',
  );
  assert.is(await taskCount(id), 30);
  const tasks = await allTasks(id);
  assert.equal(tasks.map((t) => t.data.text).sort(), Array.from({ length: 30 }, (_, i) => `text ${i}`).sort());
  // The second delivery made ids 21-30; the first delivery's (11-20) are the ones kept.
  const second = tasks.filter((t) => /text 1\d$/.test(String(t.data.text))).map((t) => t.id);
  assert.ok(
    Math.max(...second) < Math.min(...tasks.filter((t) => /text 2\d$/.test(String(t.data.text))).map((t) => t.id)),
    'the lowest ids are kept',
  );
  assert.match(r.stderr, /batch 2 is on the server 2 times .*re-ran.*: removed 10 extra copies/i);
  assert.match(r.stdout, /Imported 30 tasks/);
  assert.match(r.stdout, /removed 10 duplicate copies/);
});

test('a doubled batch of tasks imported with annotations: the copies (annotations included) are removed', async () => {
  const dir = await writeTree({
    'a.jsonl': jsonl(6, (i) => ({ data: { text: `ann ${i}` }, annotations: i % 2 ? [choice('a')] : [] })),
  });
  const id = await project('Doubled with annotations');
  proxy.inject({ method: 'POST', path: /\/import/, times: 1, fault: { kind: 'deliver-twice' } });
  const r = await runCli(['tasks', 'import', String(id), 'a.jsonl', '--quiet'], { env: viaProxy(), cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(await taskCount(id), 6);
  const p = await client.getProject(id);
  assert.is(p.total_annotations_number, 3, 'one imported annotation per odd task, not two');
  assert.match(r.stderr, /removed 6 extra copies/);
});

test('settling copies: the lowest id stays, untouched copies go, a copy someone annotated is kept and reported', async () => {
  const id = await project('Settle rules');
  const scope = 'labelform-import=0123456789abcdef';
  const items = (run: string) =>
    Array.from({ length: 4 }, (_, i) => ({
      data: { text: `s ${i}` },
      annotations: i === 3 ? [choice('b')] : [],
      meta: { labelform: `${scope} batch=${run}.1 item=${i}` },
    }));
  const first = await client.importTasks(id, items('aaaa'), { returnTaskIds: true });
  const second = await client.importTasks(id, items('bbbb'), { returnTaskIds: true });
  await client.importTasks(id, items('cccc'));
  // Someone labels a later copy of item 1; a task of another import stays out of it.
  await client.createAnnotation(second.task_ids![1]!, choice('a'));
  const other = await client.importTasks(
    id,
    [{ data: { text: 's 0' }, meta: { labelform: 'labelform-import=fedcba9876543210 batch=x.1 item=0' } }],
    { returnTaskIds: true },
  );
  const report = await settleCopies(client, id, scope);
  assert.equal(report.kept, [second.task_ids![1]!]);
  assert.is(report.extra, 8);
  assert.is(report.removed, 7);
  const left = (await allTasks(id)).map((t) => t.id).sort((a, b) => a - b);
  assert.equal(
    left,
    [...first.task_ids!, second.task_ids![1]!, other.task_ids![0]!].sort((a, b) => a - b),
  );
  assert.is(await countTaggedTasks(client, id, scope), 5);
  // Settling again changes nothing.
  const again = await settleCopies(client, id, scope);
  assert.equal(
    { extra: again.extra, removed: again.removed, kept: again.kept },
    { extra: 1, removed: 0, kept: [second.task_ids![1]!] },
  );
});

async function resumableSidecar(dir: string, file: string, projectId: number): Promise<string> {
  const path = join(dir, `${file}.labelform-import.json`);
  await writeSidecar(path, {
    version: 1,
    importId: '00112233445566' + String(projectId).padStart(2, '0'),
    server: ls.url,
    projectId,
    sources: await describeSources([{ path: join(dir, file), display: file, format: 'jsonl' }]),
    committed: { records: 0, tasks: 0, annotations: 0, predictions: 0, batches: 0 },
    complete: false,
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
  return path;
}

test('two `tasks import --resume` of one file at once: the sidecar lock lets one through, the server holds the file once', async () => {
  const dir = await writeTree({ 'r.jsonl': jsonl(200) });
  const id = await project('Racing resumes');
  await resumableSidecar(dir, 'r.jsonl', id);
  ls.setLatency(5);
  try {
    const [a, b] = await Promise.all([
      runCli(['tasks', 'import', String(id), 'r.jsonl', '--resume', '--batch-size', '20', '--quiet'], {
        env: direct(),
        cwd: dir,
      }),
      runCli(['tasks', 'import', String(id), 'r.jsonl', '--resume', '--batch-size', '20', '--quiet'], {
        env: direct(),
        cwd: dir,
      }),
    ]);
    const winner = /Imported 200 tasks/.test(a.stdout) ? a : b;
    const loser = winner === a ? b : a;
    assert.is(winner.code, 0, winner.stderr);
    assert.match(winner.stdout, /Imported 200 tasks/);
    assert.match(loser.stderr, /Waiting for the lock on r\.jsonl/);
    if (loser.code === 0) assert.match(loser.stdout, /Nothing to resume/);
    else {
      assert.match(loser.stderr, /r\.jsonl is being imported by another labelform run/);
      assert.not.ok(hasStackTrace(loser.stderr));
    }
  } finally {
    ls.setLatency(0);
  }
  assert.is(await taskCount(id), 200);
  assert.is(
    (await stat(join(dir, 'r.jsonl.labelform-import.json.lock')).catch(() => undefined)) === undefined,
    true,
    'the lock is released',
  );
});

test('--resume after a kill that left a doubled batch unsettled: copies are settled first, so no row is skipped', async () => {
  const dir = await writeTree({ 'k.jsonl': jsonl(40) });
  const id = await project('Doubled then killed');
  const sidecar = await resumableSidecar(dir, 'k.jsonl', id);
  const importId = JSON.parse(await readFile(sidecar, 'utf8')).importId as string;
  const sent = (from: number, to: number, batch: string) =>
    Array.from({ length: to - from }, (_, k) => ({
      data: { text: `text ${from + k}` },
      meta: { labelform: `labelform-import=${importId} batch=${batch} item=${from + k}` },
    }));
  // Batch 1 (rows 0-9) recorded in the sidecar; batch 2 (rows 10-19) stored twice by the server,
  // and the run killed before it could look.
  await client.importTasks(id, sent(0, 10, 'dead.1'));
  await client.importTasks(id, sent(10, 20, 'dead.2'));
  await client.importTasks(id, sent(10, 20, 'dead.2'));
  const state = JSON.parse(await readFile(sidecar, 'utf8'));
  await writeFile(
    sidecar,
    JSON.stringify({ ...state, committed: { ...state.committed, records: 10, tasks: 10, batches: 1 } }),
  );
  const r = await runCli(['tasks', 'import', String(id), 'k.jsonl', '--resume', '--quiet'], {
    env: direct(),
    cwd: dir,
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /The server holds 10 extra copies of tasks of the import that stopped: removed 10/);
  assert.match(r.stdout, /Imported 20 tasks, .*; 20 were already there/);
  const tasks = await allTasks(id);
  assert.is(tasks.length, 40);
  assert.equal(new Set(tasks.map((t) => t.data.text)).size, 40, 'rows 20-29 were sent, not skipped');
});

test('a lock another run keeps refreshing: the wait is bounded and ends in a message naming the lock', async () => {
  const dir = await writeTree({});
  const sidecar = join(dir, 'l.jsonl.labelform-import.json');
  const held = await lockSidecar(sidecar, 'l.jsonl');
  try {
    const waits: number[] = [];
    let error = '';
    let hint = '';
    await lockSidecar(sidecar, 'l.jsonl', { waitMs: 1_500, onWait: (age) => waits.push(age) }).catch((e: UserError) => {
      error = e.message;
      hint = e.hint ?? '';
    });
    assert.match(
      error,
      /^l\.jsonl is being imported by another labelform run \(lock .*l\.jsonl\.labelform-import\.json\.lock, refreshed \d+ s ago\)$/,
    );
    assert.match(hint, /That run is alive: it keeps refreshing the lock/);
    assert.is(waits.length, 1, 'one notice that it waits');
  } finally {
    await held.release();
  }
});

test('a run that finds the lock held waits, says so, and goes ahead when the holder lets go; nothing is sent before', async () => {
  const dir = await writeTree({ 'w.jsonl': jsonl(5) });
  const id = await project('Waits for the lock');
  const held = await lockSidecar(join(dir, 'w.jsonl.labelform-import.json'), 'w.jsonl');
  let stderr = '';
  let sentWhileWaiting = -1;
  const code = await main(['tasks', 'import', String(id), 'w.jsonl', '--quiet'], {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
      if (/Waiting for the lock/.test(t)) {
        void taskCount(id).then((n) => {
          sentWhileWaiting = n;
          return held.release();
        });
      }
    },
    env: direct(),
    cwd: dir,
    interactive: false,
    stderrIsTTY: false,
    color: false,
    prompt: async () => '',
    now: () => Date.now(),
  });
  assert.is(code, 0, stderr);
  assert.match(
    stderr,
    /Waiting for the lock on w\.jsonl: another labelform run holds it \(refreshed \d+ s ago\); a killed run's lock goes stale within 10 s\./,
  );
  assert.is(sentWhileWaiting, 0);
  assert.is(await taskCount(id), 5);
});

test('a stale lock (what kill -9 leaves) is taken over at once, and said so', async () => {
  const dir = await writeTree({ 'l.jsonl': jsonl(5) });
  const id = await project('Stale lock');
  const lockDir = join(dir, 'l.jsonl.labelform-import.json.lock');
  await mkdir(lockDir);
  const old = new Date(Date.now() - 60_000);
  await utimes(lockDir, old, old);
  const r = await runCli(['tasks', 'import', String(id), 'l.jsonl'], { env: direct(), cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /Took over the lock of an import that stopped \(.*l\.jsonl\.labelform-import\.json\.lock, last refreshed 60 s ago\)/,
  );
  assert.not.match(r.stderr, /Waiting/);
  assert.is(await taskCount(id), 5);
  assert.is(
    await stat(lockDir).then(
      () => 'exists',
      () => 'gone',
    ),
    'gone',
  );
});

test('a lock taken from under a run is noticed (no crash): the run stops before its next batch with a clear message', async () => {
  const dir = await writeTree({});
  const sidecar = join(dir, 'x.jsonl.labelform-import.json');
  const lock = await lockSidecar(sidecar, 'x.jsonl');
  lock.assertHeld();
  // What another run taking a stale lock over does: the directory goes (and comes back as theirs).
  await rm(lock.path, { recursive: true });
  let message = '';
  for (let i = 0; i < 150 && !message; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      lock.assertHeld();
    } catch (err) {
      message = (err as Error).message;
    }
  }
  assert.match(message, /lost the lock on x\.jsonl \(.*x\.jsonl\.labelform-import\.json\.lock\)/);
  await lock.release();
});

test('two applies importing one declared file at once: each task ends up once', async () => {
  const text = jsonl(40, (i) => ({ text: `d ${i}` }));
  const manifest = (tasks: boolean) =>
    projectYaml('raced', `  title: Raced dataset\n  label_config: '${CONFIG}'\n`) +
    (tasks ? 'tasks:\n  - file: ./d.jsonl\n' : '');
  const dir = await writeTree({
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: race\n',
    'p.yaml': manifest(false),
    'd.jsonl': text,
  });
  assert.is((await runCli(['apply', '--auto-approve'], { env: viaProxy(), cwd: dir })).code, 0);
  await writeFile(join(dir, 'p.yaml'), manifest(true));
  // Hold the first two import POSTs for a while, so each run has read "0 tasks on the server"
  // before either lands: the race, every time.
  proxy.inject({ method: 'POST', path: /\/import/, times: 2, fault: { kind: 'delay', ms: 600 } });
  const [a, b] = await Promise.all([
    runCli(['apply', '--auto-approve'], { env: viaProxy(), cwd: dir }),
    runCli(['apply', '--auto-approve'], { env: viaProxy(), cwd: dir }),
  ]);
  assert.is(a.code, 0, a.stdout + a.stderr);
  assert.is(b.code, 0, b.stdout + b.stderr);
  assert.match(a.stdout, /40 tasks imported from d\.jsonl/);
  assert.match(b.stdout, /40 tasks imported from d\.jsonl/, 'both runs imported the file: the race happened');
  const id = JSON.parse((await runCli(['plan', '--json'], { env: direct(), cwd: dir })).stdout).changes[0].id;
  const tasks = await allTasks(id);
  assert.is(tasks.length, 40);
  assert.equal(new Set(tasks.map((t) => t.data.text)).size, 40);
  assert.match(a.stdout + b.stdout, /removed \d+ duplicate cop/);
  const plan = await runCli(['plan', '--detailed-exitcode'], { env: direct(), cwd: dir });
  assert.is(plan.code, 0, plan.stdout);
});

test('an item the file holds twice is two tasks, not a duplicate to remove', async () => {
  const dir = await writeTree({ 'same.jsonl': jsonl(4, () => ({ text: 'identical' })) });
  const id = await project('Identical rows');
  proxy.inject({ method: 'POST', path: /\/import/, times: 1, fault: { kind: 'deliver-twice' } });
  const r = await runCli(['tasks', 'import', String(id), 'same.jsonl', '--quiet'], { env: viaProxy(), cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(await taskCount(id), 4);
  const sidecar = JSON.parse(await readFile(join(dir, 'same.jsonl.labelform-import.json'), 'utf8'));
  assert.is(sidecar.complete, true);
});

test.run();
