/**
 * A scheduled sync (`sync: {every: 1m}` on an import storage) run by `watch` on the real Label
 * Studio with a real S3 (moto): apply syncs the storage on create; objects added after it arrive
 * as tasks through the watcher's sync, not before a minute has passed since the last one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { api, cli, makeRepo, markedProjectId, projectManifest, uniqueNamespace } from './support.ts';
import { startWatch } from './watch-process.ts';

const client = api();
const CONFIG = '<View><Text name="text" value="$text"/></View>';
const ENV = { S3_KEY: S3_KEY_ID, S3_SECRET: S3_SECRET };

test('objects added after apply arrive through the scheduled sync, a minute after the last sync', async () => {
  const ns = uniqueNamespace('watchsync');
  const bucket = `${ns}-b`;
  s3.createBucket(bucket);
  s3.put(bucket, 'tasks/0.json', JSON.stringify({ text: 'one' }));
  s3.put(bucket, 'tasks/1.json', JSON.stringify({ text: 'two' }));
  const dir = await makeRepo(ns, {
    'project.yaml': projectManifest('tasks', `  title: Watch sync ${ns}\n  label_config: '${CONFIG}'\n`),
    'source.yaml': `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: source\nsync:\n  every: 1m\nspec:\n  project: tasks\n  type: s3\n  bucket: ${bucket}\n  prefix: tasks/\n  use_blob_urls: false\n  s3_endpoint: ${s3Server().url}\n  region_name: us-east-1\n  aws_access_key_id: \${env:S3_KEY}\n  aws_secret_access_key: \${env:S3_SECRET}\n`,
  });
  const applied = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const syncedAt = Date.now();
  const id = await markedProjectId(ns, 'tasks', client);
  assert.is(Number((await client.getProject(id)).task_number), 2);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'sync: is not a field of the server');
  s3.put(bucket, 'tasks/2.json', JSON.stringify({ text: 'three' }));
  s3.put(bucket, 'tasks/3.json', JSON.stringify({ text: 'four' }));
  const w = startWatch(dir, ['--interval', '5s'], ENV);
  try {
    await w.until(
      'the scheduled sync',
      () => /scheduled sync of import storage tasks\/source done/.test(w.stderr()),
      100_000,
    );
    const after = Date.now() - syncedAt;
    console.log(`    the scheduled sync ended ${(after / 1000).toFixed(1)} s after apply's`);
    assert.ok(after >= 59_000, `synced again after ${after} ms, before the minute`);
    assert.is(Number((await client.getProject(id)).task_number), 4);
    // The count is the server's last_sync_count (how it counts differs by release).
    assert.match(w.stderr(), /done: \d+ task/);
    assert.not.ok(w.stderr().includes(S3_SECRET));
  } finally {
    w.child.kill('SIGTERM');
  }
  assert.is((await w.done).code, 0);
});

test.run();
