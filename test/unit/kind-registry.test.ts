/**
 * The kind contract and registry: the registry is the one list of kinds (schemas, types, loader),
 * targets name a kind, and the generic planner and applier order parents and children and pass a
 * new parent's id on. Checked with Project and with two in-memory kinds, a parent and a child.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCHEMA_FILES } from '../../scripts/gen-types-lib.ts';
import { isResourceKind, MANIFEST_KINDS, RESOURCE_KINDS, kindNamesForMessages } from '../../src/kinds/registry.ts';
import { DEFAULT_KIND } from '../../src/model/kind-names.ts';
import { validateAgainstSchema } from '../../src/manifest/schemas.ts';
import { applyPlan, orderSteps, type ApplyEvent } from '../../src/reconcile/apply.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import { parseTarget } from '../../src/kinds/shared/targets.ts';
import { savedPlanDifferences } from '../../src/state/saved-plan.ts';
import type { LiveState } from '../../src/state/live-state.ts';
import type { Plan, ResourceChange } from '../../src/generated/schema-types.ts';
import { live, liveState, manifest, NS, plan, repository, SERVER } from './support/plan-fixtures.ts';
import { memoryDesired, memoryKind, memoryLive, memoryServer, type MemoryServer } from './support/memory-kinds.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the registry is the one list of kinds: each has its schema, and types are generated for exactly those', async () => {
  const schemas = await readdir(join(ROOT, 'schemas'));
  for (const k of MANIFEST_KINDS)
    assert.ok(schemas.includes(`${k.schema}.schema.json`), `schemas/${k.schema}.schema.json for ${k.kind}`);
  assert.equal(
    [...SCHEMA_FILES],
    ['labelform.schema.json', ...MANIFEST_KINDS.map((k) => `${k.schema}.schema.json`), 'plan.schema.json'],
  );
  // The validator registers every file of schemas/: each is the root config's, the plan's or a kind's.
  assert.equal(schemas.filter((f) => f.endsWith('.schema.json')).sort(), [...SCHEMA_FILES].sort());
});

test('the kinds, read from the registry: names unique, the default kind among the resources, parents first, messages name each once', () => {
  const names = MANIFEST_KINDS.map((k) => k.kind);
  assert.ok(names.length > 1, 'more than one kind');
  assert.is(new Set(names).size, names.length, `kind names are unique: ${names.join(', ')}`);
  const resources = MANIFEST_KINDS.filter(isResourceKind);
  assert.equal(new Set(RESOURCE_KINDS), new Set(resources));
  assert.ok(
    RESOURCE_KINDS.some((k) => k.kind === DEFAULT_KIND),
    `${DEFAULT_KIND} is a resource kind`,
  );
  for (const [i, k] of RESOURCE_KINDS.entries()) {
    if (k.parent === undefined) continue;
    const parent = RESOURCE_KINDS.findIndex((p) => p.kind === k.parent);
    assert.ok(parent >= 0 && parent < i, `${k.kind} comes after its parent ${k.parent}`);
  }
  // Resource kinds first (in planning order), then the others: "A, B or C".
  const listed = [...RESOURCE_KINDS, ...MANIFEST_KINDS.filter((k) => !isResourceKind(k))].map((k) => k.kind);
  assert.is(kindNamesForMessages(), `${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}`);
});

test('the planner, applier, live state, saved plans, renderers and the plan shell name no path in src/kinds/project/ (imports or text)', async () => {
  const generic = [
    ...(await readdir(join(ROOT, 'src/reconcile'))).map((f) => `src/reconcile/${f}`),
    'src/state/live-state.ts',
    'src/state/saved-plan.ts',
    'src/cli/plan-shell.ts',
  ];
  for (const file of generic) {
    const text = await readFile(join(ROOT, file), 'utf8');
    assert.not.match(text, /kinds\/project\//, `${file} imports from src/kinds/project/`);
  }
});

test('--target: a bare key is a project; Kind/key names the kind; an unknown kind or key is a plan error', () => {
  assert.equal(parseTarget('a'), { given: 'a', kind: 'Project', key: 'a' });
  assert.equal(parseTarget('Project/a'), { given: 'Project/a', kind: 'Project', key: 'a' });
  assert.equal(parseTarget('Webhook/a/b'), { given: 'Webhook/a/b', kind: 'Webhook', key: 'a/b' });
  const repo = repository([manifest('a', { title: 'Aaa' }), manifest('b', { title: 'Bbb' })]);
  const state = liveState([live(1, 'Aaa', { key: 'a' })]);
  const bare = plan(repo, state, { targets: ['b'] });
  const kinded = plan(repo, state, { targets: ['Project/b'] });
  assert.equal(kinded.changes, bare.changes);
  assert.is(kinded.desiredDigest, bare.desiredDigest);
  assert.equal(kinded.targets, ['Project/b']);
  const wrong = plan(repo, state, { targets: ['Projekt/b', 'Project/zzz'] });
  assert.equal(
    wrong.diagnostics.map((d) => d.message),
    [
      `--target Projekt/b: no kind "Projekt" (kinds: ${RESOURCE_KINDS.map((k) => k.kind).join(', ')})`,
      '--target Project/zzz: no Project manifest has metadata.name "zzz"',
    ],
  );
});

test('a plan is format 3: it validates against the schema, and a create cannot carry an id', () => {
  const p = plan(
    repository([manifest('a', { title: 'Aaa' }), manifest('b', { title: 'Bbb' })]),
    liveState([live(1, 'Aaa', { key: 'a', fields: { color: '#000000' } })]),
  );
  assert.is(p.formatVersion, 3);
  assert.equal(validateAgainstSchema('plan', JSON.parse(JSON.stringify(p))), []);
  const forged = { ...p, changes: p.changes.map((c) => (c.action === 'create' ? { ...c, id: 5 } : c)) };
  assert.ok(validateAgainstSchema('plan', forged).length > 0, 'a create with an id is not a valid plan');
  const noKind = { ...p, changes: p.changes.map(({ kind: _kind, ...c }) => c) };
  assert.ok(validateAgainstSchema('plan', noKind).length > 0, 'a change without a kind is not a valid plan');
});

// ---- a parent kind and a child kind, in memory ----

function setup(
  server: MemoryServer,
  live: { shelves?: ReturnType<typeof memoryLive>[]; books?: ReturnType<typeof memoryLive>[] } = {},
) {
  const shelves = [memoryDesired('Shelf', 'fiction', 'Fiction'), memoryDesired('Shelf', 'poetry', 'Poetry')];
  const books = [
    memoryDesired('Book', 'dune', 'Dune', 'fiction'),
    memoryDesired('Book', 'odes', 'Odes', 'poetry'),
    memoryDesired('Book', 'dune', 'Dune (verse)', 'poetry'),
  ];
  // The child kind is listed first on purpose: the order comes from the parent links.
  const kinds = [memoryKind('Book', server, books, 'Shelf'), memoryKind('Shelf', server, shelves)];
  const state: LiveState = {
    serverVersion: '1.23.2',
    resources: { Shelf: live.shelves ?? [], Book: live.books ?? [] },
  };
  const repo = repository([]);
  const p = planChanges({
    repo,
    live: state,
    server: SERVER,
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-02T03:04:05.000Z',
    labelformVersion: '0.1.0',
    kinds,
    prune: true,
  });
  return { kinds, state, repo, plan: p };
}

const events = (log: string[]) => (e: ApplyEvent) => {
  if (e.type === 'skipped') log.push(`skipped ${e.change.kind} ${e.change.key}: ${e.reason}`);
  if (e.type === 'failed') log.push(`failed ${e.change.kind} ${e.change.key}: ${e.message}`);
};

test('identity is (kind, parent, key): the same key under two parents is two resources; children of a new parent carry no parent id', () => {
  const server = memoryServer();
  const { plan: p } = setup(server, {
    shelves: [memoryLive(7, 'fiction', 'Fiction', NS)],
    books: [memoryLive(70, 'dune', 'Dune', NS, { key: 'fiction', id: 7 })],
  });
  assert.equal(
    p.changes.map((c) => [
      c.action,
      c.kind,
      c.parent ? `${c.parent.key}${c.parent.id ? `#${c.parent.id}` : ''}` : null,
      c.key,
    ]),
    [
      ['no-op', 'Shelf', null, 'fiction'],
      ['create', 'Shelf', null, 'poetry'],
      ['no-op', 'Book', 'fiction#7', 'dune'],
      ['create', 'Book', 'poetry', 'odes'],
      ['create', 'Book', 'poetry', 'dune'],
    ],
  );
  assert.equal(validateAgainstSchema('plan', JSON.parse(JSON.stringify(p))), []);
});

test('apply: parents first, and a child of a parent created in the same run gets the new id', async () => {
  const server = memoryServer();
  const { kinds, state, repo, plan: p } = setup(server);
  // Children first in the plan, to show the order comes from the kinds.
  const shuffled: Plan = { ...p, changes: [...p.changes].reverse() };
  const log: string[] = [];
  const results = await applyPlan(
    shuffled,
    repo,
    state,
    { client: {} as never, progress: events(log), now: () => 0 },
    { allowDataLoss: false },
    kinds,
  );
  assert.equal(server.calls.slice(0, 2), ['create Shelf poetry under -', 'create Shelf fiction under -']);
  assert.equal(
    results.map((r) => [r.kind, r.key, r.outcome]),
    [
      ['Shelf', 'poetry', 'done'],
      ['Shelf', 'fiction', 'done'],
      ['Book', 'dune', 'done'],
      ['Book', 'odes', 'done'],
      ['Book', 'dune', 'done'],
    ],
  );
  // Every book sits on the shelf its manifest names, by the id that shelf got in this run.
  const shelfId = (key: string) => [...server.rows.entries()].find(([, r]) => r.kind === 'Shelf' && r.key === key)![0];
  const books = [...server.rows.values()].filter((r) => r.kind === 'Book').map((r) => [r.label, r.parentId]);
  assert.equal(
    books.sort(),
    [
      ['Dune', shelfId('fiction')],
      ['Dune (verse)', shelfId('poetry')],
      ['Odes', shelfId('poetry')],
    ].sort(),
  );
  assert.equal(log, []);
});

test('apply: a child whose parent failed to be created is skipped, naming the parent; the rest goes on', async () => {
  const server = memoryServer();
  server.failCreate.add('poetry');
  const { kinds, state, repo, plan: p } = setup(server);
  const log: string[] = [];
  const results = await applyPlan(
    p,
    repo,
    state,
    { client: {} as never, progress: events(log), now: () => 0 },
    { allowDataLoss: false },
    kinds,
  );
  assert.equal(
    results.map((r) => [r.kind, r.key, r.outcome]),
    [
      ['Shelf', 'fiction', 'done'],
      ['Shelf', 'poetry', 'failed'],
      ['Book', 'dune', 'done'],
      ['Book', 'odes', 'skipped'],
      ['Book', 'dune', 'skipped'],
    ],
  );
  assert.equal(log, [
    'failed Shelf poetry: the server said no (shelfs/poetry.yaml:1)',
    'skipped Book odes: its Shelf poetry failed',
    'skipped Book dune: its Shelf poetry failed',
  ]);
});

test('apply order: deletes run after every write, children before their parents', () => {
  const change = (action: ResourceChange['action'], kind: string, key: string): ResourceChange =>
    action === 'create' ? { action, kind, key, fields: [] } : { action, kind, key, id: 1, fields: [] };
  const server = memoryServer();
  const kinds = [memoryKind('Book', server, [], 'Shelf'), memoryKind('Shelf', server, [])];
  const steps = orderSteps(
    [
      change('delete', 'Shelf', 's1'),
      change('delete', 'Book', 'b1'),
      change('update', 'Book', 'b2'),
      change('create', 'Book', 'b3'),
      change('update', 'Shelf', 's2'),
      change('create', 'Shelf', 's3'),
      change('no-op', 'Shelf', 's4'),
    ],
    kinds,
  );
  assert.equal(
    steps.map((c) => `${c.action} ${c.kind} ${c.key}`),
    ['create Shelf s3', 'update Shelf s2', 'create Book b3', 'update Book b2', 'delete Book b1', 'delete Shelf s1'],
  );
});

test('prune: orphans of every kind are listed with their kind and parent, and deleted children first', async () => {
  const server = memoryServer();
  server.rows.set(7, { kind: 'Shelf', key: 'old', label: 'Old', ns: NS });
  server.rows.set(8, { kind: 'Book', key: 'gone', parentId: 7, label: 'Gone', ns: NS });
  const {
    kinds,
    state,
    repo,
    plan: p,
  } = setup(server, {
    shelves: [memoryLive(7, 'old', 'Old', NS)],
    books: [memoryLive(8, 'gone', 'Gone', NS, { key: 'old', id: 7 })],
  });
  assert.equal(
    p.orphans.map((o) => [o.kind, o.parent?.key ?? null, o.key, o.id]),
    [
      ['Shelf', null, 'old', 7],
      ['Book', 'old', 'gone', 8],
    ],
  );
  await applyPlan(
    p,
    repo,
    state,
    { client: {} as never, progress: () => undefined, now: () => 0 },
    { allowDataLoss: false },
    kinds,
  );
  assert.equal(
    server.calls.filter((c) => c.startsWith('delete')),
    ['delete Book gone', 'delete Shelf old'],
  );
});

test('a saved plan is checked by (kind, parent, key): a child moved to another parent is a difference', () => {
  const server = memoryServer();
  const { plan: saved } = setup(server);
  const moved: Plan = {
    ...saved,
    changes: saved.changes.map((c) =>
      c.kind === 'Book' && c.key === 'odes' ? { ...c, parent: { kind: 'Shelf', key: 'fiction' } } : c,
    ),
  };
  assert.equal(savedPlanDifferences(saved, saved, SERVER), []);
  assert.equal(savedPlanDifferences(moved, saved, SERVER), [
    'Book fiction/odes: the plan says create, a fresh plan has no such change',
    'Book poetry/odes: a fresh plan says create, which the plan does not have',
  ]);
});

test('an orphan under a parent that is not managed (or is gone) is still deleted with --prune: a delete needs no parent id', async () => {
  const server = memoryServer();
  server.rows.set(8, { kind: 'Book', key: 'stray', parentId: 99, label: 'Stray', ns: NS });
  const {
    kinds,
    state,
    repo,
    plan: p,
  } = setup(server, { books: [memoryLive(8, 'stray', 'Stray', NS, { key: '#99', id: 99 })] });
  assert.equal(
    p.orphans.map((o) => [o.kind, o.key, o.parent?.key]),
    [['Book', 'stray', '#99']],
  );
  const results = await applyPlan(
    p,
    repo,
    state,
    { client: {} as never, progress: () => undefined, now: () => 0 },
    { allowDataLoss: false },
    kinds,
  );
  assert.equal(
    results.filter((r) => r.kind === 'Book' && r.action === 'delete').map((r) => [r.key, r.outcome]),
    [['stray', 'done']],
  );
  assert.not.ok(server.rows.has(8));
});

test('children of a parent key carried by two resources: only those under the one the plan keeps count', () => {
  const server = memoryServer();
  // Shelf "fiction" is carried by ids 7 and 9; with --dedupe the plan keeps 7. The book under 9 is
  // not fiction's book (nor its duplicate, nor an orphan).
  const shelves = [memoryLive(7, 'fiction', 'Fiction', NS), memoryLive(9, 'fiction', 'Fiction', NS)];
  const books = [
    memoryLive(70, 'dune', 'Dune', NS, { key: 'fiction', id: 7 }),
    memoryLive(60, 'dune', 'Dune', NS, { key: 'fiction', id: 9 }),
  ];
  const kinds = [
    memoryKind('Book', server, [memoryDesired('Book', 'dune', 'Dune', 'fiction')], 'Shelf'),
    memoryKind('Shelf', server, [memoryDesired('Shelf', 'fiction', 'Fiction')]),
  ];
  const state: LiveState = { serverVersion: '1.23.2', resources: { Shelf: shelves, Book: books } };
  const p = planChanges({
    repo: repository([]),
    live: state,
    server: SERVER,
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-02T03:04:05.000Z',
    labelformVersion: '0.1.0',
    kinds,
    dedupe: true,
  });
  assert.equal(
    p.changes.filter((c) => c.kind === 'Book').map((c) => [c.action, 'id' in c ? c.id : null]),
    [['no-op', 70]],
  );
  assert.equal(p.orphans, []);
});

test('a saved plan whose child would now go under another parent id is refused', () => {
  const server = memoryServer();
  const { plan: saved } = setup(server, { shelves: [memoryLive(7, 'fiction', 'Fiction', NS)] });
  const moved: Plan = {
    ...saved,
    changes: saved.changes.map((c) =>
      c.kind === 'Book' && c.parent?.key === 'fiction' ? { ...c, parent: { kind: 'Shelf', key: 'fiction', id: 8 } } : c,
    ),
  };
  assert.equal(savedPlanDifferences(moved, saved, SERVER), [
    'Book fiction/dune: its Shelf fiction is now id 7, not id 8 as the plan says',
  ]);
});

test.run();
