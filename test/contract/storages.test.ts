/**
 * /api/storages/ as the storage kinds rely on it (reference §6.1, measured on 1.23.2 with S3
 * against moto): import routes with a trailing slash, export routes without; one list per
 * direction and project (without one the list is empty); secrets never answered, and kept by a PATCH
 * that leaves them out; a missing bucket a 500 (real server); an export storage syncs on create; sync answers
 * the storage with its status and count.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LsStorage } from '../../src/kinds/storage/types.ts';
import { s3, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { releaseAtLeast, SENTIMENT_CONFIG, refusal, useTarget } from './target.ts';

const { t, client } = useTarget(test);
let projectId: number;
let endpoint = 'http://127.0.0.1:9';
const bucket = `lfct-${Date.now().toString(36)}`;

test.before(async () => {
  projectId = t.track(
    (await client.createProject({ title: `${t.prefix} storages`, label_config: SENTIMENT_CONFIG })).id,
  );
  if (t.kind === 'real') {
    endpoint = process.env.LABELFORM_TEST_S3_URL ?? '';
    s3.createBucket(bucket);
    s3.put(bucket, 'tasks/a.json', JSON.stringify({ text: 'from the bucket' }));
  }
});

const s3Fields = (extra: Record<string, unknown> = {}) => ({
  project: projectId,
  bucket,
  s3_endpoint: endpoint,
  region_name: 'us-east-1',
  aws_access_key_id: S3_KEY_ID,
  aws_secret_access_key: S3_SECRET,
  ...extra,
});

test('an S3 import storage: secrets never answered; listed with every type of the project; a PATCH without secrets keeps working; sync answers the count', async () => {
  const made = await client.http.request<LsStorage>('POST', '/api/storages/s3/', {
    data: s3Fields({ title: 'Source', description: 'note', prefix: 'tasks/', use_blob_urls: false }),
  });
  assert.equal(
    [made.type, made.project, made.title, made.description, made.bucket, made.prefix],
    ['s3', projectId, 'Source', 'note', bucket, 'tasks/'],
  );
  // 1.20.0 and older answer aws_session_token (as sent): labelform's storage kinds never show it (e2e storages).
  const unanswered = releaseAtLeast('1.23')
    ? ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']
    : ['aws_access_key_id', 'aws_secret_access_key'];
  for (const secret of unanswered) assert.not.ok(secret in made, `${secret} is not answered`);
  const listed = await client.http.request<LsStorage[]>('GET', '/api/storages/', { params: { project: projectId } });
  assert.equal(
    listed.map((s) => [s.id, s.type]),
    [[made.id, 's3']],
  );
  const patched = await client.http.request<LsStorage>('PATCH', `/api/storages/s3/${made.id}`, {
    data: { project: projectId, title: 'Renamed' },
    idempotent: true,
  });
  assert.is(patched.title, 'Renamed');
  const synced = await client.http.request<LsStorage>('POST', `/api/storages/s3/${made.id}/sync`, { idempotent: true });
  assert.is(synced.status, 'completed');
  assert.is(synced.last_sync_count, t.kind === 'real' ? 1 : 0, 'the fake reaches no bucket');
});

test('surprises on 1.23.2 (the reference says otherwise): a key id without its secret is taken; a list without a project, or of an unknown one, is empty, not a 404', async () => {
  if (releaseAtLeast('1.13')) {
    const half = await client.http.request<LsStorage>('POST', '/api/storages/s3/', {
      data: { project: projectId, bucket, s3_endpoint: endpoint, aws_access_key_id: S3_KEY_ID },
    });
    assert.is(half.type, 's3');
    await client.http.request('DELETE', `/api/storages/s3/${half.id}`);
  } else {
    // 1.8.2 refuses it: "It seems access keys are incorrect: can only concatenate str (not "NoneType") to str".
    const half = await refusal(
      client.http.request('POST', '/api/storages/s3/', {
        data: { project: projectId, bucket, s3_endpoint: endpoint, aws_access_key_id: S3_KEY_ID },
      }),
    );
    assert.match(half.message, /access keys are incorrect/);
  }
  assert.equal(await client.http.request('GET', '/api/storages/'), []);
  if (releaseAtLeast('1.20'))
    assert.equal(await client.http.request('GET', '/api/storages/export', { params: { project: 987654 } }), []);
  // 1.17.0 and older fail on it: "can only concatenate list (not "dict") to list".
  else
    assert.is(
      (await refusal(client.http.request('GET', '/api/storages/export', { params: { project: 987654 } }))).status,
      500,
    );
  if (t.kind === 'real') {
    // A bucket that does not exist is a 500 with a message that names nothing (not the
    // reference's 400 "Cannot find bucket"): apply reports it as the server's failure.
    const missing = await refusal(
      client.http.request('POST', '/api/storages/s3/', { data: s3Fields({ bucket: `${bucket}-nope` }) }),
    );
    if (releaseAtLeast('1.17')) {
      assert.is(missing.status, 500);
      assert.match(missing.message, /Debugging info is not available for s3 endpoints/);
    } else {
      // 1.13.1 and older answer the reference's 400.
      assert.is(missing.status, 400, missing.message);
    }
  }
});

test('an S3 export storage: its routes have no trailing slash, and creating one syncs at once', async () => {
  const made = await client.http.request<LsStorage>('POST', '/api/storages/export/s3', {
    data: s3Fields({ title: 'Target', prefix: 'ann/' }),
  });
  assert.equal([made.type, made.title], ['s3', 'Target']);
  const listed = await client.http.request<LsStorage[]>('GET', '/api/storages/export', {
    params: { project: projectId },
  });
  const now = listed.find((s) => s.id === made.id)!;
  assert.is(now.status, 'completed', 'synced on create (SYNC_ON_TARGET_STORAGE_CREATION)');
  await client.http.request('DELETE', `/api/storages/export/s3/${made.id}`);
  assert.equal(
    (await client.http.request<LsStorage[]>('GET', '/api/storages/export', { params: { project: projectId } })).map(
      (s) => s.id,
    ),
    [],
  );
});

test.run();
