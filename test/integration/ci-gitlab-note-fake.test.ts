/**
 * `labelform plan --comment` in GitLab CI (`GITLAB_CI=true`): one merge request note per
 * directory and environment, updated in place, found past the first page of notes; outside a
 * merge request pipeline it says so; a look-alike note by another user is never touched (the note
 * is the token's own user's, from GET /user); failures name the setting; the token is never printed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { gitlabEnv } from '../fake-github/ci-env.ts';
import { startFakeGitLab, type FakeGitLab } from '../fake-github/gitlab-fake.ts';

const f = useFakeCli(test);
let gl: FakeGitLab;

test.before(async () => {
  gl = await startFakeGitLab({ projectId: 'acme/labels', mergeRequests: [7] });
});
test.before.each(() => {
  gl.notes.clear();
  gl.requests.length = 0;
  gl.clearFailures();
  gl.readOnly = false;
});
test.after(async () => {
  await gl.stop();
});

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const news = { 'projects/news.yaml': projectYaml('news', `  title: News\n  label_config: '${CONFIG}'\n`) };

function assertNoToken(r: CliResult): void {
  for (const secret of [gl.token, f.ls.token])
    assert.not.ok(r.stdout.includes(secret) || r.stderr.includes(secret), 'a token was printed');
}

test('two runs leave one note on the merge request, updated; other notes and system notes are left alone', async () => {
  for (let i = 0; i < 130; i++) gl.addNote(7, `Review note ${i}`, i % 10 === 0);
  const dir = await f.repo(news);
  const first = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl, { sha: '3'.repeat(40) }) });
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /Plan comment created on merge request !7\./);
  const second = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl, { sha: '4'.repeat(40) }) });
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, /Plan comment updated on merge request !7\./);
  const ours = gl.notesOn(7).filter((n) => n.body.startsWith('<!-- labelform:plan dir=. env=default -->\n'));
  assert.is(ours.length, 1);
  assert.is(gl.notesOn(7).length, 131);
  assert.match(ours[0]!.body, /\*\*Plan: 1 to create/);
  assert.match(
    ours[0]!.body,
    /commit <a href="https:\/\/gitlab\.example\.com\/acme\/labels\/-\/commit\/4{40}"><code>4444444<\/code><\/a> · <a href="https:\/\/gitlab\.example\.com\/acme\/labels\/-\/jobs\/99">workflow run<\/a>/,
  );
  assert.ok(
    gl.requests.some((r) => r.method === 'GET' && /page=2/.test(r.path)),
    'read the second page',
  );
  assert.ok(
    gl.requests.some((r) => r.path.startsWith('/api/v4/projects/acme%2Flabels/merge_requests/7/notes')),
    'the project path is URL-encoded',
  );
  assertNoToken(first);
  assertNoToken(second);
});

test('a token in another variable (--comment-token-env); outside a merge request pipeline it says so and keeps the exit code', async () => {
  const dir = await f.repo(news);
  const named = await f.cli(dir, ['plan', '--comment', '--comment-token-env', 'LABELFORM_GITLAB_TOKEN'], {
    env: gitlabEnv(gl, { tokenEnv: 'LABELFORM_GITLAB_TOKEN' }),
  });
  assert.is(named.code, 0, named.stderr);
  assert.is(gl.notesOn(7).length, 1);

  const branch = await f.cli(dir, ['plan', '--comment', '--detailed-exitcode'], { env: gitlabEnv(gl, { iid: null }) });
  assert.is(branch.code, 2);
  assert.match(
    branch.stderr,
    /--comment: this pipeline is not a merge request pipeline \(CI_MERGE_REQUEST_IID is not set\); nothing was posted\./,
  );
});

test('bad token, no permission, wrong project, missing token: one line naming the setting, exit 1', async () => {
  const dir = await f.repo(news);
  const bad = await f.cli(dir, ['plan', '--comment'], {
    env: gitlabEnv(gl, { token: 'glpat-notTheRightOne00000000' }),
  });
  assert.is(bad.code, 1);
  assert.match(
    bad.stderr,
    /Error: cannot read the notes of merge request !7 of project acme\/labels: GitLab refused the token in GITLAB_TOKEN \(401 Unauthorized\); set GITLAB_TOKEN to a project, group or personal access token with the api scope/,
  );
  assert.not.ok(bad.stderr.includes('glpat-notTheRightOne00000000'));

  gl.readOnly = true;
  const denied = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl) });
  gl.readOnly = false;
  assert.is(denied.code, 1);
  assert.match(
    denied.stderr,
    /Error: cannot comment on merge request !7 of project acme\/labels: the token in GITLAB_TOKEN may not do that \(403 Forbidden\); it needs the api scope and at least the Reporter role/,
  );

  const elsewhere = await f.cli(dir, ['plan', '--comment'], { env: { ...gitlabEnv(gl), CI_PROJECT_ID: '999' } });
  assert.is(elsewhere.code, 1);
  assert.match(
    elsewhere.stderr,
    /GitLab answered 404 \(Not found\); check CI_PROJECT_ID, CI_MERGE_REQUEST_IID and CI_API_V4_URL/,
  );

  const missing = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl, { token: null }) });
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /Error: --comment: GITLAB_TOKEN is not set/);
  assert.match(missing.stderr, /api scope/);

  for (const r of [bad, denied, elsewhere, missing]) {
    assert.not.ok(hasStackTrace(r.stderr));
    assert.match(r.stdout, /Plan: 1 to create/, 'the plan is printed all the same');
    assertNoToken(r);
  }
  assert.is(gl.notesOn(7).length, 0);
});

test("a look-alike note by another user is never edited or removed; the token's own user's note is the one kept", async () => {
  const marker = '<!-- labelform:plan dir=. env=default -->';
  const fake = `${marker}\n**Plan: No changes.**`;
  const lookAlike = gl.addNote(7, fake, false, 'alice');
  const dir = await f.repo(news);
  const first = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl, { sha: '3'.repeat(40) }) });
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /Plan comment created on merge request !7\./);
  assert.equal(gl.requests.filter((r) => r.path === '/api/v4/user').length, 1, 'the user is read once');
  const second = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl, { sha: '4'.repeat(40) }) });
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, /Plan comment updated on merge request !7\./);
  const notes = gl.notesOn(7);
  assert.equal(
    notes.map((n) => n.author),
    ['alice', gl.username],
  );
  assert.is(gl.notes.get(lookAlike)!.body, fake, 'the look-alike is untouched');
  assert.match(notes[1]!.body, /<code>4444444<\/code>/);
  assert.not.ok(
    gl.requests.some((r) => (r.method === 'PUT' || r.method === 'DELETE') && r.path.endsWith(`/notes/${lookAlike}`)),
  );

  // A person's own token posts as that person: their note is labelform's then, and the bot's is not.
  gl.addToken('glpat-aliceOwnToken000000000', 'alice');
  const asAlice = await f.cli(dir, ['plan', '--comment'], {
    env: gitlabEnv(gl, { sha: '5'.repeat(40), token: 'glpat-aliceOwnToken000000000' }),
  });
  assert.is(asAlice.code, 0, asAlice.stderr);
  assert.match(asAlice.stderr, /Plan comment updated on merge request !7\./);
  assert.match(gl.notes.get(lookAlike)!.body, /<code>5555555<\/code>/);
  assert.match(gl.notesOn(7)[1]!.body, /<code>4444444<\/code>/, "the bot's note is left as it was");
  assert.not.ok(asAlice.stderr.includes('glpat-aliceOwnToken000000000'));
});

test('a user that cannot be learned (GET /user refused or nameless): one line naming the variable, exit 1, nothing posted', async () => {
  const dir = await f.repo(news);
  gl.fail({ path: /^\/api\/v4\/user$/, reply: { status: 403, body: { error: 'insufficient_scope' } } });
  const refused = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl) });
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    /^Error: cannot learn which user the token in GITLAB_TOKEN posts as: the token in GITLAB_TOKEN may not do that \(403 insufficient_scope\); it needs the api scope/m,
  );

  gl.fail({ path: /^\/api\/v4\/user$/, reply: { status: 200, body: { id: 1 } } });
  const nameless = await f.cli(dir, ['plan', '--comment', '--comment-token-env', 'LABELFORM_GITLAB_TOKEN'], {
    env: gitlabEnv(gl, { tokenEnv: 'LABELFORM_GITLAB_TOKEN' }),
  });
  assert.is(nameless.code, 1);
  assert.match(
    nameless.stderr,
    /^Error: cannot learn which user the token in LABELFORM_GITLAB_TOKEN posts as: GitLab's GET \/user named no username; labelform edits only the notes its own user wrote/m,
  );

  for (const r of [refused, nameless]) {
    assert.not.ok(hasStackTrace(r.stderr));
    assert.is(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length, 1, r.stderr);
    assertNoToken(r);
  }
  assert.is(gl.notesOn(7).length, 0);
});

test('a 429 is waited out as Retry-After says', async () => {
  const dir = await f.repo(news);
  gl.fail({
    method: 'POST',
    reply: { status: 429, headers: { 'retry-after': '2' }, body: { message: 'Retry later' } },
  });
  const r = await f.cli(dir, ['plan', '--comment'], { env: gitlabEnv(gl) });
  assert.is(r.code, 0, r.stderr);
  assert.equal(
    gl.requests.filter((q) => q.method === 'POST').map((q) => q.status),
    [429, 201],
  );
  assert.is(gl.notesOn(7).length, 1);
});

test.run();
