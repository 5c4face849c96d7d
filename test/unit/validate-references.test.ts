/**
 * Cross-checks after the schema: duplicate keys across files, references to LabelConfigs and
 * files, and file references that would leave the repository (`..`, absolute paths, symlinks).
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isInside, resolveRepoPath } from '../../src/manifest/repo-path.ts';
import {
  cleanupTrees,
  load,
  projectYaml,
  ROOT_CONFIG,
  tree,
  VALID_XML,
  withProject,
} from './support/validate-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

test.after(cleanupTrees);

const labelConfig = (name: string, file = './shared.xml') =>
  `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: ${name}\nspec:\n  label_config:\n    file: ${file}\n`;
const byFile = (path: string) => `  label_config:\n    file: ${path}\n`;

// --- duplicate keys -------------------------------------------------------------------------------

test('metadata.name is unique per kind across files', async () => {
  const ok = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': projectYaml('alpha', '  title: First\n'),
    'b.yaml': projectYaml('beta', '  title: Second\n'),
    // A LabelConfig may share a name with a Project: they are different kinds.
    'c.yaml': labelConfig('alpha'),
    'shared.xml': VALID_XML,
  });
  assert.equal(ok.lines, []);
  const bad = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': projectYaml('alpha', '  title: First\n'),
    'sub/b.yaml': `# the same key again\n${projectYaml('alpha', '  title: Second\n')}`,
    'c.yaml': labelConfig('shared'),
    'd.yaml': labelConfig('shared'),
    'shared.xml': VALID_XML,
  });
  assert.equal(bad.lines, [
    'd.yaml:4:9: duplicate-name: LabelConfig "shared" is already defined at c.yaml:4:9',
    'sub/b.yaml:5:9: duplicate-name: Project "alpha" is already defined at a.yaml:4:9',
  ]);
});

test('duplicate names inside one multi-document file', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'all.yaml': `${projectYaml('one', '  title: First\n')}---\n${projectYaml('one', '  title: Second\n')}`,
  });
  assert.equal(lines, ['all.yaml:11:9: duplicate-name: Project "one" is already defined at all.yaml:4:9']);
});

// --- references to LabelConfigs -------------------------------------------------------------------

test('{ref} must name a LabelConfig manifest', async () => {
  const ok = await load(
    withProject('  label_config:\n    ref: shared\n', {
      'shared.yaml': labelConfig('shared'),
      'shared.xml': VALID_XML,
    }),
  );
  assert.equal(ok.lines, []);
  assert.is(resourcesOf(ok.result.repository, projectKind)[0]?.labelConfig?.ref, 'shared');
  const typo = await load(
    withProject('  label_config:\n    ref: shraed\n', {
      'shared.yaml': labelConfig('shared'),
      'shared.xml': VALID_XML,
    }),
  );
  assert.equal(typo.lines, ['p.yaml:7:10: missing-label-config: no LabelConfig named "shraed" (defined: shared)']);
  const none = await load(withProject('  label_config:\n    ref: shared\n'));
  assert.equal(none.lines, [
    'p.yaml:7:10: missing-label-config: no LabelConfig named "shared" (no LabelConfig manifests are defined)',
  ]);
});

// --- file references --------------------------------------------------------------------------------

test('{file} must exist; it is read relative to the manifest', async () => {
  const ok = await load({
    'labelform.yaml': ROOT_CONFIG,
    'projects/p.yaml': projectYaml('p1', byFile('../configs/c.xml')),
    'configs/c.xml': VALID_XML,
  });
  assert.equal(ok.lines, []);
  assert.is(resourcesOf(ok.result.repository, projectKind)[0]?.labelConfig?.file, 'configs/c.xml');
  const missing = await load(withProject(byFile('./nope.xml')));
  assert.equal(missing.lines, ['p.yaml:7:11: file-reference: "./nope.xml" cannot be read: no such file']);
  const missingInLabelConfig = await load({ 'labelform.yaml': ROOT_CONFIG, 'l.yaml': labelConfig('l', 'gone.xml') });
  assert.equal(missingInLabelConfig.lines, ['l.yaml:7:11: file-reference: "gone.xml" cannot be read: no such file']);
});

test('a `..` path that leaves the repository is refused; one that stays inside is fine', async () => {
  const inside = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a/p.yaml': projectYaml('p1', byFile('../a/../c.xml')),
    'c.xml': VALID_XML,
  });
  assert.equal(inside.lines, []);
  const outside = await load({ 'labelform.yaml': ROOT_CONFIG, 'a/p.yaml': projectYaml('p1', byFile('../../c.xml')) });
  assert.equal(outside.lines, [
    'a/p.yaml:7:11: file-reference: "../../c.xml" points outside the repository (<repo>); files must stay inside it',
  ]);
  // Even when the file exists out there.
  const parent = await tree({
    'secret.xml': VALID_XML,
    'repo/labelform.yaml': ROOT_CONFIG,
    'repo/p.yaml': projectYaml('p1', byFile('../secret.xml')),
  });
  const sneaky = await load({}, { dir: join(parent, 'repo') });
  assert.equal(sneaky.lines, [
    'p.yaml:7:11: file-reference: "../secret.xml" points outside the repository (<repo>); files must stay inside it',
  ]);
});

test('an absolute path is refused, even one inside the repository', async () => {
  const dir = await tree({ 'labelform.yaml': ROOT_CONFIG, 'c.xml': VALID_XML });
  await writeFile(join(dir, 'p.yaml'), projectYaml('p1', byFile(join(dir, 'c.xml'))));
  const abs = await load({}, { dir });
  assert.equal(abs.lines, [
    'p.yaml:7:11: file-reference: "<repo>/c.xml" is an absolute path; write a path relative to the manifest, inside the repository',
  ]);
  const etc = await load(withProject(byFile('/etc/passwd')));
  assert.equal(etc.lines, [
    'p.yaml:7:11: file-reference: "/etc/passwd" is an absolute path; write a path relative to the manifest, inside the repository',
  ]);
  const windows = await load(withProject(byFile('"C:\\\\labels\\\\c.xml"')));
  assert.equal(windows.lines, [
    'p.yaml:7:11: file-reference: "C:\\labels\\c.xml" is an absolute path; write a path relative to the manifest, inside the repository',
  ]);
});

test('a symlink pointing outside the repository is refused; one inside is fine', async () => {
  const outside = await tree({ 'c.xml': VALID_XML, 'dir/c.xml': VALID_XML });
  const dir = await tree(
    withProject(byFile('./link.xml'), {
      'real.xml': VALID_XML,
      'q.yaml': projectYaml('q1', byFile('./linked-dir/c.xml')),
    }),
  );
  await symlink(join(outside, 'c.xml'), join(dir, 'link.xml'));
  await symlink(join(outside, 'dir'), join(dir, 'linked-dir'));
  const bad = await load({}, { dir });
  assert.equal(bad.lines, [
    `p.yaml:7:11: file-reference: "./link.xml" is a symbolic link to ${join(outside, 'c.xml')}, outside the repository; copy the file in instead`,
    `q.yaml:7:11: file-reference: "./linked-dir/c.xml" is a symbolic link to ${join(outside, 'dir/c.xml')}, outside the repository; copy the file in instead`,
  ]);
  const good = await tree(withProject(byFile('./link.xml'), { 'configs/real.xml': VALID_XML }));
  await symlink(join(good, 'configs/real.xml'), join(good, 'link.xml'));
  assert.equal((await load({}, { dir: good })).lines, []);
});

test('task files go through the same repository check', async () => {
  const project = `${projectYaml('p1', '  title: Hello\n')}tasks:\n  - file: ./tasks.json\n  - file: ../../tasks.json\n  - file: /tmp/tasks.json\n`;
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': project, 'tasks.json': '[]' });
  assert.equal(lines, [
    'p.yaml:9:11: file-reference: "../../tasks.json" points outside the repository (<repo>); files must stay inside it',
    'p.yaml:10:11: file-reference: "/tmp/tasks.json" is an absolute path; write a path relative to the manifest, inside the repository',
  ]);
});

test('resolveRepoPath and isInside', async () => {
  const dir = await tree({ 'a/b.xml': '<View/>' });
  await mkdir(join(dir, 'empty'));
  const manifest = join(dir, 'a', 'p.yaml');
  assert.equal(await resolveRepoPath(dir, manifest, 'b.xml'), { ok: true, path: join(dir, 'a', 'b.xml') });
  assert.equal(await resolveRepoPath(dir, manifest, '../a/b.xml'), { ok: true, path: join(dir, 'a', 'b.xml') });
  assert.is((await resolveRepoPath(dir, manifest, '../../x')).ok, false);
  assert.is((await resolveRepoPath(dir, manifest, '/x')).ok, false);
  assert.is(isInside('/repo', '/repo'), true);
  assert.is(isInside('/repo', '/repo/a/b'), true);
  assert.is(isInside('/repo', '/repository/a'), false);
  assert.is(isInside('/repo', '/'), false);
  assert.is(isInside('/repo', '/repo/..a'), true); // a file named "..a" is inside
});

test.run();
