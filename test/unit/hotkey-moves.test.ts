/**
 * Hotkeys that move under annotators' hands: the keys the editor gives labels (explicit and
 * numbered by itself), and the plan warning when a config change moves one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { effectiveHotkeys, hotkeyMoves } from '../../src/labelconfig/hotkeys.ts';
import { parseLabelConfigXml, type XmlElement } from '../../src/labelconfig/parse-xml.ts';
import { reviewHotkeyMoves } from '../../src/labelconfig/review.ts';
import { live, liveState, manifest, plan, repository } from './support/plan-fixtures.ts';

function root(xml: string): XmlElement {
  const p = parseLabelConfigXml(xml);
  if (!p.ok) throw new Error(p.problem.message);
  return p.root;
}
const ner = (labels: string) =>
  `<View>\n  <Text name="t" value="$text"/>\n  <Labels name="label" toName="t">\n${labels}\n  </Labels>\n</View>`;
const keys = (xml: string) => effectiveHotkeys(root(xml)).map((h) => [h.control, h.stored, h.key ?? null]);

test('labels without a hotkey are numbered in document order, skipping keys bound anywhere', () => {
  assert.equal(keys(ner('<Label value="Person"/><Label value="Org"/>')), [
    ['label', 'Person', '1'],
    ['label', 'Org', '2'],
  ]);
  // An explicit key later in the config is bound first: the numbering skips it.
  assert.equal(
    keys(
      `<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A"/><Label value="B" hotkey="1"/></Labels>` +
        `<Choices name="c" toName="t"><Choice value="Yes"/><Choice value="No" alias="n" hotkey="Q"/></Choices></View>`,
    ),
    [
      ['l', 'A', '2'],
      ['l', 'B', '1'],
      ['c', 'Yes', '3'],
      ['c', 'n', 'q'],
    ],
  );
  // A Taxonomy's choices answer no key; a Shortcut's key is taken.
  assert.equal(
    keys(
      `<View><Text name="t" value="$text"/><Taxonomy name="tx" toName="t"><Choice value="X"/></Taxonomy>` +
        `<TextArea name="ta" toName="t"><Shortcut value="S" hotkey="1"/></TextArea><Labels name="l" toName="t"><Label value="A"/></Labels></View>`,
    ),
    [['l', 'A', '2']],
  );
});

test('past the 33 keys the editor has, a label gets none', () => {
  const many = Array.from({ length: 34 }, (_, i) => `<Label value="L${i}"/>`).join('');
  const all = keys(ner(many));
  assert.is(all[32]![2], 'm');
  assert.is(all[33]![2], null);
});

test('adding two labels with hotkey "1" renumbers Person from 1 to 2 (as seen in preview)', () => {
  const before = root(ner('<Label value="Person"/><Label value="Org" hotkey="o"/>'));
  const after = root(
    ner(
      '<Label value="New" hotkey="1"/><Label value="Other" hotkey="1"/><Label value="Person"/><Label value="Org" hotkey="o"/>',
    ),
  );
  assert.equal(
    hotkeyMoves(before, after).map((m) => [m.stored, m.before, m.after, m.automatic]),
    [['Person', '1', '2', true]],
  );
  const [finding, ...rest] = reviewHotkeyMoves(before, after);
  assert.is(rest.length, 0);
  assert.is(finding!.code, 'config-hotkey-moved');
  assert.is(finding!.line, 4);
  assert.match(
    finding!.message,
    /hotkey of <Label value="Person"> in control "label" changes from "1" to "2" \(the editor numbers/,
  );
  // A label whose explicit key changes is reported without the numbering remark; a removed or new one is not a move.
  const explicit = reviewHotkeyMoves(
    root(ner('<Label value="A" hotkey="a"/><Label value="Gone"/>')),
    root(ner('<Label value="A" hotkey="b"/><Label value="Fresh" hotkey="x"/>')),
  );
  assert.equal(
    explicit.map((f) => f.message.includes('numbers')),
    [false],
  );
  assert.match(explicit[0]!.message, /from "a" to "b"/);
});

test('a label is the same label by control and stored value (alias), not by its display text', () => {
  const before = root(ner('<Label value="Org" alias="ORG"/><Label value="Per"/>'));
  const after = root(ner('<Label value="Organization" alias="ORG"/><Label value="Per"/>'));
  assert.equal(hotkeyMoves(before, after), []);
});

test('renumbering a whole control is one warning that counts the moves and names the first three', () => {
  const labels = ['A', 'B', 'C', 'D', 'E'].map((v) => `<Label value="${v}"/>`).join('');
  const findings = reviewHotkeyMoves(root(ner(labels)), root(ner(`<Label value="Top"/>${labels}`)));
  assert.is(findings.length, 1);
  assert.match(
    findings[0]!.message,
    /^5 labels of control "label" change hotkey .*<Label value="A"> "1" → "2", <Label value="B"> "2" → "3", <Label value="C"> "3" → "4", …/,
  );
});

test('plan: a label config change that moves a key is a warning at the label in the new file; no change, no warning', () => {
  const before = ner('<Label value="Person"/>');
  const after = ner('<Label value="New" hotkey="1"/><Label value="Person"/>');
  const p = plan(
    repository([manifest('ner', { title: 'NER', label_config: after })]),
    liveState([live(3, 'NER', { key: 'ner', fields: { label_config: before } })]),
  );
  const moved = p.diagnostics.filter((d) => d.code === 'config-hotkey-moved');
  assert.is(moved.length, 1);
  assert.is(moved[0]!.severity, 'warning');
  assert.is(moved[0]!.key, 'ner');
  assert.is(moved[0]!.file, 'projects/config.xml');
  assert.is(moved[0]!.line, 4);
  const same = plan(
    repository([manifest('ner', { title: 'NER', label_config: before })]),
    liveState([live(3, 'NER', { key: 'ner', fields: { label_config: before } })]),
  );
  assert.equal(
    same.diagnostics.filter((d) => d.code === 'config-hotkey-moved'),
    [],
  );
});

test.run();
