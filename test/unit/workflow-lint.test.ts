/**
 * The GitHub Action and the example workflows pass the linters, pinned and installed into
 * `.venv/lint/` by scripts/lint-tools.ts on first use: actionlint on the workflows (with
 * shellcheck on their `run:` scripts), zizmor on action.yml, the workflows and dependabot.yml, and
 * shellcheck on action.yml's `run:` scripts (actionlint lints workflows, not composite actions).
 * Any finding fails; one that stays is silenced where it stands, with the tool's own comment
 * (`# zizmor: ignore[rule]`, `# shellcheck disable=SC…`) and the reason beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { ensureLintTools, type LintTools } from '../../scripts/lint-tools.ts';
import { ROOT } from '../../scripts/bundle.ts';

let tools: LintTools;
const workflows = async () =>
  (await readdir(join(ROOT, 'examples', 'github')))
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => `examples/github/${n}`);

test.before(() => {
  tools = ensureLintTools((m) => console.log(`    ${m}`));
});

function lint(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: tools.path, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

test('actionlint: the example workflows, their scripts through shellcheck', async () => {
  const files = await workflows();
  assert.ok(files.length >= 3);
  const r = lint(tools.actionlint, ['-no-color', '-shellcheck', tools.shellcheck, ...files]);
  assert.is(r.code, 0, `actionlint found problems:\n${r.out}`);
});

test('zizmor: action.yml, the example workflows and dependabot.yml have no finding', async () => {
  // --offline: the audits that ask GitHub's API (known-vulnerable actions, impostor commits) need a token and the network.
  const r = lint(tools.zizmor, [
    '--offline',
    '--no-progress',
    '--format',
    'plain',
    'action.yml',
    '.github/dependabot.yml',
    ...(await workflows()),
  ]);
  assert.is(r.code, 0, `zizmor found problems:\n${r.out}`);
  assert.match(
    r.out,
    /No findings to report|0 findings|findings \(\d+ suppressed\): 0 informational, 0 low, 0 medium, 0 high/,
  );
});

test('shellcheck: the run scripts of action.yml', async () => {
  const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as {
    runs: { steps: Array<{ name: string; run?: string; shell?: string }> };
  };
  const dir = await mkdtemp(join(tmpdir(), 'action-scripts-'));
  try {
    const scripts = action.runs.steps.filter((s) => s.run !== undefined);
    assert.ok(scripts.length >= 3);
    const problems: string[] = [];
    for (const [i, step] of scripts.entries()) {
      assert.is(step.shell, 'bash', `step "${step.name}" runs in bash`);
      // What the runner runs: `bash --noprofile --norc -eo pipefail {0}`.
      const file = join(dir, `step-${i + 1}.sh`);
      await writeFile(file, `#!/usr/bin/env bash\nset -eo pipefail\n${step.run}`);
      const r = lint(tools.shellcheck, ['--shell=bash', '--external-sources', '--format=gcc', file]);
      if (r.code !== 0)
        problems.push(`step "${step.name}" (line numbers + 2):\n${r.out.replaceAll(file, `step-${i + 1}`)}`);
    }
    assert.equal(problems, [], problems.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
