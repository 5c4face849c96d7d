import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { readTaskRecords } from '../../src/tasks/read-records.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { hasStackTrace, runCli, writeTree } from '../helpers/cli.ts';

const CONFIG =
  '<View><Image name="img" value="$image"/><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
let ls: FakeLabelStudio;
let env: Record<string, string>;

test.before(async () => {
  ls = await startFakeLabelStudio({ maxBodyBytes: 64 * 1024 });
  env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
});
test.after(async () => {
  await ls.stop();
});

async function project(title: string): Promise<number> {
  return (await createClient({ baseUrl: ls.url, token: ls.token }).createProject({ title, label_config: CONFIG })).id;
}
async function count(id: number): Promise<number> {
  return Number((await createClient({ baseUrl: ls.url, token: ls.token }).getProject(id)).task_number ?? 0);
}
const row = (i: number) => ({ image: `https://example.com/${i}.jpg`, text: `text ${i}` });

test('reads a JSON array item by item with the line each item starts on', async () => {
  const text = '[\n  {"a": 1},\n  {"b": "x, ] y"},\n\n  {"c": [1, {"d": 2}]}\n]\n';
  const records = [];
  for await (const r of readTaskRecords(Readable.from([text.slice(0, 7), text.slice(7)]), 'json', 't.json'))
    records.push(r);
  assert.equal(
    records.map((r) => [r.index, r.line, r.item]),
    [
      [0, 2, { a: 1 }],
      [1, 3, { b: 'x, ] y' }],
      [2, 5, { c: [1, { d: 2 }] }],
    ],
  );
  // A file cut short: the item read before the cut still arrives, then the error names the line.
  const cut = readTaskRecords(Readable.from(['[{"a": 1},\n{"b"']), 'json', 'cut.json');
  const read: unknown[] = [];
  let error = '';
  try {
    for await (const r of cut) read.push(r.item);
  } catch (err) {
    error = String((err as Error).message);
  }
  assert.equal(read, [{ a: 1 }]);
  assert.match(error, /cut\.json:2: (item 2 is not valid JSON|the JSON array is not closed)/);
});

test('JSON, JSON Lines, CSV, TSV, a directory and stdin all import; the counts are printed', async () => {
  const dir = await writeTree({
    'a.json': JSON.stringify([row(1), { data: row(2), meta: { source: 'x' } }]),
    'b.jsonl': `${JSON.stringify(row(3))}\n\n${JSON.stringify(row(4))}\n`,
    'c.csv': 'image,text\nhttps://example.com/5.jpg,"five, with a comma"\n',
    'd.tsv': 'image\ttext\nhttps://example.com/6.jpg\tsix\n',
  });
  const id = await project('Formats');
  for (const f of ['a.json', 'b.jsonl', 'c.csv', 'd.tsv']) {
    const r = await runCli(['tasks', 'import', String(id), f, '--quiet'], { env, cwd: dir });
    assert.is(r.code, 0, `${f}: ${r.stderr}`);
  }
  assert.is(await count(id), 6);
  const id2 = await project('From a directory');
  const all = await runCli(['tasks', 'import', String(id2), '.', '--quiet'], { env, cwd: dir });
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, /Imported 6 tasks, 0 annotations, 0 predictions into project \d+ "From a directory"/);
  const listed = (await runCli(['tasks', 'list', String(id2), '--page-size', '4'], { env, cwd: dir })).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(
    listed.map((t: { data: { text: string } }) => t.data.text),
    ['text 1', 'text 2', 'text 3', 'text 4', 'five, with a comma', 'six'],
  );
  const asJson = JSON.parse((await runCli(['tasks', 'list', String(id2), '--json'], { env, cwd: dir })).stdout);
  assert.is(asJson.length, 6);
  // Standard input, in a real process: spooled, checked, then sent.
  const id3 = await project('From stdin');
  const { spawn } = await import('node:child_process');
  // Asynchronous: the fake server runs in this process and must keep answering.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/bin.ts', 'tasks', 'import', String(id3), '-', '--quiet'],
    { env: { ...process.env, ...env } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.end(`${JSON.stringify(row(7))}\n${JSON.stringify(row(8))}\n`);
  const status = await new Promise<number | null>((r) => child.on('close', r));
  const piped = { status, stdout: out, stderr: err };
  assert.is(piped.status, 0, piped.stderr);
  assert.match(piped.stdout, /Imported 2 tasks/);
  assert.is(await count(id3), 2);
});

test('bad items are refused before anything is sent, each with file:line and the key', async () => {
  const dir = await writeTree({
    'bad.jsonl': [row(1), { text: 'no image' }, { image: 42, text: 'x' }, row(4), { image: 'u', text: null }]
      .map((x) => JSON.stringify(x))
      .join('\n'),
    'broken.jsonl': `${JSON.stringify(row(1))}\n{"image": "u", "text": \n`,
    'notes.txt': 'hello',
  });
  const id = await project('Bad items');
  const r = await runCli(['tasks', 'import', String(id), 'bad.jsonl'], { env, cwd: dir });
  assert.is(r.code, 1);
  assert.match(r.stderr, /3 tasks cannot be imported into project \d+ "Bad items"; nothing was sent:/);
  assert.match(r.stderr, /bad\.jsonl:2: item 2: missing data key "image" \(read by <Image>\); the task has "text"/);
  assert.match(r.stderr, /bad\.jsonl:3: item 3: data key "image" is number; <Image> expects a URL string/);
  assert.match(r.stderr, /bad\.jsonl:5: item 5: data key "text" is null; <Text> needs a value/);
  assert.not.ok(hasStackTrace(r.stderr));
  const broken = await runCli(['tasks', 'import', String(id), 'broken.jsonl'], { env, cwd: dir });
  assert.is(broken.code, 1);
  assert.match(broken.stderr, /broken\.jsonl:2: item 2: not valid JSON/);
  const unknown = await runCli(['tasks', 'import', String(id), 'notes.txt'], { env, cwd: dir });
  assert.match(unknown.stderr, /cannot tell the format from the extension; pass --format/);
  const missing = await runCli(['tasks', 'import', String(id), 'nope.jsonl'], { env, cwd: dir });
  assert.match(missing.stderr, /nope\.jsonl: no such file or directory/);
  const noProject = await runCli(['tasks', 'import', 'No such title', 'bad.jsonl'], { env, cwd: dir });
  assert.match(noProject.stderr, /no project "No such title"/);
  assert.is(await count(id), 0);
});

