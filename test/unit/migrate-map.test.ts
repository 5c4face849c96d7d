/**
 * The pure label mapping of declared migrations (renames and merges) and the census that proves
 * one: from/to cases on result lists as Label Studio stores them (reference §13).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  census,
  controlTypesOf,
  migrateResult,
  migrationsFor,
  regionCount,
} from '../../src/kinds/project/migrate/map.ts';
import type { LabelMigration } from '../../src/kinds/project/migrate/types.ts';
import { parseLabelConfigXml } from '../../src/labelconfig/parse-xml.ts';
import { summarizeLabelConfig } from '../../src/labelconfig/summarize.ts';

const rename = (control: string, from: string, to: string, predictions: 'rewrite' | 'keep' = 'rewrite') =>
  ({ id: `${from}-renamed`, control, renamed: { from, to }, predictions }) satisfies LabelMigration;
const merge = (control: string, from: string[], into: string) =>
  ({ id: `${into}-merged`, control, merged: { from, into }, predictions: 'rewrite' }) satisfies LabelMigration;

const TYPES = {
  label: 'Labels',
  other: 'Labels',
  box: 'RectangleLabels',
  sentiment: 'Choices',
  topic: 'Taxonomy',
  note: 'TextArea',
};

function span(id: string, from: string, labels: unknown, key = 'labels') {
  return {
    id,
    from_name: from,
    to_name: 'text',
    type: key,
    value: { start: 0, end: 4, text: 'Acme', [key]: labels },
    origin: 'manual',
  };
}

test('rename: Labels regions of the control are rewritten, key order kept, other regions the same objects', () => {
  const result = [
    span('a', 'label', ['Org']),
    span('b', 'label', ['Person']),
    { id: 'c', from_name: 'note', to_name: 'text', type: 'textarea', value: { text: ['Org'] } },
  ];
  const before = JSON.stringify(result);
  const out = migrateResult(result, [rename('label', 'Org', 'Organization')], TYPES);
  assert.ok(out);
  assert.is(out.regions, 1);
  assert.equal(out.result[0], span('a', 'label', ['Organization']));
  assert.is(
    JSON.stringify(out.result[0]),
    JSON.stringify(span('a', 'label', ['Organization'])),
    'same key order in the region and in its value',
  );
  assert.is(out.result[1], result[1], 'an untouched region is returned as it was');
  assert.is(out.result[2], result[2], 'a TextArea holding the same text is no label');
  assert.is(JSON.stringify(result), before, 'the input is not changed');
});

test('nothing to change: undefined (no region of the control, no source, no migration)', () => {
  const result = [span('a', 'label', ['Person']), span('b', 'other', ['Org'])];
  assert.is(migrateResult(result, [rename('label', 'Org', 'Organization')], TYPES), undefined);
  assert.is(migrateResult(result, [], TYPES), undefined);
  assert.is(migrateResult([], [rename('label', 'Org', 'Organization')], TYPES), undefined);
});

test('two controls sharing a label name: only the migration control is rewritten', () => {
  const result = [span('a', 'label', ['Org']), span('b', 'other', ['Org']), span('c', 'label', ['Org', 'Person'])];
  const out = migrateResult(result, [rename('label', 'Org', 'Organization')], TYPES);
  assert.ok(out);
  assert.is(out.regions, 2);
  assert.equal(
    out.result.map((r) => (r as { value: { labels: string[] } }).value.labels),
    [['Organization'], ['Org'], ['Organization', 'Person']],
  );
  assert.is(out.result[1], result[1]);
});

test('every *Labels family and Choices: the list under the region value key is mapped', () => {
  const keys = [
    'rectanglelabels',
    'polygonlabels',
    'keypointlabels',
    'brushlabels',
    'ellipselabels',
    'hypertextlabels',
    'paragraphlabels',
    'timeserieslabels',
    'timelinelabels',
    'bitmasklabels',
    'vectorlabels',
    'polylinelabels',
    'labels',
  ];
  for (const key of keys) {
    const region = { id: 'r', from_name: 'box', to_name: 'img', type: key, value: { x: 1, y: 2, [key]: ['Car'] } };
    const out = migrateResult([region], [rename('box', 'Car', 'Vehicle')], TYPES);
    assert.equal(
      out?.result,
      [{ id: 'r', from_name: 'box', to_name: 'img', type: key, value: { x: 1, y: 2, [key]: ['Vehicle'] } }],
      key,
    );
  }
  // A video region of a Labels control keeps its sequence as it was.
  const video = {
    id: 'v',
    from_name: 'label',
    to_name: 'video',
    type: 'videorectangle',
    value: { framesCount: 10, duration: 1, sequence: [{ frame: 1, x: 1, enabled: true }], labels: ['Org'] },
  };
  const outVideo = migrateResult([video], [rename('label', 'Org', 'Organization')], TYPES);
  assert.equal((outVideo?.result[0] as typeof video).value, { ...video.value, labels: ['Organization'] });
  assert.is((outVideo?.result[0] as typeof video).value.sequence, video.value.sequence);

  const choice = {
    id: 'c',
    from_name: 'sentiment',
    to_name: 'text',
    type: 'choices',
    value: { choices: ['Pos', 'Mixed'] },
  };
  const outChoice = migrateResult([choice], [merge('sentiment', ['Pos', 'Neg'], 'Polar')], TYPES);
  assert.equal(outChoice?.result, [{ ...choice, value: { choices: ['Polar', 'Mixed'] } }]);
});

test('merge: a region holding several sources, or a source and the target, keeps the target once at its first place', () => {
  const result = [
    span('a', 'label', ['City', 'Person', 'Country']),
    span('b', 'label', ['Person', 'Location', 'City']),
    span('c', 'label', ['Country']),
  ];
  const out = migrateResult(result, [merge('label', ['City', 'Country'], 'Location')], TYPES);
  assert.ok(out);
  assert.is(out.regions, 3);
  assert.equal(
    out.result.map((r) => (r as { value: { labels: string[] } }).value.labels),
    [['Location', 'Person'], ['Person', 'Location'], ['Location']],
  );
  // A rename into a label the region already holds does the same.
  const renamed = migrateResult(
    [span('d', 'label', ['Organization', 'Org'])],
    [rename('label', 'Org', 'Organization')],
    TYPES,
  );
  assert.equal((renamed?.result[0] as { value: { labels: string[] } }).value.labels, ['Organization']);
  // Duplicates of labels the migration does not write are not its business.
  const others = migrateResult(
    [span('e', 'label', ['Person', 'Person', 'City'])],
    [merge('label', ['City'], 'Location')],
    TYPES,
  );
  assert.equal((others?.result[0] as { value: { labels: string[] } }).value.labels, ['Person', 'Person', 'Location']);
});

test('several migrations of one control and of two controls apply in one pass', () => {
  const result = [span('a', 'label', ['Org', 'City']), span('b', 'other', ['Org', 'City'])];
  const out = migrateResult(
    result,
    [
      rename('label', 'Org', 'Organization'),
      merge('label', ['City', 'Country'], 'Location'),
      rename('other', 'City', 'Town'),
    ],
    TYPES,
  );
  assert.equal(
    out?.result.map((r) => (r as { value: { labels: string[] } }).value.labels),
    [
      ['Organization', 'Location'],
      ['Org', 'Town'],
    ],
  );
});

test('Taxonomy: any path element equal to a source is renamed; identical paths after a merge are kept once', () => {
  const region = {
    id: 't',
    from_name: 'topic',
    to_name: 'text',
    type: 'taxonomy',
    value: {
      taxonomy: [['Places', 'City'], ['Places', 'Country'], ['Other'], ['City'], ['Places', 'Location', 'Paris']],
    },
  };
  const out = migrateResult([region], [merge('topic', ['City', 'Country'], 'Location')], TYPES);
  assert.equal((out?.result[0] as typeof region).value.taxonomy, [
    ['Places', 'Location'],
    ['Other'],
    ['Location'],
    ['Places', 'Location', 'Paris'],
  ]);
  // An inner node renamed renames every path through it.
  const inner = migrateResult([region], [rename('topic', 'Places', 'Geography')], TYPES);
  assert.equal((inner?.result[0] as typeof region).value.taxonomy, [
    ['Geography', 'City'],
    ['Geography', 'Country'],
    ['Other'],
    ['City'],
    ['Geography', 'Location', 'Paris'],
  ]);
  assert.is((inner?.result[0] as typeof region).value.taxonomy[2], region.value.taxonomy[2], 'untouched path kept');
});

test('idempotent: mapping the mapped result again changes nothing', () => {
  const migrations = [merge('label', ['City', 'Country'], 'Location'), rename('topic', 'Places', 'Geography')];
  const result = [
    span('a', 'label', ['City', 'Country', 'Org']),
    { id: 't', from_name: 'topic', to_name: 'text', type: 'taxonomy', value: { taxonomy: [['Places', 'City']] } },
  ];
  const once = migrateResult(result, migrations, TYPES);
  assert.ok(once);
  assert.is(migrateResult(once.result, migrations, TYPES), undefined);
});

test('unknown shapes are left alone', () => {
  const odd: unknown[] = [
    null,
    'text',
    42,
    ['Org'],
    { id: 'no-from', value: { labels: ['Org'] } },
    { id: 'relation', type: 'relation', from_id: 'a', to_id: 'b', labels: ['Org'] },
    { id: 'no-value', from_name: 'label' },
    { id: 'value-list', from_name: 'label', value: ['Org'] },
    { id: 'labels-not-list', from_name: 'label', value: { labels: 'Org' } },
    { id: 'non-strings', from_name: 'label', value: { labels: [1, null, { v: 'Org' }] } },
    { id: 'text', from_name: 'label', value: { text: ['Org'] } },
    { id: 'taxonomy-flat', from_name: 'topic', value: { taxonomy: ['Places'] } },
  ];
  assert.is(
    migrateResult(odd, [rename('label', 'Org', 'Organization'), rename('topic', 'Places', 'Geo')], TYPES),
    undefined,
  );
  assert.is(migrateResult('not a list' as unknown as unknown[], [rename('label', 'Org', 'X')], TYPES), undefined);
  // A list mixing strings and other values: only the strings are mapped, the rest stays in place.
  const mixed = migrateResult(
    [{ id: 'm', from_name: 'label', value: { labels: [7, 'Org', null] } }],
    [rename('label', 'Org', 'Organization')],
    TYPES,
  );
  assert.equal(mixed?.result, [{ id: 'm', from_name: 'label', value: { labels: [7, 'Organization', null] } }]);
});

test('a migration on a control whose type stores no labels is ignored; an unknown control type is mapped', () => {
  const region = { id: 'n', from_name: 'note', value: { labels: ['Org'] } };
  assert.is(migrateResult([region], [rename('note', 'Org', 'X')], TYPES), undefined);
  assert.ok(migrateResult([region], [rename('note', 'Org', 'X')], {}));
});

test('a chain of migrations is a bug (validate refuses it): it throws rather than map half-way', () => {
  assert.throws(
    () => migrateResult([span('a', 'label', ['A'])], [rename('label', 'A', 'B'), rename('label', 'B', 'C')], TYPES),
    /chain through "B"/,
  );
});

test('migrationsFor: predictions only with predictions: rewrite', () => {
  const keep = rename('label', 'Org', 'Organization', 'keep');
  const rewrite = merge('label', ['City'], 'Location');
  assert.equal(migrationsFor('annotation', [keep, rewrite]), [keep, rewrite]);
  assert.equal(migrationsFor('draft', [keep, rewrite]), [keep, rewrite]);
  assert.equal(migrationsFor('prediction', [keep, rewrite]), [rewrite]);
});

test('census: regions per label of one control; with regionCount it proves a merge lost and added nothing', () => {
  const results = [
    [span('a', 'label', ['City', 'Country']), span('b', 'other', ['City'])],
    [span('c', 'label', ['Country', 'Person']), span('d', 'label', ['Location'])],
    [{ id: 't', from_name: 'topic', value: { taxonomy: [['Places', 'City'], ['Places']] } }],
  ];
  assert.equal(
    census(results, 'label'),
    new Map([
      ['City', 1],
      ['Country', 2],
      ['Person', 1],
      ['Location', 1],
    ]),
  );
  assert.equal(
    census(results, 'topic'),
    new Map([
      ['Places', 1],
      ['City', 1],
    ]),
  );
  const migrations = [merge('label', ['City', 'Country'], 'Location')];
  const after = results.map((r) => migrateResult(r, migrations, TYPES)?.result ?? r);
  const counted = census(after, 'label');
  assert.is(counted.get('City'), undefined);
  assert.is(counted.get('Country'), undefined);
  assert.is(counted.get('Location'), 3);
  assert.is(regionCount(after, 'label'), regionCount(results, 'label'));
  assert.is(regionCount(after, 'label'), 3);
  assert.equal(census(after, 'other'), census(results, 'other'));
  assert.equal(after[2], results[2]);
});

test('controlTypesOf: the control types of a config', () => {
  const parsed = parseLabelConfigXml(
    '<View><Text name="text" value="$t"/><Labels name="label" toName="text"><Label value="A"/></Labels><Taxonomy name="topic" toName="text"><Choice value="X"/></Taxonomy></View>',
  );
  assert.ok(parsed.ok);
  assert.equal(controlTypesOf(summarizeLabelConfig(parsed.root)), { label: 'Labels', topic: 'Taxonomy' });
});

test.run();
