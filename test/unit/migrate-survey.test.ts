/**
 * The plan's counts of a label migration (countMigration) and the census that proves it
 * (migrationCensus), on data as the export lists it: which drafts are rewritten and which the
 * server deletes with their annotation's write under --delete-drafts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countMigration, migrationCensus, type MigrationData } from '../../src/kinds/project/migrate/survey.ts';
import type { LabelMigration } from '../../src/kinds/project/migrate/types.ts';

const m = {
  id: 'org',
  control: 'label',
  renamed: { from: 'Org', to: 'Organization' },
  predictions: 'rewrite',
} satisfies LabelMigration;
const TYPES = { label: 'Labels' };
const span = (id: string, label: string) => ({
  id,
  from_name: 'label',
  to_name: 'text',
  type: 'labels',
  value: { start: 0, end: 3, labels: [label] },
});

/** Annotation 1 holds Org (draft 11 attached, holding Org); annotation 2 holds Person (draft 12 attached, holding Org); draft 13 is loose. */
const DATA: MigrationData = {
  annotations: [
    { id: 1, task: 100, result: [span('a', 'Org')] },
    { id: 2, task: 101, result: [span('b', 'Person')] },
  ],
  drafts: [
    { id: 11, task: 100, annotation: 1, result: [span('c', 'Org')] },
    { id: 12, task: 101, annotation: 2, result: [span('d', 'Org')] },
    { id: 13, task: 102, annotation: null, result: [span('e', 'Org')] },
  ],
  predictions: [{ id: 21, task: 100, modelVersion: 'v1', result: [span('f', 'Org')] }],
};

test('without --delete-drafts: the annotation with a draft is skipped, every draft holding Org is rewritten', () => {
  const c = countMigration(DATA, m, TYPES, false);
  assert.equal([c.annotations, c.skipped, c.drafts, c.regions, c.tasks], [0, 1, 3, 4, 3]);
  assert.equal(c.predictions, { v1: 1 });
});

test('with --delete-drafts: only the draft of a rewritten annotation goes with it; a draft of an annotation left alone is rewritten', () => {
  const c = countMigration(DATA, m, TYPES, true);
  assert.equal([c.annotations, c.skipped, c.drafts, c.regions, c.tasks], [1, 0, 2, 4, 3]);
});

test('census: the drafts seen deleted are left out, so that before and after compare', () => {
  assert.equal(migrationCensus(DATA, m), { regions: 6, leftOld: 5 });
  assert.equal(migrationCensus(DATA, m, new Set([11])), { regions: 5, leftOld: 4 });
  const after: MigrationData = {
    annotations: [DATA.annotations[0]!, DATA.annotations[1]!].map((a) => ({
      ...a,
      result: a.result.map((r) => JSON.parse(JSON.stringify(r).replace('"Org"', '"Organization"')) as unknown),
    })),
    drafts: DATA.drafts.filter((d) => d.id !== 11).map((d) => ({ ...d, result: [span('x', 'Organization')] })),
    predictions: DATA.predictions.map((p) => ({ ...p, result: [span('f', 'Organization')] })),
  };
  assert.equal(migrationCensus(after, m), { regions: 5, leftOld: 0 });
});

test.run();
