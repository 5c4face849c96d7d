/**
 * The step summary (`GITHUB_STEP_SUMMARY`): `plan`, `apply` and `drift` append their Markdown when
 * the variable is set, after what the step wrote before, and never past GitHub's 1 MiB per step.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const f = useFakeCli(test);
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';

async function repoWithSummary(
  files: Record<string, string> = {},
): Promise<{ dir: string; summary: string; env: Record<string, string> }> {
  const dir = await f.repo({
    'projects/news.yaml': projectYaml('news', `  title: News\n  color: "#112233"\n  label_config: '${CONFIG}'\n`),
    ...files,
  });
  const summary = join(dir, 'step-summary.md');
  return {
    dir,
    summary,
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_REPOSITORY: 'acme/labels',
      GITHUB_RUN_ID: '77',
      GITHUB_SHA: 'e'.repeat(40),
    },
  };
}

test('plan appends its Markdown plan to the step summary, after what the step wrote before', async () => {
  const { dir, summary, env } = await repoWithSummary();
  await writeFile(summary, '## Validate\n\nAll good.\n');
  const r = await f.cli(dir, ['plan'], { env });
  assert.is(r.code, 0, r.stderr);
  const text = await readFile(summary, 'utf8');
  assert.ok(text.startsWith('## Validate\n\nAll good.\n\n'), 'kept what was there');
  assert.match(text, /### labelform plan · `default` · namespace `test`/);
  assert.match(text, /\*\*Plan: 1 to create/);
  assert.match(
    text,
    /<sub>labelform [^<]+ · directory <code>\.<\/code> · environment <code>default<\/code> · commit <a href="https:\/\/github\.com\/acme\/labels\/commit\/e{40}"><code>eeeeeee<\/code><\/a> · <a href="https:\/\/github\.com\/acme\/labels\/actions\/runs\/77">workflow run<\/a><\/sub>/,
  );
  assert.not.match(r.stdout, /<sub>/, 'stdout is the text plan only');
});

test('apply writes what it applied; an apply with nothing to do or a failed plan writes its plan', async () => {
  const { dir, summary, env } = await repoWithSummary();
  const applied = await f.cli(dir, ['apply', '--auto-approve'], { env });
  assert.is(applied.code, 0, applied.stderr);
  let text = await readFile(summary, 'utf8');
  assert.match(text, /### ✅ labelform apply · `default` · namespace `test`/);
  assert.match(text, /\*\*Apply complete: 1 created, 0 updated, 0 adopted, 0 deleted\.\*\*/);
  // The id links to the project in Label Studio.
  assert.match(
    text,
    /\| 🟢 create \| `news` \| \[\d+\]\(http:\/\/127\.0\.0\.1:\d+\/projects\/\d+\/\) \| ✅ done: title, color, label_config \|/,
  );

  await writeFile(summary, '');
  const again = await f.cli(dir, ['apply', '--auto-approve'], { env });
  assert.is(again.code, 0);
  text = await readFile(summary, 'utf8');
  assert.match(text, /No changes\. Plan: 0 to create/);

  await writeFile(summary, '');
  const live = [...f.ls.state.projects.values()][0]!;
  await f.client.createProject({
    title: 'News copy',
    description: String(live.fields.description),
    label_config: CONFIG,
  });
  const failed = await f.cli(dir, ['apply', '--auto-approve'], { env });
  assert.is(failed.code, 1);
  text = await readFile(summary, 'utf8');
  assert.match(text, /❌ labelform plan failed/);
  assert.match(text, /2 projects carry the marker of "news"/);
});

test('drift appends its report', async () => {
  const { dir, summary, env } = await repoWithSummary();
  assert.is((await f.cli(dir, ['apply', '--auto-approve'])).code, 0);
  [...f.ls.state.projects.values()][0]!.fields.color = '#ABCDEF';
  const r = await f.cli(dir, ['drift'], { env });
  assert.is(r.code, 2);
  const text = await readFile(summary, 'utf8');
  assert.match(text, /labelform drift/);
  assert.match(text, /ABCDEF/i);
  assert.match(text, /<sub>labelform /);
});

test('a plan that fails before it exists writes why into the summary', async () => {
  const { dir, summary, env } = await repoWithSummary({
    'projects/bad.yaml': projectYaml('bad', '  title: Bad\n  colour: red\n'),
  });
  const r = await f.cli(dir, ['plan'], { env });
  assert.is(r.code, 1);
  const text = await readFile(summary, 'utf8');
  assert.match(text, /### ❌ labelform plan failed/);
  assert.match(text, /`projects\/bad\.yaml:\d+:3`.*colour/);
});

test('a summary already close to 1 MiB gets a warning instead of a report; without the variable nothing is written', async () => {
  const { dir, summary, env } = await repoWithSummary();
  await writeFile(summary, 'x'.repeat(1024 * 1024 - 1000));
  const r = await f.cli(dir, ['plan'], { env });
  assert.is(r.code, 0);
  assert.match(
    r.stderr,
    /Warning: the step summary \(GITHUB_STEP_SUMMARY\) already holds 1,047,576 bytes of GitHub's 1 MiB per step; labelform's report was not added\./,
  );
  assert.is((await stat(summary)).size, 1024 * 1024 - 1000);

  const { GITHUB_STEP_SUMMARY: _unset, ...without } = env;
  const quiet = await f.cli(dir, ['plan'], { env: without });
  assert.is(quiet.code, 0);
  assert.is((await stat(summary)).size, 1024 * 1024 - 1000);
});

test('a step summary that cannot be written is a warning; the command keeps its exit code', async () => {
  const { dir, env } = await repoWithSummary();
  const r = await f.cli(dir, ['plan', '--detailed-exitcode'], {
    env: { ...env, GITHUB_STEP_SUMMARY: join(dir, 'no-such-dir', 'summary.md') },
  });
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /Warning: could not write the step summary to .*no-such-dir.* \(GITHUB_STEP_SUMMARY\): ENOENT/,
  );
});

test.run();