test('batches stay under the byte limit; a server limit smaller than a batch gets a clear message, and --resume continues', async () => {
  const dir = await writeTree({
    'many.jsonl': Array.from({ length: 400 }, (_, i) => JSON.stringify({ ...row(i), pad: 'x'.repeat(200) })).join('\n'),
  });
  const id = await project('Byte limit');
  // 400 tasks of ~280 bytes: 100 KiB per 400-task batch, over the fake's 64 KiB limit.
  const over = await runCli(['tasks', 'import', String(id), 'many.jsonl', '--batch-size', '400', '--quiet'], {
    env,
    cwd: dir,
  });
  assert.is(over.code, 1);
  assert.match(over.stderr, /refused a batch of 0\.1 MiB \(400 tasks\): it is over the server's upload limit/);
  assert.is(await count(id), 0);
  const ok = await runCli(
    [
      'tasks',
      'import',
      String(id),
      'many.jsonl',
      '--batch-size',
      '400',
      '--max-batch-mb',
      '0.05',
      '--resume',
      '--quiet',
    ],
    { env, cwd: dir },
  );
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Imported 400 tasks/);
  assert.is(await count(id), 400);
  const sidecar = JSON.parse(await readFile(join(dir, 'many.jsonl.labelform-import.json'), 'utf8'));
  assert.is(sidecar.complete, true);
  assert.ok(sidecar.committed.batches >= 3, `batches: ${sidecar.committed.batches}`);
});

test('resume after a partial import sends only the rest; a changed file or another project is refused', async () => {
  const dir = await writeTree({ 'r.jsonl': Array.from({ length: 30 }, (_, i) => JSON.stringify(row(i))).join('\n') });
  const id = await project('Resume');
  const first = await runCli(['tasks', 'import', String(id), 'r.jsonl', '--batch-size', '10', '--quiet'], {
    env,
    cwd: dir,
  });
  assert.is(first.code, 0);
  // Pretend the run died after two batches: the sidecar says 20, the server holds 30 of them.
  const path = join(dir, 'r.jsonl.labelform-import.json');
  const sidecar = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(
    path,
    JSON.stringify({ ...sidecar, complete: false, committed: { ...sidecar.committed, records: 20, tasks: 20 } }),
  );
  const resumed = await runCli(['tasks', 'import', String(id), 'r.jsonl', '--resume'], { env, cwd: dir });
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /Resuming: 30 tasks of this import are already in project/);
  assert.is(await count(id), 30, 'the batch the sidecar missed is not sent again');
  const other = await project('Other');
  await writeFile(path, JSON.stringify({ ...sidecar, complete: false }));
  const wrongProject = await runCli(['tasks', 'import', String(other), 'r.jsonl', '--resume'], { env, cwd: dir });
  assert.match(wrongProject.stderr, /records an import into project \d+ on .*, not project \d+/);
  await writeFile(join(dir, 'r.jsonl'), `${JSON.stringify(row(99))}\n`);
  const changed = await runCli(['tasks', 'import', String(id), 'r.jsonl', '--resume'], { env, cwd: dir });
  assert.match(changed.stderr, /changed since the import it would continue/);
  const stdin = await runCli(['tasks', 'import', String(id), '-', '--resume'], { env, cwd: dir });
  assert.match(stdin.stderr, /--resume needs a file or directory/);
});

test('progress: plain periodic lines when not a terminal, nothing with --quiet', async () => {
  const dir = await writeTree({ 'p.jsonl': Array.from({ length: 50 }, (_, i) => JSON.stringify(row(i))).join('\n') });
  const id = await project('Progress');
  ls.setLatency(30);
  try {
    let now = 0;
    const loud = await runCliWithClock(
      ['tasks', 'import', String(id), 'p.jsonl', '--batch-size', '5'],
      dir,
      () => (now += 1000),
    );
    assert.match(loud.stderr, /Importing into project \d+: \d+\/50 tasks \(\d+ tasks\/s/);
    const quietDir = await writeTree({
      'q.jsonl': Array.from({ length: 50 }, (_, i) => JSON.stringify(row(i))).join('\n'),
    });
    const quiet = await runCliWithClock(
      ['tasks', 'import', String(id), 'q.jsonl', '--batch-size', '5', '--quiet'],
      quietDir,
      () => (now += 1000),
    );
    assert.is(quiet.stderr, '');
  } finally {
    ls.setLatency(0);
  }
});

async function runCliWithClock(args: string[], cwd: string, now: () => number) {
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd,
    interactive: false,
    stderrIsTTY: false,
    color: false,
    prompt: async () => '',
    now,
  });
  return { code, stdout, stderr };
}

test.run();
