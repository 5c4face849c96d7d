/**
 * `labelform watch` against the fake: each change of state reported once (a server edit, a git
 * edit, and their undoing), `--once` exit codes, a server that goes away and comes back, the
 * metrics and health endpoints, the cost of a cycle (what one `drift` costs), and what the loop
 * keeps over many cycles. The loop runs in-process with a short interval; each test acts between
 * cycles from the `afterCycle` hook and stops the loop through its signal, so nothing depends on
 * how long anything takes.
 */
import { getEventListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch, type WatchArgs, type WatchHooks } from '../../src/cli/commands/watch.ts';
import type { CycleInfo } from '../../src/watch/loop.ts';
import type { WatchEvent } from '../../src/watch/events.ts';
import { sleepUnlessAborted } from '../../src/util/sleep.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';

const fake = useFakeCli(test);
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';
const spec = (color: string) =>
  `  title: News sentiment\n  description: Classify each headline.\n  color: "${color}"\n  label_config:\n    file: ./config.xml\n`;

async function appliedRepo(): Promise<string> {
  const dir = await fake.repo({ 'news/project.yaml': projectYaml('news', spec('#112233')), 'news/config.xml': CONFIG });
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], { env: { GITHUB_SHA: '1'.repeat(40) } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  return dir;
}

function stored(): { id: number; fields: Record<string, unknown> } {
  const [p] = [...fake.ls.state.projects.values()];
  return p as never;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The events of each cycle, in order (from the JSON lines the CLI printed). */
  readonly cycles: readonly (readonly WatchEvent[])[];
}

/**
 * Runs `watch --json` in `dir` against the fake (or `url`): `step(n, info)` runs after cycle n and
 * returns false to stop the loop. Waits between cycles are skipped (the interval is only shown).
 */
async function watch(
  dir: string,
  step: (n: number, info: CycleInfo, signal: AbortSignal) => boolean | Promise<boolean>,
  opts: { url?: string; args?: Partial<WatchArgs>; hooks?: WatchHooks } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = watchIo({
    cwd: dir,
    url: opts.url ?? fake.ls.url,
    token: fake.ls.token,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  const stop = new AbortController();
  const cycles: WatchEvent[][] = [];
  const code = await runWatch(
    io,
    { dir: '.', debug: false, json: true, interval: '50ms', once: false, ...opts.args },
    {
      signal: stop.signal,
      wait: async () => {},
      ...opts.hooks,
      afterCycle: async (info) => {
        cycles.push([...info.events]);
        if (!(await step(info.n, info, stop.signal))) stop.abort();
      },
    },
  );
  return { code, stdout, stderr, cycles };
}

async function rejects(fn: () => Promise<unknown>, pattern?: RegExp): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (pattern) assert.match(String((err as Error).message), pattern);
    return;
  }
  assert.unreachable('expected a rejection');
}

/** The events of a cycle as `event kind/key side` strings, for comparing. */
const brief = (events: readonly WatchEvent[]) =>
  events.map((e) => `${e.event} ${e.kind}/${e.key}${'side' in e ? ` ${e.side}` : ''}`);

test('a server edit is reported once as drift on the server side, then resolved when undone; stdout is JSON lines', async () => {
  const dir = await appliedRepo();
  const r = await watch(dir, (n) => {
    if (n === 2) stored().fields.color = '#FF0000';
    if (n === 5) stored().fields.color = '#112233';
    return n < 7;
  });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.cycles.map(brief), [
    [],
    [],
    ['drift Project/news server'],
    [],
    [],
    ['resolved Project/news server'],
    [],
  ]);
  const lines = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(lines.length, 2);
  assert.equal(lines[0]!.fields, [{ field: 'color', origin: 'server', git: '#112233', server: '#FF0000' }]);
  assert.equal([lines[0]!.change, lines[0]!.id], ['changed', stored().id]);
  assert.ok(!Number.isNaN(Date.parse(String(lines[0]!.at))) && String(lines[0]!.at).endsWith('Z'));
  assert.equal(lines[1]!.fields, ['color']);
  // Logs (start, stop) are JSON lines on stderr.
  for (const l of r.stderr.trimEnd().split('\n')) assert.ok(JSON.parse(l).msg, l);
});

