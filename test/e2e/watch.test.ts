/**
 * `labelform watch` on the real Label Studio, as a service is run: the published bin on the built
 * dist/, `--json --interval 1s`, on a checkout whose project was applied. A title edited on the
 * server (the PATCH the UI sends) is one `drift` event on the server side; the title put back is
 * one `resolved`; nothing else is reported; SIGTERM stops it with exit 0. Waits are on what the
 * CLI prints (its `cycle` debug lines and events), never on the clock.
 */
import type { ChildProcess } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { removeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  realServer,
  spawnBuiltCli,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const ns = uniqueNamespace('watch');
const client = api();
const TITLE = `Watch ${ns}`;
let dir = '';

test.before(async () => {
  dir = await makeRepo(ns, {
    'news/project.yaml': projectManifest(
      'news',
      `  title: ${TITLE}\n  color: "#112233"\n  label_config:\n    file: ./config.xml\n`,
    ),
    'news/config.xml': TEXT_CHOICES(['Positive', 'Negative']),
  });
});

test.after(async () => {
  await markedProjectId(ns, 'news', client)
    .then((id) => client.deleteProject(id))
    .catch(() => undefined);
  if (dir) await removeTree(dir);
});

/** An event line of `watch --json` (docs/commands.md), as far as this test reads it. */
interface Event {
  readonly event: string;
  readonly kind: string;
  readonly key: string;
  readonly id?: number;
  readonly change?: string;
  readonly side?: string;
  readonly fields?: ReadonlyArray<{ readonly field: string }>;
}

/** Resolves once `predicate` holds, checking whenever the child writes; rejects if it exits first. */
function until(child: ChildProcess, predicate: () => boolean, what: string, output: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      off();
      resolve();
    };
    const exited = (code: number | null) => {
      off();
      reject(new Error(`the CLI exited (${code}) before ${what}:\n${output()}`));
    };
    const off = () => {
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
    check();
  });
}

test('a title edited on the server: one drift (side server), one resolved when put back; SIGTERM exits 0', async () => {
  const applied = await cli(dir, ['apply', '--auto-approve'], { GITHUB_SHA: '1'.repeat(40) });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const id = await markedProjectId(ns, 'news', client);

  const { child, done } = spawnBuiltCli(dir, ['watch', '--json', '--debug', '--interval', '1s']);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr.slice(-4000)}`;
  const events = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Event);
  const cycles = () => (stderr.match(/"msg":"cycle"/g) ?? []).length;
  // Only a guard against a hang (it kills the CLI, so the waits below fail): no assertion on time.
  const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
  try {
    await until(child, () => cycles() >= 1, 'its first cycle', output);
    assert.equal(events(), [], 'the applied project matches git: nothing to report at start');

    await client.updateProject(id, { title: `${TITLE} (edited in the UI)` });
    await until(child, () => events().length >= 1, 'the drift event', output);
    const [drift] = events();
    assert.is(drift!.event, 'drift', output());
    assert.equal(
      [drift!.kind, drift!.key, drift!.id, drift!.change, drift!.side],
      ['Project', 'news', id, 'changed', 'server'],
      output(),
    );
    assert.equal(
      drift!.fields!.map((f) => f.field),
      ['title'],
    );

    await client.updateProject(id, { title: TITLE });
    await until(child, () => events().length >= 2, 'the resolved event', output);
    // A cycle's events come before its `cycle` line: two more lines are at least one whole cycle after.
    const seen = cycles();
    await until(child, () => cycles() >= seen + 2, 'a cycle after the resolution', output);

    child.kill('SIGTERM');
    const r = await done;
    assert.equal([r.code, r.signal], [0, null], output());
    assert.equal(
      events().map((e) => `${e.event} ${e.kind}/${e.key} ${e.side}`),
      ['drift Project/news server', 'resolved Project/news server'],
      'each change of state once, nothing more',
    );
    assert.not.ok(stderr.includes(realServer().token), 'the token never appears in the logs');
    const requests = [...stderr.matchAll(/"msg":"cycle".*?"requests":(\d+)/g)].map((m) => Number(m[1]));
    console.log(`    ${requests.length} cycles; requests per cycle: ${[...new Set(requests)].join(', ')}`);
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
  }
});

test.run();
