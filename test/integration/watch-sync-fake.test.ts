/**
 * Scheduled storage syncs (`sync: {every}` on an import storage) run by `watch`, against the fake:
 * a storage whose last sync is older than `every` is synced once, not again until `every` has
 * passed; a storage without `sync` never is; `sync.every` under a minute is refused by validate;
 * plan and drift do not see `sync` as a field of the server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch } from '../../src/cli/commands/watch.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const fake = useFakeCli(test);
const storage = (name: string, extra: string) =>
  `apiVersion: labelform/v1\nkind: ImportStorage\nmetadata:\n  name: ${name}\n${extra}spec:\n  project: news\n  type: s3\n  title: Source ${name}\n  bucket: in-${name}\n`;
/** The sync POSTs of a storage that went through the proxy in front of the fake. */
let proxy: FaultProxy;
const syncs = (id: number) =>
  proxy.seen.filter((r) => r.method === 'POST' && r.path.startsWith(`/api/storages/s3/${id}/sync`)).length;

test('a storage whose last sync is older than `every` is synced once, then not until `every` has passed; one without `sync` never', async () => {
  const dir = await fake.repo({
    'news/project.yaml': projectYaml('news', '  title: Synced news\n'),
    'news/every.yaml': storage('every', 'sync:\n  every: 15m\n'),
    'news/never.yaml': storage('never', ''),
  });
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], { env: { GITHUB_SHA: '1'.repeat(40) } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const plan = await fake.cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, `sync is not a field of the server: ${plan.stdout}${plan.stderr}`);
  const ids = Object.fromEntries(
    [...fake.ls.state.storages.values()]
      .filter((s) => s.direction === 'import')
      .map((s) => [String(s.fields.title).replace('Source ', ''), s.id]),
  ) as Record<string, number>;
  proxy = await startFaultProxy(fake.ls.url);
  let clock = Date.now();
  let stderr = '';
  const counts: number[] = [];
  const stop = new AbortController();
  const code = await runWatch(
    watchIo({ cwd: dir, url: proxy.url, token: fake.ls.token, stderr: (t) => void (stderr += t), now: () => clock }),
    { dir: '.', debug: false, json: true, interval: '50ms', once: false },
    {
      signal: stop.signal,
      wait: async () => {},
      afterCycle: async (info) => {
        // Let a sync started after the cycle reach the fake (it answers at once).
        await new Promise((r) => setTimeout(r, 100));
        counts.push(syncs(ids.every!));
        if (info.n === 2) clock += 16 * 60_000;
        if (info.n === 3) clock += 60_000;
        if (info.n === 4) clock += 15 * 60_000;
        if (info.n >= 5) stop.abort();
      },
    },
  );
  await proxy.close();
  assert.is(code, 0, stderr);
  // apply synced it on create (last_sync now): not due in cycles 1-2; 16 minutes later it is;
  // a minute after that it is not; 15 more minutes and it is again.
  const base = counts[0]!;
  assert.equal(
    counts.map((c) => c - base),
    [0, 0, 1, 1, 2],
    stderr,
  );
  assert.is(syncs(ids.never!), 0);
  assert.match(stderr, /scheduled sync of import storage news\/every done/);
  assert.not.match(stderr, /news\/never/);
});

test('validate refuses sync.every under a minute, and on an export storage', async () => {
  const dir = await fake.repo({
    'news/project.yaml': projectYaml('news', '  title: Synced news\n'),
    'news/fast.yaml': storage('fast', 'sync:\n  every: 30s\n'),
    'news/out.yaml': storage('out', 'sync:\n  every: 15m\n').replace('kind: ImportStorage', 'kind: ExportStorage'),
  });
  const r = await fake.cli(dir, ['validate']);
  assert.is(r.code, 1);
  assert.match(r.stdout + r.stderr, /news\/fast\.yaml:\d+:\d+: .*sync\.every "30s" is too often: at least 1m/);
  assert.match(r.stdout + r.stderr, /news\/out\.yaml:\d+:\d+: .*sync/);
});

test.run();
