/**
 * View filters that make Label Studio answer 500 for the tab are refused at validate, at the
 * filter's file:line:col, and nothing is sent: the table of tabs measured on 1.23.2
 * (test/contract/view-filter-cases.ts, held to the fake and the real server by the contract
 * suite) through `validate`, the checks themselves, and apply on the fake.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkViewSpec } from '../../src/kinds/view/check-filters.ts';
import { VIEW_CASES } from '../contract/view-filter-cases.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { projectYaml } from '../helpers/cli.ts';
import { cleanupTrees, load, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

const fake = useFakeCli(test);
test.after(cleanupTrees);

const view = (name: string, spec: string, project = 'p') =>
  `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${name}\nspec:\n  project: ${project}\n${spec}`;
const oneFilter = (filter: string, operator: string, type: string, value: string, title = 'T') =>
  `  title: ${title}\n  filters:\n    conjunction: and\n    items:\n      - filter: "${filter}"\n        operator: ${operator}\n        type: ${type}\n        value: ${value}\n`;

test('validate refuses every measured tab the server answers 500 for, and passes the others', async () => {
  const files: Record<string, string> = {
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
  };
  VIEW_CASES.forEach((c, i) => {
    files[`v${i}.yaml`] =
      `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: v${i}\nspec: ${JSON.stringify({ project: 'p', title: c.name, ...c.data })}\n`;
  });
  const r = await load(files);
  const refused = new Set(
    r.result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file?.replace(/^.*\//, '')),
  );
  const wrong = VIEW_CASES.flatMap((c, i) => {
    const isRefused = refused.has(`v${i}.yaml`);
    const shouldBe = c.server === 500 || c.stricter === true;
    return isRefused === shouldBe ? [] : [`${c.name}: ${isRefused ? 'refused' : 'passed'}, server ${c.server}`];
  });
  assert.equal(wrong, []);
  assert.ok(VIEW_CASES.filter((c) => c.server === 500).length >= 30, 'the table holds the failing shapes');
  assert.ok(VIEW_CASES.filter((c) => c.server === 200).length >= 30, 'and as many that work');
});

test("the issue's three: an unknown column, an unknown sort column, a Number that is not one; each at its line and column", async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
    'a.yaml': view('a', oneFilter('filter:tasks:nonexistent_column', 'equal', 'String', 'x')),
    'b.yaml': view('b', '  title: B\n  ordering: ["-tasks:bogus"]\n'),
    'c.yaml': view('c', oneFilter('filter:tasks:total_annotations', 'equal', 'Number', 'abc', 'C')),
    'd.yaml': view('d', '  title: D\n  hiddenColumns:\n    explore: ["tasks:id"]\n'),
  });
  assert.is(r.lines.length, 4, r.lines.join('\n'));
  assert.match(
    r.lines[0]!,
    /^a\.yaml:11:17: view-filter: "tasks:nonexistent_column" is not a task column: a tab that filters on it answers 500 for everyone \("Cannot resolve keyword 'nonexistent_column'"\)\. Task columns: id, inner_id, /,
  );
  assert.match(
    r.lines[1]!,
    /^b\.yaml:8:14: view-filter: "tasks:bogus" is not a task column: a tab that sorts by it answers 500/,
  );
  assert.is(
    r.lines[2],
    'c.yaml:14:16: view-filter: type Number needs a number, got "abc"; the tab would answer 500 for everyone',
  );
  assert.match(
    r.lines[3]!,
    /^d\.yaml:9:5: view-filter: hiddenColumns needs both explore and labeling: .*write labeling: \[\] to hide nothing there/,
  );
});

test("ordering as preprocess_field_name reads it: one '-' before or after tasks:, the first entry sorts", async () => {
  const order = (...ordering: string[]) =>
    checkViewSpec({ ordering }).map((p) => `${p.pointer} ${p.answer} ${p.message}`);
  assert.equal(order('tasks:-id'), [], 'a "-" after tasks: sorts descending on the server');
  assert.equal(order('-tasks:id'), []);
  assert.equal(order('tasks:-data.text'), []);
  assert.equal(order('-tasks:-id'), [
    `/spec/ordering/0 500 "-tasks:-id" sorts descending twice: the server takes one "-" (before or after "tasks:"), so it looks for a column "-id" and the tab answers 500 for everyone ("Cannot resolve keyword '-id'"); write "-tasks:id".`,
  ]);
  assert.match(
    order('tasks:-bogus')[0]!,
    /^\/spec\/ordering\/0 500 "tasks:bogus" is not a task column: a tab that sorts by it answers 500 for everyone/,
  );
  // Where labelform is stricter than the server, the message does not claim a 500.
  const later = order('tasks:id', '-tasks:bogus');
  assert.is(later.length, 1);
  assert.match(
    later[0]!,
    /^\/spec\/ordering\/1 200 "tasks:bogus" is not a task column\. .* The server sorts by the first entry only and ignores this one/,
  );
  assert.not.match(later[0]!, /500/);
  assert.match(
    order('tasks:annotations')[0]!,
    /^\/spec\/ordering\/0 200 "tasks:annotations" is a relation of the Task model, not a task column: the server sorts by it/,
  );
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Tabs\n'),
    'a.yaml': view('a', '  title: A\n  ordering: ["tasks:-id"]\n'),
  });
  assert.equal(r.lines, []);
});

test('values that do not fit the type or the column, one message each', () => {
  const msg = (item: Record<string, unknown>) =>
    checkViewSpec({ filters: { conjunction: 'and', items: [item] } }).map((p) => `${p.pointer} ${p.message}`);
  const f = (filter: string, operator: string, type: string, value: unknown) =>
    msg({ filter: `filter:tasks:${filter}`, operator, type, value });
  assert.equal(f('created_at', 'greater', 'Datetime', '2024-01-01'), [
    '/spec/filters/items/0/value type Datetime needs a time written as 2024-01-31T00:00:00.000Z (milliseconds and Z included), got "2024-01-01"; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('created_at', 'greater', 'Datetime', '2024-02-30T00:00:00.000Z').length, 1, 'no 30th of February');
  assert.equal(f('created_at', 'greater', 'Datetime', '2024-02-29T23:59:59.5Z'), []);
  assert.equal(f('data.when', 'greater', 'Datetime', '2024-01-01T00:00:00.000Z'), [
    '/spec/filters/items/0/type type Datetime on data.when, which is not a date column (completed_at, created_at, updated_at, last_comment_updated_at); the tab would answer 500 for everyone',
  ]);
  assert.equal(f('total_annotations', 'in', 'Number', 3), [
    '/spec/filters/items/0/value operator in needs a range value {min, max}, got 3; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('total_annotations', 'in', 'Number', { min: 1 }), [
    '/spec/filters/items/0/value a range value is {min, max}, each a number or a string; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('total_annotations', 'in', 'Number', { min: '1', max: 'many' }), [
    '/spec/filters/items/0/value type Number needs a number, got "many"; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('total_annotations', 'in', 'Number', { min: '1', max: 4.5 }), []);
  assert.equal(f('draft_exists', 'equal', 'Boolean', 'maybe'), [
    '/spec/filters/items/0/value type Boolean needs true or false, got "maybe"; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('draft_exists', 'equal', 'Boolean', 'Yes'), []);
  assert.equal(f('data.text', 'equal', 'String', null), [
    '/spec/filters/items/0/value a filter needs a value (null is not one); the tab would answer 500 for everyone',
  ]);
  assert.equal(f('annotators', 'contains', 'List', 'alice'), [
    '/spec/filters/items/0/value annotators contains takes a user id (an integer), got "alice"; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('id', 'in_list', 'Number', 5), [
    '/spec/filters/items/0/value operator in_list needs a list value, got 5; the tab would answer 500 for everyone',
  ]);
  assert.equal(f('data.text', 'contains', 'String', 'anything at all'), []);
  assert.equal(f('data.score', 'greater', 'Number', ' 1e3 '), [], 'what float() takes');
  assert.equal(f('data.score', 'greater', 'Number', '0x10').length, 1, "what float() doesn't");
  // A value from ${env:...} is described, never shown.
  const hidden = checkViewSpec(
    {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'equal', type: 'Number', value: 's3cr3t-value' }],
      },
    },
    { sensitive: new Set(['filters']) },
  );
  assert.is(hidden.length, 1);
  assert.not.match(hidden[0]!.message, /s3cr3t/);
});

test('apply refuses a bad filter before sending anything; the same tab written through the API answers 500 on the fake', async () => {
  const dir = await fake.repo({
    'p.yaml': projectYaml('p', '  title: Filters\n'),
    'a.yaml': view('a', oneFilter('filter:tasks:total_annotations', 'equal', 'Number', 'abc')),
  });
  const before = fake.ls.state.views.size;
  const applied = await fake.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 1, applied.stdout + applied.stderr);
  assert.match(applied.stderr, /a\.yaml:14:16: .*type Number needs a number, got "abc"/);
  assert.is(fake.ls.state.projects.size, 0, 'no project created');
  assert.is(fake.ls.state.views.size, before, 'no tab created');
  assert.not.match(applied.stderr, /at .*\.ts:\d+/, 'no stack trace');

  // What it would have made: the server stores it, and every task list of the tab is a 500.
  const project = await fake.client.createProject({ title: 'Filters' });
  const made = await fake.client.http.request<{ id: number }>('POST', '/api/dm/views/', {
    data: {
      project: project.id,
      data: {
        title: 'T',
        filters: {
          conjunction: 'and',
          items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 'abc' }],
        },
      },
    },
  });
  const listed = await fake.client.http
    .request('GET', '/api/tasks/', { params: { view: made.id, project: project.id } })
    .catch((err: { status?: number }) => err.status);
  assert.is(listed, 500);
});

test.run();
