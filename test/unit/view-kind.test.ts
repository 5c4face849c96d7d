/**
 * The View kind on its own: comparing after the server's reshaping, what validate says, and the
 * plan cases (a tab found again by its title, only when that is unambiguous). What the CLI prints
 * of a repository's kinds is in test/integration/validate-summary.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseViewField } from '../../src/kinds/view/compare.ts';
import { toLiveView } from '../../src/kinds/view/live.ts';
import type { LsView } from '../../src/kinds/view/types.ts';
import type { Repository } from '../../src/kinds/kind.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import type { LiveState } from '../../src/state/live-state.ts';
import { live } from './support/plan-fixtures.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const view = (name: string, spec: string, project = 'p') =>
  `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;

test('normalise: filter items lose their ids, no filters is an empty "and", hidden columns are sets', () => {
  assert.equal(
    normaliseViewField('filters', {
      conjunction: 'AND',
      items: [{ id: 'x', filter: 'filter:tasks:id', operator: 'equal', type: 'Number', value: 1 }],
    }),
    normaliseViewField('filters', {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:id', operator: 'equal', type: 'Number', value: 1 }],
    }),
  );
  assert.equal(normaliseViewField('filters', undefined), { conjunction: 'and', items: [] });
  assert.equal(
    normaliseViewField('hiddenColumns', { explore: ['b', 'a'] }),
    normaliseViewField('hiddenColumns', { explore: ['a', 'b'], labeling: [] }),
  );
  assert.not.equal(normaliseViewField('ordering', ['tasks:id']), normaliseViewField('ordering', ['-tasks:id']));
});

test('validate: a missing project, two tabs with one title in a project, a filter column that is not filter:tasks:', async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
    'a.yaml': view('a', '  title: Review\n'),
    'b.yaml': view('b', '  title: Review\n'),
    'c.yaml': view('c', '  title: Elsewhere\n', 'nope'),
    'd.yaml': view(
      'd',
      '  title: Odd\n  filters:\n    conjunction: and\n    items:\n      - filter: data.text\n        operator: contains\n        type: String\n        value: x\n',
    ),
  });
  assert.equal(r.lines, [
    'b.yaml:7:10: duplicate-title: project p already has a View titled "Review" (a.yaml:7:10); tab titles are unique within a project',
    'c.yaml:6:12: missing-project: no Project named "nope" (defined: p)',
    'd.yaml:11:17: schema: spec.filters.items.0.filter must match ^filter:tasks:, got "data.text"',
  ]);
});

function lsView(id: number, project: number, data: Record<string, unknown>): LsView {
  return { id, project, data, order: 0, user: 1 };
}

async function repoWith(files: Record<string, string>): Promise<Repository> {
  const r = await load({ 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Tabs\n'), ...files });
  assert.ok(r.result.repository, r.lines.join('\n'));
  return r.result.repository;
}

const planOf = (repo: Repository, views: LsView[]) => {
  const projects = [live(4, 'Tabs', { key: 'p' }), live(5, 'Other', { key: 'q' })];
  const state: LiveState = {
    serverVersion: '1.23.2',
    resources: { Project: projects, Webhook: [], View: views.map((v) => toLiveView(v, projects, 'test')) },
  };
  return planChanges({
    repo,
    live: state,
    server: { url: 'http://ls', environment: 'default' },
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-01T00:00:00.000Z',
    labelformVersion: '0',
  });
};

test('plan: an unmarked tab with the title in the same project is taken back; in another project, or two of them, it is not', async () => {
  const repo = await repoWith({ 'a.yaml': view('a', '  title: Review\n  ordering: ["-tasks:id"]\n') });
  const mine = planOf(repo, [lsView(8, 4, { title: 'Review', ordering: ['-tasks:id'] })]).changes.find(
    (c) => c.kind === 'View',
  )!;
  assert.equal([mine.action, 'id' in mine ? mine.id : null, mine.fields], ['adopt', 8, []]);
  assert.match(mine.notes![0]!, /tab 8 has this title but no marker/);
  assert.is(planOf(repo, [lsView(8, 5, { title: 'Review' })]).changes.find((c) => c.kind === 'View')!.action, 'create');
  assert.is(
    planOf(repo, [lsView(8, 4, { title: 'Review' }), lsView(9, 4, { title: 'Review' })]).changes.find(
      (c) => c.kind === 'View',
    )!.action,
    'create',
  );
  const marked = planOf(repo, [
    lsView(8, 4, { title: 'Review', ordering: ['tasks:id'], labelformManaged: 'test/a' }),
  ]).changes.find((c) => c.kind === 'View')!;
  assert.equal(
    [marked.action, marked.fields],
    ['update', [{ field: 'ordering', before: ['tasks:id'], after: ['-tasks:id'] }]],
  );
});

test('a tab without a title: two in one project validate; plan compares nothing for the title and never takes a tab back by title', async () => {
  const repo = await repoWith({
    'a.yaml': view('a', '  ordering: ["tasks:id"]\n'),
    'b.yaml': view('b', '  ordering: ["-tasks:id"]\n'),
  });
  const adopted = planOf(repo, [
    lsView(8, 4, { ordering: ['tasks:id'], labelformManaged: 'test/a' }),
    lsView(9, 4, { title: 'Tab 9', ordering: ['-tasks:id'], labelformManaged: 'test/b' }),
  ]).changes.filter((c) => c.kind === 'View');
  assert.equal(
    adopted.map((c) => [c.action, c.fields, c.title]),
    [
      ['no-op', [], undefined],
      ['no-op', [], undefined],
    ],
  );
  const unmarked = planOf(repo, [lsView(8, 4, { ordering: ['tasks:id'] })]).changes.filter((c) => c.kind === 'View');
  assert.equal(
    unmarked.map((c) => c.action),
    ['create', 'create'],
  );
});

test.run();
