/**
 * Big plans in a PR comment and a step summary: a plan with 400 creates and one with 10,000
 * label changes stay under GitHub's limits (comment ≤ 65,536 characters, which the fake GitHub
 * enforces with 422 as GitHub does; summary ≤ 1 MiB), and both say what was cut and where the
 * whole plan is.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { githubEnv } from '../fake-github/ci-env.ts';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/github-fake.ts';

const f = useFakeCli(test);
let gh: FakeGitHub;

test.before(async () => {
  gh = await startFakeGitHub();
});
test.after(async () => {
  await gh.stop();
});

const COMMENT_LIMIT = 65_536;
const SUMMARY_LIMIT = 1024 * 1024;

function labelsXml(labels: readonly string[]): string {
  return `<View>\n  <Text name="text" value="$text"/>\n  <Labels name="entities" toName="text">\n${labels.map((l) => `    <Label value="${l}"/>`).join('\n')}\n  </Labels>\n</View>\n`;
}

test('a plan with 400 creates: the comment is cut under 65,536 characters and points to the whole plan in the step summary', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 400; i++) {
    const key = `project-${String(i).padStart(3, '0')}`;
    files[`projects/${key}.yaml`] = projectYaml(
      key,
      `  title: Project ${i}\n  description: The project number ${i}, for the truncation test.\n  color: "#112233"\n  label_config:\n    file: ../config.xml\n`,
    );
  }
  files['config.xml'] = labelsXml(['Person', 'Place', 'Organisation', 'Date']);
  const dir = await f.repo(files);
  const pr = gh.addPullRequest();
  const env = githubEnv(gh, { pr, dir, summary: true });
  const r = await f.cli(dir, ['plan', '--comment'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Plan: 400 to create/);

  const comment = gh.commentsOn(pr)[0]!.body;
  assert.ok([...comment].length <= COMMENT_LIMIT, `comment has ${comment.length} characters`);
  assert.ok(comment.length > COMMENT_LIMIT - 10_000, 'the room is used');
  assert.match(comment, /\*\*Plan: 400 to create/);
  assert.match(comment, /✂️ Truncated: \d+ more projects not shown/);
  assert.match(
    comment,
    /\*\*Cut to fit\.\*\* The complete report: the step summary of \[this run\]\(https:\/\/github\.com\/acme\/labels\/actions\/runs\/4242\)\./,
  );
  assert.match(comment, /<sub>labelform /, 'the footer survives the cut');

  // The step summary has room for the whole plan: nothing cut, every project there.
  const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
  assert.ok(Buffer.byteLength(summary) <= SUMMARY_LIMIT);
  assert.not.match(summary, /Truncated|Cut to fit/);
  assert.ok(summary.includes('<code>project-399</code>'));
});

test('a plan with 10,000 label changes: comment and step summary both cut under their limits, both say what was cut', async () => {
  const before = Array.from(
    { length: 10_000 },
    (_, i) => `an-entity-label-that-was-there-before-${String(i).padStart(5, '0')}`,
  );
  const after = Array.from(
    { length: 10_000 },
    (_, i) => `an-entity-label-that-replaces-the-old-one-${String(i).padStart(5, '0')}`,
  );
  const dir = await f.repo({
    'projects/ner.yaml': projectYaml('ner', '  title: Entities\n  label_config:\n    file: ../config.xml\n'),
    'config.xml': labelsXml(before),
  });
  const applied = await f.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stderr);
  await writeFile(join(dir, 'config.xml'), labelsXml(after));

  const pr = gh.addPullRequest();
  const env = githubEnv(gh, { pr, dir, summary: true });
  const r = await f.cli(dir, ['plan', '--comment', '--out', 'plan.json'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Plan: 0 to create, 1 to update/);

  const comment = gh.commentsOn(pr)[0]!.body;
  assert.ok([...comment].length <= COMMENT_LIMIT, `comment has ${comment.length} characters`);
  assert.match(comment, /\*\*Plan: 0 to create, 1 to update/);
  // The project's section is kept readable: the first labels and diff lines, and what was left out.
  assert.match(comment, /and 9,950 more labels not listed/);
  assert.match(comment, /✂️ [\d,]+ more lines of the diff not shown here/);

  const summaryPath = env.GITHUB_STEP_SUMMARY!;
  assert.ok((await stat(summaryPath)).size <= SUMMARY_LIMIT, `summary has ${(await stat(summaryPath)).size} bytes`);
  const summary = await readFile(summaryPath, 'utf8');
  assert.match(summary, /\*\*Plan: 0 to create, 1 to update/);
  assert.match(summary, /and 9,950 more labels not listed/);
  assert.match(summary, /<sub>labelform /);
});

test.run();
