/**
 * /api/webhooks/ as labelform's Webhook kind relies on it (reference §6.2, measured on 1.23.2):
 * what a webhook looks like, that `headers` (labelform's marker among them) come back in full and
 * a PATCH replaces them, that a PATCH without `actions` clears them, that `project` cannot be
 * changed, that the API makes no organization webhooks, and the errors for what the manifest
 * checks stop first. The test server runs with SSRF_PROTECTION_ENABLED=false (127.0.0.1 URLs).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyBefore } from '../helpers/applicable.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { releaseAtLeast, SENTIMENT_CONFIG, refusal, useTarget } from './target.ts';

const { t, client } = useTarget(test);
let projectA: number;
let projectB: number;

test.before(async () => {
  projectA = t.track((await client.createProject({ title: `${t.prefix} hooks A`, label_config: SENTIMENT_CONFIG })).id);
  projectB = t.track((await client.createProject({ title: `${t.prefix} hooks B`, label_config: SENTIMENT_CONFIG })).id);
});

const post = (data: Record<string, unknown>) => client.http.request<LsWebhook>('POST', '/api/webhooks/', { data });
const patch = (id: number, data: Record<string, unknown>) =>
  client.http.request<LsWebhook>('PATCH', `/api/webhooks/${id}/`, { data });
const get = (id: number) => client.http.request<LsWebhook>('GET', `/api/webhooks/${id}/`);
const list = (params: Record<string, string | number> = {}) =>
  client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params });

test('a project webhook: fields, defaults, headers in full, listed per project and in the whole list', async () => {
  const w = await post({
    project: projectA,
    url: 'http://127.0.0.1:19/hook',
    headers: { 'X-Labelform-Managed': 'ns/one', Authorization: 'Bearer abc' },
    actions: ['ANNOTATION_CREATED'],
    send_for_all_actions: false,
  });
  assert.equal(
    {
      project: w.project,
      url: w.url,
      send_payload: w.send_payload,
      send_for_all_actions: w.send_for_all_actions,
      headers: w.headers,
      is_active: w.is_active,
      actions: w.actions,
    },
    {
      project: projectA,
      url: 'http://127.0.0.1:19/hook',
      send_payload: true,
      send_for_all_actions: false,
      headers: { 'X-Labelform-Managed': 'ns/one', Authorization: 'Bearer abc' },
      is_active: true,
      actions: ['ANNOTATION_CREATED'],
    },
  );
  assert.equal(
    (await list({ project: projectA })).map((x) => x.id),
    [w.id],
  );
  assert.equal(await list({ project: projectB }), []);
  assert.ok(
    (await list()).some((x) => x.id === w.id),
    "the list without ?project= holds every project's webhooks",
  );
});

test('trap: a PATCH without actions clears them; headers are replaced whole; project cannot change', async () => {
  const w = await post({
    project: projectA,
    url: 'http://127.0.0.1:19/a',
    headers: { A: '1', B: '2' },
    actions: ['TASKS_CREATED', 'ANNOTATION_CREATED'],
    send_for_all_actions: false,
  });
  const cleared = await patch(w.id, { is_active: false });
  assert.equal([cleared.is_active, cleared.actions], [false, []]);
  const replaced = await patch(w.id, { headers: { C: '3' }, actions: ['TASKS_CREATED'], project: projectB });
  assert.equal([replaced.headers, replaced.actions, replaced.project], [{ C: '3' }, ['TASKS_CREATED'], projectA]);
  assert.equal((await get(w.id)).project, projectA);
});

test('no organization webhooks through the API; organization-only actions refused on a project webhook', async () => {
  if (releaseAtLeast('1.20')) {
    const orphan = await refusal(post({ url: 'http://127.0.0.1:19/org', actions: ['PROJECT_CREATED'] }));
    assert.equal([orphan.status, orphan.detail], [404, 'Project not found.']);
  } else {
    // 1.17.0 and older make an organization webhook (labelform always sends a project).
    const made = await post({ url: 'http://127.0.0.1:19/org', actions: ['PROJECT_CREATED'] });
    assert.is(made.project, null);
    await client.http.request('DELETE', `/api/webhooks/${made.id}/`);
  }
  const orgAction = await refusal(
    post({ project: projectA, url: 'http://127.0.0.1:19/x', actions: ['PROJECT_CREATED'] }),
  );
  assert.is(orgAction.status, 400);
  assert.equal(orgAction.validationErrors, {
    non_field_errors: ["Project webhook can't contain organization-only action."],
  });
});

test('what the manifest checks first: header names, more than 10 headers, unknown actions, a missing project', async () => {
  const badName = await refusal(post({ project: projectA, url: 'http://127.0.0.1:19/x', headers: { 'bad key': 'v' } }));
  assert.equal([badName.status, Object.keys(badName.validationErrors ?? {})], [400, ['headers']]);
  const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`h${i}`, 'v']));
  assert.equal(
    Object.keys(
      (await refusal(post({ project: projectA, url: 'http://127.0.0.1:19/x', headers: many }))).validationErrors ?? {},
    ),
    ['headers'],
  );
  const action = await refusal(post({ project: projectA, url: 'http://127.0.0.1:19/x', actions: ['NOPE'] }));
  assert.equal([action.status, Object.keys(action.validationErrors ?? {})], [400, ['actions']]);
  assert.match(String(action.validationErrors?.actions), /NOPE.{0,4} is not a valid choice/);
  assert.equal((await refusal(list({ project: 987654 }))).status, 400);
});

onlyBefore(
  test,
  '1.17',
  'a one-digit port refused',
)("a URL with a one-digit port is refused before 1.17 (Django's old URL pattern); two digits are taken", async () => {
  const one = await refusal(post({ project: projectA, url: 'http://127.0.0.1:9/x' }));
  assert.equal([one.status, one.validationErrors?.url], [400, ['Enter a valid URL.']]);
  const two = await post({ project: projectA, url: 'http://127.0.0.1:19/x' });
  await client.http.request('DELETE', `/api/webhooks/${two.id}/`);
});

test('a deleted project takes its webhooks with it', async () => {
  const doomed = (await client.createProject({ title: `${t.prefix} hooks doomed`, label_config: SENTIMENT_CONFIG })).id;
  const w = await post({ project: doomed, url: 'http://127.0.0.1:19/d' });
  await client.deleteProject(doomed);
  assert.equal((await refusal(get(w.id))).status, 404);
});

test.run();
