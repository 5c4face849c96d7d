/**
 * The CI examples (examples/github, examples/gitlab) and action.yml agree with labelform and with
 * each other: every flag they pass exists on that command, every input and output of the action
 * they use is declared, the jobs that write have the permissions and the queueing they need, and
 * docs/ci.md, the README's "In CI", points at files that exist. (The action itself is run step by step
 * against a real server in test/e2e/action.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly jobs: Record<string, { readonly steps: Step[]; readonly permissions?: Record<string, string> }>;
}
interface Action {
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  readonly runs: { readonly steps: Step[] };
}

const action = parse(read('action.yml')) as Action;
const workflows = readdirSync(join(ROOT, 'examples', 'github'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => ({ file: `examples/github/${f}`, flow: parse(read(`examples/github/${f}`)) as Workflow }));
const isLabelform = (s: Step) => /^[^/]+\/labelform@/.test(s.uses ?? '');

/** The long options of `labelform COMMAND --help`. */
const helpCache = new Map<string, Set<string>>();
function optionsOf(command: string): Set<string> {
  let options = helpCache.get(command);
  if (!options) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), command, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    options = new Set([...r.stdout.matchAll(/(?:^|\s)(--[a-z][a-z-]*|-[A-Za-z])\b/gm)].map((m) => m[1]!));
    helpCache.set(command, options);
  }
  return options;
}

function assertFlagsExist(command: string, words: readonly string[], where: string): void {
  for (const word of words.filter((w) => w.startsWith('-'))) {
    assert.ok(optionsOf(command).has(word.replace(/=.*$/, '')), `${where}: labelform ${command} has no option ${word}`);
  }
}

test('the flags action.yml passes exist on each command', () => {
  const script = action.runs.steps.find((s) => s.run?.includes('args=("$LF_COMMAND"'))?.run;
  assert.ok(script, 'the step that runs labelform');
  // `plan) ... args+=(--detailed-exitcode) ...;;` and the branches for the other commands.
  const branches = [...script.matchAll(/^\s*([a-z |]+)\)\n([\s\S]*?);;/gm)];
  const seen = new Set<string>();
  for (const [, labels, body] of branches) {
    const flags = [...body!.matchAll(/args\+=\((--[a-z-]+)/g)].map((m) => m[1]!);
    for (const command of labels!.split('|').map((l) => l.trim())) {
      if (!['validate', 'plan', 'apply', 'drift'].includes(command)) continue;
      seen.add(command);
      assertFlagsExist(command, ['-C', '-e', ...flags], `action.yml (${command})`);
    }
  }
  assert.equal([...seen].sort(), ['apply', 'drift', 'plan', 'validate']);
  // The pairs the issue asks for: comment → plan --comment, drift --issue; plan-file → plan --out.
  assert.match(script, /plan\)[\s\S]*?--out "\$LF_PLAN_FILE"[\s\S]*?--comment[\s\S]*?;;/);
  assert.match(script, /args\+=\(--issue\)/);
});

test('example workflows use only inputs and outputs the action declares, with commands it knows', () => {
  let uses = 0;
  for (const { file, flow } of workflows) {
    for (const job of Object.values(flow.jobs)) {
      const ours = new Set(
        job.steps
          .filter(isLabelform)
          .map((s) => s.id)
          .filter(Boolean),
      );
      for (const step of job.steps) {
        if (isLabelform(step)) {
          uses++;
          for (const key of Object.keys(step.with ?? {}))
            assert.ok(key in action.inputs, `${file}: input ${key} is not declared in action.yml`);
          assert.ok(
            ['validate', 'plan', 'apply', 'drift', 'preview'].includes(String(step.with?.command)),
            `${file}: command ${String(step.with?.command)}`,
          );
          if (step.with?.args) assertFlagsExist(String(step.with.command), String(step.with.args).split(/\s+/), file);
        }
        const text = JSON.stringify(step);
        for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          if (ours.has(m[1]))
            assert.ok(m[2]! in action.outputs, `${file}: output ${m[2]} is not declared in action.yml`);
        }
      }
    }
  }
  assert.ok(uses >= 5);
});

