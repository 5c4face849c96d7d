/**
 * Task imports on the real server when the server or another run repeats work: a batch the
 * server stores twice (reproduced by a proxy that delivers the POST twice, as the SQLite retry
 * middleware does) is removed again; two `tasks import --resume` of one file at once end with
 * the file once; a run killed with -9 while holding the sidecar lock does not block the next
 * one; two applies importing one declared file at once end with each task once.
 *
 * The server is shared: every project here has a unique title and is deleted at the end.
 */
import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeSources, writeSidecar } from '../../src/tasks/sidecar.ts';
import { writeTree } from '../helpers/cli.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { api, cli, makeRepo, projectManifest, realServer, spawnCli, TEXT_CHOICES, uniqueNamespace } from './support.ts';

const client = api();
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>';
const mine: number[] = [];
let proxy: FaultProxy;

test.before(async () => {
  proxy = await startFaultProxy(realServer().url);
});
test.after(async () => {
  await proxy.close();
  for (const id of mine) await client.deleteProject(id).catch(() => undefined);
});
test.before.each(() => proxy.clear());

async function newProject(name: string): Promise<number> {
  const id = (
    await client.createProject({ title: `${name} ${uniqueNamespace('c')}`.slice(0, 50), label_config: CONFIG })
  ).id;
  mine.push(id);
  return id;
}

async function taskCount(id: number): Promise<number> {
  return Number((await client.getProject(id)).task_number ?? 0);
}

async function distinctTexts(id: number): Promise<number> {
  const texts = new Set<string>();
  let n = 0;
  for await (const page of client.listTasks(id, { pageSize: 1000 })) {
    for (const t of page) {
      texts.add(String(t.data.text));
      n++;
    }
  }
  assert.is(texts.size, n, 'no task is on the server twice');
  return n;
}

