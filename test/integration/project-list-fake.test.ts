/**
 * Exact project lookups on a server with more than one page of projects, against the in-repo
 * fake (which, like Label Studio 1.23.2, ignores `search=` and lists newest first): the whole
 * list, what is newer than an id, an exact title, and `resolveProject` by key, id and title for
 * the oldest of 250 projects. Other clients' writes between two page reads are simulated by a
 * client whose list requests change the server first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import type { RootConfig } from '../../src/manifest/types.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { resolveProject } from '../../src/cli/project-ref.ts';
import {
  LOOKUP_INCLUDE,
  readAllProjects,
  readProjectsNewerThan,
  readProjectsTitled,
} from '../../src/kinds/project/project-list.ts';
import { pythonStrip } from '../../src/util/python-strip.ts';
import { UserError } from '../../src/util/errors.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { removeTree, runCli, writeTree } from '../helpers/cli.ts';

const N = 250;
const NS = 'lookups';
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>';

let ls: FakeLabelStudio;
let client: LabelStudioClient;
/** Ids of the projects made by `seed`, oldest first. */
let ids: number[];

test.before(async () => {
  ls = await startFakeLabelStudio();
  client = createClient({ baseUrl: ls.url, token: ls.token });
});
test.before.each(async () => {
  ls.state.projects.clear();
  ls.state.tasks.clear();
  ids = [];
  for (let i = 0; i < N; i++)
    ids.push((await client.createProject({ title: `Lookup ${String(i).padStart(3, '0')}` })).id);
});
test.after(async () => {
  await ls.stop();
});

