import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, writeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  projectManifest,
  REPO_ROOT,
  resetServer,
  TEXT_CHOICES,
  uniqueNamespace,
  markedProjectId,
} from './support.ts';

const client = api();

test.before(async () => {
  await resetServer(client);
});

test('the examples: apply, then plan --detailed-exitcode exits 0', async () => {
  const dir = await writeTree({});
  await cp(join(REPO_ROOT, 'examples/projects'), dir, { recursive: true });
  const first = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(first.code, 2, first.stderr);
  assert.match(first.stdout, /5 to create/);
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 5 created/);
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes\. Plan: 0 to create, 0 to update, 0 to delete, 5 unchanged/);
  // Every created project carries the marker; the UI description says it is managed from git.
  const managed = [];
  for await (const page of client.listProjects())
    managed.push(...page.filter((p) => parseMarker(p.description)?.namespace === 'acme-labeling'));
  assert.is(managed.length, 5);
  assert.ok(managed.every((p) => /Managed from git/.test(p.description ?? '')));
});

test('drift: a field changed through the API is named (exit 2); apply puts it back; plan exits 0', async () => {
  const ns = uniqueNamespace('drift');
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest(
      'drifty',
      `  title: Drift target ${ns}\n  color: "#112233"\n  maximum_annotations: 2\n  label_config: |\n${indent(TEXT_CHOICES(['A', 'B']), 4)}`,
    ),
  });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const id = await markedProjectId(ns, 'drifty');
  await client.updateProject(id, { color: '#FF0000', maximum_annotations: 7, show_skip_button: false });
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /color: server has "#FF0000", git has "#112233"/);
  assert.match(drift.stdout, /maximum_annotations: server has 7, git has 2/);
  // show_skip_button is not in the manifest: unmanaged, so not drift.
  assert.not.match(drift.stdout, /show_skip_button/);
  const json = JSON.parse((await cli(dir, ['drift', '--json'])).stdout);
  assert.equal(json.entries[0].fields.map((f: { field: string }) => f.field).sort(), ['color', 'maximum_annotations']);
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /drifty \(id \d+\) updated: color, maximum_annotations/);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  assert.is((await cli(dir, ['drift'])).code, 0);
  const live = await client.getProject(id);
  assert.is(live.color, '#112233');
  assert.is(live.show_skip_button, false, 'an unmanaged field keeps its server value');
});

test('a removed label still used by annotations: plan exits 1 naming it and its count; nothing is sent', async () => {
  const ns = uniqueNamespace('impact');
  const spec = (choices: string[]) =>
    `  title: Sentiment ${ns}\n  label_config: |\n${indent(TEXT_CHOICES(choices), 4)}`;
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest('sentiment', spec(['Positive', 'Negative', 'Neutral', 'Mixed'])),
  });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const id = await markedProjectId(ns, 'sentiment');
  // Two annotations made through the API use Positive, one Negative; an imported one uses Neutral
  // (the server's own summary does not count imported annotations).
  await client.importTasks(id, [{ text: 'good' }, { text: 'great' }, { text: 'bad' }]);
  const tasks = (await client.listTasksPage(id, 1)).tasks;
  for (const [i, label] of ['Positive', 'Positive', 'Negative'].entries()) {
    await client.createAnnotation(tasks[i]!.id, {
      result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: [label] } }],
    });
  }
  await client.importTasks(id, [
    {
      data: { text: 'meh' },
      annotations: [
        { result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Neutral'] } }] },
      ],
    },
  ]);
  const before = (await client.getProject(id)).label_config;

  await writeFile(join(dir, 'p.yaml'), projectManifest('sentiment', spec(['Negative', 'Mixed'])));
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 1, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /label "Positive" of Choices "sentiment" is removed but 2 annotations use it/);
  assert.match(plan.stdout, /label "Neutral" of Choices "sentiment" is removed but 1 annotation uses it/);
  assert.match(plan.stdout, /p\.yaml:\d+:\d+: error/);
  assert.not.ok(hasStackTrace(plan.stdout + plan.stderr));
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 1);
  assert.match(applied.stderr, /nothing was applied/);
  assert.is((await client.getProject(id)).label_config, before, 'the label config on the server is unchanged');

  // Removing only an unused label is fine.
  await writeFile(join(dir, 'p.yaml'), projectManifest('sentiment', spec(['Positive', 'Negative', 'Neutral'])));
  const ok = await cli(dir, ['apply', '--auto-approve']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /sentiment \(Choices\): -Mixed/);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
});

