/**
 * `watch --comment` against the fake Label Studio and the fake GitHub API, run as a service (only
 * GITHUB_REPOSITORY, the API URL and a token set): an open pull request whose plan comment the
 * server moved under gets one note (and its saved plan is indeed refused by apply), nothing is
 * written while nothing changes, the note goes once the plan matches again (the server put back,
 * or the plan made again); plan comments are read only from one account, never a look-alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch, type WatchArgs } from '../../src/cli/commands/watch.ts';
import { decodePlanData } from '../../src/ci/plan-data.ts';
import { markerFor } from '../../src/ci/marker.ts';
import { planText } from '../../src/state/saved-plan.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { ACTIONS_BOT, useFakeGitHub } from '../fake-github/github-fake.ts';

const f = useFakeCli(test);
const github = useFakeGitHub(test);
const SCOPE = { dir: '.', env: 'default' };
const NOTE = markerFor('stale', SCOPE);
const PLAN = markerFor('plan', SCOPE);

const news = (title: string) => ({
  'projects/news.yaml': projectYaml('news', `  title: ${title}\n  color: "#112233"\n`),
});

/** Runs watch in `dir` for as long as `step` says, with --comment and the given environment. */
async function watch(
  dir: string,
  env: Record<string, string>,
  step: (n: number) => boolean | Promise<boolean>,
  extra: Partial<WatchArgs> = {},
) {
  let stderr = '';
  const stop = new AbortController();
  const code = await runWatch(
    watchIo({ cwd: dir, url: f.ls.url, token: f.ls.token, stderr: (t) => void (stderr += t), env }),
    { dir: '.', debug: false, json: true, interval: '50ms', once: false, comment: true, ...extra },
    {
      signal: stop.signal,
      wait: async () => {},
      afterCycle: async (info) => void ((await step(info.n)) || stop.abort()),
    },
  );
  return { code, stderr };
}

/** The main checkout, applied; a pull request changing its title, with its plan comment written by the plan job. */
async function setUp() {
  const main = await f.repo(news('News'));
  assert.is((await f.cli(main, ['apply', '--auto-approve'])).code, 0);
  const branch = await f.repo(news('News, renamed'));
  const pr = github.current.addPullRequest();
  const planned = await f.cli(branch, ['plan', '--comment'], { env: githubEnv(github.current, { pr, dir: branch }) });
  assert.is(planned.code, 0, planned.stderr);
  const live = [...f.ls.state.projects.values()][0]!;
  return { main, branch, pr, live };
}

const service = () => ({
  GITHUB_REPOSITORY: 'acme/labels',
  GITHUB_API_URL: github.current.url,
  GITHUB_TOKEN: github.current.token,
});
const notesOn = (pr: number) => github.current.commentsOn(pr).filter((c) => c.body.startsWith(NOTE));
const writes = () => github.current.requests.filter((r) => r.method !== 'GET' && r.path !== '/graphql').length;

