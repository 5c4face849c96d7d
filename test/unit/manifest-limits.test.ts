/**
 * Hostile or broken manifests stay cheap and readable (issue 8): a 2 MB `.json` manifest of
 * nested `[[[[` took 13 s and 1.8 GB and printed 788 errors. Nesting is capped (one error at the
 * place it passes the cap, before the YAML composer recurses), and so is the number of problems
 * reported per file and printed per run ("… and N more"; the per-run cap, which the CLI applies,
 * is tested in test/integration/validate-summary.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_NESTING, parseYamlSource } from '../../src/manifest/yaml-source.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const MiB = 1024 * 1024;
const HEAD = '{"apiVersion": "labelform/v1", "kind": "Project", "metadata": {"name": "deep"}, "spec": {"title": ';

test('a 2 MB JSON manifest of nested [ is one error at the level that passes the cap', async () => {
  const text = `${HEAD}${'['.repeat(2 * MiB - HEAD.length - 1)}`;
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'deep.json': text });
  const col = HEAD.length + MAX_NESTING - 2; // the document, `{` and `"spec": {` are three levels already
  assert.equal(lines, [
    `deep.json:1:${col}: too-deep: nesting is deeper than ${MAX_NESTING} levels here; no manifest needs that many, so this file is not read further`,
  ]);
});

test('deep nesting in YAML is caught however it is written: flow, compact "- - -", indentation', () => {
  const flow = `a: ${'{b: '.repeat(200)}1${'}'.repeat(200)}\n`;
  const compact = `a:\n  ${'- '.repeat(5000)}x\n`;
  const indented = `${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`;
  for (const [name, text] of Object.entries({ flow, compact, indented })) {
    const r = parseYamlSource(text, `${name}.yaml`);
    assert.equal(r.documents, [], name);
    assert.equal(
      r.diagnostics.map((d) => d.code),
      ['too-deep'],
      name,
    );
    assert.ok((r.diagnostics[0]!.line ?? 0) >= 1, name);
  }
  const sequence = parseYamlSource(`a:\n  ${'- '.repeat(5000)}x\n`, 's.yaml').diagnostics[0]!;
  assert.equal([sequence.line, sequence.col], [2, 3 + 2 * (MAX_NESTING - 2)]); // `a:` and the line's own level count too
});

test('nesting just past the cap is caught in every style, with CRLF line ends too (no shortcut skips it)', () => {
  const levels = MAX_NESTING + 1;
  const half = Math.ceil(levels / 2);
  const texts = {
    flow: `a: ${'['.repeat(levels)}1${']'.repeat(levels)}\n`,
    compact: `a:\n  ${'- '.repeat(levels)}x\n`,
    indented: `${Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
    crlf: `${Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\r\n')} 1\r\n`,
    mixed: `${Array.from({ length: half }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n${' '.repeat(half)}${'- '.repeat(half)}x\n`,
  };
  for (const [name, text] of Object.entries(texts))
    assert.equal(
      parseYamlSource(text, `${name}.yaml`).diagnostics.map((d) => d.code),
      ['too-deep'],
      name,
    );
});

test('ordinary nesting is untouched: a label config block, flow lists, 20 levels of mappings', () => {
  const twenty = `${Array.from({ length: 20 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} [1, [2, [3, {x: [4]}]]]\n`;
  const r = parseYamlSource(twenty, 'ok.yaml');
  assert.equal(r.diagnostics, []);
  const xml = `spec:\n  label_config: |\n    ${'<View>'.repeat(100)}\n    [[[[[[[[[[ {{{{{{{{{{ ${'['.repeat(200)}\n  title: "${'['.repeat(200)}"\n  other: '${'{'.repeat(200)}'\n# ${'['.repeat(200)}\n`;
  assert.equal(parseYamlSource(xml, 'block.yaml').diagnostics, []);
});

test('at most 20 problems per file, then one "… and N more" line for that file', async () => {
  const fields = Array.from({ length: 300 }, (_, i) => `  bogus_${String(i).padStart(3, '0')}: 1\n`).join('');
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', `  title: Fine title\n${fields}`),
    'q.yaml': projectYaml('q', '  title: x\n'),
  });
  const forP = lines.filter((l) => l.startsWith('p.yaml'));
  assert.is(forP.length, 21);
  assert.match(forP[0]!, /^p\.yaml:7:3: schema: unknown field "bogus_000"/);
  assert.equal(
    forP.filter((l) => l.includes('more-problems')),
    ['p.yaml:27:3: more-problems: … and 280 more problems in this file from here on (the first 20 are shown)'],
  );
  assert.equal(lines.filter((l) => l.startsWith('q.yaml')).length, 1, 'other files keep theirs');
});

test.run();
