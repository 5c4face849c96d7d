/**
 * A label migration on a real Label Studio: a project holding a few hundred annotations (imported
 * with the tasks and made through the API), drafts and predictions of two model versions, `Org`
 * renamed to `Organization` on one control while another control holding `Org` stays untouched.
 *
 * - Counts, byte-identical untouched text, ids and regions unchanged, the annotations with a draft
 *   skipped and their drafts kept; a person's edit made during the run survives (in-process).
 * - `kill -9` of the runner (a child process, through a proxy that counts the PATCHes) at ten
 *   random points, then a rerun: it converges, and no object is written twice (but one whose
 *   write was in flight at a kill and reached the server after the next run read it).
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
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../helpers/fault-proxy.ts';
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
  const t0 = Date.now();
  /** Per round: when it started and ended, and whether it was killed. */
  const rounds: Array<{ start: number; end: number; killed: boolean }> = [];
  try {
    let finished = false;
    // Ten kills: the first three at a random moment within 400 ms of the run's first request (the
    // listing, the first writes, a journal line half written: later, on a quiet machine, a run
    // could end before its kill), then seven once a random share (up to a quarter) of what that
    // run found to do is done. Then a run to the end.
    for (let round = 0; round < 11 && !finished; round++) {
      const kill: KillAt =
        round >= 10
          ? { never: true }
          : round < 3
            ? { afterMs: Math.floor(random() * 400) }
            : { share: 0.01 + random() * 0.24 };
      const run = runChild(proxy, [String(f.projectId), journalPath, 'label', 'Org', 'Organization', '4'], kill);
      const start = Date.now();
      const { code, signal, stdout, stderr } = await run;
      rounds.push({ start, end: Date.now(), killed: signal === 'SIGKILL' });
      if (signal === 'SIGKILL') {
        kills++;
        continue;
      }
      assert.is(code, 0, stderr);
      assert.is(round, 10, `round ${round}: the run ended before its kill (${JSON.stringify(kill)})`);
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
    // Written = answered 2xx by the server (a 500 that the runner found unwritten and sent again is
    // not a write). A PATCH in flight when its run was killed is still carried out by the server,
    // and may land only after the next run read the object: no client can know of it, so that
    // object is written again, with the same text. Every other object is written once.
    const patches = proxy.seen.filter((r) => r.method === 'PATCH' && r.status !== undefined && r.status < 300);
    const landedLate = (r: SeenRequest) =>
      rounds.some((k) => k.killed && r.at >= k.start && r.at <= k.end && (r.doneAt ?? 0) > k.end);
    const byPath = new Map<string, SeenRequest[]>();
    for (const w of patches) byPath.set(w.path, [...(byPath.get(w.path) ?? []), w]);
    const twice = [...byPath].filter(([, ws]) => ws.filter((w) => !landedLate(w)).length > 1 || ws.length > 2);
    const late = [...byPath.values()].filter((ws) => ws.length > 1).length - twice.length;
    assert.equal(
      twice.map(([p, ws]) => ({ p, writes: ws.map((w) => `${w.at - t0}-${(w.doneAt ?? 0) - t0} ms`) })),
      [],
      `no object written twice (rounds: ${rounds.map((k) => `${k.start - t0}-${k.end - t0} ms${k.killed ? ' killed' : ''}`).join('; ')})`,
    );
    const changed =
      f.expected.annotations + f.expected.drafts + Object.values(f.expected.predictions).reduce((a, b) => a + b, 0);
    assert.is(byPath.size, changed, 'every object written');
    process.stdout.write(
      `\n    ${patches.length} writes of ${changed} objects after 10 kills: ${late} in flight at a kill landed after the next run read the object\n`,
    );

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
