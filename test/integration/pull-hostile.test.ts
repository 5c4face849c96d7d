/**
 * `pull` of a server set up the hostile ways the UI and the API allow writes files that validate
 * and plan to nothing but adoptions (then, applied, to nothing at all), and says what it leaves
 * out and why: two tabs with one title in a project, a title of 250 characters, a tab with no
 * title, a tab the server answers 500 for, copies of one marker, an organization webhook, and tabs
 * and webhooks made in the UI for a project the repository already has.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import type { LsView } from '../../src/kinds/view/types.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const NS = 'test';
const fake = useFakeCli(test, { namespace: NS });

const tab = (project: number, data: Record<string, unknown>) =>
  fake.client.http.request<LsView>('POST', '/api/dm/views/', { data: { project, data } });
const hook = (project: number, url: string) =>
  fake.client.http.request<{ id: number }>('POST', '/api/webhooks/', { data: { project, url } });
/** 1.23.2's API makes no organization webhook (test/contract/webhooks.test.ts); the UI does, with ALLOW_ORGANIZATION_WEBHOOKS. */
function organizationHook(url: string): { id: number } {
  const state = fake.ls.state;
  const now = new Date().toISOString();
  const id = state.nextId.webhook++;
  state.webhooks.set(id, {
    id,
    project: null,
    url,
    send_payload: true,
    send_for_all_actions: true,
    headers: {},
    is_active: true,
    actions: [],
    created_at: now,
    updated_at: now,
  });
  return { id };
}

async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

interface PlanJson {
  changes: Array<{ action: string; kind: string; key: string; id?: number; fields: unknown[] }>;
}

test.before.each(() => {
  fake.ls.state.views.clear();
  fake.ls.state.webhooks.clear();
});

