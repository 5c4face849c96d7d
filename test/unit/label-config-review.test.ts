/**
 * The review checks a reviewer's eye would miss (hotkey clashes, look-alike colours, hidden
 * objects, choice lists that scroll), the colour maths under them, the offline sample task, the
 * browser lookup, and the plan's warnings for them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closePairs, colorDistance, colorDistanceLab, parseCssColor, toLab } from '../../src/labelconfig/colors.ts';
import { parseLabelConfigXml, type XmlElement } from '../../src/labelconfig/parse-xml.ts';
import {
  MAX_COLOR_PAIRS_LISTED,
  MAX_STACKED_CHOICES,
  MIN_COLOR_DISTANCE,
  reviewLabelConfig,
} from '../../src/labelconfig/review.ts';
import { findBrowser } from '../../src/preview/browser.ts';
import { labelNames, taskFor } from '../../src/preview/run.ts';
import {
  SAMPLE_AUDIO_URL,
  SAMPLE_HTML_URL,
  SAMPLE_IMAGE_URL,
  SAMPLE_TEXT_URL,
  sampleDocument,
  sampleTaskData,
} from '../../src/preview/sample-task.ts';
import { isUserError } from '../../src/util/errors.ts';

function root(xml: string): XmlElement {
  const p = parseLabelConfigXml(xml);
  if (!p.ok) throw new Error(p.problem.message);
  return p.root;
}

const codes = (xml: string) => reviewLabelConfig(root(xml)).map((f) => f.code);

test('a hotkey used twice is reported at the second use, naming the first (case-insensitive)', () => {
  const findings = reviewLabelConfig(
    root(`<View>
  <Text name="t" value="$text"/>
  <Labels name="l" toName="t"><Label value="PER" hotkey="p"/><Label value="ORG" hotkey="o"/></Labels>
  <Choices name="c" toName="t"><Choice value="Positive" hotkey="P"/></Choices>
</View>`),
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.code, 'config-hotkey-clash');
  assert.equal(findings[0]!.line, 4);
  assert.match(
    findings[0]!.message,
    /hotkey "p" of <Choice value="Positive"> is also the hotkey of <Label value="PER"> on line 3/,
  );
  assert.equal(
    codes(
      `<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A" hotkey="a"/><Label value="B" hotkey="b"/></Labels></View>`,
    ),
    [],
  );
});

test('colours: CSS forms parse alike, near-identical label colours are flagged, distinct ones are not', () => {
  assert.equal(parseCssColor('#f00'), [255, 0, 0]);
  assert.equal(parseCssColor('red'), [255, 0, 0]);
  assert.equal(parseCssColor('rgb(255, 0, 0)'), [255, 0, 0]);
  assert.equal(parseCssColor('#FF000080'), [255, 0, 0]);
  assert.equal(parseCssColor('hsl(0, 100%, 50%)')!.map(Math.round), [255, 0, 0]);
  assert.is(parseCssColor('var(--x)'), undefined);
  assert.is(colorDistance([255, 0, 0], [255, 0, 0]), 0);
  // Known CIEDE2000 magnitudes: red vs blue is far (> 50), two reds a few units apart are close.
  assert.ok(colorDistance([255, 0, 0], [0, 0, 255]) > 50);
  assert.ok(colorDistance([255, 0, 0], [250, 10, 10]) < 3);

  const findings = reviewLabelConfig(
    root(`<View><Image name="i" value="$image"/>
<RectangleLabels name="b" toName="i"><Label value="Car" background="#FF0000"/><Label value="Truck" background="#F20505"/><Label value="Sky" background="blue"/></RectangleLabels></View>`),
  );
  assert.equal(
    findings.map((f) => f.code),
    ['config-similar-colors'],
  );
  assert.match(
    findings[0]!.message,
    /<Label value="Truck"> \(background #F20505\) looks almost like <Label value="Car"> \(background #FF0000\)/,
  );
  // The examples' palette (Material colours) passes.
  assert.equal(
    codes(
      `<View><Image name="i" value="$image"/><RectangleLabels name="b" toName="i"><Label value="Car" background="#FF5722"/><Label value="Truck" background="#795548"/><Label value="Bicycle" background="#3F51B5"/><Label value="Pedestrian" background="#E91E63"/><Label value="Sign" background="#FFC107"/></RectangleLabels></View>`,
    ),
    [],
  );
});

test('many similar colours in one control are one bounded warning with the closest pairs; closePairs finds exactly the pairs a full comparison finds', () => {
  // 2,000 labels of spread-out colours: thousands of close pairs, one warning line.
  const labels = Array.from(
    { length: 2000 },
    (_, i) =>
      `<Label value="L${i}" background="hsl(${((i * 137.508) % 360).toFixed(1)}, ${50 + (i % 40)}%, ${35 + (i % 30)}%)"/>`,
  ).join('\n');
  const findings = reviewLabelConfig(
    root(`<View><Text name="t" value="$text"/>\n<Labels name="l" toName="t">\n${labels}\n</Labels></View>`),
  );
  const similar = findings.filter((f) => f.code === 'config-similar-colors');
  assert.is(similar.length, 1);
  assert.is(similar[0]!.line, 2, 'at the control');
  const count = Number(
    /: ([\d,]+) pairs of its labels have colours closer than 10/.exec(similar[0]!.message)?.[1]?.replace(/,/g, ''),
  );
  assert.ok(count > 1000, similar[0]!.message.slice(0, 200));
  assert.is(similar[0]!.message.match(/looks almost like/g)?.length, MAX_COLOR_PAIRS_LISTED);
  assert.ok(similar[0]!.message.length < 1200);
  // Up to MAX_COLOR_PAIRS_LISTED pairs: one warning each, as before.
  const three = reviewLabelConfig(
    root(
      `<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A" background="#FF0000"/><Label value="B" background="#FE0101"/><Label value="C" background="#FD0202"/></Labels></View>`,
    ),
  );
  assert.equal(
    three.map((f) => f.code),
    ['config-similar-colors', 'config-similar-colors', 'config-similar-colors'],
  );

  // The lightness window skips only pairs that cannot be close: same pairs as comparing all.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 256;
  const labs = Array.from({ length: 400 }, () => toLab([rnd(), rnd(), rnd()]));
  const windowed: string[] = [];
  closePairs(labs, MIN_COLOR_DISTANCE * 2, (i, j) => windowed.push(`${i}-${j}`));
  const everyPair: string[] = [];
  for (let i = 0; i < labs.length; i++)
    for (let j = 0; j < i; j++)
      if (colorDistanceLab(labs[i]!, labs[j]!) < MIN_COLOR_DISTANCE * 2) everyPair.push(`${i}-${j}`);
  assert.ok(everyPair.length > 100);
  assert.equal(windowed.sort(), everyPair.sort());
  assert.ok(
    Math.abs(colorDistanceLab(toLab([255, 0, 0]), toLab([0, 0, 255])) - colorDistance([255, 0, 0], [0, 0, 255])) < 1e-9,
  );
});

test('a tag with valueType="url" gets a URL the preview answers itself, with content it can draw', () => {
  const data = sampleTaskData(
    root(
      `<View><Text name="t" value="$text" valueType="url"/><HyperText name="h" value="$html" valuetype="url"/><Paragraphs name="p" value="$dialog" valueType="url" nameKey="who" textKey="said"/><Text name="plain" value="$plain"/></View>`,
    ),
  );
  assert.is(data.text, SAMPLE_TEXT_URL);
  assert.is(data.html, SAMPLE_HTML_URL);
  assert.match(String(data.dialog), /^http:\/\/preview\.labelform\/__labelform\/paragraphs\.json\?/);
  assert.not.match(String(data.plain), /^http/);
  assert.match(sampleDocument(new URL(SAMPLE_TEXT_URL))!.body, /Alice Johnson/);
  assert.match(sampleDocument(new URL(SAMPLE_HTML_URL))!.body, /<h3>Sample page<\/h3>/);
  const rows = JSON.parse(sampleDocument(new URL(String(data.dialog)))!.body) as Array<Record<string, string>>;
  assert.equal(Object.keys(rows[0]!), ['who', 'said']);
  // Another origin or path is not answered from here.
  assert.is(sampleDocument(new URL('http://example.com/__labelform/sample.txt')), undefined);
  assert.is(sampleDocument(new URL('http://preview.labelform/__labelform/other')), undefined);
});

test('a control whose object is hidden, or shown only on a condition the control does not share, is flagged', () => {
  const hidden = reviewLabelConfig(
    root(`<View>
  <View style="display: none"><Image name="img" value="$image"/></View>
  <Choices name="c" toName="img"><Choice value="A"/></Choices>
</View>`),
  );
  assert.equal(
    hidden.map((f) => f.code),
    ['config-hidden-object'],
  );
  assert.match(
    hidden[0]!.message,
    /<Choices name="c"> labels <Image name="img">, which is hidden by <View>'s style="display: none" \(line 2\)/,
  );
  const conditional = reviewLabelConfig(
    root(`<View>
  <Choices name="kind" toName="t"><Choice value="Text"/></Choices>
  <View visibleWhen="choice-selected" whenTagName="kind" whenChoiceValue="Text"><Text name="t" value="$text"/></View>
  <Labels name="l" toName="t"><Label value="X"/></Labels>
</View>`),
  );
  assert.equal(
    conditional.map((f) => f.code),
    ['config-hidden-object', 'config-hidden-object'],
  );
  // A control inside the same conditional view as its object is fine.
  assert.equal(
    codes(
      `<View><View visibleWhen="choice-selected" whenTagName="x"><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="X"/></Labels></View><Choices name="x" toName="t"><Choice value="A"/></Choices></View>`,
    ).filter((c) => c === 'config-hidden-object').length,
    1,
  );
});

test(`more than ${MAX_STACKED_CHOICES} stacked choices are flagged; inline ones get more room`, () => {
  const choices = (n: number, attrs = '') =>
    `<View><Text name="t" value="$text"/><Choices name="c" toName="t"${attrs}>${Array.from({ length: n }, (_, i) => `<Choice value="C${i}"/>`).join('')}</Choices></View>`;
  assert.equal(codes(choices(MAX_STACKED_CHOICES)), []);
  assert.equal(codes(choices(MAX_STACKED_CHOICES + 1)), ['config-long-choices']);
  assert.equal(codes(choices(MAX_STACKED_CHOICES + 1, ' layout="inline"')), []);
  assert.equal(codes(choices(41, ' showInline="true"')), ['config-long-choices']);
});

test('the offline sample task fills every $key by the tag that reads it', () => {
  const data = sampleTaskData(
    root(`<View><Header value="$title"/><Image name="i" value="$image"/><Audio name="a" value="$audio"/><Text name="t" value="$text"/>
<Paragraphs name="p" value="$dialogue" nameKey="speaker" textKey="line"/><Choices name="c" toName="t" value="$options"/></View>`),
  );
  assert.is(data.image, SAMPLE_IMAGE_URL);
  assert.is(data.audio, SAMPLE_AUDIO_URL);
  assert.type(data.text, 'string');
  assert.is(data.title, 'Sample title');
  assert.equal(Object.keys((data.dialogue as object[])[0]!), ['speaker', 'line']);
  assert.equal(data.options, [{ value: 'Option A' }, { value: 'Option B' }]);
  // Deterministic: the same config, the same task.
  assert.equal(
    sampleTaskData(root('<View><Text name="t" value="$text"/></View>')),
    sampleTaskData(root('<View><Text name="t" value="$text"/></View>')),
  );
});

test("a project's first declared task is shown (keys the config reads but the task lacks come from the sample); a bad file falls back to the sample", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-task-'));
  const xml = '<View><Header value="$title"/><Text name="t" value="$text"/></View>';
  writeFileSync(
    join(dir, 'tasks.jsonl'),
    '{"data": {"text": "Zebra crossing at noon"}}\n{"data": {"text": "second"}}\n',
  );
  const subject = { name: 'p', slug: 'p', file: 'p.xml', xml, review: [] };
  const first = await taskFor(
    { ...subject, taskFile: { path: join(dir, 'tasks.jsonl'), display: 'tasks.jsonl', format: 'jsonl' } },
    root(xml),
  );
  assert.equal(first, { data: { title: 'Sample title', text: 'Zebra crossing at noon' }, task: 'tasks.jsonl:1' });
  writeFileSync(join(dir, 'broken.json'), '[{"text": ');
  const fallback = await taskFor(
    { ...subject, taskFile: { path: join(dir, 'broken.json'), display: 'broken.json', format: 'json' } },
    root(xml),
  );
  assert.is(fallback.task, 'sample');
  rmSync(dir, { recursive: true, force: true });
});

test('label names expected on the page leave out Taxonomy and per-region options', () => {
  assert.equal(
    labelNames(
      root(`<View><Image name="i" value="$image"/><RectangleLabels name="b" toName="i"><Label value="Car"/></RectangleLabels>
<Choices name="o" toName="i" perRegion="true"><Choice value="Occluded"/></Choices><Taxonomy name="x" toName="i"><Choice value="Animal"><Choice value="Cat"/></Choice></Taxonomy>
<Choices name="n" toName="i"><Choice value="Outdoor"><Choice value="Street"/></Choice></Choices></View>`),
    ),
    ['Car', 'Outdoor', 'Street'],
  );
});

test('no browser: one message saying how to install one; a wrong --browser or LABELFORM_BROWSER names the setting', () => {
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const none = attempt(() => findBrowser({ PATH: '/nonexistent' }, undefined, ['/nonexistent/chromium']));
  assert.ok(isUserError(none));
  assert.match((none as Error).message, /preview needs Chrome or Chromium, and none was found/);
  assert.match((none as { hint?: string }).hint ?? '', /apt-get install chromium/);
  assert.match(
    (attempt(() => findBrowser({}, '/no/such/chrome')) as Error).message,
    /^--browser \/no\/such\/chrome: no executable there/,
  );
  assert.match(
    (attempt(() => findBrowser({ LABELFORM_BROWSER: '/no/such' })) as Error).message,
    /^LABELFORM_BROWSER \/no\/such: no executable there/,
  );
  // An executable named chromium on PATH is found before the usual places.
  const dir = mkdtempSync(join(tmpdir(), 'lf-browser-'));
  writeFileSync(join(dir, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
  assert.is(findBrowser({ PATH: `/nonexistent:${dir}` }, undefined, ['/nonexistent/chrome']), join(dir, 'chromium'));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
