/**
 * Storages declared in git against the real server and a real S3-compatible server (moto):
 * an import storage is created, synced once, and the bucket's tasks appear in the project; an
 * export storage receives the annotations; a rotated secret is one update that sends only that
 * storage's secrets; `storage sync` brings in new objects with progress; drift names a storage
 * changed on the server and apply restores it; prune removes one storage and nothing else.
 * Redis storages against a real redis-server.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom } from '../helpers/applicable.ts';
import type { LsStorage } from '../../src/kinds/storage/types.ts';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { api, cli, makeRepo, markedProjectId, projectManifest, uniqueNamespace } from './support.ts';

const client = api();
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';

test('an S3 import storage and an S3 export storage: synced, annotations exported, secrets rotated, drift, prune', async () => {
  const ns = uniqueNamespace('s3');
  const { url } = s3Server();
  const tasksBucket = `${ns}-tasks`;
  const outBucket = `${ns}-out`;
  s3.createBucket(tasksBucket);
  s3.createBucket(outBucket);
  for (const [i, text] of ['good', 'bad', 'fine'].entries())
    s3.put(tasksBucket, `tasks/${i}.json`, JSON.stringify({ text }));
  s3.put(tasksBucket, 'other/ignored.json', JSON.stringify({ text: 'outside the prefix' }));
  const storage = (kind: string, name: string, spec: string) =>
    `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: reviews\n  type: s3\n  s3_endpoint: ${url}\n  region_name: us-east-1\n${spec}`;
  const dir = await makeRepo(ns, {
    'project.yaml': projectManifest('reviews', `  title: S3 ${ns}\n  label_config: '${CONFIG}'\n`),
    'source.yaml': storage(
      'ImportStorage',
      'source',
      `  title: Review tasks\n  bucket: ${tasksBucket}\n  prefix: tasks/\n  regex_filter: '.*\\.json'\n  use_blob_urls: false\n  aws_access_key_id: \${env:SOURCE_KEY_ID}\n  aws_secret_access_key: \${env:SOURCE_SECRET}\n`,
    ),
    'target.yaml': storage(
      'ExportStorage',
      'target',
      `  title: Annotations\n  bucket: ${outBucket}\n  prefix: ann/\n  aws_access_key_id: \${env:TARGET_KEY_ID}\n  aws_secret_access_key: \${env:TARGET_SECRET}\n`,
    ),
  });
  const env = {
    SOURCE_KEY_ID: S3_KEY_ID,
    SOURCE_SECRET: S3_SECRET,
    TARGET_KEY_ID: S3_KEY_ID,
    TARGET_SECRET: S3_SECRET,
  };

  const plan = await cli(dir, ['plan'], env);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /\+ create\s+ImportStorage reviews\/source/);
  assert.match(
    plan.stdout,
    /note: the server checks the connection, and creating it syncs the project's existing annotations to it at once/,
  );
  assert.match(plan.stdout, /aws_secret_access_key\s+\(sensitive, changed: \$\{env:SOURCE_SECRET\}\)/);
  assert.not.ok(plan.stdout.includes(S3_SECRET) || plan.stdout.includes(S3_KEY_ID));
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(
    applied.stdout,
    /ImportStorage reviews\/source created as id \d+ .*synced: 3 task\(s\) from it/,
    applied.stdout,
  );
  assert.not.ok(applied.stdout.includes(S3_SECRET));

  const projectId = await markedProjectId(ns, 'reviews');
  const texts: string[] = [];
  for await (const page of client.listTasks(projectId, { pageSize: 10 }))
    texts.push(...page.map((t) => String((t.data as { text: string }).text)));
  assert.equal(texts.sort(), ['bad', 'fine', 'good']);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0, 'converged');

  // An annotation reaches the export bucket (on save, or at the latest with storage sync).
  let taskId = 0;
  for await (const page of client.listTasks(projectId, { pageSize: 10 })) taskId = page[0]!.id;
  await client.createAnnotation(taskId, {
    result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Positive'] } }],
  });
  const exported = await cli(dir, ['storage', 'sync', 'reviews/target', '--export'], env);
  assert.is(exported.code, 0, exported.stdout + exported.stderr);
  assert.match(exported.stdout, /✔ Synced export storage reviews\/target \(s3, id \d+\): 1 annotation\(s\)/);
  const objects = s3.list(outBucket, 'ann/');
  assert.is(objects.length, 1, `objects in the export bucket: ${objects.join(', ')}`);
  assert.match(s3.get(outBucket, objects[0]!), /"Positive"/);

  // A new object in the bucket: storage sync brings it in.
  s3.put(tasksBucket, 'tasks/3.json', JSON.stringify({ text: 'late' }));
  const synced = await cli(dir, ['storage', 'sync', 'reviews/source'], env);
  assert.is(synced.code, 0, synced.stdout + synced.stderr);
  assert.is((await client.getProject(projectId)).task_number, 4);

  // The source's secret is rotated: one update, of that storage, sending only its secrets.
  const rotatedEnv = { ...env, SOURCE_SECRET: 'labelform-test-secret-rotated' };
  const rotated = JSON.parse((await cli(dir, ['plan', '--json'], rotatedEnv)).stdout) as {
    changes: Array<{ action: string; kind: string; key: string; fields: unknown[] }>;
  };
  assert.equal(
    rotated.changes.filter((c) => c.action !== 'no-op').map((c) => [c.action, c.kind, c.key, c.fields]),
    [
      [
        'update',
        'ImportStorage',
        'source',
        [
          { field: 'aws_access_key_id', sensitive: true, env: ['SOURCE_KEY_ID'] },
          { field: 'aws_secret_access_key', sensitive: true, env: ['SOURCE_SECRET'] },
        ],
      ],
    ],
  );
  assert.is((await cli(dir, ['apply', '--auto-approve'], rotatedEnv)).code, 0);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], rotatedEnv)).code, 0);

  // Changed on the server: drift names it, apply restores it.
  const [source] = await client.http.request<LsStorage[]>('GET', '/api/storages/', { params: { project: projectId } });
  await client.http.request('PATCH', `/api/storages/s3/${source!.id}`, {
    data: { project: projectId, prefix: 'other/' },
    idempotent: true,
  });
  const drift = await cli(dir, ['drift'], rotatedEnv);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /ImportStorage reviews\/source \(id \d+\)[\s\S]*prefix: server has "other\/", git has "tasks\/"/,
  );
  assert.is((await cli(dir, ['apply', '--auto-approve'], rotatedEnv)).code, 0);
  assert.is((await client.http.request<LsStorage>('GET', `/api/storages/s3/${source!.id}`)).prefix, 'tasks/');

  // The export storage leaves git: prune deletes it and nothing else.
  // Retired by deleting its file (an emptied or commented-out manifest is an error, never a delete).
  await rm(join(dir, 'target.yaml'));
  const pruned = await cli(dir, ['apply', '--auto-approve', '--prune'], rotatedEnv);
  assert.is(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /0 created, 0 updated, 0 adopted, 1 deleted/);
  assert.equal(
    (await client.http.request<LsStorage[]>('GET', '/api/storages/export', { params: { project: projectId } })).length,
    0,
  );
  assert.equal(
    (await client.http.request<LsStorage[]>('GET', '/api/storages/', { params: { project: projectId } })).length,
    1,
  );
  assert.is((await client.getProject(projectId)).task_number, 4, 'no task was lost');
});

/** redis-cli against the tests' Redis (Debian's redis-server, started by scripts/run-tests.ts). */
function redis(db: number, ...args: string[]): string {
  const port = process.env.LABELFORM_TEST_REDIS_PORT;
  if (!port)
    throw new Error('the storage suites need the Redis that `npm test` starts (LABELFORM_TEST_REDIS_PORT is not set)');
  return execFileSync('redis-cli', ['-p', port, '-n', String(db), ...args], { encoding: 'utf8' }).trim();
}

