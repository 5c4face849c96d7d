/**
 * The pure parts behind `--comment`, `--issue` and the step summary: markers, cutting Markdown to
 * a budget, settling duplicate comments, reading the CI context, recognising a secondary rate
 * limit, and the directory a comment is keyed by.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCiContext } from '../../src/ci/ci-context.ts';
import { COMMENT_BUDGET, cutMarkdown, fitDocument, summaryBudget } from '../../src/ci/fit-markdown.ts';
import { describeGitHubError, secondaryLimitWait } from '../../src/ci/github-client.ts';
import { composeReport } from '../../src/ci/compose-report.ts';
import { clearSecrets, registerSecret } from '../../src/util/redact.ts';
import { carriesMarker, markerFor } from '../../src/ci/marker.ts';
import { repoRelativeDir } from '../../src/ci/repo-dir.ts';
import { upsertMarkedComment, type CommentThread, type ThreadComment } from '../../src/ci/upsert-comment.ts';
import { describeLabelConfigChange } from '../../src/labelconfig/describe-change.ts';
import { isUserError } from '../../src/util/errors.ts';

test('markers: one per kind, directory and environment; a quoting reply is not ours; odd directories cannot end the comment', () => {
  const m = markerFor('plan', { dir: 'labelform/prod', env: 'production' });
  assert.is(m, '<!-- labelform:plan dir=labelform/prod env=production -->');
  assert.ok(carriesMarker(`${m}\nbody`, m));
  assert.ok(carriesMarker(`${m}\r\nbody`, m), 'GitHub may return CRLF');
  assert.not.ok(carriesMarker(`> ${m}\n> body`, m));
  assert.not.ok(carriesMarker(`${markerFor('plan', { dir: 'labelform/prod', env: 'staging' })}\n`, m));
  assert.not.ok(carriesMarker(`${markerFor('drift', { dir: 'labelform/prod', env: 'production' })}\n`, m));
  assert.not.ok(carriesMarker(null, m));
  assert.is(
    markerFor('plan', { dir: 'my projects/x-->y', env: 'default' }),
    '<!-- labelform:plan dir=my%20projects/x--%3Ey env=default -->',
  );
});

test('cutMarkdown: cuts at a line, closes an open code fence and <details>, says how many lines are not shown', () => {
  const md = [
    '# Title',
    '<details><summary>x</summary>',
    '',
    '```diff',
    ...Array.from({ length: 100 }, (_, i) => `+line ${i}`),
    '```',
    '</details>',
    'tail',
  ].join('\n');
  const cut = cutMarkdown(md, 400);
  assert.ok(cut.length <= 400, String(cut.length));
  assert.match(cut, /\+line 0\n/);
  assert.match(cut, /\n```\n<\/details>\n\n> ✂️ Truncated: the last \d+ of 107 lines are not shown here\.\n$/);
  assert.is(cutMarkdown('short', 400), 'short');
});

test('fitDocument: whole when it fits; otherwise rendered again with less room, with the pointer, under the budget in the receiver’s unit', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `| row ${i} | 🟢 ünïcödé |`);
  const render = (limit: number) => {
    const shown = [];
    let size = 0;
    for (const r of rows) {
      if (size + r.length + 1 > limit - 60) break;
      shown.push(r);
      size += r.length + 1;
    }
    return `${shown.join('\n')}\n${shown.length < rows.length ? `✂️ ${rows.length - shown.length} more rows not shown\n` : ''}`;
  };
  const parts = {
    before: '<!-- m -->\n',
    render,
    after: (cut: boolean) => (cut ? '\nCut to fit: see the log.\n' : '\nfooter\n'),
  };
  const small = fitDocument({ ...parts, render: () => 'tiny\n' }, COMMENT_BUDGET);
  assert.equal(small, { text: '<!-- m -->\ntiny\n\nfooter\n', truncated: false });
  const comment = fitDocument(parts, COMMENT_BUDGET);
  assert.ok(comment.truncated);
  assert.ok(comment.text.length <= 65_536 && comment.text.length > 60_000, String(comment.text.length));
  assert.match(comment.text, /more rows not shown\n\nCut to fit: see the log\.\n$/);
  // Bytes, not characters: each row has multi-byte characters.
  const budget = summaryBudget(1024 * 1024 - 50_000);
  const summary = fitDocument(parts, budget);
  assert.ok(
    Buffer.byteLength(summary.text) <= 50_000 && Buffer.byteLength(summary.text) > 45_000,
    String(Buffer.byteLength(summary.text)),
  );
  // A renderer whose own cut ends inside a <details> and a code fence gets them closed before the pointer.
  const sliced = fitDocument(
    {
      ...parts,
      render: (limit) =>
        `<details><summary>big</summary>\n\n\`\`\`diff\n${rows.join('\n')}`.slice(
          0,
          limit === Infinity ? undefined : limit - 100,
        ),
    },
    COMMENT_BUDGET,
  );
  assert.match(sliced.text, /\n```\n<\/details>\n\nCut to fit: see the log\.\n$/);
  // A renderer that ignores its limit is cut at a line as a last resort.
  const stubborn = fitDocument({ ...parts, render: () => `${rows.join('\n')}\n` }, COMMENT_BUDGET);
  assert.ok(stubborn.text.length <= 65_536);
  assert.match(stubborn.text, /✂️ Truncated: the last [\d,]+ of 5,001 lines are not shown here\.\n\nCut to fit/);
});

/** A thread in memory, written by "bot" unless a comment says otherwise; `race` comments appear on the next list after ours is created. */
type Seed = Omit<ThreadComment, 'author'> & { author?: string };
function memoryThread(
  seed: Seed[],
  raceSeed: Seed[] = [],
): CommentThread & { all: Map<number, ThreadComment>; log: string[] } {
  const own = (c: Seed): ThreadComment => ({ author: 'bot', ...c });
  const initial = seed.map(own);
  const race = raceSeed.map(own);
  const all = new Map(initial.map((c) => [c.id, c]));
  const log: string[] = [];
  let next = 100;
  return {
    all,
    log,
    self: async () => 'bot',
    list: async () => [...all.values()],
    create: async (body) => {
      for (const c of race.splice(0)) all.set(c.id, c);
      const c = own({ id: next++, body });
      all.set(c.id, c);
      log.push(`create ${c.id}`);
      return c;
    },
    update: async (id, body) => {
      all.set(id, own({ id, body }));
      log.push(`update ${id}`);
      return own({ id, body });
    },
    remove: async (id) => {
      all.delete(id);
      log.push(`remove ${id}`);
    },
  };
}