test('aliases, drafts and a live config labelform cannot parse are protected too (found on 1.23.2)', async () => {
  const ns = uniqueNamespace('alias');
  const config = (labels: string[]) =>
    `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text">\n${labels.map((l) => `    <Choice value="${l}" alias="${l.slice(0, 3).toLowerCase()}"/>`).join('\n')}\n  </Choices>\n</View>\n`;
  const spec = (labels: string[]) =>
    `  title: Alias ${ns}\n  label_config: |\n${config(labels)
      .split('\n')
      .map((l) => (l ? `    ${l}` : l))
      .join('\n')}`;
  const dir = await makeRepo(ns, { 'p.yaml': projectManifest('aliased', spec(['Positive', 'Negative', 'Neutral'])) });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const id = await markedProjectId(ns, 'aliased');
  // An imported annotation stores the alias ("neg"); a draft uses "neu"; the counters see neither as annotations made in the UI.
  await client.importTasks(id, [
    {
      data: { text: 'a' },
      annotations: [{ result: [{ from_name: 'c', to_name: 'text', type: 'choices', value: { choices: ['neg'] } }] }],
    },
    { text: 'b' },
  ]);
  const drafted = (await client.listTasksPage(id, 1)).tasks.find((t) => t.data.text === 'b')!;
  await client.http.request('POST', `/api/tasks/${drafted.id}/drafts`, {
    data: { result: [{ from_name: 'c', to_name: 'text', type: 'choices', value: { choices: ['neu'] } }] },
  });
  await writeFile(join(dir, 'p.yaml'), projectManifest('aliased', spec(['Positive'])));
  const plan = await cli(dir, ['plan']);
  assert.is(plan.code, 1, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /label "neg" of Choices "c" is removed but 1 annotation uses it/);
  assert.match(plan.stdout, /label "neu" of Choices "c" is removed but 1 annotation uses it/);
  // A live config with an XML declaration (the server takes it; labelform only refuses an encoding) is still judged.
  const before = (await client.getProject(id)).label_config;
  await client.updateProject(id, { label_config: `<?xml version="1.0"?>\n${before}` });
  const again = await cli(dir, ['plan']);
  assert.is(again.code, 1);
  assert.match(again.stdout, /label "neg" of Choices "c" is removed but 1 annotation uses it/);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 1);
  assert.match((await client.getProject(id)).label_config, /alias="neg"/, 'nothing was sent');
});

test('a saved plan is refused when the server changed since, naming the project and field', async () => {
  const ns = uniqueNamespace('stale');
  const dir = await makeRepo(ns, { 'p.yaml': projectManifest('stale', `  title: Stale ${ns}\n  color: "#101010"\n`) });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  await writeFile(join(dir, 'p.yaml'), projectManifest('stale', `  title: Stale ${ns}\n  color: "#202020"\n`));
  const planFile = join(dir, 'plan.json');
  const planned = await cli(dir, ['plan', '--out', planFile]);
  assert.is(planned.code, 0, planned.stderr);
  const id = await markedProjectId(ns, 'stale');
  await client.updateProject(id, { title: `Renamed ${ns}` });
  const refused = await cli(dir, ['apply', planFile]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`stale \\(id ${id}\\): field title changed on the server since the plan`));
  assert.is((await client.getProject(id)).color, '#101010', 'nothing applied');
  // Another namespace's repository refuses the plan too.
  const other = await makeRepo(uniqueNamespace('other'), {
    'p.yaml': projectManifest('stale', `  title: Stale ${ns}\n`),
  });
  const wrongNs = await cli(other, ['apply', planFile]);
  assert.is(wrongNs.code, 1);
  assert.match(wrongNs.stderr, /namespace/);
  // A fresh plan applies.
  await client.updateProject(id, { title: `Stale ${ns}` });
  assert.is((await cli(dir, ['plan', '--out', planFile])).code, 0);
  const applied = await cli(dir, ['apply', planFile]);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.is((await client.getProject(id)).color, '#202020');
});

test('adopt?: an unmanaged project with the same title blocks the create; import adopts it', async () => {
  const ns = uniqueNamespace('adopt');
  const title = `Adopt me ${ns}`;
  const existing = await client.createProject({ title, description: 'made by hand', color: '#ABCDEF' });
  const dir = await makeRepo(ns, {
    'p.yaml': projectManifest('adoptee', `  title: ${title}\n  color: "#ABCDEF"\n  maximum_annotations: 3\n`),
  });
  const plan = await cli(dir, ['plan']);
  assert.is(plan.code, 1);
  assert.match(
    plan.stdout,
    new RegExp(`adopt\\? an unmanaged project already has the title "${title}" \\(id ${existing.id}\\)`),
  );
  assert.match(plan.stdout, new RegExp(`labelform import adoptee ${existing.id}`));
  const imported = await cli(dir, ['import', 'adoptee', String(existing.id)]);
  assert.is(imported.code, 0, imported.stderr);
  const after = await cli(dir, ['plan', '--json']);
  const json = JSON.parse(after.stdout);
  assert.equal(
    json.changes.map((c: { action: string; fields: Array<{ field: string }> }) => [
      c.action,
      c.fields.map((f) => f.field),
    ]),
    [['update', ['maximum_annotations']]],
  );
  const live = await client.getProject(existing.id);
  assert.match(live.description ?? '', /^made by hand\n\n\[labelform\] Managed from git/);
});

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');
}

test.run();
