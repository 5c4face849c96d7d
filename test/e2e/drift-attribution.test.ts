/**
 * On the real server (issue 9): the ownership marker records the commit an apply ran from and a
 * fingerprint of what it applied, so `drift` tells "changed on the server since it was last
 * applied" from "changed in git, not yet applied", and shows a label-config drift as an XML diff.
 * Values the server rewrites (padding, sanitised HTML, control_weights, a time with an offset)
 * must neither break convergence nor read as server edits. One namespace of its own; only its
 * own projects are touched.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAppliedRecord, parseMarker, stripMarker } from '../../src/kinds/project/marker.ts';
import { removeTree } from '../helpers/cli.ts';
import { api, cli, makeRepo, projectManifest, TEXT_CHOICES, uniqueNamespace } from './support.ts';

const ns = uniqueNamespace('h9-drift');
const client = api();
let dir = '';
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

async function ours(): Promise<Array<{ id: number; description: string }>> {
  const found: Array<{ id: number; description: string }> = [];
  for await (const page of client.listProjects()) {
    for (const p of page)
      if (parseMarker(String(p.description ?? ''))?.namespace === ns)
        found.push({ id: p.id, description: String(p.description) });
  }
  return found.sort((a, b) => a.id - b.id);
}

const spec = (color: string, labels = ['Positive', 'Negative']) =>
  `  title: "  Drift ${ns}  "\n` +
  '  description: "Headlines to classify.  "\n' +
  `  color: "${color}"\n` +
  '  expert_instruction: "<p onclick=\\"x()\\">Read <b>carefully</b></p><!-- for reviewers -->"\n' +
  '  pinned_at: "2024-05-01T12:00:00+02:00"\n' +
  '  label_config:\n    file: ./config.xml\n' +
  '  control_weights:\n    sentiment:\n      overall: 1\n      type: Choices\n      labels:\n' +
  labels.map((l) => `        ${l}: 1\n`).join('');

async function writeProject(color: string, labels?: string[]): Promise<void> {
  await writeFile(join(dir, 'news/project.yaml'), projectManifest('news', spec(color, labels)));
  if (labels) await writeFile(join(dir, 'news/config.xml'), TEXT_CHOICES(labels));
}

test.before(async () => {
  dir = await makeRepo(ns, {
    'news/project.yaml': projectManifest('news', spec('#112233')),
    'news/config.xml': TEXT_CHOICES(['Positive', 'Negative']),
  });
});

test.after(async () => {
  for (const p of await ours()) await client.deleteProject(p.id);
  if (dir) await removeTree(dir);
});

test("apply records commit and fingerprint; plan converges and drift is clean despite the server's rewrites", async () => {
  const applied = await cli(dir, ['apply', '--auto-approve'], { GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/labeling' });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const [p] = await ours();
  assert.ok(p, 'created');
  assert.is(stripMarker(p.description), 'Headlines to classify.');
  const record = parseAppliedRecord(p.description)!;
  assert.equal([record.commit, record.repository], ['abcdef012345', 'acme/labeling']);
  assert.equal(Object.keys(record.fields).sort(), [
    'color',
    'control_weights',
    'description',
    'expert_instruction',
    'label_config',
    'pinned_at',
    'title',
  ]);
  const plan = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 0, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /No drift: the managed project matches git\./);
});

test('an edit on the server: "changed on the server since it was last applied (commit …)", exit 2; apply puts it back', async () => {
  const [p] = await ours();
  await client.updateProject(p!.id, { color: '#FF0000' });
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /    changed on the server since it was last applied \(commit abcdef012345 of acme\/labeling\):\n      color: server has "#FF0000", git has "#112233"\n/,
  );
  assert.not.match(drift.stdout, /not yet applied|origin unknown/);
  const json = JSON.parse((await cli(dir, ['drift', '--json'])).stdout);
  assert.equal([json.status, json.drift, json.pending], ['drift', true, false]);
  assert.is((await cli(dir, ['apply', '--auto-approve'], { GITHUB_SHA: SHA })).code, 0);
  assert.is((await cli(dir, ['drift'])).code, 0);
});

test('an edit in git not applied yet: "changed in git, not yet applied", exit 2, status pending; apply, then plan and drift are clean', async () => {
  await writeProject('#445566');
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /    changed in git, not yet applied:\n      color: server has "#112233", git has "#445566"\n/,
  );
  assert.match(drift.stdout, /No drift on the server\. 1 project has changes in git not yet applied/);
  assert.is(JSON.parse((await cli(dir, ['drift', '--json'])).stdout).status, 'pending');
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.is(
    (await cli(dir, ['plan', '--detailed-exitcode'])).code,
    0,
    'converges after an update that rewrote the marker',
  );
  assert.is((await cli(dir, ['drift'])).code, 0);
});

test("the commit comes from the repository's git when CI names none (-dirty with uncommitted changes)", async () => {
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-c',
        'user.name=labelform test',
        '-c',
        'user.email=test@labelform.invalid',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      { cwd: dir, stdio: 'pipe' },
    ).toString();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'projects');
  const head = git('rev-parse', 'HEAD').trim();
  await writeProject('#778899');
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.is(parseAppliedRecord((await ours())[0]!.description)!.commit, `${head.slice(0, 12)}-dirty`);
  git('commit', '-q', '-am', 'color');
  const next = git('rev-parse', 'HEAD').trim();
  await writeProject('#8899AA');
  git('commit', '-q', '-am', 'color again');
  const clean = await cli(dir, ['apply', '--auto-approve']);
  assert.is(clean.code, 0, clean.stdout + clean.stderr);
  const commit = parseAppliedRecord((await ours())[0]!.description)!.commit;
  assert.is.not(commit, `${next.slice(0, 12)}-dirty`);
  assert.is(commit, git('rev-parse', 'HEAD').trim().slice(0, 12));
});

test('a label-config drift on the server is an XML diff with the labels added and removed', async () => {
  const [p] = await ours();
  await client.updateProject(p!.id, {
    label_config: TEXT_CHOICES(['Positive', 'Neutral']),
    control_weights: { sentiment: { overall: 1, type: 'Choices', labels: { Positive: 1, Neutral: 1 } } },
  });
  const drift = await cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /changed on the server since it was last applied/);
  assert.match(
    drift.stdout,
    /      label_config: sentiment \(Choices\): \+Negative -Neutral  \(- server, \+ git\)\n        --- server\n        \+\+\+ git\n/,
  );
  assert.match(drift.stdout, /\n        -    <Choice value="Neutral"\/>\n        \+    <Choice value="Negative"\/>\n/);
  assert.not.match(drift.stdout, /label_config: server has/, 'no cut-off prefixes of the XML');
  const md = (await cli(dir, ['drift', '--markdown'])).stdout;
  assert.match(md, /- `sentiment` \(Choices\): changed, added `Negative`, removed `Neutral`/);
  assert.match(md, /```diff\n--- server\n\+\+\+ git\n/);
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  assert.is((await cli(dir, ['drift'])).code, 0);
});

test.run();
