import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { onlyFrom, releaseAtLeast, testRelease } from '../helpers/applicable.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { api, makeRepo, projectManifest, realServer, uniqueNamespace } from './support.ts';

/** Everything printed or thrown in this file, searched for secrets at the end. */
const transcript: string[] = [];
const secrets: string[] = [];
const legacy = api();

async function status(url: string, token: string, extra: string[] = []): Promise<CliResult> {
  const dir = await makeRepo(uniqueNamespace('status'), {});
  const r = await runCli(['status', '--debug', ...extra, '-C', dir], {
    env: { LABEL_STUDIO_URL: url, LABEL_STUDIO_API_KEY: token },
    cwd: dir,
  });
  transcript.push(r.stdout, r.stderr);
  return r;
}

let pat = '';
const fromPats = onlyFrom(test, '1.17', 'personal access tokens');

test('a legacy token works, and status says so', async () => {
  const { url, token } = realServer();
  secrets.push(token);
  const r = await status(url, token);
  assert.is(r.code, 0, r.stderr);
  // 1.13.1 and older name no edition.
  assert.ok(
    r.stdout.includes(`Label Studio ${testRelease()}${releaseAtLeast('1.17') ? ' (Community)' : ' at '}`),
    r.stdout,
  );
  assert.match(r.stdout, /auth: +legacy token, from LABEL_STUDIO_API_KEY/);
});

fromPats(
  'a personal access token created through the API works, and keeps working after its access token expires',
  async () => {
    pat = await legacy.createPersonalAccessToken();
    secrets.push(pat);
    const r = await status(realServer().url, pat);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /auth: +personal access token/);
    // Access tokens live 5 minutes: move the client's clock past expiry instead of waiting.
    let skew = 0;
    const client = createClient({ baseUrl: realServer().url, token: pat, now: () => Date.now() + skew });
    assert.ok((await client.whoami()).email);
    assert.is(client.http.stats.refreshes, 1);
    skew = 6 * 60_000;
    assert.ok((await client.whoami()).email, 'still works after the access token expired');
    assert.is(client.http.stats.refreshes, 2, 'a new access token was fetched');
    const access = await legacy.http.request<{ access: string }>('POST', '/api/token/refresh/', {
      data: { refresh: pat },
      anonymous: true,
    });
    secrets.push(access.access);
  },
);

fromPats('legacy tokens disabled on the server: its own message, with the fix', async () => {
  const patClient = createClient({ baseUrl: realServer().url, token: pat });
  await patClient.http.request('POST', '/api/jwt/settings', {
    data: { api_tokens_enabled: true, legacy_api_tokens_enabled: false },
  });
  try {
    const r = await status(realServer().url, realServer().token);
    assert.is(r.code, 1);
    assert.match(r.stderr, /legacy token authentication is disabled for this organization/);
    assert.match(r.stderr, /Fix: use a personal access token instead/);
    // labelform itself (plan) gives the same message.
    const dir = await makeRepo(uniqueNamespace('legacyoff'), {
      'p.yaml': projectManifest('x', '  title: Legacy off\n'),
    });
    const plan = await runCli(['plan', '-C', dir], {
      env: { LABEL_STUDIO_URL: realServer().url, LABEL_STUDIO_API_KEY: realServer().token },
      cwd: dir,
    });
    transcript.push(plan.stdout, plan.stderr);
    assert.is(plan.code, 1);
    assert.match(plan.stderr, /legacy token authentication is disabled/);
  } finally {
    await patClient.http.request('POST', '/api/jwt/settings', {
      data: { api_tokens_enabled: true, legacy_api_tokens_enabled: true },
    });
  }
  assert.is((await status(realServer().url, realServer().token)).code, 0);
});

fromPats('a revoked personal access token: its own message', async () => {
  await legacy.http.request('POST', '/api/token/blacklist/', { data: { refresh: pat } });
  const r = await status(realServer().url, pat);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /personal access token in LABEL_STUDIO_API_KEY cannot be exchanged for an access token: it has been revoked/,
  );
});