test('example workflows: permissions for what they write, one apply at a time, plans kept as artifacts', () => {
  const byFile = Object.fromEntries(workflows.map((w) => [w.file.split('/').pop()!, w.flow]));
  const plan = byFile['labelform-plan.yml']!;
  const apply = byFile['labelform-apply.yml']!;
  const drift = byFile['labelform-drift.yml']!;
  // Least privilege: the workflow reads; only the jobs that write say so.
  assert.equal(plan.permissions, { contents: 'read' });
  assert.equal(plan.jobs.plan?.permissions, { contents: 'read', 'pull-requests': 'write' });
  assert.is(plan.jobs.check?.permissions, undefined);
  assert.equal(drift.permissions, { contents: 'read', issues: 'write' });
  assert.equal(apply.permissions, { contents: 'read', 'pull-requests': 'write' });
  assert.is(apply.concurrency?.['cancel-in-progress'], false);
  assert.ok(apply.concurrency?.group);
  assert.is.not(
    drift.concurrency?.group,
    apply.concurrency?.group,
    'a drift run waiting in the apply group could replace a waiting apply',
  );
  // Apply runs only for the default branch (no workflow_dispatch from any ref), never on pull_request_target.
  const on = (w: Workflow) => (w as unknown as { on: Record<string, unknown> }).on;
  assert.equal(Object.keys(on(apply)), ['push']);
  assert.equal(on(apply).push, { branches: ['main'] });
  assert.equal(Object.keys(on(plan)), ['pull_request']);

  const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
  const withOf = (w: Workflow, command: string) =>
    steps(w)
      .filter(isLabelform)
      .filter((s) => s.with?.command === command)
      .map((s) => s.with!);
  assert.equal(
    withOf(plan, 'plan').map((w) => [String(w.comment), Boolean(w['plan-file'])]),
    [['true', true]],
  );
  // validate and preview in a job that needs no secret and runs for forks too (no `if:` on it).
  assert.equal(
    plan.jobs.check?.steps.filter(isLabelform).map((s) => s.with?.command),
    ['validate', 'preview'],
  );
  assert.is((plan.jobs.check as { if?: string }).if, undefined);
  // The plan job without the token fails visibly instead of being skipped.
  const credentials = plan.jobs.plan!.steps[0]!;
  assert.match(String((credentials as { run?: string }).run), /::error [^\n]*Not planned[\s\S]*exit 1/);
  assert.equal(
    withOf(drift, 'drift').map((w) => String(w.comment)),
    ['true'],
  );
  // apply: the plan reviewed in the merged pull request, nothing else.
  assert.equal(withOf(apply, 'plan'), []);
  assert.equal(
    withOf(apply, 'apply').map((w) => String(w.args)),
    ['--merged'],
  );
  assert.is((apply.jobs.apply!.steps[0]!.with as Record<string, unknown>)['fetch-depth'], 0);
  const uploads = steps(plan)
    .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
    .map((s) => s.with?.path);
  assert.ok(uploads.includes('labelform.plan.json'), String(uploads));
  // Every action pinned by a full commit SHA.
  for (const w of [plan, apply, drift])
    for (const st of steps(w)) if (st.uses) assert.match(st.uses, /@[0-9a-f]{40}$/, st.uses);
  // Pull requests: the previews are drawn from the base branch, kept as an artifact, and the plan comment shows them.
  const [preview] = withOf(plan, 'preview');
  const out = /--out (\S+)/.exec(String(preview?.args))?.[1];
  assert.match(String(preview?.args), /--base origin\/\$\{\{ github\.base_ref \}\}/);
  assert.ok(out && steps(plan).some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === out));
  assert.match(String(withOf(plan, 'plan')[0]?.args), new RegExp(`--previews ${out}`));
});

test('the GitLab example: flags that exist, a resource group on apply, jobs on the right pipelines', () => {
  const ci = parse(read('examples/gitlab/.gitlab-ci.yml')) as Record<
    string,
    { script?: string[]; rules?: Array<{ if: string }>; resource_group?: string }
  >;
  let commands = 0;
  for (const [name, job] of Object.entries(ci)) {
    for (const line of job.script ?? []) {
      for (const m of line.matchAll(/\blabelform ([a-z]+)((?: +-[^\s|;&>]+(?: +[^\s|;&>-][^\s|;&>]*)?)*)/g)) {
        commands++;
        assertFlagsExist(m[1]!, m[2]!.trim().split(/\s+/).filter(Boolean), `.gitlab-ci.yml job ${name}`);
      }
    }
  }
  assert.ok(commands >= 4);
  assert.match(ci.apply!.script!.join('\n'), /labelform apply --merged/);
  assert.ok(ci.apply?.resource_group);
  assert.match(ci.plan!.script!.join('\n'), /labelform plan --comment/);
  assert.match(ci.plan!.rules![0]!.if, /merge_request_event/);
  assert.match(ci.apply.rules![0]!.if, /CI_DEFAULT_BRANCH/);
  assert.match(ci.drift!.rules![0]!.if, /schedule/);
});

test('docs/ci.md ("In CI") uses the examples and the action, not a registry package', () => {
  assert.match(read('README.md'), /\]\(docs\/ci\.md\)/, 'the README links docs/ci.md');
  const section = read('docs/ci.md');
  assert.match(section, /^# In CI\n/, 'docs/ci.md is the "In CI" page');
  assert.not.match(section, /run: npx labelform/, 'the package is not on the registry');
  // Links are relative to docs/: ../examples/... is examples/... of the repository.
  const links = [...section.matchAll(/\]\(\.\.\/(examples\/[^)#]+)\)/g)].map((m) => m[1]!);
  for (const f of [
    'examples/github/labelform-plan.yml',
    'examples/github/labelform-apply.yml',
    'examples/github/labelform-drift.yml',
    'examples/gitlab/.gitlab-ci.yml',
  ]) {
    assert.ok(links.includes(f), `docs/ci.md links ${f}`);
  }
  for (const link of links) assert.ok(existsSync(join(ROOT, link)), `${link} exists`);
});

test.run();