type ListParams = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A client whose `GET /api/projects/` requests first run `change` (with the request's query), so
 * a test can write to the server between two page reads the way another client would.
 */
function meddling(change: (params: ListParams) => Promise<void> | void): LabelStudioClient {
  const http = {
    ...client.http,
    request: async <T>(
      method: Parameters<typeof client.http.request>[0],
      path: string,
      opts?: Parameters<typeof client.http.request>[2],
    ): Promise<T> => {
      if (method === 'GET' && path === '/api/projects/') await change(opts?.params ?? {});
      return client.http.request<T>(method, path, opts);
    },
  };
  return { ...client, http };
}

/**
 * A client that changes the server once, before the first list request `when` picks, and holds
 * every other request `when` picks until the change is made (pages fetched in parallel would
 * otherwise slip past it).
 */
function changingOnce(
  when: (p: ListParams) => boolean,
  change: () => Promise<void>,
): { client: LabelStudioClient; changed: () => boolean } {
  let made: Promise<void> | undefined;
  return {
    client: meddling(async (p) => {
      if (!when(p)) return;
      made ??= change();
      await made;
    }),
    changed: () => made !== undefined,
  };
}

/** A page of the list in id order after page 1, without an `ids=` filter. */
const laterPageById = (p: ListParams) => p.ordering === 'id' && Number(p.page) > 1 && p.ids === undefined;

const idsOf = (projects: ReadonlyArray<{ id: number }>) => projects.map((p) => p.id);

function assertHasAll(found: ReadonlyArray<{ id: number }>, expected: readonly number[], what: string): void {
  const seen = new Set(idsOf(found));
  const missing = expected.filter((id) => !seen.has(id));
  assert.equal(missing, [], `${what}: ${missing.length} project(s) that existed throughout were not listed`);
  assert.equal(
    idsOf(found),
    [...seen].sort((a, b) => a - b),
    'ordered by id, each once',
  );
}

test('readAllProjects: every one of 250 projects, by id, in a few requests', async () => {
  ls.resetRequestCount();
  const all = await readAllProjects(client, 'id,title');
  assert.equal(idsOf(all), ids);
  assert.equal(Object.keys(all[0]!), ['id', 'title']);
  assert.ok(ls.requestCount <= Math.ceil(N / 100) + 1, `${ls.requestCount} requests`);
});

test('readAllProjects: one page is one request', async () => {
  for (const id of ids.slice(50)) await client.deleteProject(id);
  ls.resetRequestCount();
  assert.equal(idsOf(await readAllProjects(client, 'id')), ids.slice(0, 50));
  assert.is(ls.requestCount, 1);
});

test('readAllProjects: a project of page 1 deleted after page 1 was read hides no other project', async () => {
  const deleted = ids[3]!;
  const c = changingOnce(laterPageById, () => client.deleteProject(deleted));
  const all = await readAllProjects(c.client, 'id');
  assert.ok(c.changed(), 'the server changed during the read');
  assertHasAll(
    all,
    ids.filter((id) => id !== deleted),
    'one deleted',
  );
});

test('readAllProjects: a deletion hidden by a creation (the count stays the same) hides no other project', async () => {
  const deleted = ids[3]!;
  const c = changingOnce(laterPageById, async () => {
    await client.deleteProject(deleted);
    await client.createProject({ title: 'Made by someone else meanwhile' });
  });
  const all = await readAllProjects(c.client, 'id');
  assert.ok(c.changed(), 'the server changed during the read');
  assertHasAll(
    all,
    ids.filter((id) => id !== deleted),
    'one deleted, one created',
  );
});

test('readAllProjects: projects created during the read are fine', async () => {
  const c = changingOnce(laterPageById, async () => {
    for (let i = 0; i < 5; i++) await client.createProject({ title: `New ${i}` });
  });
  const all = await readAllProjects(c.client, 'id');
  assert.ok(c.changed());
  assertHasAll(all, ids, 'five created');
});

test('readAllProjects: a server that changes before every page read still loses no project', async () => {
  const gone = new Set<number>();
  const c = meddling(async (p) => {
    if (p.ids !== undefined) return;
    // Delete the lowest remaining project of ours and add one: the count never moves.
    const victim = ids.find((id) => !gone.has(id))!;
    gone.add(victim);
    await client.deleteProject(victim);
    await client.createProject({ title: `Churn ${gone.size}` });
  });
  const all = await readAllProjects(c, 'id');
  assert.ok(gone.size >= 3, `the server changed ${gone.size} times`);
  assertHasAll(
    all,
    ids.filter((id) => !gone.has(id)),
    'constant churn',
  );
});

test('seeded random creates and deletes between page reads: no project that was there throughout is missed', async () => {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < 12; round++) {
    ls.state.projects.clear();
    const made: number[] = [];
    for (let i = 0, n = 101 + Math.floor(random() * 300); i < n; i++)
      made.push((await client.createProject({ title: random() < 0.5 ? `Match ${i}` : `Other ${i}` })).id);
    for (const id of made) if (random() < 0.3) await client.deleteProject(id); // ids with holes, as on a used server
    for (const p of ls.state.projects.values())
      if (String(p.fields.title).startsWith('Match ') && random() < 0.5) p.fields.title = 'Match';
    const before = [...ls.state.projects.values()];
    const touched = new Set<number>();
    const c = meddling(async () => {
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const live = [...ls.state.projects.keys()];
        if (random() < 0.5 && live.length) {
          const id = live[Math.floor(random() * live.length)]!;
          touched.add(id);
          await client.deleteProject(id);
        } else {
          touched.add((await client.createProject({ title: random() < 0.5 ? 'Match' : 'Other' })).id);
        }
      }
    });
    const stayed = (keep: (p: (typeof before)[number]) => boolean) =>
      before.filter((p) => keep(p) && !touched.has(p.id)).map((p) => p.id);
    const what = `round ${round}`;
    if (round % 3 === 0) {
      assertHasAll(
        await readAllProjects(c, 'id'),
        stayed(() => true),
        `${what}, whole list`,
      );
    } else if (round % 3 === 1) {
      const highestSeen = before[Math.floor(before.length / 3)]!.id;
      const newer = (await readProjectsNewerThan(c, highestSeen, 'id')).filter((p) => p.id > highestSeen);
      assertHasAll(
        newer,
        stayed((p) => p.id > highestSeen),
        `${what}, newer than ${highestSeen}`,
      );
    } else {
      assertHasAll(
        await readProjectsTitled(c, 'Match', 'id,title', pythonStrip),
        stayed((p) => p.fields.title === 'Match'),
        `${what}, exact title`,
      );
    }
  }
});

test('readProjectsNewerThan: exactly the projects above the id, across pages', async () => {
  const highestSeen = ids[19]!;
  const newer = await readProjectsNewerThan(client, highestSeen, 'id');
  assert.equal(
    idsOf(newer).filter((id) => id > highestSeen),
    ids.slice(20),
  );
  assert.equal(
    idsOf(await readProjectsNewerThan(client, ids.at(-1)!, 'id')).filter((id) => id > ids.at(-1)!),
    [],
  );
});

test('readProjectsNewerThan: a newer project deleted between page reads hides no other one', async () => {
  const deleted = ids.at(-2)!;
  const c = changingOnce(
    (p) => p.ordering === '-id' && Number(p.page) > 1,
    () => client.deleteProject(deleted),
  );
  const newer = await readProjectsNewerThan(c.client, ids[9]!, 'id');
  assert.ok(c.changed(), 'the read took more than one page');
  assertHasAll(
    newer,
    ids.slice(10).filter((id) => id !== deleted),
    'one deleted',
  );
});

