/**
 * The GitHub Action (action.yml) run step by step the way the runner runs it
 * (test/helpers/run-action.ts): inputs, `env:`, `GITHUB_OUTPUT` / `GITHUB_PATH` /
 * `GITHUB_STEP_SUMMARY` files, outputs read back, against the real Label Studio. The action's
 * checkout is a copy of this working tree (the files git would check out, as the runner
 * downloads them: no node_modules, no dist/), and the action runs the committed bundle in it
 * (action-dist/) with `npm`, `npx` and `tsc` on PATH replaced by stand-ins that record a call and
 * fail: nothing is installed or built. The step that uses another action (actions/setup-node) is
 * not run; what it is given is checked instead.
 */
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { githubEnv } from '../fake-github/ci-env.ts';
import { startFakeGitHub } from '../fake-github/github-fake.ts';
import { runAction, type ActionResult } from '../helpers/run-action.ts';
import type { PreviewSummary } from '../../src/preview/report.ts';
import { VENV_DIR } from '../../scripts/local-label-studio.ts';
import {
  api,
  REPO_ROOT,
  rootConfig,
  serverEnv,
  TEXT_CHOICES,
  projectManifest,
  uniqueNamespace,
  markedProjectId,
} from './support.ts';

const client = api();
const cleanup: number[] = [];
let actionPath = '';
/** Stand-ins for npm, npx, tsc and the like, first on PATH: each records its call and fails. */
let shims = '';
const BUILD_TOOLS = ['npm', 'npx', 'tsc', 'tsx', 'yarn', 'pnpm', 'corepack'];

test.before(async () => {
  actionPath = await copyCheckout();
  shims = await mkdtemp(join(tmpdir(), 'no-build-tools-'));
  for (const tool of BUILD_TOOLS) {
    await writeFile(
      join(shims, tool),
      `#!/bin/sh\necho "${tool} $*" >> "${join(shims, 'calls.log')}"\necho "${tool} is not to be run by the action" >&2\nexit 127\n`,
    );
    await chmod(join(shims, tool), 0o755);
  }
});

test.after(async () => {
  for (const id of cleanup) await client.deleteProject(id).catch(() => undefined);
});

/** Every call the action made to npm, npx, tsc, ... (none is expected). */
const buildToolCalls = async () =>
  existsSync(join(shims, 'calls.log')) ? (await readFile(join(shims, 'calls.log'), 'utf8')).trim() : '';

const manifest = (ns: string, title = `Action ${ns}`) =>
  projectManifest(
    'reviews',
    `  title: ${title}\n  label_config: |\n${TEXT_CHOICES(['Good', 'Bad'])
      .split('\n')
      .map((l) => (l ? `    ${l}` : l))
      .join('\n')}`,
  );

/** A workspace (the caller's repository) with the manifests in `repo/`. */
async function workspace(
  ns: string,
  files: Record<string, string> = { 'reviews.yaml': manifest(ns) },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'action-workspace-'));
  await mkdir(join(dir, 'repo'));
  await writeFile(join(dir, 'repo', 'labelform.yaml'), rootConfig(ns));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'repo', name), text);
  return dir;
}

function run(
  ws: string,
  inputs: Record<string, string>,
  extra: { runnerTemp?: string; env?: Record<string, string> } = {},
): Promise<ActionResult> {
  return runAction({
    actionPath,
    workspace: ws,
    inputs: { directory: 'repo', ...inputs },
    env: serverEnv(),
    path: [shims],
    ...extra,
  });
}

