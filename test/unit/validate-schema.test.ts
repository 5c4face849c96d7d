/**
 * Every rule of schemas/project.schema.json and schemas/label-config.schema.json: a passing and a
 * failing case, through the loader, with the exact message and the file position of the value.
 * The helper project puts `spec:` on line 5, so the first spec line is line 6; a value written as
 * `  key: value` starts at column key.length + 5.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindNamesForMessages } from '../../src/kinds/registry.ts';
import { closest, loadSchema, validateAgainstSchema } from '../../src/manifest/schemas.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG, VALID_XML, withProject } from './support/validate-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { labelConfigKind } from '../../src/kinds/label-config/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

test.after(cleanupTrees);

/** Diagnostics of a repository holding one project with these spec lines. */
async function specLines(lines: string): Promise<string[]> {
  return (await load(withProject(lines))).lines;
}

/** One repository with one project per spec (files p0.yaml, p1.yaml ... named p0, p1 ...). */
async function manySpecs(specs: string[], extra: Record<string, string> = {}): Promise<string[]> {
  const files: Record<string, string> = { 'labelform.yaml': ROOT_CONFIG, ...extra };
  specs.forEach((s, i) => (files[`p${i}.yaml`] = projectYaml(`p${i}`, s)));
  return (await load(files)).lines;
}

// --- apiVersion and kind ---------------------------------------------------------------------

test('a minimal project is valid and loaded', async () => {
  const { lines, result } = await load(withProject('  title: Hello\n'));
  assert.equal(lines, []);
  assert.equal(
    resourcesOf(result.repository, projectKind).map((p) => [p.name, p.spec.title]),
    [['p1', 'Hello']],
  );
});

test('apiVersion must be labelform/v1', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': 'apiVersion: labelform/v2\nkind: Project\nmetadata:\n  name: p1\nspec: {}\n',
    'q.yaml': 'kind: Project\nmetadata:\n  name: q1\nspec: {}\n',
  });
  assert.equal(lines, [
    'p.yaml:1:13: schema: apiVersion must be "labelform/v1", got "labelform/v2"',
    'q.yaml:1:7: manifest-look-alike: kind: Project but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)',
  ]);
});

test('kind is Project or LabelConfig (schema const and loader dispatch)', async () => {
  const base = { apiVersion: 'labelform/v1', metadata: { name: 'x' }, spec: {} };
  assert.equal(validateAgainstSchema('project', { ...base, kind: 'Project' }), []);
  assert.equal(validateAgainstSchema('project', { ...base, kind: 'LabelConfig' }), [
    { pointer: '/kind', atKey: false, message: 'kind must be "Project", got "LabelConfig"' },
  ]);
  assert.equal(
    validateAgainstSchema('label-config', { ...base, kind: 'Project', spec: { label_config: '<View/>' } }).map(
      (i) => i.message,
    ),
    ['kind must be "LabelConfig", got "Project"'],
  );
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': 'apiVersion: labelform/v1\nkind: Projekt\nmetadata:\n  name: a\nspec: {}\n',
    'b.yaml': 'apiVersion: labelform/v1\nmetadata:\n  name: b\nspec: {}\n',
    'c.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: other\n',
    'd.yaml': '- apiVersion: labelform/v1\n- a list\n',
    'e.yaml': projectYaml('e', '  title: Fine\n'),
  });
  assert.equal(lines, [
    `a.yaml:2:7: unknown-kind: unknown kind "Projekt": expected ${kindNamesForMessages()}`,
    `b.yaml:1:1: unknown-kind: missing "kind": expected ${kindNamesForMessages()}`,
    'c.yaml:2:7: misplaced-config: kind Config belongs in labelform.yaml at the repository root',
    'd.yaml:1:1: not-a-manifest: a manifest must be a mapping with apiVersion, kind, metadata and spec',
  ]);
});

// --- metadata ---------------------------------------------------------------------------------

