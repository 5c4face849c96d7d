/**
 * The whole project setup from git, as the issue states it: one project with two webhooks, an S3
 * import storage, an S3 export storage, an ML backend and two Data Manager tabs, against the real
 * server, moto, a webhook receiver and an ML backend on 127.0.0.1. Apply on a server without them
 * creates all and they work (tasks synced from the bucket, a webhook delivered, predictions
 * requested); plan is then empty; each sub-resource changed on the server is named by drift and
 * restored by apply; pull gives a repository that plans adoptions only; prune removes one
 * webhook and nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsMlBackend } from '../../src/kinds/ml-backend/types.ts';
import type { LsView } from '../../src/kinds/view/types.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { runCli, writeTree } from '../helpers/cli.ts';
import { api, cli, makeRepo, markedProjectId, projectManifest, serverEnv, uniqueNamespace } from './support.ts';

const client = api();
const deliveries: Array<{ path: string; action?: string }> = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    deliveries.push({
      path: req.url ?? '',
      action: (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { action?: string }).action,
    });
    res.end('ok');
  });
});
let hooks = '';
let ml: MlBackend;

test.before(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  ml = await startMlBackend();
});
test.after(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await ml.stop();
});

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const child = (kind: string, name: string, spec: string) =>
  `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: reviews\n${spec}`;

test('one project, two webhooks, two S3 storages, an ML backend, two views: apply, work, converge, drift, restore, pull, prune', async () => {
  const ns = uniqueNamespace('whole');
  const bucket = `${ns}-data`;
  s3.createBucket(bucket);
  s3.put(bucket, 'tasks/1.json', JSON.stringify({ text: 'from the bucket' }));
  const s3Spec = `  type: s3\n  bucket: ${bucket}\n  s3_endpoint: ${s3Server().url}\n  region_name: us-east-1\n  aws_access_key_id: \${env:S3_KEY}\n  aws_secret_access_key: \${env:S3_SECRET}\n`;
  const env = { S3_KEY: S3_KEY_ID, S3_SECRET: S3_SECRET };
  const dir = await makeRepo(ns, {
    'project.yaml': projectManifest('reviews', `  title: Whole ${ns}\n  label_config: '${CONFIG}'\n`),
    'hook-train.yaml': child(
      'Webhook',
      'train',
      `  url: ${hooks}/train\n  send_for_all_actions: false\n  actions: [ANNOTATION_CREATED]\n`,
    ),
    'hook-audit.yaml': child(
      'Webhook',
      'audit',
      `  url: ${hooks}/audit\n  send_for_all_actions: false\n  actions: [TASKS_CREATED]\n`,
    ),
    'model.yaml': child('MlBackend', 'model', `  url: ${ml.url}\n  title: Reviews model\n`),
    'view-todo.yaml': child(
      'View',
      'todo',
      '  title: To do\n  filters:\n    conjunction: and\n    items:\n      - {filter: "filter:tasks:total_annotations", operator: equal, type: Number, value: 0}\n',
    ),
    'view-done.yaml': child('View', 'done', '  title: Done\n  ordering: ["-tasks:id"]\n'),
    'source.yaml': child('ImportStorage', 'source', `${s3Spec}  prefix: tasks/\n  use_blob_urls: false\n`),
    'target.yaml': child('ExportStorage', 'target', `${s3Spec}  prefix: annotations/\n`),
  });
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 8 created/);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0, 'plan right after apply has no changes');

  const projectId = await markedProjectId(ns, 'reviews');
  const webhooks = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: projectId } });
  const backends = await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: projectId } });
  const views = await client.http.request<LsView[]>('GET', '/api/dm/views/', { params: { project: projectId } });
  // Creating an ML backend makes the server add a webhook of its own (<url>/webhook, every
  // action, for training; a model signal, which earlier suites' concurrent project deletes can
  // leave switched off on the shared test server): labelform leaves that one alone.
  const ours = webhooks.filter((w) => w.headers?.['X-Labelform-Managed']);
  assert.equal([ours.length, backends.length, views.length], [2, 1, 2]);
  const serverMade = webhooks.filter((w) => !w.headers?.['X-Labelform-Managed']);
  assert.ok(
    serverMade.every((w) => w.url === `${ml.url}/webhook`),
    JSON.stringify(serverMade),
  );

  // They work: the bucket's task was synced; a task import and an annotation reach the webhooks;
  // the model is asked for predictions.
  assert.is((await client.getProject(projectId)).task_number, 1, 'the task from the bucket');
  await client.importTasks(projectId, [{ text: 'fine' }]);
  let taskId = 0;
  for await (const page of client.listTasks(projectId, { pageSize: 10 })) taskId = page[0]!.id;
  await client.createAnnotation(taskId, {
    result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Positive'] } }],
  });
  await client.http.request('POST', '/api/dm/actions/', {
    params: { id: 'retrieve_tasks_predictions', project: projectId },
    data: { selectedItems: { all: true, excluded: [] } },
  });
  const end = Date.now() + 10_000;
  while (
    !(deliveries.some((d) => d.path === '/train') && deliveries.some((d) => d.path === '/audit')) &&
    Date.now() < end
  )
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(
    [deliveries.find((d) => d.path === '/train')?.action, deliveries.find((d) => d.path === '/audit')?.action],
    ['ANNOTATION_CREATED', 'TASKS_CREATED'],
  );
  assert.ok(
    ml.calls.some((c) => c.path === '/predict'),
    'predictions were requested',
  );

  // Every sub-resource (all seven) changed on the server: drift names each, apply restores them all.
  const train = ours.find((w) => w.url.endsWith('/train'))!;
  const todo = views.find((v) => v.data?.title === 'To do')!;
  const done = views.find((v) => v.data?.title === 'Done')!;
  await client.http.request('PATCH', `/api/webhooks/${train.id}/`, {
    data: { url: `${hooks}/elsewhere`, actions: ['ANNOTATION_CREATED'] },
  });
  await client.http.request('PATCH', `/api/ml/${backends[0]!.id}`, {
    data: { project: projectId, url: ml.url, title: 'Renamed' },
    idempotent: true,
  });
  await client.http.request('PATCH', `/api/dm/views/${todo.id}/`, {
    data: { data: { ...todo.data, filters: { conjunction: 'or', items: [] } } },
  });
  await client.http.request('PATCH', `/api/dm/views/${done.id}/`, {
    data: { data: { ...done.data, ordering: ['tasks:id'] } },
  });
  const [source] = await client.http.request<Array<{ id: number }>>('GET', '/api/storages/', {
    params: { project: projectId },
  });
  await client.http.request('PATCH', `/api/storages/s3/${source!.id}`, {
    data: { project: projectId, prefix: 'elsewhere/' },
    idempotent: true,
  });
  const audit = ours.find((w) => w.url.endsWith('/audit'))!;
  await client.http.request('PATCH', `/api/webhooks/${audit.id}/`, { data: { actions: ['TASKS_DELETED'] } });
  const [target] = await client.http.request<Array<{ id: number }>>('GET', '/api/storages/export', {
    params: { project: projectId },
  });
  await client.http.request('PATCH', `/api/storages/export/s3/${target!.id}`, {
    data: { project: projectId, prefix: 'moved/' },
    idempotent: true,
  });
  const drift = await cli(dir, ['drift', '--json'], env);
  assert.is(drift.code, 2, drift.stderr);
  const entries = (
    JSON.parse(drift.stdout) as {
      entries: Array<{ resourceKind: string; key: string; fields: Array<{ field: string }> }>;
    }
  ).entries;
  assert.equal(entries.map((e) => `${e.resourceKind}/${e.key}: ${e.fields.map((f) => f.field).join(',')}`).sort(), [
    'ExportStorage/target: prefix',
    'ImportStorage/source: prefix',
    'MlBackend/model: title',
    'View/done: ordering',
    'View/todo: filters',
    'Webhook/audit: actions',
    'Webhook/train: url',
  ]);
  const restored = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(restored.code, 0, restored.stdout + restored.stderr);
  assert.match(restored.stdout, /0 created, 7 updated/);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0);

  // pull of that project: a repository whose plan adopts (the server's own ML webhook) and changes nothing.
  const out = await writeTree({});
  const pulled = await runCli(['pull', '--project', String(projectId), '--out', out, '--namespace', ns], {
    env: serverEnv(),
    cwd: out,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.is((pulled.stdout.match(/✔ /g) ?? []).length, 8 + serverMade.length, pulled.stdout);
  // The storages' secrets cannot be read back: pull writes ${env:...} references to set.
  const variables = [...pulled.stdout.matchAll(/written as \$\{env:(STORAGE_[A-Z0-9_]+)\}/g)].map((m) => m[1]!);
  assert.is(variables.length, 4, pulled.stdout);
  const pulledEnv = Object.fromEntries(variables.map((v) => [v, v.endsWith('_ACCESS_KEY_ID') ? S3_KEY_ID : S3_SECRET]));
  const fromPull = await runCli(['plan', '--json', '-C', out], { env: serverEnv(pulledEnv), cwd: out });
  assert.is(fromPull.code, 0, fromPull.stdout + fromPull.stderr);
  const pulledPlan = JSON.parse(fromPull.stdout) as { changes: Array<{ action: string; kind: string }> };
  assert.equal(
    pulledPlan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.kind}`),
    serverMade.map(() => 'adopt Webhook'),
  );

  // A webhook removed from git: apply --prune deletes it and nothing else.
  // Retired by deleting its file (an emptied or commented-out manifest is an error, never a delete).
  await rm(join(dir, 'hook-audit.yaml'));
  const pruned = await cli(dir, ['apply', '--auto-approve', '--prune'], env);
  assert.is(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /Apply complete: 0 created, 0 updated, 0 adopted, 1 deleted/);
  assert.equal(
    (await client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: projectId } }))
      .map((w) => w.url)
      .sort(),
    [`${hooks}/train`, ...serverMade.map((w) => w.url)].sort(),
  );
  assert.equal(
    [
      (await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: projectId } })).length,
      (await client.http.request<LsView[]>('GET', '/api/dm/views/', { params: { project: projectId } })).length,
    ],
    [1, 2],
  );
});

test.run();
