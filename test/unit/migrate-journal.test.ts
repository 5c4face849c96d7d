/**
 * The migration journal: entries read back as written; a last line torn by `kill -9` is
 * tolerated and cut off before the next append; any other bad line names `file:line`; and an
 * appending process killed with SIGKILL at a random moment leaves a journal that reads.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  journalObjects,
  openJournal,
  parseJournal,
  readJournal,
  type JournalEntry,
} from '../../src/kinds/project/migrate/io-journal.ts';
import { revertTarget } from '../../src/kinds/project/migrate/io-run.ts';
import { UserError } from '../../src/util/errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lf-journal-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = (id: number, before: string, after: string): JournalEntry => ({
  op: 'write',
  type: 'annotation',
  id,
  task: 1,
  before,
  after,
});

test('entries read back as written, floats in before/after kept as text', async () => {
  const path = join(dir, 'a.jsonl');
  const j = await openJournal(path);
  await j.append({ op: 'run', project: 3, action: 'migrate', at: '2026-01-01T00:00:00.000Z' });
  await Promise.all([
    j.append(write(1, '[{"x":10.0}]', '[{"x":10.0,"l":"B"}]')),
    j.append({ op: 'done', type: 'annotation', id: 1 }),
  ]);
  await j.close();
  const { entries, torn } = await readJournal(path);
  assert.is(torn, false);
  assert.is(entries.length, 3);
  assert.equal(entries[1], write(1, '[{"x":10.0}]', '[{"x":10.0,"l":"B"}]'));
  assert.is((await readJournal(join(dir, 'missing.jsonl'))).entries.length, 0);
});

test('a torn last line is left out, and cut off before the next append', async () => {
  const path = join(dir, 'torn.jsonl');
  const whole = `${JSON.stringify(write(1, '[]', '[1]'))}\n`;
  await writeFile(path, `${whole}{"op":"done","type":"annot`);
  const read = await readJournal(path);
  assert.is(read.torn, true);
  assert.is(read.entries.length, 1);
  const j = await openJournal(path);
  await j.append({ op: 'done', type: 'annotation', id: 1 });
  await j.close();
  assert.is(await readFile(path, 'utf8'), `${whole}{"op":"done","type":"annotation","id":1}\n`);
  const objects = journalObjects((await readJournal(path)).entries);
  assert.equal(objects, [
    { type: 'annotation', id: 1, task: 1, writes: [{ before: '[]', after: '[1]', done: true }], reverts: [] },
  ]);
});

test('a bad line that is not the last names the file and line', () => {
  try {
    parseJournal(
      `${JSON.stringify(write(1, '[]', '[1]'))}\n{"op":"write"}\n${JSON.stringify(write(2, '[]', '[1]'))}\n`,
      'j.jsonl',
    );
    assert.unreachable('a bad line must be refused');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^j\.jsonl:2:1: not an entry of a labelform migration journal/);
  }
});

test('revert target: the first before, unless a person changed the object between two writes', () => {
  const w = (before: string, after: string) => ({ before, after, done: true });
  assert.is(revertTarget({ writes: [w('[1]', '[2]')] }), '[1]');
  // A write that never landed, tried again: the same before.
  assert.is(revertTarget({ writes: [w('[1]', '[2]'), w('[1]', '[2]')] }), '[1]');
  // Written, then a person edited it to [3], then written again.
  assert.is(revertTarget({ writes: [w('[1]', '[2]'), w('[3]', '[4]')] }), '[3]');
  // Same numbers spelt differently compare equal.
  assert.is(revertTarget({ writes: [w('[1.0]', '[2]'), w('[2.0]', '[5]')] }), '[1.0]');
});

test('a process appending entries killed with SIGKILL at random moments leaves a journal that reads', async () => {
  for (let round = 0; round < 3; round++) {
    const path = join(dir, `kill-${round}.jsonl`);
    const script = `
      import { openJournal } from ${JSON.stringify(join(ROOT, 'src/kinds/project/migrate/io-journal.ts'))};
      const j = await openJournal(${JSON.stringify(path)});
      const big = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: 'r' + i, value: { labels: ['Org'] }, x: 10.5 })));
      console.log('ready');
      for (let id = 1; ; id++) await j.append({ op: 'write', type: 'annotation', id, task: 1, before: big, after: big });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 200)));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const { entries } = await readJournal(path);
    entries.forEach((e, i) => assert.is(e.op === 'write' && e.id, i + 1));
    // The next run appends after whatever whole lines there are.
    const j = await openJournal(path);
    await j.append({ op: 'done', type: 'annotation', id: 1 });
    await j.close();
    const after = await readJournal(path);
    assert.is(after.torn, false);
    assert.is(after.entries.length, entries.length + 1);
  }
});

test.run();
