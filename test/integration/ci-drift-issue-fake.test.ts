/**
 * `labelform drift --issue` against the fake Label Studio and the fake GitHub REST API: with drift
 * it opens one issue (found again by its hidden marker among 100+ issues and pull requests) and
 * updates it; once the server matches git it closes it with a comment; a check with errors leaves
 * it alone; a look-alike opened by anyone else is never written to; failures name the permission;
 * the token is never printed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { useFakeGitHub } from '../fake-github/github-fake.ts';

const f = useFakeCli(test);
const github = useFakeGitHub(test);

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const MARKER = '<!-- labelform:drift dir=. env=default -->';

/** A repository with one project, applied, then edited on the server (as a person in the UI would). */
async function driftedRepo(): Promise<string> {
  const dir = await f.repo({
    'projects/news.yaml': projectYaml('news', `  title: News\n  color: "#112233"\n  label_config: '${CONFIG}'\n`),
  });
  const applied = await f.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stderr);
  editOnServer('#ABCDEF');
  return dir;
}

function editOnServer(color: string): void {
  const live = [...f.ls.state.projects.values()][0]!;
  live.fields.color = color;
}

/** A request that changes something: not a GET, nor the GraphQL query asking who the token is. */
function isWrite(r: { method: string; path: string }): boolean {
  return r.method !== 'GET' && r.path !== '/graphql';
}

function assertNoToken(r: CliResult): void {
  for (const secret of [github.current.token, f.ls.token])
    assert.not.ok(r.stdout.includes(secret) || r.stderr.includes(secret), 'a token was printed');
}

