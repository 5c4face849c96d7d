/**
 * `watch --comment` on the real Label Studio, with the fake GitHub API: a pull request's plan
 * comment is made (`plan --comment`), then the label config is changed on the server as the UI
 * saves it. `watch --once --comment` leaves a note on the pull request naming `label_config`, and
 * what the note says holds: the plan saved in the comment is refused by `apply`. With the label
 * config put back, the next run removes the note. The real server's hashes of its live values are
 * what the comparison rests on, so this is where it is proven.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { markerFor } from '../../src/ci/marker.ts';
import { decodePlanData } from '../../src/ci/plan-data.ts';
import { planText } from '../../src/state/saved-plan.ts';
import { removeTree } from '../helpers/cli.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/github-fake.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  realServer,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const ns = uniqueNamespace('watchpr');
const client = api();
const news = (title: string, choices: string[]) => ({
  'news/project.yaml': projectManifest('news', `  title: ${title}\n  label_config:\n    file: ./config.xml\n`),
  'news/config.xml': TEXT_CHOICES(choices),
});
let main = '';
let branch = '';
let gh: FakeGitHub | undefined;

test.before(async () => {
  main = await makeRepo(ns, news(`Watch PR ${ns}`, ['Positive', 'Negative']));
  branch = await makeRepo(ns, news(`Watch PR ${ns} (renamed)`, ['Positive', 'Negative']));
  gh = await startFakeGitHub();
});

test.after(async () => {
  await markedProjectId(ns, 'news', client)
    .then((id) => client.deleteProject(id))
    .catch(() => undefined);
  await gh?.stop();
  for (const d of [main, branch]) if (d) await removeTree(d);
});

test('a label config changed in the UI under an open pull request: noted there, and the note goes when it is put back', async () => {
  const applied = await cli(main, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const id = await markedProjectId(ns, 'news', client);
  const pr = gh!.addPullRequest();
  const planned = await cli(branch, ['plan', '--comment'], githubEnv(gh!, { pr, dir: branch }));
  assert.is(planned.code, 0, planned.stderr);
  const scope = { dir: '.', env: 'default' };
  const note = () => gh!.commentsOn(pr).filter((c) => c.body.startsWith(markerFor('stale', scope)));
  const service = { GITHUB_REPOSITORY: `${gh!.owner}/${gh!.repo}`, GITHUB_API_URL: gh!.url, GITHUB_TOKEN: gh!.token };

  const calm = await cli(main, ['watch', '--once', '--comment'], service);
  assert.is(calm.code, 0, calm.stdout + calm.stderr);
  assert.is(note().length, 0, 'the server is as the plan saw it: no note');

  const original = (await client.getProject(id)).label_config;
  await client.updateProject(id, { label_config: TEXT_CHOICES(['Positive', 'Negative', 'Mixed']) });
  const moved = await cli(main, ['watch', '--once', '--comment'], service);
  assert.is(moved.code, 2, moved.stdout + moved.stderr);
  assert.is(note().length, 1, moved.stderr);
  assert.match(note()[0]!.body, new RegExp(`\\| <code>news</code> \\| ${id} \\| <code>label_config</code> \\|`));

  // What the note says: the reviewed plan is refused now.
  const comment = gh!.commentsOn(pr).find((c) => c.body.startsWith(markerFor('plan', scope)))!;
  const decoded = decodePlanData(comment.body, 'the plan comment');
  assert.ok('plan' in decoded);
  const file = join(branch, 'reviewed.json');
  await writeFile(file, planText(decoded.plan));
  const refused = await cli(branch, ['apply', file]);
  assert.is(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /label_config changed on the server since the plan/);
  assert.is((await client.getProject(id)).title, `Watch PR ${ns}`, 'nothing applied');

  await client.updateProject(id, { label_config: original });
  const back = await cli(main, ['watch', '--once', '--comment'], service);
  assert.is(back.code, 0, back.stdout + back.stderr);
  assert.is(note().length, 0, 'the plan matches the server again: the note is removed');
  for (const r of [calm, moved, back])
    assert.not.ok((r.stdout + r.stderr).includes(realServer().token) || (r.stdout + r.stderr).includes(gh!.token));
});

test.run();
