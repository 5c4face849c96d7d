/**
 * Label migrations through `plan` and `apply` on a real Label Studio, at the size the issue names:
 * 1,000 annotations imported with the tasks plus 30 made through the API, multi-label regions, a
 * second Labels control sharing the label `City`, loose drafts, predictions of two model versions,
 * a Choices and a Taxonomy control. Three migrations in one apply:
 *
 * - `places-merged`: `City` and `Country` merged into `Location` on `label` (a region holding two
 *   of them, or one of them beside `Location`, keeps `Location` once);
 * - `pos-renamed`: `Pos` renamed to `Positive` on the Choices control `sentiment`;
 * - `town-renamed`: `Town` renamed to `Urban` on the Taxonomy `topic` (an element of a path).
 *
 * For each: the plan's counts, the counts apply reports and the census before and after (counted
 * here, independently of labelform) are equal; no source label is left in its control; every
 * object none of them touches is byte-identical; every rewritten one is what an independent
 * mapping makes of it; ids and region counts unchanged; `other` untouched; the next plan is empty.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { snapshotResults } from '../helpers/migration-fixture.ts';
import { api, cli, makeRepo, projectManifest, uniqueNamespace } from './support.ts';

const client = api();

const BEFORE =
  '<View><Text name="text" value="$text"/>' +
  '<Labels name="label" toName="text" choice="multiple"><Label value="City"/><Label value="Country"/><Label value="Location"/><Label value="Person"/></Labels>' +
  '<Labels name="other" toName="text"><Label value="City"/><Label value="Thing"/></Labels>' +
  '<Choices name="sentiment" toName="text"><Choice value="Pos"/><Choice value="Neg"/></Choices>' +
  '<Taxonomy name="topic" toName="text"><Choice value="Geo"><Choice value="Town"/></Choice><Choice value="Misc"/></Taxonomy></View>';
const FINAL = BEFORE.replace(
  '<Label value="City"/><Label value="Country"/><Label value="Location"/>',
  '<Label value="Location"/>',
)
  .replace('<Choice value="Pos"/>', '<Choice value="Positive"/>')
  .replace('<Choice value="Town"/>', '<Choice value="Urban"/>');
const MIGRATIONS = `  migrations:
    - id: places-merged
      control: label
      merged: {from: [City, Country], into: Location}
    - id: pos-renamed
      control: sentiment
      renamed: {from: Pos, to: Positive}
    - id: town-renamed
      control: topic
      renamed: {from: Town, to: Urban}
`;

interface Region {
  from_name: string;
  value: { labels?: string[]; choices?: string[]; taxonomy?: string[][] };
}

const span = (id: string, control: string, labels: string[], start: number) =>
  `{"id":"${id}","from_name":"${control}","to_name":"text","type":"labels","value":{"start":${start},"end":${start + 4}.0,"text":"abcd","labels":${JSON.stringify(labels)}},"origin":"manual"}`;
const choice = (id: string, choices: string[]) =>
  `{"id":"${id}","from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":${JSON.stringify(choices)}}}`;
const taxonomy = (id: string, paths: string[][]) =>
  `{"id":"${id}","from_name":"topic","to_name":"text","type":"taxonomy","value":{"taxonomy":${JSON.stringify(paths)}}}`;

/** The result of annotation `i` (about one in ten holds a label one of the migrations moves). */
function result(i: number, s: string): string {
  const parts: string[] = [];
  const labels =
    i % 40 === 0
      ? ['City']
      : i % 40 === 1
        ? ['City', 'Country']
        : i % 40 === 2
          ? ['Country', 'Person']
          : i % 40 === 6
            ? ['Location', 'City']
            : ['Person'];
  parts.push(span(`l${i}${s}`, 'label', labels, 0));
  parts.push(span(`o${i}${s}`, 'other', [i % 5 === 0 ? 'City' : 'Thing'], 10));
  if (i % 80 === 3) parts.push(choice(`c${i}${s}`, ['Pos']));
  else if (i % 2 === 0) parts.push(choice(`c${i}${s}`, ['Neg']));
  if (i % 80 === 4) parts.push(taxonomy(`t${i}${s}`, [['Geo', 'Town'], ['Misc']]));
  else if (i % 80 === 14) parts.push(taxonomy(`t${i}${s}`, [['Geo']]));
  return `[${parts.join(',')}]`;
}

const MOVES: Record<string, { control: string; map: Record<string, string> }> = {
  'places-merged': { control: 'label', map: { City: 'Location', Country: 'Location' } },
  'pos-renamed': { control: 'sentiment', map: { Pos: 'Positive' } },
  'town-renamed': { control: 'topic', map: { Town: 'Urban' } },
};

/** An independent mapping, for the check: every move applied, duplicates in a region dropped. */
function expectedAfter(text: string): Region[] {
  const dedupe = (xs: string[]) => [...new Set(xs)];
  return (JSON.parse(text) as Region[]).map((r) => {
    const move = Object.values(MOVES).find((m) => m.control === r.from_name);
    if (!move) return r;
    const to = (l: string) => move.map[l] ?? l;
    const v = { ...r.value };
    if (v.labels) v.labels = dedupe(v.labels.map(to));
    if (v.choices) v.choices = dedupe(v.choices.map(to));
    if (v.taxonomy) v.taxonomy = v.taxonomy.map((p) => p.map(to));
    return { ...r, value: v };
  });
}