test('drift opens one issue, a second run updates it, and once the server matches git it is closed with a comment', async () => {
  // A busy repository: 120 open issues and 10 pull requests before ours, and last month's
  // drift issue, closed, with the same marker.
  for (let i = 0; i < 120; i++) github.current.addIssue(`Bug ${i}`, `Something broke ${i}`);
  for (let i = 0; i < 10; i++) github.current.addPullRequest();
  // A pull request whose description was pasted from a drift issue is not the drift issue.
  const pasted = github.current.addPullRequest(`${MARKER}\npasted report`);
  const old = github.current.addIssue('labelform: drift in environment default', `${MARKER}\nold report`, {
    state: 'closed',
  });
  const dir = await driftedRepo();
  const env = githubEnv(github.current, { dir, sha: 'd'.repeat(40), event: 'schedule' });

  const first = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(first.code, 2, first.stderr);
  assert.match(first.stderr, /Drift issue #\d+ opened: https:\/\/github\.com\/acme\/labels\/issues\/\d+\./);
  let ours = github.current.openIssues().filter((i) => i.body.startsWith(MARKER));
  assert.is(ours.length, 1);
  const issue = ours[0]!;
  assert.is(issue.title, 'labelform: drift in environment default');
  assert.match(issue.body, /news/);
  assert.match(issue.body, /color/);
  assert.match(issue.body, /ABCDEF/i);
  assert.match(
    issue.body,
    /commit <a href="https:\/\/github\.com\/acme\/labels\/commit\/d{40}"><code>ddddddd<\/code><\/a>/,
  );
  assert.is(github.current.issues.get(old)!.state, 'closed', 'a closed drift issue is not reopened');
  assert.is(github.current.issues.get(pasted)!.body, `${MARKER}\npasted report`);

  editOnServer('#00FF00');
  github.current.requests.length = 0;
  const second = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(second.code, 2);
  assert.match(second.stderr, new RegExp(`Drift issue #${issue.number} updated`));
  ours = github.current.openIssues().filter((i) => i.body.startsWith(MARKER));
  assert.is(ours.length, 1, 'still one issue');
  assert.match(ours[0]!.body, /00FF00/i);
  assert.not.match(ours[0]!.body, /ABCDEF/i);
  assert.ok(
    github.current.requests.some((r) => r.method === 'GET' && /\/issues\?.*page=2/.test(r.path)),
    'paged past the first 100 issues',
  );

  const fixed = await f.cli(dir, ['apply', '--auto-approve']);
  assert.is(fixed.code, 0, fixed.stderr);
  const third = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(third.code, 0, third.stderr);
  assert.match(third.stderr, new RegExp(`Drift issue #${issue.number} closed`));
  assert.is(github.current.issues.get(issue.number)!.state, 'closed');
  assert.is(github.current.issues.get(issue.number)!.state_reason, 'completed');
  const closing = github.current.commentsOn(issue.number);
  assert.is(closing.length, 1);
  assert.match(closing[0]!.body, /No drift any more: the server matches git again/);

  github.current.requests.length = 0;
  const fourth = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(fourth.code, 0);
  assert.match(fourth.stderr, /No drift, and no open drift issue to close\./);
  assert.not.ok(github.current.requests.some(isWrite), 'nothing written');
  for (const r of [first, second, third, fourth]) assertNoToken(r);
  assert.not.match(first.stdout + second.stdout, /Drift issue/, 'stdout holds the report only');
});

test('two environments keep two drift issues', async () => {
  const dir = await f.repo({
    'labelform.yaml':
      'apiVersion: labelform/v1\nkind: Config\nnamespace: test\nenvironments:\n  staging: {}\n  production: {}\ndefaultEnvironment: staging\n',
    'projects/news.yaml': projectYaml('news', `  title: News\n  color: "#112233"\n  label_config: '${CONFIG}'\n`),
  });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  editOnServer('#ABCDEF');
  const env = githubEnv(github.current, { dir, event: 'schedule' });
  assert.is((await f.cli(dir, ['drift', '--issue', '-e', 'staging'], { env })).code, 2);
  assert.is((await f.cli(dir, ['drift', '--issue', '-e', 'production'], { env })).code, 2);
  assert.is((await f.cli(dir, ['drift', '--issue'], { env })).code, 2);
  assert.equal(
    github.current.openIssues().map((i) => [i.title, i.body.split('\n')[0]]),
    [
      ['labelform: drift in environment staging', '<!-- labelform:drift dir=. env=staging -->'],
      ['labelform: drift in environment production', '<!-- labelform:drift dir=. env=production -->'],
    ],
  );
});

test('a drift check with errors leaves the open issue alone', async () => {
  const dir = await driftedRepo();
  const env = githubEnv(github.current, { dir, event: 'schedule' });
  assert.is((await f.cli(dir, ['drift', '--issue'], { env })).code, 2);
  const before = github.current.openIssues()[0]!.body;
  // Two projects now carry the marker of "news": the check cannot say what matches.
  const live = [...f.ls.state.projects.values()][0]!;
  await f.client.createProject({
    title: 'News copy',
    description: String(live.fields.description),
    label_config: CONFIG,
  });
  editOnServer('#112233');
  github.current.requests.length = 0;
  const r = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /The drift check has errors and found no drift: the drift issue, if one is open, is left as it is\./,
  );
  assert.is(github.current.openIssues().length, 1);
  assert.is(github.current.openIssues()[0]!.body, before);
  assert.not.ok(github.current.requests.some(isWrite));
});

