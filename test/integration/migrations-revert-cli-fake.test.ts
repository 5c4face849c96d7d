/**
 * `labelform migrations revert --journal FILE` against the fake: restores every byte, says what
 * it did, a second run finds everything reverted; a missing journal is a one-line error.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMigration } from '../../src/kinds/project/migrate/io-run.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { renameLabel } from '../helpers/label-rename.ts';
import { buildMigrationProject, snapshotResults } from '../helpers/migration-fixture.ts';

const f = useFakeCli(test);

test('revert from the journal: byte-identical, then nothing left to do', async () => {
  const fixture = await buildMigrationProject(f.client, {
    title: 'cli revert',
    tasks: 12,
    apiAnnotations: 4,
    drafts: 2,
  });
  const before = await snapshotResults(f.client, fixture.projectId);
  const dir = await f.repo({});
  const journal = join(dir, 'migration.jsonl');
  const report = await runMigration(f.client, {
    projectId: fixture.projectId,
    map: renameLabel('label', 'Org', 'Organization'),
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath: journal,
  });
  const written =
    report.counts.annotations +
    report.counts.drafts +
    Object.values(report.counts.predictions).reduce((a, b) => a + b, 0);
  assert.ok(written > 0);
  const first = await f.cli(dir, ['migrations', 'revert', '--journal', 'migration.jsonl', '-q']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, `Reverted ${written} object(s); 0 already held their old result.`);
  assert.equal(await snapshotResults(f.client, fixture.projectId), before);
  const second = await f.cli(dir, ['migrations', 'revert', '--journal', 'migration.jsonl', '-q']);
  assert.is(second.code, 0);
  assert.match(second.stdout, `Reverted 0 object(s); ${written} already held their old result.`);
});

test('a missing journal: one line naming the option, exit 1', async () => {
  const dir = await f.repo({});
  const r = await f.cli(dir, ['migrations', 'revert', '--journal', 'nope.jsonl']);
  assert.is(r.code, 1);
  assert.match(r.stderr, '--journal nope.jsonl: no such file');
  assert.not.match(r.stderr, /\bat \S+\.ts:\d+/);
});

test.run();
