/**
 * Projects: what the reconciler relies on when it creates, reads, updates and deletes them —
 * the response shape, defaults, trimming, title and colour rules, control_weights and
 * expert_instruction rewriting, config errors, 404s and trailing slashes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabelStudioClient } from '../../src/api/client.ts';
import { PROJECT_FIELD_SINCE, PROJECT_FIELDS } from '../../src/kinds/project/fields.ts';
import { onlyFrom } from '../helpers/applicable.ts';
import { projectNotFound, releaseAtLeast, SENTIMENT_CONFIG, expectApiError, rawRequest, useTarget } from './target.ts';

const KEYS = [
  'id',
  'title',
  'description',
  'label_config',
  'expert_instruction',
  'show_instruction',
  'show_skip_button',
  'enable_empty_annotation',
  'show_annotation_history',
  'organization',
  'color',
  'maximum_annotations',
  'is_published',
  'model_version',
  'is_draft',
  'created_by',
  'created_at',
  'min_annotations_to_start_training',
  'start_training_on_annotation_update',
  'show_collab_predictions',
  'num_tasks_with_annotations',
  'task_number',
  'useful_annotation_number',
  'ground_truth_number',
  'skipped_annotations_number',
  'total_annotations_number',
  'total_predictions_number',
  'sampling',
  'show_ground_truth_first',
  'annotator_evaluation_enabled',
  'show_overlap_first',
  'overlap_cohort_percentage',
  'task_data_login',
  'task_data_password',
  'control_weights',
  'parsed_label_config',
  'evaluate_predictions_automatically',
  'config_has_control_tags',
  'skip_queue',
  'reveal_preannotations_interactively',
  'pinned_at',
  'finished_task_number',
  'queue_total',
  'queue_done',
  'config_suitable_for_bulk_annotation',
  'state',
];
const COUNTERS = [
  'num_tasks_with_annotations',
  'task_number',
  'useful_annotation_number',
  'ground_truth_number',
  'skipped_annotations_number',
  'total_annotations_number',
  'total_predictions_number',
  'finished_task_number',
];

/**
 * 1.23 answers exactly KEYS, in order. An older release answers its own set (fewer counters and
 * flags): there every field labelform manages that the release has must be in it, and none it
 * lacks (PROJECT_FIELD_SINCE).
 */
function expectKeys(p: object): void {
  const keys = Object.keys(p);
  if (releaseAtLeast('1.23')) return assert.equal(keys, KEYS);
  for (const f of PROJECT_FIELDS)
    assert.is(keys.includes(f), releaseAtLeast(PROJECT_FIELD_SINCE[f] ?? '0.0.0'), `managed field ${f} in the answer`);
}

const { t, client } = useTarget(test);

async function create(body: Parameters<LabelStudioClient['createProject']>[0]) {
  const p = await client.createProject(body);
  t.track(p.id);
  return p;
}

test('create answers 201 with the 46 keys in order, defaults, and null counters; GET has numbers', async () => {
  const p = await create({ title: `${t.prefix} defaults` });
  expectKeys(p);
  // Older releases answer fewer counters: those they answer are null.
  const counters = COUNTERS.filter((k) => releaseAtLeast('1.23') || k in p);
  for (const k of counters) assert.is(p[k], null, `${k} in the create response`);
  assert.is(p.label_config, '<View></View>');
  assert.is(p.color, '#FFFFFF');
  assert.is(p.description, '');
  assert.is(p.expert_instruction, '');
  assert.is(p.maximum_annotations, 1);
  assert.is(p.sampling, 'Sequential sampling');
  assert.is(p.skip_queue, 'REQUEUE_FOR_OTHERS');
  assert.is(p.show_skip_button, true);
  assert.is(p.overlap_cohort_percentage, 100);
  assert.equal(p.control_weights, {});
  assert.equal(p.parsed_label_config, {});
  assert.is(p.config_has_control_tags, false);
  assert.is(p.pinned_at, null);
  if (releaseAtLeast('1.23')) assert.is(p.state, null);
  const got = await client.getProject(p.id);
  expectKeys(got);
  for (const k of counters) assert.is(got[k], 0, `${k} on GET`);
  if (releaseAtLeast('1.23')) assert.is(got.queue_total, 0);
});

