import type { LabelStudioClient } from '../../api/client.ts';
import { PROJECTS_PAGE_SIZE } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import type { LsPage, LsProject } from '../../api/types.ts';

/**
 * Exact reads of the project list on a server of any size, while others write to it.
 *
 * Label Studio 1.23.2 ignores `search=` on `GET /api/projects/` and lists newest first, so one
 * page of a search holds the 100 newest projects, not the matches (reference §12.1). What does
 * filter: `ids=1,2,3`, `title=` (a case-insensitive substring) and `ordering=`. So every lookup
 * either reads the whole list, reads what is newer than an id it has seen, or filters by title and
 * then matches exactly on this side.
 *
 * Paging is by offset, so a project deleted while the list is read moves every later project one
 * place up and can hide one that was there all along: the one that slid from the start of an
 * unread page to the end of a page already read. Such a project can only sit between the last id
 * of one page and the first id of the next, so that is where these reads look again, by id.
 */

/** The fields a lookup needs: identity, marker and the counters that tell an empty project. */
export const LOOKUP_INCLUDE = 'id,title,description,task_number,total_annotations_number';

/**
 * How many reads of several pages are made, while projects keep being deleted during them and
 * checking the id ranges they left open would cost more than a read; the last one is checked.
 */
const READ_ATTEMPTS = 3;

type Filter = Readonly<Record<string, string>>;

/** Every project, trimmed with `include=`, ordered by id. See readProjectList. */
export function readAllProjects(client: LabelStudioClient, include: string): Promise<LsProject[]> {
  return readProjectList(client, include, {});
}

/**
 * Projects whose title equals `title` after the server's trimming: the `title=` filter
 * (a case-insensitive substring match) narrows the list, the exact match happens here.
 */
export async function readProjectsTitled(
  client: LabelStudioClient,
  title: string,
  include: string,
  strip: (s: string) => string,
): Promise<LsProject[]> {
  return (await readProjectList(client, include, { title })).filter((p) => strip(p.title ?? '') === title);
}

/**
 * Every project matching `filter`, ordered by id, exact for every project that exists for the
 * whole read (one created or deleted meanwhile may or may not be in it).
 *
 * Page 1 in id order comes first: when it holds the whole list, that is one query and the answer
 * (Django counts, then selects; a project created in between lands after the page's end, where
 * in newest-first order it would push the oldest out). Otherwise the read is bracketed by the newest page (`ordering=-id`) before and after the pages
 * in id order, which are fetched in parallel. Ids only grow, so the projects above the first
 * bracket's highest id are the ones created during the read; when the count at the end is the
 * count at the start plus those, nothing was deleted during the read, no page moved, and only the
 * range between page 1 (read before the bracket) and page 2 is left to check. Otherwise every
 * range between two pages is checked with `ids=`, or, when that would cost more than reading the
 * pages again, the read is repeated.
 */
async function readProjectList(client: LabelStudioClient, include: string, filter: Filter): Promise<LsProject[]> {
  for (let attempt = 1; ; attempt++) {
    const first = await fetchPage(client, include, filter, 1, 'id');
    if (!first.next) return sortById(first.results);
    const newest = await fetchPage(client, include, filter, 1, '-id');
    const pageCount = Math.ceil(newest.count / PROJECTS_PAGE_SIZE);
    // The newest page covers the top 100; the pages between it and page 1 come in id order.
    const middle = await Promise.all(
      Array.from({ length: Math.max(0, pageCount - 2) }, (_, i) =>
        fetchPageOrEnd(client, include, filter, i + 2, 'id'),
      ),
    );
    const after = await fetchPage(client, 'id', filter, 1, '-id');

    const found = new Map<number, LsProject>();
    for (const p of [...first.results, ...newest.results, ...middle.flatMap((m) => m.results)]) found.set(p.id, p);
    // What each page proves: every project that existed when it was read and whose id lies in
    // its range is in it. Page 1 starts at the lowest id, the newest page ends at the highest.
    const covered: Array<readonly [number, number]> = [[0, lastId(first.results)]];
    for (const { results } of middle) if (results[0]) covered.push([results[0].id, lastId(results)]);
    if (newest.results.length) covered.push([Math.min(...newest.results.map((p) => p.id)), Infinity]);
    const gaps = idGaps(covered);

    const highestBefore = newest.results.length ? Math.max(...newest.results.map((p) => p.id)) : 0;
    const created = after.results.filter((p) => p.id > highestBefore).length;
    const countedAll = created < after.results.length || !after.next;
    const quiet = countedAll && newest.count + created === after.count;
    // Page 1 predates the bracket: a deletion just before it opened can have moved page 2 up.
    const open = quiet ? gaps.filter(([lo]) => lo === lastId(first.results) + 1) : gaps;
    if (!quiet && attempt < READ_ATTEMPTS && requestsFor(open) > pageCount) continue;
    for (const p of await readIds(client, include, filter, open)) found.set(p.id, p);
    return sortById([...found.values()]);
  }
}