const stepOf = (r: ActionResult, name: string) => {
  const s = r.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in action.yml`);
  return s;
};

const explain = (r: ActionResult) => `${r.log}\noutputs: ${JSON.stringify(r.outputs)}`;

test('no run: script of action.yml has an expression in it: inputs reach the shell through env only', async () => {
  const action = parse(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    runs: { steps: Array<{ name: string; run?: string }> };
  };
  const runSteps = action.runs.steps.filter((s) => s.run !== undefined);
  assert.ok(runSteps.length >= 3);
  for (const s of runSteps) assert.not.match(s.run!, /\$\{\{/, `step "${s.name}" puts an expression into its script`);
});

test('validate: runs the committed bundle, nothing installed or built; labelform on PATH; exit 0', async () => {
  const ws = await workspace(uniqueNamespace('action'));
  const r = await run(ws, { command: 'validate' });
  assert.is(r.conclusion, 'success', explain(r));
  assert.equal(r.outputs, { exitcode: '0', 'has-changes': '', 'summary-file': '' });

  // No npm ci, no build: npm/npx/tsc were never called, and the checkout has no node_modules or dist/.
  assert.is(await buildToolCalls(), '', 'the action ran a build tool');
  assert.not.ok(existsSync(join(actionPath, 'node_modules')), 'node_modules appeared in the action checkout');
  assert.not.ok(existsSync(join(actionPath, 'dist')), 'dist/ appeared in the action checkout');
  assert.equal(
    r.steps.map((s) => s.name),
    ['Check Node.js', 'Set up Node.js', 'Put labelform on PATH', 'Run labelform', 'Result'],
  );
  assert.match(r.log, /labelform: .*action-dist\/cli\/labelform\.mjs \(Node\.js v\d+/);

  // How long a job waits for labelform: from the action's first step to labelform's first output.
  const runStep = stepOf(r, 'Run labelform');
  const announce = /^labelform validate -C repo\n/m.exec(runStep.output!.map((p) => p.text).join(''));
  assert.ok(announce, 'the run step announces the command');
  let seen = 0;
  const first = runStep.output!.find((p) => (seen += p.text.length) > announce.index + announce[0].length);
  assert.ok(first, `labelform printed nothing:\n${explain(r)}`);
  console.log(
    `    action start → labelform's first output: ${first.at - r.steps[0]!.startedAt!} ms (run step start → first output: ${first.at - runStep.startedAt!} ms)`,
  );

  // The runner's own Node.js is new enough: setup-node is left out, so the job keeps its node.
  assert.is(stepOf(r, 'Set up Node.js').outcome, 'skipped');

  // `labelform` on PATH for the job's later steps, with the version of the checkout.
  assert.is(r.path.length, 1);
  const version = spawnSync('labelform', ['--version'], {
    env: { PATH: `${r.path[0]}${delimiter}${process.env.PATH}`, HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
  });
  const expected = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.is(version.stdout.trim(), expected, version.stderr);
});

test('validate with a broken manifest: the step fails with exit 1 and annotations', async () => {
  const ns = uniqueNamespace('action');
  const ws = await workspace(ns, { 'reviews.yaml': manifest(ns, 'ab') });
  const r = await run(ws, { command: 'validate' });
  assert.is(r.conclusion, 'failure', explain(r));
  assert.is(r.outputs.exitcode, '1');
  assert.is(r.outputs['has-changes'], '');
  assert.is(stepOf(r, 'Run labelform').outcome, 'success', 'outputs are written by a step that does not fail');
  assert.is(stepOf(r, 'Result').outcome, 'failure');
  assert.match(r.log, /::error file=repo\/reviews\.yaml,line=\d+/);
});

test('a checkout without the bundle: one clear error, labelform does not run', async () => {
  const bare = await mkdtemp(join(tmpdir(), 'labelform-action-bare-'));
  await cp(join(actionPath, 'action.yml'), join(bare, 'action.yml'));
  const ws = await workspace(uniqueNamespace('action'));
  const r = await runAction({
    actionPath: bare,
    workspace: ws,
    inputs: { command: 'validate', directory: 'repo' },
    env: serverEnv(),
    path: [shims],
  });
  assert.is(r.conclusion, 'failure');
  assert.match(r.log, /::error title=labelform action::this checkout of the action has no bundle/);
  assert.is(stepOf(r, 'Run labelform').outcome, 'skipped');
});

