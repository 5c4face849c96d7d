/**
 * `labelform plan --comment` on GitHub, against the fake Label Studio and the fake GitHub REST API:
 * one comment per pull request, directory and environment, updated in place; found among many
 * comments; settled when two runs race; a look-alike by anyone else is never touched (the comment
 * is the token's own account's); outside a pull request it says so and keeps the plan's exit
 * code; failures are one line naming the setting to fix; the token is never printed.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { secondaryRateLimit, useFakeGitHub } from '../fake-github/github-fake.ts';

const f = useFakeCli(test);
const github = useFakeGitHub(test);

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const SHA1 = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SHA2 = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function project(name: string, title: string): Record<string, string> {
  return { [`projects/${name}.yaml`]: projectYaml(name, `  title: ${title}\n  label_config: '${CONFIG}'\n`) };
}

/** The output holds neither the GitHub token nor the Label Studio token. */
function assertNoToken(r: CliResult): void {
  for (const secret of [github.current.token, f.ls.token]) {
    assert.not.ok(r.stdout.includes(secret) || r.stderr.includes(secret), 'a token was printed');
  }
}

test('two plan --comment runs on a pull request leave one comment, updated with the newer commit', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  const first = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  assert.is(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    new RegExp(
      `Plan comment created on pull request #${pr}: https://github\\.com/acme/labels/pull/${pr}#issuecomment-\\d+`,
    ),
  );
  assert.not.match(first.stdout, /Plan comment|issuecomment/, 'stdout holds the plan only');
  let comments = github.current.commentsOn(pr);
  assert.is(comments.length, 1);
  const body = comments[0]!.body;
  assert.is(body.split('\n')[0], '<!-- labelform:plan dir=. env=default -->');
  assert.match(body, /\*\*Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged\./);
  assert.match(body, /<details><summary>🟢 create <code>news<\/code>/);
  // The head commit the author pushed, not GITHUB_SHA (GitHub's merge commit for the check).
  assert.match(
    body,
    new RegExp(
      `commit <a href="https://github\\.com/acme/labels/pull/${pr}/commits/1111111a+"><code>1111111</code></a>`,
    ),
  );
  assert.not.match(body, /fffffff/);
  assert.match(body, /environment <code>default<\/code>/);

  const second = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) });
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, /Plan comment updated on pull request #\d+/);
  comments = github.current.commentsOn(pr);
  assert.is(comments.length, 1, 'still one comment');
  assert.match(comments[0]!.body, /<code>2222222<\/code>/);
  assert.not.match(comments[0]!.body, /1111111/);
  assertNoToken(first);
  assertNoToken(second);
});

test('two directories, or two environments, of one repository keep two comments', async () => {
  const pr = github.current.addPullRequest();
  const root = await f.tree({
    'labelform/a/labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: a\n',
    ...prefixed('labelform/a/', project('news', 'News A')),
    'labelform/b/labelform.yaml':
      'apiVersion: labelform/v1\nkind: Config\nnamespace: b\nenvironments:\n  staging: {}\n  production: {}\ndefaultEnvironment: staging\n',
    ...prefixed('labelform/b/', project('news', 'News B')),
  });
  const env = githubEnv(github.current, { pr, sha: SHA1, dir: root, workspace: root });
  for (const [sub, ...args] of [['a'], ['b'], ['b', '-e', 'production'], ['a'], ['b', '-e', 'staging']]) {
    const r = await f.cli(join(root, 'labelform', sub!), ['plan', '--comment', ...args], { env, cwd: root });
    assert.is(r.code, 0, r.stderr);
  }
  const markers = github.current.commentsOn(pr).map((c) => c.body.split('\n')[0]);
  assert.equal(markers, [
    '<!-- labelform:plan dir=labelform/a env=default -->',
    '<!-- labelform:plan dir=labelform/b env=staging -->',
    '<!-- labelform:plan dir=labelform/b env=production -->',
  ]);
});

