/**
 * A declared label migration through `plan` and `apply` on a real Label Studio: `Org` of the
 * `label` control renamed into `Organization` on a project with annotations imported with the
 * tasks and made through the API, predictions of two model versions, and a second control
 * (`other`) holding `Org` too, which must stay untouched.
 *
 * - The plan's count, the count apply reports and the difference of the census before and after
 *   are equal; no Org is left in `label`; every result that held no Org of `label` is
 *   byte-identical; annotation ids and region counts are unchanged; the next plan has no change.
 * - An annotation with a draft attached is left (its draft would be deleted): apply says so and
 *   keeps old and new labels in the config; with --delete-drafts in the plan it completes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabelStudioClient } from '../../src/api/client.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { holdsOrgText } from '../helpers/label-rename.ts';
import { buildMigrationProject, MIGRATION_CONFIG, snapshotResults } from '../helpers/migration-fixture.ts';
import { api, cli, makeRepo, projectManifest, uniqueNamespace } from './support.ts';

const client = api();
const FINAL = MIGRATION_CONFIG.replace(
  '<Label value="Org"/><Label value="Organization"/>',
  '<Label value="Organization"/>',
);
const MIGRATION =
  '  migrations:\n    - id: org-renamed\n      control: label\n      renamed: {from: Org, to: Organization}\n';

/** Regions of a control holding a label, over every annotation, draft and prediction. */
function census(snapshot: ReadonlyMap<string, string>, control: string, label: string): number {
  let n = 0;
  for (const text of snapshot.values())
    for (const r of JSON.parse(text) as Array<{ from_name: string; value: { labels?: string[] } }>)
      if (r.from_name === control && r.value.labels?.includes(label)) n++;
  return n;
}
const regionsOf = (snapshot: ReadonlyMap<string, string>, control: string) =>
  [...snapshot.values()].reduce(
    (n, t) => n + (JSON.parse(t) as Array<{ from_name: string }>).filter((r) => r.from_name === control).length,
    0,
  );

async function managed(c: LabelStudioClient, ns: string, o: { tasks: number; apiAnnotations: number; drafts: number }) {
  const f = await buildMigrationProject(c, { title: `e2e migration ${ns}`, ...o });
  await c.updateProject(f.projectId, { description: withMarker('', { namespace: ns, key: 'ner' }) });
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest('ner', `  title: e2e migration ${ns}\n  label_config: {file: config.xml}\n${MIGRATION}`),
    'config.xml': FINAL,
  });
  return { f, dir };
}

test('rename: plan count = apply count = census difference; untouched bytes, ids and regions kept; then no change', async () => {
  const ns = uniqueNamespace('migrate');
  const { f, dir } = await managed(client, ns, { tasks: 40, apiAnnotations: 12, drafts: 0 });
  const before = await snapshotResults(client, f.projectId);

  const planned = await cli(dir, ['plan', '--json']);
  assert.is(planned.code, 0, planned.stderr);
  const [m] = (
    JSON.parse(planned.stdout) as { changes: Array<{ detail?: { migrations?: Array<Record<string, unknown>> } }> }
  ).changes[0]!.detail!.migrations!;
  assert.equal(
    {
      regions: m!.regions,
      annotations: m!.annotations,
      drafts: m!.drafts,
      predictions: m!.predictions,
      skipped: m!.skipped,
    },
    {
      regions: f.expected.regions,
      annotations: f.expected.annotations,
      drafts: 0,
      predictions: f.expected.predictions,
      skipped: 0,
    },
  );
  assert.ok((m!.untouched as Record<string, number>).other! > 0);

  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const reported = /migration org-renamed: (\d+) regions? rewritten in (\d+) annotations?/.exec(applied.stdout);
  assert.ok(reported, applied.stdout);
  assert.equal([Number(reported[1]), Number(reported[2])], [m!.regions, m!.annotations]);

  const after = await snapshotResults(client, f.projectId);
  assert.is(census(before, 'label', 'Org') - census(after, 'label', 'Org'), m!.regions);
  assert.is(census(after, 'label', 'Org'), 0);
  assert.equal([...after.keys()].sort(), [...before.keys()].sort(), 'the same annotations, drafts and predictions');
  assert.is(regionsOf(after, 'label'), regionsOf(before, 'label'));
  assert.is(regionsOf(after, 'other'), regionsOf(before, 'other'));
  for (const [k, text] of before) if (!holdsOrgText(text)) assert.is(after.get(k), text, `${k} was rewritten`);
  assert.is((await client.getProject(f.projectId)).label_config, FINAL);
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
});

test('an annotation with a draft attached is left and the config keeps both labels; planned with --delete-drafts it completes', async () => {
  const ns = uniqueNamespace('migrate-drafts');
  const { f, dir } = await managed(client, ns, { tasks: 9, apiAnnotations: 4, drafts: 1 });
  const [attached] = f.withDraft;
  const plan = await cli(dir, ['plan']);
  assert.match(plan.stdout, /1 annotation with a draft attached left as it is/);
  assert.match(plan.stdout + plan.stderr, /migration-skips-annotations|--delete-drafts/);

  const first = await cli(dir, ['apply', '--auto-approve']);
  assert.is(first.code, 1, first.stdout + first.stderr);
  assert.match(
    first.stdout + first.stderr,
    /1 annotation with a draft attached, left so that the draft is not deleted/,
    first.stdout + first.stderr,
  );
  const expanded = String((await client.getProject(f.projectId)).label_config);
  assert.ok(expanded.includes('<Label value="Org"/></Labels><Labels name="other"'), expanded);
  assert.is((await client.getDraft(attached!.draft)).id, attached!.draft, 'the draft is kept');

  const planFile = `${dir}/plan.json`;
  assert.is((await cli(dir, ['plan', '--delete-drafts', '--out', planFile])).code, 0);
  const second = await cli(dir, ['apply', planFile]);
  assert.is(second.code, 0, second.stdout + second.stderr);
  assert.is(census(await snapshotResults(client, f.projectId), 'label', 'Org'), 0);
  assert.is((await client.getProject(f.projectId)).label_config, FINAL);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
});

test.run();
