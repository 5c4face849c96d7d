/**
 * The project kind's pure core: the ownership marker, per-field normalisation (what the server
 * rewrites) and the field comparison the planner is built on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareProject, fingerprintProject } from '../../src/kinds/project/compare.ts';
import { formatMarker, parseMarker, stripMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { recordApplied } from '../../src/kinds/project/applied-record.ts';
import { normaliseHtml, normaliseProjectField, pythonStrip } from '../../src/kinds/project/normalise.ts';
import { projectToManifest } from '../../src/kinds/project/to-manifest.ts';
import { keyFromTitle } from '../../src/manifest/pulled.ts';
import { createBody, updateBody } from '../../src/kinds/project/write.ts';
import { sanitizeHtml } from '../fake/sanitize-html.ts';
import { pyStrip } from '../fake/python.ts';
import { live, manifest } from './support/plan-fixtures.ts';

const M = { namespace: 'acme-labeling', key: 'ner-news' };
const FOOTER =
  '[labelform] Managed from git (namespace: acme-labeling, key: ner-news). Change it there; edits made here are reverted.';

// ---- marker ----

test('marker: the footer line names namespace and key, and parses back', () => {
  assert.is(formatMarker(M), FOOTER);
  assert.equal(parseMarker(FOOTER), M);
  assert.equal(parseMarker(`Some notes\n\n${FOOTER}`), M);
});

test('marker: no marker, a mangled one, or an empty description parse to undefined', () => {
  assert.is(parseMarker(undefined), undefined);
  assert.is(parseMarker(null), undefined);
  assert.is(parseMarker(''), undefined);
  assert.is(parseMarker('Managed from git (namespace: acme-labeling, key: ner-news).'), undefined);
  assert.is(
    parseMarker('[labelform] Managed from git (namespace: Acme, key: ner-news).'),
    undefined,
    'namespaces are lowercase',
  );
});

test('marker: withMarker puts the footer after the person-written part, stripMarker gives that part back', () => {
  assert.is(withMarker('Annotate news articles.  \n', M), `Annotate news articles.\n\n${FOOTER}`);
  assert.is(withMarker('', M), FOOTER);
  assert.is(withMarker('  \n ', M), FOOTER);
  for (const text of ['Annotate news articles.', 'Line one\nLine two\n\n  indented', '']) {
    const d = withMarker(text, M);
    assert.equal(parseMarker(d), M);
    assert.is(stripMarker(d), text);
  }
});

test('marker: stripMarker leaves a description without marker as it is; removing the line in the UI unmanages', () => {
  assert.is(stripMarker('hand written  '), 'hand written  ');
  assert.is(stripMarker(null), '');
  const edited = withMarker('Notes', M).replace(FOOTER, '');
  assert.is(parseMarker(edited), undefined);
  assert.is(stripMarker(edited), 'Notes\n\n');
});

test('marker: the description survives the server trimming the whole field (Python str.strip)', () => {
  // A description written with U+FEFF or U+0085 at its end: Python keeps the first, strips the second.
  for (const text of ['  Notes  ', 'Notes\ufeff', 'Notes\u0085', '\ufeffNotes', 'Notes\u00a0']) {
    const stored = pyStrip(withMarker(text, M)); // what the server keeps
    assert.equal(parseMarker(stored), M, JSON.stringify(text));
    assert.is(
      normaliseProjectField('description', stripMarker(stored), 'live'),
      normaliseProjectField('description', text, 'desired'),
      `description ${JSON.stringify(text)} round-trips`,
    );
  }
});

// ---- Python's str.strip ----

test('pythonStrip: Python whitespace, not JavaScript trim()', () => {
  assert.is(pythonStrip('\ufeffTitle\ufeff'), '\ufeffTitle\ufeff', 'U+FEFF is not whitespace in Python');
  assert.is('\ufeffTitle\ufeff'.trim(), 'Title', 'but it is for trim()');
  assert.is(pythonStrip('\u0085\u001cTitle\u001f\u0085'), 'Title', 'U+0085 and U+001C-U+001F are');
  assert.is('\u0085\u001cTitle\u001f\u0085'.trim(), '\u0085\u001cTitle\u001f\u0085', 'trim() keeps them');
  assert.is(pythonStrip('\u00a0\u3000\u2028 Title\t\n\r\v\f'), 'Title');
  assert.is(pythonStrip('\u200bTitle'), '\u200bTitle', 'zero-width space is not whitespace');
  assert.is(pythonStrip('a  b'), 'a  b', 'inner whitespace stays');
});

// ---- per-field normalisation ----

test('normalise: trimmed strings, null and "" the same for nullable strings', () => {
  assert.is(normaliseProjectField('title', '  My project\u0085', 'desired'), 'My project');
  assert.is(normaliseProjectField('label_config', '\n<View></View>\n', 'desired'), '<View></View>');
  assert.is(normaliseProjectField('task_data_login', null, 'live'), '');
  assert.is(normaliseProjectField('task_data_login', '', 'desired'), '');
  assert.is(normaliseProjectField('model_version', undefined, 'live'), '');
  assert.is(normaliseProjectField('maximum_annotations', 3, 'desired'), 3);
  assert.is(normaliseProjectField('show_skip_button', false, 'live'), false);
  assert.is(normaliseProjectField('control_weights', undefined, 'live'), null);
});

test('normalise: pinned_at compares in UTC, whatever the offset; empty means unpinned', () => {
  const desired = normaliseProjectField('pinned_at', '2024-01-02T03:04:05+02:00', 'desired');
  assert.is(desired, '2024-01-02T01:04:05.000Z');
  assert.is(normaliseProjectField('pinned_at', '2024-01-02T01:04:05.000000Z', 'live'), desired);
  assert.is(normaliseProjectField('pinned_at', '2024-01-01T20:04:05-05:00', 'desired'), desired);
  assert.is(normaliseProjectField('pinned_at', '', 'desired'), null);
  assert.is(normaliseProjectField('pinned_at', null, 'live'), null);
  assert.is(normaliseProjectField('pinned_at', 'not a date', 'desired'), 'not a date');
});

test("normaliseHtml: sanitises as bleach does with Label Studio's allowlist", () => {
  const cases: Array<[string, string]> = [
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
    ['<p onclick="steal()" class="x">Hi</p>', '<p class="x">Hi</p>'],
    ['<img src="a.png" onerror="x()">', '<img src="a.png">'],
    ['<a href="javascript:alert(1)" title="t">x</a>', '<a title="t">x</a>'],
    ['<a href=" JavaScript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="https://example.com/guide">guide</a>', '<a href="https://example.com/guide">guide</a>'],
    ['<a href="mailto:team@example.com">mail</a>', '<a href="mailto:team@example.com">mail</a>'],
    ['<a href="guide.html">relative</a>', '<a href="guide.html">relative</a>'],
    ['<table><tr><td>1</td></tr></table>', '<table><tbody><tr><td>1</td></tr></tbody></table>'],
    ['1 < 2 & 3 > 2', '1 &lt; 2 &amp; 3 &gt; 2'],
    ['<blink>hi</blink>', '&lt;blink&gt;hi&lt;/blink&gt;'],
    ['<custom x="1"><b>hi</b></custom>', '&lt;custom x="1"&gt;<b>hi</b>&lt;/custom&gt;'],
    ['<p style="color:red" id="x">t</p>', '<p>t</p>'],
    ['<p>unclosed', '<p>unclosed</p>'],
    ['plain text', 'plain text'],
  ];
  for (const [input, expected] of cases) assert.is(normaliseHtml(input, true), expected, input);
  // Without sanitising (the live side) only the serialisation is normalised.
  assert.is(normaliseHtml('<p onclick="x">a', false), '<p onclick="x">a</p>');
});

test('normalise: expert_instruction as written converges with what the server stores', () => {
  const inputs = [
    '<h2>Guide</h2><p onclick="x()">Label <b>every</b> entity.</p>',
    '<!-- internal note --><p>Be careful</p>',
    '<ul><li>one<li>two</ul>',
    '<table><tr><th>a</th></tr></table>',
    '<a href="javascript:void(0)">bad</a> & <a href="https://ok.example">good</a>',
    '<iframe src="https://example.com"></iframe><script>var a = 1 < 2;</script>',
    '<marquee>old</marquee>',
    '  <p>trimmed</p>\n',
  ];
  for (const input of inputs) {
    assert.is(
      normaliseProjectField('expert_instruction', sanitizeHtml(pyStrip(input)), 'live'),
      normaliseProjectField('expert_instruction', input, 'desired'),
      input,
    );
  }
});

// ---- compareProject ----

const CONFIG = '<View><Text name="text" value="$text"/></View>';

test('compareProject: only fields in the manifest are compared; omitted fields are unmanaged', () => {
  const desired = manifest('p', { title: 'News', color: '#112233' });
  const server = live(5, 'News', {
    key: 'p',
    fields: { color: '#FFFFFF', maximum_annotations: 9, show_skip_button: false, label_config: CONFIG },
  });
  assert.equal(compareProject(desired, server), [{ field: 'color', before: '#FFFFFF', after: '#112233' }]);
});

test('compareProject: values the server rewrites are not changes', () => {
  const desired = manifest('p', {
    title: '  News\u0085',
    description: 'Hello\n',
    expert_instruction: '<p onclick="x()">Read</p>',
    task_data_login: '',
    model_version: null,
    pinned_at: '2024-05-01T12:00:00+02:00',
    label_config: `\n${CONFIG}\n`,
  });
  const server = live(5, 'News', {
    key: 'p',
    text: 'Hello',
    fields: {
      expert_instruction: '<p>Read</p>',
      task_data_login: null,
      model_version: '',
      pinned_at: '2024-05-01T10:00:00.000000Z',
      label_config: CONFIG,
    },
  });
  assert.equal(compareProject(desired, server), []);
});

test('compareProject: the description is compared without the marker', () => {
  const desired = manifest('p', { description: 'New text' });
  const server = live(5, 'T', { key: 'p', text: 'Old text' });
  assert.equal(compareProject(desired, server), [{ field: 'description', before: 'Old text', after: 'New text' }]);
});

test("compareProject: a live value's URL credentials (made in the UI) are masked in the change itself, so no plan holds them", () => {
  const desired = manifest('p', { description: 'New text', expert_instruction: 'Read the guide' });
  const server = live(5, 'T', {
    key: 'p',
    text: 'Files at https://bob:hunter2pw@files.example.com/x',
    fields: {
      expert_instruction: 'See https://docs.example.com/?access_token=ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    },
  });
  assert.equal(compareProject(desired, server), [
    { field: 'description', before: 'Files at https://(sensitive)@files.example.com/x', after: 'New text' },
    {
      field: 'expert_instruction',
      before: 'See https://docs.example.com/?access_token=(sensitive)',
      after: 'Read the guide',
    },
  ]);
});

test('compareProject: a null live value shows as null, and a create has only after values', () => {
  const desired = manifest('p', { title: 'News', task_data_login: 'me' });
  assert.equal(compareProject(desired, live(5, 'News', { key: 'p', fields: { task_data_login: null } })), [
    { field: 'task_data_login', before: null, after: 'me' },
  ]);
  assert.equal(compareProject(desired, undefined), [
    { field: 'title', after: 'News' },
    { field: 'task_data_login', after: 'me' },
  ]);
});

test('compareProject: sensitive fields carry no values, before or after', () => {
  const desired = manifest(
    'p',
    { task_data_login: 'login-from-env', task_data_password: 'pw-from-env' },
    { sensitive: ['task_data_login', 'task_data_password'] },
  );
  const changed = compareProject(
    desired,
    live(5, 'T', { key: 'p', fields: { task_data_login: 'old-login', task_data_password: 'old-pw' } }),
  );
  assert.equal(changed, [
    { field: 'task_data_login', sensitive: true },
    { field: 'task_data_password', sensitive: true },
  ]);
  assert.not.match(JSON.stringify(changed), /login-from-env|old-login|pw-from-env|old-pw/);
  assert.equal(
    compareProject(
      desired,
      live(5, 'T', { key: 'p', fields: { task_data_login: 'login-from-env', task_data_password: 'pw-from-env' } }),
    ),
    [],
  );
  assert.equal(compareProject(desired, undefined), [
    { field: 'task_data_login', sensitive: true },
    { field: 'task_data_password', sensitive: true },
  ]);
});

test('fingerprintProject: one hash per managed field and the marker; secrets left out; moves with the value', () => {
  const desired = manifest(
    'p',
    { title: 'T', color: '#111111', task_data_password: 'x' },
    { sensitive: ['task_data_password'] },
  );
  const a = fingerprintProject(desired, live(5, 'T', { key: 'p', fields: { color: '#111111' } }));
  assert.equal(Object.keys(a).sort(), ['color', 'marker', 'title']);
  const b = fingerprintProject(
    desired,
    live(5, 'T', { key: 'p', fields: { color: '#222222', task_data_password: 'changed' } }),
  );
  assert.is(b.title, a.title);
  assert.is(b.marker, a.marker);
  assert.is.not(b.color, a.color);
  // Normalised first: a rewrite by the server does not move the fingerprint.
  const c = fingerprintProject(desired, live(5, '  T ', { key: 'p', fields: { color: '#111111' } }));
  assert.is(c.title, a.title);
});

// ---- write bodies ----

test('createBody: every manifest field plus the description with the marker', () => {
  const desired = manifest('ner-news', { title: 'News', color: '#112233', description: 'About news' });
  assert.equal(createBody(desired, M), {
    title: 'News',
    color: '#112233',
    description: `About news\n\n${formatMarker(M, recordApplied(desired, {}, [], []))}`,
  });
  const bare = manifest('ner-news', { title: 'News' });
  assert.equal(createBody(bare, M), { title: 'News', description: formatMarker(M, recordApplied(bare, {}, [], [])) });
  // A new project records no children ([ch]), or the kinds about to be created under it.
  assert.ok(String(createBody(bare, M).description).endsWith('] [ch]'));
  assert.ok(String(createBody(bare, M, {}, ['ml', 'is']).description).endsWith('] [ch is ml]'));
});

test('updateBody: only the changed fields; the marker is kept or added, the live text kept when unmanaged', () => {
  const desired = manifest('ner-news', { title: 'News', color: '#112233' });
  // Whatever is written, the marker's record is rewritten with it, so the description always goes too.
  assert.equal(updateBody(desired, ['color'], withMarker('UI text', M), M, false), {
    color: '#112233',
    description: `UI text\n\n${formatMarker(M, recordApplied(desired))}`,
  });
  assert.equal(updateBody(desired, [], 'Written in the UI', M, true), {
    description: `Written in the UI\n\n${formatMarker(M, recordApplied(desired))}`,
  });
  assert.equal(updateBody(desired, [], withMarker('UI text', M), M, false), {}, 'nothing to write, nothing sent');
  const withDescription = manifest('ner-news', { description: 'From git' });
  assert.equal(updateBody(withDescription, ['description'], withMarker('UI text', M), M, false), {
    description: `From git\n\n${formatMarker(M, recordApplied(withDescription))}`,
  });
});

// ---- pull: live project -> manifest ----

test('projectToManifest: settings that differ from the defaults, the description without marker, secrets left out', () => {
  const config =
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
  const pulled = projectToManifest(
    {
      id: 3,
      title: '  Support tickets ',
      description: withMarker('Triage queue', M),
      label_config: `${config}`,
      color: '#FFFFFF',
      maximum_annotations: 2,
      show_skip_button: false,
      sampling: 'Sequential sampling',
      pinned_at: null,
      task_data_password: 'server-secret',
      control_weights: { c: { overall: 1, type: 'Choices', labels: { a: 1 } } },
      total_annotations_number: 5,
    } as never,
    'support',
    3,
  );
  assert.equal(pulled.manifest, {
    apiVersion: 'labelform/v1',
    kind: 'Project',
    metadata: { name: 'support' },
    spec: {
      title: 'Support tickets',
      description: 'Triage queue',
      label_config: { file: './config.xml' },
      show_skip_button: false,
      maximum_annotations: 2,
    },
    import: { id: 3 },
  });
  assert.is(pulled.xml, config);
  assert.equal(pulled.notes, [
    'task_data_login/task_data_password are set on the server and were left out (secrets stay out of git; manage them with ${env:NAME} if you want)',
  ]);
  // Weights a person changed are kept.
  const weighted = projectToManifest(
    {
      id: 3,
      title: 'Weighted',
      label_config: config,
      control_weights: { c: { overall: 0.5, type: 'Choices', labels: { a: 1 } } },
    } as never,
    'w',
  );
  assert.equal(weighted.manifest.spec.control_weights, { c: { overall: 0.5, type: 'Choices', labels: { a: 1 } } });
  assert.is(weighted.manifest.import, undefined);
});

test('projectToManifest: titles are trimmed and counted as the server does', () => {
  assert.is(
    projectToManifest({ id: 1, title: '\ufeffBOM\ufeff' } as never, 'k').manifest.spec.title,
    '\ufeffBOM\ufeff',
  );
  assert.is(projectToManifest({ id: 1, title: '🚀'.repeat(50) } as never, 'k').manifest.spec.title, '🚀'.repeat(50));
  const long = projectToManifest({ id: 1, title: 'x'.repeat(51) } as never, 'k');
  assert.is(long.manifest.spec.title, undefined);
  assert.equal(long.notes, [`title "${'x'.repeat(51)}" is not 3-50 characters and was left out`]);
  assert.is(projectToManifest({ id: 1, title: '' } as never, 'k').manifest.spec.title, undefined);
  assert.is(keyFromTitle('Événements – NER (v2)!', 9), 'evenements-ner-v2');
  assert.is(keyFromTitle('🚀🚀', 9), 'project-9');
});

test.run();