test('a plan the server moved under gets one note, and the note goes when the server is put back', async () => {
  const { main, branch, pr, live } = await setUp();
  const before = github.current.requests.length;
  const seen: Array<{ notes: number; writes: number }> = [];
  let refusal = '';
  const r = await watch(main, service(), async (n) => {
    seen.push({ notes: notesOn(pr).length, writes: writes() });
    if (n === 1) live.fields.color = '#ABCDEF';
    if (n === 2) {
      // What the note claims: the plan saved in the comment is refused by apply now.
      const comment = github.current.commentsOn(pr).find((c) => c.body.startsWith(PLAN))!;
      const decoded = decodePlanData(comment.body, 'the plan comment');
      assert.ok('plan' in decoded);
      const file = join(branch, 'reviewed.json');
      await writeFile(file, planText(decoded.plan));
      const applied = await f.cli(branch, ['apply', file]);
      assert.is(applied.code, 1, applied.stdout);
      refusal = applied.stderr;
    }
    if (n === 4) live.fields.color = '#112233';
    return n < 6;
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(refusal, /news.*color changed on the server since the plan/);
  // No note while the server is as planned; one from cycle 2; nothing written in cycles 3-4; gone at cycle 5.
  assert.equal(
    seen.map((s) => s.notes),
    [0, 1, 1, 1, 0, 0],
    r.stderr,
  );
  assert.is(seen[3]!.writes, seen[1]!.writes, 'nothing written while nothing changed');
  assert.is(seen[5]!.writes, seen[4]!.writes);
  assert.match(r.stderr, new RegExp(`pull request #${pr}: its plan is stale`));
  assert.match(r.stderr, new RegExp(`pull request #${pr}: its plan matches the server again`));
  assert.not.ok(r.stderr.includes(github.current.token) || r.stderr.includes(f.ls.token));
  assert.is(live.fields.title, 'News', 'watch --comment writes nothing to Label Studio');
  const during = github.current.requests.slice(before);
  assert.is(during.filter((q) => q.path === '/graphql').length, 1, "the token's account is looked up once");
  // Per cycle one list of the open pull requests. The comments are read when the server or the
  // pull request changed: cycles 1, 2 (and twice more to create the note: the upsert lists, writes,
  // lists), 3 (the note moved updated_at), 5 (the server put back) and 6 (the removal moved it);
  // not in cycle 4, when nothing changed.
  const gets = (re: RegExp) => during.filter((q) => q.method === 'GET' && re.test(q.path)).length;
  assert.is(gets(/\/pulls(\?|$)/), 6);
  assert.is(gets(/\/comments(\?|$)/), 7, during.map((q) => `${q.method} ${q.path}`).join('\n'));
});

test('the note names what moved; a plan made again clears it; the plan comment itself is never touched', async () => {
  const { main, branch, pr, live } = await setUp();
  const planBefore = github.current.commentsOn(pr).find((c) => c.body.startsWith(PLAN))!;
  let note = '';
  const r = await watch(main, service(), async (n) => {
    if (n === 1) live.fields.color = '#ABCDEF';
    if (n === 2) {
      note = notesOn(pr)[0]?.body ?? '';
      const again = await f.cli(branch, ['plan', '--comment'], { env: githubEnv(github.current, { pr, dir: branch }) });
      assert.is(again.code, 0, again.stderr);
    }
    return n < 4;
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(note, /The server changed after this pull request's plan was made/);
  assert.match(note, /\| <code>news<\/code> \| \d+ \| <code>color<\/code> \|/);
  assert.match(note, /apply --merged` will refuse it/);
  assert.is(notesOn(pr).length, 0, 'the plan made again matches the server: no note');
  const planComments = github.current.commentsOn(pr).filter((c) => c.body.startsWith(PLAN));
  assert.is(planComments.length, 1);
  assert.is(planComments[0]!.id, planBefore.id, 'the plan job updated its own comment; watch never wrote it');
});

test("plan comments are read from one account only: a look-alike is ignored, --comment-author names the plan job's", async () => {
  const { main, pr, live } = await setUp();
  // Another account's comment with the marker and a plan of its own (labelform-bot's): read only as its own.
  const decoy = await f.repo(news('Decoy'));
  const other = github.current.addPullRequest();
  const made = await f.cli(decoy, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr: other, dir: decoy, token: github.current.pat }),
  });
  assert.is(made.code, 0, made.stderr);
  live.fields.color = '#ABCDEF';
  const pat = { ...service(), GITHUB_TOKEN: github.current.pat };
  // As labelform-bot: the plan comment of #pr is github-actions[bot]'s, so not its own.
  const own = await watch(main, pat, (n) => n < 2);
  assert.is(own.code, 0, own.stderr);
  assert.is(notesOn(pr).length, 0);
  assert.is(notesOn(other).length, 1, "labelform-bot's own plan comment on the other pull request is read");
  // Naming the plan job's account: #pr gets its note, written as the token's own account; the
  // look-alike by labelform-bot on #other is no longer read, so its note goes.
  const named = await watch(main, pat, (n) => n < 2, { commentAuthor: ACTIONS_BOT });
  assert.is(named.code, 0, named.stderr);
  assert.equal(
    notesOn(pr).map((c) => c.user),
    ['labelform-bot'],
  );
  assert.is(notesOn(other).length, 0);
});

test('without GITHUB_REPOSITORY: said once, and the loop goes on', async () => {
  const { main, live } = await setUp();
  live.fields.color = '#ABCDEF';
  const r = await watch(main, { GITHUB_TOKEN: 'x' }, (n) => n < 3);
  assert.is(r.code, 0, r.stderr);
  assert.is((r.stderr.match(/could not tell the open pull requests about stale plans/g) ?? []).length, 1, r.stderr);
});

test.run();
