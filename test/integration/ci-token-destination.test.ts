/**
 * A pull request cannot send the Label Studio token anywhere: in CI, a server URL taken from the
 * repository (`url:` in labelform.yaml, `${env:}` parts included) gets the token only when the
 * job names that server (LABEL_STUDIO_URL or LABELFORM_ALLOWED_URLS). A listener on 127.0.0.1
 * stands in for the attacker's host and must receive nothing. Under pull_request_target, a
 * checkout other than the base commit is refused before any request. Locally nothing changes.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCiContext } from '../../src/ci/ci-context.ts';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const f = useFakeCli(test);
const TOKEN = 'ci-secret-token-0123456789abcdef';

interface Listener {
  readonly url: string;
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An HTTP listener that records every request's headers and answers 404. */
async function listen(): Promise<Listener> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const PROJECT = {
  'p/project.yaml': projectYaml(
    'p',
    '  title: Attack test\n  label_config: \'<View><Text name="t" value="$t"/></View>\'\n',
  ),
};

function rootWithUrl(url: string): string {
  return `apiVersion: labelform/v1\nkind: Config\nnamespace: test\nenvironments:\n  prod:\n    url: ${url}\n    tokenEnv: LS_TOKEN\ndefaultEnvironment: prod\n`;
}

test('GitHub Actions: url: in labelform.yaml pointing elsewhere gets no token, whatever LABEL_STUDIO_URL says', async () => {
  const evil = await listen();
  try {
    const dir = await f.tree({ 'labelform.yaml': rootWithUrl(evil.url), ...PROJECT });
    for (const env of [
      { GITHUB_ACTIONS: 'true', LS_TOKEN: TOKEN, LABEL_STUDIO_URL: f.ls.url },
      { GITHUB_ACTIONS: 'true', LS_TOKEN: TOKEN, LABEL_STUDIO_URL: undefined },
      { GITLAB_CI: 'true', LS_TOKEN: TOKEN, LABELFORM_ALLOWED_URLS: `${f.ls.url}, https://ls.example.com` },
      { CI: 'true', LS_TOKEN: TOKEN, LABELFORM_ALLOWED_URLS: f.ls.url },
    ]) {
      for (const command of [
        ['plan'],
        ['apply', '--auto-approve'],
        ['drift'],
        ['status'],
        ['pull', '--all', '--out', 'pulled'],
      ]) {
        const r = await f.cli(dir, command, { env });
        assert.is(r.code, 1, `${command[0]} ${JSON.stringify(env)}: ${r.stderr}`);
        assert.match(
          r.stderr,
          /labelform\.yaml:\d+:\d+: environment "prod" would send the token in LS_TOKEN to http:\/\/127\.0\.0\.1:\d+, a URL taken from the repository/,
        );
        assert.match(
          r.stderr,
          env.LABEL_STUDIO_URL || env.LABELFORM_ALLOWED_URLS
            ? /it is not among the servers the job names/
            : /the job names no server \(neither LABELFORM_ALLOWED_URLS nor LABEL_STUDIO_URL is set\)/,
        );
        assert.match(r.stderr, /LABELFORM_ALLOWED_URLS: http:\/\/127\.0\.0\.1:\d+/);
        assert.not.ok(hasStackTrace(r.stderr));
        assert.not.ok(r.stderr.includes(TOKEN) || r.stdout.includes(TOKEN));
      }
    }
    assert.is(evil.requests.length, 0, 'the listener received a request');
  } finally {
    await evil.close();
  }
});

test('a URL built from ${env:} in the repository is checked the same way', async () => {
  const evil = await listen();
  try {
    const dir = await f.tree({ 'labelform.yaml': rootWithUrl(`"${evil.url}/\${env:LS_PATH}"`), ...PROJECT });
    const r = await f.cli(dir, ['plan'], {
      env: { GITHUB_ACTIONS: 'true', LS_TOKEN: TOKEN, LS_PATH: 'x', LABEL_STUDIO_URL: f.ls.url },
    });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /would send the token in LS_TOKEN/);
    assert.is(evil.requests.length, 0);
  } finally {
    await evil.close();
  }
});

