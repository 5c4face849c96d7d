/**
 * Data Manager tabs declared in git, against the real server: created with their project, then
 * converged; a filter changed on the server (drift names the tab, apply restores it); a save in
 * the UI that drops the marker (the tab is taken back by its title, not duplicated); removed from
 * git (prune deletes it alone); pulled back as manifests that plan as no change.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

function viewManifest(name: string, spec: string): string {
  return `apiVersion: labelform/v1\nkind: View\nmetadata:\n  name: ${name}\nspec:\n  project: triage\n${spec}`;
}

const tabs = async (projectId: number) =>
  client.http.request<LsView[]>('GET', '/api/dm/views/', { params: { project: projectId } });

test('two tabs: applied with the project, converged; drift and restore; a lost marker; prune; pull', async () => {
  const ns = uniqueNamespace('views');
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest(
      'triage',
      `  title: Views ${ns}\n  label_config: |\n${TEXT_CHOICES(['Yes', 'No'])
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
    'todo.yaml': viewManifest(
      'todo',
      '  title: To do\n  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:total_annotations"\n        operator: equal\n        type: Number\n        value: 0\n  ordering: ["-tasks:id"]\n  hiddenColumns:\n    explore: ["tasks:inner_id", "tasks:annotators"]\n    labeling: []\n',
    ),
    'done.yaml': viewManifest(
      'done',
      '  title: Done\n  filters:\n    conjunction: and\n    items:\n      - filter: "filter:tasks:total_annotations"\n        operator: greater\n        type: Number\n        value: 0\n',
    ),
  });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 3 created/);
  const projectId = await markedProjectId(ns, 'triage');
  const made = await tabs(projectId);
  assert.equal(made.map((v) => v.data?.title).sort(), ['Done', 'To do']);
  const todo = made.find((v) => v.data?.title === 'To do')!;
  assert.equal(todo.data?.filters, {
    conjunction: 'and',
    items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 0 }],
  });
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);

  // Someone changes the filter through the API, keeping everything else.
  await client.http.request('PATCH', `/api/dm/views/${todo.id}/`, {
    data: {
      data: {
        ...todo.data,
        filters: {
          conjunction: 'and',
          items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 5 }],
        },
      },
    },
  });
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /View triage\/todo \(id \d+\)/);
  assert.match(drift.stdout, /filters: server has/);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  assert.equal((await tabs(projectId)).find((v) => v.id === todo.id)!.data?.filters, todo.data?.filters);

  // A save in the UI rewrites data without labelform's key: the tab is taken back by its title.
  const { labelformManaged: _marker, ...uiData } = todo.data as Record<string, unknown>;
  await client.http.request('PATCH', `/api/dm/views/${todo.id}/`, {
    data: { data: { ...uiData, hiddenColumns: { explore: [], labeling: [] } } },
  });
  const lost = await cli(dir, ['plan']);
  assert.match(lost.stdout, /⇄ adopt\s+View triage\/todo \(id \d+\)/);
  assert.match(
    lost.stdout,
    /no marker \(lost when the tab was saved in the UI, or made there\): it is taken back, not duplicated/,
  );
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const back = await tabs(projectId);
  assert.is(back.length, 2, 'no second "To do" tab');
  assert.equal(back.find((v) => v.id === todo.id)!.data?.hiddenColumns, {
    explore: ['tasks:inner_id', 'tasks:annotators'],
    labeling: [],
  });
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);

  // pull writes both tabs; their plan is no change.
  const out = await writeTree({});
  const pulled = await runCli(['pull', '--project', String(projectId), '--out', out, '--namespace', ns], {
    env: serverEnv(),
    cwd: out,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(pulled.stdout, /triage\/view-todo\.yaml ← view \d+ \(already carries the marker\)/);
  assert.match(await readFile(join(out, 'triage', 'view-todo.yaml'), 'utf8'), /title: To do/);
  const fromPull = await runCli(['plan', '--detailed-exitcode', '-C', out], { env: serverEnv(), cwd: out });
  assert.is(fromPull.code, 0, fromPull.stdout + fromPull.stderr);

  // Removed from git: prune deletes that tab and nothing else.
  // Retired by deleting its file (an emptied or commented-out manifest is an error, never a delete).
  await rm(join(dir, 'done.yaml'));
  const pruned = await cli(dir, ['apply', '--auto-approve', '--prune']);
  assert.is(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /1 deleted/);
  assert.equal(
    (await tabs(projectId)).map((v) => v.data?.title),
    ['To do'],
  );
});

test.run();
