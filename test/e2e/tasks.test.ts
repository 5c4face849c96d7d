import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load } from '../helpers/load.ts';
import { writeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  projectManifest,
  resetServer,
  spawnBuiltCli,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const client = api();
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>';

test.before(async () => {
  await resetServer(client);
});

async function newProject(title: string): Promise<number> {
  return (await client.createProject({ title, label_config: CONFIG })).id;
}

async function taskCount(id: number): Promise<number> {
  return Number((await client.getProject(id)).task_number ?? 0);
}

async function writeJsonl(path: string, n: number, bad?: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const item =
      i === bad
        ? { txt: `item ${i}` }
        : { text: `Task ${i}: the quick brown fox jumps over the lazy dog, again and again.` };
    if (!out.write(`${JSON.stringify(item)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

const BIG = load(100_000, 10_000);

test(`${BIG.toLocaleString('en-US')} tasks from JSON Lines: peak memory under 150 MB, the server count matches; killed part way and resumed: exactly ${BIG.toLocaleString('en-US')}`, async () => {
  const dir = await writeTree({});
  const file = join(dir, 'tasks.jsonl');
  await writeJsonl(file, BIG);

  const id = await newProject('Import 100k');
  const run = spawnBuiltCli(dir, ['tasks', 'import', String(id), 'tasks.jsonl']);
  const r = await run.done;
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `Imported ${BIG} tasks, 0 annotations, 0 predictions into project \\d+ "Import 100k" in ${BIG / 2500} batches`,
    ),
  );
  assert.ok(r.maxRssKiB !== undefined && r.maxRssKiB < 150 * 1024, `peak RSS ${r.maxRssKiB} KiB`);
  console.log(`  ${BIG} import: peak RSS ${Math.round(r.maxRssKiB / 1024)} MiB`);
  assert.is(await taskCount(id), BIG);
  // A second run of the same command refuses instead of duplicating.
  const again = await spawnBuiltCli(dir, ['tasks', 'import', String(id), 'tasks.jsonl']).done;
  assert.is(again.code, 1);
  assert.match(again.stderr, new RegExp(`was already imported into project \\d+ \\(${BIG} tasks`));

  // The same import into a second project, killed part way, then resumed.
  const id2 = await newProject('Import 100k killed');
  const killed = spawnBuiltCli(dir, ['tasks', 'import', String(id2), 'tasks.jsonl', '--quiet', '--batch-size', '500']);
  const timer = setInterval(() => {
    // Not awaited: setInterval drops what its callback returns; a count that fails reads as 0.
    void taskCount(id2)
      .catch(() => 0)
      .then((n) => {
        if (n >= BIG / 5) {
          clearInterval(timer);
          killed.child.kill('SIGKILL');
        }
      });
  }, 200);
  const k = await killed.done;
  clearInterval(timer);
  assert.is(k.signal, 'SIGKILL', `the import finished before it could be killed: ${k.stdout}`);
  const partial = await taskCount(id2);
  assert.ok(partial > 0 && partial < BIG, `after the kill: ${partial}`);
  const sidecar = JSON.parse(await readFile(`${file}.labelform-import.json`, 'utf8'));
  assert.is(sidecar.complete, false);
  const plain = await spawnBuiltCli(dir, ['tasks', 'import', String(id2), 'tasks.jsonl']).done;
  assert.is(plain.code, 1, 'a plain re-run refuses and points at --resume');
  assert.match(plain.stderr, /--resume/);
  const resumed = await spawnBuiltCli(dir, ['tasks', 'import', String(id2), 'tasks.jsonl', '--resume', '--quiet']).done;
  assert.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`; ${partial}|already there`));
  assert.is(await taskCount(id2), BIG);
  await client.deleteProject(id);
  await client.deleteProject(id2);
});

test('one bad item among 10,000 is refused before anything is sent, naming its line and key', async () => {
  const dir = await writeTree({});
  await writeJsonl(join(dir, 'bad.jsonl'), 10_000, 6_543);
  const id = await newProject('Import bad');
  const r = await cli(dir, ['tasks', 'import', String(id), 'bad.jsonl', '--quiet']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /bad\.jsonl:6544: item 6544: missing data key "text" \(read by <Text>\); the task has "txt"/);
  assert.match(r.stderr, /nothing was sent/);
  assert.is(await taskCount(id), 0);
  // CSV and JSON arrays are located too (a JSON array item by the line it starts on).
  await writeFile(join(dir, 'bad.csv'), 'text,other\nfine,1\n,2\n"quoted, fine",3\n');
  await writeFile(join(dir, 'bad.json'), '[\n  {"text": "a"},\n  {"data": {"body": "b"}},\n  {"text": "c"}\n]\n');
  const csv = await cli(dir, ['tasks', 'import', String(id), 'bad.json']);
  assert.is(csv.code, 1);
  assert.match(csv.stderr, /bad\.json:3: item 2: missing data key "text"/);
  // The project can be named by its exact title as well.
  const ok = await cli(dir, ['tasks', 'import', 'Import bad', 'bad.csv', '--quiet']);
  assert.is(ok.code, 0, ok.stderr);
  assert.is(await taskCount(id), 3);
});

test('a declared dataset: apply imports it, a second apply imports nothing, a changed file shows and imports only the new tasks', async () => {
  const ns = uniqueNamespace('dataset');
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => JSON.stringify({ text: `row ${i}` })).join('\n') + '\n';
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest(
      'dataset',
      `  title: Dataset ${ns}\n  label_config: |\n${TEXT_CHOICES(['a', 'b'])
        .split('\n')
        .map((l) => (l ? `    ${l}` : l))
        .join('\n')}`,
      'tasks:\n  - file: ./tasks.jsonl\n',
    ),
    'tasks.jsonl': rows(250),
  });
  const plan = await cli(dir, ['plan']);
  assert.match(plan.stdout, /tasks: 250 tasks to import from tasks\.jsonl/);
  assert.match(plan.stdout, /250 tasks to import/);
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /250 tasks imported from tasks\.jsonl/);
  const id = JSON.parse((await cli(dir, ['plan', '--json'])).stdout).changes[0].id;
  assert.is(await taskCount(id), 250);
  const second = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(second.code, 0, second.stdout);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  assert.is(await taskCount(id), 250, 'a second apply imports nothing');
  // The server keeps labelform's fingerprint in each task's meta.
  const page = await client.listTasksPage(id, 1, { pageSize: 1 });
  assert.match(
    String(page.tasks[0]!.meta?.labelform),
    /^labelform-dataset=[0-9a-f]+ file=[0-9a-f]+ batch=[0-9a-f]+\.\d+ item=\d+ task=[0-9a-f]+$/,
  );

  await writeFile(join(dir, 'tasks.jsonl'), rows(260));
  const changed = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(changed.code, 2);
  assert.match(changed.stdout, /tasks: 10 tasks to import from tasks\.jsonl/);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  assert.is(await taskCount(id), 260);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  // A bad row in a declared file is a plan error with its line; nothing is sent.
  await writeFile(join(dir, 'tasks.jsonl'), `${rows(260)}{"txt": "oops"}\n`);
  const bad = await cli(dir, ['apply', '--auto-approve']);
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /tasks\.jsonl:261: error: item 261: missing data key "text"/);
  assert.is(await taskCount(id), 260);
});

test('export: JSON equals tasks list --fields all; every enabled format downloads; a snapshot converts', async () => {
  const id = await newProject('Export me');
  await client.importTasks(
    id,
    Array.from({ length: 12 }, (_, i) => ({ text: `text ${i}` })),
  );
  const tasks = (await client.listTasksPage(id, 1)).tasks;
  for (const [i, t] of tasks.entries()) {
    await client.createAnnotation(t.id, {
      result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [i % 2 ? 'yes' : 'no'] } }],
    });
  }
  const dir = await writeTree({});
  const exported = await cli(dir, ['export', String(id), '--out', 'export.json', '--quiet']);
  assert.is(exported.code, 0, exported.stderr);
  const fromExport = JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')) as Array<{
    id: number;
    data: unknown;
    annotations: Array<{ id: number; result: unknown }>;
  }>;
  const listed = (await cli(dir, ['tasks', 'list', String(id), '--fields', 'all', '--page-size', '5'])).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(listed.length, 12);
  const shape = (ts: Array<{ id: number; data: unknown; annotations?: Array<{ id: number; result: unknown }> }>) =>
    ts
      .map((t) => ({
        id: t.id,
        data: t.data,
        annotations: (t.annotations ?? []).map((a) => ({ id: a.id, result: a.result })),
      }))
      .sort((a, b) => a.id - b.id);
  assert.equal(shape(fromExport), shape(listed));

  const formats = JSON.parse((await cli(dir, ['export', String(id), '--list-formats', '--json'])).stdout) as Array<{
    name: string;
    disabled?: boolean;
  }>;
  const enabled = formats.filter((f) => !f.disabled).map((f) => f.name);
  for (const needed of ['JSON', 'JSON_MIN', 'CSV']) assert.ok(enabled.includes(needed), `${needed} is enabled`);
  const text = (await cli(dir, ['export', String(id), '--list-formats'])).stdout;
  assert.match(text, /COCO +\(disabled for this project\)/);
  for (const name of enabled) {
    const r = await cli(dir, ['export', String(id), '--format', name, '--out', `out.${name}`, '--quiet']);
    assert.is(r.code, 0, `${name}: ${r.stderr}`);
    assert.ok((await readFile(join(dir, `out.${name}`))).length > 0, `${name} is not empty`);
  }
  const csv = await readFile(join(dir, 'out.CSV'), 'utf8');
  assert.match(csv.split('\n')[0]!, /label/);
  // Through a snapshot, with a conversion to CSV.
  const snap = await cli(dir, ['export', String(id), '--snapshot', '--format', 'CSV', '--out', 'snap.csv', '--quiet']);
  assert.is(snap.code, 0, snap.stderr);
  assert.match(snap.stdout, /as CSV from snapshot \d+/);
  assert.is((await readFile(join(dir, 'snap.csv'), 'utf8')).trim().split('\n').length, 13);
  const snapJson = await cli(dir, ['export', String(id), '--snapshot', '--out', 'snap.json', '--quiet']);
  assert.is(snapJson.code, 0, snapJson.stderr);
  assert.is(JSON.parse(await readFile(join(dir, 'snap.json'), 'utf8')).length, 12);
  // An unknown format is refused before anything is written.
  const bogus = await cli(dir, ['export', String(id), '--format', 'BOGUS', '--out', 'bogus.out']);
  assert.is(bogus.code, 1);
  assert.match(bogus.stderr, /no export format "BOGUS"/);
  assert.is(
    await readFile(join(dir, 'bogus.out')).then(
      () => 'exists',
      () => 'absent',
    ),
    'absent',
  );
});

test.run();