test('metadata.name: lowercase letters, digits and "-", at most 63 characters', async () => {
  const good = ['a', 'my-project-2', '0abc', 'x'.repeat(63)];
  const files: Record<string, string> = { 'labelform.yaml': ROOT_CONFIG };
  good.forEach((n, i) => (files[`g${i}.yaml`] = projectYaml(n, '  title: Fine\n')));
  const ok = await load(files);
  assert.equal(ok.lines, []);
  assert.equal(
    resourcesOf(ok.result.repository, projectKind)
      .map((p) => p.name)
      .sort(),
    [...good].sort(),
  );

  const bad = { 'labelform.yaml': ROOT_CONFIG } as Record<string, string>;
  ['Bad_Name', '-lead', 'has space', 'x'.repeat(64)].forEach(
    (n, i) => (bad[`b${i}.yaml`] = projectYaml(n, '  title: Fine\n')),
  );
  const pattern = 'metadata.name must be lowercase letters, digits and "-", starting with a letter or digit';
  assert.equal((await load(bad)).lines, [
    `b0.yaml:4:9: schema: ${pattern}, got "Bad_Name"`,
    `b1.yaml:4:9: schema: ${pattern}, got "-lead"`,
    `b2.yaml:4:9: schema: ${pattern}, got "has space"`,
    'b3.yaml:4:9: schema: metadata.name must be at most 63 characters, got 64',
  ]);
});

test('metadata needs a name and takes only name and description', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  description: no name\nspec: {}\n',
    'b.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: b\n  labels: x\nspec: {}\n',
    'c.yaml':
      'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: c\n  description: A note for readers.\nspec: {}\n',
  });
  assert.equal(lines, [
    'a.yaml:4:3: schema: missing required field "name" in metadata',
    'b.yaml:5:3: schema: unknown field "labels" in metadata',
  ]);
});

// --- spec fields --------------------------------------------------------------------------------

test('title: a string of 3 to 50 characters', async () => {
  assert.equal(await manySpecs(['  title: abc\n', `  title: ${'t'.repeat(50)}\n`]), []);
  assert.equal(await manySpecs(['  title: ab\n', `  title: ${'t'.repeat(51)}\n`, '  title: 123\n']), [
    'p0.yaml:6:10: schema: spec.title must be at least 3 characters, got 2',
    'p1.yaml:6:10: schema: spec.title must be at most 50 characters, got 51',
    'p2.yaml:6:10: schema: spec.title must be a string, got an integer 123',
  ]);
});

test('color: #RRGGBB', async () => {
  assert.equal(await manySpecs(['  color: "#1E88e5"\n', "  color: '#000000'\n"]), []);
  const rgb = 'spec.color must be a color in #RRGGBB form';
  assert.equal(
    await manySpecs([
      '  color: red\n',
      '  color: "#12345"\n',
      '  color: "#1234567"\n',
      '  color: "#GGGGGG"\n',
      '  color: #1E88E5\n',
    ]),
    [
      `p0.yaml:6:10: schema: ${rgb}, got "red"`,
      `p1.yaml:6:10: schema: ${rgb}, got "#12345"`,
      `p2.yaml:6:10: schema: ${rgb}, got "#1234567"`,
      `p3.yaml:6:10: schema: ${rgb}, got "#GGGGGG"`,
      // Unquoted, `#` starts a YAML comment: the value is null, located where it should start.
      'p4.yaml:6:10: schema: spec.color must be a string, got null',
    ],
  );
});

test('sampling: one of the three Label Studio values', async () => {
  assert.equal(
    await manySpecs([
      '  sampling: Sequential sampling\n',
      '  sampling: Uniform sampling\n',
      '  sampling: Uncertainty sampling\n',
    ]),
    [],
  );
  assert.equal(await specLines('  sampling: Random\n'), [
    'p.yaml:6:13: schema: spec.sampling must be one of "Sequential sampling", "Uniform sampling", "Uncertainty sampling"; got "Random"',
  ]);
});