test('a pull request with 150 other comments (and a reply quoting ours) still finds its own', async () => {
  const pr = github.current.addPullRequest();
  for (let i = 0; i < 150; i++) github.current.addComment(pr, `Review comment ${i}`, 'reviewer');
  const dir = await f.repo(project('news', 'News'));
  const env = githubEnv(github.current, { pr, sha: SHA1, dir });
  assert.is((await f.cli(dir, ['plan', '--comment'], { env })).code, 0);
  const ours = github.current.commentsOn(pr).at(-1)!;
  github.current.addComment(pr, `> ${ours.body.split('\n')[0]}\n> **Plan: ...**\n\nWhy is this a create?`, 'reviewer');
  github.current.requests.length = 0;
  const again = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /Plan comment updated/);
  const comments = github.current.commentsOn(pr);
  assert.is(comments.length, 152);
  assert.is(comments.filter((c) => c.body.includes('<code>2222222</code>')).length, 1);
  assert.is(github.current.comments.get(ours.id)!.body.includes('2222222'), true, 'the same comment was updated');
  assert.ok(
    github.current.requests.some((r) => r.method === 'GET' && /comments\?.*page=2/.test(r.path)),
    'read the second page',
  );
  assert.not.ok(
    github.current.requests.some((r) => r.method === 'DELETE'),
    'the quoting reply is not ours',
  );
});

test('two runs that race to create the first comment settle on one', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  const [a, b] = await Promise.all([
    f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) }),
    f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) }),
  ]);
  assert.is(a.code, 0, a.stderr);
  assert.is(b.code, 0, b.stderr);
  assert.is(
    github.current.requests.filter((r) => r.method === 'POST' && /\/comments$/.test(r.path)).length,
    2,
    'both created one',
  );
  assert.is(github.current.commentsOn(pr).length, 1, 'one is left');
});

test('outside a pull request --comment says so on stderr and keeps the plan exit code', async () => {
  const dir = await f.repo(project('news', 'News'));
  const push = await f.cli(dir, ['plan', '--comment', '--detailed-exitcode'], {
    env: githubEnv(github.current, { sha: SHA1, dir }),
  });
  assert.is(push.code, 2);
  assert.match(
    push.stderr,
    /--comment: this run is not for a pull request \(event push; GITHUB_EVENT_PATH has no pull_request\); nothing was posted\./,
  );
  const local = await f.cli(dir, ['plan', '--comment']);
  assert.is(local.code, 0);
  assert.match(local.stderr, /--comment: not running in GitHub Actions or GitLab CI/);
  assert.is(github.current.requests.length, 0);
});

test('a plan that fails says why in the comment, and the next good plan updates the same comment', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo({
    'projects/news.yaml': projectYaml('news', `  title: News\n  label_config: '${CONFIG}'\n  colour: red\n`),
  });
  const failed = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  assert.is(failed.code, 1);
  assert.not.ok(hasStackTrace(failed.stderr));
  let comments = github.current.commentsOn(pr);
  assert.is(comments.length, 1);
  assert.match(comments[0]!.body, /^<!-- labelform:plan dir=\. env=default -->\n/);
  assert.match(comments[0]!.body, /### ❌ labelform plan failed/);
  assert.match(comments[0]!.body, /`projects\/news\.yaml:\d+:3`.*colour/);

  const { writeFile } = await import('node:fs/promises');
  await writeFile(`${dir}/projects/news.yaml`, projectYaml('news', `  title: News\n  label_config: '${CONFIG}'\n`));
  const fixed = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) });
  assert.is(fixed.code, 0, fixed.stderr);
  comments = github.current.commentsOn(pr);
  assert.is(comments.length, 1);
  assert.not.match(comments[0]!.body, /failed/);
  assert.match(comments[0]!.body, /1 to create/);
});

test('a plan with errors posts them at the top, with the plan exit code 1', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  // Two projects carry the marker of one key: a plan error.
  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  const live = [...f.ls.state.projects.values()][0]!;
  await f.client.createProject({
    title: 'News copy',
    description: String(live.fields.description),
    label_config: CONFIG,
  });
  const r = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  assert.is(r.code, 1);
  const body = github.current.commentsOn(pr)[0]!.body;
  assert.match(body, /❌ labelform plan failed/);
  assert.match(body, /2 projects carry the marker of "news"/);
  assert.ok(body.indexOf('2 projects carry') < body.indexOf('labelform 0.'), 'errors come before the footer');
});

