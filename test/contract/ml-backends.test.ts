/**
 * /api/ml/ as labelform's MlBackend kind relies on it (reference §6.3, measured on 1.23.2), with a
 * real minimal backend on 127.0.0.1 (the test server runs with ML_BLOCK_LOCAL_IP=false): the
 * server calls the backend on create, update and every read; an update needs `url` and `project`
 * in its body; the password is never answered and kept when not sent; a dead backend refuses a
 * create and reads as Disconnected, quickly; the list needs a project.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom } from '../helpers/applicable.ts';
import type { LsMlBackend } from '../../src/kinds/ml-backend/types.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';
import { SENTIMENT_CONFIG, refusal, useTarget } from './target.ts';

const { t, client } = useTarget(test);
let ml: MlBackend;
let secured: MlBackend;

test.before(async () => {
  ml = await startMlBackend({ modelVersion: 'contract-v1' });
  secured = await startMlBackend({ basicAuth: { user: 'bot', pass: 'pw-1234567890' } });
});

test.after(async () => {
  await ml.stop();
  await secured.stop();
});

async function project(name: string): Promise<number> {
  return t.track((await client.createProject({ title: `${t.prefix} ${name}`, label_config: SENTIMENT_CONFIG })).id);
}

const post = (data: Record<string, unknown>) => client.http.request<LsMlBackend>('POST', '/api/ml/', { data });
const patch = (id: number, data: Record<string, unknown>) =>
  client.http.request<LsMlBackend>('PATCH', `/api/ml/${id}`, { data, idempotent: true });

onlyFrom(
  test,
  '1.13',
  "a backend's model version taken at create (1.8.2 leaves it empty)",
)(
  'create calls the backend (health, setup), takes its model version, names the project model_version after it, and adds a webhook',
  async () => {
    const p = await project('ml create');
    const before = ml.calls.length;
    const b = await post({
      project: p,
      url: ml.url,
      title: 'Sentiment model',
      description: 'note\n\n[labelform] Managed from git (namespace: ns, key: m).',
      extra_params: { threshold: 0.5 },
    });
    assert.equal(
      [b.project, b.url, b.title, b.state, b.model_version, b.auto_update, b.timeout, b.basic_auth_pass_is_set],
      [p, ml.url, 'Sentiment model', 'CO', 'contract-v1', true, 100, false],
    );
    assert.is(b.description, 'note\n\n[labelform] Managed from git (namespace: ns, key: m).');
    assert.equal(
      ml.calls
        .slice(before)
        .map((c) => c.path)
        .slice(0, 2),
      ['/health', '/setup'],
    );
    assert.is((await client.getProject(p)).model_version, 'Sentiment model');
    // ...and adds a webhook of its own to the project, to <url>/webhook for every action.
    const hooks = await client.http.request<
      Array<{ url: string; send_for_all_actions: boolean; headers: Record<string, string> }>
    >('GET', '/api/webhooks/', { params: { project: p } });
    assert.equal(
      hooks.map((h) => [h.url, h.send_for_all_actions, h.headers]),
      [[`${ml.url}/webhook`, true, {}]],
    );
    const listed = await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: p } });
    assert.equal(
      listed.map((x) => x.id),
      [b.id],
    );
  },
);

test('trap: an update without url or project fails with a 500; with both it works', async () => {
  const p = await project('ml patch');
  const b = await post({ project: p, url: ml.url, title: 'A' });
  const noUrl = await refusal(patch(b.id, { title: 'B' }));
  assert.is(noUrl.status, 500);
  const noProject = await refusal(patch(b.id, { title: 'B', url: ml.url }));
  assert.is(noProject.status, 500);
  const ok = await patch(b.id, { title: 'B', url: ml.url, project: p });
  assert.is(ok.title, 'B');
});

onlyFrom(
  test,
  '1.13',
  'ML backends with basic auth (1.8.2 calls /health without it)',
)(
  'basic auth: the password is never answered, is required to create, and is kept by an update that sends it empty',
  async () => {
    const p = await project('ml auth');
    const wrong = await refusal(
      post({
        project: p,
        url: secured.url,
        auth_method: 'BASIC_AUTH',
        basic_auth_user: 'bot',
        basic_auth_pass: 'wrong-password',
      }),
    );
    assert.is(wrong.status, 400);
    assert.match(
      String(wrong.validationErrors?.non_field_errors),
      /authentication parameters were either not provided or are incorrect/,
    );
    const b = await post({
      project: p,
      url: secured.url,
      auth_method: 'BASIC_AUTH',
      basic_auth_user: 'bot',
      basic_auth_pass: 'pw-1234567890',
    });
    assert.equal([b.basic_auth_pass_is_set, 'basic_auth_pass' in b], [true, false]);
    // Basic auth without the password key is refused; an empty one keeps the stored password.
    const missing = await refusal(
      patch(b.id, {
        url: secured.url,
        project: p,
        title: 'Renamed',
        auth_method: 'BASIC_AUTH',
        basic_auth_user: 'bot',
      }),
    );
    assert.match(
      String(missing.validationErrors?.non_field_errors),
      /Authentication username and password is required for Basic Authentication/,
    );
    const kept = await patch(b.id, {
      url: secured.url,
      project: p,
      title: 'Renamed',
      auth_method: 'BASIC_AUTH',
      basic_auth_user: 'bot',
      basic_auth_pass: '',
    });
    assert.equal([kept.title, kept.state, kept.basic_auth_pass_is_set], ['Renamed', 'CO', true]);
  },
);

test('a dead backend: a create is refused with the server message; an existing one reads as Disconnected, quickly', async () => {
  const p = await project('ml dead');
  const dead = await refusal(post({ project: p, url: 'http://127.0.0.1:9', title: 'Dead' }));
  assert.is(dead.status, 400);
  assert.match(
    String(dead.validationErrors?.non_field_errors),
    /Can't connect to ML backend http:\/\/127\.0\.0\.1:9, health check failed/,
  );
  const doomed = await startMlBackend();
  const b = await post({ project: p, url: doomed.url, title: 'Soon dead' });
  await doomed.down();
  const started = Date.now();
  const listed = await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: p } });
  assert.equal(
    listed.map((x) => [x.id, x.state]),
    [[b.id, 'DI']],
  );
  assert.ok(Date.now() - started < 5000, `reading a project with a dead backend took ${Date.now() - started} ms`);
});

test('the list needs a project', async () => {
  const e = await refusal(client.http.request('GET', '/api/ml/'));
  assert.is(e.status, 404);
});

test.run();
