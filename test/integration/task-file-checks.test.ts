/**
 * Task files that used to lose data or memory silently (issue 8): a CSV header naming a column
 * twice, a JSON object with a key twice (both kept only the last value), and a single task larger
 * than the batch byte cap (sent alone, 1.75 GB RSS for one 200 MB task). Each is an error at
 * `file:line` before anything is sent, for `tasks import` and for declared datasets alike.
 */
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeclaredTaskFile, ProjectResource } from '../../src/kinds/project/types.ts';
import { readDatasetState } from '../../src/kinds/project/datasets.ts';
import { DEFAULT_MAX_BATCH_MIB } from '../../src/tasks/limits.ts';
import { readTaskRecords, type TaskFormat } from '../../src/tasks/read-records.ts';
import { hasStackTrace, runCli } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { manifest } from '../unit/support/plan-fixtures.ts';

const MiB = 1024 * 1024;
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';

async function readAll(
  text: string | string[],
  format: TaskFormat,
  file = 't',
): Promise<{ items: unknown[]; error?: string }> {
  const items: unknown[] = [];
  try {
    for await (const r of readTaskRecords(Readable.from(Array.isArray(text) ? text : [text]), format, file))
      items.push(r.item);
  } catch (err) {
    return { items, error: (err as Error).message };
  }
  return { items };
}

// --- duplicate names ----------------------------------------------------------------------------

test('CSV/TSV: a header naming a column twice is an error at line 1, naming the column and both positions', async () => {
  assert.equal(await readAll('text,text\na,b\n', 'csv', 't.csv'), {
    items: [],
    error:
      't.csv:1: the header names column "text" twice (columns 1 and 2); each column becomes a data key, so one would be lost',
  });
  assert.equal(
    (await readAll('id\ttext\tx\ttext\n1\ta\tb\tc\n', 'tsv', 't.tsv')).error,
    't.tsv:1: the header names column "text" twice (columns 2 and 4); each column becomes a data key, so one would be lost',
  );
  // A header after a byte-order mark, and distinct columns, still read.
  assert.equal(await readAll('\ufefftext,other\na,b\n', 'csv'), { items: [{ text: 'a', other: 'b' }] });
});

test('JSON Lines: a key twice in one object is an error at its line, nested objects too', async () => {
  const lines = ['{"data": {"text": "a"}}', '', '{"data": {"text": "a", "text": "b"}}'];
  assert.equal(await readAll(lines.join('\n'), 'jsonl', 't.jsonl'), {
    items: [{ data: { text: 'a' } }],
    error: 't.jsonl:3: the key "text" appears twice in one object; JSON keeps only the last value, so fix the file',
  });
  const nested =
    '{"data": {"text": "a"}, "annotations": [{"result": [{"value": {"choices": ["a"], "choices": ["b"]}}]}]}\n';
  assert.match((await readAll(nested, 'jsonl', 'n.jsonl')).error ?? '', /^n\.jsonl:1: the key "choices" appears twice/);
  // Escapes spell the same key: still a duplicate. The same key in sibling objects is fine.
  assert.match(
    (await readAll('{"text": 1, "te\\u0078t": 2}\n', 'jsonl', 'e.jsonl')).error ?? '',
    /the key "text" appears twice/,
  );
  assert.equal(await readAll('[{"a": {"k": 1}, "b": {"k": 2}}, {"k": "a\\"k\\": 3"}]', 'json'), {
    items: [{ a: { k: 1 }, b: { k: 2 } }, { k: 'a"k": 3' }],
  });
});

test("JSON array: the duplicate key's own line, inside a multi-line item", async () => {
  const text =
    '[\n  {"data": {"text": "ok"}},\n  {\n    "data": {\n      "text": "a",\n      "text": "b"\n    }\n  }\n]\n';
  assert.equal(
    (await readAll([text.slice(0, 20), text.slice(20)], 'json', 'a.json')).error,
    'a.json:6: the key "text" appears twice in one object; JSON keeps only the last value, so fix the file',
  );
});

// --- one task over the batch cap ----------------------------------------------------------------

test('reading stops as soon as one item passes the size guard: a huge item is never held whole', async () => {
  let pulled = 0;
  const chunk = 'x'.repeat(64 * 1024);
  const endless = (open: string) =>
    Readable.from(
      (function* () {
        yield open;
        for (let i = 0; i < 1024; i++) {
          pulled += chunk.length;
          yield chunk; // 64 MiB in all, if read to the end
        }
        yield '"}}\n';
      })(),
    );
  for (const [format, open] of [
    ['jsonl', '{"data": {"text": "ok"}}\n{"data": {"text": "'],
    ['json', '[{"data": {"text": "ok"}},\n {"data": {"text": "'],
  ] as const) {
    pulled = 0;
    let error = '';
    try {
      for await (const _ of readTaskRecords(endless(open), format, 'big', { maxItemBytes: MiB })) void _;
    } catch (err) {
      error = (err as Error).message;
    }
    assert.match(error, /^big:2: this task is larger than 1\.0 MiB/, format);
    assert.ok(pulled <= 2 * MiB, `${format}: read ${pulled} bytes of the item before refusing it`);
  }
  pulled = 0;
  let csvError = '';
  try {
    for await (const _ of readTaskRecords(endless('text\n"'), 'csv', 'big.csv', { maxItemBytes: MiB })) void _;
  } catch (err) {
    csvError = (err as Error).message;
  }
  assert.match(csvError, /^big\.csv:2: this task is larger than 1\.0 MiB/);
  assert.ok(pulled <= 2 * MiB, `csv: read ${pulled} bytes`);
});

