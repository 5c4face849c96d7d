/**
 * The label-migration runner and its revert against the fake Label Studio: counts, byte-identical
 * untouched text, annotations with a draft skipped (or written with `deleteDrafts`), a rerun that
 * writes nothing, a person's edit between the listing and the write, a 500 checked and sent again
 * (or found written), a write that keeps failing journaled and retried by the rerun, predictions
 * kept, and a revert that restores every byte.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { readJournal } from '../../src/kinds/project/migrate/io-journal.ts';
import { revertMigration, runMigration, type MigrationProgress } from '../../src/kinds/project/migrate/io-run.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { renameLabel } from '../helpers/label-rename.ts';
import { buildMigrationProject, snapshotResults, type MigrationFixture } from '../helpers/migration-fixture.ts';

let ls: FakeLabelStudio;
let client: LabelStudioClient;
let dir: string;
const map = renameLabel('label', 'Org', 'Organization');

/** What the rename must make of an object's text: `label`'s Org renamed, every other byte kept. */
const renamedText = (text: string) =>
  text.replace(/("from_name":"label"[^}]*"labels":\[)"Org"\]/g, '$1"Organization"]');

test.before(async () => {
  ls = await startFakeLabelStudio();
  client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 4 });
  dir = await mkdtemp(join(tmpdir(), 'lf-migrate-'));
});
test.after(async () => {
  await ls.stop();
  await rm(dir, { recursive: true, force: true });
});

async function fixture(title: string): Promise<MigrationFixture> {
  return buildMigrationProject(client, { title, tasks: 30, apiAnnotations: 12, drafts: 6 });
}

test('run: counts, untouched bytes, drafts kept, a rerun writes nothing, revert restores every byte', async () => {
  const f = await fixture('migrate');
  const before = await snapshotResults(client, f.projectId);
  const journalPath = join(dir, 'run.jsonl');
  const seen: MigrationProgress[] = [];
  const report = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath,
    onProgress: (p) => seen.push(p),
  });
  assert.equal(report.failed, []);
  assert.is(report.counts.annotations, f.expected.annotations);
  assert.is(report.counts.drafts, f.expected.drafts);
  assert.equal(report.counts.predictions, f.expected.predictions);
  assert.is(report.counts.regions, f.expected.regions);
  assert.is(report.counts.skipped, f.expected.skipped);
  assert.equal(
    report.skipped.map((s) => s.id).sort((a, b) => a - b),
    f.withDraft.map((w) => w.annotation).sort((a, b) => a - b),
  );
  assert.is(seen.at(-1)?.done, report.candidates);
  assert.is(seen.at(-1)?.etaMs, 0);

  const after = await snapshotResults(client, f.projectId);
  assert.equal([...after.keys()].sort(), [...before.keys()].sort(), 'the same objects (ids unchanged, drafts kept)');
  const skipped = new Set(report.skipped.map((s) => `annotation:${s.id}`));
  let changed = 0;
  for (const [key, text] of before) {
    const expected = skipped.has(key) ? text : renamedText(text);
    assert.is(after.get(key), expected, key);
    if (expected !== text) changed++;
  }
  const c = report.counts;
  assert.is(changed, c.annotations + c.drafts + Object.values(c.predictions).reduce((a, b) => a + b, 0));

  const journal = (await readJournal(journalPath)).entries;
  assert.is(journal.filter((e) => e.op === 'write').length, changed);
  assert.is(journal.filter((e) => e.op === 'done').length, changed);

  // A rerun maps from the server's content: nothing left to write.
  ls.resetRequestCount();
  const rerun = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath,
  });
  assert.is(rerun.candidates, 0);
  assert.is(rerun.counts.annotations + rerun.counts.drafts, 0);
  assert.equal(await snapshotResults(client, f.projectId), after);

  const reverted = await revertMigration(client, { journalPath, deleteDrafts: false });
  assert.is(reverted.reverted.length, changed);
  assert.equal([reverted.conflicts, reverted.failed, reverted.skipped], [[], [], []]);
  assert.equal(await snapshotResults(client, f.projectId), before);
  // Reverting again finds everything as it was.
  const again = await revertMigration(client, { journalPath, deleteDrafts: false });
  assert.is(again.reverted.length, 0);
  assert.is(again.unchanged.length, changed);
});

