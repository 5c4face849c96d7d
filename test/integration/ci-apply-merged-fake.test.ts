/**
 * What was reviewed is what ships, against the fake Label Studio and the fake GitHub API: the
 * pull request's plan job saves its plan in its own plan comment; after merge, `apply --merged`
 * applies exactly that plan for the merged commit, posts the result to the merged pull request,
 * and refuses (saying why, there and on stderr) a plan that went stale, a plan of another head,
 * a look-alike comment, a run off the default branch, and a commit older than the last applied.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { useFakeGitHub } from '../fake-github/github-fake.ts';
import { markerFor } from '../../src/ci/marker.ts';

const f = useFakeCli(test);
const github = useFakeGitHub(test);

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const HEAD = '1234567aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function manifest(title: string): string {
  return projectYaml('reviews', `  title: ${title}\n  label_config: '${CONFIG}'\n`);
}

interface Repo {
  readonly dir: string;
  git(...args: string[]): string;
  commit(message: string, files?: Record<string, string>): string;
}

/** A git repository holding labelform.yaml and the files, committed. */
async function gitRepo(files: Record<string, string>): Promise<Repo> {
  const dir = await f.repo(files);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (message: string, more: Record<string, string> = {}) => {
    for (const [rel, content] of Object.entries(more)) writeFileSync(join(dir, rel), content);
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commit('initial');
  return { dir, git, commit };
}

/** The environment of the apply job: a push of `sha` to the default branch main. */
function pushEnv(dir: string, sha: string, ref = 'refs/heads/main'): Record<string, string> {
  const eventPath = join(dir, `push-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(eventPath, JSON.stringify({ ref, after: sha, repository: { default_branch: 'main' } }));
  return {
    ...githubEnv(github.current, { dir, sha, event: 'push' }),
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
  };
}

/** The plan job of pull request `pr` at head `head`, with its plan comment. */
async function planJob(repo: Repo, pr: number, head = HEAD) {
  const r = await f.cli(repo.dir, ['plan', '--comment', '--detailed-exitcode'], {
    env: githubEnv(github.current, { dir: repo.dir, pr, sha: head }),
  });
  assert.ok(r.code === 0 || r.code === 2, r.stderr);
  return r;
}

function projectsTitled(title: string) {
  return [...f.ls.state.projects.values()].filter((p) => p.fields.title === title);
}

function applyComments(pr: number) {
  return github.current
    .commentsOn(pr)
    .filter((c) => c.body.startsWith(markerFor('apply', { dir: '.', env: 'default' })));
}

test('the plan reviewed in the pull request is applied after merge, and the result is posted there', async () => {
  const repo = await gitRepo({ 'p/project.yaml': manifest('Reviews v1') });
  const pr = github.current.addPullRequest('Add reviews', { headSha: HEAD });
  await planJob(repo, pr);
  const comment = github.current.commentsOn(pr)[0]!;
  assert.match(comment.body, /<!-- labelform:plan-data v1 sha256=[0-9a-f]{64} bytes=\d+\n/);
  const merged = repo.commit('merge #1');
  github.current.mergePullRequest(pr, merged);
  const r = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, merged) });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Applying the plan reviewed in pull request #\d+/);
  assert.is(projectsTitled('Reviews v1').length, 1);
  const posted = applyComments(pr);
  assert.is(posted.length, 1);
  assert.match(posted[0]!.body, /Apply complete: 1 created/);
  assert.match(posted[0]!.body, new RegExp(`\\[\\d+\\]\\(${f.ls.url.replace(/[.:/]/g, '\\$&')}/projects/\\d+/\\)`));
  assert.not.ok(hasStackTrace(r.stderr));
  for (const secret of [github.current.token, f.ls.token])
    assert.not.ok(r.stdout.includes(secret) || r.stderr.includes(secret) || posted[0]!.body.includes(secret));
  // Re-running the job: nothing left to apply, exit 0.
  const again = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, merged) });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to apply/);
});

test('a plan that went stale between review and merge is refused, on stderr and in the pull request, and nothing is applied', async () => {
  const repo = await gitRepo({ 'p/project.yaml': manifest('Reviews v1') });
  await f.cli(repo.dir, ['apply', '--auto-approve']);
  repo.commit('applied v1');
  const pr = github.current.addPullRequest('Rename', { headSha: HEAD });
  writeFileSync(join(repo.dir, 'p/project.yaml'), manifest('Reviews v2'));
  await planJob(repo, pr);
  // Someone renames the project in the UI after the review.
  const live = [...f.ls.state.projects.values()][0]!;
  live.fields.title = 'Renamed in the UI';
  const merged = repo.commit('merge #2');
  github.current.mergePullRequest(pr, merged);
  const r = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, merged) });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /the plan reviewed in pull request #\d+ does not match a fresh plan of commit [0-9a-f]{7}; nothing was applied/,
  );
  assert.match(r.stderr, /title/);
  assert.is(live.fields.title, 'Renamed in the UI');
  const posted = applyComments(pr);
  assert.is(posted.length, 1);
  assert.match(posted[0]!.body, /labelform apply refused: nothing was applied/);
  assert.match(posted[0]!.body, /git commit --allow-empty/);
  assert.not.ok(hasStackTrace(r.stderr));
});

test('a push after the last plan, a look-alike comment, no pull request, another branch: refused', async () => {
  const repo = await gitRepo({ 'p/project.yaml': manifest('Reviews v1') });
  const pr = github.current.addPullRequest('Add reviews', { headSha: HEAD });
  await planJob(repo, pr, '9999999bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
  const merged = repo.commit('merge');
  github.current.mergePullRequest(pr, merged);
  const r = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, merged) });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /is a plan of commit 9999999, but pull request #\d+ was merged at commit 1234567: what was merged was not planned/,
  );
  assert.is(f.ls.state.projects.size, 0);

  // The bot's comment removed; a look-alike by another user carries a plan of the right head.
  const ours = github.current.commentsOn(pr)[0]!;
  github.current.comments.delete(ours.id);
  await planJob(repo, github.current.addPullRequest('other', { headSha: HEAD }));
  const forged = [...github.current.comments.values()].at(-1)!.body;
  github.current.addComment(pr, forged, 'mallory');
  const lookAlike = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, merged) });
  assert.is(lookAlike.code, 1);
  assert.match(lookAlike.stderr, /has no plan comment of labelform for directory \. and environment default/);
  assert.is(f.ls.state.projects.size, 0);

  const direct = repo.commit('a direct push');
  const noPr = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, direct) });
  assert.is(noPr.code, 1);
  assert.match(noPr.stderr, /was not merged from a pull request/);

  const side = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, direct, 'refs/heads/feature') });
  assert.is(side.code, 1);
  assert.match(side.stderr, /--merged applies only on the default branch main; this run is for refs\/heads\/feature/);
  assert.is(f.ls.state.projects.size, 0);
});

test('a push that changes no manifest needs no reviewed plan', async () => {
  const repo = await gitRepo({ 'p/project.yaml': manifest('Reviews v1') });
  await f.cli(repo.dir, ['apply', '--auto-approve']);
  const direct = repo.commit('docs only', { 'README.md': 'hello\n' });
  const r = await f.cli(repo.dir, ['apply', '--merged'], { env: pushEnv(repo.dir, direct) });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing to apply/);
});

test('apply from a commit older than the last applied one is refused (naming both); --allow-rollback applies it', async () => {
  const repo = await gitRepo({ 'p/project.yaml': manifest('Reviews v1') });
  const first = repo.commit('v1');
  const second = repo.commit('v2', { 'p/project.yaml': manifest('Reviews v2') });
  const applied = await f.cli(repo.dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stderr);
  assert.is(projectsTitled('Reviews v2').length, 1);
  repo.git('checkout', '-q', first);
  const old = await f.cli(repo.dir, ['apply', '--auto-approve']);
  assert.is(old.code, 1);
  assert.match(
    old.stderr,
    new RegExp(
      `project reviews was last applied from commit ${second.slice(0, 12)}, which this checkout \\(commit ${first.slice(0, 12)}\\) does not contain`,
    ),
  );
  assert.match(old.stderr, /--allow-rollback/);
  assert.is(projectsTitled('Reviews v2').length, 1);
  // A side branch is refused the same way.
  repo.git('checkout', '-q', '-b', 'side', first);
  repo.commit('side', { 'p/project.yaml': manifest('Reviews side') });
  const sideways = await f.cli(repo.dir, ['apply', '--auto-approve']);
  assert.is(sideways.code, 1);
  assert.is(projectsTitled('Reviews v2').length, 1);
  repo.git('checkout', '-q', first);
  const rolled = await f.cli(repo.dir, ['apply', '--auto-approve', '--allow-rollback']);
  assert.is(rolled.code, 0, rolled.stderr);
  assert.match(rolled.stderr, /Warning: --allow-rollback/);
  assert.is(projectsTitled('Reviews v1').length, 1);
  // Forward again from the newest commit: fine.
  repo.git('checkout', '-q', 'main');
  const forward = await f.cli(repo.dir, ['apply', '--auto-approve']);
  assert.is(forward.code, 0, forward.stderr);
  assert.is(projectsTitled('Reviews v2').length, 1);
});

test.run();