/** Regions of a control holding any of the labels (in labels, choices or a taxonomy path). */
function holds(r: Region, control: string, labels: readonly string[]): boolean {
  if (r.from_name !== control) return false;
  const values = [...(r.value.labels ?? []), ...(r.value.choices ?? []), ...(r.value.taxonomy ?? []).flat()];
  return values.some((v) => labels.includes(v));
}
function census(snapshot: ReadonlyMap<string, string>, control: string, labels: readonly string[]) {
  let regions = 0;
  const objects = { annotation: 0, draft: 0, prediction: 0 };
  const byObject = new Set<string>();
  for (const [key, text] of snapshot) {
    const n = (JSON.parse(text) as Region[]).filter((r) => holds(r, control, labels)).length;
    regions += n;
    if (n > 0) {
      byObject.add(key);
      objects[key.split(':')[0] as keyof typeof objects]++;
    }
  }
  return { regions, ...objects, keys: byObject };
}
const regionsOf = (snapshot: ReadonlyMap<string, string>, control: string) =>
  [...snapshot.values()].reduce(
    (n, t) => n + (JSON.parse(t) as Region[]).filter((r) => r.from_name === control).length,
    0,
  );

test('rename and merge at 1,000 annotations across Labels, Choices and Taxonomy: plan = apply = census, bytes kept', async () => {
  const ns = uniqueNamespace('migrate-scale');
  const projectId = (await client.createProject({ title: `e2e migration scale ${ns}`, label_config: BEFORE })).id;
  const items: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const predicted =
      i % 50 === 0
        ? `,"predictions":[{"model_version":"${i % 100 === 0 ? 'model-a' : 'model-b'}","score":0.5,"result":[${span(`q${i}`, 'label', ['City'], 0)}]}]`
        : i % 50 === 25
          ? `,"predictions":[{"model_version":"model-a","score":0.5,"result":[${span(`q${i}`, 'label', ['Person'], 0)}]}]`
          : '';
    items.push(`{"data":{"text":"abcd task ${i}"},"annotations":[{"result":${result(i, 'i')}}]${predicted}}`);
  }
  const taskIds = (await client.importTasks(projectId, `[${items.join(',')}]`, { returnTaskIds: true })).task_ids!;
  for (let k = 0; k < 30; k++)
    await client.createAnnotation(taskIds[k]!, { result: JSON.parse(result(k, 'a')) as unknown[] });
  for (let k = 0; k < 2; k++)
    await client.createDraft(taskIds[500 + k]!, { result: JSON.parse(result(1, 'x')) as unknown[] });
  await client.updateProject(projectId, { description: withMarker('', { namespace: ns, key: 'places' }) });
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest(
      'places',
      `  title: e2e migration scale ${ns}\n  label_config: {file: config.xml}\n${MIGRATIONS}`,
    ),
    'config.xml': FINAL,
  });
  const before = await snapshotResults(client, projectId);
  assert.is([...before.keys()].filter((k) => k.startsWith('annotation:')).length, 1030);
  const versions = new Map(
    (await client.listPredictions(projectId)).map((p) => [`prediction:${p.id}`, String(p.model_version ?? '')]),
  );

  const planned = await cli(dir, ['plan', '--json']);
  assert.is(planned.code, 0, planned.stdout + planned.stderr);
  const migrations = (
    JSON.parse(planned.stdout) as { changes: Array<{ detail?: { migrations?: Array<Record<string, unknown>> } }> }
  ).changes[0]!.detail!.migrations!;
  assert.equal(
    migrations.map((m) => m.id),
    Object.keys(MOVES),
  );

  const expected = new Map<string, ReturnType<typeof census>>();
  for (const m of migrations) {
    const move = MOVES[String(m.id)]!;
    const c = census(before, move.control, Object.keys(move.map));
    expected.set(String(m.id), c);
    assert.ok(c.annotation > 0, `${String(m.id)} has annotations to move`);
    const predictions: Record<string, number> = {};
    for (const key of c.keys)
      if (key.startsWith('prediction:')) predictions[versions.get(key)!] = (predictions[versions.get(key)!] ?? 0) + 1;
    assert.equal(
      {
        regions: m.regions,
        annotations: m.annotations,
        drafts: m.drafts,
        predictions: m.predictions,
        skipped: m.skipped,
      },
      { regions: c.regions, annotations: c.annotation, drafts: c.draft, predictions, skipped: 0 },
      String(m.id),
    );
  }
  assert.ok(Number((migrations[0]!.untouched as Record<string, number>).other) > 0, 'other holds City too');

  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const m of migrations) {
    const reported = new RegExp(`migration ${String(m.id)}: (\\d+) regions? rewritten in (\\d+) annotations?`).exec(
      applied.stdout,
    );
    assert.ok(reported, applied.stdout);
    assert.equal([Number(reported[1]), Number(reported[2])], [m.regions, m.annotations], String(m.id));
  }

  const after = await snapshotResults(client, projectId);
  assert.equal([...after.keys()].sort(), [...before.keys()].sort(), 'the same annotations, drafts and predictions');
  for (const [id, move] of Object.entries(MOVES)) {
    const left = census(after, move.control, Object.keys(move.map));
    assert.is(left.regions, 0, `${id}: no source label left`);
    assert.is(expected.get(id)!.regions - left.regions, Number(migrations.find((m) => m.id === id)!.regions));
  }
  for (const control of ['label', 'other', 'sentiment', 'topic'])
    assert.is(regionsOf(after, control), regionsOf(before, control), `${control}: regions kept`);
  const touched = new Set([...expected.values()].flatMap((c) => [...c.keys]));
  for (const [key, text] of before) {
    if (!touched.has(key)) assert.is(after.get(key), text, `${key} was rewritten`);
    else assert.equal(JSON.parse(after.get(key)!), expectedAfter(text), key);
  }
  assert.is((await client.getProject(projectId)).label_config, FINAL);
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
});

test.run();
