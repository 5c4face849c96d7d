/**
 * Data that never arrives is not a success, against the real server and a real S3 (moto): an
 * apply killed (-9) while its storage's first sync request is in flight and never reaches the
 * server is followed by an apply that plans and runs the sync; a sync that the server ends
 * `failed` part way (an object that is not JSON among the task files) fails apply and
 * `storage sync` (exit 1, ✖) and shows in plan and drift until a sync completes; an import
 * storage whose prefix holds no object is refused with a message that says so. An export storage:
 * the sync Label Studio runs inside its create is read back (the create answers it `queued`) and
 * its count reported; one whose last sync failed plans a sync, shows in drift, and apply runs it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsStorage } from '../../src/kinds/storage/types.ts';
import { releaseAtLeast } from '../helpers/applicable.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  realServer,
  spawnCli,
  uniqueNamespace,
} from './support.ts';

const client = api();
const CONFIG = '<View><Text name="text" value="$text"/></View>';
const ENV = { S3_KEY: S3_KEY_ID, S3_SECRET: S3_SECRET };

const storageYaml = (bucket: string, prefix: string) =>
  `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: source\nspec:\n  project: tasks\n  type: s3\n  bucket: ${bucket}\n  prefix: ${prefix}\n  use_blob_urls: false\n  s3_endpoint: ${s3Server().url}\n  region_name: us-east-1\n  aws_access_key_id: \${env:S3_KEY}\n  aws_secret_access_key: \${env:S3_SECRET}\n`;

async function repoFor(ns: string, bucket: string, prefix = 'tasks/'): Promise<string> {
  return makeRepo(ns, {
    'project.yaml': projectManifest('tasks', `  title: Sync ${ns}\n  label_config: '${CONFIG}'\n`),
    'source.yaml': storageYaml(bucket, prefix),
  });
}

async function importStorages(projectId: number): Promise<LsStorage[]> {
  return client.http.request<LsStorage[]>('GET', '/api/storages/', { params: { project: projectId } });
}

test('kill -9 while the first sync request is in flight (it never reaches the server): the next apply plans the sync and runs it, tasks arrive once', async () => {
  const ns = uniqueNamespace('cutsync');
  const bucket = `${ns}-b`;
  s3.createBucket(bucket);
  for (const [i, text] of ['one', 'two', 'three'].entries())
    s3.put(bucket, `tasks/${i}.json`, JSON.stringify({ text }));
  const dir = await repoFor(ns, bucket);
  const proxy = await startFaultProxy(realServer().url);
  try {
    // Every sync request is cut (the connection reset before it is forwarded): the run is killed as soon as the first one is seen.
    proxy.inject({ method: 'POST', path: /^\/api\/storages\/s3\/\d+\/sync/, times: 1000, fault: { kind: 'reset' } });
    const run = spawnCli(dir, ['apply', '--auto-approve'], { env: { ...ENV, LABEL_STUDIO_URL: proxy.url } });
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (proxy.seen.some((s) => /\/sync/.test(s.path))) {
          run.child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const killed = await run.done;
    watching = false;
    await watcher;
    assert.is(killed.signal, 'SIGKILL', `the run ended before the kill:\n${killed.stdout}${killed.stderr}`);
  } finally {
    await proxy.close();
  }
  const projectId = await markedProjectId(ns, 'tasks');
  const [made] = await importStorages(projectId);
  assert.ok(made, 'the storage was created before the kill');
  assert.equal([made.status, made.last_sync], ['initialized', null], 'its sync never ran');
  assert.is((await client.getProject(projectId)).task_number, 0);

  const plan = await cli(dir, ['plan', '--detailed-exitcode'], ENV);
  assert.is(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(
    plan.stdout,
    /~ update\s+ImportStorage tasks\/source \(id \d+\)[\s\S]*sync\s+"initialized" → "completed"[\s\S]*note: labelform syncs it: it has never been synced/,
  );
  const drift = await cli(dir, ['drift'], ENV);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /sync: server has "initialized", git has "completed"/);

  const applied = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(
    applied.stdout,
    /✔ ImportStorage tasks\/source \(id \d+\) updated: sync .*— synced: 3 task\(s\) from it/,
  );
  assert.is((await client.getProject(projectId)).task_number, 3);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'converged');
  assert.is((await cli(dir, ['drift'], ENV)).code, 0, 'no drift');
});

test('a sync the server ends failed part way: apply is ✖ and exit 1, storage sync exit 1, plan and drift show the sync; once the object is fixed, apply syncs the rest and converges', async () => {
  const ns = uniqueNamespace('failsync');
  const bucket = `${ns}-b`;
  s3.createBucket(bucket);
  s3.put(bucket, 'tasks/0.json', JSON.stringify({ text: 'first' }));
  s3.put(bucket, 'tasks/1.json', JSON.stringify({ text: 'second' }));
  s3.put(bucket, 'tasks/2.json', 'this is not JSON');
  s3.put(bucket, 'tasks/3.json', JSON.stringify({ text: 'after the bad one' }));
  const dir = await repoFor(ns, bucket);

  const applied = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(applied.code, 1, applied.stdout + applied.stderr);
  assert.match(
    applied.stdout,
    /✖ ImportStorage tasks\/source create failed: created as id \d+, but its sync ended failed: status failed[^\n]*`labelform plan` shows the sync until one completes \(source\.yaml:4\)/,
  );
  // 1.17 and later hide the cause for an endpoint outside S3_TRUSTED_STORAGE_DOMAINS: labelform says what it can be.
  if (releaseAtLeast('1.17'))
    assert.match(
      applied.stdout,
      /Label Studio hides the cause for this s3_endpoint: an object that is not a JSON task file/,
    );
  assert.not.match(applied.stdout, /✔ ImportStorage/);
  const projectId = await markedProjectId(ns, 'tasks');
  const stopped = (await client.getProject(projectId)).task_number ?? 0;
  assert.ok(stopped < 4, `the sync stopped part way (${stopped} task(s))`);

  const synced = await cli(dir, ['storage', 'sync', 'tasks/source'], ENV);
  assert.is(synced.code, 1, 'storage sync agrees');
  assert.match(synced.stderr, /the sync of import storage tasks\/source \(id \d+\) ended failed/);

  const plan = await cli(dir, ['plan', '--detailed-exitcode'], ENV);
  assert.is(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(
    plan.stdout,
    /sync\s+"failed" → "completed"[\s\S]*note: labelform syncs it: its last sync did not finish: status failed/,
  );
  const drift = await cli(dir, ['drift'], ENV);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /ImportStorage tasks\/source \(id \d+\)[\s\S]*sync: server has "failed", git has "completed"/,
  );
  const again = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(again.code, 1, 'still failing: still exit 1');
  assert.match(again.stdout, /✖ ImportStorage tasks\/source \(id \d+\) update failed: its sync ended failed/);

  s3.put(bucket, 'tasks/2.json', JSON.stringify({ text: 'fixed' }));
  const fixed = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /✔ ImportStorage tasks\/source \(id \d+\) updated: sync/);
  const texts: string[] = [];
  for await (const page of client.listTasks(projectId, { pageSize: 50 }))
    texts.push(...page.map((t) => String((t.data as { text: string }).text)));
  assert.equal(texts.sort(), ['after the bad one', 'first', 'fixed', 'second'], 'every object once');
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'converged');
});

test('an import storage whose prefix holds no object: Label Studio answers a 500 that names nothing; apply says what it checks, at the manifest', async () => {
  const ns = uniqueNamespace('noprefix');
  const bucket = `${ns}-b`;
  s3.createBucket(bucket);
  s3.put(bucket, 'elsewhere/0.json', JSON.stringify({ text: 'not under the prefix' }));
  const dir = await repoFor(ns, bucket, 'tasks/');
  const applied = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(applied.code, 1, applied.stdout + applied.stderr);
  // 1.13.1 and older say it themselves, before S3 errors were hidden for untrusted endpoints
  // (1.13.1: HTTP 500 "'s3://BUCKET/tasks/ not found.'"), and labelform shows it as it is.
  if (!releaseAtLeast('1.17'))
    assert.ok(
      new RegExp(
        `✖ ImportStorage tasks/source create failed: POST /api/storages/s3/ failed with HTTP (400|500): .*s3://${bucket}/tasks/ not found`,
      ).test(applied.stdout),
      applied.stdout,
    );
  else
    assert.match(
      applied.stdout,
      /✖ ImportStorage tasks\/source create failed: Label Studio could not connect to the S3 bucket, and does not say why for an s3_endpoint outside its S3_TRUSTED_STORAGE_DOMAINS \(HTTP 500 to POST \/api\/storages\/s3\/\)\. It refuses when the bucket does not exist, or the credentials are refused, or no object exists under the prefix[^\n]*\(source\.yaml:4\)/,
    );
  // An empty prefix is the whole bucket: the server checks only that the bucket exists.
  const whole = await repoFor(`${ns}w`, bucket, '""');
  const ok = await cli(whole, ['apply', '--auto-approve'], ENV);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.is((await cli(whole, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'converged with prefix ""');
});

test('an export storage: the sync its create runs is read back and counted; a failed last sync plans a sync, shows in drift, and apply runs it and converges', async () => {
  const ns = uniqueNamespace('exportsync');
  const bucket = `${ns}-out`;
  s3.createBucket(bucket);
  const dir = await makeRepo(ns, {
    'project.yaml': projectManifest('tasks', `  title: Export ${ns}\n  label_config: '${CONFIG}'\n`),
  });
  assert.is((await cli(dir, ['apply', '--auto-approve'], ENV)).code, 0);
  const projectId = await markedProjectId(ns, 'tasks');
  const imported = await client.importTasks(projectId, [{ text: 'one' }, { text: 'two' }], { returnTaskIds: true });
  for (const id of imported.task_ids ?? []) await client.createAnnotation(id, { result: [] });
  assert.is((imported.task_ids ?? []).length, 2);

  // What the server answers a create with: the record as its sync was queued, not how the sync ended.
  const direct = await client.http.request<LsStorage>('POST', '/api/storages/export/s3', {
    data: {
      project: projectId,
      bucket,
      s3_endpoint: s3Server().url,
      region_name: 'us-east-1',
      aws_access_key_id: S3_KEY_ID,
      aws_secret_access_key: S3_SECRET,
    },
  });
  if (releaseAtLeast('1.17')) assert.equal([direct.status, direct.last_sync_count ?? null], ['queued', null]);
  assert.is((await client.http.request<LsStorage>('GET', `/api/storages/export/s3/${direct.id}`)).status, 'completed');
  await client.http.request('DELETE', `/api/storages/export/s3/${direct.id}`);

  const target = `apiVersion: labelform/v1\nkind: ExportStorage\nmetadata:\n  name: target\nspec:\n  project: tasks\n  type: s3\n  bucket: ${bucket}\n  s3_endpoint: ${s3Server().url}\n  region_name: us-east-1\n  aws_access_key_id: \${env:S3_KEY}\n  aws_secret_access_key: \${env:S3_SECRET}\n`;
  await writeFile(join(dir, 'target.yaml'), target);
  const created = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(created.code, 0, created.stdout + created.stderr);
  assert.match(
    created.stdout,
    /✔ ExportStorage tasks\/target created as id \d+ \([^)]*\) — synced: 2 annotation\(s\) to it/,
  );
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'converged');

  // The state Label Studio leaves when an export sync stops part way (its process killed: health_check
  // marks it failed 25 s after the last progress). 1.23.2 cannot be made to fail one on demand: a write
  // that S3 refuses is dropped in its thread and the sync still ends completed. So it is written here.
  const [made] = await client.http.request<LsStorage[]>('GET', '/api/storages/export', {
    params: { project: projectId },
  });
  await client.http.request('PATCH', `/api/storages/export/s3/${made!.id}`, {
    data: {
      status: 'failed',
      traceback:
        'It appears the job was failed because the last ping time is too old, and no traceback information is available.',
    },
  });
  assert.is((await client.http.request<LsStorage>('GET', `/api/storages/export/s3/${made!.id}`)).status, 'failed');

  const plan = await cli(dir, ['plan', '--detailed-exitcode'], ENV);
  assert.is(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(
    plan.stdout,
    /~ update\s+ExportStorage tasks\/target \(id \d+\)[\s\S]*sync\s+"failed" → "completed"[\s\S]*note: labelform syncs it: its last sync did not finish: status failed/,
  );
  const drift = await cli(dir, ['drift'], ENV);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /sync: server has "failed", git has "completed"/);
  const resynced = await cli(dir, ['apply', '--auto-approve'], ENV);
  assert.is(resynced.code, 0, resynced.stdout + resynced.stderr);
  assert.match(
    resynced.stdout,
    /✔ ExportStorage tasks\/target \(id \d+\) updated: sync .*— synced: 2 annotation\(s\) to it/,
  );
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], ENV)).code, 0, 'converged');
  assert.is((await cli(dir, ['drift'], ENV)).code, 0, 'no drift');
});

test.run();
