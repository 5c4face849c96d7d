/**
 * Label config validation: the global validator (no auth, plain DRF error bodies), the strict
 * per-project validator (`null`, not `false`, for "nothing essential changed"; removed labels
 * still in annotations refused), and the project summary it trusts — which counts annotations
 * made through the API and not those that came in through /import.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom } from '../helpers/applicable.ts';
import { SENTIMENT_CONFIG, choice, expectApiError, rawRequest, useTarget } from './target.ts';

const WITHOUT = (label: string) => SENTIMENT_CONFIG.replace(`<Choice value="${label}"/>`, '');

const { t, client } = useTarget(test);

test('global validate: 204 for a good config, without a token too', async () => {
  await client.validateConfig(SENTIMENT_CONFIG);
  const anonymous = await rawRequest(t.url, 'POST', '/api/projects/validate/', {
    body: { label_config: SENTIMENT_CONFIG },
  });
  assert.is(anonymous.status, 204);
  assert.is(anonymous.text, '');
});

test('global validate: a plain DRF 400 body, parsed into validationErrors.label_config', async () => {
  const err = await expectApiError(client.validateConfig(SENTIMENT_CONFIG.replace('toName="text"', 'toName="txt"')));
  assert.is(err.status, 400);
  assert.equal(err.validationErrors?.label_config, ["toName=\"txt\" not found in names: ['sentiment', 'text']"]);
  const raw = await rawRequest(t.url, 'POST', '/api/projects/validate/', {
    body: { label_config: '<View><Text name="t" value="$t"></View>' },
  });
  assert.is(raw.status, 400);
  assert.equal(JSON.parse(raw.text), { label_config: ['mismatched tag: line 1, column 34'] });
  const blank = await expectApiError(client.validateConfig('   '));
  assert.equal(blank.validationErrors?.label_config, ['This field may not be blank.']);
  const dup = await expectApiError(
    client.validateConfig('<View><Text name="t" value="$t"/><Text name="t" value="$u"/></View>'),
  );
  assert.equal(dup.validationErrors?.label_config, ['Label config contains non-unique names']);
  const schema = await expectApiError(
    client.validateConfig('<View><Text name="t" value="$t"/><Choices name="c" toName="t"/></View>'),
  );
  assert.equal(schema.validationErrors?.label_config, ["Validation failed on : 'Choice' is a required property"]);
});

test('per-project validate: null when nothing essential changes, true when it does (no tasks yet)', async () => {
  const p = await client.createProject({ title: `${t.prefix} pval`, label_config: SENTIMENT_CONFIG });
  t.track(p.id);
  assert.equal(await client.validateProjectConfig(p.id, SENTIMENT_CONFIG), { config_essential_data_has_changed: null });
  const added = SENTIMENT_CONFIG.replace('</Choices>', '<Choice value="Mixed"/></Choices>');
  assert.equal(await client.validateProjectConfig(p.id, added), { config_essential_data_has_changed: null });
  assert.equal(await client.validateProjectConfig(p.id, WITHOUT('Positive')), {
    config_essential_data_has_changed: true,
  });
  const newControl = SENTIMENT_CONFIG.replace('</View>', '<TextArea name="notes" toName="text"/></View>');
  assert.equal(await client.validateProjectConfig(p.id, newControl), { config_essential_data_has_changed: true });
  const empty = await expectApiError(client.validateProjectConfig(p.id, ''));
  assert.equal(empty.validationErrors?.non_field_errors, ['Label config is not set or is empty']);
  const malformed = await expectApiError(client.validateProjectConfig(p.id, '<View><Text name="t" value="$t"></View>'));
  assert.is(malformed.status, 400);
  assert.is(malformed.validationErrors, undefined);
  assert.match(malformed.detail, 'Opening and ending tag mismatch');
});

onlyFrom(
  test,
  '1.13',
  'the wording of strict validate of 1.13 and later (1.8.2 runs the sentences together)',
)('summary and strict validate after annotations made through the API', async () => {
  const p = await client.createProject({ title: `${t.prefix} summary`, label_config: SENTIMENT_CONFIG });
  t.track(p.id);
  const imported = await client.importTasks(p.id, [{ text: 'good day' }, { text: 'fine' }, { text: 'bad day' }], {
    returnTaskIds: true,
  });
  const [a, b, c] = imported.task_ids!;
  for (const [task, label] of [
    [a, 'Positive'],
    [b, 'Positive'],
    [c, 'Negative'],
  ] as const) {
    const annotation = await client.createAnnotation(task!, choice(label));
    assert.is(annotation.task, task);
    assert.is(annotation.ground_truth, false);
    assert.is(annotation.completed_by, (await client.whoami()).id);
  }
  const summary = await client.projectSummary(p.id);
  assert.equal(Object.keys(summary), [
    'project',
    'created_at',
    'all_data_columns',
    'common_data_columns',
    'created_annotations',
    'created_labels',
    'created_labels_drafts',
  ]);
  assert.is(summary.project, p.id);
  assert.equal(summary.common_data_columns, ['text']);
  assert.ok(summary.all_data_columns?.text, 'text is a data column');
  assert.equal(summary.created_annotations, { 'sentiment|text|choices': 3 });
  assert.equal(summary.created_labels, { sentiment: { Positive: 2, Negative: 1 } });
  assert.equal(summary.created_labels_drafts, {});

  const positive = await expectApiError(client.validateProjectConfig(p.id, WITHOUT('Positive')));
  assert.is(positive.status, 400);
  assert.equal(positive.validationErrors?.non_field_errors, [
    'These labels still exist in annotations or drafts:\nPositive (2 annotations)\nPlease add labels to tag with name="sentiment".',
  ]);
  const negative = await expectApiError(client.validateProjectConfig(p.id, WITHOUT('Negative')));
  assert.equal(negative.validationErrors?.non_field_errors, [
    'These labels still exist in annotations or drafts:\nNegative (1 annotation)\nPlease add labels to tag with name="sentiment".',
  ]);
  assert.equal(await client.validateProjectConfig(p.id, WITHOUT('Neutral')), {
    config_essential_data_has_changed: true,
  });
  assert.equal(await client.validateProjectConfig(p.id, SENTIMENT_CONFIG), { config_essential_data_has_changed: null });
  const renamed = await expectApiError(
    client.validateProjectConfig(p.id, SENTIMENT_CONFIG.replace('name="sentiment"', 'name="mood"')),
  );
  assert.equal(renamed.validationErrors?.non_field_errors, [
    'Created annotations are incompatible with provided labeling schema, we found:\n3 with from_name=sentiment, to_name=text, type=choices',
  ]);
  // Removing the only control passes: the check returns early when no control is left.
  assert.equal(await client.validateProjectConfig(p.id, '<View><Text name="text" value="$text"/></View>'), {
    config_essential_data_has_changed: null,
  });

  // PATCH is not strict: it accepts a config that drops a label still in use.
  const patched = await client.updateProject(p.id, { label_config: WITHOUT('Positive') });
  assert.is(patched.label_config, WITHOUT('Positive'));
  const incompatible = await expectApiError(
    client.updateProject(p.id, {
      label_config: SENTIMENT_CONFIG.replace(/Choices/g, 'Labels').replace(/Choice /g, 'Label '),
    }),
  );
  assert.match(
    incompatible.validationErrors?.label_config?.[0] ?? '',
    'Created annotations are incompatible with provided labeling schema',
  );
});

test('annotations that came in through /import are invisible to the summary and to validate', async () => {
  const p = await client.createProject({ title: `${t.prefix} blind`, label_config: SENTIMENT_CONFIG });
  t.track(p.id);
  const result = await client.importTasks(p.id, [
    { data: { text: 'a' }, annotations: [choice('Positive')] },
    { data: { text: 'b' }, annotations: [choice('Positive')] },
  ]);
  assert.is(result.annotation_count, 2);
  const summary = await client.projectSummary(p.id);
  assert.equal(summary.created_annotations, {});
  assert.equal(summary.created_labels, {});
  assert.equal(await client.validateProjectConfig(p.id, WITHOUT('Positive')), {
    config_essential_data_has_changed: true,
  });
});

test.run();