async function writeJsonl(
  path: string,
  n: number,
  item: (i: number) => unknown = (i) => ({ text: `Task ${i}: the quick brown fox.` }),
): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++)
    if (!out.write(`${JSON.stringify(item(i))}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
}

test('a batch the real server stores twice is removed again (with its imported annotations), lowest ids kept', async () => {
  const dir = await writeTree({});
  await writeJsonl(join(dir, 't.jsonl'), 300, (i) => ({
    data: { text: `row ${i}` },
    ...(i % 3 === 0
      ? {
          annotations: [
            { result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['yes'] } }] },
          ],
        }
      : {}),
  }));
  const id = await newProject('Doubled batch');
  proxy.inject({ method: 'POST', path: /\/import/, body: /"row 100"/, times: 1, fault: { kind: 'deliver-twice' } });
  const r = await cli(dir, ['tasks', 'import', String(id), 't.jsonl', '--batch-size', '100', '--quiet'], {
    LABEL_STUDIO_URL: proxy.url,
  });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(proxy.seen.filter((s) => s.fault === 'deliver-twice').length, 1, 'one batch was delivered twice');
  assert.match(
    r.stderr,
    /Batch 2 is on the server 2 times \(the server re-ran the import request\): removed 100 extra copies \(ids \d+-\d+\)/,
  );
  assert.match(
    r.stdout,
    /Imported 300 tasks, 100 annotations, 0 predictions .*; removed 100 duplicate copies the server made\./,
  );
  assert.is(await taskCount(id), 300);
  assert.is(await distinctTexts(id), 300);
  assert.is((await client.getProject(id)).total_annotations_number, 100);
});

async function incompleteSidecar(dir: string, file: string, projectId: number): Promise<void> {
  await writeSidecar(join(dir, `${file}.labelform-import.json`), {
    version: 1,
    importId: `race${projectId.toString(16).padStart(12, '0')}`,
    server: realServer().url.replace(/\/+$/, ''),
    projectId,
    sources: await describeSources([{ path: join(dir, file), display: file, format: 'jsonl' }]),
    committed: { records: 0, tasks: 0, annotations: 0, predictions: 0, batches: 0 },
    complete: false,
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
}

test('two `tasks import --resume` of one file started together: exactly the file on the server', async () => {
  const dir = await writeTree({});
  await writeJsonl(join(dir, 'race.jsonl'), 5_000);
  const id = await newProject('Racing resumes');
  await incompleteSidecar(dir, 'race.jsonl', id);
  const args = ['tasks', 'import', String(id), 'race.jsonl', '--resume', '--batch-size', '500', '--quiet'];
  const [a, b] = await Promise.all([spawnCli(dir, args, { cwd: dir }).done, spawnCli(dir, args, { cwd: dir }).done]);
  const winner = /Imported 5000 tasks/.test(a.stdout) ? a : b;
  const other = winner === a ? b : a;
  assert.is(winner.code, 0, winner.stdout + winner.stderr);
  assert.match(winner.stdout, /Imported 5000 tasks/);
  // The other one waited for the lock: then found the import complete, or gave up naming the lock.
  assert.match(other.stderr, /Waiting for the lock on race\.jsonl/);
  if (other.code === 0) assert.match(other.stdout, /Nothing to resume/);
  else
    assert.match(
      other.stderr,
      /race\.jsonl is being imported by another labelform run \(lock .*race\.jsonl\.labelform-import\.json\.lock/,
    );
  assert.is(await taskCount(id), 5_000);
  assert.is(await distinctTexts(id), 5_000);
});

test('kill -9 while holding the sidecar lock: the lock is left; a --resume started right after waits for it to go stale and takes it over', async () => {
  const dir = await writeTree({});
  await writeJsonl(join(dir, 'k.jsonl'), 3_000);
  const id = await newProject('Killed holding the lock');
  // Slow batches, so the run is killed between two of them, lock held.
  proxy.inject({ method: 'POST', path: /\/import/, times: 1000, fault: { kind: 'delay', ms: 300 } });
  const run = spawnCli(dir, ['tasks', 'import', String(id), 'k.jsonl', '--batch-size', '200', '--quiet'], {
    cwd: dir,
    env: { LABEL_STUDIO_URL: proxy.url },
  });
  const lockDir = join(dir, 'k.jsonl.labelform-import.json.lock');
  for (let i = 0; i < 600 && (await taskCount(id)) < 600; i++) await new Promise((r) => setTimeout(r, 100));
  run.child.kill('SIGKILL');
  const killed = await run.done;
  assert.is(killed.signal, 'SIGKILL', `the import ended before the kill: ${killed.stdout}${killed.stderr}`);
  assert.ok(
    await stat(lockDir).then(
      () => true,
      () => false,
    ),
    'kill -9 leaves the lock behind',
  );
  const partial = await taskCount(id);
  assert.ok(partial > 0 && partial < 3_000, `after the kill: ${partial}`);
  proxy.clear();
  // Right away, as a CI retry would: the lock is no longer refreshed, so the run waits for it
  // to go stale (within 10 s) and takes it over. Through the proxy again (no faults now): the
  // sidecar records the server by its URL.
  const resumed = await cli(dir, ['tasks', 'import', String(id), 'k.jsonl', '--resume'], {
    LABEL_STUDIO_URL: proxy.url,
  });
  assert.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(
    resumed.stderr,
    /Took over the lock of an import that stopped \(.*k\.jsonl\.labelform-import\.json\.lock, last refreshed \d+ s ago\)/,
  );
  assert.is(await taskCount(id), 3_000);
  assert.is(await distinctTexts(id), 3_000);
  assert.ok(
    !(await stat(lockDir).then(
      () => true,
      () => false,
    )),
    'the lock is released at the end',
  );
});

test('two applies importing one declared file at once: each task ends up once, and the next plan is clean', async () => {
  const ns = uniqueNamespace('race');
  const config = TEXT_CHOICES(['a', 'b'])
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  const manifest = (tasks: boolean) =>
    projectManifest(
      'raced',
      `  title: Raced ${ns}\n  label_config: |\n${config}`,
      tasks ? 'tasks:\n  - file: ./tasks.jsonl\n' : '',
    );
  const dir = await makeRepo(ns, { 'p.yaml': manifest(false) });
  await writeJsonl(join(dir, 'tasks.jsonl'), 1_200, (i) => ({ text: `dataset row ${i}` }));
  const created = await cli(dir, ['apply', '--auto-approve']);
  assert.is(created.code, 0, created.stdout + created.stderr);
  const id = JSON.parse((await cli(dir, ['plan', '--json'])).stdout).changes[0].id as number;
  mine.push(id);
  await writeFile(join(dir, 'p.yaml'), manifest(true));
  // The first import POST of each run waits, so both runs have found the file missing before
  // either lands: the race, every time.
  proxy.inject({ method: 'POST', path: /\/import/, times: 2, fault: { kind: 'delay', ms: 4_000 } });
  const env = { LABEL_STUDIO_URL: proxy.url };
  const [a, b] = await Promise.all([
    spawnCli(dir, ['apply', '--auto-approve'], { cwd: dir, env }).done,
    spawnCli(dir, ['apply', '--auto-approve'], { cwd: dir, env }).done,
  ]);
  assert.is(a.code, 0, a.stdout + a.stderr);
  assert.is(b.code, 0, b.stdout + b.stderr);
  assert.match(a.stdout, /1200 tasks imported from tasks\.jsonl/);
  assert.match(b.stdout, /1200 tasks imported from tasks\.jsonl/, 'both runs imported the file: the race happened');
  assert.match(a.stdout + b.stdout, /removed \d+ duplicate cop/);
  assert.is(await taskCount(id), 1_200);
  assert.is(await distinctTexts(id), 1_200);
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
});

test.run();