test('title, description and label_config are trimmed like Python str.strip() (NBSP yes, zero-width space no)', async () => {
  const p = await create({
    title: `  \u00a0${t.prefix} trim \n\t`,
    description: '\n desc  with  inner \n',
    label_config: `\n  ${SENTIMENT_CONFIG}\n\n`,
  });
  assert.is(p.title, `${t.prefix} trim`);
  assert.is(p.description, 'desc  with  inner');
  assert.is(p.label_config, SENTIMENT_CONFIG);
  const zw = await create({ title: `${t.prefix} zw\u200b` });
  assert.is(zw.title, `${t.prefix} zw\u200b`);
  const got = await client.getProject(p.id);
  assert.is(got.title, p.title);
  assert.is(got.label_config, SENTIMENT_CONFIG);
});

test('title too short or too long (after trimming) is a 400 with validation_errors.title', async () => {
  const short = await expectApiError(client.createProject({ title: '  ab  ' }));
  assert.is(short.status, 400);
  assert.equal(short.validationErrors?.title, ['Ensure this field has at least 3 characters.']);
  const long = await expectApiError(client.createProject({ title: `${t.prefix}${'x'.repeat(51 - t.prefix.length)}` }));
  assert.is(long.status, 400);
  assert.equal(long.validationErrors?.title, ['Ensure this field has no more than 50 characters.']);
  const fifty = await create({ title: `${t.prefix}${'y'.repeat(50 - t.prefix.length)}` });
  assert.is(fifty.title?.length, 50);
  const p = await create({ title: `${t.prefix} patch` });
  const patched = await expectApiError(client.updateProject(p.id, { title: 'a' }));
  assert.equal(patched.validationErrors?.title, ['Ensure this field has at least 3 characters.']);
});

onlyFrom(
  test,
  '1.20',
  'the server checking colours (1.17.0 and older store "red")',
)('colour must be #RRGGBB; the case of a valid one is kept', async () => {
  for (const color of ['red', '#abc']) {
    const err = await expectApiError(client.createProject({ title: `${t.prefix} color`, color }));
    assert.is(err.status, 400);
    assert.equal(err.validationErrors?.color, ['Color must be in "#RRGGBB" format']);
  }
  const p = await create({ title: `${t.prefix} color`, color: '#AbCdEf' });
  assert.is(p.color, '#AbCdEf');
});

test('titles are not unique: the same title twice makes two projects', async () => {
  const a = await create({ title: `${t.prefix} twin` });
  const b = await create({ title: `${t.prefix} twin` });
  assert.is.not(a.id, b.id);
  assert.is(a.title, b.title);
});

test('ids only grow: creates one after the other get consecutive ids, and a deleted highest id is not given again', async () => {
  // apply skips its read after a create when the answer's id follows the highest one it knows.
  const a = await create({ title: `${t.prefix} id a` });
  const b = await create({ title: `${t.prefix} id b` });
  assert.is(b.id, a.id + 1);
  await client.deleteProject(b.id);
  const c = await create({ title: `${t.prefix} id c` });
  assert.is(c.id, b.id + 1, 'the deleted id is not reused');
});

test('PATCH changes only what it is given and answers the full object; unknown and read-only fields are ignored', async () => {
  const p = await create({ title: `${t.prefix} patch me`, description: 'keep me', label_config: SENTIMENT_CONFIG });
  const patched = await client.updateProject(p.id, {
    title: `${t.prefix} patched`,
    maximum_annotations: 3,
    bogus_field: 1,
    task_number: 5,
  });
  expectKeys(patched);
  assert.is(patched.title, `${t.prefix} patched`);
  assert.is(patched.description, 'keep me');
  assert.is(patched.maximum_annotations, 3);
  assert.is(patched.task_number, 0);
  assert.is(patched.id, p.id);
  const published = await client.updateProject(p.id, { is_published: true, is_draft: true });
  assert.is(published.is_published, true);
  // From 1.23 `Project.save()` clears is_draft on a published project; 1.20.0 keeps both.
  assert.is(published.is_draft, !releaseAtLeast('1.23'));
  const nulls = await client.updateProject(p.id, { description: null });
  assert.is(nulls.description, null);
});

