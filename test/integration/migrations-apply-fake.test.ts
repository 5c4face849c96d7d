/**
 * A declared label rename carried through plan and apply against the fake Label Studio: the plan
 * counts what it rewrites (annotations, drafts, predictions by model version, the other control
 * left alone), apply expands, migrates, takes the census and contracts, records the migration in
 * the marker, and the next plan has nothing to do; the journal reverts it.
 */
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAppliedRecord, withMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test);
const NS = 'test';

const config = (choices: string[]) =>
  `<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">${choices.map((c) => `<Choice value="${c}"/>`).join('')}</Choices><Choices name="mood" toName="text"><Choice value="Positive"/></Choices></View>`;
const region = (from: string, label: string) => ({
  from_name: from,
  to_name: 'text',
  type: 'choices',
  value: { choices: [label] },
});
const MIGRATION =
  '  migrations:\n    - id: positive-renamed\n      control: sentiment\n      renamed: {from: Positive, to: Good}\n';

async function project() {
  const p = await fake.client.createProject({
    title: 'Sentiment',
    description: withMarker('', { namespace: NS, key: 'sentiment' }),
    label_config: config(['Positive', 'Negative']),
  });
  await fake.client.importTasks(p.id, [
    {
      data: { text: 'a' },
      annotations: [{ result: [region('sentiment', 'Positive'), region('mood', 'Positive')] }],
      predictions: [{ model_version: 'v1', result: [region('sentiment', 'Positive')] }],
    },
    {
      data: { text: 'b' },
      annotations: [{ result: [region('sentiment', 'Positive')] }],
      predictions: [{ model_version: 'v2', result: [region('sentiment', 'Negative')] }],
    },
    { data: { text: 'c' }, annotations: [{ result: [region('sentiment', 'Negative')] }] },
  ]);
  return p.id;
}

async function labelsOf(projectId: number) {
  const tasks = await fake.client.exportAnnotationsAndDrafts(projectId);
  const preds = await fake.client.listPredictions(projectId);
  const pick = (r: unknown[]) =>
    (r as Array<{ from_name: string; value: { choices: string[] } }>).map(
      (x) => `${x.from_name}:${x.value.choices.join('+')}`,
    );
  return {
    annotations: tasks.flatMap((t) => t.annotations.map((a) => pick(a.result).join(','))).sort(),
    predictions: preds.map((p) => `${p.model_version}=${pick(p.result).join(',')}`).sort(),
  };
}

test('rename: planned with its counts, applied with the data, recorded; the next plan has nothing to do', async () => {
  const id = await project();
  const dir = await fake.repo({
    'p.yaml': projectYaml('sentiment', `  title: Sentiment\n  label_config: {file: config.xml}\n${MIGRATION}`),
    'config.xml': config(['Good', 'Negative']),
  });
  const planned = await fake.cli(dir, ['plan', '--json']);
  assert.is(planned.code, 0, planned.stderr);
  const change = (
    JSON.parse(planned.stdout) as { changes: Array<{ action: string; detail?: { migrations?: unknown[] } }> }
  ).changes[0]!;
  assert.is(change.action, 'update');
  assert.equal(change.detail?.migrations, [
    {
      id: 'positive-renamed',
      control: 'sentiment',
      from: ['Positive'],
      to: 'Good',
      regions: 3,
      annotations: 2,
      tasks: 2,
      drafts: 0,
      predictions: { v1: 1 },
      skipped: 0,
      untouched: { mood: 1 },
    },
  ]);
  const text = await fake.cli(dir, ['plan']);
  assert.match(
    text.stdout,
    /migration positive-renamed \(sentiment: Positive → Good\): 3 regions rewritten in 2 annotations, 0 drafts, predictions 1 of v1 \(2 tasks\); untouched: mood \(1 region\)/,
  );
  const md = await fake.cli(dir, ['plan', '--markdown']);
  assert.match(
    md.stdout,
    /\| `positive-renamed` \| `sentiment` \| Positive → Good \| 3 \| 2 \| 0 \| 1 of v1 \| 2 \| 0 \| mood \(1 region\) \|/,
  );

  const applied = await fake.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.not.ok(hasStackTrace(applied.stdout + applied.stderr));
  assert.match(
    applied.stdout,
    /migration positive-renamed: 3 regions rewritten in 2 annotations, 0 drafts, predictions 1 of v1 \(2 tasks\)/,
  );
  assert.equal(await labelsOf(id), {
    annotations: ['sentiment:Good', 'sentiment:Good,mood:Positive', 'sentiment:Negative'],
    predictions: ['v1=sentiment:Good', 'v2=sentiment:Negative'],
  });
  const live = await fake.client.getProject(id);
  assert.is(live.label_config, config(['Good', 'Negative']));
  assert.ok(parseAppliedRecord(live.description)?.migrations?.length === 1);
  // Recorded as done: kept in git, it plans nothing (no read of the data either).
  const again = await fake.cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  const journals = await readdir(join(dir, '.labelform', 'journal'));
  assert.equal(journals, ['test--sentiment--positive-renamed.jsonl']);

  // The journal reverts the data byte for byte.
  const reverted = await fake.cli(dir, [
    'migrations',
    'revert',
    '--journal',
    join('.labelform', 'journal', journals[0]!),
  ]);
  assert.is(reverted.code, 0, reverted.stdout + reverted.stderr);
  assert.equal((await labelsOf(id)).annotations, [
    'sentiment:Negative',
    'sentiment:Positive',
    'sentiment:Positive,mood:Positive',
  ]);
});

