/**
 * A label migration on a real Label Studio: a project holding a few hundred annotations (imported
 * with the tasks and made through the API), drafts and predictions of two model versions, `Org`
 * renamed to `Organization` on one control while another control holding `Org` stays untouched.
 *
 * - Counts, byte-identical untouched text, ids and regions unchanged, the annotations with a draft
 *   skipped and their drafts kept; a person's edit made during the run survives (in-process).
 * - `kill -9` of the runner (a child process, through a proxy that counts the PATCHes) at ten
 *   random points, then a rerun: it converges, and no object is written twice.
 * - The revert restores every byte.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/kinds/project/migrate/io-journal.ts';
import { revertMigration, runMigration, type ResultMapping } from '../../src/kinds/project/migrate/io-run.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { renameLabel, renamedOrgText } from '../helpers/label-rename.ts';
import { buildMigrationProject, snapshotResults } from '../helpers/migration-fixture.ts';
import { api, realServer, REPO_ROOT, resetServer } from './support.ts';

const client = api();
const map: ResultMapping = renameLabel('label', 'Org', 'Organization');
let dir: string;

/** What the rename must make of an object's text: `label`'s Org renamed, every other byte kept. */
const renamedText = renamedOrgText;

test.before(async () => {
  await resetServer(client);
  dir = await mkdtemp(join(tmpdir(), 'lf-e2e-migrate-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('run on the real server: counts, bytes, drafts kept, a concurrent edit survives, a rerun writes nothing, revert', async () => {
  const f = await buildMigrationProject(client, {
    title: 'e2e migrate counts',
    tasks: 40,
    apiAnnotations: 12,
    drafts: 4,
  });
  const before = await snapshotResults(client, f.projectId);
  const listed = (await client.exportAnnotationsAndDrafts(f.projectId)).flatMap((t) => t.annotations);
  const edited = listed
    .filter((a) => map(a.result) !== undefined && !f.withDraft.some((w) => w.annotation === a.id))
    .sort((a, b) => b.id - a.id)[0]!;
  let editedText = '';
  const journalPath = join(dir, 'counts.jsonl');
  let editing: Promise<void> | undefined;
  const report = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath,
    concurrency: 1,
    onProgress: (p) => {
      if (p.done !== 1 || editing) return;
      // A person adds a region to an annotation the run has listed but not reached yet.
      editing = (async () => {
        const now = await client.readResult('annotation', edited.id);
        const added = `{"id":"person","from_name":"label","to_name":"text","type":"labels","value":{"start":50,"end":53.0,"text":"abc","labels":["Org"]}}`;
        await client.writeResult('annotation', edited.id, `${now.resultText.slice(0, -1)},${added}]`);
        // As stored (PostgreSQL's jsonb orders the keys; the PATCH answer echoes them as sent).
        editedText = (await client.readResult('annotation', edited.id)).resultText;
      })();
    },
  });
  await editing;
  assert.equal(report.failed, []);
  assert.equal(report.changedMeanwhile, [
    { type: 'annotation', id: edited.id, task: Number(edited.task), outcome: 'remapped' },
  ]);
  assert.is(report.counts.annotations, f.expected.annotations);
  assert.is(report.counts.drafts, f.expected.drafts);
  assert.equal(report.counts.predictions, f.expected.predictions);
  assert.is(report.counts.regions, f.expected.regions + 1, 'the person’s region too');
  assert.is(report.counts.skipped, f.expected.skipped);

  const after = await snapshotResults(client, f.projectId);
  assert.equal([...after.keys()].sort(), [...before.keys()].sort(), 'same annotation, draft and prediction ids');
  const skipped = new Set(report.skipped.map((s) => `annotation:${s.id}`));
  for (const [key, text] of before) {
    if (key === `annotation:${edited.id}`) assert.is(after.get(key), renamedText(editedText), 'the edit survives');
    else assert.is(after.get(key), skipped.has(key) ? text : renamedText(text), key);
  }
  const rerun = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath,
  });
  assert.is(rerun.candidates, 0);

  const reverted = await revertMigration(client, { journalPath, deleteDrafts: false });
  assert.equal([reverted.conflicts, reverted.failed, reverted.skipped], [[], [], []]);
  const restored = await snapshotResults(client, f.projectId);
  for (const [key, text] of before)
    assert.is(restored.get(key), key === `annotation:${edited.id}` ? editedText : text, key);
});