test('control_weights: generated from the config, kept verbatim when PATCHed alone, regenerated from {}', async () => {
  const p = await create({ title: `${t.prefix} weights`, label_config: SENTIMENT_CONFIG });
  assert.equal(p.control_weights, {
    sentiment: { overall: 1, type: 'Choices', labels: { Positive: 1, Negative: 1, Neutral: 1 } },
  });
  const custom = { other: { overall: 0.5, type: 'Labels' } };
  assert.equal((await client.updateProject(p.id, { control_weights: custom })).control_weights, custom);
  assert.equal((await client.getProject(p.id)).control_weights, custom);
  const regenerated = await client.updateProject(p.id, { control_weights: {} });
  assert.equal(regenerated.control_weights, {
    sentiment: { overall: 1, type: 'Choices', labels: { Positive: 1, Negative: 1, Neutral: 1 } },
  });
  await client.updateProject(p.id, {
    control_weights: { sentiment: { overall: 0.5, type: 'Choices', labels: { Positive: 0.25 } } },
  });
  const merged = await client.updateProject(p.id, {
    label_config: SENTIMENT_CONFIG.replace(
      '<Choice value="Neutral"/>',
      '<Choice value="Neutral"/><Choice value="Mixed"/>',
    ),
  });
  assert.equal(merged.control_weights, {
    sentiment: { overall: 0.5, type: 'Choices', labels: { Positive: 0.25, Negative: 1, Neutral: 1, Mixed: 1 } },
  });
  const err = await expectApiError(client.updateProject(p.id, { control_weights: null }));
  assert.is(err.status, 500);
});

onlyFrom(
  test,
  '1.13',
  'parsed_label_config in the shape of 1.13 and later',
)('parsed_label_config is derived from the config', async () => {
  const p = await create({ title: `${t.prefix} parsed`, label_config: SENTIMENT_CONFIG });
  assert.equal(p.parsed_label_config, {
    sentiment: {
      type: 'Choices',
      to_name: ['text'],
      inputs: [{ type: 'Text', valueType: null, value: 'text' }],
      labels: ['Positive', 'Negative', 'Neutral'],
      labels_attrs: { Positive: { value: 'Positive' }, Negative: { value: 'Negative' }, Neutral: { value: 'Neutral' } },
    },
  });
  assert.is(p.config_has_control_tags, true);
  // Not in the answer of 1.13.1 and older.
  if (releaseAtLeast('1.17')) assert.is(p.config_suitable_for_bulk_annotation, true);
});

test('expert_instruction is re-serialised: event handlers and javascript: URLs go, <script> stays', async () => {
  const p = await create({
    title: `${t.prefix} instr`,
    expert_instruction:
      '<script>alert(1)</script><b>x</b><img src=x onerror=alert(1)><a href="javascript:alert(1)">a</a><p onclick="x">p</p>',
  });
  assert.is(p.expert_instruction, '<script>alert(1)</script><b>x</b><img src="x"><a>a</a><p>p</p>');
  const escaped = await client.updateProject(p.id, { expert_instruction: 'a < b & c' });
  assert.is(escaped.expert_instruction, 'a &lt; b &amp; c');
});

test('a malformed config: 400 label_config error on create, bare lxml detail on PATCH; an encoding declaration is a 500', async () => {
  const bad = '<View><Text name="t" value="$t"></View>';
  const onCreate = await expectApiError(client.createProject({ title: `${t.prefix} xml`, label_config: bad }));
  assert.is(onCreate.status, 400);
  assert.equal(onCreate.validationErrors?.label_config, ['mismatched tag: line 1, column 34']);
  const p = await create({ title: `${t.prefix} xml` });
  const onPatch = await expectApiError(client.updateProject(p.id, { label_config: bad }));
  assert.is(onPatch.status, 400);
  assert.is(onPatch.validationErrors, undefined);
  assert.is(
    onPatch.detail,
    'Opening and ending tag mismatch: Text line 1 and View, line 1, column 40 (<string>, line 1)',
  );
  const badToName = await expectApiError(
    client.updateProject(p.id, {
      label_config:
        '<View><Text name="text" value="$text"/><Choices name="c" toName="nope"><Choice value="A"/></Choices></View>',
    }),
  );
  assert.equal(badToName.validationErrors?.label_config, ["toName=\"nope\" not found in names: ['c', 'text']"]);
  const declared = await expectApiError(
    client.updateProject(p.id, { label_config: '<?xml version="1.0" encoding="utf-8"?><View></View>' }),
  );
  assert.is(declared.status, 500);
  assert.match(declared.detail, 'encoding declaration');
  const doctype = await expectApiError(
    client.createProject({ title: `${t.prefix} dtd`, label_config: '<!DOCTYPE View [<!ENTITY x "y">]><View></View>' }),
  );
  // defusedxml names what it forbids first: the DTD from 1.17, the entity on 1.13.1 and older.
  assert.equal(doctype.validationErrors?.label_config, [
    releaseAtLeast('1.17')
      ? "DTDForbidden(name='View', system_id=None, public_id=None)"
      : "EntitiesForbidden(name='x', system_id=None, public_id=None)",
  ]);
});

