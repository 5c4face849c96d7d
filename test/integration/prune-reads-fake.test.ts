/**
 * `plan --prune`, `apply --prune`, `drift` and the child reads of `plan` over 1,000 managed
 * projects on the fake, counting requests: the children a project's marker records
 * (`[ch ml is es]`) are what is read, so a repository without ML backends or storages pays the
 * project pages and nothing per project. What `apply` created and git no longer declares is still
 * found; an older marker, which records no children, is read as before.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withDescriptionMarker } from '../../src/kinds/shared/description-marker.ts';
import { parseChildKinds, withMarker } from '../../src/kinds/project/marker.ts';
import { runCli, removeTree } from '../helpers/cli.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';
import { thousandManagedProjects } from '../helpers/scale.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { createClient } from '../../src/api/client.ts';

/** The version and the project list (10 pages of 100): what `plan` without children costs. */
const BUDGET = 12;
/** With --prune, the organization's webhooks and tabs too: one request each, whatever the number of projects. */
const PRUNE_BUDGET = BUDGET + 2;

let ls: FakeLabelStudio;
let backend: MlBackend;
let dir: string;

test.before(async () => {
  ls = await startFakeLabelStudio();
  backend = await startMlBackend();
  dir = await thousandManagedProjects(ls, 1000, { record: true });
});
test.after(async () => {
  await backend.stop();
  await ls.stop();
  await removeTree(dir);
});

const cli = (args: string[]) =>
  runCli([...args, '-C', dir], { env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token } });

interface PlanJson {
  summary: { delete: number; create: number; update: number; noop: number };
  changes: Array<{ action: string; kind: string; key: string }>;
  stats: { requests: number };
}

async function counted(args: string[]): Promise<{ code: number; json: PlanJson | undefined; requests: number }> {
  ls.resetRequestCount();
  const r = await cli(args);
  const requests = ls.requestCount;
  if (r.code !== 0 && r.code !== 2) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  return { code: r.code, json: args.includes('--json') ? (JSON.parse(r.stdout) as PlanJson) : undefined, requests };
}

const projectId = (key: string) =>
  [...ls.state.projects.values()].find((p) => String(p.fields.description ?? '').includes(`key: ${key})`))!.id;
const descriptionOf = (key: string) => String(ls.state.projects.get(projectId(key))!.fields.description ?? '');

const storageYaml = (name: string, project: string) =>
  `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n  type: s3\n  title: Source\n  bucket: in\n  prefix: ${name}/\n`;

test('1,000 managed projects whose markers record no children: plan --prune, apply --prune and drift send the project pages and a constant', async () => {
  const plan = await counted(['plan', '--prune', '--detailed-exitcode', '--json']);
  assert.is(plan.code, 0);
  assert.is(plan.json!.summary.noop, 1000);
  assert.ok(plan.requests <= PRUNE_BUDGET, `plan --prune made ${plan.requests} requests (budget ${PRUNE_BUDGET})`);
  assert.is(plan.json!.stats.requests, plan.requests);

  const apply = await counted(['apply', '--prune', '--auto-approve']);
  assert.ok(apply.requests <= PRUNE_BUDGET, `apply --prune made ${apply.requests} requests (budget ${PRUNE_BUDGET})`);
  const drift = await counted(['drift']);
  assert.is(drift.code, 0);
  assert.ok(drift.requests <= BUDGET, `drift made ${drift.requests} requests (budget ${BUDGET})`);
});

