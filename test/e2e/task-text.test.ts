/**
 * Task text that PostgreSQL's JSON cannot store, against the real server on whichever database
 * the harness gave it (LABELFORM_TEST_DB): the server's own answer to U+0000 is pinned (stored on
 * SQLite, a 500 on PostgreSQL), and `tasks import` refuses the file at the line before sending
 * anything, on both.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isApiError } from '../../src/api/errors.ts';
import { writeTree } from '../helpers/cli.ts';
import { api, cli, uniqueNamespace } from './support.ts';

const client = api();
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
const database = process.env.LABELFORM_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';

test(`the server itself on ${database}: a task holding U+0000 is ${database === 'postgresql' ? 'a 500' : 'stored'}`, async () => {
  const { id } = await client.createProject({ title: `${uniqueNamespace('nul')} raw`, label_config: CONFIG });
  try {
    const sent = await client.importTasks(id, [{ text: 'a NUL \u0000 here' }]).then(
      () => 'stored',
      (err: unknown) => (isApiError(err) && err.status === 500 ? 'a 500' : String(err)),
    );
    assert.is(sent, database === 'postgresql' ? 'a 500' : 'stored');
  } finally {
    await client.deleteProject(id);
  }
});

test('tasks import: U+0000 on line 7 is an error naming line 7, and nothing is sent', async () => {
  const { id } = await client.createProject({ title: `${uniqueNamespace('nul')} import`, label_config: CONFIG });
  try {
    const lines = Array.from({ length: 9 }, (_, i) => JSON.stringify({ text: `task ${i + 1}` }));
    lines[6] = '{"text": "a NUL \\u0000 here"}';
    const dir = await writeTree({ 'tasks.jsonl': `${lines.join('\n')}\n` });
    const r = await cli(dir, ['tasks', 'import', String(id), join(dir, 'tasks.jsonl'), '--quiet']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /tasks\.jsonl:7: item 7: data\.text holds U\+0000 \(a NUL character\)/);
    assert.is(Number((await client.getProject(id)).task_number ?? 0), 0, 'nothing was sent');
  } finally {
    await client.deleteProject(id);
  }
});

test.run();
