/**
 * `watch --git-pull` against the fake, with a real git remote (a bare repository on disk): a
 * change pushed to the remote reaches the watcher's checkout and is reported as changed in git
 * (not applied yet); no hook of the checkout runs; a checkout that diverged is said once and
 * still compared as it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch, type WatchArgs } from '../../src/cli/commands/watch.ts';
import type { CycleInfo } from '../../src/watch/loop.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';

const fake = useFakeCli(test);
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text">\n    <Choice value="A"/>\n  </Choices>\n</View>';
const spec = (color: string) => `  title: Pulled news\n  color: "${color}"\n  label_config:\n    file: ./config.xml\n`;
const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

/** A bare remote, a clone to push from, and the watcher's clone, holding an applied project. */
async function remoteAndClones(): Promise<{ pusher: string; watched: string }> {
  const root = await mkdtemp(join(tmpdir(), 'labelform-gitpull-'));
  const remote = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', remote);
  const seed = await fake.repo({
    'news/project.yaml': projectYaml('news', spec('#112233')),
    'news/config.xml': CONFIG,
  });
  git(seed, 'init', '-q');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'seed');
  git(seed, 'push', '-q', remote, 'HEAD:main');
  const watched = join(root, 'watched');
  git(root, 'clone', '-q', '-b', 'main', remote, watched);
  const applied = await fake.cli(watched, ['apply', '--auto-approve'], { env: { GITHUB_SHA: '1'.repeat(40) } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  return { pusher: seed, watched };
}

/** The events of the watcher running now, as `event kind/key side`. */
let seen: string[] = [];

async function watch(
  dir: string,
  step: (n: number, info: CycleInfo) => boolean | Promise<boolean>,
  args: Partial<WatchArgs> = {},
): Promise<{ code: number; stderr: string; events: string[] }> {
  let stderr = '';
  const events: string[] = (seen = []);
  const io = watchIo({ cwd: dir, url: fake.ls.url, token: fake.ls.token, stderr: (t) => void (stderr += t) });
  const stop = new AbortController();
  const code = await runWatch(
    io,
    { dir: '.', debug: false, json: true, interval: '20ms', once: false, gitPull: true, ...args },
    {
      signal: stop.signal,
      // Each wait is short and real: the pull runs at most once per interval.
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      afterCycle: async (info) => {
        for (const e of info.events) events.push(`${e.event} ${e.kind}/${e.key}${'side' in e ? ` ${e.side}` : ''}`);
        if (!(await step(info.n, info))) stop.abort();
      },
    },
  );
  return { code, stderr, events };
}

test('a change pushed to the remote is pulled and reported as changed in git; no hook of the checkout runs', async () => {
  const { pusher, watched } = await remoteAndClones();
  const hookRan = join(watched, '..', 'hook-ran');
  for (const name of ['post-merge', 'post-checkout', 'pre-merge-commit'])
    await writeFile(join(watched, '.git', 'hooks', name), `#!/bin/sh\ntouch '${hookRan}'\n`, { mode: 0o755 });
  await chmod(join(watched, '.git', 'hooks', 'post-merge'), 0o755);
  const r = await watch(watched, async (n) => {
    if (n === 2) {
      await writeFile(join(pusher, 'news/project.yaml'), projectYaml('news', spec('#445566')));
      git(pusher, 'commit', '-q', '-am', 'color');
      git(pusher, 'push', '-q', join(watched, '..', 'remote.git'), 'HEAD:main');
    }
    // Until the pulled change is reported (a few cycles at most), 200 cycles at the very most.
    return n < 200 && !seen.some((e) => e === 'drift Project/news git');
  });
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.events.includes('drift Project/news git'), `${r.events.join('\n')}\n${r.stderr}`);
  assert.is(git(watched, 'log', '-1', '--format=%s').trim(), 'color');
  assert.not.ok(existsSync(hookRan), 'a hook of the checkout ran');
  assert.not.match(r.stderr, /git pull --ff-only failed/);
});

test('a checkout that diverged from the remote is said once and compared as it is', async () => {
  const { pusher, watched } = await remoteAndClones();
  await writeFile(join(pusher, 'news/project.yaml'), projectYaml('news', spec('#445566')));
  git(pusher, 'commit', '-q', '-am', 'remote color');
  git(pusher, 'push', '-q', join(watched, '..', 'remote.git'), 'HEAD:main');
  await writeFile(join(watched, 'news/project.yaml'), projectYaml('news', spec('#778899')));
  git(watched, 'commit', '-q', '-am', 'local color');
  const r = await watch(watched, (n) => n < 12, { interval: '5ms' });
  assert.is(r.code, 0, r.stderr);
  const said = r.stderr.split('\n').filter((l) => l.includes('git pull --ff-only failed'));
  assert.is(said.length, 1, r.stderr);
  // Compared as it is: the local commit's color is what git says.
  assert.ok(r.events.includes('drift Project/news git'), r.events.join('\n'));
  assert.is(git(watched, 'log', '-1', '--format=%s').trim(), 'local color');
});

test.run();
