/**
 * Lookups by manifest key on a real server with 250 projects, where the managed one is the
 * oldest: Label Studio 1.23.2 ignores `search=` and lists newest first, so a lookup that read one
 * page of a search saw only the 100 newest projects, and `tasks import KEY`, `tasks list KEY` and
 * `export KEY` failed with `no project "KEY"` while `plan` found it. `import NAME ID` missed the
 * project already holding the key and would have put a second project under it.
 *
 * The server may be shared: every project here carries this run's namespace in its title, and
 * only those are deleted at the end.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsPage, LsProject } from '../../src/api/types.ts';
import { formatMarker, parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { removeTree } from '../helpers/cli.ts';
import { api, cli, makeRepo, projectManifest, uniqueNamespace } from './support.ts';

const client = api();
const N = 250;
const NS = uniqueNamespace('lookup');
const KEY = 'oldest';
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>';

let oldest: number;
let newest: number;
let dir: string;

test.before(async () => {
  // One at a time: on SQLite the server can double a create made alongside others.
  oldest = (
    await client.createProject({
      title: `${NS} oldest`,
      description: withMarker('The oldest project', { namespace: NS, key: KEY }),
      label_config: CONFIG,
    })
  ).id;
  for (let i = 1; i < N; i++) newest = (await client.createProject({ title: `${NS} p${i}` })).id;
  dir = await makeRepo(NS, {
    'projects/oldest.yaml': projectManifest(
      KEY,
      `  title: ${NS} oldest\n  description: The oldest project\n  label_config: '${CONFIG}'\n`,
    ),
    'tasks.jsonl': '{"text": "one"}\n{"text": "two"}\n{"text": "three"}\n',
  });
});

test.after(async () => {
  await removeTree(dir);
  // Every project of this run, found by its namespace in the title; one delete at a time (the
  // server switches model signals off process-wide during a delete).
  const mine: number[] = [];
  for (let page = 1; ; page++) {
    const body = await client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
      params: { title: NS, ordering: 'id', page, page_size: 100, include: 'id' },
    });
    mine.push(...body.results.map((p) => p.id));
    if (!body.next) break;
  }
  for (const id of mine) await client.deleteProject(id);
});

test('the managed project is beyond the 100 newest, and a search for its marker does not find it', async () => {
  const newest100 = await client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
    params: { search: formatMarker({ namespace: NS, key: KEY }), page_size: 100, include: 'id,description' },
  });
  assert.ok(newest100.count >= N, `search= is ignored: count ${newest100.count}`);
  assert.not.ok(newest100.results.some((p) => p.id === oldest || parseMarker(p.description)?.namespace === NS));
});

test('plan finds it: no changes', async () => {
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
});

test('tasks import KEY, tasks list KEY and export KEY reach the oldest project', async () => {
  const imported = await cli(dir, ['tasks', 'import', KEY, 'tasks.jsonl', '--quiet']);
  assert.is(imported.code, 0, imported.stderr);
  assert.is(Number((await client.getProject(oldest)).task_number), 3);

  const listed = await cli(dir, ['tasks', 'list', KEY]);
  assert.is(listed.code, 0, listed.stderr);
  assert.equal(
    listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).data.text),
    ['one', 'two', 'three'],
  );

  const exported = await cli(dir, ['export', KEY, '--out', 'export.json', '--all-tasks', '--quiet']);
  assert.is(exported.code, 0, exported.stderr);
  const tasks = JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')) as Array<{
    project: number;
    data: { text: string };
  }>;
  assert.equal(tasks.map((t) => t.data.text).sort(), ['one', 'three', 'two']);
  assert.ok(tasks.every((t) => t.project === oldest));
});

test('import NAME ID refuses a second project for a key held by one beyond the 100 newest', async () => {
  const r = await cli(dir, ['import', KEY, String(newest)]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    `project ${oldest} "${NS} oldest" already carries the marker of ${KEY}; one key can manage one project`,
  );
  assert.is(parseMarker((await client.getProject(newest)).description), undefined, 'nothing was written');
});

test.run();