test('skip_queue: one of the three Label Studio values', async () => {
  assert.equal(
    await manySpecs([
      '  skip_queue: REQUEUE_FOR_ME\n',
      '  skip_queue: REQUEUE_FOR_OTHERS\n',
      '  skip_queue: IGNORE_SKIPPED\n',
    ]),
    [],
  );
  assert.equal(await specLines('  skip_queue: requeue_for_me\n'), [
    'p.yaml:6:15: schema: spec.skip_queue must be one of "REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"; got "requeue_for_me"',
  ]);
});

const BOOLEAN_FIELDS = [
  'show_instruction',
  'show_skip_button',
  'enable_empty_annotation',
  'show_annotation_history',
  'is_published',
  'is_draft',
  'start_training_on_annotation_update',
  'show_collab_predictions',
  'show_ground_truth_first',
  'annotator_evaluation_enabled',
  'show_overlap_first',
  'evaluate_predictions_automatically',
  'reveal_preannotations_interactively',
];

test('the boolean list above is every boolean field of ProjectSpec', () => {
  const spec = (
    loadSchema('project') as { definitions: { ProjectSpec: { properties: Record<string, { type?: unknown }> } } }
  ).definitions.ProjectSpec;
  const booleans = Object.entries(spec.properties)
    .filter(([, p]) => p.type === 'boolean')
    .map(([k]) => k);
  assert.equal([...BOOLEAN_FIELDS].sort(), booleans.sort());
});

test('boolean fields take true/false only', async () => {
  const ok = await load(withProject(BOOLEAN_FIELDS.map((f, i) => `  ${f}: ${i % 2 === 0}\n`).join('')));
  assert.equal(ok.lines, []);
  assert.is(resourcesOf(ok.result.repository, projectKind)[0]?.spec.show_skip_button, false);
  // YAML 1.2: `yes` is a string, not a boolean; quoted "true" is a string too.
  const values = ['yes', '"true"', '1'];
  const got = ['a string "yes"', 'a string "true"', 'an integer 1'];
  const bad = await specLines(BOOLEAN_FIELDS.map((f, i) => `  ${f}: ${values[i % 3]}\n`).join(''));
  assert.equal(
    bad,
    BOOLEAN_FIELDS.map(
      (f, i) => `p.yaml:${6 + i}:${f.length + 5}: schema: spec.${f} must be a boolean, got ${got[i % 3]}`,
    ),
  );
});

test('maximum_annotations: an integer >= 1', async () => {
  assert.equal(await manySpecs(['  maximum_annotations: 1\n', '  maximum_annotations: 25\n']), []);
  assert.equal(
    await manySpecs(['  maximum_annotations: 0\n', '  maximum_annotations: 1.5\n', '  maximum_annotations: "2"\n']),
    [
      'p0.yaml:6:24: schema: spec.maximum_annotations must be >= 1, got 0',
      'p1.yaml:6:24: schema: spec.maximum_annotations must be an integer, got a number 1.5',
      'p2.yaml:6:24: schema: spec.maximum_annotations must be an integer, got a string "2"',
    ],
  );
});

test('overlap_cohort_percentage: an integer from 0 to 100', async () => {
  assert.equal(await manySpecs(['  overlap_cohort_percentage: 0\n', '  overlap_cohort_percentage: 100\n']), []);
  assert.equal(await manySpecs(['  overlap_cohort_percentage: -1\n', '  overlap_cohort_percentage: 101\n']), [
    'p0.yaml:6:30: schema: spec.overlap_cohort_percentage must be >= 0, got -1',
    'p1.yaml:6:30: schema: spec.overlap_cohort_percentage must be <= 100, got 101',
  ]);
});

