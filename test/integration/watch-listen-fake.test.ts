/**
 * `watch --listen` against the fake, which fires PROJECT_UPDATED from the project PATCH as the
 * server does: the watcher keeps one webhook on each managed project, and an edit made through
 * the API (as the UI saves) is reported at once although the interval is an hour; the webhooks
 * follow the projects git declares; a webhook deleted on the server is put back.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch, type WatchArgs } from '../../src/cli/commands/watch.ts';
import type { CycleInfo } from '../../src/watch/loop.ts';
import { SECRET_HEADER, WATCH_HEADER } from '../../src/watch/hooks.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';

const fake = useFakeCli(test);
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text">\n    <Choice value="A"/>\n  </Choices>\n</View>';
const spec = (title: string) => `  title: ${title}\n  label_config:\n    file: ./config.xml\n`;

async function appliedRepo(names: string[]): Promise<string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`${n}/project.yaml`] = projectYaml(n, spec(`Project ${n}`));
    files[`${n}/config.xml`] = CONFIG;
  }
  const dir = await fake.repo(files);
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], { env: { GITHUB_SHA: '1'.repeat(40) } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  return dir;
}

const projectId = (title: string) => [...fake.ls.state.projects.values()].find((p) => p.fields.title === title)!.id;
/** The receiver of the watcher running now (each test's watcher listens on a port of its own). */
let current = '';
/** The webhooks of the watcher running now (`all`: of every watcher the tests started). */
const hooks = (all = false) =>
  [...fake.ls.state.webhooks.values()].filter(
    (w) => w.headers[WATCH_HEADER] !== undefined && (all || w.url.startsWith(`${current}/`)),
  );

/** Runs `watch --json --listen 127.0.0.1:0 --interval 1h`; real waits, so only a delivery starts a cycle early. */
async function watch(
  dir: string,
  step: (n: number, info: CycleInfo) => boolean | Promise<boolean>,
  args: Partial<WatchArgs> = {},
): Promise<{ code: number; stdout: string; stderr: string; listen: string; timedOut: boolean }> {
  let stdout = '';
  let stderr = '';
  let listen = '';
  const io = watchIo({
    cwd: dir,
    url: fake.ls.url,
    token: fake.ls.token,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  const stop = new AbortController();
  // Without a delivery the next cycle is an hour away: give up after 20 s instead.
  let timedOut = false;
  const guard = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, 20_000);
  try {
    const code = await runWatch(
      io,
      { dir: '.', debug: false, json: true, interval: '1h', once: false, listen: '127.0.0.1:0', ...args },
      {
        signal: stop.signal,
        onListen: (url) => void (listen = current = url),
        afterCycle: async (info) => {
          if (!(await step(info.n, info))) stop.abort();
        },
      },
    );
    return { code, stdout, stderr, listen, timedOut };
  } finally {
    clearTimeout(guard);
  }
}

async function patch(id: number, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fake.ls.url}/api/projects/${id}/`, {
    method: 'PATCH',
    headers: { Authorization: `Token ${fake.ls.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.is(res.status, 200);
}

test('an edit through the API is reported at once through the webhook, with an interval of an hour', async () => {
  const dir = await appliedRepo(['news']);
  const id = projectId('Project news');
  const seen: string[][] = [];
  const r = await watch(dir, async (n, info) => {
    seen.push(info.events.map((e) => `${e.event} ${e.kind}/${e.key}`));
    if (n === 1) {
      const [h] = hooks();
      assert.ok(h, 'a webhook on the managed project');
      assert.is(h.project, id);
      assert.equal(h.actions, ['PROJECT_UPDATED']);
      assert.is(h.send_payload, false);
      assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+\/labelform\/hooks\/\d+$/);
      assert.match(h.headers[SECRET_HEADER]!, /^[0-9a-f]{64}$/);
      await patch(id, { title: 'Renamed in the UI' });
      return true;
    }
    return n < 2;
  });
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(r.timedOut);
  assert.equal(seen, [[], ['drift Project/news']], r.stderr);
  // The secret and the token never show.
  assert.not.ok(r.stdout.includes(fake.ls.token) || r.stderr.includes(fake.ls.token));
  assert.not.ok(r.stderr.includes(hooks()[0]!.headers[SECRET_HEADER]!));
});

test('the webhooks follow what git declares; one deleted on the server is put back; a delivery for another project starts no cycle', async () => {
  const dir = await appliedRepo(['a', 'b']);
  const [a, b] = [projectId('Project a'), projectId('Project b')];
  let cycles = 0;
  const r = await watch(dir, async (n) => {
    cycles = n;
    if (n === 1) {
      assert.equal(
        hooks()
          .map((h) => h.project)
          .sort(),
        [a, b].sort(),
      );
      // b leaves git (its project stays on the server, an orphan): its webhook goes next cycle.
      await rm(join(dir, 'b'), { recursive: true });
      // Someone deletes a's webhook in the UI.
      fake.ls.state.webhooks.delete(hooks().find((h) => h.project === a)!.id);
      // An edit of b still reaches the watcher (its webhook is there until the next cycle).
      await patch(b, { description: 'edited' });
      return true;
    }
    if (n === 2) {
      assert.equal(
        hooks().map((h) => h.project),
        [a],
      );
      // A delivery for b, secret and all, no longer starts a cycle: b is not managed.
      const secret = hooks()[0]!.headers[SECRET_HEADER]!;
      const res = await fetch(`${current}/labelform/hooks/${b}`, {
        method: 'POST',
        headers: { [SECRET_HEADER]: secret, 'Content-Type': 'application/json' },
        body: '{"action":"PROJECT_UPDATED"}',
      });
      assert.is(res.status, 204);
      setTimeout(() => {
        // Still cycle 2 well after the coalescing delay: then an edit of a (its webhook put back) wakes it.
        if (cycles === 2) void patch(a, { description: 'edited too' });
      }, 800);
      return true;
    }
    return n < 3;
  });
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(r.timedOut, 'cycle 3 came from the edit of a');
  assert.is(cycles, 3);
  assert.match(r.stderr, /webhooks kept on the managed projects/);
});

test('a server that refuses the URL (its SSRF check) is said once, and polling goes on', async () => {
  const dir = await appliedRepo(['news']);
  fake.ls.state.refuseWebhookUrls = true;
  try {
    const r = await watch(dir, (n) => n < 3, { interval: '10ms' });
    assert.is(r.code, 0, r.stderr);
    const said = r.stderr.split('\n').filter((l) => l.includes('refused the webhook'));
    assert.is(said.length, 1, r.stderr);
    assert.match(said[0]!, /SSRF_PROTECTION_ENABLED=false/);
  } finally {
    fake.ls.state.refuseWebhookUrls = false;
  }
});

test('--listen on every address without --listen-url, a bad --listen-url, --listen-url without --listen: exit before anything', async () => {
  const dir = await appliedRepo(['news']);
  const before = hooks(true).length;
  for (const [args, pattern] of [
    [['--listen', '0.0.0.0:9465'], /--listen-url/],
    [['--listen', '127.0.0.1:0', '--listen-url', 'ftp://x/y'], /http/],
    [['--listen', '127.0.0.1:0', '--listen-url', 'http://u:p@x/y'], /credentials/],
    [['--listen-url', 'http://x/y'], /needs --listen/],
    [['--listen', 'nonsense'], /HOST:PORT/],
  ] as const) {
    const res = await fake.cli(dir, ['watch', ...args]);
    assert.is(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stderr, pattern);
    assert.not.match(res.stderr, /\n\s+at /);
  }
  assert.is(hooks(true).length, before);
});

test.run();
