/**
 * The record of the last apply in the ownership marker (old and new lines), which side moved for
 * each field (server / git / both / unknown), and the drift report built from it: its three
 * renderings, with errors, with a label-config diff, and its exit code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/generated/schema-types.ts';
import { attributeChange, hashFieldValue, recordApplied } from '../../src/kinds/project/applied-record.ts';
import { PROJECT_FIELD_DEFAULTS } from '../../src/kinds/project/fields.ts';
import {
  containsMarker,
  formatMarker,
  parseAppliedRecord,
  parseMarker,
  stripMarker,
  withMarker,
  type AppliedRecord,
} from '../../src/kinds/project/marker.ts';
import { readAppliedFrom } from '../../src/cli/applied-from.ts';
import {
  driftDiagnostics,
  driftExitCode,
  driftFromPlan,
  failedDriftReport,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
  type DriftReport,
} from '../../src/reconcile/drift.ts';
import type { ProjectResource } from '../../src/kinds/project/types.ts';
import { toLiveProject, type LiveProject } from '../../src/kinds/project/live.ts';
import { pyStrip } from '../fake/python.ts';
import { choicesXml, liveState, manifest, NS, plan, repository } from './support/plan-fixtures.ts';

const M = { namespace: 'acme-labeling', key: 'ner-news' };
const OLD_LINE =
  '[labelform] Managed from git (namespace: acme-labeling, key: ner-news). Change it there; edits made here are reverted.';

// ---- the marker line ----

test('marker: a line written before the record (today on servers) parses, with no record', () => {
  assert.equal(parseMarker(`Notes\n\n${OLD_LINE}`), M);
  assert.is(parseAppliedRecord(`Notes\n\n${OLD_LINE}`), undefined);
  assert.is(parseAppliedRecord('no marker at all'), undefined);
  assert.is(formatMarker(M), OLD_LINE, '`labelform import` still writes the plain line');
});

test('marker: the record round-trips (commit, repository, per-field hashes, secrets as *) and the line stays short', () => {
  const record: AppliedRecord = {
    commit: '3f9a2c1d0b7e',
    repository: 'acme/labeling',
    fields: { title: 'Ab3x', label_config: 'P0-_', task_data_password: '*' },
  };
  const line = formatMarker(M, record);
  assert.is(line, `${OLD_LINE} Last applied from commit 3f9a2c1d0b7e of acme/labeling. [lf1 ti:Ab3x lc:P0-_ tp:*]`);
  const description = withMarker('Person text', M, record);
  assert.equal(parseMarker(description), M);
  assert.equal(parseAppliedRecord(description), record);
  assert.is(stripMarker(description), 'Person text', "the whole line is labelform's");
  assert.is(stripMarker(pyStrip(description)), 'Person text', "the server's strip leaves the line whole");
  assert.ok(containsMarker(description), 'a copied line in a manifest is still caught by validate');
  // Without a commit (no git, no CI variables) the values are still recorded.
  assert.equal(parseAppliedRecord(withMarker('', M, { fields: { color: 'x1y2' } })), { fields: { color: 'x1y2' } });
  assert.equal(parseAppliedRecord(withMarker('', M, { commit: '3f9a2c1d0b7e-dirty', fields: {} })), {
    commit: '3f9a2c1d0b7e-dirty',
    fields: {},
  });
  // Every field managed: the line stays readable in the UI (and every field has its own code).
  const all = Object.fromEntries(Object.keys(PROJECT_FIELD_DEFAULTS).map((f) => [f, 'AAAA']));
  const full = formatMarker(M, { commit: 'a'.repeat(12), repository: 'acme/labeling', fields: all });
  assert.ok(full.length <= 410, `${full.length} characters`);
  assert.equal(Object.keys(parseAppliedRecord(full)!.fields).sort(), Object.keys(all).sort());
});

test('marker: a record of another version or a mangled one is not read (origins stay unknown); the identity still is', () => {
  for (const tail of [' [lf2 ti:Ab3x]', ' [lf1 ti:Ab3]', ' [lf1 ti=Ab3x]', ' lf1 ti:Ab3x']) {
    assert.equal(parseMarker(`${OLD_LINE}${tail}`), M, tail);
    assert.is(parseAppliedRecord(`${OLD_LINE}${tail}`), undefined, tail);
  }
  // Only the last line counts: a record in an older, copied line above is a person's text.
  const twice = `${withMarker('', { namespace: 'other', key: 'x' }, { fields: { title: 'Ab3x' } })}\n\n${OLD_LINE}`;
  assert.is(parseAppliedRecord(twice), undefined);
});

test('recordApplied: every managed field, hashed as the server will store it; a secret is listed, never hashed', () => {
  const secret = 'correct-horse-battery';
  const desired = manifest(
    'p',
    {
      title: '  Padded title ',
      color: '#112233',
      task_data_password: secret,
      expert_instruction: '<p onclick="x()">Hi</p><!-- c -->',
    },
    { sensitive: ['task_data_password'] },
  );
  const r = recordApplied(desired, { commit: '3f9a2c1d0b7e' });
  assert.equal(Object.keys(r.fields).sort(), ['color', 'expert_instruction', 'task_data_password', 'title']);
  assert.is(r.fields.task_data_password, '*');
  assert.is(r.fields.title, hashFieldValue('Padded title'), 'trimmed, as the server keeps it');
  assert.is(r.fields.expert_instruction, hashFieldValue('<p>Hi</p>'), 'sanitised, as the server keeps it');
  assert.ok(Object.values(r.fields).every((h) => h === '*' || /^[A-Za-z0-9_-]{4}$/.test(h)));
  assert.not.ok(formatMarker(M, r).includes(hashFieldValue(secret)));
  assert.not.ok(formatMarker(M, r).includes(secret));
});

// ---- which side moved ----

/** A live project as the server holds it after an apply of `applied` (`null`: by a labelform that kept no record), then with `edits`. */
function appliedLive(
  applied: ProjectResource,
  edits: Record<string, unknown> = {},
  record: AppliedRecord | null = recordApplied(applied, { commit: '3f9a2c1d0b7e' }),
): LiveProject {
  return toLiveProject({
    id: 7,
    ...applied.spec,
    title: String(applied.spec.title ?? ''),
    description: withMarker(
      String(applied.spec.description ?? ''),
      { namespace: NS, key: applied.name },
      record ?? undefined,
    ),
    task_number: 0,
    total_annotations_number: 0,
    ...edits,
  } as never);
}