test('min_annotations_to_start_training: an integer >= 0', async () => {
  assert.equal(await specLines('  min_annotations_to_start_training: 0\n'), []);
  assert.equal(await specLines('  min_annotations_to_start_training: -1\n'), [
    'p.yaml:6:38: schema: spec.min_annotations_to_start_training must be >= 0, got -1',
  ]);
});

test('pinned_at: an ISO 8601 date-time or null', async () => {
  assert.equal(
    await manySpecs([
      '  pinned_at: 2024-05-01T12:00:00Z\n',
      '  pinned_at: "2024-05-01T12:00:00.123+02:00"\n',
      '  pinned_at: null\n',
    ]),
    [],
  );
  assert.equal(await manySpecs(['  pinned_at: 2024-05-01\n', '  pinned_at: yesterday\n', '  pinned_at: 12\n']), [
    'p0.yaml:6:14: schema: spec.pinned_at must be a date-time (ISO 8601), got "2024-05-01"',
    'p1.yaml:6:14: schema: spec.pinned_at must be a date-time (ISO 8601), got "yesterday"',
    'p2.yaml:6:14: schema: spec.pinned_at must be a string or null, got an integer 12',
  ]);
});

test('task_data_login / task_data_password: string or null, at most 256 characters', async () => {
  // A password is taken from ${env:...} (a literal one is a secret-literal error, see validate-offline-secrets).
  const long = await load(withProject('  task_data_login: null\n  task_data_password: ${env:TASK_PW}\n'), {
    env: { TASK_PW: 's'.repeat(256) },
  });
  assert.equal(long.lines, []);
  assert.equal(await specLines(`  task_data_login: 5\n  task_data_password: "${'s'.repeat(257)}"\n`), [
    'p.yaml:6:20: schema: spec.task_data_login must be a string or null, got an integer 5',
    'p.yaml:7:23: schema: spec.task_data_password must be at most 256 characters, got 257',
  ]);
});

test('string fields refuse other types', async () => {
  assert.equal(
    await specLines('  description: Plain text.\n  expert_instruction: <p>Hi</p>\n  model_version: v1\n'),
    [],
  );
  assert.equal(await specLines('  description: 5\n  expert_instruction: [a]\n  model_version: {a: 1}\n'), [
    'p.yaml:6:16: schema: spec.description must be a string, got an integer 5',
    'p.yaml:7:23: schema: spec.expert_instruction must be a string, got a list [...]',
    'p.yaml:8:18: schema: spec.model_version must be a string, got a mapping {...}',
  ]);
});

test('control_weights: per control {overall 0..1, type, labels: {name: 0..1}}', async () => {
  const good =
    '  control_weights:\n    sentiment:\n      overall: 0.5\n      type: Choices\n      labels:\n        Positive: 1\n        Negative: 0\n    boxes:\n      overall: 1\n      type: RectangleLabels\n';
  const ok = await load(withProject(good));
  assert.equal(ok.lines, []);
  assert.equal(resourcesOf(ok.result.repository, projectKind)[0]?.spec.control_weights?.sentiment, {
    overall: 0.5,
    type: 'Choices',
    labels: { Positive: 1, Negative: 0 },
  });
  const bad =
    '  control_weights:\n' + // 6
    '    a:\n' + // 7
    '      overall: 2\n' + // 8
    '    b:\n' + // 9
    '      overall: 0.5\n' + // 10
    '      type: Choices\n' + // 11
    '      labels:\n' + // 12
    '        X: -0.1\n' + // 13
    '        Y: heavy\n' + // 14
    '      weight: 1\n' + // 15
    '    c: 3\n'; // 16
  assert.equal(await specLines(bad), [
    'p.yaml:8:7: schema: missing required field "type" in spec.control_weights.a',
    'p.yaml:8:16: schema: spec.control_weights.a.overall must be <= 1, got 2',
    'p.yaml:13:12: schema: spec.control_weights.b.labels.X must be >= 0, got -0.1',
    'p.yaml:14:12: schema: spec.control_weights.b.labels.Y must be a number, got a string "heavy"',
    'p.yaml:15:7: schema: unknown field "weight" in spec.control_weights.b',
    'p.yaml:16:8: schema: spec.control_weights.c must be a mapping, got an integer 3',
  ]);
});