test('no permission, wrong repository, bad or missing token: one line naming the setting, exit 1, plan still printed', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  github.current.readOnly = true;
  const denied = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  github.current.readOnly = false;
  assert.is(denied.code, 1);
  assert.match(denied.stdout, /Plan: 1 to create/);
  assert.match(
    denied.stderr,
    /Error: cannot comment on pull request #\d+ of acme\/labels: the token in GITHUB_TOKEN may not do that \(403 Resource not accessible by integration\); give the workflow `permissions: pull-requests: write`/,
  );

  const elsewhere = await f.cli(dir, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr, sha: SHA1, dir, repository: 'acme/other' }),
  });
  assert.is(elsewhere.code, 1);
  assert.match(
    elsewhere.stderr,
    /cannot read the comments of pull request #\d+ of acme\/other: GitHub answered 404 \(Not Found\); check GITHUB_REPOSITORY and GITHUB_API_URL/,
  );

  const badToken = await f.cli(dir, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr, sha: SHA1, dir, token: 'ghs_notTheRightToken000000000000' }),
  });
  assert.is(badToken.code, 1);
  assert.match(badToken.stderr, /GitHub refused the token in GITHUB_TOKEN \(401 Bad credentials\)/);
  assert.not.ok(badToken.stderr.includes('ghs_notTheRightToken000000000000'));

  const noToken = await f.cli(dir, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr, sha: SHA1, dir, token: null }),
  });
  assert.is(noToken.code, 1);
  assert.match(noToken.stderr, /Error: --comment: GITHUB_TOKEN is not set/);
  assert.match(noToken.stderr, /env: GITHUB_TOKEN: \$\{\{ github\.token \}\}/);

  const named = await f.cli(dir, ['plan', '--comment', '--comment-token-env', 'PLAN_BOT_TOKEN'], {
    env: { ...githubEnv(github.current, { pr, sha: SHA1, dir, token: null }), PLAN_BOT_TOKEN: github.current.token },
  });
  assert.is(named.code, 0, named.stderr);

  for (const r of [denied, elsewhere, badToken, noToken, named]) {
    assert.not.ok(hasStackTrace(r.stderr));
    assert.is(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length, r === named ? 0 : 1);
    assertNoToken(r);
  }
  assert.is(github.current.commentsOn(pr).length, 1);
});

test("GitHub's messages are shown without the token, and with --debug only methods and paths are logged", async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  github.current.fail({
    method: 'POST',
    path: /\/comments$/,
    reply: { status: 422, body: { message: `Validation Failed for token ${github.current.token}` } },
  });
  const r = await f.cli(dir, ['plan', '--comment', '--debug'], {
    env: githubEnv(github.current, { pr, sha: SHA1, dir }),
  });
  assert.is(r.code, 1);
  assert.match(r.stderr, /GitHub: GET \/repos\/acme\/labels\/issues\/\d+\/comments\?per_page=100 → 200/);
  assert.match(r.stderr, /cannot comment on pull request #\d+ of acme\/labels: GitHub refused the request \(422 /);
  assert.match(r.stderr, /\[redacted\]|withheld/);
  assertNoToken(r);
});

test('a secondary rate limit is waited out as Retry-After says; one that stays is a clear error', async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  github.current.fail({ method: 'POST', path: /\/comments$/, reply: secondaryRateLimit(3) });
  const waited = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  assert.is(waited.code, 0, waited.stderr);
  assert.match(waited.stderr, /GitHub's secondary rate limit: waiting 3 s before trying again/);
  assert.is(github.current.commentsOn(pr).length, 1);
  assert.equal(
    github.current.requests.filter((q) => q.method === 'POST' && /\/comments$/.test(q.path)).map((q) => q.status),
    [403, 201],
  );

  github.current.fail({ method: 'PATCH', reply: secondaryRateLimit(1), times: 10 });
  const gaveUp = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) });
  assert.is(gaveUp.code, 1);
  assert.match(
    gaveUp.stderr,
    /Error: cannot update comment \d+ on pull request #\d+ of acme\/labels: GitHub's secondary rate limit still applies after 3 waits/,
  );
  assert.is(github.current.requests.filter((q) => q.method === 'PATCH').length, 4);
});

test('a look-alike comment by someone else (same marker) is never edited or removed: the bot creates and then updates its own', async () => {
  const pr = github.current.addPullRequest();
  const marker = '<!-- labelform:plan dir=. env=default -->';
  const fake = `${marker}\n**Plan: No changes.** Merge away.`;
  const before = github.current.addComment(pr, fake, 'mallory');
  const dir = await f.repo(project('news', 'News'));
  const first = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA1, dir }) });
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /Plan comment created on pull request #\d+/);
  assert.not.match(first.stderr, /duplicate/);
  // Another one after ours, with a lower and a higher id than ours around it.
  const after = github.current.addComment(pr, fake, 'mallory');
  const second = await f.cli(dir, ['plan', '--comment'], { env: githubEnv(github.current, { pr, sha: SHA2, dir }) });
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, /Plan comment updated on pull request #\d+/);

  const comments = github.current.commentsOn(pr);
  assert.equal(
    comments.map((c) => c.user),
    ['mallory', 'github-actions[bot]', 'mallory'],
  );
  for (const id of [before, after])
    assert.is(github.current.comments.get(id)!.body, fake, 'the look-alike is untouched');
  const ours = comments[1]!;
  assert.match(ours.body, /<code>2222222<\/code>/);
  assert.match(ours.body, /1 to create/);
  const touched = github.current.requests
    .filter((r) => r.method === 'PATCH' || r.method === 'DELETE')
    .map((r) => r.path);
  assert.equal(touched, [`/repos/acme/labels/issues/comments/${ours.id}`], 'only our own comment was written to');
  assertNoToken(first);
  assertNoToken(second);
});

