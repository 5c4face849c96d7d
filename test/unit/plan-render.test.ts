/**
 * The three renderings of a plan (text, Markdown, JSON) and the drift report made from a plan.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/generated/schema-types.ts';
import { validateAgainstSchema } from '../../src/manifest/schemas.ts';
import { driftFromPlan, renderDriftMarkdown, renderDriftText } from '../../src/reconcile/drift.ts';
import { MARKDOWN_LIMIT, renderPlanMarkdown } from '../../src/reconcile/render-markdown.ts';
import { renderPlanText } from '../../src/reconcile/render-text.ts';
import { choicesXml, live, liveState, manifest, plan, repository } from './support/plan-fixtures.ts';

/** create + adopt + update (with a secret and a label-config change) + no-op + an orphan. */
function mixedPlan(extra: Parameters<typeof plan>[2] = {}): Plan {
  const repo = repository([
    manifest('fresh', { title: 'Fresh', color: '#123456', label_config: choicesXml(['A']) }),
    manifest(
      'moved',
      { title: 'Moved', color: '#112233', task_data_password: 'hunter2-secret', label_config: choicesXml(['A', 'C']) },
      { sensitive: ['task_data_password'] },
    ),
    manifest('same', { title: 'Same' }),
    manifest('legacy', { title: 'Legacy' }, { importId: 40 }),
  ]);
  const state = liveState([
    live(7, 'Moved', {
      key: 'moved',
      fields: { color: '#FFFFFF', task_data_password: 'old-secret-value', label_config: choicesXml(['A', 'B']) },
    }),
    live(8, 'Same', { key: 'same' }),
    live(40, 'Legacy'),
    live(9, 'Gone', { key: 'gone', annotations: 2, tasks: 5 }),
  ]);
  return plan(repo, state, extra);
}