test('preview: the bundle drives the browser with the playwright-core shipped beside it', async () => {
  const sitePackages = readdirSync(join(VENV_DIR, 'lib'))
    .map((py) => join(VENV_DIR, 'lib', py, 'site-packages'))
    .find((p) => existsSync(join(p, 'label_studio')))!;
  const ns = uniqueNamespace('action');
  const ws = await workspace(ns);
  // The editor of the installed label-studio package: no server needed to draw.
  const r = await run(
    ws,
    { command: 'preview', args: '--out preview-out --json' },
    { env: { LABEL_STUDIO_URL: 'http://127.0.0.1:9', LABELFORM_EDITOR: sitePackages } },
  );
  assert.is(r.conclusion, 'success', explain(r));
  assert.is(r.outputs.exitcode, '0');
  const summary = JSON.parse(await readFile(join(ws, 'preview-out', 'summary.json'), 'utf8')) as PreviewSummary;
  assert.is(summary.results[0]!.status, 'current', explain(r));
  assert.ok(existsSync(join(ws, 'preview-out', summary.results[0]!.images.after!)), 'the PNG is drawn');
  assert.is(await buildToolCalls(), '');
  assert.not.ok(existsSync(join(actionPath, 'node_modules')));
});

test('plan → apply the saved plan → plan → drift: exit codes and has-changes, against the real server', async () => {
  const ns = uniqueNamespace('action');
  const ws = await workspace(ns);
  const temp = await mkdtemp(join(tmpdir(), 'runner-temp-'));

  // Changes: exit 2, which is a result, not a failure of the step.
  const planned = await run(ws, { command: 'plan', 'plan-file': 'labelform.plan.json' }, { runnerTemp: temp });
  assert.is(planned.conclusion, 'success', explain(planned));
  assert.is(planned.outputs.exitcode, '2');
  assert.is(planned.outputs['has-changes'], 'true');
  assert.match(
    await readFile(planned.outputs['summary-file']!, 'utf8'),
    /reviews/,
    'the plan report is in summary-file',
  );
  const saved = JSON.parse(await readFile(join(ws, 'labelform.plan.json'), 'utf8')) as { summary: { create: number } };
  assert.is(saved.summary.create, 1, 'the plan file is saved relative to the workspace');

  // The same with fail-on-changes: the step fails, the outputs are still there.
  const strict = await run(ws, { command: 'plan', 'fail-on-changes': 'true' }, { runnerTemp: temp });
  assert.is(strict.conclusion, 'failure', explain(strict));
  assert.is(strict.outputs.exitcode, '2');
  assert.is(strict.outputs['has-changes'], 'true');

  const applied = await run(ws, { command: 'apply', 'plan-file': 'labelform.plan.json' }, { runnerTemp: temp });
  assert.is(applied.conclusion, 'success', explain(applied));
  assert.is(applied.outputs.exitcode, '0');
  assert.is(applied.outputs['has-changes'], 'true', 'the saved plan had changes');
  assert.match(
    await readFile(applied.outputs['summary-file']!, 'utf8'),
    /reviews/,
    'the apply report is in summary-file',
  );
  const id = await markedProjectId(ns, 'reviews');
  cleanup.push(id);
  assert.is((await client.getProject(id)).title, `Action ${ns}`);

  const again = await run(ws, { command: 'plan' }, { runnerTemp: temp });
  assert.is(again.conclusion, 'success', explain(again));
  assert.is(again.outputs.exitcode, '0');
  assert.is(again.outputs['has-changes'], 'false');

  const clean = await run(ws, { command: 'drift' }, { runnerTemp: temp });
  assert.is(clean.outputs.exitcode, '0', explain(clean));
  assert.is(clean.outputs['has-changes'], 'false');

  // Someone renames the project in the UI: drift exits 2, has-changes is true, the step passes.
  await client.updateProject(id, { title: `Renamed ${ns}`.slice(0, 50) });
  const drifted = await run(ws, { command: 'drift' }, { runnerTemp: temp });
  assert.is(drifted.conclusion, 'success', explain(drifted));
  assert.is(drifted.outputs.exitcode, '2');
  assert.is(drifted.outputs['has-changes'], 'true');

  // apply without a plan file approves itself (no terminal in CI); has-changes is then unknown.
  const reverted = await run(ws, { command: 'apply' }, { runnerTemp: temp });
  assert.is(reverted.conclusion, 'success', explain(reverted));
  assert.equal([reverted.outputs.exitcode, reverted.outputs['has-changes']], ['0', '']);
  assert.is((await client.getProject(id)).title, `Action ${ns}`);
});

