/**
 * Webhooks declared in git, against the real server and a real receiver on 127.0.0.1: applied
 * with the project, delivered with the declared headers for the declared action, then converged;
 * changed on the server (drift names the webhook, apply restores it), removed from git (prune
 * deletes that webhook and nothing else), and a secret header that never shows.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { runCli, writeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  serverEnv,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const client = api();
const SECRET = 'hook-secret-4f9a7c21e0';

interface Delivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { action?: string };
}

const deliveries: Delivery[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    deliveries.push({
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
    });
    res.end('ok');
  });
});
let base = '';

test.before(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
test.after(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
});

function webhookManifest(name: string, project: string, spec: string): string {
  return `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;
}

async function hooksOf(projectId: number): Promise<LsWebhook[]> {
  return client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: projectId } });
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test('a project with two webhooks: applied, delivered with the declared headers, converged; drift, restore, prune', async () => {
  const ns = uniqueNamespace('hooks');
  const files = {
    'p.yaml': projectManifest(
      'reviews',
      `  title: Hooks ${ns}\n  label_config: |\n${TEXT_CHOICES(['Good', 'Bad'])
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
    'train.yaml': webhookManifest(
      'train',
      'reviews',
      `  url: ${base}/train\n  send_for_all_actions: false\n  actions: [ANNOTATION_CREATED]\n  headers:\n    Authorization: "Bearer \${env:HOOK_TOKEN}"\n    X-Team: vision\n`,
    ),
    'audit.yaml': webhookManifest(
      'audit',
      'reviews',
      `  url: ${base}/audit\n  send_payload: false\n  send_for_all_actions: false\n  actions: [TASKS_CREATED]\n`,
    ),
  };
  const dir = await makeRepo(ns, files);
  const env = { HOOK_TOKEN: SECRET };

  const plan = await cli(dir, ['plan'], env);
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /\+ create\s+Webhook reviews\/train/);
  assert.match(plan.stdout, /Plan: 3 to create/);
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 3 created/);
  for (const out of [plan.stdout, plan.stderr, applied.stdout, applied.stderr])
    assert.not.ok(out.includes(SECRET), 'the secret header value never shows');

  // The project was created in the same run: its webhooks got its new id.
  const projectId = await markedProjectId(ns, 'reviews');
  const hooks = await hooksOf(projectId);
  assert.equal(hooks.map((h) => h.url).sort(), [`${base}/audit`, `${base}/train`]);
  const train = hooks.find((h) => h.url.endsWith('/train'))!;
  assert.equal(train.headers, {
    Authorization: `Bearer ${SECRET}`,
    'X-Team': 'vision',
    'X-Labelform-Managed': `${ns}/train`,
  });

  // An annotation made through the API reaches the declared URL, with the declared headers and action.
  await client.importTasks(projectId, [{ text: 'great' }]);
  let taskId = 0;
  for await (const page of client.listTasks(projectId, { pageSize: 10 })) taskId = page[0]!.id;
  await client.createAnnotation(taskId, {
    result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Good'] } }],
  });
  await until(() => deliveries.some((d) => d.path === '/train'));
  const hit = deliveries.find((d) => d.path === '/train')!;
  assert.ok(hit, 'the webhook was delivered');
  assert.is(hit.body.action, 'ANNOTATION_CREATED');
  assert.is(hit.headers.authorization, `Bearer ${SECRET}`);
  assert.is(hit.headers['x-team'], 'vision');
  await until(() => deliveries.some((d) => d.path === '/audit'));
  assert.ok(
    deliveries.some((d) => d.path === '/audit'),
    'the TASKS_CREATED webhook was delivered too',
  );
  assert.not.ok(
    deliveries.some((d) => d.path === '/audit' && d.body.action === 'ANNOTATION_CREATED'),
    'the audit webhook fires only for its action',
  );

  const again = await cli(dir, ['plan', '--detailed-exitcode'], env);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /3 unchanged/);

  // Someone turns the webhook off in the UI and drops its actions.
  await client.http.request('PATCH', `/api/webhooks/${train.id}/`, { data: { is_active: false } });
  const drift = await cli(dir, ['drift'], env);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /Webhook reviews\/train \(id \d+\)/);
  assert.match(drift.stdout, /actions: server has \[\], git has \["ANNOTATION_CREATED"\]/);
  const restored = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(restored.code, 0, restored.stdout + restored.stderr);
  assert.match(restored.stdout, /Webhook reviews\/train \(id \d+\) updated: actions/);
  const back = (await hooksOf(projectId)).find((h) => h.id === train.id)!;
  assert.equal(
    [back.actions, back.is_active, back.headers?.Authorization],
    [['ANNOTATION_CREATED'], false, `Bearer ${SECRET}`],
  );

  // The audit webhook leaves git: without --prune it is an orphan; with it, it alone is deleted.
  // Retired by deleting its file (an emptied or commented-out manifest is an error, never a delete).
  await rm(join(dir, 'audit.yaml'));
  const orphaned = await cli(dir, ['plan'], env);
  assert.match(orphaned.stdout, /Orphans:[\s\S]*Webhook reviews\/audit/);
  const pruned = await cli(dir, ['apply', '--auto-approve', '--prune'], env);
  assert.is(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /Apply complete: 0 created, 0 updated, 0 adopted, 1 deleted/);
  assert.equal(
    (await hooksOf(projectId)).map((h) => h.url),
    [`${base}/train`],
  );
  const final = await cli(dir, ['plan', '--detailed-exitcode'], env);
  assert.is(final.code, 0, final.stdout + final.stderr);

  // pull writes the project and its webhook; the secret header as its ${env:...}; its plan is no change.
  const out = await writeTree({});
  const pulled = await runCli(['pull', '--project', String(projectId), '--out', out, '--namespace', ns], {
    env: serverEnv(env),
    cwd: out,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(pulled.stdout, /reviews\/webhook-train\.yaml ← webhook \d+ \(already carries the marker\)/);
  const text = await readFile(join(out, 'reviews', 'webhook-train.yaml'), 'utf8');
  assert.match(text, /Authorization: Bearer \$\{env:HOOK_TOKEN\}/);
  assert.not.ok(text.includes(SECRET));
  const fromPull = await runCli(['plan', '--detailed-exitcode', '-C', out], { env: serverEnv(env), cwd: out });
  assert.is(fromPull.code, 0, fromPull.stdout + fromPull.stderr);
  assert.match(fromPull.stdout, /2 unchanged/);
});

test('pull: an unmarked webhook is written with import: {id}; its plan adopts it, and a credential header becomes an ${env:...} to set', async () => {
  const ns = uniqueNamespace('hookpull');
  const project = await client.createProject({ title: `Hook pull ${ns}`, label_config: TEXT_CHOICES(['A', 'B']) });
  const made = await client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: {
      project: project.id,
      url: `${base}/by-hand`,
      headers: { 'X-Api-Key': 'k-1234567890abcdef', 'X-Team': 'ops' },
    },
  });
  const out = await writeTree({});
  const pulled = await runCli(['pull', '--project', String(project.id), '--out', out, '--namespace', ns], {
    env: serverEnv(),
    cwd: out,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(
    pulled.stdout,
    /header X-Api-Key looks like a credential: written as \$\{env:WEBHOOK_[A-Z0-9_]+_X_API_KEY\}/,
  );
  const files = await readdir(join(out, pulled.stdout.match(/✔ ([a-z0-9-]+)\/project\.yaml/)![1]!));
  const hookFile = files.find((f) => f.startsWith('webhook-'))!;
  const variable = pulled.stdout.match(/set (WEBHOOK_[A-Z0-9_]+) to its value/)![1]!;
  const text = await readFile(join(out, pulled.stdout.match(/✔ ([a-z0-9-]+)\/project\.yaml/)![1]!, hookFile), 'utf8');
  assert.match(text, new RegExp(`import:\\n  id: ${made.id}`));
  assert.not.ok(text.includes('k-1234567890abcdef'));
  const plan = await runCli(['plan', '-C', out], { env: serverEnv({ [variable]: 'k-1234567890abcdef' }), cwd: out });
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /Plan: 0 to create, 0 to update, 2 to adopt, 0 to delete/);
  const applied = await runCli(['apply', '--auto-approve', '-C', out], {
    env: serverEnv({ [variable]: 'k-1234567890abcdef' }),
    cwd: out,
  });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const after = await client.http.request<LsWebhook>('GET', `/api/webhooks/${made.id}/`);
  assert.equal(after.headers, {
    'X-Api-Key': 'k-1234567890abcdef',
    'X-Team': 'ops',
    'X-Labelform-Managed': `${ns}/${hookFile.replace(/^webhook-|\.yaml$/g, '')}`,
  });
});

test('import Webhook/key ID: the marker header is added, the actions kept; a webhook of another project is refused', async () => {
  const ns = uniqueNamespace('hookimp');
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest('imp', `  title: Hook import ${ns}\n`),
    'h.yaml': webhookManifest(
      'by-hand',
      'imp',
      `  url: ${base}/imported\n  send_for_all_actions: false\n  actions: [TASKS_CREATED]\n`,
    ),
  });
  const project = await client.createProject({ title: `Hook import ${ns}` });
  assert.is((await cli(dir, ['import', 'imp', String(project.id)])).code, 0);
  const other = await client.createProject({ title: `Hook other ${ns}` });
  const stray = await client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: { project: other.id, url: `${base}/stray` },
  });
  const refused = await cli(dir, ['import', 'Webhook/by-hand', String(stray.id)]);
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `webhook ${stray.id} \\(${base}/stray\\) belongs to project ${other.id}, but h\\.yaml declares it for project imp \\(id ${project.id}\\); a webhook cannot move`,
    ),
  );
  const made = await client.http.request<LsWebhook>('POST', '/api/webhooks/', {
    data: { project: project.id, url: `${base}/imported`, send_for_all_actions: false, actions: ['TASKS_CREATED'] },
  });
  const imported = await cli(dir, ['import', 'Webhook/by-hand', String(made.id)]);
  assert.is(imported.code, 0, imported.stderr);
  assert.match(
    imported.stdout,
    new RegExp(`✔ Adopted webhook ${made.id} \\(.*\\) as Webhook imp/by-hand \\(namespace ${ns}\\)`),
  );
  const after = await client.http.request<LsWebhook>('GET', `/api/webhooks/${made.id}/`);
  assert.equal([after.actions, after.headers], [['TASKS_CREATED'], { 'X-Labelform-Managed': `${ns}/by-hand` }]);
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
});

test.run();