test('the server the job names: a matching url: plans; an allowlisted path prefix does not cover a sibling path', async () => {
  const dir = await f.tree({ 'labelform.yaml': rootWithUrl(f.ls.url), ...PROJECT });
  const viaLsUrl = await f.cli(dir, ['plan', '--detailed-exitcode'], {
    env: { GITHUB_ACTIONS: 'true', LS_TOKEN: f.ls.token, LABEL_STUDIO_URL: `${f.ls.url}/` },
  });
  assert.is(viaLsUrl.code, 2, viaLsUrl.stderr);
  const viaList = await f.cli(dir, ['plan', '--detailed-exitcode'], {
    env: {
      GITHUB_ACTIONS: 'true',
      LS_TOKEN: f.ls.token,
      LABELFORM_ALLOWED_URLS: `https://other.example.com ${f.ls.url.toUpperCase().replace('HTTP://', 'http://')}`,
    },
  });
  assert.is(viaList.code, 2, viaList.stderr);
  const sub = await f.tree({ 'labelform.yaml': rootWithUrl(`${f.ls.url}/team-b`), ...PROJECT });
  const sibling = await f.cli(sub, ['plan'], {
    env: {
      GITHUB_ACTIONS: 'true',
      LS_TOKEN: f.ls.token,
      LABEL_STUDIO_URL: undefined,
      LABELFORM_ALLOWED_URLS: `${f.ls.url}/team-a`,
    },
  });
  assert.is(sibling.code, 1);
  assert.match(sibling.stderr, /not among the servers the job names/);
  const bad = await f.cli(dir, ['plan'], {
    env: { GITHUB_ACTIONS: 'true', LS_TOKEN: f.ls.token, LABELFORM_ALLOWED_URLS: 'ls.example.com' },
  });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /LABELFORM_ALLOWED_URLS: "ls\.example\.com" is not an http\(s\) URL/);
});

test('the URL from LABEL_STUDIO_URL itself, and any url: outside CI, work as before', async () => {
  const fromEnv = await f.repo(PROJECT);
  const r = await f.cli(fromEnv, ['plan', '--detailed-exitcode'], { env: { GITHUB_ACTIONS: 'true' } });
  assert.is(r.code, 2, r.stderr);
  const dir = await f.tree({ 'labelform.yaml': rootWithUrl(f.ls.url), ...PROJECT });
  const local = await f.cli(dir, ['plan', '--detailed-exitcode'], { env: { LS_TOKEN: f.ls.token, CI: 'false' } });
  assert.is(local.code, 2, local.stderr);
});

test('pull_request_target: a checkout other than the base commit gets no token; the base commit is planned and named', async () => {
  const dir = await f.repo(PROJECT);
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
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  const base = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'head of the pull request');
  const head = git('rev-parse', 'HEAD');
  const env = { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_SHA: base };
  f.ls.resetRequestCount();
  const refused = await f.cli(dir, ['plan'], { env });
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `runs on pull_request_target, which gives it the repository's secrets, and the checkout is ${head.slice(0, 12)}, not the base commit ${base.slice(0, 12)}`,
    ),
  );
  assert.is(f.ls.requestCount, 0);
  git('checkout', '-q', base);
  const planned = await f.cli(dir, ['plan', '--detailed-exitcode', '--json'], { env });
  assert.is(planned.code, 2, planned.stderr);
  assert.is(JSON.parse(planned.stdout).source?.commit, base);
});

test('under pull_request_target the comment names the base commit that was planned, not the head', async () => {
  const payload = JSON.stringify({ pull_request: { number: 7, head: { sha: 'b'.repeat(40) } } });
  const read = async () => payload;
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/labels',
    GITHUB_EVENT_PATH: '/event.json',
    GITHUB_SHA: 'a'.repeat(40),
  };
  const target = await readCiContext({ ...env, GITHUB_EVENT_NAME: 'pull_request_target' }, read);
  assert.is(target.platform === 'github' ? target.commit?.sha : undefined, 'a'.repeat(40));
  const pr = await readCiContext({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, read);
  assert.is(pr.platform === 'github' ? pr.commit?.sha : undefined, 'b'.repeat(40));
});

test.run();
