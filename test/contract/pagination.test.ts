/**
 * The projects list: pages of at most 100, newest first, `{count, next, previous, results}`,
 * an out-of-range page is a 404, and the client's listProjects walks every page.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsPage, LsProject } from '../../src/api/types.ts';
import { releaseAtLeast, expectApiError, useTarget } from './target.ts';

const N = 105;
const { t, client } = useTarget(test);
const mine: number[] = [];

test.before(async () => {
  // One at a time: concurrent creates on a SQLite-backed server can be duplicated by its own
  // "database is locked" retry middleware. Ids only grow, so id order is creation order.
  for (let i = 0; i < N; i++) mine.push(t.track((await client.createProject({ title: `${t.prefix} p${i}` })).id));
});

function page(params: Record<string, string | number>): Promise<LsPage<LsProject>> {
  return client.http.request<LsPage<LsProject>>('GET', '/api/projects/', { params });
}

test('page_size is capped at 100; next keeps the query; newest first', async () => {
  // The title filter (case-insensitive substring) keeps other runs' projects out.
  const first = await page({ title: t.prefix, page_size: 1000, include: 'id,title' });
  assert.is(first.count, N);
  if (!releaseAtLeast('1.23')) {
    // 1.20.0 and older have no cap: page_size=1000 answers all of them (labelform asks for 100).
    assert.equal([first.results.length, first.next, first.previous], [N, null, null]);
    assert.equal(
      first.results.map((p) => p.id),
      [...mine].reverse(),
    );
    return;
  }
  assert.is(first.results.length, 100);
  assert.is(first.previous, null);
  assert.ok(first.next);
  const next = new URL(first.next);
  assert.is(next.searchParams.get('page'), '2');
  assert.is(next.searchParams.get('page_size'), '1000');
  assert.is(next.searchParams.get('title'), t.prefix);
  assert.equal(
    first.results.map((p) => p.id),
    [...mine].reverse().slice(0, 100),
  );
  const second = await page({ title: t.prefix, page_size: 1000, page: 2, include: 'id' });
  assert.equal(
    second.results.map((p) => p.id),
    [...mine].reverse().slice(100),
  );
  assert.is(second.next, null);
  assert.ok(second.previous);
  assert.is(new URL(second.previous).searchParams.get('page'), null, 'previous of page 2 has no page parameter');
});

test('default page size is 30; page_size 0 falls back to it; ordering=id works', async () => {
  const byDefault = await page({ title: t.prefix, include: 'id' });
  assert.is(byDefault.results.length, 30);
  const zero = await page({ title: t.prefix, include: 'id', page_size: 0 });
  assert.is(zero.results.length, 30);
  const ascending = await page({ title: t.prefix, include: 'id', ordering: 'id', page_size: 5 });
  assert.equal(
    ascending.results.map((p) => p.id),
    mine.slice(0, 5),
  );
});

test('a page past the end, page 0 or a non-number is a 404 "Invalid page."', async () => {
  for (const p of [3, 0, 'abc']) {
    const err = await expectApiError(page({ title: t.prefix, page_size: 100, page: p }));
    assert.is(err.status, 404);
    assert.is(err.detail, 'Invalid page.');
  }
  const last = await page({ title: t.prefix, page_size: 100, page: 'last', include: 'id' });
  assert.is(last.results.length, N - 100);
});

test('include= trims list items to the named fields', async () => {
  const trimmed = await page({ title: t.prefix, page_size: 2, include: 'id,title' });
  assert.is(trimmed.results.length, 2, 'a page to check');
  for (const p of trimmed.results) assert.equal(Object.keys(p), ['id', 'title']);
  const empty = await page({ title: t.prefix, page_size: 2, include: '' });
  assert.equal(empty.results, [{}, {}]);
});

test('listProjects walks every page of 100, trimmed with the fields asked for', async () => {
  // On a shared server, other runs may add or delete projects while we page; one retry absorbs a shifted page.
  for (let attempt = 0; ; attempt++) {
    const seen = new Set<number>();
    const sizes: number[] = [];
    for await (const results of client.listProjects({ fields: ['id', 'title'] })) {
      sizes.push(results.length);
      for (const p of results) {
        assert.equal(Object.keys(p), ['id', 'title']);
        seen.add(p.id);
      }
    }
    assert.ok(sizes[0]! <= 100);
    assert.ok(sizes.length >= 2, `${N} projects need at least two pages`);
    if (mine.every((id) => seen.has(id)) || attempt === 1) {
      assert.ok(
        mine.every((id) => seen.has(id)),
        'every project of this run was listed',
      );
      break;
    }
  }
});

test.run();