test('a look-alike drift issue opened by someone else is never written to: the bot opens, updates and closes its own', async () => {
  const fake = `${MARKER}\nNo drift. Nothing to see here.`;
  const lookAlike = github.current.addIssue('labelform: drift in environment default', fake, { user: 'mallory' });
  const dir = await driftedRepo();
  const env = githubEnv(github.current, { dir, sha: 'd'.repeat(40), event: 'schedule' });

  const first = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(first.code, 2, first.stderr);
  assert.match(first.stderr, /Drift issue #\d+ opened/);
  // The identity is read once for the run, though both findOpen and open need it.
  assert.equal(github.current.requests.filter((r) => r.path === '/user' || r.path === '/graphql').length, 2);
  const ours = github.current.openIssues().find((i) => i.number !== lookAlike)!;
  assert.is(ours.user, 'github-actions[bot]');
  assert.ok(ours.body.startsWith(MARKER));

  editOnServer('#00FF00');
  const second = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`Drift issue #${ours.number} updated`));
  assert.match(github.current.issues.get(ours.number)!.body, /00FF00/i);

  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  const third = await f.cli(dir, ['drift', '--issue'], { env });
  assert.is(third.code, 0, third.stderr);
  assert.match(third.stderr, new RegExp(`Drift issue #${ours.number} closed`));

  const theirs = github.current.issues.get(lookAlike)!;
  assert.equal(
    [theirs.title, theirs.body, theirs.state, theirs.user],
    ['labelform: drift in environment default', fake, 'open', 'mallory'],
    'the look-alike is untouched',
  );
  assert.is(github.current.commentsOn(lookAlike).length, 0);
  assert.not.ok(
    github.current.requests.some(
      (r) => r.method !== 'GET' && r.path.startsWith(`/repos/acme/labels/issues/${lookAlike}`),
    ),
    'nothing was written to the look-alike',
  );
});

test('drift --issue whose token has no identity to learn: one line naming the variable, exit 1, no issue opened', async () => {
  const dir = await driftedRepo();
  github.current.fail({ path: /^\/graphql$/, reply: { status: 200, body: { data: { viewer: { login: '' } } } } });
  const r = await f.cli(dir, ['drift', '--issue', '--issue-token-env', 'DRIFT_TOKEN'], {
    env: { ...githubEnv(github.current, { dir, event: 'schedule', token: null }), DRIFT_TOKEN: github.current.token },
  });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /^Error: cannot learn which account the token in DRIFT_TOKEN posts as: neither GET \/user nor GraphQL's viewer named a login/m,
  );
  assert.is(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length, 1);
  assert.not.ok(hasStackTrace(r.stderr));
  assertNoToken(r);
  assert.is(github.current.openIssues().length, 0);
});

test('no permission, no repository, no token: one line naming the setting, exit 1', async () => {
  const dir = await driftedRepo();
  github.current.readOnly = true;
  const denied = await f.cli(dir, ['drift', '--issue'], { env: githubEnv(github.current, { dir, event: 'schedule' }) });
  github.current.readOnly = false;
  assert.is(denied.code, 1);
  assert.match(
    denied.stderr,
    /Error: cannot open an issue in acme\/labels: the token in GITHUB_TOKEN may not do that \(403 Resource not accessible by integration\); give the workflow `permissions: issues: write`/,
  );

  const { GITHUB_REPOSITORY: _r, GITHUB_ACTIONS: _a, ...outside } = githubEnv(github.current, { dir });
  const nowhere = await f.cli(dir, ['drift', '--issue'], { env: outside });
  assert.is(nowhere.code, 1);
  assert.match(nowhere.stderr, /Error: --issue: GITHUB_REPOSITORY is not set to owner\/name/);

  const noToken = await f.cli(dir, ['drift', '--issue'], { env: githubEnv(github.current, { dir, token: null }) });
  assert.is(noToken.code, 1);
  assert.match(noToken.stderr, /Error: --issue: GITHUB_TOKEN is not set/);
  assert.match(noToken.stderr, /permissions: issues: write/);

  const named = await f.cli(dir, ['drift', '--issue', '--issue-token-env', 'DRIFT_TOKEN'], {
    env: { ...githubEnv(github.current, { dir, token: null }), DRIFT_TOKEN: github.current.token },
  });
  assert.is(named.code, 2, named.stderr);
  assert.is(github.current.openIssues().length, 1);
  for (const r of [denied, nowhere, noToken, named]) {
    assert.not.ok(hasStackTrace(r.stderr));
    assertNoToken(r);
  }
});

test.run();
