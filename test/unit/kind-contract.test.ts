/**
 * The kind contract's defaults: a kind that writes only the required core (`defineKind`) gets
 * the rest, and the engine plans it through normalise → diff → plan. And no code outside
 * src/kinds/ names a kind (the names are read from the registry), branches on the default kind
 * except where that is what it is about, or reaches into a kind's own folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResourceChange } from '../../src/generated/schema-types.ts';
import { defineKind } from '../../src/kinds/define-kind.ts';
import { resourcesOf, type DesiredResource, type LiveResource } from '../../src/kinds/kind.ts';
import { MANIFEST_KINDS } from '../../src/kinds/registry.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import { NS, repository, SERVER, stubDoc } from './support/plan-fixtures.ts';

interface Gadget extends DesiredResource {
  readonly spec: { readonly color?: string; readonly secret?: string };
  readonly sensitive: ReadonlySet<string>;
}
interface LiveGadget extends LiveResource {
  readonly color: string;
}

const gadgetKind = defineKind<Gadget, LiveGadget>({
  kind: 'Gadget',
  schema: 'gadget',
  noun: 'gadget',
  load: () => Promise.resolve([]),
  readLive: () => Promise.resolve([]),
  fields: () => ['color', 'secret'],
  liveValue: (live, field) => (field === 'color' ? live.color : undefined),
  normalise: (_field, value) => (typeof value === 'string' ? value.toLowerCase() : (value ?? null)),
  plan(m, ctx) {
    const fields = ctx.diff(m.desired, m.live);
    const base = { kind: 'Gadget', key: m.desired.name, fields };
    return {
      changes: [
        m.live ? { action: fields.length ? 'update' : 'no-op', ...base, id: m.live.id } : { action: 'create', ...base },
      ],
    };
  },
  startApply: () => ({
    create: () => Promise.resolve({ id: 1 }),
    update: (c) => Promise.resolve({ id: c.id }),
    delete: (c) => Promise.resolve({ id: c.id }),
  }),
});

const gadget = (name: string, spec: Gadget['spec'], sensitive: string[] = []): Gadget => ({
  kind: 'Gadget',
  name,
  file: `${name}.yaml`,
  doc: stubDoc(`${name}.yaml`),
  spec,
  sensitive: new Set(sensitive),
});
const liveGadget = (id: number, key: string, color: string): LiveGadget => ({
  id,
  title: `gadget ${id}`,
  color,
  marker: { namespace: NS, key },
});

test('defineKind: a kind writing only the core gets the defaults', () => {
  const repo = { ...repository([]), resources: { Gadget: [gadget('a', { color: 'Red', secret: 'x' }, ['secret'])] } };
  assert.equal(
    gadgetKind.desired(repo).map((g) => g.name),
    ['a'],
  );
  assert.equal(
    resourcesOf(repo, gadgetKind).map((g) => g.spec.color),
    ['Red'],
  );
  const live = liveGadget(7, 'a', 'blue');
  assert.equal(gadgetKind.identify(live), { namespace: NS, key: 'a' });
  assert.is(gadgetKind.holdsData(live), false);
  assert.is(gadgetKind.attribute('color', gadget('a', {}), live), 'unknown');
  assert.is(gadgetKind.lastApplied(live), undefined);
  assert.equal(gadgetKind.orphan(live), { id: 7, key: 'a', title: 'gadget 7', annotations: 0 });
  assert.equal(gadgetKind.digest(gadget('a', { color: 'Red', secret: 'x' }, ['secret']), '/repo'), {
    spec: { color: 'Red', secret: '(sensitive)' },
    import: null,
  });
  // The default diff: the declared fields the manifest sets, through normalise on both sides; a secret without values.
  assert.equal(gadgetKind.diff(gadget('a', { color: 'RED' }), liveGadget(7, 'a', 'red')), []);
  assert.equal(gadgetKind.diff(gadget('a', { color: 'Red', secret: 'x' }, ['secret']), live), [
    { field: 'color', before: 'blue', after: 'Red' },
    { field: 'secret', sensitive: true },
  ]);
  assert.equal(gadgetKind.diff(gadget('a', { color: 'Red' }), undefined), [{ field: 'color', after: 'Red' }]);
  assert.is(gadgetKind.toManifest, undefined, 'no pull');
  assert.is(gadgetKind.readOne, undefined, 'not pulled by id');
  assert.is(gadgetKind.adopt, undefined, 'no import');
  assert.is(gadgetKind.readFacts, undefined, 'no facts');
  assert.is(gadgetKind.page, undefined, "no page of its own: links go to its parent's");
  assert.is(gadgetKind.previewConfigs, undefined, 'no label config to draw');
  // Where pull writes: a folder of its own at the top, beside its parent's manifest as a child.
  assert.is(gadgetKind.pullPath('a'), 'a/gadget.yaml');
  assert.is(gadgetKind.pullPath('a', 'p'), 'p/gadget-a.yaml');
});

test('the engine plans a kind through its diff, and prunes an orphan with the default delete', () => {
  const repo = {
    ...repository([]),
    resources: { Gadget: [gadget('a', { color: 'RED' }), gadget('b', { color: 'green' })] },
  };
  const live = {
    serverVersion: '1.23.2',
    resources: { Gadget: [liveGadget(7, 'a', 'red'), liveGadget(8, 'b', 'blue'), liveGadget(9, 'gone', 'x')] },
  };
  const p = planChanges({
    repo,
    live,
    server: SERVER,
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-02T03:04:05.000Z',
    labelformVersion: '0.1.0',
    kinds: [gadgetKind],
    prune: true,
  });
  const show = (c: ResourceChange) => [c.action, c.key, c.fields.map((f) => f.field)];
  assert.equal(p.changes.map(show), [
    ['no-op', 'a', []],
    ['update', 'b', ['color']],
    ['delete', 'gone', []],
  ]);
  assert.equal(p.orphans, [{ kind: 'Gadget', id: 9, key: 'gone', title: 'gadget 9', annotations: 0 }]);
});

test('no file of src/ outside src/kinds/ names a kind: kinds are read from the registry (the default kind from src/model/)', async () => {
  const names = MANIFEST_KINDS.map((k) => k.kind);
  // As a string ('Project') or as a property (`byKind.Project`).
  const named = new RegExp(`['"\`](${names.join('|')})['"\`]|\\.(${names.join('|')})\\b`);
  const found = (await genericLines()).filter((l) => named.test(l.text) && l.file !== 'model/kind-names.ts');
  assert.equal(
    found.map((l) => l.at),
    [],
  );
});

test('generic code branches on the default kind only where it is about the default kind by nature', async () => {
  /** Each file allowed to name DEFAULT_KIND, and why (the file says so where it does). */
  const allowed: Record<string, string> = {
    'model/kind-names.ts': 'defines it',
    'model/resource-name.ts': 'a resource of the default kind is named by its key alone',
    'cli/commands/pull.ts': '`pull --project ID` names resources of the default kind',
    'cli/commands/watch.ts':
      "`--listen` keeps a webhook on each project: Label Studio's PROJECT_UPDATED is about the default kind",
    'reconcile/drift.ts':
      "a plan diagnostic names its resource by key alone; the report's `checked` counts the default kind",
    'reconcile/render-markdown.ts': 'the plan table names its kind when every row is named by its key alone',
  };
  const users = new Set((await genericLines()).filter((l) => /\bDEFAULT_KIND\b/.test(l.text)).map((l) => l.file));
  assert.equal([...users].sort(), Object.keys(allowed).sort());
});

test("generic code imports no kind's own modules: only the contract, the registry and kinds/shared/", async () => {
  const own = /from '[./]*kinds\/(?!shared\/|kind\.ts|registry\.ts|define-kind\.ts)[^']+'/;
  // cli/ composes everything (Project's task import, its applied-from record, `tasks` by project).
  const found = (await genericLines()).filter((l) => !l.file.startsWith('cli/') && own.test(l.text));
  assert.equal(
    found.map((l) => l.at),
    [],
  );
});

/** Every line of code (not comments) of the .ts files of src/ outside src/kinds/ and src/generated/. */
async function genericLines(): Promise<Array<{ file: string; at: string; text: string }>> {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const out: Array<{ file: string; at: string; text: string }> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (rel !== 'kinds' && rel !== 'generated') await walk(rel);
        continue;
      }
      if (!rel.endsWith('.ts')) continue;
      for (const [i, text] of (await readFile(join(root, rel), 'utf8')).split('\n').entries()) {
        // Code, not prose: a comment may name a kind as an example.
        if (/^\s*(\/\/|\/\*|\*)/.test(text)) continue;
        out.push({ file: rel, at: `src/${rel}:${i + 1}`, text });
      }
    }
  };
  await walk('');
  return out;
}

test.run();