/**
 * Projects with an id above `highestSeen`, newest first: pages of `ordering=-id` until a page
 * reaches an id already seen. Ids only grow, so one request usually answers it. On PostgreSQL a
 * transaction can commit a lower id after a higher one; the rest of the last page (up to 99 older
 * projects) covers that window. Newer projects are at the top, so a page can only have moved up
 * (and hidden a project at its start) when the count went down between two reads; then the
 * ranges between the pages are checked by id.
 */
export async function readProjectsNewerThan(
  client: LabelStudioClient,
  highestSeen: number,
  include: string,
): Promise<LsProject[]> {
  const out = new Map<number, LsProject>();
  const covered: Array<readonly [number, number]> = [];
  let previousCount: number | undefined;
  let shrank = false;
  for (let page = 1; ; page++) {
    const body =
      page === 1
        ? await fetchPage(client, include, {}, 1, '-id')
        : await fetchPageOrEnd(client, include, {}, page, '-id');
    if (previousCount !== undefined && (body.count < previousCount || body.results.length === 0)) shrank = true;
    previousCount = body.count;
    for (const p of body.results) out.set(p.id, p);
    if (body.results.length === 0) break;
    const ids = body.results.map((p) => p.id);
    const lowest = Math.min(...ids);
    covered.push([lowest, page === 1 ? Infinity : Math.max(...ids)]);
    if (!body.next || lowest <= highestSeen) break;
  }
  if (shrank) {
    covered.push([0, highestSeen]);
    for (const p of await readIds(client, include, {}, idGaps(covered))) out.set(p.id, p);
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/** The id ranges (inclusive) that none of the covered ranges contains, up to the highest one. */
function idGaps(covered: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  let reached = 0;
  for (const [lo, hi] of [...covered].sort((a, b) => a[0] - b[0])) {
    if (lo > reached + 1) gaps.push([reached + 1, lo - 1]);
    reached = Math.max(reached, hi);
  }
  return gaps;
}

function requestsFor(gaps: ReadonlyArray<readonly [number, number]>): number {
  return gaps.reduce((n, [lo, hi]) => n + Math.ceil((hi - lo + 1) / PROJECTS_PAGE_SIZE), 0);
}

/** The projects matching `filter` whose ids lie in the ranges: `ids=` lists of 100, one page each. */
async function readIds(
  client: LabelStudioClient,
  include: string,
  filter: Filter,
  ranges: ReadonlyArray<readonly [number, number]>,
): Promise<LsProject[]> {
  const lists: string[] = [];
  for (const [lo, hi] of ranges) {
    for (let from = lo; from <= hi; from += PROJECTS_PAGE_SIZE) {
      lists.push(Array.from({ length: Math.min(PROJECTS_PAGE_SIZE, hi - from + 1) }, (_, i) => from + i).join(','));
    }
  }
  const pages = await Promise.all(lists.map((ids) => fetchPage(client, include, { ...filter, ids }, 1, 'id')));
  return pages.flatMap((p) => p.results);
}

function fetchPage(
  client: LabelStudioClient,
  include: string,
  filter: Filter,
  page: number,
  ordering: 'id' | '-id',
): Promise<LsPage<LsProject>> {
  return client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
    params: { ...filter, ordering, page, page_size: PROJECTS_PAGE_SIZE, include },
  });
}

/** A page past the end (the list shrank since its count was read) is Django's 404: an empty page. */
async function fetchPageOrEnd(
  client: LabelStudioClient,
  include: string,
  filter: Filter,
  page: number,
  ordering: 'id' | '-id',
): Promise<LsPage<LsProject>> {
  try {
    return await fetchPage(client, include, filter, page, ordering);
  } catch (err) {
    if (isApiError(err) && err.status === 404) return { count: 0, next: null, previous: null, results: [] };
    throw err;
  }
}

function lastId(results: readonly LsProject[]): number {
  return results.at(-1)?.id ?? 0;
}

function sortById(projects: LsProject[]): LsProject[] {
  return [...projects].sort((a, b) => a.id - b.id);
}
