/**
 * `watch --self-heal` against the fake: a setting changed on the server is put back once and
 * reported (`drift`, then `healed`, then `resolved`); a second edit within 5 minutes is reported
 * and left alone; a label config the annotation guard would refuse is never written; a change made
 * in git (not applied yet) is not applied by the watcher.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { runWatch, type WatchArgs } from '../../src/cli/commands/watch.ts';
import type { CycleInfo } from '../../src/watch/loop.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';

const fake = useFakeCli(test);
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';
const spec = (color: string) => `  title: Healed news\n  color: "${color}"\n  label_config:\n    file: ./config.xml\n`;

async function appliedRepo(): Promise<string> {
  const dir = await fake.repo({ 'news/project.yaml': projectYaml('news', spec('#112233')), 'news/config.xml': CONFIG });
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], { env: { GITHUB_SHA: '1'.repeat(40) } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  return dir;
}

const stored = () =>
  [...fake.ls.state.projects.values()].find((p) => p.fields.title === 'Healed news')! as never as {
    id: number;
    fields: Record<string, unknown>;
  };

let clock = Date.now();

async function watch(
  dir: string,
  step: (n: number, info: CycleInfo) => boolean | Promise<boolean>,
  args: Partial<WatchArgs> = {},
): Promise<{ code: number; stderr: string; cycles: string[][] }> {
  let stderr = '';
  const cycles: string[][] = [];
  const io = watchIo({
    cwd: dir,
    url: fake.ls.url,
    token: fake.ls.token,
    stderr: (t) => void (stderr += t),
    now: () => clock,
  });
  const stop = new AbortController();
  const code = await runWatch(
    io,
    { dir: '.', debug: false, json: true, interval: '50ms', once: false, selfHeal: true, ...args },
    {
      signal: stop.signal,
      wait: async () => {},
      afterCycle: async (info) => {
        cycles.push(info.events.map((e) => `${e.event} ${e.kind}/${e.key}${'side' in e ? ` ${e.side}` : ''}`));
        if (!(await step(info.n, info))) stop.abort();
      },
    },
  );
  return { code, stderr, cycles };
}

test('a setting changed on the server is put back once and reported; a second edit within 5 minutes is reported and left; after 5 minutes it is healed again', async () => {
  const dir = await appliedRepo();
  clock = Date.now();
  const r = await watch(dir, (n) => {
    if (n === 1) stored().fields.color = '#FF0000';
    if (n === 3) {
      clock += 60_000;
      stored().fields.color = '#00FF00';
    }
    if (n === 5) clock += 5 * 60_000;
    return n < 7;
  });
  assert.is(r.code, 0, r.stderr);
  assert.equal(
    r.cycles,
    [
      [],
      ['drift Project/news server', 'healed Project/news'],
      ['resolved Project/news server'],
      ['drift Project/news server'],
      [],
      ['healed Project/news'],
      ['resolved Project/news server'],
    ],
    r.stderr,
  );
  assert.is(stored().fields.color, '#112233');
  assert.is((r.stderr.match(/not healed: Project\/news: healed/g) ?? []).length, 1, r.stderr);
});

test('a change made in git and not applied yet is reported, never applied by the watcher', async () => {
  const dir = await appliedRepo();
  const r = await watch(dir, async (n) => {
    if (n === 1) await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#445566')));
    return n < 3;
  });
  assert.equal(r.cycles, [[], ['drift Project/news git'], []], r.stderr);
  assert.is(stored().fields.color, '#112233');
  assert.match(r.stderr, /not healed: Project\/news: color is not only changed on the server \(git\)/);
});

test('a label config the annotation guard would refuse to put back is never written', async () => {
  const dir = await appliedRepo();
  const client = createClient({ baseUrl: fake.ls.url, token: fake.ls.token });
  const withNeutral = CONFIG.replace(
    '<Choice value="Negative"/>',
    '<Choice value="Negative"/>\n    <Choice value="Neutral"/>',
  );
  const r = await watch(dir, async (n) => {
    if (n === 1) {
      // In the UI: a label added, and a task annotated with it; git's config would orphan that annotation.
      await client.updateProject(stored().id, { label_config: withNeutral });
      const result = [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Neutral'] } }];
      await client.importTasks(stored().id, [{ data: { text: 'meh' }, annotations: [{ result }] }]);
    }
    return n < 3;
  });
  assert.equal(r.cycles, [[], ['drift Project/news server'], []], r.stderr);
  assert.match(String(stored().fields.label_config), /Neutral/);
  assert.match(r.stderr, /not healed: Project\/news: apply would refuse it/);
});

test('--self-heal with --once is refused before anything', async () => {
  const dir = await appliedRepo();
  const res = await fake.cli(dir, ['watch', '--once', '--self-heal']);
  assert.is(res.code, 1);
  assert.match(res.stderr, /--self-heal needs a running watcher/);
});

test.run();
