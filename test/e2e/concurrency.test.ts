/**
 * Correct in company, on the real Label Studio: racing `apply` runs of one repository, a server
 * that runs a create twice (its SQLite retry middleware, reproduced deterministically by a proxy
 * that delivers the POST twice), and many creates while another client writes to the server.
 * Every case ends with exactly one project per key and a plan with no changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load } from '../helpers/load.ts';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { runCli } from '../helpers/cli.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import {
  api,
  cli,
  makeRepo,
  projectManifest,
  realServer,
  spawnBuiltCli,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const client = api();

/** Marked projects of a namespace on the server: key -> ids. */
async function carriers(namespace: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for await (const page of client.listProjects({ fields: ['id', 'description'] })) {
    for (const p of page) {
      const m = parseMarker(p.description);
      if (m?.namespace !== namespace) continue;
      out.set(
        m.key,
        [...(out.get(m.key) ?? []), p.id].sort((a, b) => a - b),
      );
    }
  }
  return out;
}

async function removeNamespace(namespace: string): Promise<void> {
  for (const ids of (await carriers(namespace)).values()) for (const id of ids) await client.deleteProject(id);
}

function repoOf(namespace: string, keys: readonly string[]): Promise<string> {
  const files: Record<string, string> = {};
  for (const k of keys) {
    files[`${k}/project.yaml`] = projectManifest(
      k,
      `  title: Race ${k}\n  color: "#12AB34"\n  label_config:\n    file: ./config.xml\n`,
    );
    files[`${k}/config.xml`] = TEXT_CHOICES(['Yes', 'No']);
  }
  return makeRepo(namespace, files);
}

const KEYS = ['r1', 'r2', 'r3', 'r4', 'r5'];

const ROUNDS = load(10, 3);

for (const runs of [2, 3]) {
  test(`${runs} apply runs started together, ${ROUNDS} rounds: one project per key every time, and the next plan has no changes`, async () => {
    const summary: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ns = uniqueNamespace(`race${runs}`);
      const dir = await repoOf(ns, KEYS);
      const started = Array.from({ length: runs }, () => spawnBuiltCli(dir, ['apply', '--auto-approve']));
      const results = await Promise.all(started.map((s) => s.done));
      for (const r of results) assert.is(r.code, 0, `round ${round}: ${r.stdout}\n${r.stderr}`);
      const held = await carriers(ns);
      assert.equal([...held.keys()].sort(), KEYS, `round ${round}`);
      for (const [key, ids] of held)
        assert.is(ids.length, 1, `round ${round}: ${key} is carried by ids ${ids.join(', ')}`);
      const plan = await cli(dir, ['plan', '--detailed-exitcode']);
      assert.is(plan.code, 0, `round ${round}: ${plan.stdout}${plan.stderr}`);
      const removed = results.reduce(
        (n, r) =>
          n +
          (/(\d+) empty cop(?:y|ies) of created projects removed/.exec(r.stdout)?.[1]
            ? Number(/(\d+) empty cop/.exec(r.stdout)![1])
            : 0),
        0,
      );
      const found = results.reduce((n, r) => n + (r.stdout.match(/already carrying the marker/g)?.length ?? 0), 0);
      summary.push(`${removed}/${found}`);
      await removeNamespace(ns);
    }
    // Which run made what differs each round; the outcome may not.
    process.stdout.write(
      `\n    ${runs} racing applies, per round "copies removed/creates found already made": ${summary.join(' ')}\n`,
    );
  });
}

