/**
 * `spec.migrations` checked offline: the schema's shape (exactly one of renamed / merged), then the
 * pure checks against the new label config (control, targets, sources, chains, ids), through the
 * loader as `labelform validate` runs them, at file:line:col.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkMigrations, type MigrationConfig } from '../../src/kinds/project/migrate/check.ts';
import type { LabelMigration } from '../../src/kinds/project/migrate/types.ts';
import type { ProjectResource } from '../../src/kinds/project/types.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';
import { parseLabelConfigXml } from '../../src/labelconfig/parse-xml.ts';
import { summarizeLabelConfig } from '../../src/labelconfig/summarize.ts';
import { cleanupTrees, load, withProject } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const XML = `<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text">
    <Label value="Organization"/>
    <Label value="Location"/>
    <Label value="Person" alias="PER"/>
  </Labels>
  <Labels name="other" toName="text">
    <Label value="Org"/>
  </Labels>
  <Choices name="sentiment" toName="text">
    <Choice value="Polar"/>
  </Choices>
  <Taxonomy name="topic" toName="text">
    <Choice value="Places">
      <Choice value="Location"/>
    </Choice>
  </Taxonomy>
  <Choices name="dynamic" toName="text" value="$options"/>
  <TextArea name="note" toName="text"/>
</View>
`;

function known(xml = XML): MigrationConfig {
  const parsed = parseLabelConfigXml(xml);
  if (!parsed.ok) throw new Error('fixture');
  return { state: 'known', summary: summarizeLabelConfig(parsed.root) };
}
const rename = (id: string, control: string, from: string, to: string): LabelMigration => ({
  id,
  control,
  renamed: { from, to },
  predictions: 'rewrite',
});
const merge = (id: string, control: string, from: string[], into: string): LabelMigration => ({
  id,
  control,
  merged: { from, into },
  predictions: 'rewrite',
});
const pointers = (ms: LabelMigration[], config = known()) => checkMigrations(ms, config).map((i) => i.pointer);

test('valid: a rename and a merge into labels of the new config, on every labelled family', () => {
  assert.equal(
    checkMigrations(
      [
        rename('org', 'label', 'Org', 'Organization'),
        merge('places', 'label', ['City', 'Country'], 'Location'),
        // The stored value of a label with an alias is the alias.
        rename('people', 'label', 'Human', 'PER'),
        // The same old name on another control is that control's business.
        rename('other', 'other', 'Company', 'Org'),
        merge('polar', 'sentiment', ['Positive', 'Negative'], 'Polar'),
        rename('tax', 'topic', 'City', 'Location'),
        // Options from task data: nothing in the config to check against.
        rename('dyn', 'dynamic', 'a', 'b'),
        // Two entries into one target are fine.
        rename('org2', 'label', 'Company', 'Organization'),
      ],
      known(),
    ),
    [],
  );
});

test('the control must be in the new config and store labels', () => {
  const issues = checkMigrations([rename('a', 'nope', 'x', 'y'), rename('b', 'note', 'x', 'y')], known());
  assert.equal(
    issues.map((i) => [i.pointer, i.message]),
    [
      [
        '/spec/migrations/0/control',
        'control "nope" is not in the label config (labelled controls: "label", "other", "sentiment", "topic", "dynamic"); a migration names the control whose labels it moves',
      ],
      [
        '/spec/migrations/1/control',
        'control "note" is a TextArea, which stores no label values; migrations apply to Labels, the *Labels tags, Choices and Taxonomy',
      ],
    ],
  );
});

test('targets must be labels of the control (the alias when there is one); sources must be gone from it', () => {
  const issues = checkMigrations(
    [
      rename('a', 'label', 'Org', 'Organisation'),
      rename('b', 'label', 'Human', 'Person'),
      merge('c', 'label', ['City', 'Organization'], 'Location'),
      rename('d', 'other', 'Org', 'Location'),
    ],
    known(),
  );
  assert.equal(
    issues.map((i) => i.pointer),
    [
      '/spec/migrations/0/renamed/to',
      '/spec/migrations/1/renamed/to',
      '/spec/migrations/2/merged/from/1',
      '/spec/migrations/3/renamed/from',
      '/spec/migrations/3/renamed/to',
    ],
  );
  assert.is(
    issues[0]!.message,
    '"Organisation" is not a label of Labels "label" in the new config (labels: "Organization", "Location", "PER"); the target must be there, written as results store it (its alias when it has one, else its value)',
  );
  assert.match(
    issues[2]!.message,
    /^"Organization" is still a label of Labels "label" in the new config, and migration "c" moves every region away from it/,
  );
  // Taxonomy options at any depth count.
  assert.equal(pointers([rename('t', 'topic', 'Location', 'Places')]), ['/spec/migrations/0/renamed/from']);
});

test('no chains, no cycles, no label moved twice, no source equal to its target, unique ids', () => {
  const dyn = (ms: LabelMigration[]) => pointers(ms); // on the dynamic control only these rules apply
  assert.equal(dyn([rename('a', 'dynamic', 'A', 'B'), rename('b', 'dynamic', 'B', 'C')]), [
    '/spec/migrations/1/renamed/from',
  ]);
  assert.equal(dyn([rename('b', 'dynamic', 'B', 'C'), rename('a', 'dynamic', 'A', 'B')]), [
    '/spec/migrations/1/renamed/to',
  ]);
  assert.equal(dyn([rename('a', 'dynamic', 'A', 'B'), rename('b', 'dynamic', 'B', 'A')]), [
    '/spec/migrations/1/renamed/from',
    '/spec/migrations/1/renamed/to',
  ]);
  assert.equal(dyn([rename('a', 'dynamic', 'A', 'B'), merge('b', 'dynamic', ['C', 'A'], 'D')]), [
    '/spec/migrations/1/merged/from/1',
  ]);
  assert.equal(dyn([merge('m', 'dynamic', ['A', 'B'], 'B')]), ['/spec/migrations/0/merged/from/1']);
  assert.equal(dyn([rename('a', 'dynamic', 'A', 'A')]), ['/spec/migrations/0/renamed/from']);
  // The same names on two controls are independent.
  assert.equal(dyn([rename('a', 'dynamic', 'A', 'B'), rename('b', 'other', 'B', 'Org')]), []);
  const ids = checkMigrations(
    [rename('same', 'dynamic', 'A', 'B'), rename('same', 'dynamic', 'C', 'D')],
    known(),
    (p) => ({ line: p === '/spec/migrations/0/id' ? 9 : 12, col: 11 }),
  );
  assert.equal(
    ids.map((i) => [i.pointer, i.message]),
    [
      [
        '/spec/migrations/1/id',
        'migration id "same" is already used by spec.migrations[0] at line 9; ids are unique in a project (done ones are recorded by id)',
      ],
    ],
  );
  const chain = checkMigrations([rename('a', 'dynamic', 'A', 'B'), rename('b', 'dynamic', 'B', 'C')], known());
  assert.is(
    chain[0]!.message,
    '"B" of control "dynamic" is both a label migrated away and a migration target (see spec.migrations[0]); chains and cycles are not allowed: map each old label straight to its final one',
  );
});

test('no label_config in the manifest: an error; an unreadable one: only the rules that need no config', () => {
  assert.equal(
    checkMigrations([rename('a', 'label', 'A', 'B')], { state: 'absent' }).map((i) => i.message),
    [
      'spec.migrations needs spec.label_config: a migration moves annotations to the labels of the config this manifest declares',
    ],
  );
  assert.equal(checkMigrations([], { state: 'absent' }), []);
  assert.equal(pointers([rename('a', 'label', 'A', 'B'), rename('a', 'label', 'B', 'C')], { state: 'unreadable' }), [
    '/spec/migrations/1/id',
    '/spec/migrations/1/renamed/from',
  ]);
});

// ---- through the loader, as `labelform validate` runs it ----

const spec = (migrations: string, xml = XML) =>
  withProject(`  title: Migrations\n  label_config: {file: config.xml}\n  migrations:\n${migrations}`, {
    'config.xml': xml,
  });

test('validate: migrations load into the Project resource with defaults and positions, and leave the spec', async () => {
  const { result, lines } = await load(
    spec(
      '    - id: org-renamed\n      control: label\n      renamed: {from: Org, to: Organization}\n' +
        '    - id: places-merged\n      control: label\n      merged: {from: [City, Country], into: Location}\n      predictions: keep\n',
    ),
  );
  assert.equal(lines, []);
  const [p] = resourcesOf<ProjectResource>(result.repository, { kind: 'Project' });
  assert.ok(p);
  assert.is('migrations' in p.spec, false, 'not a project setting: never compared with the server');
  assert.equal(p.migrations, [
    {
      id: 'org-renamed',
      control: 'label',
      renamed: { from: 'Org', to: 'Organization' },
      predictions: 'rewrite',
      at: { file: 'p.yaml', line: 9, col: 7, pointer: '/spec/migrations/0' },
    },
    {
      id: 'places-merged',
      control: 'label',
      merged: { from: ['City', 'Country'], into: 'Location' },
      predictions: 'keep',
      at: { file: 'p.yaml', line: 12, col: 7, pointer: '/spec/migrations/1' },
    },
  ]);
});

test('validate: every problem at its file:line:col', async () => {
  const { lines } = await load(
    spec(
      '    - id: a\n      control: label\n      renamed: {from: Org, to: Organisation}\n' +
        '    - id: a\n      control: note\n      renamed: {from: x, to: y}\n' +
        '    - id: c\n      control: label\n      merged:\n        from: [City, Location]\n        into: Location\n',
    ),
  );
  assert.equal(lines, [
    'p.yaml:11:32: migration: "Organisation" is not a label of Labels "label" in the new config (labels: "Organization", "Location", "PER"); the target must be there, written as results store it (its alias when it has one, else its value)',
    'p.yaml:12:11: migration: migration id "a" is already used by spec.migrations[0] at line 9; ids are unique in a project (done ones are recorded by id)',
    'p.yaml:13:16: migration: control "note" is a TextArea, which stores no label values; migrations apply to Labels, the *Labels tags, Choices and Taxonomy',
    'p.yaml:18:22: migration: "Location" is both the source and the target of migration "c"; nothing would change',
  ]);
});

test("validate: the shape is the schema's (exactly one of renamed / merged, predictions, an id)", async () => {
  const { lines } = await load(
    spec(
      '    - id: both\n      control: label\n      renamed: {from: a, to: b}\n      merged: {from: [a], into: b}\n' +
        '    - id: neither\n      control: label\n' +
        '    - id: bad id\n      control: label\n      renamed: {from: a}\n      predictions: drop\n' +
        '    - id: empty\n      control: label\n      merged: {from: [], into: b}\n',
    ),
  );
  assert.equal(lines.length, 6, lines.join('\n'));
  assert.match(
    lines[0]!,
    /^p\.yaml:9:7: schema: spec\.migrations\.0 must have exactly one of `renamed: \{from, to\}` or `merged: \{from: \[\.\.\.\], into\}`/,
  );
  assert.match(lines[1]!, /^p\.yaml:13:7: schema: spec\.migrations\.1 must have exactly one of/);
  assert.match(lines[2]!, /^p\.yaml:15:11: schema: spec\.migrations\.2\.id must match/);
  assert.match(lines[3]!, /^p\.yaml:17:16: schema: missing required field "to" in spec\.migrations\.2\.renamed/);
  assert.match(
    lines[4]!,
    /^p\.yaml:18:20: schema: spec\.migrations\.2\.predictions must be one of "rewrite", "keep"; got "drop"/,
  );
  assert.match(lines[5]!, /^p\.yaml:21:22: schema: spec\.migrations\.3\.merged\.from/);
});

test('validate: migrations without a label_config in the manifest', async () => {
  const { lines } = await load(
    withProject('  title: Migrations\n  migrations:\n    - {id: a, control: label, renamed: {from: A, to: B}}\n'),
  );
  assert.equal(lines, [
    'p.yaml:8:5: migration: spec.migrations needs spec.label_config: a migration moves annotations to the labels of the config this manifest declares',
  ]);
});

test.run();