test('a plan with an error: exit 1 fails the step, has-changes is empty', async () => {
  const ns = uniqueNamespace('action');
  const ws = await workspace(ns);
  const r = await runAction({
    actionPath,
    workspace: ws,
    inputs: { command: 'plan', directory: 'repo' },
    env: { LABEL_STUDIO_URL: serverEnv().LABEL_STUDIO_URL! },
  });
  assert.is(r.conclusion, 'failure', explain(r));
  assert.equal([r.outputs.exitcode, r.outputs['has-changes']], ['1', '']);
  assert.match(r.log, /LABEL_STUDIO_API_KEY/);
});

test('inputs never become shell code: args are split on whitespace only, directory stays one argument', async () => {
  const ns = uniqueNamespace('action');
  const ws = await workspace(ns);
  const r = await run(ws, { command: 'plan', args: '--target $(touch${IFS}pwned1) `touch${IFS}pwned2` *' });
  assert.not.ok(existsSync(join(ws, 'pwned1')) || existsSync(join(ws, 'pwned2')), 'an argument was run as a command');
  assert.match(
    r.log,
    /labelform plan -C repo --detailed-exitcode --target \$\(touch\$\{IFS\}pwned1\) `touch\$\{IFS\}pwned2` \*\n/,
  );
  assert.is(r.outputs.exitcode, '1', explain(r));

  const d = await run(ws, { command: 'validate', directory: 'repo"; touch pwned3; echo "' });
  assert.not.ok(existsSync(join(ws, 'pwned3')), 'the directory input was run as a command');
  assert.is(d.outputs.exitcode, '1', explain(d));
});

test('a wrong input is one clear error and labelform does not run', async () => {
  const ws = await workspace(uniqueNamespace('action'));
  const cases: Array<[Record<string, string>, RegExp]> = [
    [
      { command: 'deploy' },
      /::error title=labelform action::input command must be validate, plan, apply, drift or preview, not "deploy"/,
    ],
    [
      { command: 'plan', comment: 'yes' },
      /::error title=labelform action::input comment must be true or false, not "yes"/,
    ],
    [{ command: 'plan', 'fail-on-changes': '1' }, /input fail-on-changes must be true or false, not "1"/],
    [
      { command: 'validate', comment: 'true' },
      /input comment works with plan \(the PR comment\) and drift \(the drift issue\), not validate/,
    ],
    [{ command: 'drift', 'plan-file': 'p.json' }, /input plan-file works with plan and apply, not drift/],
    // A newline in an input cannot start a workflow command of its own.
    [{ command: 'deploy\n::error::injected' }, /not "deploy%0A::error::injected"/],
  ];
  for (const [inputs, message] of cases) {
    const r = await run(ws, inputs);
    assert.is(r.conclusion, 'failure', JSON.stringify(inputs));
    assert.is(r.outputs.exitcode, '1');
    assert.match(r.log, message);
    assert.not.match(r.log, /^labelform \S+ -C /m, 'labelform ran');
    assert.not.match(r.log, /^::error::injected/m);
  }
});