test('upsert: updates the oldest marked comment and removes its copies; after a create that raced another, settles on the lowest id', async () => {
  const m = '<!-- labelform:plan dir=. env=default -->';
  const dup = memoryThread([
    { id: 5, body: 'hello' },
    { id: 7, body: `${m}\nold` },
    { id: 9, body: `${m}\nolder copy` },
  ]);
  const r1 = await upsertMarkedComment(dup, m, `${m}\nnew`);
  assert.is(r1.action, 'updated');
  assert.equal(dup.log, ['update 7', 'remove 9']);
  assert.equal([...dup.all.keys()], [5, 7]);

  // Another run created id 50 while this one created id 100: both settle on 50.
  const raced = memoryThread([{ id: 5, body: 'hello' }], [{ id: 50, body: `${m}\nthe other run` }]);
  const r2 = await upsertMarkedComment(raced, m, `${m}\nthis run`);
  assert.is(r2.action, 'updated');
  assert.equal(raced.log, ['create 100', 'update 50', 'remove 100']);
  assert.equal(
    [...raced.all.values()].map((c) => c.body),
    ['hello', `${m}\nthis run`],
  );

  const fresh = memoryThread([]);
  assert.is((await upsertMarkedComment(fresh, m, `${m}\nfirst`)).action, 'created');
  assert.equal(fresh.log, ['create 100']);
});