test('readProjectsTitled: the exact title among more than 100 that contain it, whatever the case', async () => {
  const exact = await client.createProject({ title: 'Lookup' });
  const other = await client.createProject({ title: 'lookup' });
  assert.equal(idsOf(await readProjectsTitled(client, 'Lookup', 'id,title', pythonStrip)), [exact.id]);
  assert.equal(idsOf(await readProjectsTitled(client, 'lookup', 'id,title', pythonStrip)), [other.id]);
  assert.equal(await readProjectsTitled(client, 'Lookup 00', 'id,title', pythonStrip), []);
});

// resolveProject: the oldest of 250 projects is managed (key `oldest`) and has a unique title.

const config = { namespace: NS } as RootConfig;

async function manageOldest(): Promise<number> {
  const oldest = ids[0]!;
  await client.updateProject(oldest, {
    title: 'The oldest project',
    description: withMarker('First of all', { namespace: NS, key: 'oldest' }),
  });
  return oldest;
}

async function userError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, UserError);
    return (err as Error).message;
  }
  assert.unreachable('expected a UserError');
  return '';
}

test('resolveProject: key, id and exact title all find the oldest of 250 projects', async () => {
  const oldest = await manageOldest();
  assert.is((await resolveProject(client, 'oldest', config)).id, oldest);
  assert.is((await resolveProject(client, String(oldest), config)).id, oldest);
  assert.is((await resolveProject(client, 'The oldest project', config)).id, oldest);
  assert.is((await resolveProject(client, '  The oldest project ', undefined)).id, oldest);
  const bom = await client.createProject({ title: '\uFEFFThe oldest project' });
  assert.is(
    (await resolveProject(client, '\uFEFFThe oldest project', config)).id,
    bom.id,
    'a title starting with U+FEFF (the server keeps it)',
  );
});

test('resolveProject: a key of another namespace, or a prefix of the key, is not a match', async () => {
  await manageOldest();
  assert.match(
    await userError(resolveProject(client, 'oldest', { namespace: 'other' } as RootConfig)),
    'no project "oldest"',
  );
  assert.match(await userError(resolveProject(client, 'oldes', config)), 'no project "oldes"');
});

test('resolveProject: an ambiguous title lists both ids; a title that is only part of others matches nothing', async () => {
  const twin = await client.createProject({ title: ' Lookup 000 ' });
  const message = await userError(resolveProject(client, 'Lookup 000', config));
  assert.match(message, `the title "Lookup 000" is ambiguous: id ${ids[0]}, id ${twin.id} have it`);
  assert.match(await userError(resolveProject(client, 'Lookup 00', config)), 'no project "Lookup 00"');
  assert.match(await userError(resolveProject(client, 'lookup 001', config)), 'no project "lookup 001"');
});

test('resolveProject: two projects carrying one key is an error naming both', async () => {
  const oldest = await manageOldest();
  const copy = await client.createProject({
    title: 'A copy',
    description: withMarker('', { namespace: NS, key: 'oldest' }),
  });
  assert.match(
    await userError(resolveProject(client, 'oldest', config)),
    `2 projects carry the marker of "oldest" (ids ${oldest}, ${copy.id})`,
  );
});

test('tasks list KEY and tasks import KEY reach the oldest of 250 projects', async () => {
  const oldest = await manageOldest();
  await client.updateProject(oldest, { label_config: CONFIG });
  const dir = await writeTree({
    'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: ${NS}\n`,
    'tasks.jsonl': '{"text": "one"}\n{"text": "two"}\n',
  });
  try {
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
    const imported = await runCli(['tasks', 'import', 'oldest', 'tasks.jsonl', '--quiet', '-C', dir], {
      env,
      cwd: dir,
    });
    assert.is(imported.code, 0, imported.stderr);
    const listed = await runCli(['tasks', 'list', 'oldest', '-C', dir], { env, cwd: dir });
    assert.is(listed.code, 0, listed.stderr);
    assert.equal(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).data.text),
      ['one', 'two'],
    );
  } finally {
    await removeTree(dir);
  }
});

test('LOOKUP_INCLUDE is enough to tell a marker and an empty project', async () => {
  const [p] = await readAllProjects(client, LOOKUP_INCLUDE);
  assert.equal(Object.keys(p!).sort(), ['description', 'id', 'task_number', 'title', 'total_annotations_number']);
});

test.run();