test('attributeChange: server, git, both, unknown (no record, a secret), and a field git started managing', () => {
  const applied = manifest(
    'p',
    { title: 'Title', color: '#111111', maximum_annotations: 1, task_data_password: 'a-long-secret' },
    { sensitive: ['task_data_password'] },
  );
  const now = manifest(
    'p',
    {
      title: 'Title',
      color: '#222222',
      maximum_annotations: 2,
      task_data_password: 'a-long-secret',
      show_skip_button: false,
    },
    { sensitive: ['task_data_password'] },
  );
  const live = appliedLive(applied, { maximum_annotations: 3, title: 'Edited in the UI', task_data_password: 'other' });
  assert.is(attributeChange('title', now, live), 'server', 'git still holds what was applied');
  assert.is(attributeChange('color', now, live), 'git', 'the server still holds what was applied');
  assert.is(attributeChange('maximum_annotations', now, live), 'both');
  assert.is(attributeChange('task_data_password', now, live), 'unknown', 'a secret has no hash');
  assert.is(attributeChange('show_skip_button', now, live), 'git', 'not managed when last applied');
  const old = appliedLive(applied, { title: 'Edited in the UI' }, null);
  for (const f of ['title', 'color', 'show_skip_button'] as const)
    assert.is(attributeChange(f, now, old), 'unknown', `${f}: an old marker records nothing, so no guess`);
});

test('attributeChange: a value the server rewrites (padding, sanitised HTML) does not read as a server edit', () => {
  const applied = manifest('p', {
    title: '  Title  ',
    expert_instruction: '<p onclick="x()">Read</p>',
    color: '#111111',
  });
  const live = appliedLive(applied, { title: 'Title', expert_instruction: '<p>Read</p>', color: '#999999' });
  const now = manifest('p', { title: '  Title  ', expert_instruction: '<p onclick="x()">Read</p>', color: '#111111' });
  assert.is(attributeChange('color', now, live), 'server');
  const gitMoved = manifest('p', {
    title: 'New title',
    expert_instruction: '<p onclick="x()">Read</p>',
    color: '#111111',
  });
  assert.is(attributeChange('title', gitMoved, live), 'git');
});

// ---- the drift report ----