test('deleteDrafts: annotations with a draft are written and their drafts go; predictions kept', async () => {
  const f = await fixture('delete drafts');
  const report = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'keep',
    deleteDrafts: true,
    journalPath: join(dir, 'drafts.jsonl'),
    concurrency: 2,
  });
  assert.is(report.counts.skipped, 0);
  assert.is(report.counts.annotations, f.expected.annotations + f.expected.skipped);
  assert.equal(report.counts.predictions, {});
  assert.is(report.read.predictions, 0);
  const drafts = (await client.exportAnnotationsAndDrafts(f.projectId)).flatMap((t) => t.drafts.map((d) => d.id));
  for (const w of f.withDraft) assert.not.ok(drafts.includes(w.draft), `draft ${w.draft} deleted with its annotation`);
  assert.is(drafts.length, f.expected.drafts - f.withDraft.length);
  // Read again after the writes: seen gone, so counted as deleted, not rewritten.
  assert.equal(
    [...report.draftsDeleted].sort((a, b) => a - b),
    f.withDraft.map((w) => w.draft).sort((a, b) => a - b),
  );
  assert.is(report.counts.drafts, f.expected.drafts - f.withDraft.length);
  assert.equal(report.gone, []);
  for (const p of await client.listPredictions(f.projectId))
    assert.not.ok(JSON.stringify(p.result).includes('Organization'), 'predictions kept');
});

test('deleteDrafts on a server that keeps the draft of a written annotation: the draft is read again and rewritten', async () => {
  const f = await fixture('drafts kept');
  // Every release from 1.8.2 deletes it; a server that does not must not leave an old label behind.
  const keeping: LabelStudioClient = {
    ...client,
    writeResult: async (type, id, text) => {
      const task =
        type === 'annotation'
          ? [...ls.state.tasks.values()].find((t) => t.annotations.some((a) => a.id === id))
          : undefined;
      const kept = task?.drafts?.filter((d) => d.annotation === id) ?? [];
      const written = await client.writeResult(type, id, text);
      if (task && kept.length) task.drafts = [...(task.drafts ?? []), ...kept];
      return written;
    },
  };
  const report = await runMigration(keeping, {
    projectId: f.projectId,
    map,
    predictions: 'keep',
    deleteDrafts: true,
    journalPath: join(dir, 'drafts-kept.jsonl'),
  });
  assert.equal(report.failed, []);
  assert.equal(report.draftsDeleted, []);
  assert.is(report.counts.drafts, f.expected.drafts);
  for (const w of f.withDraft) {
    const d = await client.getDraft(w.draft);
    assert.ok(JSON.stringify(d.result).includes('Organization'), `draft ${w.draft} rewritten`);
    assert.is(map(d.result), undefined, `draft ${w.draft}: no Org left in "label"`);
  }
});

test('a server that ignores the project filter of the predictions list: no prediction of another project is written', async () => {
  const f = await fixture('own predictions');
  const other = await fixture('other predictions');
  const otherBefore = await snapshotResults(client, other.projectId);
  // Label Studio before 1.13 has no `project` filter there and answers with the organization's predictions.
  const everyProject: LabelStudioClient = {
    ...client,
    listPredictions: async () => [
      ...(await client.listPredictions(f.projectId)),
      ...(await client.listPredictions(other.projectId)),
    ],
  };
  const report = await runMigration(everyProject, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath: join(dir, 'own-predictions.jsonl'),
  });
  assert.equal(report.counts.predictions, f.expected.predictions);
  assert.equal(await snapshotResults(client, other.projectId), otherBefore);
});

test('a person editing an annotation during the run: the edit survives (remapped), or is reported', async () => {
  const f = await fixture('concurrent edit');
  const listed = (await client.exportAnnotationsAndDrafts(f.projectId)).flatMap((t) => t.annotations);
  const withOrg = listed.filter((a) => map(a.result) !== undefined).sort((a, b) => b.id - a.id);
  const [edited, emptied] = withOrg;
  let once = false;
  const report = await runMigration(client, {
    projectId: f.projectId,
    map,
    predictions: 'rewrite',
    deleteDrafts: false,
    journalPath: join(dir, 'edit.jsonl'),
    concurrency: 1,
    onProgress: (p) => {
      if (once || p.done !== 1) return;
      once = true;
      // After the listing, before these two (the last ones) are read again and written.
      const task = ls.state.tasks.get(Number(edited!.task))!;
      const a = task.annotations.find((x) => x.id === edited!.id)!;
      a.result = [
        ...(a.result as unknown[]),
        {
          id: 'person',
          from_name: 'label',
          to_name: 'text',
          type: 'labels',
          value: { start: 9, end: 12, labels: ['Org'] },
        },
      ];
      delete a.resultText;
      const t2 = ls.state.tasks.get(Number(emptied!.task))!;
      const b = t2.annotations.find((x) => x.id === emptied!.id)!;
      b.result = [];
      delete b.resultText;
    },
  });
  assert.equal(
    report.changedMeanwhile.map((c) => [c.id, c.outcome]).sort(),
    [
      [edited!.id, 'remapped'],
      [emptied!.id, 'no-longer-applies'],
    ].sort(),
  );
  const now = (await client.getAnnotation(edited!.id)).result as Array<{ id: string; value: { labels: string[] } }>;
  const person = now.find((r) => r.id === 'person');
  assert.equal(person?.value.labels, ['Organization'], "the person's region is kept, and migrated");
  assert.equal((await client.getAnnotation(emptied!.id)).result, []);
});

