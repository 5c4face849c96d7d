import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectYaml, ROOT_CONFIG, runCli, writeTree } from '../helpers/cli.ts';

const CONFIG = `  label_config: <View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="a"/><Choice value="b"/></Choices></View>\n`;

async function validate(spec: string): Promise<{ code: number; lines: string[] }> {
  const dir = await writeTree({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', spec) });
  const r = await runCli(['validate', dir], { cwd: dir });
  return { code: r.code, lines: r.stderr.split('\n').filter((l) => l.includes(': error: ')) };
}

const cases: Array<[string, string, string | undefined]> = [
  ['a title of 3 characters once trimmed', '  title: "  abc  "\n', undefined],
  [
    'a title too short once trimmed',
    '  title: "  ab  "\n',
    'p.yaml:6:10: error: spec.title is 2 characters once leading and trailing whitespace is removed, as the server does; it must be 3-50 (at /spec/title)',
  ],
  ['50 emoji are 50 characters', `  title: "${'😀'.repeat(50)}"\n`, undefined],
  ['published, not draft', '  is_published: true\n  is_draft: false\n', undefined],
  [
    'published and draft',
    '  is_published: true\n  is_draft: true\n',
    'p.yaml:7:13: error: is_draft: true with is_published: true: the server clears is_draft when a project is published (at /spec/is_draft)',
  ],
  ['a model version with predictions shown', '  show_collab_predictions: true\n  model_version: v1\n', undefined],
  [
    'a model version with predictions hidden',
    '  show_collab_predictions: false\n  model_version: v1\n',
    'p.yaml:7:18: error: model_version with show_collab_predictions: false: the server empties model_version when predictions are hidden (at /spec/model_version)',
  ],
  [
    'training switches that agree',
    '  start_training_on_annotation_update: true\n  min_annotations_to_start_training: 1\n',
    undefined,
  ],
  [
    'training switches that disagree',
    '  start_training_on_annotation_update: false\n  min_annotations_to_start_training: 5\n',
    'p.yaml:6:40: error: start_training_on_annotation_update: false makes the server store min_annotations_to_start_training: 0, not 5 (set only one of them) (at /spec/start_training_on_annotation_update)',
  ],
  // Sending the flag stores int(flag): 5 beside true would be an endless diff.
  [
    'the flag beside a count above 1',
    '  start_training_on_annotation_update: true\n  min_annotations_to_start_training: 5\n',
    'p.yaml:6:40: error: start_training_on_annotation_update: true makes the server store min_annotations_to_start_training: 1, not 5 (set only one of them) (at /spec/start_training_on_annotation_update)',
  ],
  [
    'an integer the server cannot store',
    '  maximum_annotations: 3000000000\n',
    'p.yaml:6:24: error: spec.maximum_annotations must be <= 2147483647, got 3000000000 (at /spec/maximum_annotations)',
  ],
  [
    'complete control weights',
    `${CONFIG}  control_weights:\n    c: {overall: 0.5, type: Choices, labels: {a: 1, b: 0.25}}\n`,
    undefined,
  ],
  [
    'control weights missing a label',
    `${CONFIG}  control_weights:\n    c: {overall: 0.5, type: Choices, labels: {a: 1}}\n`,
    'p.yaml:8:8: error: control_weights.c has no weight for "b"; the server would add 1.0, so list every label (at /spec/control_weights/c)',
  ],
  [
    'control weights for a control that does not exist',
    `${CONFIG}  control_weights:\n    c: {overall: 0.5, type: Choices, labels: {a: 1, b: 1}}\n    other: {overall: 1, type: Labels}\n`,
    'p.yaml:9:12: error: control_weights.other: the label config has no control "other"; the server would drop it (at /spec/control_weights/other)',
  ],
  [
    'control weights without a control',
    `${CONFIG}  control_weights: {}\n`,
    'p.yaml:7:20: error: control_weights has no entry for control "c" (Choices); the server would add one, so list every control (at /spec/control_weights)',
  ],
  [
    'control weights with the wrong type',
    `${CONFIG}  control_weights:\n    c: {overall: 1, type: Labels, labels: {a: 1, b: 1}}\n`,
    'p.yaml:8:27: error: control_weights.c.type must be "Choices", the control\'s tag (at /spec/control_weights/c/type)',
  ],
];

for (const [name, spec, expected] of cases) {
  test(name, async () => {
    const r = await validate(spec);
    if (expected === undefined) {
      assert.equal(r.lines, []);
      assert.is(r.code, 0);
    } else {
      assert.equal(r.lines, [expected]);
      assert.is(r.code, 1);
    }
  });
}

test.run();