test('secondary rate limits: Retry-After is waited for; a spent primary limit and a missing permission are not', () => {
  const failure = (status: number, message: string, headers: Record<string, string>) =>
    Object.assign(new Error(message), { status, response: { headers } });
  assert.is(secondaryLimitWait(failure(403, 'You have exceeded a secondary rate limit', { 'retry-after': '7' })), 7);
  assert.is(secondaryLimitWait(failure(429, 'Too many requests', { 'retry-after': '0' })), 0);
  assert.is(secondaryLimitWait(failure(403, 'You have exceeded a secondary rate limit', {})), 60);
  assert.is(
    secondaryLimitWait(
      failure(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'retry-after': '3600' }),
    ),
    undefined,
  );
  assert.is(secondaryLimitWait(failure(403, 'Resource not accessible by integration', {})), undefined);
  assert.is(secondaryLimitWait(failure(404, 'Not Found', { 'retry-after': '1' })), undefined);
  assert.is(secondaryLimitWait(new Error('fetch failed')), undefined);
});

test('GitHub failures: a spent rate limit says until when, no answer names GITHUB_API_URL, each in one line', () => {
  const action = {
    what: 'comment on pull request #3 of acme/labels',
    permission: 'pull-requests: write',
    tokenEnv: 'GITHUB_TOKEN',
    apiUrl: 'https://api.github.com',
  };
  const failure = (status: number, message: string, response?: object) =>
    Object.assign(new Error(message), { status, ...(response ? { response } : {}) });
  const spent = describeGitHubError(
    failure(403, 'API rate limit exceeded for installation', {
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' },
    }),
    action,
  );
  assert.is(
    spent.message,
    'cannot comment on pull request #3 of acme/labels: the GitHub API rate limit of the token in GITHUB_TOKEN is used up until 2026-01-01T00:00:00.000Z (403); run again later',
  );
  const silent = describeGitHubError(failure(500, 'getaddrinfo ENOTFOUND api.github.com'), action);
  assert.is(
    silent.message,
    "cannot comment on pull request #3 of acme/labels: GitHub at https://api.github.com did not answer (getaddrinfo ENOTFOUND api.github.com); check GITHUB_API_URL and the runner's network",
  );
  const gone = describeGitHubError(failure(410, 'Issues are disabled for this repo', { headers: {} }), action);
  assert.match(gone.message, /GitHub answered 410 \(Issues are disabled for this repo\); are issues turned off/);
  for (const e of [spent, silent, gone]) assert.not.match(e.message, /\n/);
});

test('reports never carry a credential: it is replaced before the text is measured and sent', () => {
  registerSecret('ls-token-0123456789abcdef');
  try {
    const fitted = composeReport(
      {
        render: () => 'server said: ls-token-0123456789abcdef\n',
        context: { scope: { dir: '.', env: 'default' } },
        fullAt: 'the log',
      },
      COMMENT_BUDGET,
    );
    assert.not.ok(fitted.text.includes('ls-token-0123456789abcdef'));
    assert.match(fitted.text, /server said: \[redacted\]/);
  } finally {
    clearSecrets();
  }
});