test('tasks: a list of {file, format?}', async () => {
  const project = (tasks: string) => `${projectYaml('p1', '  title: Hello\n')}tasks:\n${tasks}`;
  const ok = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': project('  - file: ./tasks.json\n  - file: data/more.csv\n    format: csv\n'),
    'tasks.json': '[]',
    'data/more.csv': 'text\nhello\n',
  });
  assert.equal(ok.lines, []);
  assert.equal(
    resourcesOf(ok.result.repository, projectKind)[0]?.tasks.map((t) => [t.display, t.format]),
    [
      ['tasks.json', undefined],
      ['data/more.csv', 'csv'],
    ],
  );
  const bad = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': project('  - format: csv\n  - file: ./t.xml\n    format: xml\n'),
  });
  assert.equal(bad.lines, [
    'p.yaml:8:5: schema: missing required field "file" in tasks.0',
    'p.yaml:10:13: schema: tasks.1.format must be one of "json", "jsonl", "csv", "tsv"; got "xml"',
  ]);
});

// --- label_config forms -------------------------------------------------------------------------

test('label_config: inline XML, {file}, and {ref} are all accepted', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'inline.yaml': projectYaml('inline', `  label_config: '${VALID_XML.replace(/\n\s*/g, '')}'\n`),
    'file.yaml': projectYaml('by-file', '  label_config:\n    file: ./config.xml\n'),
    'ref.yaml': projectYaml('by-ref', '  label_config:\n    ref: shared\n'),
    'config.xml': VALID_XML,
    'shared.yaml': `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared\nspec:\n  label_config:\n    file: ./config.xml\n`,
  });
  assert.equal(lines, []);
  const projects = resourcesOf(result.repository, projectKind);
  assert.equal(
    projects.map((p) => [p.name, p.labelConfig?.file, p.labelConfig?.ref]),
    [
      ['by-file', 'config.xml', undefined],
      ['by-ref', 'config.xml', 'shared'],
      ['inline', 'inline.yaml', undefined],
    ],
  );
  // Every form resolves to the XML text the server will get.
  assert.equal(projects.find((p) => p.name === 'by-ref')?.spec.label_config, VALID_XML);
  assert.equal(
    projects.find((p) => p.name === 'inline')?.labelConfig?.summary.controls.map((c) => [c.name, c.labels]),
    [['label', ['A']]],
  );
});

test('label_config: any other form is one clear error at the value', async () => {
  const forms = [
    '  label_config: 42\n',
    '  label_config: [a]\n',
    '  label_config:\n',
    '  label_config: ""\n',
    '  label_config:\n    path: ./config.xml\n',
    '  label_config:\n    file: ./config.xml\n    ref: shared\n',
    '  label_config:\n    ref: Shared_Config\n',
    '  label_config:\n    file: ""\n',
  ];
  const msg = 'schema: spec.label_config must be inline XML (a string), {file: PATH} or {ref: LABEL_CONFIG_NAME}';
  assert.equal(await manySpecs(forms), [
    `p0.yaml:6:17: ${msg}`,
    `p1.yaml:6:17: ${msg}`,
    `p2.yaml:6:16: ${msg}`, // an empty value (null) is located just after its key
    `p3.yaml:6:17: ${msg}`,
    `p4.yaml:7:5: ${msg}`,
    `p5.yaml:7:5: ${msg}`,
    `p6.yaml:7:5: ${msg}`,
    `p7.yaml:7:5: ${msg}`,
  ]);
});

// --- unknown and missing fields -----------------------------------------------------------------