test('comment: true on a pull request: one plan comment, updated in place; the report goes to the job summary and summary-file', async () => {
  const gh = await startFakeGitHub();
  try {
    const ns = uniqueNamespace('action');
    const ws = await workspace(ns);
    const pr = gh.addPullRequest();
    const env = { ...serverEnv(), ...githubEnv(gh, { pr, dir: ws, token: null }) };
    const inputs = { command: 'plan', directory: 'repo', comment: 'true', 'github-token': gh.token };
    const first = await runAction({ actionPath, workspace: ws, inputs, env });
    assert.is(first.conclusion, 'success', explain(first));
    assert.equal([first.outputs.exitcode, first.outputs['has-changes']], ['2', 'true']);
    const second = await runAction({ actionPath, workspace: ws, inputs, env });
    assert.is(second.outputs.exitcode, '2', explain(second));
    const comments = gh.commentsOn(pr);
    assert.is(comments.length, 1, 'the second run updates the first comment');
    assert.match(comments[0]!.body, /reviews/);

    const summaryFile = second.outputs['summary-file']!;
    assert.ok(summaryFile, 'summary-file is set');
    const report = await readFile(summaryFile, 'utf8');
    assert.match(report, /reviews/);
    // Appended to the job summary once, by the action, not a second time by labelform.
    assert.is(await readFile(second.jobSummaryFile, 'utf8'), report);
    assert.not.match(second.log, new RegExp(gh.token), 'the token is never printed');
  } finally {
    await gh.stop();
  }
});

test('drift with comment: true opens the drift issue on drift and closes it once the server matches', async () => {
  const gh = await startFakeGitHub();
  try {
    const ns = uniqueNamespace('action');
    const ws = await workspace(ns);
    const applied = await run(ws, { command: 'apply' });
    assert.is(applied.outputs.exitcode, '0', explain(applied));
    const id = await markedProjectId(ns, 'reviews');
    cleanup.push(id);
    await client.updateProject(id, { title: `Renamed ${ns}`.slice(0, 50) });

    const env = { ...serverEnv(), ...githubEnv(gh, { event: 'schedule', dir: ws, token: null }) };
    const inputs = { command: 'drift', directory: 'repo', comment: 'true', 'github-token': gh.token };
    const drifted = await runAction({ actionPath, workspace: ws, inputs, env });
    assert.is(drifted.conclusion, 'success', explain(drifted));
    assert.equal([drifted.outputs.exitcode, drifted.outputs['has-changes']], ['2', 'true']);
    assert.is(gh.openIssues().length, 1);
    assert.match(gh.openIssues()[0]!.body, /reviews/);

    await run(ws, { command: 'apply' });
    const clean = await runAction({ actionPath, workspace: ws, inputs, env });
    assert.equal([clean.outputs.exitcode, clean.outputs['has-changes']], ['0', 'false'], explain(clean));
    assert.is(gh.openIssues().length, 0, 'closed once the server matches git');
  } finally {
    await gh.stop();
  }
});

test("node-version: setup-node is asked for that version and not for the caller's package manager", async () => {
  const ws = await workspace(uniqueNamespace('action'));
  const r = await run(ws, { command: 'validate', 'node-version': '24' });
  const setup = stepOf(r, 'Set up Node.js');
  assert.is(setup.outcome, 'success');
  // Pinned by commit (the tag in a comment, which YAML drops).
  assert.match(setup.uses!, /^actions\/setup-node@[0-9a-f]{40}$/);
  assert.equal(setup.with, { 'node-version': '24', 'package-manager-cache': 'false' });
});

test.run();

/**
 * The action's checkout: every file git would check out of this working tree (tracked and new,
 * not ignored: the committed bundle in action-dist/, no node_modules or dist/), as the runner
 * downloads an action.
 */
async function copyCheckout(): Promise<string> {
  const dest = await mkdtemp(join(tmpdir(), 'labelform-action-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO_ROOT, rel))) continue; // deleted in the working tree
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    await cp(join(REPO_ROOT, rel), join(dest, rel));
  }
  return dest;
}