test('a git edit is reported as git-side (changed in git, not applied yet); a server edit of the same resource after it is reported again as both', async () => {
  const dir = await appliedRepo();
  const r = await watch(dir, async (n) => {
    if (n === 1) await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#445566')));
    if (n === 3) stored().fields.color = '#FF0000';
    return n < 4;
  });
  assert.equal(r.cycles.map(brief), [[], ['drift Project/news git'], [], ['drift Project/news both']]);
  const events = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(events[0]!.fields, [{ field: 'color', origin: 'git', git: '#445566', server: '#112233' }]);
  assert.is(events[1]!.again, true);
});

test('a manifest added in git is missing on the git side; a project deleted on the server is missing on the server side', async () => {
  const dir = await appliedRepo();
  const r = await watch(dir, async (n) => {
    if (n === 1) {
      await writeFile(join(dir, 'news/more.yaml'), projectYaml('more', spec('#000000').replace('News', 'More')));
    }
    if (n === 2) fake.ls.state.projects.delete(stored().id);
    return n < 3;
  });
  assert.equal(r.cycles.map(brief), [[], ['drift Project/more git'], ['drift Project/news server']]);
});

test('text output: one line per change, saying which side moved', async () => {
  const dir = await appliedRepo();
  const r = await watch(
    dir,
    (n) => {
      if (n === 1) stored().fields.color = '#FF0000';
      return n < 2;
    },
    { args: { json: false } },
  );
  assert.match(
    r.stdout,
    /^\d{4}-\d\d-\d\dT\S+Z drift news \(id \d+\): changed on the server: color: server "#FF0000", git "#112233"\n$/,
  );
  assert.match(r.stderr, /^labelform watch: watching environment "default" every 50 ms/m);
});

test('--once: one cycle, exit codes as drift (0 matches, 2 differs, 1 error)', async () => {
  const dir = await appliedRepo();
  const once = (url?: string) => watch(dir, () => true, { args: { once: true }, ...(url ? { url } : {}) });
  const clean = await once();
  assert.equal([clean.code, clean.stdout, clean.cycles.length], [0, '', 0]);
  stored().fields.color = '#FF0000';
  const drifted = await once();
  assert.is(drifted.code, 2);
  assert.is(JSON.parse(drifted.stdout).event, 'drift');
  await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#FF0000')));
  stored().fields.color = '#FF0000';
  assert.is((await once()).code, 0, 'git now says what the server has');
  const proxy = await startFaultProxy(fake.ls.url);
  await proxy.close();
  const down = await once(proxy.url);
  assert.is(down.code, 1);
  assert.equal(
    [JSON.parse(down.stdout).event, JSON.parse(down.stdout).kind, JSON.parse(down.stdout).key],
    ['error', 'server', 'server'],
  );
  assert.match(JSON.parse(down.stdout).message, /cannot reach Label Studio/);
});

test('manifests that do not load at start: exit 1 at once; broken later: one git error, resolved when fixed', async () => {
  const dir = await appliedRepo();
  await writeFile(join(dir, 'news/project.yaml'), 'apiVersion: labelform/v1\nkind: Project\nmetadata: {}\n');
  await rejects(() => watch(dir, () => true), /the manifests have errors/);
  await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#112233')));
  const r = await watch(dir, async (n) => {
    if (n === 1) await writeFile(join(dir, 'news/project.yaml'), 'apiVersion: labelform/v1\nkind: Project\n');
    if (n === 3) await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#112233')));
    return n < 4;
  });
  assert.equal(r.cycles.map(brief), [[], ['error git/git'], [], ['resolved git/git']]);
});

test('server down: one error, back off; back: one recovery line, and a drift made meanwhile is reported once', async () => {
  const dir = await appliedRepo();
  const proxy = await startFaultProxy(fake.ls.url);
  const port = Number(new URL(proxy.url).port);
  let current = proxy;
  const waits: number[] = [];
  const r = await watch(
    dir,
    async (n, info) => {
      waits.push(info.waitMs);
      if (n === 2) await current.close();
      if (n === 5) {
        stored().fields.color = '#FF0000';
        current = await startFaultProxy(fake.ls.url, { port });
      }
      return n < 7;
    },
    { url: proxy.url, hooks: { random: () => 0.5 } },
  );
  await current.close();
  assert.equal(r.cycles.map(brief), [
    [],
    [],
    ['error server/server'],
    [],
    [],
    ['resolved server/server', 'drift Project/news server'],
    [],
  ]);
  // With no jitter (random 0.5): the interval while healthy, 1 s doubling while failing (capped at
  // the interval: 50 ms here), the interval again once back.
  assert.equal(waits, [50, 50, 50, 50, 50, 50, 50]);
});

