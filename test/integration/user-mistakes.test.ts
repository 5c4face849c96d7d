import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { hasStackTrace, projectYaml, ROOT_CONFIG, runCli, writeTree } from '../helpers/cli.ts';

let ls: FakeLabelStudio;
let env: Record<string, string>;
test.before(async () => {
  ls = await startFakeLabelStudio();
  env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
});
test.after(async () => {
  await ls.stop();
});

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.not.ok(hasStackTrace(r.stdout + r.stderr), r.stderr);
};

test('a copied ownership line in a description and two manifests adopting one project are refused', async () => {
  const dir = await writeTree({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml':
      projectYaml(
        'a',
        `  title: Project A\n  description: "Team notes\\n\\n[labelform] Managed from git (namespace: other, key: b). Change it there; edits made here are reverted."\n`,
      ) + 'import:\n  id: 7\n',
    'b.yaml': projectYaml('b', '  title: Project B\n') + 'import:\n  id: 7\n',
  });
  const r = await runCli(['validate', dir], { cwd: dir });
  ok(r);
  assert.match(
    r.stderr,
    /a\.yaml:7:16: error: spec\.description contains a "\[labelform\] Managed from git \(\.\.\.\)" line/,
  );
  assert.match(r.stderr, /b\.yaml:8:7: error: import\.id 7 is already adopted by "a" \(a\.yaml:9:7\)/);
});

test('argument mistakes are usage errors: exit 1, no stack trace', async () => {
  const dir = await writeTree({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Project P\n') });
  for (const args of [
    ['plan', '--json', '--markdown'],
    ['drift', '--json', '--markdown'],
    ['tasks', 'list', '1', '--page-size', '0'],
    ['import', 'p', 'abc'],
    ['plan', '--nope'],
  ]) {
    const r = await runCli([...args, '-C', dir], { env, cwd: dir });
    ok(r);
    assert.match(r.stderr, /labelform: |is not a project id/);
  }
  const id = await runCli(['import', 'p', 'abc', '-C', dir], { env, cwd: dir });
  assert.match(id.stderr, /"abc" is not a project id/);
});

test('output paths that cannot be written name the path; pull creates a missing --out directory', async () => {
  const dir = await writeTree({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Project P\n') });
  const plan = await runCli(['plan', '--out', '/nonexistent-dir/plan.json', '-C', dir], { env, cwd: dir });
  ok(plan);
  assert.match(plan.stderr, /--out \/nonexistent-dir\/plan\.json: cannot write the plan there \(no such file\)/);
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  const p = await client.createProject({ title: 'Exported', label_config: '<View><Text name="t" value="$t"/></View>' });
  const exp = await runCli(['export', String(p.id), '--out', '/nonexistent-dir/x.json'], { env, cwd: dir });
  ok(exp);
  assert.match(exp.stderr, /--out \/nonexistent-dir\/x\.json: the directory \/nonexistent-dir does not exist/);
  const intoDir = await runCli(['export', String(p.id), '--out', dir, '--quiet'], { env, cwd: dir });
  assert.is(intoDir.code, 0, intoDir.stderr);
  assert.match(intoDir.stdout, new RegExp(`${dir.replace(/[/.]/g, '\\$&')}/project-${p.id}-`));
  // Outside the repository: inside it, pull would use the repository's labelform.yaml.
  const out = join(await writeTree({}), 'new', 'nested');
  const pulled = await runCli(['pull', '--project', String(p.id), '--out', out, '--namespace', 'pulled'], {
    env,
    cwd: dir,
  });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.ok(existsSync(join(out, 'labelform.yaml')));
});

test('drift reports a project whose marker was removed in the UI as drift (exit 2), not as an error', async () => {
  const dir = await writeTree({
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: mk\n',
    'p.yaml': projectYaml('kept', '  title: Marker removed\n'),
  });
  assert.is((await runCli(['apply', '--auto-approve', '-C', dir], { env, cwd: dir })).code, 0);
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  const page = await client.listProjects().next();
  const p = (page.value ?? []).find((x: { title: string | null }) => x.title === 'Marker removed')!;
  await client.updateProject(p.id, { description: 'someone cleaned this up' });
  const drift = await runCli(['drift', '-C', dir], { env, cwd: dir });
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /kept: unmanaged — no project carries its marker, but an unmanaged one has its title \(marker removed in the UI\?\)/,
  );
});

test('plan --prune warns about an orphan with annotations; apply refuses it without --allow-data-loss', async () => {
  const dir = await writeTree({
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: pr\n',
    'p.yaml': projectYaml('kept', '  title: Kept project\n'),
  });
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  const orphan = await client.createProject({
    title: 'Annotated orphan',
    description: withMarker('', { namespace: 'pr', key: 'gone' }),
    label_config: '<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="a"/></Choices></View>',
  });
  await client.importTasks(orphan.id, [{ t: 'x' }]);
  const task = (await client.listTasksPage(orphan.id, 1)).tasks[0]!;
  await client.createAnnotation(task.id, {
    result: [{ from_name: 'c', to_name: 't', type: 'choices', value: { choices: ['a'] } }],
  });
  const plan = await runCli(['plan', '--prune', '-C', dir], { env, cwd: dir });
  assert.is(plan.code, 0, plan.stderr);
  assert.match(
    plan.stdout,
    /warning: deleting gone \(id \d+\) would lose its 1 annotation: apply refuses it without --allow-data-loss/,
  );
  const apply = await runCli(['apply', '--prune', '--auto-approve', '-C', dir], { env, cwd: dir });
  assert.is(apply.code, 1);
  assert.match(apply.stdout, /gone \(id \d+\) delete failed: has 1 annotation; deleting would lose them/);
});

test.run();
