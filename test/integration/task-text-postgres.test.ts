/**
 * Task data that Label Studio on PostgreSQL refuses with a 500 (U+0000, a lone surrogate; SQLite
 * stores both) is refused before anything is sent, at its file:line, on every server; and a
 * batch the server fails on twice in the same way is sent twice at most and reported in words,
 * without the server's SQL.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { findUnstorableText } from '../../src/tasks/check-task.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { hasStackTrace, runCli, writeTree } from '../helpers/cli.ts';

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
let ls: FakeLabelStudio;
let proxy: FaultProxy;

test.before(async () => {
  ls = await startFakeLabelStudio();
  proxy = await startFaultProxy(ls.url);
});
test.after(async () => {
  await proxy.close();
  await ls.stop();
});
test.before.each(() => proxy.clear());

test('U+0000 and lone surrogates are found at any depth, in values and keys; pairs and ordinary text pass', () => {
  assert.equal(findUnstorableText({ data: { text: 'a\u0000b' } }), {
    path: 'data.text',
    what: 'U+0000 (a NUL character)',
  });
  assert.equal(findUnstorableText({ data: { text: 'ok', items: [{ name: 'x' }, { name: 'bad \ud800 half' }] } }), {
    path: 'data.items[1].name',
    what: 'a lone surrogate (U+D800)',
  });
  assert.equal(findUnstorableText({ data: { text: 'ok' }, meta: { note: 'trailing low \udc37' } }), {
    path: 'meta.note',
    what: 'a lone surrogate (U+DC37)',
  });
  assert.equal(findUnstorableText({ data: { 'k\u0000': 1 } }), {
    path: 'the key "k?" of data',
    what: 'U+0000 (a NUL character)',
  });
  assert.is(
    findUnstorableText({ data: { text: 'emoji 😀 is a pair, \u00e9 is fine', n: 3, nothing: null } }),
    undefined,
  );
});

test('tasks import: U+0000 on line 7 is an error naming line 7 and nothing is sent; a lone surrogate deep in meta too', async () => {
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  const { id } = await client.createProject({ title: 'PostgreSQL text', label_config: CONFIG });
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `task ${i + 1}` }));
  lines[6] = '{"text": "a NUL \\u0000 here"}';
  const deep = [
    JSON.stringify({ text: 'fine' }),
    '{"data": {"text": "ok"}, "meta": {"source": {"notes": ["x", "half \\ud83d pair"]}}}',
  ];
  const dir = await writeTree({ 'nul.jsonl': `${lines.join('\n')}\n`, 'deep.jsonl': `${deep.join('\n')}\n` });
  const env = { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token };
  const nul = await runCli(['tasks', 'import', String(id), 'nul.jsonl', '--quiet'], { env, cwd: dir });
  assert.is(nul.code, 1);
  assert.match(
    nul.stderr,
    /nul\.jsonl:7: item 7: data\.text holds U\+0000 \(a NUL character\): Label Studio on PostgreSQL refuses the whole batch/,
  );
  const half = await runCli(['tasks', 'import', String(id), 'deep.jsonl', '--quiet'], { env, cwd: dir });
  assert.is(half.code, 1);
  assert.match(half.stderr, /deep\.jsonl:2: item 2: meta\.source\.notes\[1\] holds a lone surrogate \(U\+D83D\)/);
  for (const r of [nul, half]) assert.not.ok(hasStackTrace(r.stderr), r.stderr);
  assert.equal(
    proxy.seen.filter((r) => r.method === 'POST'),
    [],
    'no request that writes was sent',
  );
  assert.is(Number((await client.getProject(id)).task_number ?? 0), 0);
});

test('a batch the server fails on twice in the same way: sent twice, nothing stored, one message in words without the SQL', async () => {
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  const { id } = await client.createProject({ title: 'Same 500', label_config: CONFIG });
  const sql =
    'DataError: unsupported Unicode escape sequence\nLINE 1: INSERT INTO "task" ("data", "meta") VALUES (\'{"text": "x"}\'::jsonb';
  proxy.inject({
    method: 'POST',
    path: /\/import/,
    times: 10,
    fault: { kind: 'status', status: 500, body: JSON.stringify({ detail: sql }), contentType: 'application/json' },
  });
  const dir = await writeTree({
    't.jsonl': `${JSON.stringify({ text: 'one' })}\n${JSON.stringify({ text: 'two' })}\n`,
  });
  const r = await runCli(['tasks', 'import', String(id), 't.jsonl', '--quiet'], {
    env: { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token },
    cwd: dir,
  });
  assert.is(r.code, 1);
  const posts = proxy.seen.filter((s) => s.method === 'POST' && /\/import/.test(s.path));
  assert.is(posts.length, 2, 'the first answer, then one resend after seeing nothing landed');
  assert.match(
    r.stderr,
    /the server failed twice in the same way \(HTTP 500\) on a batch of 2 tasks and stored none of it, so it is not sent again: its database \(PostgreSQL\) cannot store some text in these tasks/,
  );
  assert.not.match(r.stderr, /INSERT INTO|jsonb|LINE 1/, 'no SQL');
  assert.not.ok(hasStackTrace(r.stderr), r.stderr);
  assert.is(Number((await client.getProject(id)).task_number ?? 0), 0);

  // A 500 that changes (a transient failure) is still retried as before, and the import lands.
  proxy.clear();
  proxy.inject({
    method: 'POST',
    path: /\/import/,
    times: 1,
    fault: { kind: 'status', status: 500, body: '{"detail": "database is locked"}', contentType: 'application/json' },
  });
  const ok = await runCli(['tasks', 'import', String(id), 't.jsonl', '--quiet', '--resume'], {
    env: { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token },
    cwd: dir,
  });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(Number((await client.getProject(id)).task_number ?? 0), 2);
});

test.run();