test('CI context: a pull request names its head commit, not GITHUB_SHA; other events name GITHUB_SHA; GitLab names the source branch head', async () => {
  const files: Record<string, string> = {
    '/pr.json': JSON.stringify({ pull_request: { number: 12, head: { sha: 'h'.repeat(40) } } }),
    '/push.json': JSON.stringify({ ref: 'refs/heads/main' }),
  };
  const read = async (p: string) => {
    const text = files[p];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
  const base = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/labels',
    GITHUB_SHA: 'm'.repeat(40),
    GITHUB_RUN_ID: '9',
    GITHUB_RUN_ATTEMPT: '2',
  };
  assert.equal(
    await readCiContext({ ...base, GITHUB_EVENT_PATH: '/pr.json', GITHUB_EVENT_NAME: 'pull_request' }, read),
    {
      platform: 'github',
      apiUrl: 'https://api.github.com',
      repository: { owner: 'acme', repo: 'labels' },
      pullRequest: { number: 12 },
      event: 'pull_request',
      commit: { sha: 'h'.repeat(40), url: `https://github.com/acme/labels/pull/12/commits/${'h'.repeat(40)}` },
      runUrl: 'https://github.com/acme/labels/actions/runs/9/attempts/2',
    },
  );
  const push = await readCiContext(
    { ...base, GITHUB_EVENT_PATH: '/push.json', GITHUB_API_URL: 'https://ghe.example.com/api/v3/' },
    read,
  );
  assert.ok(
    push.platform === 'github' &&
      !push.pullRequest &&
      push.commit?.sha === 'm'.repeat(40) &&
      push.apiUrl === 'https://ghe.example.com/api/v3',
  );
  assert.equal(await readCiContext({}, read), { platform: 'none' });
  const gitlab = await readCiContext(
    {
      GITLAB_CI: 'true',
      CI_COMMIT_SHA: 'x'.repeat(40),
      CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: 's'.repeat(40),
      CI_MERGE_REQUEST_IID: '3',
      CI_PROJECT_ID: '5',
      CI_API_V4_URL: 'https://gl/api/v4',
    },
    read,
  );
  assert.ok(gitlab.platform === 'gitlab' && gitlab.commit?.sha === 's'.repeat(40) && gitlab.mergeRequestIid === 3);
  try {
    await readCiContext({ ...base, GITHUB_EVENT_PATH: '/gone.json' }, read);
    assert.unreachable('an unreadable event file is an error');
  } catch (err) {
    assert.ok(isUserError(err));
    assert.match((err as Error).message, /GITHUB_EVENT_PATH names \/gone\.json, which cannot be read \(ENOENT\)/);
  }
});

test('the directory of a comment: relative to the git top, else to the CI workspace, "." at the top', async () => {
  const root = await mkdtemp(join(tmpdir(), 'labelform-ci-dir-'));
  try {
    await mkdir(join(root, 'repo', '.git'), { recursive: true });
    await mkdir(join(root, 'repo', 'labelform', 'prod'), { recursive: true });
    await mkdir(join(root, 'plain', 'sub'), { recursive: true });
    await writeFile(join(root, 'repo', 'labelform', 'prod', 'labelform.yaml'), '');
    assert.is(await repoRelativeDir('labelform/prod', {}, join(root, 'repo')), 'labelform/prod');
    assert.is(await repoRelativeDir('.', {}, join(root, 'repo', 'labelform', 'prod')), 'labelform/prod');
    assert.is(await repoRelativeDir(join(root, 'repo'), {}, '/'), '.');
    assert.is(await repoRelativeDir('sub', { GITHUB_WORKSPACE: join(root, 'plain') }, join(root, 'plain')), 'sub');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a label-config diff of 10,000 changed labels is made at once: past 2,000 lines of edits it is a whole replacement', () => {
  const xml = (prefix: string) =>
    `<View>\n  <Text name="t" value="$t"/>\n  <Labels name="l" toName="t">\n${Array.from({ length: 10_000 }, (_, i) => `    <Label value="${prefix}${i}"/>`).join('\n')}\n  </Labels>\n</View>`;
  const change = describeLabelConfigChange(xml('old-'), { xml: xml('new-'), summary: { controls: [], dataKeys: [] } });
  const lines = change.diff.split('\n');
  // No search for common lines: even the unchanged <View> is shown as removed and added.
  assert.equal(lines.slice(0, 4), ['--- live', '+++ desired', '@@ -1,10005 +1,10005 @@', '-<View>']);
  assert.is(lines.filter((l) => l.startsWith('-    <Label')).length, 10_000);
  assert.is(lines.filter((l) => l.startsWith('+    <Label')).length, 10_000);
  // A small change still gets a real diff with context.
  const one = describeLabelConfigChange(xml('a-'), {
    xml: xml('a-').replace('"a-5"', '"b-5"'),
    summary: { controls: [], dataKeys: [] },
  });
  assert.equal(
    one.diff.split('\n').filter((l) => /^[-+] /.test(l)),
    ['-    <Label value="a-5"/>', '+    <Label value="b-5"/>'],
  );
});

test.run();
