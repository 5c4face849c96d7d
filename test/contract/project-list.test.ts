/**
 * What `GET /api/projects/` filters on and what it ignores (reference §12.1), which every exact
 * lookup in labelform is built on: `search=` is ignored; the default order is pinned first, then
 * newest first; `title=` is a stripped, case-insensitive (ASCII) substring filter; `ids=` picks
 * projects by id; `ordering=id` and `-id` sort by id. Only this run's projects are counted, so the
 * tests hold on a server others use at the same time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsPage, LsProject } from '../../src/api/types.ts';
import { readProjectsTitled } from '../../src/kinds/project/project-list.ts';
import { pythonStrip } from '../../src/util/python-strip.ts';
import { expectApiError, targetDatabase, useTarget } from './target.ts';

const { t, client } = useTarget(test);
/** This run's projects, oldest first: alpha, bravo (pinned first), charlie, delta (pinned last), echo. */
let mine: number[];
const NAMES = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'] as const;

test.before(async () => {
  mine = [];
  // One at a time, so creation order is id order (the server can double concurrent creates).
  for (const name of NAMES) mine.push(t.track((await client.createProject({ title: `${t.prefix} ${name}` })).id));
  await client.updateProject(mine[1]!, { pinned_at: '2020-01-01T00:00:00Z' });
  await client.updateProject(mine[3]!, { pinned_at: '2021-01-01T00:00:00Z' });
});

function list(params: Record<string, string | number>): Promise<LsPage<LsProject>> {
  return client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
    params: { page_size: 100, include: 'id,title,created_at,pinned_at', ...params },
  });
}

const idsOf = (page: LsPage<LsProject>) => page.results.map((p) => p.id);
const at = (...i: number[]) => i.map((n) => mine[n]!);

test('search= is ignored: it neither narrows the list nor finds a title', async () => {
  const all = await list({ title: t.prefix, search: 'zzzqqq-matches-nothing' });
  assert.is(all.count, NAMES.length);
  // Searching for one project's exact title still answers with another one picked by id.
  const other = await list({ ids: String(mine[4]), search: `${t.prefix} Alpha` });
  assert.equal(idsOf(other), at(4));
});

test('the default order is pinned first (latest pin first), then newest first', async () => {
  const page = await list({ title: t.prefix });
  assert.equal(idsOf(page), at(3, 1, 4, 2, 0));
  const unpinned = page.results.filter((p) => !p.pinned_at).map((p) => String(p.created_at));
  assert.equal(unpinned, [...unpinned].sort().reverse(), 'newest created first');
  assert.equal(idsOf(await list({ title: t.prefix, filter: 'pinned_only' })), at(3, 1));
  assert.equal(idsOf(await list({ title: t.prefix, filter: 'exclude_pinned' })), at(4, 2, 0));
});

test('ordering=id and ordering=-id sort by id and ignore pins; an unknown ordering keeps the default', async () => {
  assert.equal(idsOf(await list({ title: t.prefix, ordering: 'id' })), mine);
  assert.equal(idsOf(await list({ title: t.prefix, ordering: '-id' })), [...mine].reverse());
  assert.equal(idsOf(await list({ title: t.prefix, ordering: 'no_such_field' })), at(3, 1, 4, 2, 0));
});

test('title= is a substring match, case-insensitive for ASCII letters, stripped, with % and _ taken literally', async () => {
  assert.equal(idsOf(await list({ title: t.prefix.toUpperCase(), ordering: 'id' })), mine);
  assert.equal(idsOf(await list({ title: `${t.prefix} a`, ordering: 'id' })), at(0), 'a prefix of one title');
  assert.equal(idsOf(await list({ title: 'HARL', ids: mine.join(',') })), at(2), 'the middle of a title');
  assert.equal(idsOf(await list({ title: `  ${t.prefix} Echo  ` })), at(4), 'the query is stripped');
  assert.equal(
    idsOf(await list({ title: '   ', ids: mine.join(','), ordering: 'id' })),
    mine,
    'a blank title= filters nothing',
  );
  assert.is((await list({ title: `${t.prefix}%Echo` })).count, 0);
  assert.is((await list({ title: `${t.prefix}_Echo` })).count, 0);
  assert.is((await list({ title: `${t.prefix}  Echo` })).count, 0, 'inner spaces count');
});

test('title= folds the case of ASCII letters only on SQLite (LIKE); PostgreSQL folds every letter', async () => {
  const id = t.track((await client.createProject({ title: `${t.prefix} Éclair` })).id);
  assert.equal(idsOf(await list({ title: `${t.prefix} ÉCLAIR` })), [id]);
  assert.equal(idsOf(await list({ title: `${t.prefix} éclair` })), targetDatabase() === 'postgresql' ? [id] : []);
});

test('ids= picks exactly those projects, in the default order, and combines with title=', async () => {
  assert.equal(idsOf(await list({ ids: `${mine[0]},${mine[1]},${mine[4]}` })), at(1, 4, 0));
  assert.equal(idsOf(await list({ ids: `${mine[0]},${mine[4]}`, title: 'Echo' })), at(4));
  const err = await expectApiError(list({ ids: 'abc' }));
  assert.is(err.status, 500);
  assert.is(err.detail, "Field 'id' expected a number but got 'abc'.");
});

test('a page past the end of a filtered list is a 404 "Invalid page."', async () => {
  for (const ordering of ['id', '-id']) {
    const err = await expectApiError(list({ title: t.prefix, ordering, page: 2 }));
    assert.is(err.status, 404);
    assert.is(err.detail, 'Invalid page.');
  }
});

test('readProjectsTitled: only the exact title, not the titles that contain it or differ in case', async () => {
  const twin = t.track((await client.createProject({ title: `${t.prefix} Alpha ` })).id);
  t.track((await client.createProject({ title: `${t.prefix} ALPHA` })).id);
  const found = await readProjectsTitled(client, `${t.prefix} Alpha`, 'id,title', pythonStrip);
  assert.equal(
    found.map((p) => p.id),
    [mine[0], twin],
  );
  assert.equal(await readProjectsTitled(client, `${t.prefix} Alph`, 'id,title', pythonStrip), []);
});

test.run();