const fake = useFakeCli(test, { emptyEachTest: false });

const { tree } = fake;

test('tasks import: duplicate columns, duplicate keys and a task over --max-batch-mb (in the file, or as sent) are refused at file:line; nothing is sent', async () => {
  const client = fake.client;
  const { id } = await client.createProject({ title: 'Checked tasks', label_config: CONFIG });
  const big = 'y'.repeat(600 * 1024);
  const dir = await tree({
    'dup.csv': 'text,text\nfirst,second\n',
    'dup.jsonl': '{"text": "a"}\n{"text": "a", "text": "b"}\n',
    'big.jsonl': `{"text": "small"}\n{"text": "small"}\n{"text": "${big}"}\n{"text": "small"}\n`,
    'fits.jsonl': `{"text": "${'z'.repeat(300 * 1024)}"}\n`,
    // 200 Ki characters but 600 KiB of UTF-8: refused on its size as sent.
    'euro.jsonl': `{"text": "${'€'.repeat(200 * 1024)}"}\n`,
  });
  const env = { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token };
  const run = (file: string, extra: string[] = []) =>
    runCli(['tasks', 'import', String(id), file, '--quiet', ...extra], { env, cwd: dir });

  const csv = await run('dup.csv');
  assert.is(csv.code, 1);
  assert.match(csv.stderr, /dup\.csv:1: item 1: the header names column "text" twice \(columns 1 and 2\)/);
  const jsonl = await run('dup.jsonl');
  assert.is(jsonl.code, 1);
  assert.match(jsonl.stderr, /dup\.jsonl:2: item 2: the key "text" appears twice in one object/);
  const tooBig = await run('big.jsonl', ['--max-batch-mb', '0.5']);
  assert.is(tooBig.code, 1);
  assert.match(
    tooBig.stderr,
    /big\.jsonl:3: item 3: this task is larger than 512\.0 KiB, the most one import batch holds/,
  );
  const euro = await run('euro.jsonl', ['--max-batch-mb', '0.5']);
  assert.is(euro.code, 1);
  assert.match(
    euro.stderr,
    /euro\.jsonl:1: item 1: this task is 600\.\d KiB as sent, over the batch limit of 512\.0 KiB \(--max-batch-mb\)/,
  );
  for (const r of [csv, jsonl, tooBig, euro]) assert.not.ok(hasStackTrace(r.stderr), r.stderr);
  assert.is(Number((await client.getProject(id)).task_number ?? 0), 0, 'nothing was sent');

  // Under the cap, a big task still goes (alone in its batch).
  const fits = await run('fits.jsonl', ['--max-batch-mb', '0.5']);
  assert.is(fits.code, 0, fits.stderr);
  assert.is(Number((await client.getProject(id)).task_number ?? 0), 1);
});

test('declared datasets: the same checks as plan problems at file:line', async () => {
  const dir = await tree({
    'dup.csv': 'text,text\nfirst,second\n',
    'dup.json': '[\n  {"text": "a",\n   "text": "b"}\n]\n',
    'big.jsonl': `{"text": "small"}\n{"text": "${'y'.repeat(DEFAULT_MAX_BATCH_MIB * MiB)}"}\n`,
  });
  const desired: ProjectResource = manifest('ds', { title: 'Datasets', label_config: CONFIG });
  const file = (name: string): DeclaredTaskFile => ({
    file: `./${name}`,
    path: `${dir}/${name}`,
    display: name,
    pointer: '/tasks/0/file',
  });
  const problems = async (name: string) =>
    (await readDatasetState(undefined, undefined, desired, 'test', dir, file(name))).problems.map(
      (p) => `${p.file}:${p.line}: ${p.message}`,
    );
  assert.equal(await problems('dup.csv'), [
    'dup.csv:1: the header names column "text" twice (columns 1 and 2); each column becomes a data key, so one would be lost',
  ]);
  assert.equal(await problems('dup.json'), [
    'dup.json:3: the key "text" appears twice in one object; JSON keeps only the last value, so fix the file',
  ]);
  const [bigProblem] = await problems('big.jsonl');
  assert.match(bigProblem ?? '', /^big\.jsonl:2: this task is larger than 16\.0 MiB, the most one import batch holds/);
});

test.run();
