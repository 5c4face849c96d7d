/**
 * Which files are manifests (issue 8): only files with a labelform `apiVersion` (labelform.yaml
 * is always read), so other tools' YAML in the same repository is left alone; `exclude:` globs in
 * labelform.yaml; a file that looks like a manifest with a mistyped apiVersion is an error
 * instead of silence. (A root config with no manifests is a valid, empty desired state: what
 * validate says of it is in test/integration/validate-summary.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindNamesForMessages, MANIFEST_KINDS } from '../../src/kinds/registry.ts';
import { compileExcludes } from '../../src/manifest/exclude.ts';
import { isEmptyText } from '../../src/manifest/look-alike.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

test.after(cleanupTrees);

const MiB = 1024 * 1024;
const P = (name: string) => projectYaml(name, '  title: Fine title\n');

test("other tools' YAML is not read: docker-compose, mkdocs, CI, a broken YAML, a big data file, task data", async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'docker-compose.yml': 'services:\n  web:\n    image: nginx\n',
    'mkdocs.yml': 'site_name: docs\nnav:\n  - Home: index.md\n',
    'ci/workflow.yml':
      'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n',
    'ci/.gitlab-ci.yml': 'stages: [test]\n',
    'ci/drone.yml': 'kind: pipeline\ntype: docker\nname: default\nsteps:\n  - name: test\n',
    'deploy/broken.yaml': 'key: [unclosed\n  - : :\n',
    'deploy/values.yaml': 'apiVersion: v2\nkind: Chart\nname: web\n',
    'data/huge.yaml': `rows:\n${'  - {a: 1}\n'.repeat((3 * MiB) / 11)}`,
    'tasks.json': '[{"data": {"text": "hi"}}]',
    'empty-list.json': '[]',
    'empty-object.json': '{}',
    'null.yaml': 'null\n',
  });
  assert.equal(lines, []);
  assert.is(result.fileCount, 2, 'labelform.yaml and p.yaml');
  assert.equal(
    resourcesOf(result.repository, projectKind).map((p) => p.name),
    ['p1'],
  );
});

test('a manifest is recognised however its apiVersion is written: block, quoted, flow, JSON, in a later document', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': P('a'),
    'b.yml': P('b').replace('apiVersion: labelform/v1', 'apiVersion: "labelform/v1"'),
    'c.yaml': '{apiVersion: labelform/v1, kind: Project, metadata: {name: c}, spec: {title: Fine title}}\n',
    'd.json': JSON.stringify(
      { apiVersion: 'labelform/v1', kind: 'Project', metadata: { name: 'd' }, spec: { title: 'Fine title' } },
      null,
      2,
    ),
    'e.yaml': `# first a comment\n---\n${P('e')}`,
  });
  assert.equal(lines, []);
  assert.equal(
    resourcesOf(result.repository, projectKind).map((p) => p.name),
    ['a', 'b', 'c', 'd', 'e'],
  );
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
    `nokind.yaml:1:1: unknown-kind: missing "kind": expected ${kindNamesForMessages()}`,
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
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'big.yaml': big,
    'other.yaml': Buffer.alloc(3 * MiB, '#'),
  });
  assert.equal(lines, ['big.yaml:1:1: file-too-large: manifest is 3.0 MiB, over the 2.0 MiB limit for manifest files']);
});

test('a manifest saved as UTF-16 is reported, not skipped', async () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(P('u'), 'utf16le')]);
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P('p1'), 'u.yaml': utf16 });
  assert.equal(lines, ['u.yaml:1:1: not-utf8: manifest is not valid UTF-8 (byte 0xff at offset 0); save it as UTF-8']);
});

// --- empty files ------------------------------------------------------------------------------

const EMPTY =
  'empty-file: empty file: a manifest emptied by a bad merge would delete its resource with --prune; delete the file or add it to exclude: in labelform.yaml';

test('an empty .yaml/.yml/.json file where manifests live is an error at its path: skipped, --prune would delete what it declared', async () => {
  const { lines, result } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'a/zero.yaml': '',
    'a/blank.yml': '\n   \n\t\n',
    'a/comments.yaml': '# yaml-language-server: $schema=../schemas/project.schema.json\n# TODO\n',
    'a/disabled.yaml': '# apiVersion: labelform/v1\n# kind: Project\n',
    'a/dashes.yaml': '---\n',
    'a/markers.yaml': '%YAML 1.2\n--- # nothing\n...\n',
    'a/crlf.yaml': '\r\n# x\r\n\r\n',
    'a/bom.yaml': '\uFEFF',
    'a/nul.yaml': Buffer.alloc(512),
    'a/zero.json': '',
    'a/blank.json': '  \n',
  });
  const names = [
    'blank.json',
    'blank.yml',
    'bom.yaml',
    'comments.yaml',
    'crlf.yaml',
    'dashes.yaml',
    'disabled.yaml',
    'markers.yaml',
    'nul.yaml',
    'zero.json',
    'zero.yaml',
  ];
  assert.equal(
    lines,
    names.map((n) => `a/${n}:1:1: ${EMPTY}`),
  );
  assert.is(result.repository, undefined, 'no repository to plan from');
});

test('isEmptyText: no document at all; null, {} and [] are documents', () => {
  for (const t of [
    '',
    ' ',
    '\n\n',
    '# c',
    '  # c\n',
    '---',
    '--- \n',
    '---\n---\n',
    '...',
    '%YAML 1.2\n---',
    '\uFEFF\n',
    '\0\0\0',
    '\r\n',
  ])
    assert.ok(isEmptyText(t), JSON.stringify(t));
  for (const t of ['null', '~', '{}', '[]', 'a: 1', '--- {}', '---\nx', '#c\nkey:', '"', '- a'])
    assert.not.ok(isEmptyText(t), JSON.stringify(t));
});

test('an empty file is fine where manifests do not live: excluded, in a dot folder or node_modules, or named by a manifest as its task data', async () => {
  const { lines, result } = await load({
    'labelform.yaml': `${ROOT_CONFIG}exclude: [scratch]\n`,
    'p.yaml': `${P('p1')}tasks:\n  - file: data/new.json\n  - file: ../repo-data/empty.jsonl\n  - file: more/\n`,
    'scratch/empty.yaml': '',
    '.github/empty.yml': '',
    'node_modules/x/empty.json': '',
    'data/new.json': '',
    'more/a.json': '',
  });
  // The task files' own checks happen at plan time; here only: not an empty-manifest error.
  assert.equal(
    lines.filter((l) => l.includes('empty-file')),
    [],
  );
  assert.equal(
    lines.filter((l) => !l.includes('file-reference')),
    [],
    'nothing but the missing ../repo-data reference',
  );
  assert.is(result.fileCount, 2);
});

// --- look-alikes of every kind -------------------------------------------------------------

const MANIFEST_OF: Record<string, string> = {
  Project: 'spec:\n  title: Fine title\n',
  LabelConfig: 'spec:\n  label_config: <View/>\n',
  Webhook: 'spec:\n  project: p1\n  url: https://example.com/hook\n',
  View: 'spec:\n  project: p1\n  title: Mine\n',
  MlBackend: 'spec:\n  project: p1\n  url: https://ml.example.com\n',
  ImportStorage: 'spec:\n  project: p1\n  type: redis\n  db: 1\n',
  ExportStorage: 'spec:\n  project: p1\n  type: redis\n  db: 1\n',
};

test('every kind of the registry: a manifest that lost its apiVersion line is an error at its kind (a skipped one is deleted by --prune)', async () => {
  assert.equal(
    Object.keys(MANIFEST_OF).sort(),
    MANIFEST_KINDS.map((k) => k.kind).sort(),
    'this test covers every registered kind',
  );
  const files: Record<string, string> = { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P('p1') };
  for (const { kind } of MANIFEST_KINDS) {
    files[`${kind}.yaml`] = `kind: ${kind}\nmetadata:\n  name: x\n${MANIFEST_OF[kind]}`;
    files[`${kind}-quoted.yaml`] = `# header\nkind: "${kind}"  # comment\nmetadata: {name: x}\n${MANIFEST_OF[kind]}`;
    files[`${kind}.json`] = JSON.stringify({ kind, metadata: { name: 'x' }, spec: {} }, null, 2);
    // Cut short as well: not valid JSON any more.
    files[`${kind}-cut.json`] = `{\n  "kind": "${kind}",\n  "metadata": {\n    "na`;
  }
  const { lines } = await load(files);
  const expected = MANIFEST_KINDS.flatMap(({ kind }) => {
    const msg = `manifest-look-alike: kind: ${kind} but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 (or list the file under exclude: in labelform.yaml)`;
    return [
      `${kind}-cut.json:2:12: ${msg}`,
      `${kind}-quoted.yaml:2:8: ${msg}`,
      `${kind}.json:2:12: ${msg}`,
      `${kind}.yaml:1:7: ${msg}`,
    ];
  });
  assert.equal(lines, expected.sort());
});

test("a manifest that lost its apiVersion and kind lines (metadata.name and spec left) is an error; a cut in another way that leaves labelform's apiVersion is read and fails its schema", async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'v.yaml': 'metadata:\n  name: v1\nspec:\n  project: p1\n  title: Mine\n',
    'w.yaml':
      '# yaml-language-server: $schema=x\n\nmetadata:\n  name: w1\n  description: hook\nimport: {id: 3}\nspec:\n  project: p1\n',
    'j.json': '{\n  "metadata": {"name": "j"},\n  "spec": {"project": "p1", "title": "T"}\n}\n',
    'cut-after-kind.yaml': 'apiVersion: labelform/v1\nkind: View\n',
    'cut-in-metadata.yaml': 'apiVersion: labelform/v1\nkind: View\nmetadata:\n  na',
  });
  const msg = (at: string) =>
    `${at}: manifest-look-alike: metadata.name and spec but no apiVersion or kind, so this file would not be read as a manifest (was its top cut off?); add apiVersion: labelform/v1 and its kind (${kindNamesForMessages()}) (or list the file under exclude: in labelform.yaml)`;
  assert.equal(
    lines,
    [
      'cut-after-kind.yaml:1:1: schema: missing required field "metadata"',
      'cut-after-kind.yaml:1:1: schema: missing required field "spec"',
      'cut-in-metadata.yaml:4:3: schema: metadata must be a mapping, got a string "na"',
      'cut-in-metadata.yaml:1:1: schema: missing required field "spec"',
      msg('j.json:2:3'),
      msg('v.yaml:1:1'),
      msg('w.yaml:3:1'),
    ].sort(),
  );
});

test("other tools' files with a manifest-like shape stay silent: their own apiVersion, a kubectl patch, extra keys, kind in nested data", async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': P('p1'),
    'k8s-view.yaml': 'apiVersion: example.com/v1\nkind: View\nmetadata:\n  name: x\nspec: {}\n',
    'k8s-list.yaml': 'items:\n  - apiVersion: v1\n    kind: Project\n',
    'patch.yaml': 'spec:\n  replicas: 3\n',
    'patch-labels.yaml': 'metadata:\n  labels:\n    app: web\nspec:\n  replicas: 3\n',
    'extra-keys.yaml': 'metadata:\n  name: x\nspec: {}\nservices: {}\n',
    'nested-kind.yaml': 'data:\n  kind: Project\n',
    'tasks.json': '[{"data": {"kind": "View", "metadata": {"name": "x"}, "spec": 1}}]',
    'task.json': '{"data": {"kind": "Project"}, "meta": {"spec": true, "metadata": {"name": "n"}}}',
    'lowercase.yaml': 'kind: view\nmetadata:\n  name: x\n',
    'prefix.yaml': 'kind: ProjectTemplate\n',
  });
  assert.equal(lines, []);
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
  assert.equal(
    resourcesOf(result.repository, projectKind).map((p) => p.name),
    ['kept', 'old10', 'p1'],
  );
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
  const yes = [
    'x.tmp.yaml',
    'sub/x.tmp.yaml',
    'a/b/c.yaml',
    'deep/x.yaml',
    'deep/1/2/x.yaml',
    'lead/z.yaml',
    'q1.yaml',
    'sub/q1.yaml',
    'dir',
    'sub/dir',
  ];
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

test.run();
