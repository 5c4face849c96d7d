/**
 * A saved plan is a contract, on the real Label Studio: `apply PLANFILE` plans again at the
 * moment of writing and goes ahead only when the fresh plan yields exactly the saved changes.
 * Each attack found in review is refused with a message naming its cause, and nothing is sent.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, runCli } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  projectManifest,
  serverEnv,
  TEXT_CHOICES,
  uniqueNamespace,
  markedProjectId,
} from './support.ts';

const client = api();
const cleanup: number[] = [];

test.after(async () => {
  for (const id of cleanup) await client.deleteProject(id).catch(() => undefined);
});

const spec = (ns: string, choices: string[], extra = '') =>
  `  title: Contract ${ns}\n  color: "#101010"\n${extra}  label_config: |\n${TEXT_CHOICES(choices)
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n')}`;

/** A managed project with choices A and B, one task, and one annotation choosing A. */
async function annotatedProject(): Promise<{
  ns: string;
  dir: string;
  id: number;
  taskId: number;
  annotationId: number;
}> {
  const ns = uniqueNamespace('contract');
  const dir = await makeRepo(ns, { 'p.yaml': projectManifest('sentiment', spec(ns, ['A', 'B'])) });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const id = await markedProjectId(ns, 'sentiment');
  cleanup.push(id);
  await client.importTasks(id, [{ text: 'first' }]);
  const taskId = (await client.listTasksPage(id, 1)).tasks[0]!.id;
  const annotation = await client.createAnnotation(taskId, { result: [choice('A')] });
  return { ns, dir, id, taskId, annotationId: annotation.id };
}

const choice = (label: string) => ({
  from_name: 'sentiment',
  to_name: 'text',
  type: 'choices',
  value: { choices: [label] },
});

/** Plans removing B (clean: only A is used) and saves it. */
async function planRemovingB(p: { ns: string; dir: string }): Promise<string> {
  await writeFile(join(p.dir, 'p.yaml'), projectManifest('sentiment', spec(p.ns, ['A'])));
  const file = join(p.dir, 'plan.json');
  const planned = await cli(p.dir, ['plan', '--out', file]);
  assert.is(planned.code, 0, planned.stdout + planned.stderr);
  return file;
}

async function assertRefused(
  dir: string,
  file: string,
  cause: RegExp,
  id: number,
  configBefore: string,
): Promise<void> {
  const r = await cli(dir, ['apply', file]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, cause);
  assert.not.ok(hasStackTrace(r.stdout + r.stderr));
  assert.is((await client.getProject(id)).label_config, configBefore, 'nothing was sent');
}

test('an annotation relabelled to the removed label after the plan: refused', async () => {
  const p = await annotatedProject();
  const file = await planRemovingB(p);
  const before = (await client.getProject(p.id)).label_config;
  await client.http.request('PATCH', `/api/annotations/${p.annotationId}/`, {
    data: { result: [choice('B')] },
    idempotent: true,
  });
  await assertRefused(
    p.dir,
    file,
    /does not match a fresh plan; nothing was applied:\n {2}- a fresh plan has an error at .*p\.yaml:\d+: label "B" of Choices "sentiment" is removed but 1 annotation uses it/,
    p.id,
    before,
  );
});

test('a draft saved with the removed label after the plan: refused', async () => {
  const p = await annotatedProject();
  const file = await planRemovingB(p);
  const before = (await client.getProject(p.id)).label_config;
  await client.http.request('POST', `/api/tasks/${p.taskId}/drafts`, { data: { result: [choice('B')] } });
  await assertRefused(
    p.dir,
    file,
    /a fresh plan has an error at .*p\.yaml:\d+: label "B" of Choices "sentiment" is removed but 1 annotation uses it/,
    p.id,
    before,
  );
});

test('hand-edited plan files: a deleted digest, a no-op turned into a delete, an edited value, another environment', async () => {
  const p = await annotatedProject();
  const before = (await client.getProject(p.id)).label_config;

  // No digest: not a plan this labelform wrote.
  const file = await planRemovingB(p);
  const saved = JSON.parse(await readFile(file, 'utf8'));
  const noDigest = join(p.dir, 'no-digest.json');
  const { desiredDigest: _gone, ...rest } = saved;
  await writeFile(noDigest, JSON.stringify(rest));
  await assertRefused(p.dir, noDigest, /is not a valid plan: \/: missing required field "desiredDigest"/, p.id, before);

  // An edited value.
  const edited = join(p.dir, 'edited.json');
  const change = saved.changes[0];
  await writeFile(
    edited,
    JSON.stringify({
      ...saved,
      changes: [
        {
          ...change,
          fields: change.fields.map((f: { field: string }) =>
            f.field === 'label_config' ? { ...f, after: TEXT_CHOICES(['A', 'Z']) } : f,
          ),
        },
      ],
    }),
  );
  await assertRefused(
    p.dir,
    edited,
    /sentiment \(id \d+\): field label_config would be set to a value other than the plan says/,
    p.id,
    before,
  );

  // Another environment, by name.
  const otherEnv = join(p.dir, 'other-env.json');
  await writeFile(otherEnv, JSON.stringify({ ...saved, server: { ...saved.server, environment: 'production' } }));
  await assertRefused(p.dir, otherEnv, /the plan was made for environment "production", not "default"/, p.id, before);

  // A no-op turned into a delete: the manifest still exists, and no --prune was given.
  await writeFile(join(p.dir, 'p.yaml'), projectManifest('sentiment', spec(p.ns, ['A', 'B'])));
  const noop = join(p.dir, 'noop.json');
  assert.is((await cli(p.dir, ['plan', '--out', noop])).code, 0);
  const np = JSON.parse(await readFile(noop, 'utf8'));
  assert.equal(
    np.changes.map((c: { action: string }) => c.action),
    ['no-op'],
  );
  await writeFile(
    noop,
    JSON.stringify({
      ...np,
      changes: [{ ...np.changes[0], action: 'delete' }],
      summary: { ...np.summary, delete: 1, noop: 0 },
    }),
  );
  await assertRefused(
    p.dir,
    noop,
    new RegExp(`sentiment: the plan says delete of id ${p.id}, a fresh plan has no such change`),
    p.id,
    before,
  );
  assert.ok(await client.getProject(p.id), 'the project is still there');
});

test('a relabel while apply waits at its confirmation prompt is caught right before the PATCH', async () => {
  const p = await annotatedProject();
  await writeFile(join(p.dir, 'p.yaml'), projectManifest('sentiment', spec(p.ns, ['A'])));
  const before = (await client.getProject(p.id)).label_config;
  const r = await runCli(['apply', '-C', p.dir], {
    env: serverEnv(),
    cwd: p.dir,
    interactive: true,
    answers: [
      async () => {
        // The plan was shown (clean: only A is used); someone relabels before "yes" is typed.
        await client.http.request('PATCH', `/api/annotations/${p.annotationId}/`, {
          data: { result: [choice('B')] },
          idempotent: true,
        });
        return 'yes';
      },
    ],
  });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /sentiment \(id \d+\) update failed: label_config was not sent: label "B" of Choices "sentiment" is removed but 1 annotation uses it/,
  );
  assert.is((await client.getProject(p.id)).label_config, before, 'nothing was sent');
});

test('an untouched saved plan applies, and the next plan has no changes', async () => {
  const p = await annotatedProject();
  const file = await planRemovingB(p);
  const r = await cli(p.dir, ['apply', file]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /sentiment \(id \d+\) updated: label_config/);
  assert.is((await cli(p.dir, ['plan', '--detailed-exitcode'])).code, 0);
});

test.run();
