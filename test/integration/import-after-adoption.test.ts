/**
 * `import: {id}` left in a manifest after adoption (issue 8): once the adopted project is gone
 * from the server, the manifest's key is simply missing there — plan shows a create, drift
 * reports it missing — instead of both failing with "no project with this id". Pure planner
 * cases first, then the same story through the CLI against the fake.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { driftFromPlan } from '../../src/reconcile/drift.ts';
import { hasStackTrace, projectYaml, runCli } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { live, liveState, manifest, plan, repository, SERVER } from '../unit/support/plan-fixtures.ts';

const actions = (p: ReturnType<typeof plan>) => p.changes.map((c) => [c.action, c.key, c.id ?? null]);

test('import.id of a project that carries our marker: satisfied, an ordinary no-op', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(12, 'Legacy', { key: 'legacy' })]));
  assert.equal(actions(p), [['no-op', 'legacy', 12]]);
  assert.equal(p.diagnostics, []);
});

test('import.id naming a project that is gone, no project carries the marker: a create, with a warning at import.id', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy', color: '#000000' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(3, 'Someone else')]));
  assert.equal(actions(p), [['create', 'legacy', null]]);
  assert.equal(p.changes[0]!.fields, [
    { field: 'title', after: 'Legacy' },
    { field: 'color', after: '#000000' },
  ]);
  assert.equal(p.summary.errors, 0);
  assert.equal(
    p.diagnostics.map((d) => [d.severity, d.code, d.key, d.pointer, d.line]),
    [['warning', 'import-missing', 'legacy', '/import/id', 20]],
  );
  assert.match(p.diagnostics[0]!.message, `import.id 12: no project with this id on ${SERVER.url}`);
  assert.match(p.diagnostics[0]!.message, /creates a new project/);
});

test('the id is gone but another project carries the marker (re-created earlier): satisfied by the marker, no warning', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(40, 'Legacy', { key: 'legacy' })]));
  assert.equal(actions(p), [['no-op', 'legacy', 40]]);
  assert.equal(p.diagnostics, []);
});

test('a gone id whose title an unmanaged project has: still the adopt? error, not a silent create', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(13, 'Legacy')]));
  assert.equal(actions(p), []);
  assert.equal(
    p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    ['adopt-candidate'],
  );
});

test('import.id of a project managed under another key or namespace stays an error', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(12, 'Legacy', { key: 'other-key', namespace: 'other-team' })]));
  assert.equal(
    p.diagnostics.map((d) => [d.severity, d.code]),
    [['error', 'import-marked']],
  );
});

test('drift: the adopted project is missing (drift, not an error), and the message names the import', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const report = driftFromPlan(plan(repo, liveState([])));
  assert.is(report.drift, true);
  assert.equal(report.errors, []);
  assert.equal(
    report.entries.map((e) => [e.key, e.kind]),
    [['legacy', 'missing']],
  );
  assert.match(report.entries[0]!.message, /import\.id 12/);
});

// --- through the CLI, against the fake --------------------------------------------------------

const fake = useFakeCli(test, { emptyEachTest: false });

test('CLI: adopt, delete the project in the UI, then plan shows a create (exit 2), drift says missing (exit 2), apply re-creates it', async () => {
  const created = await fetch(`${fake.ls.url}/api/projects/`, {
    method: 'POST',
    headers: { Authorization: `Token ${fake.ls.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Legacy project' }),
  });
  const { id } = (await created.json()) as { id: number };
  const dir = await fake.tree({
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: adoptgone\n',
    'legacy.yaml': `${projectYaml('legacy', '  title: Legacy project\n')}import:\n  id: ${id}\n`,
  });
  const env = { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token };
  const cli = (args: string[]) => runCli([...args, '-C', dir], { env, cwd: dir });

  const adopt = await cli(['apply', '--auto-approve']);
  assert.is(adopt.code, 0, adopt.stderr);
  assert.is(parseMarker(String(fake.ls.state.projects.get(id)!.fields.description))?.key, 'legacy');

  fake.ls.state.projects.delete(id); // deleted in the UI

  const planned = await cli(['plan', '--detailed-exitcode']);
  assert.is(planned.code, 2, planned.stdout + planned.stderr);
  assert.match(planned.stdout, /legacy/);
  assert.match(planned.stdout, /create/i);
  assert.match(
    planned.stdout,
    new RegExp(`legacy\\.yaml:\\d+:\\d+: warning: import\\.id ${id}: no project with this id`),
  );
  assert.not.match(planned.stdout + planned.stderr, /error/);

  const drift = await cli(['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /legacy: missing/);
  assert.not.ok(hasStackTrace(drift.stdout + drift.stderr));

  const again = await cli(['apply', '--auto-approve']);
  assert.is(again.code, 0, again.stderr);
  const carriers = [...fake.ls.state.projects.values()].filter(
    (p) => parseMarker(String(p.fields.description ?? ''))?.key === 'legacy',
  );
  assert.is(carriers.length, 1);
  const converged = await cli(['plan', '--detailed-exitcode']);
  assert.is(converged.code, 0, converged.stdout + converged.stderr);
});

test.run();
