/**
 * A sync request is sent once: without a job queue Label Studio runs the sync inside the request,
 * and a second request while it runs could import an object twice. When its answer is lost, the
 * storage is read instead (src/kinds/storage/sync.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { syncStorage } from '../../src/kinds/storage/sync.ts';
import type { LsStorage } from '../../src/kinds/storage/types.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

let ls: FakeLabelStudio;
let proxy: FaultProxy;
let client: LabelStudioClient;

test.before(async () => {
  ls = await startFakeLabelStudio();
  proxy = await startFaultProxy(ls.url);
  client = createClient({ baseUrl: proxy.url, token: ls.token, sleep: async () => undefined, backoffMs: 1 });
});
test.after(async () => {
  await proxy.close();
  await ls.stop();
});

test('the answer of a sync is lost: the sync is not posted again, the storage is read and its end reported', async () => {
  const project = await client.createProject({ title: 'Synced once' });
  const made = await client.http.request<LsStorage>('POST', '/api/storages/s3/', {
    data: { project: project.id, bucket: 'in', prefix: 'tasks/', title: 'Source' },
  });
  proxy.clear();
  proxy.inject({ method: 'POST', path: /\/sync$/, times: 1, fault: { kind: 'drop-answer' } });
  const ended = await syncStorage(client, 'import', 's3', made.id, { sleep: async () => undefined, pollMs: 1 });
  assert.equal(
    proxy.seen.filter((s) => s.method === 'POST').map((s) => s.path),
    [`/api/storages/s3/${made.id}/sync`],
  );
  assert.is(ended.id, made.id);
  assert.is(ended.status, 'completed');
});

test.run();
