/**
 * An ML backend declared in git, against the real server and a real minimal backend on
 * 127.0.0.1 with basic auth: created with its project, asked for predictions, converged; edited on
 * the server (drift names it, apply restores it); its password rotated (one update that sends
 * only the password again); the backend dead (plan still answers, quickly, and changes nothing).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom } from '../helpers/applicable.ts';
import type { LsMlBackend } from '../../src/kinds/ml-backend/types.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';
import { api, cli, makeRepo, markedProjectId, projectManifest, uniqueNamespace } from './support.ts';

const client = api();
const PASS_1 = 'ml-pass-7d1e0c55aa';
const PASS_2 = 'ml-pass-rotated-91bf3e';
let ml: MlBackend;

test.before(async () => {
  ml = await startMlBackend({ basicAuth: { user: 'bot', pass: PASS_1 }, choice: 'Positive' });
});
test.after(async () => {
  await ml.stop();
});

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';

onlyFrom(
  test,
  '1.13',
  'ML backends with basic auth (1.8.2 calls /health without it)',
)(
  'an ML backend with basic auth: applied, predictions requested, drift and restore, a rotated password, a dead backend',
  async () => {
    const ns = uniqueNamespace('ml');
    const dir = await makeRepo(ns, {
      'p.yaml': projectManifest('scored', `  title: ML ${ns}\n  label_config: '${CONFIG}'\n`),
      'm.yaml': `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: sentiment-model\nspec:\n  project: scored\n  url: ${ml.url}\n  title: Sentiment model\n  auth_method: BASIC_AUTH\n  basic_auth_user: bot\n  basic_auth_pass: \${env:ML_PASS}\n  extra_params:\n    threshold: 0.5\n`,
    });
    const env = { ML_PASS: PASS_1 };
    const plan = await cli(dir, ['plan'], env);
    assert.is(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /\+ create\s+MlBackend scored\/sentiment-model/);
    assert.match(plan.stdout, /note: the server calls the backend \(\/health, \/setup\) while creating it/);
    assert.match(plan.stdout, /basic_auth_pass\s+\(sensitive, changed: \$\{env:ML_PASS\}\)/);
    const applied = await cli(dir, ['apply', '--auto-approve'], env);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    for (const out of [plan.stdout, applied.stdout, applied.stderr]) assert.not.ok(out.includes(PASS_1));

    const projectId = await markedProjectId(ns, 'scored');
    const [backend] = await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: projectId } });
    assert.equal(
      [backend!.title, backend!.state, backend!.basic_auth_pass_is_set, backend!.extra_params],
      ['Sentiment model', 'CO', true, { threshold: 0.5 }],
    );
    assert.ok(
      ml.calls.some(
        (c) =>
          c.path === '/setup' && c.headers.authorization === `Basic ${Buffer.from(`bot:${PASS_1}`).toString('base64')}`,
      ),
    );
    assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0);

    // Predictions: the Data Manager asks the backend for the project's tasks.
    await client.importTasks(projectId, [{ text: 'lovely' }]);
    await client.http.request('POST', '/api/dm/actions/', {
      params: { id: 'retrieve_tasks_predictions', project: projectId },
      data: { selectedItems: { all: true, excluded: [] } },
    });
    assert.ok(
      ml.calls.some((c) => c.path === '/predict'),
      'the backend was asked for predictions',
    );
    // Read the predictions themselves: the task counters come from model signals, which earlier
    // suites' concurrent project deletes can leave switched off on the shared test server.
    let taskId = 0;
    for await (const page of client.listTasks(projectId, { pageSize: 10 })) taskId = page[0]!.id;
    const predictions = await client.http.request<Array<{ model_version: string; result: unknown[] }>>(
      'GET',
      '/api/predictions/',
      { params: { task: taskId } },
    );
    assert.equal(
      predictions.map((p) => p.model_version),
      ['test-model-1'],
    );

    // Edited on the server: drift names it, apply restores it.
    await client.http.request('PATCH', `/api/ml/${backend!.id}`, {
      data: {
        project: projectId,
        url: ml.url,
        title: 'Renamed by hand',
        auth_method: 'BASIC_AUTH',
        basic_auth_user: 'bot',
        basic_auth_pass: '',
      },
      idempotent: true,
    });
    const drift = await cli(dir, ['drift'], env);
    assert.is(drift.code, 2, drift.stdout + drift.stderr);
    assert.match(drift.stdout, /MlBackend scored\/sentiment-model \(id \d+\)/);
    assert.match(drift.stdout, /title: server has "Renamed by hand", git has "Sentiment model"/);
    assert.is((await cli(dir, ['apply', '--auto-approve'], env)).code, 0);
    assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0);

    // The password is rotated: one update that sends only the password again.
    ml.setBasicAuth({ user: 'bot', pass: PASS_2 });
    const rotated = await cli(dir, ['plan', '--json'], { ML_PASS: PASS_2 });
    const json = JSON.parse(rotated.stdout);
    assert.equal(
      json.changes
        .filter((c: { action: string }) => c.action !== 'no-op')
        .map((c: { kind: string; action: string; fields: Array<{ field: string; sensitive?: boolean }> }) => [
          c.kind,
          c.action,
          c.fields,
        ]),
      [['MlBackend', 'update', [{ field: 'basic_auth_pass', sensitive: true, env: ['ML_PASS'] }]]],
    );
    assert.not.ok(rotated.stdout.includes(PASS_2));
    const sent = await cli(dir, ['apply', '--auto-approve'], { ML_PASS: PASS_2 });
    assert.is(sent.code, 0, sent.stdout + sent.stderr);
    const after = await client.http.request<LsMlBackend>('GET', `/api/ml/${backend!.id}`);
    assert.is(after.state, 'CO', 'the server reaches the backend with the new password');
    assert.is((await cli(dir, ['plan', '--detailed-exitcode'], { ML_PASS: PASS_2 })).code, 0);

    // The backend dies: plan still answers, quickly, and plans nothing.
    await ml.down();
    const started = Date.now();
    const dead = await cli(dir, ['plan', '--detailed-exitcode'], { ML_PASS: PASS_2 });
    assert.is(dead.code, 0, dead.stdout + dead.stderr);
    assert.ok(Date.now() - started < 15_000, `plan with a dead backend took ${Date.now() - started} ms`);
  },
);

test.run();