test('with the migration removed from git after it ran, nothing is planned; a migration in a new project is done from the start', async () => {
  const id = await project();
  const dir = await fake.repo({
    'p.yaml': projectYaml('sentiment', `  title: Sentiment\n  label_config: {file: config.xml}\n${MIGRATION}`),
    'config.xml': config(['Good', 'Negative']),
    'n.yaml': projectYaml('fresh', `  title: Fresh\n  label_config: {file: config.xml}\n${MIGRATION}`),
  });
  assert.is((await fake.cli(dir, ['apply', '--auto-approve'])).code, 0);
  const removed = await fake.repo({
    'p.yaml': projectYaml('sentiment', '  title: Sentiment\n  label_config: {file: config.xml}\n'),
    'config.xml': config(['Good', 'Negative']),
    'n.yaml': projectYaml('fresh', `  title: Fresh\n  label_config: {file: config.xml}\n${MIGRATION}`),
  });
  const r = await fake.cli(removed, ['plan', '--detailed-exitcode']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.ok(
    (await labelsOf(id)).annotations.every((a) => !a.includes('Positive,') && !a.startsWith('sentiment:Positive')),
  );
});

test('a .labelform committed as a symbolic link: apply refuses before anything is sent, and writes nothing where it points', async () => {
  const id = await project();
  const dir = await fake.repo({
    'p.yaml': projectYaml('sentiment', `  title: Sentiment\n  label_config: {file: config.xml}\n${MIGRATION}`),
    'config.xml': config(['Good', 'Negative']),
  });
  const outside = await mkdtemp(join(tmpdir(), 'lf-outside-'));
  try {
    await mkdir(join(outside, 'journal'));
    await symlink(outside, join(dir, '.labelform'));
    const before = await fake.client.getProject(id);
    const applied = await fake.cli(dir, ['apply', '--auto-approve']);
    assert.is(applied.code, 1, applied.stdout + applied.stderr);
    assert.match(
      applied.stdout + applied.stderr,
      /\.labelform is a symbolic link: the migration journal is written only to a real folder/,
    );
    assert.not.ok(hasStackTrace(applied.stderr));
    assert.equal(await readdir(join(outside, 'journal')), [], 'nothing written outside the checkout');
    const after = await fake.client.getProject(id);
    assert.is(after.label_config, before.label_config, 'the config was not expanded');
    assert.equal(
      (await labelsOf(id)).annotations.filter((a) => a.includes('sentiment:Good')),
      [],
    );
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test.run();