test('the server runs a create twice (a POST delivered twice): the copy is removed and the lowest id kept', async () => {
  const ns = uniqueNamespace('twice');
  const dir = await repoOf(ns, ['only']);
  const proxy = await startFaultProxy(realServer().url);
  try {
    proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'deliver-twice' } });
    const r = await runCli(['apply', '--auto-approve', '-C', dir], {
      env: { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: realServer().token },
      cwd: dir,
    });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(proxy.seen.filter((s) => s.fault === 'deliver-twice').length, 1, 'the fault was injected');
    const ids = (await carriers(ns)).get('only') ?? [];
    assert.is(ids.length, 1);
    assert.match(
      r.stdout,
      new RegExp(
        `only created as id ${ids[0]} .*kept id ${ids[0]}, the lowest carrying the marker, instead of id ${ids[0]! + 1}; removed an empty copy \\(id ${ids[0]! + 1}\\) made during this run`,
      ),
    );
    assert.match(r.stdout, /1 empty copy of created projects removed/);
    assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  } finally {
    await proxy.close();
    await removeNamespace(ns);
  }
});

test('apply --dedupe: keeps the lowest id, deletes the empty copies, lists and keeps a copy with data', async () => {
  const ns = uniqueNamespace('dedupe');
  const dir = await repoOf(ns, ['dup']);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const [kept] = (await carriers(ns)).get('dup')!;
  const original = await client.getProject(kept!);
  const copy = (title: string) =>
    client.createProject({ title, description: original.description, label_config: original.label_config });
  const empty = await copy('Race dup');
  const withData = await copy('Race dup with data');
  await client.importTasks(withData.id, [{ text: 'a task someone put here' }]);

  const refused = await cli(dir, ['plan']);
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr + refused.stdout,
    new RegExp(
      `3 projects carry the marker of "dup" \\(ids ${kept}, ${empty.id}, ${withData.id}\\); \`labelform apply --dedupe\` keeps id ${kept} and deletes the empty copy \\(id ${empty.id}\\)`,
    ),
  );

  const r = await cli(dir, ['apply', '--auto-approve', '--dedupe']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`dup \\(id ${empty.id}\\) deleted \\(an empty copy; id ${kept} keeps the key\\)`));
  assert.match(
    r.stdout + r.stderr,
    new RegExp(
      `project ${withData.id} "Race dup with data" also carries the marker of "dup" and holds 1 task and 0 annotations: left in place`,
    ),
  );
  assert.equal((await carriers(ns)).get('dup'), [kept, withData.id]);
  await removeNamespace(ns);
});

test('1,000 creates while another client writes to the server: exactly 1,000 marked projects, one per key', async () => {
  const count = Number(process.env.LABELFORM_TEST_CREATES ?? load(1000, 150));
  const ns = uniqueNamespace('many');
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++)
    files[`p${i}.yaml`] = projectManifest(`p${String(i).padStart(4, '0')}`, `  title: Many ${i}\n`);
  const dir = await makeRepo(ns, files);
  // The other writer, two at a time until the apply ends: creates unmanaged projects (up to 20),
  // edits them and imports tasks into them. Every one of those writes takes SQLite's lock.
  let stop = false;
  let writes = 0;
  const other: number[] = [];
  const writer = async () => {
    while (!stop) {
      if (other.length < 20) {
        other.push((await client.createProject({ title: `Other writer ${uniqueNamespace('w')}` })).id);
      } else {
        const id = other[writes % other.length]!;
        await client.updateProject(id, { description: `edited by someone else ${writes}` });
        await client.importTasks(id, [{ text: `task ${writes}` }]);
      }
      writes++;
    }
  };
  const writers = [writer(), writer()];
  const applied = spawnBuiltCli(dir, ['apply', '--auto-approve']);
  const r = await applied.done;
  stop = true;
  await Promise.all(writers);
  assert.is(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  const held = await carriers(ns);
  assert.is(held.size, count);
  const doubled = [...held].filter(([, ids]) => ids.length !== 1);
  assert.equal(doubled, [], 'every key is carried by exactly one project');
  const removed = Number(/(\d+) empty cop(?:y|ies) of created projects removed/.exec(r.stdout)?.[1] ?? 0);
  process.stdout.write(
    `\n    ${count} creates beside ${writes} writes by another client: ${removed} copies made by the server removed\n`,
  );
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  await removeNamespace(ns);
  for (const id of other) await client.deleteProject(id);
});

test.run();
