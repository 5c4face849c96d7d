/**
 * What only the fake offers (request counting, latency, a body size limit, scale), checked here
 * so unit tests and benchmarks can rely on it. Runs only against the fake; the body-size answer
 * is the one a real 1.23.2 gives with a small DATA_UPLOAD_MAX_MEMORY_SIZE.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { expectApiError, targetKind } from './target.ts';

let fake: FakeLabelStudio;

if (targetKind() === 'fake') {
  test.before(async () => {
    fake = await startFakeLabelStudio({ maxBodyBytes: 20_000 });
  });

  test.after(async () => {
    await fake.stop();
  });

  test('counts every HTTP request, token refreshes included', async () => {
    const client = createClient({ baseUrl: fake.url, token: fake.token });
    fake.resetRequestCount();
    await client.version();
    await client.whoami();
    assert.is(fake.requestCount, 2);
    const pat = await client.createPersonalAccessToken();
    const withPat = createClient({ baseUrl: fake.url, token: pat });
    fake.resetRequestCount();
    await withPat.whoami();
    assert.is(fake.requestCount, 2, 'refresh + whoami');
  });

  test('setLatency delays every answer', async () => {
    const client = createClient({ baseUrl: fake.url, token: fake.token });
    fake.setLatency(150);
    try {
      const started = Date.now();
      await client.version();
      assert.ok(Date.now() - started >= 140);
    } finally {
      fake.setLatency(0);
    }
  });

  test('a body over the size limit is the 500 Label Studio gives, and nothing is created', async () => {
    const client = createClient({ baseUrl: fake.url, token: fake.token });
    const p = await client.createProject({
      title: 'body limit',
      label_config: '<View><Text name="text" value="$text"/></View>',
    });
    const err = await expectApiError(
      client.importTasks(
        p.id,
        Array.from({ length: 1000 }, (_, i) => ({ text: `task ${i} with some padding` })),
      ),
    );
    assert.is(err.status, 500);
    assert.is(err.detail, "You cannot access body after reading from request's data stream");
    assert.is((await client.getProject(p.id)).task_number, 0);
  });

  test('1,500 projects: created, listed and counted quickly', async () => {
    const client = createClient({ baseUrl: fake.url, token: fake.token, concurrency: 16 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 1500 }, (_, i) => client.createProject({ title: `scale ${i}` })));
    let n = 0;
    fake.resetRequestCount();
    for await (const page of client.listProjects()) n += page.length;
    assert.ok(n >= 1500);
    assert.is(fake.requestCount, Math.ceil(n / 100));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
}

test.run();