onlyFrom(
  test,
  '1.17',
  'Redis export storages (1.13.1 and older refuse every one: "validate_connection is not implemented")',
)(
  'Redis storages against a real redis-server: keys become tasks, annotations are written, the password is a secret',
  async () => {
    const ns = uniqueNamespace('redis');
    for (const [i, text] of ['alpha', 'beta'].entries()) redis(1, 'SET', `${ns}:tasks:${i}`, JSON.stringify({ text }));
    const port = process.env.LABELFORM_TEST_REDIS_PORT!;
    const storage = (kind: string, name: string, spec: string) =>
      `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: queue\n  type: redis\n  host: 127.0.0.1\n  port: ${port}\n${spec}`;
    const dir = await makeRepo(ns, {
      'project.yaml': projectManifest('queue', `  title: Redis ${ns}\n  label_config: '${CONFIG}'\n`),
      'source.yaml': storage(
        'ImportStorage',
        'from-redis',
        `  db: 1\n  path: "${ns}:tasks:"\n  use_blob_urls: false\n`,
      ),
      'target.yaml': storage('ExportStorage', 'to-redis', `  db: 2\n  path: "${ns}:ann:"\n`),
    });
    const applied = await cli(dir, ['apply', '--auto-approve']);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /ImportStorage queue\/from-redis created as id \d+ .*synced: 2 task\(s\) from it/);
    const projectId = await markedProjectId(ns, 'queue');
    assert.is((await client.getProject(projectId)).task_number, 2);
    assert.is(
      (await cli(dir, ['plan', '--detailed-exitcode'])).code,
      0,
      'converged (the server answers the port as a string)',
    );
    let taskId = 0;
    for await (const page of client.listTasks(projectId, { pageSize: 10 })) taskId = page[0]!.id;
    await client.createAnnotation(taskId, {
      result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Negative'] } }],
    });
    const exported = await cli(dir, ['storage', 'sync', 'queue/to-redis', '--export']);
    assert.is(exported.code, 0, exported.stdout + exported.stderr);
    const keys = redis(2, 'KEYS', '*').split('\n').filter(Boolean);
    assert.ok(keys.length >= 1, `keys in db 2: ${keys.join(', ')}`);
    assert.ok(
      keys.some((k) => redis(2, 'GET', k).includes('Negative')),
      'the annotation was written to Redis',
    );

    // db 0 is refused by the server with a message that names nothing: validate says why first.
    const bad = await makeRepo(ns, {
      'project.yaml': projectManifest('queue', `  title: Redis ${ns}\n`),
      'source.yaml': storage('ImportStorage', 'zero', '  db: 0\n'),
    });
    const refused = await cli(bad, ['validate']);
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /source\.yaml:\d+:\d+: .*db 0 is refused by Label Studio/);
  },
);

test.run();