test('unknown fields are located at their key, with a "did you mean" hint when one is close', async () => {
  assert.equal(
    await specLines(
      '  colour: "#123456"\n  titel: Hello\n  maximum_annotation: 2\n  show_skip: true\n  frobnicate: 1\n',
    ),
    [
      'p.yaml:6:3: schema: unknown field "colour" in spec; did you mean "color"?',
      'p.yaml:7:3: schema: unknown field "titel" in spec; did you mean "title"?',
      'p.yaml:8:3: schema: unknown field "maximum_annotation" in spec; did you mean "maximum_annotations"?',
      'p.yaml:9:3: schema: unknown field "show_skip" in spec',
      'p.yaml:10:3: schema: unknown field "frobnicate" in spec',
    ],
  );
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: p1\nspec: {}\nspecs: {}\n',
  });
  assert.equal(lines, ['p.yaml:6:1: schema: unknown field "specs"; did you mean "spec"?']);
  assert.is(closest('colour', ['title', 'color']), 'color');
  assert.is(closest('xyz', ['title', 'color']), undefined);
});

test('missing required fields are reported at the mapping that lacks them', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: a\n',
    'b.yaml': '# a comment first\napiVersion: labelform/v1\nkind: Project\nspec: {}\n',
    'c.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: c\nspec:\n',
    'd.yaml': projectYaml('d', '  title: Fine\n'),
  });
  assert.equal(lines, [
    'a.yaml:1:1: schema: missing required field "spec"',
    'b.yaml:2:1: schema: missing required field "metadata"',
    'c.yaml:5:6: schema: spec must be a mapping, got null',
  ]);
});

test('all schema errors are reported, not the first', async () => {
  const lines = await specLines('  title: ab\n  color: red\n  sampling: Random\n  maximum_annotations: 0\n');
  assert.is(lines.length, 4);
  assert.equal(
    lines.map((l) => l.split(':').slice(0, 2).join(':')),
    ['p.yaml:6', 'p.yaml:7', 'p.yaml:8', 'p.yaml:9'],
  );
});

// --- LabelConfig manifests ----------------------------------------------------------------------

const labelConfigYaml = (name: string, specLines: string) =>
  `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: ${name}\nspec:\n${specLines}`;

test('LabelConfig: label_config inline or {file}', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': labelConfigYaml('inline-one', `  label_config: '${VALID_XML.replace(/\n\s*/g, '')}'\n`),
    'b.yaml': labelConfigYaml('file-one', '  label_config:\n    file: ./b.xml\n'),
    'b.xml': VALID_XML,
  });
  assert.equal(lines, []);
  assert.equal(
    resourcesOf(result.repository, labelConfigKind).map((l) => [l.name, l.source?.file]),
    [
      ['inline-one', 'a.yaml'],
      ['file-one', 'b.xml'],
    ],
  );
});

test('LabelConfig: needs spec.label_config; takes no {ref} and no other spec fields', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': labelConfigYaml('a', '  title: Not here\n'),
    'b.yaml': labelConfigYaml('Bad_Name', '  label_config: <View/>\n'),
    'c.yaml': labelConfigYaml('c', '  label_config:\n    ref: other\n'),
    'd.yaml': 'apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: d\n',
  });
  const notC = lines.filter((l) => !l.startsWith('c.yaml'));
  assert.equal(notC, [
    'a.yaml:6:3: schema: missing required field "label_config" in spec',
    'a.yaml:6:3: schema: unknown field "title" in spec',
    'b.yaml:4:9: schema: metadata.name must be lowercase letters, digits and "-", starting with a letter or digit, got "Bad_Name"',
    'd.yaml:1:1: schema: missing required field "spec"',
  ]);
  // A wrong label_config form in a LabelConfig is one message, at the value.
  assert.equal(
    lines.filter((l) => l.startsWith('c.yaml')),
    ['c.yaml:7:5: schema: spec.label_config must be inline XML (a string) or {file: PATH}'],
  );
});

test.run();