test('kill -9 at ten random points, then a rerun: converges, no object written twice, revert restores every byte', async () => {
  const f = await buildMigrationProject(client, {
    title: 'e2e migrate kill',
    tasks: 200,
    apiAnnotations: 40,
    drafts: 8,
  });
  const before = await snapshotResults(client, f.projectId);
  const proxy = await startFaultProxy(realServer().url);
  const journalPath = join(dir, 'kill.jsonl');
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let kills = 0;
  try {
    let finished = false;
    // Ten kills: the first three at a random moment after the run's first request (the listing,
    // the first writes, a journal line half written), then seven once a random share (up to a quarter) of
    // what that run found to do is done. Then a run to the end.
    for (let round = 0; round < 11 && !finished; round++) {
      const kill: KillAt =
        round >= 10
          ? { never: true }
          : round < 3
            ? { afterMs: Math.floor(random() * 1500) }
            : { share: 0.01 + random() * 0.24 };
      const run = runChild(proxy, [String(f.projectId), journalPath, 'label', 'Org', 'Organization', '4'], kill);
      const { code, signal, stdout, stderr } = await run;
      if (signal === 'SIGKILL') {
        kills++;
        continue;
      }
      assert.is(code, 0, stderr);
      finished = true;
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        failed: unknown[];
        counts: { skipped: number };
      };
      assert.equal(report.failed, []);
      assert.is(report.counts.skipped, f.expected.skipped);
    }
    assert.is(kills, 10, 'killed ten times before the run to the end');
    assert.ok(finished, 'a run finished');
    // Written = answered 2xx by the server (a 500 that the runner found unwritten and sent again is not a write).
    const patches = proxy.seen
      .filter((r) => r.method === 'PATCH' && r.status !== undefined && r.status < 300)
      .map((r) => r.path);
    assert.is(new Set(patches).size, patches.length, 'no object written twice');
    const changed =
      f.expected.annotations + f.expected.drafts + Object.values(f.expected.predictions).reduce((a, b) => a + b, 0);
    assert.is(patches.length, changed);

    const after = await snapshotResults(client, f.projectId);
    assert.equal([...after.keys()].sort(), [...before.keys()].sort());
    const skipped = new Set(f.withDraft.map((w) => `annotation:${w.annotation}`));
    for (const [key, text] of before) assert.is(after.get(key), skipped.has(key) ? text : renamedText(text), key);
    const writes = (await readJournal(journalPath)).entries.filter((e) => e.op === 'write');
    assert.ok(writes.length >= changed, 'every write journaled before it was made');
  } finally {
    await proxy.close();
  }
  const reverted = await revertMigration(client, { journalPath, deleteDrafts: false, concurrency: 4 });
  assert.equal([reverted.conflicts, reverted.failed], [[], []]);
  assert.equal(await snapshotResults(client, f.projectId), before);
});

type KillAt = { readonly never: true } | { readonly afterMs: number } | { readonly share: number };

/**
 * The runner as a child process, killed with SIGKILL a time after its first request reached the
 * proxy, or once it reported a share of its objects done.
 */
function runChild(
  proxy: FaultProxy,
  args: string[],
  kill: KillAt,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test/helpers/migrate-child.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: realServer().token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  if ('afterMs' in kill) proxy.onRequest = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), kill.afterMs));
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const m = /progress (\d+)\/(\d+)\n$/.exec(stdout);
    if (m && 'share' in kill && Number(m[1]) >= Math.ceil(Number(m[2]) * kill.share)) child.kill('SIGKILL');
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      proxy.onRequest = undefined;
      res({ code, signal, stdout, stderr });
    }),
  );
}

test.run();
