/**
 * What `labelform validate` prints about a whole repository, run in-process: the summary line
 * for an empty desired state, the cap on problems printed per run, and the count of every kind.
 * (The loading behind these lines is tested without the CLI in test/unit: manifest-discovery,
 * manifest-limits and view-kind.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindNamesForMessages } from '../../src/kinds/registry.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG, tree } from '../unit/support/validate-fixtures.ts';

test.after(cleanupTrees);

const view = (name: string, spec: string, project = 'p') =>
  `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;

test('a root config with no manifests is valid: validate exits 0 and says the desired state is empty', async () => {
  const dir = await tree({
    'labelform.yaml': ROOT_CONFIG,
    'README.md': '# nothing\n',
    'tasks.json': '[{"data": {"text": "hi"}}]',
    'docker-compose.yml': 'services: {}\n',
  });
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.ok(
    r.stderr.includes(
      `warning: no ${kindNamesForMessages()} manifests under .: the desired state is empty; \`apply --prune\` would delete every project of namespace "test"`,
    ),
    r.stderr,
  );
  assert.match(r.stdout, /^✔ 1 manifest file valid: 0 projects, 0 label configs, namespace "test", 1 warning/);
});

test('validate prints at most 100 problems per run, then "… and N more"', async () => {
  const files: Record<string, string> = { 'labelform.yaml': ROOT_CONFIG };
  for (let i = 0; i < 30; i++)
    files[`p${String(i).padStart(2, '0')}.yaml`] = projectYaml(
      `p${i}`,
      `  title: Fine title\n${Array.from({ length: 5 }, (_, k) => `  bad_${k}: 1\n`).join('')}`,
    );
  const dir = await tree(files);
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.code, 1);
  const out = r.stderr.trimEnd().split('\n');
  assert.is(out.length, 102, out.slice(-3).join('\n'));
  assert.is(out[100], '… and 50 more problems (150 in all)');
  assert.match(out[101]!, /^✖ 150 errors in 31 manifest files$/);
});

test('validate counts every kind the repository declares, and --json lists their keys', async () => {
  const files = {
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
    'a.yaml': view('a', '  title: Review\n'),
    'b.yaml': view('b', '  title: Done\n'),
    'h.yaml':
      'apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: hook\nspec:\n  project: p\n  url: https://hooks.example.com/x\n',
  };
  const dir = (await load(files)).dir;
  const text = await runCli(['validate', '-C', dir]);
  assert.is(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /✔ 5 manifest files valid: 1 project, 1 webhook, 2 views, 0 label configs, namespace "test"/,
  );
  const json = JSON.parse((await runCli(['validate', '--json', '-C', dir])).stdout);
  assert.equal(json.resources, { Webhook: ['p/hook'], View: ['p/a', 'p/b'] });
});

test.run();