function scenario(): { report: DriftReport; plan: Plan } {
  const appliedA = manifest('server-edit', {
    title: 'Server edit',
    color: '#111111',
    label_config: choicesXml(['A', 'B']),
  });
  const appliedB = manifest('git-edit', { title: 'Git edit', color: '#111111' });
  const appliedC = manifest('old-marker', { title: 'Old marker', color: '#111111' });
  const repo = repository([
    appliedA,
    manifest('git-edit', { title: 'Git edit', color: '#222222' }),
    manifest('old-marker', { title: 'Old marker', color: '#222222' }),
    manifest('same', { title: 'Same' }),
  ]);
  const state = liveState([
    { ...appliedLive(appliedA, { id: 1, label_config: choicesXml(['A', 'Mixed']), color: '#FF0000' }) },
    { ...appliedLive(appliedB, { id: 2 }) },
    { ...appliedLive(appliedC, { id: 3 }, null) },
    appliedLive(manifest('same', { title: 'Same' }), { id: 4 }),
  ]);
  const p = plan(repo, state);
  return { report: driftFromPlan(p, { repo, live: state }), plan: p };
}

test('drift report: each change says which side moved; an unapplied git change is pending, not drift', () => {
  const { report } = scenario();
  assert.equal(
    report.entries.map((e) => [e.key, e.fields.map((f) => `${f.field}:${f.origin}`)]),
    [
      ['git-edit', ['color:git']],
      ['old-marker', ['color:unknown']],
      ['server-edit', ['color:server', 'label_config:server']],
    ],
  );
  assert.equal([report.status, report.drift, report.pending, driftExitCode(report)], ['drift', true, true, 2]);
  assert.equal(report.entries.find((e) => e.key === 'server-edit')!.lastApplied, { commit: '3f9a2c1d0b7e' });
  assert.is(report.entries.find((e) => e.key === 'old-marker')!.lastApplied, undefined);
  const text = renderDriftText(report);
  assert.match(
    text,
    /! server-edit \(id 1\)  projects\/server-edit\.yaml:4\n    changed on the server since it was last applied \(commit 3f9a2c1d0b7e\):\n      color: server has "#FF0000", git has "#111111"\n/,
  );
  assert.match(
    text,
    /~ git-edit \(id 2\)  projects\/git-edit\.yaml:4\n    changed in git, not yet applied:\n      color: server has "#111111", git has "#222222"\n/,
  );
  assert.match(
    text,
    /    differs from git, origin unknown \(its marker records no apply: written by an earlier labelform or by `labelform import`\):\n      color:/,
  );
  assert.match(
    text,
    /Drift found in 2 projects \(4 managed projects checked\)\. `labelform apply` puts git's values back\. 1 project has changes in git not yet applied: `labelform apply` applies them\.\n$/,
  );
  const md = renderDriftMarkdown(report);
  assert.match(
    md,
    /\| `server-edit` \| 1 \| changed on the server \| color \| <code>"#FF0000"<\/code> \| <code>"#111111"<\/code> \|/,
  );
  assert.match(md, /\| `git-edit` \| 2 \| changed in git, not applied \| color \|/);
  assert.match(md, /\| `old-marker` \| 3 \| differs \(origin unknown\) \| color \|/);
  const json = JSON.parse(renderDriftJson(report));
  assert.equal([json.status, json.drift, json.pending], ['drift', true, true]);
});

test('drift report: only unapplied git changes → status pending, exit 2, "No drift on the server"', () => {
  const applied = manifest('p', { title: 'P', color: '#111111' });
  const repo = repository([manifest('p', { title: 'P', color: '#222222' })]);
  const state = liveState([appliedLive(applied)]);
  const report = driftFromPlan(plan(repo, state), { repo, live: state });
  assert.equal([report.status, report.drift, report.pending, driftExitCode(report)], ['pending', false, true, 2]);
  assert.match(
    renderDriftText(report),
    /\nNo drift on the server\. 1 project has changes in git not yet applied: `labelform apply` applies them\.\n$/,
  );
  assert.match(
    renderDriftMarkdown(report),
    /\*\*🕓 No drift on the server\. 1 project has changes in git not yet applied/,
  );
});

