/**
 * A repository pruned to zero projects (issue 8): labelform.yaml with no manifests is a valid,
 * empty desired state, so `plan --prune` lists every project of the namespace for deletion (and
 * nothing else), `apply --prune` deletes them, and the next plan has no changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMarker, parseMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, runCli } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test, { emptyEachTest: false });

test('plan --prune of an empty repository deletes every project of its namespace, and only those', async () => {
  const client = fake.client;
  const mine = [
    await client.createProject({
      title: 'First',
      description: `Some text\n\n${formatMarker({ namespace: 'emptied', key: 'first' })}`,
    }),
    await client.createProject({ title: 'Second', description: formatMarker({ namespace: 'emptied', key: 'second' }) }),
  ];
  const theirs = await client.createProject({
    title: 'Theirs',
    description: formatMarker({ namespace: 'other-team', key: 'first' }),
  });
  const unmanaged = await client.createProject({ title: 'By hand' });

  const dir = await fake.tree({
    'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: emptied\n',
    'README.md': '# all projects retired\n',
  });
  const cli = (args: string[]) =>
    runCli([...args, '-C', dir], {
      env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token },
      cwd: dir,
    });

  const planned = await cli(['plan', '--prune', '--json']);
  assert.is(planned.code, 0, planned.stderr);
  assert.not.ok(hasStackTrace(planned.stderr));
  const plan = JSON.parse(planned.stdout) as {
    changes: Array<{ action: string; id?: number; key: string }>;
    summary: { delete: number; errors: number };
  };
  assert.equal(plan.changes.map((c) => [c.action, c.key, c.id]).sort(), [
    ['delete', 'first', mine[0]!.id],
    ['delete', 'second', mine[1]!.id],
  ]);
  assert.is(plan.summary.errors, 0);

  const applied = await cli(['apply', '--prune', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const left = [...fake.ls.state.projects.values()].map((p) => p.id).sort((a, b) => a - b);
  assert.equal(left, [theirs.id, unmanaged.id]);
  assert.ok(
    [...fake.ls.state.projects.values()].every(
      (p) => parseMarker(String(p.fields.description ?? ''))?.namespace !== 'emptied',
    ),
  );

  const again = await cli(['plan', '--prune', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
});

test.run();