test('storages declared under 3 projects: apply records them before creating them, and only those 3 projects are read', async () => {
  for (const k of [1, 2, 3]) await writeFile(join(dir, 'projects', `s${k}.yaml`), storageYaml(`s${k}`, `project-${k}`));
  const applied = await cli(['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const k of [1, 2, 3]) assert.equal(parseChildKinds(descriptionOf(`project-${k}`)), ['is']);
  assert.equal(parseChildKinds(descriptionOf('project-4')), []);

  const plan = await counted(['plan', '--detailed-exitcode', '--json']);
  assert.is(plan.code, 0, 'apply, then plan: no changes (the record is no diff)');
  assert.ok(plan.requests <= BUDGET + 3, `plan made ${plan.requests} requests (budget ${BUDGET} + 3)`);
  const pruned = await counted(['plan', '--prune', '--detailed-exitcode', '--json']);
  assert.is(pruned.code, 0);
  // One import-storage read per project that records storages; no ML backend or export read at all.
  assert.ok(pruned.requests <= PRUNE_BUDGET + 3, `plan --prune made ${pruned.requests} requests`);
});

test('an ML backend, a storage and a webhook that apply created and git no longer declares are still pruned', async () => {
  const files = {
    'ml5.yaml': `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: ml5\nspec:\n  project: project-5\n  url: ${backend.url}\n`,
    's5.yaml': storageYaml('s5', 'project-5'),
    'h5.yaml':
      'apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: h5\nspec:\n  project: project-5\n  url: https://hooks.example.com/h5\n',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'projects', name), text);
  const applied = await cli(['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(parseChildKinds(descriptionOf('project-5')), ['is', 'ml']);

  for (const name of Object.keys(files)) await unlink(join(dir, 'projects', name));
  const plan = await counted(['plan', '--prune', '--json']);
  const deletes = plan.json!.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind}/${c.key}`);
  assert.equal(deletes.sort(), ['ImportStorage/s5', 'MlBackend/ml5', 'Webhook/h5']);
  // Storages of the 4 projects that record them, ML backends of the one that does.
  assert.ok(plan.requests <= PRUNE_BUDGET + 5, `plan --prune made ${plan.requests} requests`);
  const pruned = await cli(['apply', '--prune', '--auto-approve']);
  assert.is(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.is([...ls.state.mlBackends.values()].filter((b) => b.project === projectId('project-5')).length, 0);
  assert.is((await counted(['plan', '--prune', '--detailed-exitcode'])).code, 0);
});

test('a project whose marker records no children (an older marker) is read for every kind, and its orphan found', async () => {
  const id = projectId('project-7');
  const p = ls.state.projects.get(id)!;
  p.fields.description = withMarker('Number 7', { namespace: 'scale', key: 'project-7' });
  ls.state.storages.set(9001, {
    id: 9001,
    direction: 'export',
    type: 's3',
    project: id,
    fields: { title: 'Old', bucket: 'out', description: withDescriptionMarker('', { namespace: 'scale', key: 'old' }) },
    status: 'completed',
    lastSyncCount: 0,
  });
  const plan = await counted(['plan', '--prune', '--json']);
  const deletes = plan.json!.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind}/${c.key}`);
  assert.equal(deletes, ['ExportStorage/old']);
  // The older marker's three reads, and what project-1, 2, 3 and 5 record (project-5 keeps its
  // record after the prune: the record only grows).
  assert.ok(plan.requests <= PRUNE_BUDGET + 5 + 3, `plan --prune made ${plan.requests} requests`);
});

test('the record is written before the child: a create that fails leaves its kind recorded', async () => {
  await writeFile(
    join(dir, 'projects', 'ml9.yaml'),
    'apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: ml9\nspec:\n  project: project-9\n  url: http://127.0.0.1:9\n',
  );
  const applied = await cli(['apply', '--auto-approve']);
  assert.is.not(applied.code, 0, 'the backend cannot be reached: its create fails');
  assert.equal(parseChildKinds(descriptionOf('project-9')), ['ml']);
  await unlink(join(dir, 'projects', 'ml9.yaml'));
});

test('a declared child given the marker by hand, under a project that records none of its kind, is recorded by the next apply that has anything to do', async () => {
  const id = projectId('project-11');
  ls.state.storages.set(9002, {
    id: 9002,
    direction: 'import',
    type: 's3',
    project: id,
    fields: {
      title: 'Source',
      bucket: 'in',
      prefix: 's11/',
      description: withDescriptionMarker('', { namespace: 'scale', key: 's11' }),
    },
    status: 'completed',
    lastSyncCount: 0,
  });
  await writeFile(join(dir, 'projects', 's11.yaml'), storageYaml('s11', 'project-11'));
  const plan = await counted(['plan', '--detailed-exitcode', '--json']);
  assert.is(plan.code, 0, 'declared and there: no change');
  assert.equal(parseChildKinds(descriptionOf('project-11')), []);
  // An apply with nothing to do writes nothing; one with something to do (any resource) records it.
  ls.state.projects.get(projectId('project-12'))!.fields.color = '#FFFFFF';
  const applied = await cli(['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(parseChildKinds(descriptionOf('project-11')), ['is']);
  // Git stops declaring it: --prune finds it through the record.
  await unlink(join(dir, 'projects', 's11.yaml'));
  const pruned = await counted(['plan', '--prune', '--json']);
  assert.ok(pruned.json!.changes.some((c) => c.action === 'delete' && c.key === 's11'));
});

test('a project another run made while this one was about to create it: its record gets every declared kind in one write', async () => {
  await writeFile(
    join(dir, 'projects', 'late.yaml'),
    'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: late\nspec:\n  title: Late project\n',
  );
  await writeFile(
    join(dir, 'projects', 'late-ml.yaml'),
    `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: late-ml\nspec:\n  project: late\n  url: ${backend.url}\n`,
  );
  await writeFile(join(dir, 'projects', 'late-src.yaml'), storageYaml('late-src', 'late'));
  const proxy = await startFaultProxy(ls.url);
  // The other run's project appears while this run's first look before its create is held back;
  // its record lists no children (that run's repository declared none under it).
  proxy.inject({
    method: 'GET',
    path: /include=id,title,description,task_number/,
    times: 1,
    fault: { kind: 'delay', ms: 400 },
  });
  let made: Promise<unknown> | undefined;
  proxy.onRequest = (r) => {
    if (!made && r.method === 'GET' && /include=id,title,description,task_number/.test(r.path))
      made = createClient({ baseUrl: ls.url, token: ls.token }).createProject({
        title: 'Late project',
        description: withMarker('', { namespace: 'scale', key: 'late' }, { fields: {}, children: [] }),
      });
  };
  try {
    const applied = await runCli(['apply', '--auto-approve', '-C', dir], {
      env: { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token },
    });
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    assert.ok(made, 'the other run made its project during the look');
    assert.match(applied.stdout, /already carrying the marker/);
    const id = projectId('late');
    assert.equal(parseChildKinds(descriptionOf('late')), ['is', 'ml']);
    const own = proxy.seen.filter((r) => r.path.startsWith(`/api/projects/${id}/`));
    assert.equal(
      own.map((r) => r.method),
      ['GET', 'PATCH'],
      'read once (to compare), written once for both kinds',
    );
    assert.is(proxy.seen.filter((r) => r.method === 'POST' && r.path === '/api/projects/').length, 0);
  } finally {
    await proxy.close();
  }
});

test.run();
