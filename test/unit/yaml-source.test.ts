/**
 * parseYamlSource: values with a way back from JSON pointers to line and column, strict parsing
 * (duplicate keys, alias bombs), and where a string scalar's content starts (for XML inside YAML).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { joinPointer, parseYamlSource, pointerSegments } from '../../src/manifest/yaml-source.ts';

const SAMPLE = [
  'apiVersion: labelform/v1', // 1
  'metadata:', // 2
  '  name: demo', // 3
  'spec:', // 4
  '  title:   Spaced out', // 5
  '  a/b: slash', // 6
  '  "t~x": tilde', // 7
  'tasks:', // 8
  '  - file: one.json', // 9
  '  - { file: two.json, format: json }', // 10
  '',
].join('\n');

test('locate: values and keys by JSON pointer', () => {
  const { documents, diagnostics } = parseYamlSource(SAMPLE, 'm.yaml');
  assert.equal(diagnostics, []);
  const doc = documents[0]!;
  assert.is(doc.file, 'm.yaml');
  assert.equal(doc.locate('/apiVersion'), { line: 1, col: 13 });
  assert.equal(doc.locate('/metadata/name'), { line: 3, col: 9 });
  assert.equal(doc.locate('/metadata/name', { key: true }), { line: 3, col: 3 });
  assert.equal(doc.locate('/spec/title'), { line: 5, col: 12 });
  assert.equal(doc.locate('/spec/a~1b'), { line: 6, col: 8 });
  assert.equal(doc.locate('/spec/t~0x', { key: true }), { line: 7, col: 3 });
  assert.equal(doc.locate('/tasks/0/file'), { line: 9, col: 11 });
  assert.equal(doc.locate('/tasks/1/format'), { line: 10, col: 31 });
  assert.equal(doc.locate('/tasks/1'), { line: 10, col: 5 });
  assert.equal(doc.locate(''), { line: 1, col: 1 });
});

test('locate: the start and the name kept from the first parse agree with the tree parsed again', () => {
  // The second document of a file, one without metadata.name, and a flow mapping.
  const text = 'kind: A\n---\nkind: B\nmetadata:\n  other: 1\n---\n{ kind: C, metadata: { name: c } }\n';
  const [, b, c] = parseYamlSource(text, 'm.yaml').documents;
  assert.equal(b!.locate(''), { line: 3, col: 1 });
  assert.equal(b!.locate('/metadata/name'), { line: 5, col: 3 }, 'the deepest node: the metadata mapping');
  assert.equal(b!.locate('/metadata/other'), { line: 5, col: 10 });
  assert.equal(c!.locate('/metadata/name'), { line: 7, col: 30 });
  assert.equal(c!.locate('/metadata/name', { key: true }), { line: 7, col: 24 });
  assert.equal(c!.locate(''), { line: 7, col: 1 });
  // Each answer is a fresh object: changing one changes no later answer.
  const at = c!.locate('/metadata/name');
  at.line = 99;
  assert.equal(c!.locate('/metadata/name'), { line: 7, col: 30 });
});

test('locate: a pointer that goes past what exists stops at the deepest node', () => {
  const doc = parseYamlSource(SAMPLE, 'm.yaml').documents[0]!;
  assert.equal(doc.locate('/spec/missing'), { line: 5, col: 3 }); // the spec mapping
  assert.equal(doc.locate('/tasks/7/file'), { line: 9, col: 3 }); // the sequence
  assert.equal(doc.locate('/metadata/name/deeper'), { line: 3, col: 9 }); // a scalar has no children
});

test('JSON is parsed as YAML, with positions', () => {
  const json = '{\n  "apiVersion": "labelform/v1",\n  "spec": {\n    "title": "From JSON"\n  }\n}\n';
  const doc = parseYamlSource(json, 'm.json').documents[0]!;
  assert.equal(doc.value, { apiVersion: 'labelform/v1', spec: { title: 'From JSON' } });
  assert.equal(doc.locate('/spec/title'), { line: 4, col: 14 });
});

test('several documents: each with its index and its own positions; empty ones skipped', () => {
  const { documents, diagnostics } = parseYamlSource('a: 1\n---\n---\n# only a comment\nb: 2\n---\n', 'm.yaml');
  assert.equal(diagnostics, []);
  assert.equal(
    documents.map((d) => [d.index, d.value]),
    [
      [0, { a: 1 }],
      [2, { b: 2 }],
    ],
  );
  assert.equal(documents[1]!.locate('/b'), { line: 5, col: 4 });
  // An explicit null document is a document (the loader then says it is not a manifest).
  assert.equal(
    parseYamlSource('--- null\n', 'm.yaml').documents.map((d) => d.value),
    [null],
  );
  assert.equal(
    parseYamlSource('---\n', 'm.yaml').diagnostics.map((d) => d.code),
    ['empty-file'],
  );
});

test('duplicate keys are an error at the second key', () => {
  const { documents, diagnostics } = parseYamlSource(
    'spec:\n  title: One\n  color: "#123456"\n  title: Two\n',
    'm.yaml',
  );
  assert.equal(documents, []);
  assert.equal(diagnostics, [
    {
      severity: 'error',
      code: 'yaml-duplicate-key',
      message: 'duplicate key in a YAML mapping: Map keys must be unique',
      file: 'm.yaml',
      line: 4,
      col: 3,
    },
  ]);
});

test('syntax errors are located and carry no source excerpt', () => {
  const cases: Array<[string, string, number, number]> = [
    ['a: 1\nb: "Hello\nc: 2\n', 'YAML syntax error: Missing closing "quote', 4, 1],
    ['a:\n\tb: 1\n', 'YAML syntax error: Tabs are not allowed as indentation', 2, 1],
    ['a: b: c\n', 'YAML syntax error: Nested mappings are not allowed in compact mappings', 1, 4],
    ['a:\n  - x\n  b: 1\n', 'YAML syntax error: All mapping items must start at the same column', 3, 1],
  ];
  for (const [text, message, line, col] of cases) {
    const { documents, diagnostics } = parseYamlSource(text, 'm.yaml');
    assert.equal(documents, [], text);
    assert.equal(diagnostics[0], { severity: 'error', code: 'yaml-syntax', message, file: 'm.yaml', line, col }, text);
    assert.not.match(diagnostics[0]!.message, /\n/);
  }
});

test('an alias bomb ("billion laughs" in YAML) is refused; a few aliases are fine', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcde'[i]}`).join(', ')}]`),
    '',
  ].join('\n');
  const { documents, diagnostics } = parseYamlSource(bomb, 'm.yaml');
  assert.equal(documents, []);
  assert.equal(
    diagnostics.map((d) => [d.code, d.line, d.col]),
    [['yaml-aliases', 1, 1]],
  );
  assert.match(diagnostics[0]!.message, /^YAML aliases expand too far: /);
  const ok = parseYamlSource('base: &b {x: 1}\ncopy: *b\n', 'm.yaml');
  assert.equal(ok.diagnostics, []);
  assert.equal(ok.documents[0]!.value, { base: { x: 1 }, copy: { x: 1 } });
});

test('an alias with no anchor is an unknown alias at its own line:col, naming it (not an expansion problem)', () => {
  const cases: Array<[string, number, number, string]> = [
    ['spec:\n  title: *nosuchanchor\n', 2, 10, 'nosuchanchor'],
    // The anchor comes after the alias, or in another document of the file: not set before it.
    ['a: *x\nb: &x 1\n', 1, 4, 'x'],
    ['a: &x 1\n---\nb:\n  - *x\n', 4, 5, 'x'],
  ];
  for (const [text, line, col, name] of cases) {
    const { documents, diagnostics } = parseYamlSource(text, 'm.yaml');
    assert.equal(
      diagnostics,
      [
        {
          severity: 'error',
          code: 'yaml-unknown-alias',
          message: `unknown alias *${name}: no anchor &${name} is set before it in this document`,
          file: 'm.yaml',
          line,
          col,
        },
      ],
      text,
    );
    assert.ok(documents.length <= 1);
  }
});

test('a file with only comments has no documents', () => {
  assert.equal(parseYamlSource('# nothing here\n', 'm.yaml').diagnostics, [
    {
      severity: 'error',
      code: 'empty-file',
      message: 'manifest has no YAML documents',
      file: 'm.yaml',
      line: 1,
      col: 1,
    },
  ]);
});

test('scalarInfo: a block scalar starts on the next line, at its indentation', () => {
  const text = 'spec:\n  label_config: |\n    <View>\n      <Text/>\n    </View>\n  folded: >-\n\n      text\n';
  const doc = parseYamlSource(text, 'm.yaml').documents[0]!;
  assert.equal(doc.scalarInfo('/spec/label_config'), { line: 3, col: 5, block: true, indent: 4 });
  // A leading blank line does not count when measuring the indentation.
  assert.equal(doc.scalarInfo('/spec/folded'), { line: 7, col: 7, block: true, indent: 6 });
  assert.is(doc.scalarInfo('/spec'), undefined);
  assert.is(doc.scalarInfo('/spec/nothing'), undefined);
});

test('scalarInfo: quoted and plain scalars map value positions back through escapes', () => {
  const text = [
    'plain: <a x="1"/>', // content at col 8
    'double: "<a x=\\"1\\"/>\\n<b/>"', // content at col 10; \" is two characters for one
    "single: '<a x=''1''/>'", // '' is two characters for one
    'folded: "<a/>', //  a double-quoted scalar folded over two lines
    '  <b/>"',
    '',
  ].join('\n');
  const doc = parseYamlSource(text, 'm.yaml').documents[0]!;
  const plain = doc.scalarInfo('/plain')!;
  assert.equal([plain.line, plain.col, plain.block], [1, 8, false]);
  assert.equal(plain.positionAt?.(1, 4), { line: 1, col: 11 }); // the x
  const dq = doc.scalarInfo('/double')!;
  assert.is(doc.value && (doc.value as { double: string }).double, '<a x="1"/>\n<b/>');
  assert.equal([dq.line, dq.col], [2, 10]);
  assert.equal(dq.positionAt?.(1, 7), { line: 2, col: 17 }); // the 1, after one \"
  assert.equal(dq.positionAt?.(2, 1), { line: 2, col: 24 }); // <b/> after the \n escape
  const sq = doc.scalarInfo('/single')!;
  assert.equal(sq.positionAt?.(1, 6), { line: 3, col: 15 }); // the first quote, written ''
  assert.equal(sq.positionAt?.(1, 9), { line: 3, col: 20 }); // the / after x='1'
  // No exact mapping across folded lines: every position maps to where the value starts.
  const folded = doc.scalarInfo('/folded')!;
  assert.equal(folded.positionAt?.(1, 5), { line: 4, col: 10 });
});

test('pointerSegments and joinPointer are inverse, with ~0 and ~1 escapes', () => {
  assert.equal(pointerSegments(''), []);
  assert.equal(pointerSegments('/'), []);
  assert.equal(pointerSegments('/spec/a~1b/c~0d/0'), ['spec', 'a/b', 'c~d', '0']);
  assert.is(joinPointer('spec', 'a/b', 'c~d', 0), '/spec/a~1b/c~0d/0');
  assert.is(joinPointer(...pointerSegments('/x~01/y~10')), '/x~01/y~10');
});

test.run();
