/**
 * apply in company, through the CLI against the in-repo fake: racing runs of one repository, a
 * create the server runs twice (a proxy delivers the POST twice), and `--dedupe` for copies that
 * already exist. The same cases run against the real server in test/e2e/concurrency.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { projectYaml, runCli, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const NS = 'company';
const fake = useFakeCli(test, { namespace: NS });

function repo(keys: readonly string[]): Promise<string> {
  const files: Record<string, string> = {};
  for (const k of keys) files[`${k}.yaml`] = projectYaml(k, `  title: Project ${k}\n  color: "#102030"\n`);
  return fake.repo(files);
}

const cli = (dir: string, args: string[], url?: string): Promise<CliResult> => fake.cli(dir, args, url ? { url } : {});

/** key -> ids of the projects carrying its marker. */
function carriers(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of fake.ls.state.projects.values()) {
    const m = parseMarker(String(p.fields.description ?? ''));
    if (m?.namespace === NS)
      out.set(
        m.key,
        [...(out.get(m.key) ?? []), p.id].sort((a, b) => a - b),
      );
  }
  return out;
}

test('three apply runs started together: one project per key, and the next plan has no changes', async () => {
  const keys = ['a', 'b', 'c', 'd'];
  const dir = await repo(keys);
  fake.ls.setLatency(5); // interleave the runs' requests
  const runs = await Promise.all([
    cli(dir, ['apply', '--auto-approve']),
    cli(dir, ['apply', '--auto-approve']),
    cli(dir, ['apply', '--auto-approve']),
  ]);
  fake.ls.setLatency(0);
  for (const r of runs) assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal([...carriers().keys()].sort(), keys);
  for (const [key, ids] of carriers()) assert.is(ids.length, 1, `${key}: ${ids.join(', ')}`);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
});

test('a create the server runs twice: the later copy is removed, the lowest id kept, and the run says so', async () => {
  const dir = await repo(['only']);
  const proxy = await startFaultProxy(fake.ls.url);
  try {
    proxy.inject({ method: 'POST', path: /^\/api\/projects\/$/, times: 1, fault: { kind: 'deliver-twice' } });
    const r = await cli(dir, ['apply', '--auto-approve'], proxy.url);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const [id] = carriers().get('only')!;
    assert.equal(carriers().get('only'), [id]);
    assert.match(
      r.stdout,
      new RegExp(
        `only created as id ${id} .*kept id ${id}, the lowest carrying the marker, instead of id ${id! + 1}; removed an empty copy \\(id ${id! + 1}\\) made during this run`,
      ),
    );
    assert.match(
      r.stdout,
      /Apply complete: 1 created, 0 updated, 0 adopted, 0 deleted; 1 empty copy of created projects removed\./,
    );
  } finally {
    await proxy.close();
  }
});

