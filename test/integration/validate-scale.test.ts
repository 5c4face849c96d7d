/**
 * 200 generated manifests validate clean. The wall time is measured and printed once (issue 2
 * asks for the figure), never asserted: timing asserts make flaky suites.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadRepository } from '../../src/state/load-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanupTrees, projectYaml, tree, VALID_XML } from '../unit/support/validate-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

test.after(cleanupTrees);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECTS = 190;
const LABEL_CONFIGS = 10;

/** 190 projects in three label-config styles, 10 shared LabelConfigs, variables in two environments. */
function generate(): Record<string, string> {
  const files: Record<string, string> = {
    'labelform.yaml':
      'apiVersion: labelform/v1\nkind: Config\nnamespace: scale\ndefaultEnvironment: local\nenvironments:\n' +
      '  local:\n    variables:\n      team: ML\n      overlap: 1\n  prod:\n    url: https://ls.example.com\n    variables:\n      team: ML\n      overlap: 3\n',
  };
  for (let i = 0; i < LABEL_CONFIGS; i++) {
    files[`shared/lc-${i}.yaml`] =
      `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared-${i}\nspec:\n  label_config:\n    file: ./lc-${i}.xml\n`;
    files[`shared/lc-${i}.xml`] = VALID_XML.replace('"A"', `"A${i}"`);
  }
  for (let i = 0; i < PROJECTS; i++) {
    const labelConfig =
      i % 3 === 0
        ? `  label_config: |\n${VALID_XML.trimEnd()
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}\n`
        : i % 3 === 1
          ? `  label_config:\n    ref: shared-${i % LABEL_CONFIGS}\n`
          : `  label_config:\n    file: ./config.xml\n`;
    files[`projects/p-${i}/project.yaml`] =
      `# yaml-language-server: $schema=../../schemas/project.schema.json\n` +
      projectYaml(
        `project-${i}`,
        `  title: Project ${i} for \${var.team}\n  description: Generated project number ${i}.\n${labelConfig}` +
          `  color: "#${(i * 4099).toString(16).padStart(6, '0').slice(-6)}"\n  maximum_annotations: \${var.overlap}\n` +
          `  sampling: Uniform sampling\n  show_skip_button: ${i % 2 === 0}\n  overlap_cohort_percentage: ${i % 101}\n`,
      );
    if (i % 3 === 2) files[`projects/p-${i}/config.xml`] = VALID_XML;
  }
  return files;
}

let generated: Promise<string> | undefined;
const generatedTree = () => (generated ??= tree(generate()));

test('200 generated manifests validate clean', async () => {
  const dir = await generatedTree();
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  assert.match(
    r.stdout,
    new RegExp(
      `^✔ ${PROJECTS + LABEL_CONFIGS + 1} manifest files valid: ${PROJECTS} projects, ${LABEL_CONFIGS} label configs, namespace "scale"`,
    ),
  );
  const { repository } = await loadRepository(dir, {
    env: {},
    requireEnv: false,
    checkAllEnvironments: true,
    cwd: dir,
    environment: 'prod',
  });
  assert.is(resourcesOf(repository, projectKind).length, PROJECTS);
  assert.ok(
    resourcesOf(repository, projectKind).every(
      (p) => p.spec.maximum_annotations === 3 && p.labelConfig?.summary.controls.length === 1,
    ),
  );
});

test('timing: validate on 200 manifests (printed, not asserted)', async () => {
  const dir = await generatedTree();
  const started = performance.now();
  const r = await runCli(['validate', dir], { cwd: dir });
  const inProcess = performance.now() - started;
  assert.is(r.code, 0);
  // The figure a user sees: a whole `labelform validate` process (node + tsx start-up included).
  const processStarted = performance.now();
  const { GITHUB_ACTIONS: _gha, NO_COLOR: _nc, FORCE_COLOR: _fc, ...env } = process.env;
  const code = await new Promise<number>((res) =>
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'validate', dir], { cwd: ROOT, env }, (err) =>
      res(err ? Number(err.code ?? 1) : 0),
    ),
  );
  const wholeProcess = performance.now() - processStarted;
  assert.is(code, 0);
  console.log(
    `  validate, ${PROJECTS + LABEL_CONFIGS} manifests: ${inProcess.toFixed(0)} ms in-process; ${wholeProcess.toFixed(0)} ms as a process (tsx, node ${process.version})`,
  );
});

test.run();
