/**
 * `watch --issue` against the fake Label Studio and the fake GitHub API, run as a service (only
 * GITHUB_REPOSITORY, the API URL and a token set; not in GitHub Actions): the drift issue is
 * opened at the first cycle that finds drift, not written while nothing changes, and closed with
 * a comment once the server matches git again; a failure is said once and the loop goes on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runWatch } from '../../src/cli/commands/watch.ts';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { watchIo } from '../helpers/watch-io.ts';
import { useFakeGitHub } from '../fake-github/github-fake.ts';

const f = useFakeCli(test);
const github = useFakeGitHub(test);
const MARKER = '<!-- labelform:drift dir=. env=default -->';

async function run(dir: string, env: Record<string, string>, step: (n: number) => boolean) {
  let stderr = '';
  const stop = new AbortController();
  const code = await runWatch(
    watchIo({ cwd: dir, url: f.ls.url, token: f.ls.token, stderr: (t) => void (stderr += t), env }),
    { dir: '.', debug: false, json: true, interval: '50ms', once: false, issue: true },
    { signal: stop.signal, wait: async () => {}, afterCycle: (info) => void (step(info.n) || stop.abort()) },
  );
  return { code, stderr };
}

test('the drift issue is opened when drift is found, left alone while nothing changes, closed when it is gone', async () => {
  const dir = await f.repo({ 'projects/news.yaml': projectYaml('news', '  title: News\n  color: "#112233"\n') });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  const live = [...f.ls.state.projects.values()][0]!;
  live.fields.color = '#ABCDEF';
  const env = {
    GITHUB_REPOSITORY: 'acme/labels',
    GITHUB_API_URL: github.current.url,
    GITHUB_TOKEN: github.current.token,
  };
  const writes = () => github.current.requests.filter((r) => r.method !== 'GET' && r.path !== '/graphql').length;
  const seen: number[] = [];
  const r = await run(dir, env, (n) => {
    seen.push(writes());
    if (n === 3) live.fields.color = '#112233';
    return n < 5;
  });
  assert.is(r.code, 0, r.stderr);
  const issues = [...github.current.issues.values()].filter((i) => i.body.startsWith(MARKER));
  assert.is(issues.length, 1);
  assert.is(issues[0]!.state, 'closed');
  // Opened at cycle 1; nothing written in cycles 2-3; closed (a comment, then the close) at cycle 4.
  assert.equal(seen, [1, 1, 1, 3, 3], r.stderr);
  assert.match(r.stderr, /Drift issue #\d+ opened/);
  for (const l of r.stderr.trimEnd().split('\n')) assert.ok(JSON.parse(l).msg !== undefined, l);
  assert.not.ok(r.stderr.includes(github.current.token) || r.stderr.includes(f.ls.token));
});

test('without GITHUB_REPOSITORY: said once, and the loop goes on', async () => {
  const dir = await f.repo({ 'projects/news.yaml': projectYaml('news', '  title: News\n  color: "#112233"\n') });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  [...f.ls.state.projects.values()].at(-1)!.fields.color = '#ABCDEF';
  const r = await run(dir, { GITHUB_TOKEN: 'x' }, (n) => {
    if (n === 2) [...f.ls.state.projects.values()].at(-1)!.fields.color = '#FEDCBA';
    return n < 4;
  });
  assert.is(r.code, 0, r.stderr);
  assert.is((r.stderr.match(/could not keep the drift issue/g) ?? []).length, 1, r.stderr);
});

test.run();
