/**
 * The planner as from/to cases: hand-built manifests and live projects in, a Plan out. No I/O.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredDigest } from '../../src/reconcile/plan.ts';
import { PLAN_FORMAT_VERSION } from '../../src/model/plan-format.ts';
import { impactChecksNeeded, matchProjects } from '../../src/kinds/project/plan.ts';
import type { ImpactFacts } from '../../src/kinds/project/read-impact.ts';
import { fingerprintValue } from '../../src/util/fingerprint.ts';
import { choicesXml, live, liveState, manifest, NS, plan, repository, SERVER } from './support/plan-fixtures.ts';

const actions = (p: ReturnType<typeof plan>) => p.changes.map((c) => [c.action, c.key, c.id ?? null]);
const codes = (p: ReturnType<typeof plan>) => p.diagnostics.map((d) => d.code);

test('create: a manifest no project carries the marker of; every field with its desired value', () => {
  const repo = repository([manifest('news', { title: 'News', color: '#112233' })]);
  const p = plan(repo, liveState([]));
  assert.is(p.formatVersion, PLAN_FORMAT_VERSION);
  assert.is(p.namespace, NS);
  assert.equal(p.server, { ...SERVER, version: '1.23.2' });
  assert.equal(p.changes, [
    {
      action: 'create',
      kind: 'Project',
      key: 'news',
      file: 'projects/news.yaml',
      line: 4,
      title: 'News',
      fields: [
        { field: 'title', after: 'News' },
        { field: 'color', after: '#112233' },
      ],
    },
  ]);
  assert.equal(p.summary, { create: 1, update: 0, adopt: 0, delete: 0, noop: 0, errors: 0, tasksToImport: 0 });
  assert.equal(p.diagnostics, []);
  assert.equal(p.stats, { requests: 3, durationMs: 250 });
});

test('update: only the fields that differ, with before and after, the live fingerprint and annotation count', () => {
  const repo = repository([manifest('news', { title: 'News', color: '#112233', maximum_annotations: 2 })]);
  const server = live(7, 'News', { key: 'news', annotations: 4, fields: { color: '#FFFFFF', maximum_annotations: 2 } });
  const p = plan(repo, liveState([server]));
  assert.is(p.changes.length, 1);
  const c = p.changes[0]!;
  assert.is(c.action, 'update');
  assert.is(c.id, 7);
  assert.is(c.detail?.annotations, 4);
  assert.equal(c.fields, [{ field: 'color', before: '#FFFFFF', after: '#112233' }]);
  assert.equal(Object.keys(c.fingerprint ?? {}).sort(), ['color', 'marker', 'maximum_annotations', 'title']);
  assert.is(c.fingerprint?.color, fingerprintValue('#FFFFFF'));
  assert.is(c.detail?.labelConfig, undefined);
  assert.equal(p.summary, { create: 0, update: 1, adopt: 0, delete: 0, noop: 0, errors: 0, tasksToImport: 0 });
});

test('no-op: the server matches (after normalisation)', () => {
  const repo = repository([
    manifest('news', { title: 'News ', description: 'About', label_config: choicesXml(['A']) }),
  ]);
  const server = live(7, 'News', { key: 'news', text: 'About', fields: { label_config: choicesXml(['A']) } });
  const p = plan(repo, liveState([server]));
  assert.equal(actions(p), [['no-op', 'news', 7]]);
  assert.equal(p.changes[0]!.fields, []);
  assert.is(p.summary.noop, 1);
});

test('adopt: import: {id} names an unmarked project; its differences are planned with it', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy', color: '#000000' }, { importId: 12 })]);
  const server = live(12, 'Legacy', { text: 'by hand', fields: { color: '#FFFFFF' } });
  const p = plan(repo, liveState([server]));
  assert.equal(actions(p), [['adopt', 'legacy', 12]]);
  assert.equal(p.changes[0]!.fields, [{ field: 'color', before: '#FFFFFF', after: '#000000' }]);
  assert.is(p.summary.adopt, 1);
  // Once the marker is there, the same manifest is an ordinary update/no-op.
  const adopted = plan(repo, liveState([live(12, 'Legacy', { key: 'legacy', fields: { color: '#000000' } })]));
  assert.equal(actions(adopted), [['no-op', 'legacy', 12]]);
});

test('adopt: an id that does not exist is a create with a warning at import.id; one managed by another namespace is an error', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const missing = plan(repo, liveState([]));
  assert.equal(codes(missing), ['import-missing']);
  assert.match(missing.diagnostics[0]!.message, `import.id 12: no project with this id on ${SERVER.url}`);
  assert.equal(
    [
      missing.diagnostics[0]!.severity,
      missing.diagnostics[0]!.pointer,
      missing.diagnostics[0]!.line,
      missing.diagnostics[0]!.key,
    ],
    ['warning', '/import/id', 20, 'legacy'],
  );
  assert.equal(actions(missing), [['create', 'legacy', null]]);
  const taken = plan(repo, liveState([live(12, 'Legacy', { key: 'other-key', namespace: 'other-team' })]));
  assert.equal(codes(taken), ['import-marked']);
  assert.is(taken.diagnostics[0]!.message, 'import.id 12 is already managed as other-team/other-key');
  assert.equal(taken.changes, []);
});

test('orphans: projects marked with this namespace and no manifest are listed, not deleted', () => {
  const repo = repository([manifest('kept', { title: 'Kept' })]);
  const state = liveState([
    live(1, 'Kept', { key: 'kept' }),
    live(2, 'Gone', { key: 'gone', annotations: 3, tasks: 10 }),
    live(3, 'Other team', { key: 'theirs', namespace: 'other-team' }),
    live(4, 'Unmanaged'),
  ]);
  const p = plan(repo, state);
  assert.equal(p.orphans, [{ kind: 'Project', id: 2, key: 'gone', title: 'Gone', annotations: 3, tasks: 10 }]);
  assert.equal(actions(p), [['no-op', 'kept', 1]]);
  assert.is(p.summary.delete, 0);
  assert.is(p.prune, undefined);
});

test('--prune: orphans become deletes (this namespace only), with their annotation count', () => {
  const repo = repository([manifest('kept', { title: 'Kept' })]);
  const state = liveState([
    live(1, 'Kept', { key: 'kept' }),
    live(2, 'Gone', { key: 'gone', annotations: 3 }),
    live(3, 'Theirs', { key: 'theirs', namespace: 'other-team' }),
  ]);
  const p = plan(repo, state, { prune: true });
  assert.is(p.prune, true);
  assert.equal(actions(p), [
    ['no-op', 'kept', 1],
    ['delete', 'gone', 2],
  ]);
  assert.equal(p.changes[1], {
    action: 'delete',
    kind: 'Project',
    key: 'gone',
    id: 2,
    title: 'Gone',
    fields: [],
    detail: { kind: 'Project', annotations: 3 },
    fingerprint: { marker: fingerprintValue({ namespace: NS, key: 'gone' }) },
  });
  assert.is(p.summary.delete, 1);
  assert.is(p.orphans.length, 1);
});

test('--target: only the named projects; orphans neither listed nor pruned; an unknown name is an error', () => {
  const repo = repository([manifest('a', { title: 'Project A' }), manifest('b', { title: 'Project B' })]);
  const state = liveState([live(1, 'Project A', { key: 'a', fields: {} }), live(2, 'Gone', { key: 'gone' })]);
  const p = plan(repo, state, { targets: ['b'], prune: true });
  assert.equal(actions(p), [['create', 'b', null]]);
  assert.equal(p.targets, ['b']);
  assert.equal(p.orphans, []);
  assert.equal(p.diagnostics, []);
  const unknown = plan(repo, state, { targets: ['a', 'nope'] });
  assert.equal(codes(unknown), ['unknown-target']);
  assert.is(unknown.diagnostics[0]!.message, '--target nope: no Project manifest has metadata.name "nope"');
  assert.equal(actions(unknown), [['no-op', 'a', 1]]);
});

test('two projects carrying the same marker: an error naming both ids; nothing planned for that key', () => {
  const repo = repository([manifest('dup', { title: 'Dup' }), manifest('fine', { title: 'Fine' })]);
  const state = liveState([live(5, 'Dup', { key: 'dup' }), live(9, 'Dup copy', { key: 'dup' })]);
  const p = plan(repo, state);
  assert.equal(codes(p), ['duplicate-marker']);
  assert.is(
    p.diagnostics[0]!.message,
    '2 projects carry the marker of "dup" (ids 5, 9); `labelform apply --dedupe` keeps id 5 and deletes the empty copy (id 9)',
  );
  assert.equal([p.diagnostics[0]!.file, p.diagnostics[0]!.line, p.diagnostics[0]!.col], ['projects/dup.yaml', 4, 3]);
  assert.equal(actions(p), [['create', 'fine', null]]);
  assert.is(p.summary.errors, 1);
  // Copies holding data: nothing to offer but a person's decision.
  const full = plan(repo, liveState([live(5, 'Dup', { key: 'dup' }), live(9, 'Dup copy', { key: 'dup', tasks: 3 })]));
  assert.is(
    full.diagnostics[0]!.message,
    '2 projects carry the marker of "dup" (ids 5, 9); delete or unmark all but one in Label Studio',
  );
});

test('--dedupe: the lowest id keeps the key, empty copies are deleted, copies with data are listed and kept', () => {
  const repo = repository([manifest('dup', { title: 'Dup', color: '#123456' })]);
  const state = liveState([
    live(12, 'Dup copy', { key: 'dup', tasks: 4 }),
    live(9, 'Dup', { key: 'dup', fields: { color: '#000000' } }),
    live(15, 'Dup', { key: 'dup' }),
    live(11, 'Dup', { key: 'dup', annotations: 1, tasks: 1 }),
  ]);
  const p = plan(repo, state, { dedupe: true });
  assert.equal(actions(p), [
    ['delete', 'dup', 15],
    ['update', 'dup', 9],
  ]);
  assert.is(p.changes[0]!.duplicateOf, 9);
  assert.equal(
    p.diagnostics.map((d) => [d.severity, d.code]),
    [
      ['warning', 'duplicate-with-data'],
      ['warning', 'duplicate-with-data'],
    ],
  );
  assert.match(
    p.diagnostics[0]!.message,
    /^project 11 "Dup" also carries the marker of "dup" and holds 1 task and 1 annotation: left in place/,
  );
  assert.match(
    p.diagnostics[1]!.message,
    /^project 12 "Dup copy" also carries the marker of "dup" and holds 4 tasks and 0 annotations: left in place/,
  );
  assert.is(p.summary.errors, 0);
  assert.is(p.dedupe, true);
  // A key carried once is not touched by --dedupe.
  assert.equal(
    actions(plan(repo, liveState([live(9, 'Dup', { key: 'dup', fields: { color: '#123456' } })]), { dedupe: true })),
    [['no-op', 'dup', 9]],
  );
});

test('adopt?: an unmanaged project with the same title blocks the create; --allow-duplicate-title lets it through', () => {
  const repo = repository([manifest('sentiment', { title: 'Sentiment review' })]);
  // The title compares as the server stores it (Python strip); marked projects never count.
  const state = liveState([
    live(31, ' Sentiment review\u0085'),
    live(32, 'Sentiment review', { key: 'x', namespace: 'other-team' }),
  ]);
  const p = plan(repo, state);
  assert.equal(codes(p), ['adopt-candidate']);
  assert.is(
    p.diagnostics[0]!.message,
    'adopt? an unmanaged project already has the title "Sentiment review" (id 31); creating would make a duplicate. Adopt it with `labelform import sentiment 31`, or pass --allow-duplicate-title to create a new one',
  );
  assert.equal(p.changes, []);
  const allowed = plan(repo, state, { allowDuplicateTitle: true });
  assert.equal(allowed.diagnostics, []);
  assert.equal(actions(allowed), [['create', 'sentiment', null]]);
  // A project whose marker was removed in the UI is unmanaged again: adopt? too.
  const unmarked = plan(repo, liveState([live(40, 'Sentiment review', { text: 'the marker line was deleted' })]));
  assert.equal(codes(unmarked), ['adopt-candidate']);
});

// ---- annotation impact ----

const ABC = choicesXml(['Positive', 'Negative', 'Neutral']);

function impactCase(desiredXml: string, annotations = 5) {
  const repo = repository([manifest('s', { title: 'Sentiment', label_config: desiredXml })]);
  const state = liveState([live(8, 'Sentiment', { key: 's', annotations, fields: { label_config: ABC } })]);
  return { repo, state, checks: impactChecksNeeded(matchProjects(repo, state)) };
}

function facts(f: ImpactFacts): ReadonlyMap<string, ImpactFacts> {
  return new Map([['s', f]]);
}

test('impact: a removed label used by annotations is an error at the label config, naming the label and count', () => {
  const { repo, state, checks } = impactCase(choicesXml(['Negative', 'Mixed']));
  assert.equal(checks, [{ key: 's', projectId: 8, xml: choicesXml(['Negative', 'Mixed']), removes: true }]);
  const usage = {
    annotations: 5,
    controls: { sentiment: 5 },
    labels: { sentiment: { Positive: 2, Negative: 2, Neutral: 1 } },
  };
  const p = plan(repo, state, { impact: facts({ serverCheck: { ok: false, message: 'labels in use' }, usage }) });
  // Negative moves from key 2 to key 1 (Positive above it is gone): a warning after the errors.
  assert.equal(codes(p), ['orphans-annotations', 'orphans-annotations', 'config-hotkey-moved']);
  assert.is(
    p.diagnostics[0]!.message,
    'label "Positive" of Choices "sentiment" is removed but 2 annotations use it; Label Studio\'s PATCH would accept this and orphan them. Keep the label, or declare the merge in spec.migrations: `- {id: mixed-merged, control: sentiment, merged: {from: [Positive, Neutral], into: Mixed}}`',
  );
  assert.match(
    p.diagnostics[1]!.message,
    /^label "Neutral" of Choices "sentiment" is removed but 1 annotation uses it;/,
  );
  // At the element in the XML where the label was taken away, for an annotation on that line.
  assert.equal(
    [
      p.diagnostics[0]!.file,
      p.diagnostics[0]!.line,
      p.diagnostics[0]!.col,
      p.diagnostics[0]!.element,
      p.diagnostics[0]!.key,
    ],
    ['projects/config.xml', 3, 3, '<Choices name="sentiment">', 's'],
  );
  assert.is(p.summary.errors, 2);
  // The change itself is in the plan (for review), with the per-control summary.
  const c = p.changes[0]!;
  assert.is(c.action, 'update');
  assert.equal(c.detail?.labelConfig?.controls, [
    {
      control: 'sentiment',
      type: 'Choices',
      change: 'changed',
      labelsAdded: ['Mixed'],
      labelsRemoved: ['Positive', 'Neutral'],
    },
  ]);
  assert.is(c.fingerprint?.annotations, fingerprintValue(5));
});

test('impact: removing labels nobody used is fine', () => {
  const { repo, state } = impactCase(choicesXml(['Positive', 'Negative']));
  const usage = { annotations: 5, controls: { sentiment: 5 }, labels: { sentiment: { Positive: 5 } } };
  const p = plan(repo, state, { impact: facts({ serverCheck: { ok: true }, usage }) });
  assert.equal(p.diagnostics, []);
  assert.equal(actions(p), [['update', 's', 8]]);
});

test('impact: a removed control still used is an error', () => {
  const { repo, state } = impactCase(choicesXml(['Positive', 'Negative', 'Neutral'], 'mood'));
  const usage = { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { Positive: 1 } } };
  const p = plan(repo, state, { impact: facts({ serverCheck: { ok: true }, usage }) });
  assert.equal(codes(p), ['orphans-annotations']);
  assert.match(p.diagnostics[0]!.message, /^control "sentiment" \(Choices\) is removed but 1 annotation uses it;/);
});

test('impact: the server refusing the config is an error with its message; no facts at all is an error too', () => {
  const { repo, state } = impactCase(choicesXml(['Positive', 'Negative', 'Neutral', 'Mixed']));
  const refused = plan(repo, state, {
    impact: facts({ serverCheck: { ok: false, message: 'Created labels are not found' } }),
  });
  assert.equal(codes(refused), ['server-rejects-config']);
  assert.is(
    refused.diagnostics[0]!.message,
    'Label Studio refuses this label_config for project 8 with annotations: Created labels are not found',
  );
  const unknown = plan(repo, state);
  assert.equal(codes(unknown), ['impact-unknown']);
  assert.is(
    unknown.diagnostics[0]!.message,
    'label_config changes on project 8, which has 5 annotations, and its impact was not checked',
  );
  const ok = plan(repo, state, { impact: facts({ serverCheck: { ok: true } }) });
  assert.equal(ok.diagnostics, []);
});

test('impact is judged from the annotations against the desired config: aliases, an unreadable live config, drafts', () => {
  // Annotations store a label's alias; the desired config still has Negative's alias "neg" only if it keeps the label.
  const aliased = (labels: string[]) =>
    `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n${labels.map((l) => `    <Choice value="${l}" alias="${l.slice(0, 3).toLowerCase()}"/>`).join('\n')}\n  </Choices>\n</View>`;
  const usedAlias = { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { neg: 1 } } };
  const repoA = repository([manifest('s', { title: 'Sentiment', label_config: aliased(['Positive']) })]);
  const stateA = liveState([
    live(8, 'Sentiment', { key: 's', annotations: 1, fields: { label_config: aliased(['Positive', 'Negative']) } }),
  ]);
  const pA = plan(repoA, stateA, { impact: facts({ serverCheck: { ok: true }, usage: usedAlias }) });
  assert.equal(
    pA.diagnostics.map((d) => d.message.split(';')[0]),
    ['label "neg" of Choices "sentiment" is removed but 1 annotation uses it'],
  );
  const keep = plan(
    repository([manifest('s', { title: 'Sentiment', label_config: aliased(['Positive', 'Negative', 'Neutral']) })]),
    stateA,
    { impact: facts({ serverCheck: { ok: true }, usage: usedAlias }) },
  );
  assert.equal(keep.diagnostics, []);

  // A live config labelform cannot parse: the change is still counted and judged.
  const unreadable = `<?xml version="1.0" encoding="ascii"?>${ABC}`;
  const stateB = liveState([live(8, 'Sentiment', { key: 's', annotations: 1, fields: { label_config: unreadable } })]);
  const repoB = repository([manifest('s', { title: 'Sentiment', label_config: choicesXml(['Positive']) })]);
  assert.equal(
    impactChecksNeeded(matchProjects(repoB, stateB)).map((c) => c.removes),
    [true],
  );
  const pB = plan(repoB, stateB, {
    impact: facts({
      serverCheck: { ok: true },
      usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { Negative: 1 } } },
    }),
  });
  assert.equal(
    pB.diagnostics.map((d) => d.message.split(';')[0]),
    ['label "Negative" of Choices "sentiment" is removed but 1 annotation uses it'],
  );

  // Only drafts (the counters say 0 annotations) still block the removal.
  const { repo, state } = impactCase(choicesXml(['Positive']), 0);
  const pC = plan(repo, state, {
    impact: facts({
      serverCheck: { ok: true },
      usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { Negative: 1 } } },
    }),
  });
  assert.equal(codes(pC), ['orphans-annotations']);

  // A removed control, and a control whose options come from the data, are judged by the control.
  const dynamicRepo = repository([
    manifest('s', {
      title: 'Sentiment',
      label_config:
        '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" value="$options"/></View>',
    }),
  ]);
  const dyn = plan(
    dynamicRepo,
    liveState([live(8, 'Sentiment', { key: 's', annotations: 1, fields: { label_config: ABC } })]),
    {
      impact: facts({
        serverCheck: { ok: true },
        usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { Whatever: 1 } } },
      }),
    },
  );
  assert.equal(dyn.diagnostics, []);
  const gone = plan(
    repository([manifest('s', { title: 'Sentiment', label_config: '<View><Text name="text" value="$text"/></View>' })]),
    stateA,
    { impact: facts({ serverCheck: { ok: true }, usage: usedAlias }) },
  );
  assert.equal(
    gone.diagnostics.map((d) => d.message.split(';')[0]),
    ['control "sentiment" (Choices) is removed but 1 annotation uses it'],
  );
});

test('impactChecksNeeded: a change that removes something is always counted (drafts are not in the counters); adding labels needs only the server check', () => {
  assert.equal(impactCase(ABC).checks, [], 'unchanged config');
  assert.equal(impactCase(`\n${ABC}\n`).checks, [], 'unchanged after trimming');
  assert.equal(
    impactCase(choicesXml(['Positive']), 0).checks.map((c) => c.removes),
    [true],
    'no annotations, but drafts may use the removed labels',
  );
  assert.equal(
    impactCase(choicesXml(['Positive', 'Negative', 'Neutral', 'Mixed'])).checks.map((c) => c.removes),
    [false],
  );
  assert.equal(
    impactCase(choicesXml(['Positive', 'Negative', 'Neutral', 'Mixed']), 0).checks,
    [],
    'only additions, no annotations: nothing to check',
  );
  // A project without annotations whose removals nobody uses plans without errors.
  const { repo, state } = impactCase(choicesXml(['Positive']), 0);
  assert.equal(
    plan(repo, state, {
      impact: new Map([['s', { serverCheck: { ok: true }, usage: { annotations: 0, controls: {}, labels: {} } }]]),
    }).diagnostics,
    [],
  );
  // Only the label config triggers it: other field changes on an annotated project do not.
  const repo2 = repository([manifest('s', { title: 'Sentiment', color: '#123456', label_config: ABC })]);
  const state2 = liveState([
    live(8, 'Sentiment', { key: 's', annotations: 5, fields: { label_config: ABC, color: '#FFFFFF' } }),
  ]);
  assert.equal(impactChecksNeeded(matchProjects(repo2, state2)), []);
});

// ---- namespaces, summary, digest ----

test("other namespaces' projects are never matched, orphaned or pruned", () => {
  const repo = repository([manifest('shared-key', { title: 'Mine' })]);
  const state = liveState([
    live(1, 'Theirs', { key: 'shared-key', namespace: 'other-team' }),
    live(2, 'Theirs too', { key: 'extra', namespace: 'other-team' }),
  ]);
  const p = plan(repo, state, { prune: true });
  assert.equal(actions(p), [['create', 'shared-key', null]]);
  assert.equal(p.orphans, []);
});

test('summary counts every kind of change and the errors', () => {
  const repo = repository([
    manifest('create-me', { title: 'New one' }),
    manifest('update-me', { title: 'Upd', color: '#000001' }),
    manifest('same', { title: 'Same' }),
    manifest('adopt-me', { title: 'Adoptee' }, { importId: 50 }),
    manifest('broken', { title: 'Broken' }, { importId: 999 }),
  ]);
  const state = liveState([
    live(10, 'Upd', { key: 'update-me', fields: { color: '#000002' } }),
    live(11, 'Same', { key: 'same' }),
    live(50, 'Adoptee'),
    live(60, 'Orphan', { key: 'orphan' }),
  ]);
  const p = plan(repo, state, { prune: true });
  assert.equal(p.summary, { create: 2, update: 1, adopt: 1, delete: 1, noop: 1, errors: 0, tasksToImport: 0 });
  assert.equal(actions(p), [
    ['adopt', 'adopt-me', 50],
    ['create', 'broken', null],
    ['create', 'create-me', null],
    ['no-op', 'same', 11],
    ['update', 'update-me', 10],
    ['delete', 'orphan', 60],
  ]);
  assert.equal(codes(p), ['import-missing']);
});

test('desiredDigest: moves when a manifest changes, not when the server does; secrets by name only', () => {
  const base = repository([
    manifest('a', { title: 'Project A', color: '#111111' }),
    manifest('b', { title: 'Project B' }),
  ]);
  const same = repository([
    manifest('a', { title: 'Project A', color: '#111111' }),
    manifest('b', { title: 'Project B' }),
  ]);
  const changed = repository([
    manifest('a', { title: 'Project A', color: '#222222' }),
    manifest('b', { title: 'Project B' }),
  ]);
  assert.is(desiredDigest(same), desiredDigest(base));
  assert.is.not(desiredDigest(changed), desiredDigest(base));
  assert.is(
    desiredDigest(changed, ['b']),
    desiredDigest(base, ['b']),
    'with --target only the targeted manifests count',
  );
  assert.is(
    plan(base, liveState([])).desiredDigest,
    plan(base, liveState([live(1, 'Project A', { key: 'a' })])).desiredDigest,
  );
  const adopting = repository([
    manifest('a', { title: 'Project A', color: '#111111' }, { importId: 3 }),
    manifest('b', { title: 'Project B' }),
  ]);
  assert.is.not(desiredDigest(adopting), desiredDigest(base));
  const s1 = repository([manifest('a', { task_data_password: 'first-secret' }, { sensitive: ['task_data_password'] })]);
  const s2 = repository([
    manifest('a', { task_data_password: 'second-secret' }, { sensitive: ['task_data_password'] }),
  ]);
  assert.is(desiredDigest(s1), desiredDigest(s2));
});

test('desiredDigest: declared task files count by their place in the repository, not by the working directory', () => {
  const withTasks = (display: string, path = '/repo/data/tasks.jsonl') =>
    repository([
      manifest(
        'a',
        { title: 'Project A' },
        { tasks: [{ file: './data/tasks.jsonl', path, display, pointer: '/tasks/0/file' }] },
      ),
    ]);
  assert.is(
    desiredDigest(withTasks('data/tasks.jsonl')),
    desiredDigest(withTasks('../elsewhere/repo/data/tasks.jsonl')),
  );
  assert.is.not(
    desiredDigest(withTasks('data/other.jsonl', '/repo/data/other.jsonl')),
    desiredDigest(withTasks('data/tasks.jsonl')),
  );
  assert.is.not(
    desiredDigest(repository([manifest('a', { title: 'Project A' })])),
    desiredDigest(withTasks('data/tasks.jsonl')),
  );
});

test('a plan holds no secret value anywhere', () => {
  const repo = repository([
    manifest(
      'a',
      { title: 'Secretive', task_data_login: 'login-value-123', task_data_password: 'password-value-456' },
      { sensitive: ['task_data_login', 'task_data_password'] },
    ),
  ]);
  for (const state of [
    liveState([]),
    liveState([
      live(1, 'Secretive', {
        key: 'a',
        fields: { task_data_login: 'old-login-789', task_data_password: 'old-password-000' },
      }),
    ]),
  ]) {
    const json = JSON.stringify(plan(repo, state));
    for (const secret of ['login-value-123', 'password-value-456', 'old-login-789', 'old-password-000'])
      assert.not.ok(json.includes(secret), secret);
    assert.match(json, /"field":"task_data_password","sensitive":true/);
  }
});

test('a create whose key and title exist under another namespace warns (a renamed namespace would duplicate it)', () => {
  const repo = repository([manifest('news', { title: 'News' })]);
  const p = plan(repo, liveState([live(4, 'News', { key: 'news', namespace: 'old-name' })]));
  assert.equal(actions(p), [['create', 'news', null]]);
  assert.equal(
    p.diagnostics.map((d) => [d.severity, d.code]),
    [['warning', 'other-namespace']],
  );
  assert.match(
    p.diagnostics[0]!.message,
    /project 4 "News" has this key and title but belongs to namespace "old-name"/,
  );
  assert.is(p.summary.errors, 0);
});
test.run();