test('text: one block per change, each field before → after; secrets shown as (sensitive)', () => {
  const text = renderPlanText(mixedPlan());
  const lines = text.split('\n');
  assert.is(
    lines[0],
    'Plan for environment "default" — http://ls.example:8080 (Label Studio 1.23.2), namespace "test"',
  );
  assert.ok(lines.includes('+ create fresh "Fresh"  projects/fresh.yaml:4'));
  assert.ok(lines.includes('    color         "#123456"'));
  assert.ok(lines.includes('⇄ adopt  legacy (id 40) "Legacy"  projects/legacy.yaml:4'));
  assert.ok(lines.includes('~ update moved (id 7) "Moved"  projects/moved.yaml:4'));
  assert.ok(lines.includes('    color               "#FFFFFF" → "#112233"'));
  assert.ok(lines.includes('    task_data_password  (sensitive) → (sensitive, changed)'));
  assert.ok(lines.includes('    label_config        sentiment (Choices): +C -B  (from projects/config.xml)'));
  assert.ok(lines.includes('      -    <Choice value="B"/>'));
  assert.ok(lines.includes('      +    <Choice value="C"/>'));
  assert.ok(lines.includes('= 1 project unchanged: same'));
  assert.ok(lines.includes('  gone (id 9) "Gone" — 2 annotations, 5 tasks'));
  assert.is(
    lines.at(-2),
    'Plan: 1 to create, 1 to update, 1 to adopt, 0 to delete, 1 unchanged, 1 orphan. Read the server in 3 API requests, 0.25 s.',
  );
  assert.not.ok(text.includes('hunter2-secret') || text.includes('old-secret-value'));
  assert.not.match(text, /\u001b\[/, 'no colour unless asked');
  assert.match(renderPlanText(mixedPlan(), { color: true }), /\u001b\[32m\+ create/);
});

test('text: no changes says so; errors are listed with file:line:col and block the plan', () => {
  const quiet = plan(repository([manifest('same', { title: 'Same' })]), liveState([live(8, 'Same', { key: 'same' })]));
  assert.is(
    renderPlanText(quiet).trim().split('\n').at(-1),
    'No changes. Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged. Read the server in 3 API requests, 0.25 s.',
  );
  const broken = plan(
    repository([manifest('dup', { title: 'Dup' })]),
    liveState([live(1, 'Dup', { key: 'dup' }), live(2, 'Dup', { key: 'dup' })]),
  );
  const text = renderPlanText(broken);
  assert.match(
    text,
    /\n1 error — nothing can be applied until they are fixed:\n  projects\/dup\.yaml:4:3: error: 2 projects carry the marker of "dup" \(ids 1, 2\)/,
  );
  assert.match(text, /Plan: 0 to create, 0 to update, 0 to delete, 0 unchanged, 1 error\./);
});

test('text: with --prune, deletes show their annotation count and orphans are not listed twice', () => {
  const text = renderPlanText(mixedPlan({ prune: true }));
  assert.match(text, /\n- delete gone \(id 9\) "Gone"\n    deletes the project and its 2 annotations\n/);
  assert.not.match(text, /Orphans:/);
});

test('markdown: summary and table first, one <details> per changed project, secrets hidden', () => {
  const md = renderPlanMarkdown(mixedPlan());
  const lines = md.split('\n');
  assert.equal(lines.slice(0, 9), [
    '<!-- labelform:plan -->',
    '### labelform plan · `default` · namespace `test`',
    '',
    '**Plan: 1 to create, 1 to update, 1 to adopt, 0 to delete, 1 unchanged, 1 orphan. Read the server in 3 API requests, 0.25 s.**',
    '',
    '| | Project | Id | Changes |',
    '|---|---|---|---|',
    '| 🟢 create | `fresh` |  | title, color, label_config |',
    '| 🔵 adopt | `legacy` | 40 | marker |',
  ]);
  assert.ok(md.indexOf('| | Project |') < md.indexOf('<details>'));
  assert.is(md.match(/<details><summary>(🟢|🔵|🟡)/g)?.length, 3);
  assert.is(md.match(/<details>/g)?.length, md.match(/<\/details>/g)?.length);
  assert.ok(lines.includes('| task_data_password | <code>(sensitive)</code> | <code>(sensitive, changed)</code> |'));
  assert.ok(lines.includes('| color | <code>"#FFFFFF"</code> | <code>"#112233"</code> |'));
  assert.ok(lines.includes('- `sentiment` (Choices): changed, added `C`, removed `B`'));
  assert.match(md, /```diff\n--- live\n\+\+\+ desired\n/);
  assert.not.ok(md.includes('hunter2-secret') || md.includes('old-secret-value'));
  assert.not.match(md, /Truncated/);
});

test('markdown: errors come before the table, values are HTML-escaped', () => {
  const repo = repository([
    manifest('dup', { title: 'Dup' }),
    manifest('html', { title: 'Html', expert_instruction: '<b>bold</b> | pipe' }),
  ]);
  const md = renderPlanMarkdown(
    plan(repo, liveState([live(1, 'Dup', { key: 'dup' }), live(2, 'Dup', { key: 'dup' })])),
  );
  assert.match(
    md,
    /#### ❌ 1 error: nothing will be applied until they are fixed\n- `projects\/dup\.yaml:4` 2 projects carry the marker of "dup"/,
  );
  assert.ok(md.indexOf('❌') < md.indexOf('| | Project |'));
  assert.ok(md.includes('| expert_instruction | <code>"&lt;b&gt;bold&lt;/b&gt; \\| pipe"</code> |'));
});

/** `n` updated projects, each replacing a label config of `labels` long choices. */
function hugePlan(n: number, labels: number): Plan {
  const names = (prefix: string) =>
    Array.from({ length: labels }, (_, i) => `${prefix} label number ${i} with a long descriptive name`);
  const before = choicesXml(names('Old'));
  const after = choicesXml(names('New'));
  const projects = Array.from({ length: n }, (_, i) =>
    manifest(`project-${String(i).padStart(4, '0')}`, { title: `Project ${i}`, label_config: after }),
  );
  const state = liveState(
    projects.map((p, i) => live(i + 1, `Project ${i}`, { key: p.name, fields: { label_config: before } })),
  );
  return plan(repository(projects), state);
}

test(`markdown: hundreds of large label-config diffs stay under ${MARKDOWN_LIMIT.toLocaleString('en')} characters, with a truncation notice`, () => {
  const p = hugePlan(300, 40);
  assert.is(p.summary.update, 300);
  const md = renderPlanMarkdown(p);
  assert.ok(md.length <= MARKDOWN_LIMIT, `${md.length} characters`);
  assert.ok(md.length > MARKDOWN_LIMIT - 10_000, 'the space is used');
  const shown = md.match(/<details><summary>🟡 update/g)?.length ?? 0;
  assert.ok(shown > 0 && shown < 300, `${shown} shown`);
  assert.is(md.match(/<details>/g)?.length, md.match(/<\/details>/g)?.length, 'only whole sections are shown');
  assert.ok(
    md.includes(`> ✂️ Truncated: ${300 - shown} more projects not shown to keep this report under 60,000 characters.`),
  );
  assert.ok(md.trimEnd().endsWith('for the full plan.'));
  // The summary table still lists every project.
  assert.is(md.match(/^\| 🟡 update \|/gm)?.length, 300);
});

test('markdown: even a summary table longer than the limit is cut to fit, with the notice', () => {
  const md = renderPlanMarkdown(hugePlan(1500, 1));
  assert.ok(md.length <= MARKDOWN_LIMIT, `${md.length} characters`);
  assert.ok(md.includes('> ✂️ Truncated: 1500 more projects not shown'));
});

test('JSON: plans of every shape validate against schemas/plan.schema.json', () => {
  const shapes: Array<[string, Plan]> = [
    ['mixed', mixedPlan()],
    ['pruned', mixedPlan({ prune: true })],
    ['targeted', mixedPlan({ targets: ['moved'] })],
    [
      'errors',
      plan(
        repository([manifest('dup', { title: 'Dup' })]),
        liveState([live(1, 'Dup', { key: 'dup' }), live(2, 'Dup', { key: 'dup' })]),
      ),
    ],
    [
      'tasks',
      mixedPlan({ taskImports: new Map([['fresh', [{ file: 'data/tasks.jsonl', fingerprint: 'abc', tasks: 12 }]]]) }),
    ],
    ['empty', plan(repository([]), liveState([]))],
  ];
  for (const [name, p] of shapes) assert.equal(validateAgainstSchema('plan', JSON.parse(JSON.stringify(p))), [], name);
  assert.is(shapes[4]![1].summary.tasksToImport, 12);
  // And the schema does check: a plan with an unknown action is refused.
  const bad = JSON.parse(JSON.stringify(mixedPlan()));
  bad.changes[0].action = 'replace';
  assert.ok(validateAgainstSchema('plan', bad).length > 0);
});

test('drift: changed fields (git vs server), missing projects, unmanaged imports and orphans', () => {
  const report = driftFromPlan(mixedPlan());
  assert.is(report.drift, true);
  assert.is(report.checked, 4);
  assert.equal(
    report.entries.map((e) => [e.kind, e.key, e.id ?? null]),
    [
      ['missing', 'fresh', null],
      ['unmanaged', 'legacy', 40],
      ['changed', 'moved', 7],
      ['orphan', 'gone', 9],
    ],
  );
  const moved = report.entries.find((e) => e.key === 'moved')!;
  assert.equal(moved.fields.slice(0, 2), [
    { field: 'color', origin: 'unknown', git: '#112233', server: '#FFFFFF' },
    { field: 'task_data_password', origin: 'unknown', sensitive: true },
  ]);
  const text = renderDriftText(report);
  assert.match(text, /    color: server has "#FFFFFF", git has "#112233"\n/);
  assert.match(text, /    task_data_password: server has \(sensitive\), git has \(sensitive, changed\)\n/);
  assert.match(text, /Drift found in 4 projects \(4 managed projects checked\)\./);
  const md = renderDriftMarkdown(report);
  assert.match(
    md,
    /\| `moved` \| 7 \| differs \(origin unknown\) \| color \| <code>"#FFFFFF"<\/code> \| <code>"#112233"<\/code> \|/,
  );
  for (const out of [text, md, JSON.stringify(report)])
    assert.not.ok(out.includes('hunter2-secret') || out.includes('old-secret-value'));
});

test('drift: none when the server matches git', () => {
  const report = driftFromPlan(
    plan(repository([manifest('same', { title: 'Same' })]), liveState([live(8, 'Same', { key: 'same' })])),
  );
  assert.equal([report.drift, report.entries, report.checked], [false, [], 1]);
  assert.is(renderDriftText(report).trim().split('\n').at(-1), 'No drift: the managed project matches git.');
  assert.match(renderDriftMarkdown(report), /✅ No drift: the managed project matches git\./);
});

test.run();
