/**
 * On the real server: `--prune` reads the ML backends and storages only of the projects whose
 * marker records them (`[ch ...]`, written by apply before it creates one), and what apply
 * created there and git no longer declares is still planned for deletion: an ML backend, an S3
 * import storage and a webhook, next to projects that carry none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseChildKinds } from '../../src/kinds/project/marker.ts';
import type { LsProject } from '../../src/api/types.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { api, cli, makeRepo, markedProjectId, projectManifest, uniqueNamespace } from './support.ts';

const client = api();
let ml: MlBackend;

test.before(async () => {
  ml = await startMlBackend();
});
test.after(async () => {
  await ml.stop();
});

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>';

async function childKinds(ns: string, key: string): Promise<string[] | undefined> {
  const id = await markedProjectId(ns, key);
  const p = await client.http.request<LsProject>('GET', `/api/projects/${id}/`, {
    params: { include: 'id,description' },
  });
  return parseChildKinds(p.description);
}

const requestsOf = async (dir: string, args: string[], env: Record<string, string>): Promise<number> => {
  const r = await cli(dir, [...args, '--json'], env);
  assert.is(r.code, 0, r.stdout + r.stderr);
  return (JSON.parse(r.stdout) as { stats: { requests: number } }).stats.requests;
};

test('children apply created and git no longer declares are pruned; --prune reads only the projects that record children', async () => {
  const ns = uniqueNamespace('rec');
  const { url } = s3Server();
  const bucket = `${ns}-tasks`;
  s3.createBucket(bucket);
  // An import storage with a prefix needs an object under it to be created.
  s3.put(bucket, 'tasks/0.json', JSON.stringify({ text: 'one' }));
  const projects: Record<string, string> = {};
  for (let i = 0; i < 8; i++)
    projects[`p${i}.yaml`] = projectManifest(`p${i}`, `  title: Recorded ${ns} ${i}\n  label_config: '${CONFIG}'\n`);
  const children = {
    'ml.yaml': `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: model\nspec:\n  project: p3\n  url: ${ml.url}\n  title: Model\n`,
    'source.yaml': `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: source\nspec:\n  project: p3\n  type: s3\n  s3_endpoint: ${url}\n  region_name: us-east-1\n  title: Source\n  bucket: ${bucket}\n  prefix: tasks/\n  aws_access_key_id: \${env:KEY_ID}\n  aws_secret_access_key: \${env:SECRET}\n`,
    'hook.yaml': `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: hook\nspec:\n  project: p3\n  url: https://hooks.example.com/${ns}\n`,
  };
  const env = { KEY_ID: S3_KEY_ID, SECRET: S3_SECRET };
  const dir = await makeRepo(ns, { ...projects, ...children });
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(await childKinds(ns, 'p3'), ['is', 'ml']);
  assert.equal(await childKinds(ns, 'p0'), []);
  assert.is((await cli(dir, ['plan', '--prune', '--detailed-exitcode'], env)).code, 0, 'apply, then plan: converged');

  // --prune adds the organization's webhooks and tabs (one request each) and p3's two recorded
  // kinds; the 7 projects that record none cost nothing (before the record: 3 requests each).
  const plain = await requestsOf(dir, ['plan'], env);
  const pruned = await requestsOf(dir, ['plan', '--prune'], env);
  assert.ok(pruned - plain <= 2 + 2, `plan --prune made ${pruned} requests, plan ${plain}`);

  // The children leave git: --prune still finds all three.
  const bare = await makeRepo(ns, projects);
  const plan = await cli(bare, ['plan', '--prune', '--json'], env);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  const deletes = (JSON.parse(plan.stdout) as { changes: Array<{ action: string; kind: string; key: string }> }).changes
    .filter((c) => c.action === 'delete')
    .map((c) => `${c.kind}/${c.key}`)
    .sort();
  assert.equal(deletes, ['ImportStorage/source', 'MlBackend/model', 'Webhook/hook']);
  const gone = await cli(bare, ['apply', '--prune', '--auto-approve'], env);
  assert.is(gone.code, 0, gone.stdout + gone.stderr);
  const p3 = await markedProjectId(ns, 'p3');
  assert.equal(await client.http.request<unknown[]>('GET', '/api/ml/', { params: { project: p3 } }), []);
  assert.equal(await client.http.request<unknown[]>('GET', '/api/storages/', { params: { project: p3 } }), []);
  assert.is((await cli(bare, ['plan', '--prune', '--detailed-exitcode'], env)).code, 0);
});

test.run();
