/**
 * Against the real server: the view filters that break a tab (the server stores them, then
 * answers 500 to everyone who lists the tab's tasks) are refused by validate at their line and
 * never sent; and `pull` of a project whose tabs are set up the hostile ways the API allows
 * (one title twice, 250 characters, no title, a broken filter) and of a project already in the
 * repository that gained a tab and a webhook in the UI writes files that validate and re-plan
 * to zero, naming what it left out and why.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { isApiError } from '../../src/api/errors.ts';
import type { LsView } from '../../src/kinds/view/types.ts';
import { runCli, writeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  serverEnv,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const client = api();
const tab = (project: number, data: Record<string, unknown>) =>
  client.http.request<LsView>('POST', '/api/dm/views/', { data: { project, data } });
const taskListStatus = (view: LsView) =>
  client.http.request('GET', '/api/tasks/', { params: { view: view.id, project: view.project } }).then(
    () => 200,
    (err: unknown) => (isApiError(err) ? err.status : Promise.reject(err)),
  );

const BAD = [
  {
    name: 'column',
    item: { filter: 'filter:tasks:nonexistent_column', operator: 'equal', type: 'String', value: 'x' },
    yaml: '  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:nonexistent_column"\n        operator: equal\n        type: String\n        value: x\n',
    at: ':11:17:',
  },
  {
    name: 'number',
    item: { filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 'abc' },
    yaml: '  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:total_annotations"\n        operator: equal\n        type: Number\n        value: abc\n',
    at: ':14:16:',
  },
  {
    name: 'date',
    item: { filter: 'filter:tasks:created_at', operator: 'greater', type: 'Datetime', value: '2024-01-01' },
    yaml: '  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:created_at"\n        operator: greater\n        type: Datetime\n        value: "2024-01-01"\n',
    at: ':14:16:',
  },
  {
    name: 'range',
    item: { filter: 'filter:tasks:total_annotations', operator: 'in', type: 'Number', value: 3 },
    yaml: '  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:total_annotations"\n        operator: in\n        type: Number\n        value: 3\n',
    at: ':14:16:',
  },
];

test('trap pinned, then refused: each bad filter, sort column or hidden-columns shape is a 500 for the tab; validate names its line and apply sends nothing', async () => {
  const scratch = await client.createProject({
    title: `Broken tabs ${uniqueNamespace('x')}`,
    label_config: TEXT_CHOICES(['Yes', 'No']),
  });
  try {
    await client.importTasks(scratch.id, [{ text: 'one' }, { text: 'two' }]);
    const shapes: Array<Record<string, unknown>> = [
      ...BAD.map((b) => ({ filters: { conjunction: 'and', items: [b.item] } })),
      { ordering: ['-tasks:bogus'] },
      { hiddenColumns: { explore: ['tasks:id'] } },
    ];
    for (const data of shapes) {
      const v = await tab(scratch.id, { title: 'Broken', ...data });
      assert.is(await taskListStatus(v), 500, `the server answers 500 for ${JSON.stringify(data)}`);
    }
    const fine = await tab(scratch.id, {
      title: 'Fine',
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 0 }],
      },
      ordering: ['-tasks:id'],
      hiddenColumns: { explore: ['tasks:id'], labeling: [] },
    });
    assert.is(await taskListStatus(fine), 200);
  } finally {
    await client.deleteProject(scratch.id);
  }

  const ns = uniqueNamespace('badtabs');
  const view = (name: string, spec: string) =>
    `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${name}\nspec:\n  project: triage\n  title: ${name}\n${spec}`;
  const files: Record<string, string> = { 'p.yaml': projectManifest('triage', `  title: Bad tabs ${ns}\n`) };
  for (const b of BAD) files[`${b.name}.yaml`] = view(b.name, b.yaml);
  files['order.yaml'] = view('order', '  ordering: ["-tasks:bogus"]\n');
  files['hidden.yaml'] = view('hidden', '  hiddenColumns:\n    explore: ["tasks:id"]\n');
  const dir = await makeRepo(ns, files);
  const validated = await cli(dir, ['validate']);
  assert.is(validated.code, 1, validated.stdout + validated.stderr);
  const out = validated.stdout + validated.stderr;
  for (const b of BAD) assert.ok(out.includes(`${b.name}.yaml${b.at}`), `${b.name}: ${out}`);
  assert.ok(out.includes('order.yaml:8:14:'), out);
  assert.match(out, /hidden\.yaml:9:5: .*hiddenColumns needs both explore and labeling/);
  const before = (await client.http.request<LsView[]>('GET', '/api/dm/views/')).length;
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 1, applied.stdout + applied.stderr);
  assert.is((await client.http.request<LsView[]>('GET', '/api/dm/views/')).length, before, 'no tab sent');
  assert.is(await markedProjectId(ns, 'triage').catch(() => undefined), undefined, 'no project sent');
});

test('pull of hostile tabs and of UI-made additions to a managed project: files validate, plan adopts only, apply then plan is zero', async () => {
  const ns = uniqueNamespace('hostile');
  const managed = await makeRepo(ns, { 'p.yaml': projectManifest('managed', `  title: Managed ${ns}\n`) });
  assert.is((await cli(managed, ['apply', '--auto-approve'])).code, 0);
  const managedId = await markedProjectId(ns, 'managed');
  const uiTab = await tab(managedId, { title: 'Made in the UI' });
  const uiHook = await client.http.request<{ id: number }>('POST', '/api/webhooks/', {
    data: { project: managedId, url: 'http://127.0.0.1:99/ui-made' },
  });

  const project = await client.createProject({ title: `Hostile ${ns}`.slice(0, 50) });
  const long = `Review ${'x'.repeat(243)}`;
  const first = await tab(project.id, {
    title: 'Review',
    filters: {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 0 }],
    },
  });
  const second = await tab(project.id, { title: 'Review', ordering: ['-tasks:id'] });
  const longTab = await tab(project.id, { title: long, hiddenColumns: { explore: ['tasks:inner_id'], labeling: [] } });
  const untitled = await tab(project.id, { ordering: ['tasks:id'] });
  const broken = await tab(project.id, {
    title: 'Broken',
    filters: {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:nonexistent_column', operator: 'equal', type: 'String', value: 'x' }],
    },
  });
  assert.is(untitled.data?.title, undefined, 'the server keeps a tab without a title');

  const pulled = await cli(managed, ['pull', '--project', String(project.id), '--project', String(managedId)]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const said = pulled.stdout;
  assert.match(
    said,
    new RegExp(
      `- skipped view ${second.id} of project ${project.id}: view ${first.id} of this project has the same title "Review"`,
    ),
  );
  assert.match(
    said,
    new RegExp(`- skipped view ${broken.id} of project ${project.id}: the server cannot list its tasks as it is`),
  );
  assert.match(
    said,
    new RegExp(
      `- skipped view ${uiTab.id} of project ${managedId}: not pulled, its project is already in the repository \\(p\\.yaml\\).*import: \\{id: ${uiTab.id}\\}`,
    ),
  );
  assert.match(said, new RegExp(`- skipped webhook ${uiHook.id} of project ${managedId}: not pulled`));

  const entries = await readdir(managed, { recursive: true });
  const viewFiles = entries.filter((f) => /view-[^/]*\.yaml$/.test(String(f))).map(String);
  assert.is(viewFiles.length, 3, viewFiles.join(', '));
  const docs = await Promise.all(
    viewFiles.map(
      async (f) =>
        parse(await readFile(join(managed, f), 'utf8')) as { spec: Record<string, unknown>; import: { id: number } },
    ),
  );
  const byId = new Map(docs.map((d) => [d.import.id, d.spec]));
  assert.is(byId.get(longTab.id)!.title, long);
  assert.not.ok('title' in byId.get(untitled.id)!, 'no invented title');

  const validated = await cli(managed, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await cli(managed, ['plan', '--json']);
  assert.is(plan.code, 0, plan.stderr);
  const changes = (
    JSON.parse(plan.stdout) as { changes: Array<{ action: string; kind: string; id?: number; fields: unknown[] }> }
  ).changes.filter((c) => c.action !== 'no-op');
  assert.equal(
    changes.map((c) => [c.kind, c.action, c.id, c.fields]).sort((a, b) => Number(a[2]) - Number(b[2])),
    [
      ['Project', 'adopt', project.id, []],
      ...[first.id, longTab.id, untitled.id].map((id) => ['View', 'adopt', id, []]),
    ].sort((a, b) => Number(a[2]) - Number(b[2])),
  );
  const applied = await cli(managed, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const again = await cli(managed, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);

  // A fresh pull of the same project now that it is managed: the same files, still zero.
  const out = await writeTree({});
  const fresh = await runCli(['pull', '--project', String(project.id), '--out', out, '--namespace', ns], {
    env: serverEnv(),
    cwd: out,
  });
  assert.is(fresh.code, 0, fresh.stdout + fresh.stderr);
  const replan = await runCli(['plan', '--detailed-exitcode', '-C', out], { env: serverEnv(), cwd: out });
  assert.is(replan.code, 0, replan.stdout + replan.stderr);
});

test.run();
