/**
 * Which files are manifests (issue 8): only files with a labelform `apiVersion` (labelform.yaml
 * is always read), so other tools' YAML in the same repository is left alone; `exclude:` globs in
 * labelform.yaml; a file that looks like a manifest with a mistyped apiVersion is an error
 * instead of silence; and a root config with no manifests is a valid, empty desired state.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileExcludes } from '../../src/manifest/exclude.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG, tree } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const MiB = 1024 * 1024;
const P = (name: string) => projectYaml(name, '  title: Fine title\n');

test('other tools\' YAML is not read: docker-compose, mkdocs, a broken YAML, a big data file, empty files', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'docker-compose.yml': 'services:\n  web:\n    image: nginx\n',
    'mkdocs.yml': 'site_name: docs\nnav:\n  - Home: index.md\n',
    'deploy/broken.yaml': 'key: [unclosed\n  - : :\n',
    'deploy/values.yaml': 'apiVersion: v2\nkind: Chart\nname: web\n',
    'data/huge.yaml': `rows:\n${'  - {a: 1}\n'.repeat((3 * MiB) / 11)}`,
    'empty.yaml': '',
    'blank.yaml': '\n   \n',
    'comments.yaml': '# TODO\n',
    'disabled.yaml': '# apiVersion: labelform/v1\n# kind: Project\n',
    'tasks.json': '[{"data": {"text": "hi"}}]',
  });
  assert.equal(lines, []);
  assert.is(result.fileCount, 2, 'labelform.yaml and p.yaml');
  assert.equal(result.repository?.projects.map((p) => p.name), ['p1']);
});

test('a manifest is recognised however its apiVersion is written: block, quoted, flow, JSON, in a later document', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': P('a'),
    'b.yml': P('b').replace('apiVersion: labelform/v1', 'apiVersion: "labelform/v1"'),
    'c.yaml': '{apiVersion: labelform/v1, kind: Project, metadata: {name: c}, spec: {title: Fine title}}\n',
    'd.json': JSON.stringify({ apiVersion: 'labelform/v1', kind: 'Project', metadata: { name: 'd' }, spec: { title: 'Fine title' } }, null, 2),
    'e.yaml': `# first a comment\n---\n${P('e')}`,
  });
  assert.equal(lines, []);
  assert.equal(result.repository?.projects.map((p) => p.name), ['a', 'b', 'c', 'd', 'e']);
});

test('a file with a labelform apiVersion is a manifest, with every error it has', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'v2.yaml': P('v2').replace('labelform/v1', 'labelform/v2'),
    'nokind.yaml': 'apiVersion: labelform/v1\nmetadata:\n  name: b\nspec: {}\n',
    'list.yaml': '- apiVersion: labelform/v1\n- kind: Project\n',
  });
  assert.equal(lines, [
    'list.yaml:1:1: not-a-manifest: a manifest must be a mapping with apiVersion, kind, metadata and spec',
    'nokind.yaml:1:1: unknown-kind: missing "kind": expected Project, Webhook, View, MlBackend, ImportStorage, ExportStorage or LabelConfig',
    'v2.yaml:1:13: schema: apiVersion must be "labelform/v1", got "labelform/v2"',
  ]);
});

test('a mistyped apiVersion, or kind: Project with no apiVersion: an error at the line (skipping it would orphan its project), not silence', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'ok.yaml': P('ok'),
    'typo.yaml': P('typo').replace('labelform/v1', 'labelfrom/v1'),
    'caps.yaml': `# header\n${P('caps').replace('labelform/v1', 'Labelform/v1')}`,
    'noversion.yaml': P('noversion').replace('apiVersion: labelform/v1\n', ''),
    'labelconfig.yaml': 'kind: LabelConfig\nmetadata:\n  name: x\n',
    // Another tool's Project: not ours, no warning.
    'openshift.yaml': 'apiVersion: project.openshift.io/v1\nkind: Project\nmetadata:\n  name: web\n',
    'k8s.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
  });
  assert.equal(lines, [
    'caps.yaml:2:13: manifest-look-alike: apiVersion "Labelform/v1" is not labelform\'s, so this file would not be read as a manifest; write apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)',
    'labelconfig.yaml:1:7: manifest-look-alike: kind: LabelConfig but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)',
    'noversion.yaml:1:7: manifest-look-alike: kind: Project but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)',
    'typo.yaml:1:13: manifest-look-alike: apiVersion "labelfrom/v1" is not labelform\'s, so this file would not be read as a manifest; write apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)',
  ]);
  assert.is(result.repository, undefined);
});

test('a manifest over the size limit is still refused; a big file of another tool is not', async () => {
  const big = Buffer.concat([Buffer.from(P('big')), Buffer.alloc(3 * MiB, '#')]);
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P('p1'), 'big.yaml': big, 'other.yaml': Buffer.alloc(3 * MiB, '#') });
  assert.equal(lines, ['big.yaml:1:1: file-too-large: manifest is 3.0 MiB, over the 2.0 MiB limit for manifest files']);
});

test('a manifest saved as UTF-16 is reported, not skipped', async () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(P('u'), 'utf16le')]);
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P('p1'), 'u.yaml': utf16 });
  assert.equal(lines, ['u.yaml:1:1: not-utf8: manifest is not valid UTF-8 (byte 0xff at offset 0); save it as UTF-8']);
});

// --- exclude ----------------------------------------------------------------------------------

test('exclude: globs relative to labelform.yaml; a name without "/" matches at any depth; a folder excludes its contents', async () => {
  const { lines, result } = await load({
    'labelform.yaml': `${ROOT_CONFIG}exclude:\n  - templates\n  - legacy/**\n  - "**/*.draft.yaml"\n  - projects/old-?.yaml\n`,
    'p.yaml': P('p1'),
    'templates/t.yaml': P('t'),
    'sub/templates/t2.yaml': P('t2'),
    'legacy/a/b.yaml': P('legacy'),
    'projects/new.draft.yaml': P('draft'),
    'projects/old-1.yaml': P('old1'),
    'projects/old-10.yaml': P('old10'),
    'projects/kept.yaml': P('kept'),
  });
  assert.equal(lines, []);
  assert.equal(result.repository?.projects.map((p) => p.name), ['kept', 'old10', 'p1']);
});

