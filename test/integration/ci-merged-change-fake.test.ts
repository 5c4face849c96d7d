/**
 * The pull request (GitHub) or merge request (GitLab) merged as a commit, against the fake APIs:
 * merged with that commit as its merge (or squash) commit is it; an open one whose branch holds
 * the commit, or whose test merge commit it is, is not; a merged one whose merge commit is
 * another is not; none at all is undefined. And who the token is, read once per thread.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUserError } from '../../src/util/errors.ts';
import { createGitHub } from '../../src/ci/github-client.ts';
import { mergedPullRequestOf, pullRequestComments, repositoryIssues } from '../../src/ci/github-threads.ts';
import { mergedMergeRequestOf, mergeRequestNotes } from '../../src/ci/gitlab-notes.ts';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/github-fake.ts';
import { startFakeGitLab, type FakeGitLab } from '../fake-github/gitlab-fake.ts';

let gh: FakeGitHub;
let gl: FakeGitLab;

test.before(async () => {
  gh = await startFakeGitHub();
  gl = await startFakeGitLab({ projectId: 'acme/labels', mergeRequests: [] });
});
test.after(async () => {
  await gh.stop();
  await gl.stop();
});

const sha = (c: string) => c.repeat(40);
const noSleep = async () => {};
const settings = () => ({ tokenEnv: 'GITHUB_TOKEN', apiUrl: gh.url });
const github = (token = gh.token) => createGitHub({ token, apiUrl: gh.url, sleep: noSleep, notice: () => {} });
const repo = () => ({ owner: gh.owner, repo: gh.repo });
const gitlab = (token = gl.token) => ({
  apiUrl: gl.apiUrl,
  projectId: gl.projectId,
  token,
  tokenEnv: 'GITLAB_TOKEN',
  sleep: noSleep,
});

test('mergedPullRequestOf: the merged pull request whose merge commit is the sha, not an open one that contains it', async () => {
  // #a: open, its branch holds commit 1 and GitHub's test merge commit for it is 9.
  gh.addPullRequest('', { commits: [sha('1')], mergeCommitSha: sha('9') });
  // #b: merged (squash, merge or rebase: all set merge_commit_sha) as commit 2, from head 1.
  const merged = gh.addPullRequest('', { commits: [sha('1')], baseRef: 'release' });
  gh.mergePullRequest(merged, sha('2'), '2026-02-03T04:05:06Z');

  assert.equal(await mergedPullRequestOf(github(), repo(), sha('2'), settings()), {
    number: merged,
    headSha: sha('1'),
    baseRef: 'release',
    mergedAt: '2026-02-03T04:05:06Z',
    url: `https://github.com/acme/labels/pull/${merged}`,
  });
  // Commit 1 is on both branches, but neither was merged as it.
  assert.is(await mergedPullRequestOf(github(), repo(), sha('1'), settings()), undefined);
  // An open pull request's test merge commit is not a merge.
  assert.is(await mergedPullRequestOf(github(), repo(), sha('9'), settings()), undefined);
  // No pull request knows this commit.
  assert.is(await mergedPullRequestOf(github(), repo(), sha('3'), settings()), undefined);
  assert.ok(gh.requests.some((r) => r.path.startsWith(`/repos/acme/labels/commits/${sha('2')}/pulls`)));
});

test('mergedPullRequestOf: a bad token is one line naming its variable', async () => {
  try {
    await mergedPullRequestOf(github('ghs_notTheRightOne0000000000'), repo(), sha('2'), settings());
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isUserError(err), String(err));
    assert.match(
      (err as Error).message,
      /^cannot find the pull request merged as commit 2222222 in acme\/labels: GitHub refused the token in GITHUB_TOKEN \(401 Bad credentials\)/,
    );
    assert.not.match((err as Error).message, /ghs_notTheRightOne|\n/);
  }
});

test('mergedMergeRequestOf: merged as the merge commit or the squash commit; open, or merged as another commit, is not it', async () => {
  gl.addMergeRequest({
    iid: 11,
    sha: sha('a'),
    commits: [sha('b')],
    state: 'merged',
    mergeCommitSha: sha('c'),
    targetBranch: 'main',
    mergedAt: '2026-03-04T05:06:07Z',
  });
  gl.addMergeRequest({
    iid: 12,
    sha: sha('d'),
    state: 'merged',
    squashCommitSha: sha('e'),
    mergeCommitSha: null,
    targetBranch: 'stable',
  });
  gl.addMergeRequest({ iid: 13, sha: sha('f'), commits: [sha('b')], state: 'opened', mergeCommitSha: null });
  const opts = gitlab();
  assert.equal(await mergedMergeRequestOf(opts, sha('c')), {
    number: 11,
    headSha: sha('a'),
    baseRef: 'main',
    mergedAt: '2026-03-04T05:06:07Z',
    url: 'https://gitlab.example.com/acme/labels/-/merge_requests/11',
  });
  // A fast-forward squash merge: no merge commit, the squash commit is on the target branch.
  assert.equal(await mergedMergeRequestOf(opts, sha('e')), {
    number: 12,
    headSha: sha('d'),
    baseRef: 'stable',
    url: 'https://gitlab.example.com/acme/labels/-/merge_requests/12',
  });
  // Commit b is on the branches of a merged and an open merge request; neither was merged as it.
  assert.is(await mergedMergeRequestOf(opts, sha('b')), undefined);
  assert.is(await mergedMergeRequestOf(opts, sha('f')), undefined);
  assert.is(await mergedMergeRequestOf(opts, sha('0')), undefined);
  assert.ok(
    gl.requests.some((r) =>
      r.path.startsWith(`/api/v4/projects/acme%2Flabels/repository/commits/${sha('c')}/merge_requests`),
    ),
  );

  try {
    await mergedMergeRequestOf({ ...opts, projectId: '999' }, sha('c'));
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isUserError(err), String(err));
    assert.match(
      (err as Error).message,
      /^cannot find the merge request merged as commit ccccccc in project 999: GitLab answered 404 \(Project Not Found\); check CI_PROJECT_ID, CI_API_V4_URL and that commit ccccccc is in the project/,
    );
  }
});

test("self: the token's login, read once per thread; an installation from GraphQL's viewer, a personal token from GET /user", async () => {
  const pr = gh.addPullRequest();
  gh.requests.length = 0;
  const thread = pullRequestComments(github(), repo(), pr, settings());
  assert.equal(await Promise.all([thread.self(), thread.self()]), ['github-actions[bot]', 'github-actions[bot]']);
  assert.is(await thread.self(), 'github-actions[bot]');
  assert.equal(
    gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /user 403', 'POST /graphql 200'],
  );

  gh.requests.length = 0;
  const issues = repositoryIssues(github(gh.pat), repo(), settings());
  assert.is(await issues.findOpen('<!-- labelform:drift dir=. env=default -->'), undefined);
  const opened = await issues.open('t', '<!-- labelform:drift dir=. env=default -->\nbody');
  assert.is(opened.author, 'labelform-bot');
  assert.is((await issues.findOpen('<!-- labelform:drift dir=. env=default -->'))?.number, opened.number);
  assert.equal(
    gh.requests
      .filter((r) => r.path === '/user' || r.path === '/graphql')
      .map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /user 200'],
  );

  gl.requests.length = 0;
  const notes = mergeRequestNotes({ ...gitlab(), iid: 11 });
  assert.is(await notes.self(), gl.username);
  assert.is(await notes.self(), gl.username);
  assert.equal(
    gl.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /api/v4/user 200'],
  );
});

test.run();