test('--dedupe: plan shows it, apply keeps the lowest id, deletes the empty copies, lists a copy with data', async () => {
  const dir = await repo(['dup']);
  const description = withMarker('', { namespace: NS, key: 'dup' });
  const keep = await fake.client.createProject({ title: 'Project dup', description, color: '#102030' });
  const empty = await fake.client.createProject({ title: 'Project dup', description });
  const full = await fake.client.createProject({ title: 'Project dup (with data)', description });
  await fake.client.importTasks(full.id, [{ text: 'hello' }]);

  const refused = await cli(dir, ['plan']);
  assert.is(refused.code, 1);
  assert.match(
    refused.stdout,
    new RegExp(
      `3 projects carry the marker of "dup" \\(ids ${keep.id}, ${empty.id}, ${full.id}\\); \`labelform apply --dedupe\` keeps id ${keep.id} and deletes the empty copy \\(id ${empty.id}\\)`,
    ),
  );

  const planned = await cli(dir, ['plan', '--dedupe', '--detailed-exitcode']);
  assert.is(planned.code, 2, planned.stdout + planned.stderr);
  assert.match(
    planned.stdout,
    new RegExp(`deletes this empty copy \\(no tasks, no annotations\\); id ${keep.id} keeps the key`),
  );
  assert.match(
    planned.stdout + planned.stderr,
    new RegExp(
      `project ${full.id} "Project dup \\(with data\\)" also carries the marker of "dup" and holds 1 task and 0 annotations: left in place`,
    ),
  );

  // A copy that gained data after the plan is not deleted: read again right before the delete.
  const file = `${dir}/plan.json`;
  assert.is((await cli(dir, ['plan', '--dedupe', '--out', file])).code, 0);
  const applied = await cli(dir, ['apply', '--auto-approve', '--dedupe']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(
    applied.stdout,
    new RegExp(`dup \\(id ${empty.id}\\) deleted \\(an empty copy; id ${keep.id} keeps the key\\)`),
  );
  assert.equal(carriers().get('dup'), [keep.id, full.id]);
  // The saved plan's delete is gone from a fresh plan now: refused, nothing else done.
  const stale = await cli(dir, ['apply', file]);
  assert.is(stale.code, 1);
  assert.match(
    stale.stderr,
    new RegExp(`dup: the plan says delete of id ${empty.id}, a fresh plan has no such change`),
  );
  // Without --dedupe the key with a data copy stays an error: a person decides.
  assert.is((await cli(dir, ['plan'])).code, 1);
});

test('a --dedupe delete of a copy that received a task since the plan is refused, naming why', async () => {
  const dir = await repo(['dup']);
  const description = withMarker('', { namespace: NS, key: 'dup' });
  await fake.client.createProject({ title: 'Project dup', description, color: '#102030' });
  const copy = await fake.client.createProject({ title: 'Project dup', description });
  {
    // Between the plan's read and the delete, someone imports a task into the copy.
    let fired = false;
    const r = await runCli(['apply', '--dedupe', '-C', dir], {
      env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token },
      cwd: dir,
      interactive: true,
      answers: [
        async () => {
          fired = true;
          await fake.client.importTasks(copy.id, [{ text: 'just arrived' }]);
          return 'yes';
        },
      ],
    });
    assert.ok(fired);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `dup \\(id ${copy.id}\\) delete failed: the copy was not deleted: it now holds 1 task and 0 annotations`,
      ),
    );
    assert.ok(fake.ls.state.projects.has(copy.id));
  }
});

test('a duplicate that another run is about to settle: plan reads again and plans against the settled server', async () => {
  const dir = await repo(['k']);
  const description = withMarker('', { namespace: NS, key: 'k' });
  const first = await fake.client.createProject({ title: 'Project k', description, color: '#102030' });
  const copy = await fake.client.createProject({ title: 'Project k', description, color: '#102030' });
  const proxy = await startFaultProxy(fake.ls.url);
  try {
    const planning = cli(dir, ['plan', '--detailed-exitcode'], proxy.url);
    // The racing run settles right after this run's first read.
    while (!proxy.seen.some((r) => r.method === 'GET' && r.path.startsWith('/api/projects/?')))
      await new Promise((r) => setTimeout(r, 1));
    // Halfway through the plan's first wait (25 ms here: tests wait a twentieth of 0.5 s).
    await new Promise((r) => setTimeout(r, 12));
    await fake.client.deleteProject(copy.id);
    const r = await planning;
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No changes/);
    assert.ok(
      proxy.seen.filter((x) => x.method === 'GET' && x.path.startsWith('/api/projects/?')).length >= 2,
      'read again',
    );
    assert.equal(carriers().get('k'), [first.id]);
  } finally {
    await proxy.close();
  }
  // A duplicate that stays is still an error, found after one short wait: the same copies a
  // wait later are an old duplicate, not a run mid-settle.
  await fake.client.createProject({ title: 'Project k', description });
  const again = await startFaultProxy(fake.ls.url);
  try {
    assert.is((await cli(dir, ['plan'], again.url)).code, 1);
    assert.is(
      again.seen.filter((x) => x.method === 'GET' && x.path.startsWith('/api/projects/?')).length,
      2,
      'one read, one read again',
    );
  } finally {
    await again.close();
  }
});

test('an update keeps a description written in the UI after the plan read it (the marker is rewritten around it)', async () => {
  const dir = await repo(['k']);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const [id] = carriers().get('k')!;
  await fake.client.updateProject(id!, { color: '#000000' });
  const r = await fake.cli(dir, ['apply'], {
    interactive: true,
    answers: [
      async () => {
        // The plan is shown; meanwhile someone writes a description in the UI (description is not managed).
        const now = await fake.client.getProject(id!);
        await fake.client.updateProject(id!, { description: `Notes from the UI\n\n${now.description}` });
        return 'yes';
      },
    ],
  });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const after = await fake.client.getProject(id!);
  assert.is(after.color, '#102030');
  assert.match(
    after.description ?? '',
    /^Notes from the UI\n\n\[labelform\] Managed from git \(namespace: company, key: k\)/,
  );
});

test.run();