test('back-off: doubles from 1 s while the server stays down, capped at the interval', async () => {
  const dir = await appliedRepo();
  const proxy = await startFaultProxy(fake.ls.url);
  await proxy.close();
  const waits: number[] = [];
  await watch(
    dir,
    (n, info) => {
      waits.push(info.waitMs);
      return n < 6;
    },
    { url: proxy.url, args: { interval: '10s' }, hooks: { random: () => 0.5 } },
  );
  assert.equal(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('a cycle costs what one drift costs: the same requests, none per project added', async () => {
  const dir = await appliedRepo();
  fake.ls.resetRequestCount();
  assert.is((await fake.cli(dir, ['drift'])).code, 0);
  const drift = fake.ls.requestCount;
  const perCycle: number[] = [];
  await watch(dir, (n, info) => {
    perCycle.push(info.requests);
    return n < 3;
  });
  assert.ok(
    perCycle.every((n) => n > 0 && n <= drift),
    `${perCycle.join(',')} vs drift ${drift}`,
  );
});

test('--metrics: /healthz 503 before the first cycle and 200 after it; /metrics in Prometheus text format', async () => {
  const dir = await appliedRepo();
  let url = '';
  let before = 0;
  const seen: { health: number; body: string; metrics: string }[] = [];
  const r = await watch(
    dir,
    async (n) => {
      if (n === 1) stored().fields.color = '#FF0000';
      const health = await fetch(`${url}/healthz`);
      const metrics = await fetch(`${url}/metrics`);
      seen.push({ health: health.status, body: await health.text(), metrics: await metrics.text() });
      return n < 2;
    },
    {
      args: { metrics: '127.0.0.1:0' },
      hooks: {
        onMetrics: async (u) => {
          url = u;
          before = (await fetch(`${url}/healthz`)).status;
        },
      },
    },
  );
  assert.is(r.code, 0);
  assert.is(before, 503, 'no cycle yet');
  assert.is(seen[0]!.health, 200);
  assert.is(JSON.parse(seen[0]!.body).status, 'ok');
  const m = seen[1]!.metrics;
  assert.match(m, /^# TYPE labelform_watch_cycles_total counter$/m);
  assert.match(m, /^labelform_watch_cycles_total\{outcome="ok"\} 2$/m);
  assert.match(m, /^labelform_watch_requests_total [1-9]\d*$/m);
  assert.match(m, /^labelform_watch_drifted_resources\{side="server"\} 1$/m);
  assert.match(m, /^labelform_watch_errors_total\{kind="server"\} 0$/m);
  assert.match(m, /^labelform_watch_last_success_timestamp_seconds [1-9]\d+$/m);
  assert.match(m, /^process_resident_memory_bytes \d+/m);
  // Closed with the loop.
  await rejects(() => fetch(`${url}/healthz`));
});

test('200 fast cycles with drift coming and going: what the loop keeps does not grow, nor the listeners on its signal', async () => {
  const dir = await appliedRepo();
  const retained: string[] = [];
  const listeners: number[] = [];
  let events = 0;
  const r = await watch(
    dir,
    (n, info, signal) => {
      events += info.events.length;
      // Every 10th cycle edits the server, every 10th + 5 undoes it: 20 drifts and 20 resolutions.
      if (n % 10 === 0) stored().fields.color = `#${String(n).padStart(6, '0')}`;
      if (n % 10 === 5) stored().fields.color = '#112233';
      if (n % 10 === 9) {
        retained.push(JSON.stringify(info.retained));
        // One signal serves every cycle, its requests and its waits: each must take its listener away.
        listeners.push(getEventListeners(signal, 'abort').length);
      }
      return n < 200;
    },
    // The real wait (shortened), so that its listener is counted too.
    { hooks: { wait: (_ms, signal) => sleepUnlessAborted(1, signal) } },
  );
  assert.is(r.code, 0, r.stderr);
  assert.is(events, 38, 'each edit reported once (19) and each undo once (19)');
  assert.is(new Set(retained).size, 1, retained.join(' '));
  assert.is(new Set(listeners).size, 1, listeners.join(' '));
});

test.run();