test('drift report: a label-config drift is an XML diff (- server, + git) with the labels each side has, as plan shows it', () => {
  const { report } = scenario();
  const entry = report.entries.find((e) => e.key === 'server-edit')!;
  assert.equal(entry.labelConfig!.controls, [
    { control: 'sentiment', type: 'Choices', change: 'changed', labelsAdded: ['B'], labelsRemoved: ['Mixed'] },
  ]);
  const text = renderDriftText(report);
  assert.match(
    text,
    /      label_config: sentiment \(Choices\): \+B -Mixed  \(- server, \+ git\)\n        --- server\n        \+\+\+ git\n        @@ /,
  );
  assert.match(text, /\n        -    <Choice value="Mixed"\/>\n        \+    <Choice value="B"\/>\n/);
  assert.not.match(text, /chars\)/, 'no cut-off prefixes');
  const md = renderDriftMarkdown(report);
  assert.match(
    md,
    /\| `server-edit` \| 1 \| changed on the server \| label_config \| only here: <code>sentiment: Mixed<\/code> \| only here: <code>sentiment: B<\/code> \(diff below\) \|/,
  );
  assert.match(
    md,
    /<details><summary><code>server-edit<\/code> \(id 1\): label_config changed on the server \(<code>-<\/code> server, <code>\+<\/code> git\)<\/summary>\n\n- `sentiment` \(Choices\): changed, added `B`, removed `Mixed`\n\n```diff\n--- server\n\+\+\+ git\n/,
  );
});

test('drift report with errors: listed with file:line in text, Markdown and JSON, never "No drift"; exit 1', () => {
  const repo = repository([manifest('dup', { title: 'Dup' }), manifest('fine', { title: 'Fine' })]);
  const state = liveState([
    appliedLive(manifest('dup', { title: 'Dup' }), { id: 1 }),
    appliedLive(manifest('dup', { title: 'Dup' }), { id: 2 }),
    appliedLive(manifest('fine', { title: 'Fine' }), { id: 3 }),
  ]);
  const report = driftFromPlan(plan(repo, state), { repo, live: state });
  assert.equal([report.status, driftExitCode(report), report.errors.length], ['error', 1, 1]);
  const text = renderDriftText(report);
  assert.match(
    text,
    /1 error — the drift check is incomplete:\n  projects\/dup\.yaml:4:3: error: 2 projects carry the marker of "dup"/,
  );
  assert.match(
    text,
    /Drift check incomplete: 1 error\. Nothing else differs in the 1 managed project that could be checked\.\n$/,
  );
  const md = renderDriftMarkdown(report);
  assert.match(
    md,
    /^<!-- labelform:drift -->\n### ❌ labelform drift check failed · `default` · namespace `test`\n\n\*\*❌ Drift check incomplete: 1 error\./,
  );
  assert.match(
    md,
    /#### ❌ 1 error: the drift check is incomplete\n- `projects\/dup\.yaml:4` 2 projects carry the marker of "dup"/,
  );
  const json = JSON.parse(renderDriftJson(report));
  assert.equal([json.status, json.errors[0].file, json.errors[0].line], ['error', 'projects/dup.yaml', 4]);
  for (const out of [text, md]) assert.not.match(out, /No drift/);
  assert.ok(
    driftDiagnostics(report).some((d) => d.severity === 'error' && d.file === 'projects/dup.yaml' && d.line === 4),
  );
});

test('failedDriftReport: a check that failed before comparing renders its errors in all three forms', () => {
  const report = failedDriftReport([
    {
      severity: 'error',
      code: 'schema',
      message: 'spec.color must match pattern',
      file: 'projects/a.yaml',
      line: 7,
      col: 10,
    },
  ]);
  assert.is(driftExitCode(report), 1);
  assert.match(renderDriftText(report), /projects\/a\.yaml:7:10: error: spec\.color must match pattern/);
  assert.match(renderDriftMarkdown(report), /- `projects\/a\.yaml:7` spec\.color must match pattern/);
  assert.is(JSON.parse(renderDriftJson(report)).status, 'error');
  for (const out of [renderDriftText(report), renderDriftMarkdown(report)]) assert.not.match(out, /No drift/);
});

test('drift report: a server-side label that annotations use blocks putting git back: a note on the drift, not a failed check', () => {
  const applied = manifest('p', { title: 'P', label_config: choicesXml(['A']) });
  const repo = repository([applied]);
  const state = liveState([
    appliedLive(applied, { label_config: choicesXml(['A', 'Extra']), total_annotations_number: 3 }),
  ]);
  const impact = new Map([
    [
      'p',
      {
        serverCheck: { ok: true as const },
        usage: { controls: { sentiment: 3 }, labels: { sentiment: { Extra: 2, A: 1 } } },
      },
    ],
  ]);
  const report = driftFromPlan(plan(repo, state, { impact: impact as never }), { repo, live: state });
  assert.equal([report.status, report.errors, driftExitCode(report)], ['drift', [], 2]);
  assert.match(
    report.entries[0]!.blockers![0]!,
    /^apply cannot put git's label_config back: label "Extra" of Choices "sentiment" is removed but 2 annotations use it/,
  );
  assert.match(renderDriftText(report), /    note: apply cannot put git's label_config back: label "Extra"/);
  assert.ok(report.warnings.some((w) => w.severity === 'warning' && /label "Extra"/.test(w.message)));
});

test('drift Markdown: many label-config diffs are cut to fit, and it says what was cut', () => {
  const big = (n: number) => Array.from({ length: n }, (_, i) => `Label ${i}`);
  const projects = Array.from({ length: 30 }, (_, i) =>
    manifest(`p-${i}`, { title: `P ${i}`, label_config: choicesXml(big(60)) }),
  );
  const repo = repository(projects);
  const state = liveState(
    projects.map((p, i) => appliedLive(p, { id: i + 1, label_config: choicesXml(big(60).map((l) => `${l} old`)) })),
  );
  const report = driftFromPlan(plan(repo, state), { repo, live: state });
  const md = renderDriftMarkdown(report, 20_000);
  assert.ok(md.length <= 20_000, `${md.length}`);
  assert.match(
    md,
    /only here: <code>sentiment: Label 0 old, Label 1 old, .*, Label 7 old, … \(52 more\)<\/code>/,
    'a cell names a few labels',
  );
  assert.match(md, /<details><summary><code>p-0<\/code>/, 'the first diffs are shown');
  assert.match(md, /✂️ Truncated: \d+ more label-config diffs? not shown to keep this under 20,000 characters/);
  // A table too long for the budget is cut by rows, and says so.
  const many = Array.from({ length: 600 }, (_, i) => manifest(`q-${i}`, { title: `Q ${i}`, color: '#111111' }));
  const manyRepo = repository(many);
  const manyState = liveState(many.map((p, i) => appliedLive(p, { id: i + 1, color: '#222222' })));
  const rows = renderDriftMarkdown(
    driftFromPlan(plan(manyRepo, manyState), { repo: manyRepo, live: manyState }),
    20_000,
  );
  assert.ok(rows.length <= 20_000, `${rows.length}`);
  assert.match(rows, /✂️ Truncated: \d+ more rows not shown to keep this under 20,000 characters/);
  assert.match(rows, /^\*\*⚠️ Drift found in 600 projects/m, 'the verdict stays at the top');
});

test('driftDiagnostics: one warning per drifted project at its manifest, saying which side moved', () => {
  const { report } = scenario();
  const found = driftDiagnostics(report);
  assert.ok(
    found.some(
      (d) =>
        d.code === 'drift-server' &&
        d.file === 'projects/server-edit.yaml' &&
        d.line === 4 &&
        /changed on the server since it was last applied: color, label_config/.test(d.message),
    ),
  );
  assert.ok(
    found.some(
      (d) =>
        d.code === 'drift-git' &&
        d.file === 'projects/git-edit.yaml' &&
        /changed in git, not yet applied: color/.test(d.message),
    ),
  );
});

// ---- where an apply ran from ----

test('readAppliedFrom: GitHub and GitLab variables, else the checked-out commit (-dirty with local changes), else nothing', async () => {
  const sha = '3f9a2c1d0b7e5a6b7c8d9e0f1a2b3c4d5e6f7a8b';
  const noGit = async () => {
    throw new Error('git must not run');
  };
  assert.equal(await readAppliedFrom({ GITHUB_SHA: sha, GITHUB_REPOSITORY: 'acme/labeling' }, '/repo', noGit), {
    commit: '3f9a2c1d0b7e',
    repository: 'acme/labeling',
  });
  assert.equal(await readAppliedFrom({ CI_COMMIT_SHA: sha, CI_PROJECT_PATH: 'group/sub/labeling' }, '/repo', noGit), {
    commit: '3f9a2c1d0b7e',
    repository: 'group/sub/labeling',
  });
  const git = (status: string) => async (args: readonly string[]) => (args[0] === 'rev-parse' ? `${sha}\n` : status);
  assert.equal(await readAppliedFrom({}, '/repo', git('')), { commit: '3f9a2c1d0b7e' });
  assert.equal(await readAppliedFrom({}, '/repo', git(' M projects/a.yaml\n')), { commit: '3f9a2c1d0b7e-dirty' });
  assert.equal(await readAppliedFrom({ GITHUB_SHA: 'not-a-sha' }, '/repo', noGit), {});
});

test.run();
