/**
 * Older Label Studio releases, as the fake plays them (`release`): a managed field the server
 * does not have is a plan error at its manifest line naming both versions, never an endless
 * diff; a personal access token on a server older than 1.17 is one message saying so; status
 * prints what the server supports; a snapshot conversion names the release it needs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { atLeast, parseVersion, supports } from '../../src/api/server-versions.ts';
import { startFakeLabelStudio } from '../fake/label-studio-fake.ts';
import { hasStackTrace, runCli, writeTree } from '../helpers/cli.ts';

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
const manifest = (extra: string) =>
  `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: evaluated\nspec:\n  title: Evaluated\n  label_config: '${CONFIG}'\n${extra}`;
/** A JWT-shaped refresh token (what Label Studio 1.17+ issues as a personal access token). */
const PAT = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ token_type: 'refresh', exp: 4102444800, user_id: 1 })).toString('base64url')}.c2lnbmF0dXJl`;

test('versions compare by number; an unknown version counts as new', () => {
  assert.equal(parseVersion('1.23.2'), [1, 23, 2]);
  assert.equal(parseVersion('1.20.0rc1'), [1, 20, 0]);
  assert.ok(atLeast('1.23.2', '1.23.0'));
  assert.not.ok(atLeast('1.22.9', '1.23.0'));
  assert.ok(atLeast('1.100.0', '1.23.0'), 'not a string comparison');
  assert.not.ok(atLeast('1.8.2', '1.17.0'));
  assert.ok(atLeast('unknown', '1.23.0'));
  assert.ok(supports('1.17.0', 'personalAccessTokens'));
  assert.not.ok(supports('1.13.1', 'personalAccessTokens'));
});

test('1.20.0: annotator_evaluation_enabled is a plan error at its line naming the field and both versions; without it apply then plan is clean', async () => {
  const ls = await startFakeLabelStudio({ release: '1.20.0' });
  try {
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
    const dir = await writeTree({
      'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: old\n',
      'p.yaml': manifest('  annotator_evaluation_enabled: true\n'),
    });
    const plan = await runCli(['plan', '-C', dir], { env, cwd: dir });
    assert.is(plan.code, 1);
    assert.match(
      plan.stdout + plan.stderr,
      /p\.yaml:8:\d+: error: `annotator_evaluation_enabled` needs Label Studio 1\.23 or later; this server is 1\.20\.0/,
    );
    assert.not.ok(hasStackTrace(plan.stderr), plan.stderr);
    const applied = await runCli(['apply', '--auto-approve', '-C', dir], { env, cwd: dir });
    assert.is(applied.code, 1, 'apply refuses the same plan');
    assert.equal(ls.state.projects.size, 0);

    await writeFile(join(dir, 'p.yaml'), manifest(''));
    assert.is((await runCli(['apply', '--auto-approve', '-C', dir], { env, cwd: dir })).code, 0);
    const again = await runCli(['plan', '--detailed-exitcode', '-C', dir], { env, cwd: dir });
    assert.is(again.code, 0, again.stdout);
    // The fake drops the field on write and leaves it out of reads, like 1.20.0.
    const [project] = [...ls.state.projects.values()];
    assert.is(
      (
        (await (
          await fetch(`${ls.url}/api/projects/${project!.id}/`, { headers: { Authorization: `Token ${ls.token}` } })
        ).json()) as Record<string, unknown>
      ).annotator_evaluation_enabled,
      undefined,
    );

    const status = await runCli(['status', '-C', dir], { env, cwd: dir });
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, /✔ personal access tokens \(1\.17\+\)/);
    assert.match(status.stdout, /✔ the --enable-legacy-api-token start flag \(1\.18\+\)/);
    assert.match(
      status.stdout,
      /not on this server: annotator_evaluation_enabled \(1\.23\+\); a manifest that sets one is a plan error/,
    );
    const json = JSON.parse((await runCli(['status', '--json', '-C', dir], { env, cwd: dir })).stdout) as {
      supports: Record<string, boolean>;
      projectFieldsMissing: unknown[];
    };
    assert.equal(json.supports, {
      expertInstructionSanitised: true,
      snapshotConvert: true,
      personalAccessTokens: true,
      legacyTokenStartFlag: true,
    });
    assert.equal(json.projectFieldsMissing, [{ field: 'annotator_evaluation_enabled', since: '1.23.0' }]);
  } finally {
    await ls.stop();
  }
});

test('1.13.1: a personal access token is one message saying PATs need 1.17, naming the server version', async () => {
  const ls = await startFakeLabelStudio({ release: '1.13.1' });
  try {
    const dir = await writeTree({
      'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: old\n',
      'p.yaml': manifest(''),
    });
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: PAT };
    for (const args of [['status'], ['plan']]) {
      const r = await runCli([...args, '-C', dir], { env, cwd: dir });
      assert.is(r.code, 1);
      const said = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
      assert.equal(
        said,
        [
          'Error: the token in LABEL_STUDIO_API_KEY is a personal access token, and personal access tokens need Label Studio 1.17 or later; this server is 1.13.1',
        ],
        r.stderr,
      );
      assert.not.match(r.stderr, /does not look like a Label Studio server/);
      assert.not.ok(r.stderr.includes(PAT), 'the token never shows');
    }
    // A legacy token works on the same server.
    assert.is(
      (
        await runCli(['plan', '-C', dir], {
          env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
          cwd: dir,
        })
      ).code,
      0,
    );
  } finally {
    await ls.stop();
  }
});

test.run();
