import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { parseWebhookMarker } from '../../src/kinds/webhook/marker.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { s3, s3Server, S3_KEY_ID, S3_SECRET } from '../helpers/s3.ts';
import { api, cli, makeRepo, projectManifest, resetServer, spawnCli, uniqueNamespace } from './support.ts';

const client = api();

test.before(async () => {
  await resetServer(client);
});

test('kill -9 at random moments during an apply of 20 projects, then one more apply: exactly 20 exist, plan exits 0', async () => {
  const ns = uniqueNamespace('crash');
  const files: Record<string, string> = {};
  for (let i = 1; i <= 20; i++) {
    files[`p${i}.yaml`] = projectManifest(
      `project-${i}`,
      `  title: Crash ${ns} ${i}\n  color: "#${String(i).padStart(6, '0')}"\n  label_config: <View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="a"/></Choices></View>\n`,
    );
  }
  const dir = await makeRepo(ns, files);
  const counts: number[] = [];
  // Seeded, so a failure can be replayed. Start-up and planning take ~0.8 s and each create
  // ~0.1 s on an idle machine, so a timed kill lands after a few creates, at a different point.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 6; round++) {
    const run = spawnCli(dir, ['apply', '--auto-approve']);
    // Even rounds kill at a random time; odd ones once a random number of projects exist, so some
    // kills land among the creates however fast or loaded the machine is (two matrix cells at once).
    const timer =
      round % 2 === 0 ? setTimeout(() => run.child.kill('SIGKILL'), 800 + Math.floor(random() * 900)) : undefined;
    const target = 1 + Math.floor(random() * 18);
    let watching = round % 2 === 1;
    const watch = async () => {
      while (watching) {
        if ((await managedCount(ns).catch(() => 0)) >= target) {
          run.child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const watcher = watch();
    const result = await run.done;
    watching = false;
    await watcher;
    clearTimeout(timer);
    counts.push(await managedCount(ns));
    if (result.signal !== 'SIGKILL') {
      assert.is(
        result.code,
        0,
        `round ${round} finished before the kill but failed:\n${result.stdout}${result.stderr}`,
      );
    }
  }
  const finish = spawnCli(dir, ['apply', '--auto-approve']);
  const final = await finish.done;
  assert.is(final.code, 0, final.stdout + final.stderr);
  assert.is(await managedCount(ns), 20, `managed projects after each killed run: ${counts.join(', ')}`);
  const keys = await managedKeys(ns);
  assert.is(new Set(keys).size, 20, 'no key is carried twice');
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  console.log(`  managed projects after each killed run: ${counts.join(', ')}`);
  // At least one kill landed in the middle of the creates, or the test proved nothing.
  assert.ok(
    counts.some((c) => c > 0 && c < 20),
    `counts: ${counts.join(', ')}`,
  );
});

test('kill -9 during an apply of projects with webhooks, views and S3 import storages, repeated: nothing doubled, every storage synced, the rerun converges', async () => {
  const ns = uniqueNamespace('crashhook');
  const bucket = `${ns}-tasks`;
  s3.createBucket(bucket);
  s3.put(bucket, 'tasks/1.json', JSON.stringify({ text: 'one' }));
  const files: Record<string, string> = {};
  const child = (kind: string, name: string, project: string, spec: string) =>
    `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;
  for (let i = 1; i <= 4; i++) {
    files[`p${i}.yaml`] = projectManifest(`proj-${i}`, `  title: Crash hooks ${ns} ${i}\n`);
    for (let j = 1; j <= 4; j++) {
      files[`h${i}-${j}.yaml`] = child(
        'Webhook',
        `hook-${i}-${j}`,
        `proj-${i}`,
        `  url: http://127.0.0.1:19/${i}/${j}\n  send_for_all_actions: false\n  actions: [TASKS_CREATED]\n`,
      );
    }
    files[`v${i}.yaml`] = child('View', `view-${i}`, `proj-${i}`, '  title: To do\n');
    files[`s${i}.yaml`] = child(
      'ImportStorage',
      `source-${i}`,
      `proj-${i}`,
      `  type: s3\n  bucket: ${bucket}\n  prefix: tasks/\n  use_blob_urls: false\n  s3_endpoint: ${s3Server().url}\n  region_name: us-east-1\n  aws_access_key_id: \${env:S3_KEY}\n  aws_secret_access_key: \${env:S3_SECRET}\n`,
    );
  }
  const env = { S3_KEY: S3_KEY_ID, S3_SECRET: S3_SECRET };
  const dir = await makeRepo(ns, files);
  const counts: number[] = [];
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 6; round++) {
    const run = spawnCli(dir, ['apply', '--auto-approve'], { env });
    // Even rounds kill at a random time; odd ones once a random number of webhooks exist, so some
    // kills land among the webhook creates however fast or loaded the machine is.
    const timer =
      round % 2 === 0 ? setTimeout(() => run.child.kill('SIGKILL'), 900 + Math.floor(random() * 1200)) : undefined;
    const target = 1 + Math.floor(random() * 14);
    let watching = round % 2 === 1;
    const watch = async () => {
      while (watching) {
        if ((await managedWebhooks(ns).catch(() => [])).length >= target) {
          run.child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const watcher = watch();
    const result = await run.done;
    watching = false;
    await watcher;
    clearTimeout(timer);
    counts.push((await managedWebhooks(ns)).length);
    if (result.signal !== 'SIGKILL')
      assert.is(
        result.code,
        0,
        `round ${round} finished before the kill but failed:\n${result.stdout}${result.stderr}`,
      );
  }
  const final = await spawnCli(dir, ['apply', '--auto-approve'], { env }).done;
  assert.is(final.code, 0, final.stdout + final.stderr);
  const hooks = await managedWebhooks(ns);
  assert.is(hooks.length, 16, `managed webhooks after each killed run: ${counts.join(', ')}`);
  assert.is(new Set(hooks.map((h) => `${h.project}/${h.key}`)).size, 16, 'no webhook key is carried twice');
  const projects = [...new Set(hooks.map((h) => h.project!))];
  for (const id of projects) {
    const views = await client.http.request<Array<{ data: { labelformManaged?: string } }>>('GET', '/api/dm/views/', {
      params: { project: id },
    });
    assert.is(
      views.filter((v) => v.data.labelformManaged?.startsWith(`${ns}/`)).length,
      1,
      `one managed view in project ${id}`,
    );
    const storages = await client.http.request<Array<{ last_sync: string | null }>>('GET', '/api/storages/', {
      params: { project: id },
    });
    assert.is(storages.length, 1, `one import storage in project ${id}`);
    assert.ok(storages[0]!.last_sync, `the storage of project ${id} was synced`);
    assert.is((await client.getProject(id)).task_number, 1, `project ${id} has the bucket's task once`);
  }
  const plan = await cli(dir, ['plan', '--detailed-exitcode'], env);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  console.log(`  managed webhooks after each killed run: ${counts.join(', ')}`);
  // At least one kill landed among the webhook creates, or the test proved nothing.
  assert.ok(
    counts.some((c) => c > 0 && c < 16),
    `counts: ${counts.join(', ')}`,
  );
});

async function managedWebhooks(ns: string): Promise<Array<{ project: number | null; key: string }>> {
  const all = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/');
  return all.flatMap((w) => {
    const m = parseWebhookMarker(w.headers);
    return m?.namespace === ns ? [{ project: w.project, key: m.key }] : [];
  });
}

async function managedKeys(ns: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of client.listProjects()) {
    for (const p of page) {
      const m = parseMarker(p.description);
      if (m?.namespace === ns) keys.push(m.key);
    }
  }
  return keys;
}

async function managedCount(ns: string): Promise<number> {
  return (await managedKeys(ns)).length;
}

test.run();
