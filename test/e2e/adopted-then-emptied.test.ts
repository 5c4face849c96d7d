/**
 * On the real server (issue 8): a manifest that still says `import: {id}` after its project was
 * deleted in the UI plans a create and drifts as "missing" instead of failing; and a repository
 * whose every manifest was removed is a valid, empty desired state that `apply --prune` empties.
 * One namespace of its own; only its own projects are touched.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { removeTree } from '../helpers/cli.ts';
import { api, cli, makeRepo, projectManifest, uniqueNamespace } from './support.ts';

const ns = uniqueNamespace('h3-adopted');
const client = api();
let dir = '';

/** Projects carrying this namespace's marker (or, with `byTitle`, this test's unique title too). */
async function ours(byTitle = false): Promise<number[]> {
  const ids: number[] = [];
  for await (const page of client.listProjects()) {
    for (const p of page) {
      if (parseMarker(String(p.description ?? ''))?.namespace === ns || (byTitle && String(p.title ?? '').includes(ns)))
        ids.push(p.id);
    }
  }
  return ids.sort((a, b) => a - b);
}

test.after(async () => {
  for (const id of await ours(true)) await client.deleteProject(id);
  if (dir) await removeTree(dir);
});

test('import.id of a deleted project: plan creates (exit 2), drift says missing (exit 2), apply converges; then prune to zero', async () => {
  const title = `Adopted ${ns}`.slice(0, 50);
  const original = await client.createProject({ title });
  // A busy SQLite server may run the POST twice (issue 8): keep one project with this title.
  for (const id of await ours(true)) if (id !== original.id) await client.deleteProject(id);
  dir = await makeRepo(ns, {
    'legacy.yaml': projectManifest('legacy', `  title: ${title}\n`, `import:\n  id: ${original.id}\n`),
  });

  const adopt = await cli(dir, ['apply', '--auto-approve']);
  assert.is(adopt.code, 0, adopt.stdout + adopt.stderr);
  assert.equal(await ours(), [original.id]);

  await client.deleteProject(original.id); // deleted in the UI

  const planned = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(planned.code, 2, planned.stdout + planned.stderr);
  assert.match(
    planned.stdout,
    new RegExp(`legacy\\.yaml:\\d+:\\d+: warning: import\\.id ${original.id}: no project with this id`),
  );
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /legacy: missing/);

  const recreate = await cli(dir, ['apply', '--auto-approve']);
  assert.is(recreate.code, 0, recreate.stdout + recreate.stderr);
  const [created] = await ours();
  assert.ok(created !== undefined && created !== original.id);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);

  // Every manifest retired: an empty desired state, and prune removes what this namespace owns.
  await rm(join(dir, 'legacy.yaml'));
  const validate = await cli(dir, ['validate', dir]);
  assert.is(validate.code, 0, validate.stderr);
  const prune = await cli(dir, ['plan', '--prune', '--json']);
  assert.is(prune.code, 0, prune.stderr);
  const plan = JSON.parse(prune.stdout) as { changes: Array<{ action: string; key: string; id?: number }> };
  assert.equal(
    plan.changes.map((c) => [c.action, c.key, c.id]),
    [['delete', 'legacy', created]],
  );
  const applied = await cli(dir, ['apply', '--prune', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(await ours(), []);
  assert.is((await cli(dir, ['plan', '--prune', '--detailed-exitcode'])).code, 0);
});

test.run();