test("the identity is the token's: a personal access token (GET /user) does not adopt the workflow token's comment, and the workflow token asks GraphQL once", async () => {
  const pr = github.current.addPullRequest();
  const dir = await f.repo(project('news', 'News'));
  const byWorkflow = await f.cli(dir, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr, sha: SHA1, dir }),
  });
  assert.is(byWorkflow.code, 0, byWorkflow.stderr);
  // GITHUB_TOKEN: GET /user is refused to an installation; the GraphQL viewer names the bot, once.
  assert.equal(
    github.current.requests
      .filter((r) => r.path === '/user' || r.path === '/graphql')
      .map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /user 403', 'POST /graphql 200'],
  );
  github.current.requests.length = 0;
  const byPat = await f.cli(dir, ['plan', '--comment'], {
    env: githubEnv(github.current, { pr, sha: SHA2, dir, token: github.current.pat }),
  });
  assert.is(byPat.code, 0, byPat.stderr);
  assert.match(byPat.stderr, /Plan comment created/);
  assert.equal(
    github.current.requests
      .filter((r) => r.path === '/user' || r.path === '/graphql')
      .map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /user 200'],
  );
  const comments = github.current.commentsOn(pr);
  assert.equal(
    comments.map((c) => c.user),
    ['github-actions[bot]', 'labelform-bot'],
  );
  assert.match(comments[0]!.body, /<code>1111111<\/code>/, "the workflow token's comment is left as it was");
  assert.match(comments[1]!.body, /<code>2222222<\/code>/);
  assert.not.ok(byPat.stderr.includes(github.current.pat));
});

test("when the token's identity cannot be learned: one line naming the variable, exit 1, nothing posted, the look-alike untouched", async () => {
  const pr = github.current.addPullRequest();
  const fake = '<!-- labelform:plan dir=. env=default -->\nold';
  const lookAlike = github.current.addComment(pr, fake, 'mallory');
  const dir = await f.repo(project('news', 'News'));
  const env = githubEnv(github.current, { pr, sha: SHA1, dir });

  github.current.fail({ path: /^\/graphql$/, reply: { status: 200, body: { data: { viewer: null } } } });
  const nobody = await f.cli(dir, ['plan', '--comment'], { env });
  assert.is(nobody.code, 1);
  assert.match(nobody.stdout, /Plan: 1 to create/, 'the plan is printed all the same');
  assert.match(
    nobody.stderr,
    /^Error: cannot learn which account the token in GITHUB_TOKEN posts as: neither GET \/user nor GraphQL's viewer named a login; labelform edits only the comments and issues its own account wrote/m,
  );

  github.current.fail({
    path: /^\/graphql$/,
    reply: {
      status: 200,
      body: { data: null, errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }] },
    },
  });
  const refused = await f.cli(dir, ['plan', '--comment', '--comment-token-env', 'BOT_TOKEN'], {
    env: { ...githubEnv(github.current, { pr, sha: SHA1, dir, token: null }), BOT_TOKEN: github.current.token },
  });
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    /^Error: cannot learn which account the token in BOT_TOKEN posts as: .*Resource not accessible by integration/m,
    refused.stderr,
  );

  for (const r of [nobody, refused]) {
    assert.not.ok(hasStackTrace(r.stderr), r.stderr);
    assert.is(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length, 1, r.stderr);
    assertNoToken(r);
  }
  assert.equal(
    github.current.commentsOn(pr).map((c) => c.id),
    [lookAlike],
    'nothing posted',
  );
  assert.is(github.current.comments.get(lookAlike)!.body, fake);
  assert.not.ok(
    github.current.requests.some(
      (r) => r.method === 'PATCH' || r.method === 'DELETE' || (r.method === 'POST' && r.path !== '/graphql'),
    ),
  );
});

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}${k}`, v]));
}

test.run();