test('exclude: silences the error of a look-alike file; labelform.yaml itself is always read', async () => {
  const { lines, result } = await load({
    'labelform.yaml': `${ROOT_CONFIG}exclude: [labelform.yaml, "other/**"]\n`,
    'p.yaml': P('p1'),
    'other/typo.yaml': P('typo').replace('labelform/v1', 'labelfrom/v1'),
  });
  assert.equal(lines, []);
  assert.is(result.repository?.config.namespace, 'test');
});

test('exclude: must be a list of non-empty strings (schema error at the value)', async () => {
  const { lines } = await load({ 'labelform.yaml': `${ROOT_CONFIG}exclude: legacy\n`, 'p.yaml': P('p1') });
  assert.equal(lines, ['labelform.yaml:4:10: schema: exclude must be a list, got a string "legacy"']);
  const empty = await load({ 'labelform.yaml': `${ROOT_CONFIG}exclude: [""]\n`, 'p.yaml': P('p1') });
  assert.equal(empty.lines, ['labelform.yaml:4:11: schema: exclude.0 must be at least 1 character, got 0']);
});

test('compileExcludes: *, ** and ? on "/"-separated paths', () => {
  const m = compileExcludes(['*.tmp.yaml', 'a/*/c.yaml', 'deep/**/x.yaml', './lead/**', 'q?.yaml', 'dir/']);
  const yes = ['x.tmp.yaml', 'sub/x.tmp.yaml', 'a/b/c.yaml', 'deep/x.yaml', 'deep/1/2/x.yaml', 'lead/z.yaml', 'q1.yaml', 'sub/q1.yaml', 'dir', 'sub/dir'];
  const no = ['x.yaml', 'a/b/b/c.yaml', 'a/c.yaml', 'deep/x.yml', 'leader/z.yaml', 'q12.yaml', 'q/.yaml', 'dirt'];
  for (const p of yes) assert.ok(m(p), `${p} should be excluded`);
  for (const p of no) assert.not.ok(m(p), `${p} should not be excluded`);
  // Regular-expression characters in a pattern are literal.
  const lit = compileExcludes(['a+b(c).yaml', '[x].yaml']);
  assert.ok(lit('a+b(c).yaml'));
  assert.ok(lit('[x].yaml'));
  assert.not.ok(lit('aab(c).yaml'));
  assert.not.ok(lit('x.yaml'));
});

// --- an empty desired state -------------------------------------------------------------------

test('a root config with no manifests is valid: validate exits 0 and says the desired state is empty', async () => {
  const dir = await tree({ 'labelform.yaml': ROOT_CONFIG, 'README.md': '# nothing\n', 'tasks.json': '[{"data": {"text": "hi"}}]', 'docker-compose.yml': 'services: {}\n' });
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: no Project, Webhook, View, MlBackend, ImportStorage, ExportStorage or LabelConfig manifests under \.: the desired state is empty; `apply --prune` would delete every project of namespace "test"/);
  assert.match(r.stdout, /^✔ 1 manifest file valid: 0 projects, 0 label configs, namespace "test", 1 warning/);
});

test.run();