test('a wrong token, an unreachable URL, something that is not Label Studio: each its own message', async () => {
  const wrong = await status(realServer().url, 'not-the-right-token-123');
  secrets.push('not-the-right-token-123');
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, /the API token in LABEL_STUDIO_API_KEY was rejected by .*: Invalid token\./);

  const down = await status('http://127.0.0.1:9', realServer().token);
  assert.is(down.code, 1);
  assert.match(
    down.stderr,
    /cannot reach Label Studio at http:\/\/127\.0\.0\.1:9 \(LABEL_STUDIO_URL\): .*connection refused/,
  );

  const html = await htmlServer();
  try {
    const port = (html.address() as AddressInfo).port;
    const other = await status(`http://127.0.0.1:${port}`, realServer().token);
    assert.is(other.code, 1);
    assert.match(other.stderr, /does not look like a Label Studio server/);
  } finally {
    html.close();
  }
  const badUrl = await status('ftp://example', realServer().token);
  assert.is(badUrl.code, 1);
  assert.match(badUrl.stderr, /LABEL_STUDIO_URL: "ftp:\/\/example" is not an http\(s\) URL/);
  const noToken = await status(realServer().url, '');
  assert.is(noToken.code, 1);
  assert.match(noToken.stderr, /LABEL_STUDIO_API_KEY is not set/);
});

test('secrets never show: plans, saved plans, errors and debug output hold no token or ${env:} value', async () => {
  const ns = uniqueNamespace('secret');
  const secret = 'S3cr3t-task-data-pw!';
  secrets.push(secret);
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest(
      'secretive',
      `  title: Secret ${ns}\n  task_data_login: ${'${env:TASK_LOGIN}'}\n  task_data_password: ${'${env:TASK_PASSWORD}'}\n`,
    ),
  });
  const env = {
    LABEL_STUDIO_URL: realServer().url,
    LABEL_STUDIO_API_KEY: realServer().token,
    TASK_LOGIN: 'annotator-login',
    TASK_PASSWORD: secret,
  };
  secrets.push('annotator-login');
  const run = async (args: string[]) => {
    const r = await runCli([...args, '-C', dir], { env, cwd: dir });
    transcript.push(r.stdout, r.stderr);
    return r;
  };
  for (const args of [
    ['plan', '--debug'],
    ['plan', '--json'],
    ['plan', '--markdown'],
    ['plan', '--out', join(dir, 'plan.json')],
  ]) {
    const r = await run(args);
    assert.is(r.code, 0, r.stderr);
  }
  const saved = await readFile(join(dir, 'plan.json'), 'utf8');
  transcript.push(saved);
  assert.match(saved, /"sensitive": true/);
  assert.is((await run(['apply', join(dir, 'plan.json')])).code, 0);
  const first = await legacy.listProjects().next();
  const live = (first.value ?? []).find((p: { title: string | null }) => p.title === `Secret ${ns}`)!;
  assert.is(live.task_data_password, secret, 'the secret reached the server');
  await legacy.updateProject(live.id, { task_data_password: 'changed-behind-our-back' });
  secrets.push('changed-behind-our-back');
  const drift = await run(['drift']);
  assert.is(drift.code, 2);
  assert.match(drift.stdout, /task_data_password: server has \(sensitive\)/);
  // A thrown API error carries method, path and status, never headers.
  const err = await createClient({ baseUrl: realServer().url, token: 'wrong-token-value-xyz' })
    .whoami()
    .catch((e: unknown) => e as Error);
  secrets.push('wrong-token-value-xyz');
  transcript.push(String(err), (err as Error).stack ?? '', JSON.stringify(err));
});

test('no token or secret appeared in anything printed, saved or thrown above', () => {
  const all = transcript.join('\n');
  assert.ok(all.length > 1000, 'the transcript holds the output of the runs above');
  for (const s of secrets) assert.not.ok(all.includes(s), `a secret (${s.slice(0, 3)}…) appeared in output`);
  assert.not.match(all, /Authorization: (Token|Bearer) [A-Za-z0-9]/);
});

function htmlServer(): Promise<Server> {
  return new Promise((res) => {
    const srv = createServer((_req, r) => {
      r.writeHead(200, { 'content-type': 'text/html' });
      r.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
    });
    srv.listen(0, '127.0.0.1', () => res(srv));
  });
}

test.run();