const noWait = () => Promise.resolve();

test('a 500 before the server wrote: the object is read again and sent again, once landed it is done', async () => {
  const f = await fixture('500 not written');
  const proxy = await startFaultProxy(ls.url);
  try {
    const viaProxy = createClient({ baseUrl: proxy.url, token: ls.token, maxRetries: 0 });
    proxy.inject({ method: 'PATCH', path: /^\/api\/annotations\//, times: 2, fault: { kind: 'status', status: 500 } });
    const report = await runMigration(viaProxy, {
      projectId: f.projectId,
      map,
      predictions: 'rewrite',
      deleteDrafts: false,
      journalPath: join(dir, '500-not-written.jsonl'),
      sleep: noWait,
    });
    assert.equal(report.failed, []);
    assert.is(report.counts.annotations, f.expected.annotations);
    const refused = proxy.seen.filter((r) => r.method === 'PATCH' && r.fault !== undefined);
    assert.is(refused.length, 2);
    const landed = proxy.seen.filter((r) => r.method === 'PATCH' && r.fault === undefined).map((r) => r.path);
    assert.is(new Set(landed).size, landed.length, 'no object written twice');
    for (const r of refused) assert.ok(landed.includes(r.path), `${r.path} sent again after its 500`);
  } finally {
    await proxy.close();
  }
});

test('a 500 after the server wrote: read again, found written, not sent a second time', async () => {
  const f = await fixture('500 written');
  const proxy = await startFaultProxy(ls.url);
  try {
    const viaProxy = createClient({ baseUrl: proxy.url, token: ls.token, maxRetries: 0 });
    proxy.inject({
      method: 'PATCH',
      path: /^\/api\/annotations\//,
      times: 1,
      fault: { kind: 'status-after-forward', status: 500 },
    });
    const report = await runMigration(viaProxy, {
      projectId: f.projectId,
      map,
      predictions: 'rewrite',
      deleteDrafts: false,
      journalPath: join(dir, '500-written.jsonl'),
      sleep: noWait,
    });
    assert.equal(report.failed, []);
    assert.is(report.counts.annotations, f.expected.annotations);
    const patches = proxy.seen.filter((r) => r.method === 'PATCH').map((r) => r.path);
    assert.is(new Set(patches).size, patches.length, 'no object sent twice');
  } finally {
    await proxy.close();
  }
});

test('a write that keeps failing is data in the report and the journal; the rerun writes it, nothing twice', async () => {
  const f = await fixture('failed write');
  const proxy = await startFaultProxy(ls.url);
  try {
    const viaProxy = createClient({ baseUrl: proxy.url, token: ls.token, maxRetries: 0 });
    proxy.inject({ method: 'PATCH', path: /^\/api\/annotations\//, times: 3, fault: { kind: 'status', status: 500 } });
    const journalPath = join(dir, 'failed.jsonl');
    const options = {
      projectId: f.projectId,
      map,
      predictions: 'rewrite',
      deleteDrafts: false,
      journalPath,
      sleep: noWait,
      concurrency: 1, // one object at a time: the three 500s all meet the first one
    } as const;
    const first = await runMigration(viaProxy, options);
    assert.is(first.failed.length, 1);
    assert.match(first.failed[0]!.error, /PATCH \/api\/annotations\/\d+\/ failed with HTTP 500/);
    const refused = proxy.seen.filter((r) => r.method === 'PATCH' && r.fault !== undefined).map((r) => r.path);
    assert.equal(refused, [refused[0], refused[0], refused[0]], 'one object, sent three times in all');
    const entries = (await readJournal(journalPath)).entries;
    assert.ok(entries.some((e) => e.op === 'failed' && e.id === first.failed[0]!.id));
    const second = await runMigration(viaProxy, options);
    assert.is(second.candidates, 1);
    assert.is(second.counts.annotations, 1);
    const patches = proxy.seen.filter((r) => r.method === 'PATCH' && r.fault === undefined).map((r) => r.path);
    assert.is(new Set(patches).size, patches.length, 'no object written twice');
  } finally {
    await proxy.close();
  }
});

test.run();