test('a tab validate refuses where labelform is stricter than the server: skipped with its own reason, not "answers 500"', async () => {
  const project = await fake.client.createProject({ title: 'Stricter tabs' });
  const equal = await tab(project.id, {
    title: 'Mine',
    filters: {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:annotators', operator: 'equal', type: 'List', value: 1 }],
    },
  });
  const later = await tab(project.id, { title: 'Later', ordering: ['tasks:id', 'tasks:bogus'] });
  const descending = await tab(project.id, { title: 'Newest', ordering: ['tasks:-id'] });
  const dir = await fake.tree({});
  const pulled = await fake.cli(dir, ['pull', '--project', String(project.id), '--namespace', NS]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const line = (id: number) => pulled.stdout.split('\n').find((l) => l.includes(`- skipped view ${id} `)) ?? '';
  assert.match(
    line(equal.id),
    /: the server cannot list its tasks on PostgreSQL \(it answers 400 for this tab there\): filters\/items\/0\/operator: annotators holds a list: operator equal makes the tab answer 400 for everyone on a server with PostgreSQL/,
  );
  assert.match(
    line(later.id),
    /: the server lists its tasks, but validate refuses the tab as it is: ordering\/1: "tasks:bogus" is not a task column\. .*The server sorts by the first entry only and ignores this one/,
  );
  for (const id of [equal.id, later.id]) assert.not.match(line(id), /500/);
  assert.is(line(descending.id), '', 'tasks:-id is pulled as the server sorts by it');
  const files = (await listing(dir)).filter((f) => f.includes('/view-'));
  assert.is(files.length, 1, files.join('\n'));
  assert.equal(
    (parse(await readFile(join(dir, files[0]!), 'utf8')) as { spec: { ordering: string[] } }).spec.ordering,
    ['tasks:-id'],
  );
  const validated = await fake.cli(dir, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
});

test('hostile tabs: one title twice, 250 characters, none at all, a broken filter; pulled files validate and re-plan to zero', async () => {
  const project = await fake.client.createProject({ title: 'Hostile tabs' });
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
  const dir = await fake.tree({});

  const pulled = await fake.cli(dir, ['pull', '--project', String(project.id), '--namespace', NS]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(
    pulled.stdout,
    new RegExp(
      `- skipped view ${second.id} of project ${project.id}: view ${first.id} of this project has the same title "Review", .* titles are unique within a project; rename one of them in Label Studio, then pull again`,
    ),
  );
  assert.match(
    pulled.stdout,
    new RegExp(
      `- skipped view ${broken.id} of project ${project.id}: the server cannot list its tasks as it is \\(it answers 500 for this tab\\): filters/items/0/filter: "tasks:nonexistent_column" is not a task column`,
    ),
  );
  const files = (await listing(dir)).filter((f) => f.includes('/view-'));
  assert.is(files.length, 3, files.join('\n'));
  assert.is(new Set(files).size, 3, 'one file per tab');
  const specs = await Promise.all(
    files.map(
      async (f) =>
        parse(await readFile(join(dir, f), 'utf8')) as {
          metadata: { name: string };
          spec: Record<string, unknown>;
          import: { id: number };
        },
    ),
  );
  const byId = new Map(specs.map((m) => [m.import.id, m]));
  assert.equal(byId.get(first.id)!.spec.title, 'Review');
  assert.equal(byId.get(longTab.id)!.spec.title, long, 'the whole title, as the server keeps it');
  assert.equal(byId.get(untitled.id)!.spec, { project: 'hostile-tabs', ordering: ['tasks:id'] }, 'no invented "Tab N"');
  assert.is(new Set(specs.map((m) => m.metadata.name)).size, 3, 'distinct keys');

  const validated = await fake.cli(dir, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await fake.cli(dir, ['plan', '--json']);
  assert.is(plan.code, 0, plan.stderr);
  const changes = (JSON.parse(plan.stdout) as PlanJson).changes;
  assert.equal(
    changes
      .filter((c) => c.kind === 'View')
      .map((c) => [c.action, c.id, c.fields])
      .sort((a, b) => Number(a[1]) - Number(b[1])),
    [first.id, longTab.id, untitled.id].map((id) => ['adopt', id, []]),
  );
  const applied = await fake.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const again = await fake.cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.is(fake.ls.state.views.size, 5, 'nothing created, nothing deleted');
});

test('copies carrying one marker: the lowest id is pulled, the copy is named', async () => {
  const project = await fake.client.createProject({
    title: 'Copies',
    description: `Managed\n\nManaged by labelform: ${NS}/copies`,
  });
  const kept = await tab(project.id, { title: 'Todo', labelformManaged: `${NS}/todo` });
  const copy = await tab(project.id, { title: 'Todo', labelformManaged: `${NS}/todo` });
  const dir = await fake.tree({});
  const pulled = await fake.cli(dir, ['pull', '--project', String(project.id), '--namespace', NS]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(
    pulled.stdout,
    new RegExp(`✔ copies/view-todo\\.yaml ← view ${kept.id} \\(already carries the marker\\)`),
  );
  assert.match(
    pulled.stdout,
    new RegExp(
      `- skipped view ${copy.id} of project ${project.id}: a copy of view ${kept.id} \\(both carry the marker ${NS}/todo\\); the next apply deletes this copy`,
    ),
  );
  assert.is((await fake.cli(dir, ['validate'])).code, 0);
});

test('an organization webhook and the UI-made tab and webhook of a project already in the repository: each named, with why', async () => {
  const project = await fake.client.createProject({ title: 'Already here' });
  const dir = await fake.tree({});
  assert.is((await fake.cli(dir, ['pull', '--project', String(project.id), '--namespace', NS])).code, 0);
  assert.is((await fake.cli(dir, ['apply', '--auto-approve'])).code, 0);

  const org = organizationHook('https://hooks.example.com/org/path');
  const uiTab = await tab(project.id, { title: 'Made in the UI' });
  const uiHook = await hook(project.id, 'https://hooks.example.com/project');
  const again = await fake.cli(dir, ['pull', '--project', String(project.id)]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(
    again.stdout,
    new RegExp(`- skipped ${project.id} "Already here": already in the repository \\(already-here/project\\.yaml\\)`),
  );
  assert.match(
    again.stdout,
    new RegExp(
      `- skipped view ${uiTab.id} of project ${project.id}: not pulled, its project is already in the repository \\(already-here/project\\.yaml\\) and pull writes a project's views only with the project; declare it in a View manifest with import: \\{id: ${uiTab.id}\\}`,
    ),
  );
  assert.match(
    again.stdout,
    new RegExp(
      `- skipped webhook ${uiHook.id} of project ${project.id}: not pulled, .* declare it in a Webhook manifest with import: \\{id: ${uiHook.id}\\}`,
    ),
  );
  assert.match(
    again.stdout,
    new RegExp(
      `- skipped organization webhook ${org.id} \\(https://hooks\\.example\\.com/…\\): not pulled, pull writes what belongs to the projects it pulls; declare it in a Webhook manifest without spec\\.project, with import: \\{id: ${org.id}\\}`,
    ),
  );
  assert.not.match(again.stdout, /org\/path/, 'the URL path is not printed');
});

test.run();
