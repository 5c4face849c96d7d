/**
 * The annotation-impact guard with declared migrations: it names the `renamed` / `merged` entry
 * (or the alias) that would make a refused change safe, lets a removal that a migration carries
 * through at plan time, and still refuses one with no migration, and any right before the write.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { annotationImpactProblems } from '../../src/kinds/project/plan.ts';
import { desiredDigest } from '../../src/reconcile/plan.ts';
import { suggestMigration } from '../../src/kinds/project/migrate/suggest.ts';
import type { DeclaredMigration } from '../../src/kinds/project/migrate/types.ts';
import type { ImpactFacts } from '../../src/kinds/project/read-impact.ts';
import { choicesXml, live, liveState, manifest, plan, repository, xmlSource } from './support/plan-fixtures.ts';

const LIVE = `<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text">
    <Label value="Org"/>
    <Label value="City"/>
    <Label value="Country"/>
    <Label value="Person"/>
  </Labels>
  <Labels name="other" toName="text">
    <Label value="Org"/>
  </Labels>
</View>`;

const labelsXml = (labels: string[]) =>
  LIVE.replace(
    /(<Labels name="label" toName="text">)[\s\S]*?(<\/Labels>)/,
    `$1\n${labels.map((l) => `    <Label value="${l}"/>`).join('\n')}\n  $2`,
  );

const USAGE = {
  annotations: 10,
  controls: { label: 10, other: 4 },
  labels: { label: { Org: 3, City: 2, Country: 1, Person: 4 }, other: { Org: 4 } },
};

function at(i: number): DeclaredMigration['at'] {
  return { file: 'projects/s.yaml', line: 9 + i, col: 7, pointer: `/spec/migrations/${i}` };
}
const rename = (from: string, to: string, i = 0): DeclaredMigration => ({
  id: `${from.toLowerCase()}-renamed`,
  control: 'label',
  renamed: { from, to },
  predictions: 'rewrite',
  at: at(i),
});
const merge = (from: string[], into: string, i = 0): DeclaredMigration => ({
  id: `${into.toLowerCase()}-merged`,
  control: 'label',
  merged: { from, into },
  predictions: 'rewrite',
  at: at(i),
});

function run(
  desiredXml: string,
  migrations: DeclaredMigration[],
  f: ImpactFacts = { serverCheck: { ok: true }, usage: USAGE },
) {
  const repo = repository([manifest('s', { title: 'Entities', label_config: desiredXml }, { migrations })]);
  const state = liveState([live(8, 'Entities', { key: 's', annotations: 10, fields: { label_config: LIVE } })]);
  const p = plan(repo, state, { impact: new Map([['s', f]]) });
  // The guard's diagnostics: hotkeys that move with the removed labels are another test's (hotkey-moves).
  return { ...p, diagnostics: p.diagnostics.filter((d) => d.code !== 'config-hotkey-moved') };
}
const messages = (p: ReturnType<typeof run>) => p.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`);

test('one label removed and one added: the guard names the rename, and the alias that needs no write', () => {
  const p = run(labelsXml(['Organization', 'City', 'Country', 'Person']), []);
  assert.equal(messages(p), [
    'error orphans-annotations: label "Org" of Labels "label" is removed but 3 annotations use it; Label Studio\'s PATCH would accept this and orphan them. Keep the label, or declare the rename in spec.migrations: `- {id: org-renamed, control: label, renamed: {from: Org, to: Organization}}`, or keep the stored value as the new label\'s alias (`<Label value="Organization" alias="Org"/>`, no annotation changes)',
  ]);
  // Declared: the plan goes through (the migration carries the 3 annotations); the other control is not involved.
  const carried = run(labelsXml(['Organization', 'City', 'Country', 'Person']), [rename('Org', 'Organization')]);
  assert.equal(carried.diagnostics, []);
  assert.equal(
    carried.changes.map((c) => c.action),
    ['update'],
  );
});

test('several removed and one added: the guard names the merge; declared, it goes through', () => {
  const p = run(labelsXml(['Org', 'Location', 'Person']), []);
  assert.equal(p.diagnostics.length, 2);
  for (const d of p.diagnostics)
    assert.ok(
      d.message.endsWith(
        'Keep the label, or declare the merge in spec.migrations: `- {id: location-merged, control: label, merged: {from: [City, Country], into: Location}}`',
      ),
      d.message,
    );
  assert.equal(run(labelsXml(['Org', 'Location', 'Person']), [merge(['City', 'Country'], 'Location')]).diagnostics, []);
});

test('a migration covering part of the removal: the rest is still refused, with a suggestion for what is left', () => {
  const p = run(labelsXml(['Organization', 'Person']), [rename('Org', 'Organization')]);
  assert.equal(
    p.diagnostics.map((d) => d.message.split(';')[0]),
    [
      'label "City" of Labels "label" is removed but 2 annotations use it',
      'label "Country" of Labels "label" is removed but 1 annotation uses it',
    ],
  );
  // Nothing added but what the migration already targets: the target is left to choose.
  assert.ok(
    p.diagnostics[0]!.message.endsWith(
      'Keep the label, or declare where they go in spec.migrations on control "label": `renamed: {from: City, to: LABEL}` or `merged: {from: [City, Country], into: LABEL}`, LABEL being a label of the new config; or keep "City" as a label\'s alias',
    ),
    p.diagnostics[0]!.message,
  );
  assert.is(p.summary.errors, 2);
});

test('a migration on another control, or of another label, carries nothing', () => {
  const onOther: DeclaredMigration = { ...rename('Org', 'Organization'), control: 'other' };
  const p = run(labelsXml(['Organization', 'City', 'Country', 'Person']), [onOther]);
  assert.equal(
    p.diagnostics.map((d) => d.code),
    ['orphans-annotations'],
  );
  const wrongLabel = run(labelsXml(['Organization', 'City', 'Country', 'Person']), [rename('Orgs', 'Organization')]);
  assert.equal(
    wrongLabel.diagnostics.map((d) => d.code),
    ['orphans-annotations'],
  );
});

test('no migration: still refused when the server summary is empty or wrong, from the annotations themselves', () => {
  // readImpactFacts merges the summary into the count from the annotations; an empty summary leaves the count.
  const p = run(labelsXml(['Organization', 'City', 'Country', 'Person']), [], {
    serverCheck: { ok: true },
    usage: USAGE,
  });
  assert.equal(
    p.diagnostics.map((d) => d.code),
    ['orphans-annotations'],
  );
  // The server refusing (its summary still knowing the label) with no migration declared stays an error.
  const refused = run(labelsXml(['Org', 'City', 'Country', 'Person', 'Extra']), [], {
    serverCheck: { ok: false, message: 'These labels still exist in annotations or drafts' },
    usage: USAGE,
  });
  assert.equal(messages(refused), [
    'error server-rejects-config: Label Studio refuses this label_config for project 8 with annotations: These labels still exist in annotations or drafts',
  ]);
});

test('a carried removal the server refuses before the migration: a warning, not an error', () => {
  const p = run(labelsXml(['Organization', 'City', 'Country', 'Person']), [rename('Org', 'Organization')], {
    serverCheck: { ok: false, message: 'These labels still exist in annotations or drafts: Org' },
    usage: USAGE,
  });
  assert.equal(messages(p), [
    'warning server-rejects-config: Label Studio refuses this label_config for project 8 while annotations still hold the labels that spec.migrations moves (These labels still exist in annotations or drafts: Org); apply migrates them first and has the config checked again before it sends it',
  ]);
  assert.is(p.summary.errors, 0);
});

test('right before the write, a declared migration excuses nothing: the label may go only once no annotation holds it', () => {
  const target = live(8, 'Entities', { key: 's', annotations: 10, fields: { label_config: LIVE } });
  const desired = xmlSource(labelsXml(['Organization', 'City', 'Country', 'Person'])).summary;
  const facts: ImpactFacts = { serverCheck: { ok: true }, usage: USAGE };
  const migrations = [rename('Org', 'Organization')];
  assert.equal(annotationImpactProblems(target, desired, facts, migrations, 'plan'), []);
  assert.equal(annotationImpactProblems(target, desired, facts, migrations, 'write'), [
    {
      code: 'orphans-annotations',
      message:
        'label "Org" of Labels "label" is removed but 3 annotations use it; Label Studio\'s PATCH would accept this and orphan them. Migration "org-renamed" must move them before the config drops the label',
      control: 'label',
    },
  ]);
  // Once migrated, nothing holds the old label and the write is safe.
  const migrated = {
    serverCheck: { ok: true as const },
    usage: { ...USAGE, labels: { ...USAGE.labels, label: { Organization: 3, City: 2, Country: 1, Person: 4 } } },
  };
  assert.equal(annotationImpactProblems(target, desired, migrated, migrations, 'write'), []);
});

test('at the write, a summary of drafts left stale (a draft deleted with its annotation before 1.23): the proven migration is a warning', () => {
  const target = live(8, 'Entities', { key: 's', annotations: 10, fields: { label_config: LIVE } });
  const desired = xmlSource(labelsXml(['Organization', 'City', 'Country', 'Person'])).summary;
  const migrations = [rename('Org', 'Organization')];
  const migrated = {
    ...USAGE,
    labels: { ...USAGE.labels, label: { Organization: 3, City: 2, Country: 1, Person: 4 } },
  };
  const facts: ImpactFacts = {
    serverCheck: { ok: false, message: 'These labels still exist in annotations or drafts: Org (1 annotations).' },
    usage: migrated,
    counted: migrated,
    draftSummary: { label: { Org: 1 } },
  };
  const proven = annotationImpactProblems(target, desired, facts, migrations, 'write', new Set(['org-renamed']));
  assert.equal(
    proven.map((p) => [p.code, p.severity]),
    [['server-rejects-config', 'warning']],
  );
  // Not proven by this apply's census: the server's refusal stands.
  assert.equal(
    annotationImpactProblems(target, desired, facts, migrations, 'write').map((p) => [p.code, p.severity]),
    [['server-rejects-config', undefined]],
  );
  // A draft that still holds the label (counted from the drafts themselves) is never excused.
  const held = { ...facts, counted: { ...migrated, labels: { ...migrated.labels, label: { Org: 1 } } } };
  assert.equal(
    annotationImpactProblems(target, desired, held, migrations, 'write', new Set(['org-renamed'])).map((p) => [
      p.code,
      p.severity,
    ]),
    [['server-rejects-config', undefined]],
  );
});

test('suggestMigration: Choices and Taxonomy options are <Choice>; odd names are quoted so the YAML reads back', () => {
  assert.is(
    suggestMigration({ control: 'sentiment', type: 'Choices', orphaned: ['Pos'], added: ['Positive'] }),
    'declare the rename in spec.migrations: `- {id: pos-renamed, control: sentiment, renamed: {from: Pos, to: Positive}}`, or keep the stored value as the new label\'s alias (`<Choice value="Positive" alias="Pos"/>`, no annotation changes)',
  );
  assert.is(
    suggestMigration({ control: 'label', type: 'Labels', orphaned: ['a: b', 'yes'], added: ['C"d'] }),
    'declare the merge in spec.migrations: `- {id: c-d-merged, control: label, merged: {from: ["a: b", "yes"], into: "C\\"d"}}`',
  );
  assert.is(
    suggestMigration({ control: 'label', type: 'Labels', orphaned: ['Org'], added: undefined }),
    'declare where they go in spec.migrations on control "label": `renamed: {from: Org, to: LABEL}`, LABEL being a label of the new config; or keep "Org" as a label\'s alias',
  );
  assert.is(
    suggestMigration({ control: 'label', type: 'Labels', orphaned: ['Org'], added: ['Company', 'Agency'] }),
    'declare where they go in spec.migrations on control "label": `renamed: {from: Org, to: LABEL}`, LABEL being a label of the new config (added: "Company", "Agency"); or keep "Org" as a label\'s alias',
  );
  assert.is(suggestMigration({ control: 'label', type: 'Labels', orphaned: [], added: ['X'] }), '');
});

test('choicesXml projects (no migrations declared) keep their old behaviour', () => {
  const repo = repository([manifest('s', { title: 'Sentiment', label_config: choicesXml(['Positive']) })]);
  const state = liveState([
    live(8, 'Sentiment', {
      key: 's',
      annotations: 1,
      fields: { label_config: choicesXml(['Positive', 'Negative']) },
    }),
  ]);
  const p = plan(repo, state, {
    impact: new Map([
      [
        's',
        {
          serverCheck: { ok: true },
          usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { Negative: 1 } } },
        },
      ],
    ]),
  });
  assert.equal(
    p.diagnostics.map((d) => d.message.split('. ')[1]),
    [
      'Keep the label, or declare where they go in spec.migrations on control "sentiment": `renamed: {from: Negative, to: LABEL}`, LABEL being a label of the new config; or keep "Negative" as a label\'s alias',
    ],
  );
});

test('a saved plan is bound to its migrations: another set changes the desired digest, where it was written does not', () => {
  const digest = (migrations: DeclaredMigration[]) =>
    desiredDigest(repository([manifest('s', { title: 'Entities', label_config: LIVE }, { migrations })]));
  const none = digest([]);
  const one = digest([rename('Org', 'Organization')]);
  assert.is.not(one, none);
  assert.is.not(digest([rename('Org', 'Company')]), one);
  assert.is.not(digest([{ ...rename('Org', 'Organization'), predictions: 'keep' }]), one);
  assert.is(digest([{ ...rename('Org', 'Organization'), at: at(5) }]), one);
});

test.run();