test('DELETE answers 204; the project is then a 404 ApiError', async () => {
  const p = await create({ title: `${t.prefix} delete` });
  await client.deleteProject(p.id);
  const err = await expectApiError(client.getProject(p.id));
  assert.is(err.status, 404);
  assert.is(err.kind, 'http');
  assert.is(err.detail, projectNotFound());
  const again = await expectApiError(client.deleteProject(p.id));
  assert.is(again.status, 404);
});

test('include= trims a project to the named fields; fields= is ignored', async () => {
  const p = await create({ title: `${t.prefix} include`, label_config: SENTIMENT_CONFIG });
  const trimmed = await client.http.request<Record<string, unknown>>('GET', `/api/projects/${p.id}/`, {
    params: { include: 'id,title' },
  });
  assert.equal(trimmed, { id: p.id, title: `${t.prefix} include` });
  const ignored = await client.http.request<Record<string, unknown>>('GET', `/api/projects/${p.id}/`, {
    params: { fields: 'id,title' },
  });
  expectKeys(ignored);
  const counter = await client.http.request<Record<string, unknown>>('GET', `/api/projects/${p.id}/`, {
    params: { include: 'task_number' },
  });
  assert.equal(counter, { task_number: 0 });
});

test('trailing slashes: a missing one is added back, an extra one is an HTML 404', async () => {
  const p = await create({ title: `${t.prefix} slashes` });
  const noSlash = await client.http.request<{ id: number }>('GET', `/api/projects/${p.id}`);
  assert.is(noSlash.id, p.id);
  const extra = await expectApiError(client.http.request('GET', `/api/projects/${p.id}/export/formats/`));
  assert.is(extra.status, 404);
  assert.is(extra.kind, 'not-label-studio');
  const unknown = await expectApiError(client.http.request('GET', '/api/nonexistent/'));
  assert.is(unknown.status, 404);
  assert.is(unknown.kind, 'not-label-studio');
  const nonNumeric = await expectApiError(client.http.request('GET', '/api/projects/abc/'));
  assert.is(nonNumeric.kind, 'not-label-studio');
});

test('field rules: choices, datetimes in UTC, no range checks', async () => {
  const p = await create({ title: `${t.prefix} fields` });
  const sampling = await expectApiError(client.updateProject(p.id, { sampling: 'uniform' }));
  assert.equal(sampling.validationErrors?.sampling, ['"uniform" is not a valid choice.']);
  const pinned = await client.updateProject(p.id, {
    pinned_at: '2026-01-02T03:04:05.123456+02:00',
    maximum_annotations: -1,
    overlap_cohort_percentage: 150,
  });
  assert.is(pinned.pinned_at, '2026-01-02T01:04:05.123456Z');
  assert.is(pinned.maximum_annotations, -1);
  assert.is(pinned.overlap_cohort_percentage, 150);
  const training = await client.updateProject(p.id, { start_training_on_annotation_update: true });
  assert.is(training.min_annotations_to_start_training, 1);
  const unpinned = await client.updateProject(p.id, { pinned_at: null });
  assert.is(unpinned.pinned_at, null);
});

test('title may be null or empty; PUT acts as a partial update; a non-JSON body is a 415', async () => {
  const nullTitle = await create({ title: null });
  assert.is(nullTitle.title, null);
  const empty = await create({});
  assert.is(empty.title, '');
  const put = await client.http.request<{ title: string; description: string }>('PUT', `/api/projects/${empty.id}/`, {
    data: { title: `${t.prefix} put` },
  });
  assert.is(put.title, `${t.prefix} put`);
  assert.is(put.description, '');
  const plain = await rawRequest(t.url, 'POST', '/api/projects/', {
    body: 'title',
    headers: { Authorization: `Token ${t.token}`, 'Content-Type': 'text/plain' },
  });
  assert.is(plain.status, 415);
  assert.is(JSON.parse(plain.text).detail, 'Unsupported media type "text/plain" in request.');
});

test.run();
