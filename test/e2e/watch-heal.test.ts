/**
 * `watch --self-heal` on the real Label Studio: a title changed through the API (as the UI saves
 * it) is put back once and reported (`drift`, `healed`, `resolved`); a second edit within 5
 * minutes is reported and left as the person made it. SIGTERM the moment a drift is reported (the
 * heal about to run or running): exit 0, the project either healed or as the person left it,
 * never anything between, and the next watcher converges.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { api, cli, makeRepo, markedProjectId, projectManifest, TEXT_CHOICES, uniqueNamespace } from './support.ts';
import { startWatch } from './watch-process.ts';

const client = api();

async function appliedProject(): Promise<{ dir: string; id: number; title: string }> {
  const ns = uniqueNamespace('heal');
  const title = `Heal ${ns}`;
  const dir = await makeRepo(ns, {
    'news/project.yaml': projectManifest(
      'news',
      `  title: ${title}\n  color: "#112233"\n  label_config:\n    file: ./config.xml\n`,
    ),
    'news/config.xml': TEXT_CHOICES(['Positive', 'Negative']),
  });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const id = await markedProjectId(ns, 'news', client);
  assert.ok(id, 'the applied project carries its marker');
  return { dir, id: id, title };
}

const kinds = (w: ReturnType<typeof startWatch>) => w.events.map((x) => String(x.e.event));

test('a title changed on the server is put back once; a second edit within 5 minutes is reported and left', async () => {
  const { dir, id, title } = await appliedProject();
  const w = startWatch(dir, ['--self-heal', '--interval', '1s']);
  try {
    await w.until('the first cycle', () => /watching environment/.test(w.stderr()), 60_000);
    await client.updateProject(id, { title: `${title} (edited in the UI)` });
    await w.until('healed and resolved', () => kinds(w).includes('resolved'), 30_000);
    assert.equal(kinds(w), ['drift', 'healed', 'resolved'], w.stderr());
    assert.equal(w.events[1]!.e.fields, ['title']);
    assert.is((await client.getProject(id)).title, title);
    // A person changes it again at once: reported, not undone.
    await client.updateProject(id, { title: `${title} (edited again)` });
    await w.until('the second drift', () => kinds(w).length > 3, 30_000);
    // A few more cycles (the interval is 1 s): still not undone.
    await new Promise((r) => setTimeout(r, 3_500));
    assert.equal(kinds(w), ['drift', 'healed', 'resolved', 'drift'], w.stderr());
    assert.is((await client.getProject(id)).title, `${title} (edited again)`);
    assert.match(w.stderr(), /not healed: Project\/news: healed .* ago, and changed again/);
  } finally {
    w.child.kill('SIGTERM');
  }
  assert.is((await w.done).code, 0);
});

test('SIGTERM when a drift is reported (the heal next): exit 0, the project healed or as it was left, never between; the next watcher converges', async () => {
  const { dir, id, title } = await appliedProject();
  const edited = `${title} (edited)`;
  const w = startWatch(dir, ['--self-heal', '--interval', '1s']);
  w.onEvent = (e) => {
    if (e.event === 'drift') w.child.kill('SIGTERM');
  };
  await w.until('the first cycle', () => /watching environment/.test(w.stderr()), 60_000);
  await client.updateProject(id, { title: edited, color: '#FF0000' });
  const done = await w.done;
  assert.is(done.code, 0, done.stderr.slice(-2000));
  const now = await client.getProject(id);
  const healed = kinds(w).includes('healed');
  // Both fields put back, or neither: one PATCH writes them.
  if (healed) assert.equal([now.title, now.color], [title, '#112233']);
  else assert.equal([now.title, now.color], [edited, '#FF0000']);
  console.log(`    SIGTERM at the drift: the heal ${healed ? 'finished before the exit' : 'had not started'}`);
  // The next watcher converges: it heals what the first one did not, and then nothing differs.
  const again = startWatch(dir, ['--self-heal', '--interval', '1s']);
  try {
    await again.until('the first cycle', () => /watching environment/.test(again.stderr()), 60_000);
    const end = Date.now() + 30_000;
    for (;;) {
      const p = await client.getProject(id);
      if (p.title === title && p.color === '#112233') break;
      if (Date.now() > end) assert.unreachable(`not healed by the next watcher: ${again.stderr().slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    again.child.kill('SIGTERM');
  }
  assert.is((await again.done).code, 0);
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 0, drift.stdout + drift.stderr);
});

test.run();
