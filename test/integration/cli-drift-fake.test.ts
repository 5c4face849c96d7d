/**
 * `labelform drift` through the CLI against the fake: apply records where it ran from and what it
 * applied in the marker; drift then tells a server edit from an unapplied git change; every apply
 * that writes rewrites the record; plan still converges; output formats stay clean in CI.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAppliedRecord, parseMarker, stripMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test);
const SHA_1 = '1111111111aa2222222222bb3333333333cc4444';
const SHA_2 = '5555555555dd6666666666ee7777777777ff8888';
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';

const spec = (color: string, extra = '') =>
  `  title: News sentiment\n  description: Classify each headline.\n  color: "${color}"\n  label_config:\n    file: ./config.xml\n${extra}`;

async function appliedRepo(): Promise<string> {
  const dir = await fake.repo({ 'news/project.yaml': projectYaml('news', spec('#112233')), 'news/config.xml': CONFIG });
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], {
    env: { GITHUB_SHA: SHA_1, GITHUB_REPOSITORY: 'acme/labeling' },
  });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  return dir;
}

function stored(): { id: number; fields: Record<string, unknown> } {
  const [p] = [...fake.ls.state.projects.values()];
  return p as never;
}

test('apply records the commit, the repository and a hash per managed field; plan then converges and drift is clean', async () => {
  const dir = await appliedRepo();
  const description = String(stored().fields.description);
  assert.equal(parseMarker(description), { namespace: 'test', key: 'news' });
  assert.is(stripMarker(description), 'Classify each headline.');
  assert.match(
    description,
    /\n\n\[labelform\] Managed from git \(namespace: test, key: news\)\. Change it there; edits made here are reverted\. Last applied from commit 1111111111aa of acme\/labeling\. \[lf1 ti:\S{4} de:\S{4} lc:\S{4} co:\S{4}\] \[ch\]$/,
  );
  assert.is((await fake.cli(dir, ['plan', '--detailed-exitcode'])).code, 0, 'apply, then plan: no changes');
  const drift = await fake.cli(dir, ['drift']);
  assert.is(drift.code, 0, drift.stdout);
  assert.match(drift.stdout, /No drift: the managed project matches git\./);
});

test('a server edit is "changed on the server since it was last applied", naming the commit; exit 2', async () => {
  const dir = await appliedRepo();
  stored().fields.color = '#FF0000';
  const drift = await fake.cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /    changed on the server since it was last applied \(commit 1111111111aa of acme\/labeling\):\n      color: server has "#FF0000", git has "#112233"\n/,
  );
  assert.not.match(drift.stdout, /not yet applied/);
  const json = JSON.parse((await fake.cli(dir, ['drift', '--json'])).stdout);
  assert.equal(
    [json.status, json.drift, json.pending, json.entries[0].fields[0].origin],
    ['drift', true, false, 'server'],
  );
});

test('a git edit not applied yet is "changed in git, not yet applied" (exit 2, status pending); after apply the record follows and drift is clean', async () => {
  const dir = await appliedRepo();
  await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#445566')));
  const drift = await fake.cli(dir, ['drift']);
  assert.is(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    /~ news \(id \d+\)  news\/project\.yaml:4\n    changed in git, not yet applied:\n      color: server has "#112233", git has "#445566"\n/,
  );
  assert.match(drift.stdout, /No drift on the server\. 1 project has changes in git not yet applied/);
  assert.is(JSON.parse((await fake.cli(dir, ['drift', '--json'])).stdout).status, 'pending');

  // Applying only color still rewrites the record for every managed field, with the new commit.
  const before = parseAppliedRecord(String(stored().fields.description))!;
  const applied = await fake.cli(dir, ['apply', '--auto-approve'], { env: { GITHUB_SHA: SHA_2 } });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const after = parseAppliedRecord(String(stored().fields.description))!;
  assert.is(after.commit, '5555555555dd');
  assert.equal(Object.keys(after.fields).sort(), ['color', 'description', 'label_config', 'title']);
  assert.is.not(after.fields.color, before.fields.color);
  assert.equal({ ...after.fields, color: '' }, { ...before.fields, color: '' });
  assert.is((await fake.cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  assert.is((await fake.cli(dir, ['drift'])).code, 0);
});

test('both sides moved, and a field git started managing after the last apply', async () => {
  const dir = await appliedRepo();
  stored().fields.color = '#FF0000';
  stored().fields.maximum_annotations = 4;
  await writeFile(join(dir, 'news/project.yaml'), projectYaml('news', spec('#445566', '  maximum_annotations: 2\n')));
  const json = JSON.parse((await fake.cli(dir, ['drift', '--json'])).stdout);
  assert.equal(
    json.entries[0].fields.map((f: { field: string; origin: string }) => [f.field, f.origin]),
    [
      ['color', 'both'],
      ['maximum_annotations', 'git'],
    ],
  );
  assert.equal([json.status, json.drift, json.pending], ['drift', true, true]);
});

test('a project applied before the record (old marker line): origin unknown, never a guess', async () => {
  const dir = await appliedRepo();
  const p = stored();
  p.fields.description = `${stripMarker(String(p.fields.description))}\n\n[labelform] Managed from git (namespace: test, key: news). Change it there; edits made here are reverted.`;
  p.fields.color = '#FF0000';
  const drift = await fake.cli(dir, ['drift']);
  assert.is(drift.code, 2);
  assert.match(drift.stdout, /differs from git, origin unknown \(its marker records no apply/);
  assert.not.match(drift.stdout, /changed on the server since|not yet applied/);
});

test('label-config drift is an XML diff with the labels each side has', async () => {
  const dir = await appliedRepo();
  stored().fields.label_config = CONFIG.replace('<Choice value="Negative"/>', '<Choice value="Neutral"/>');
  const drift = await fake.cli(dir, ['drift']);
  assert.is(drift.code, 2);
  assert.match(
    drift.stdout,
    /      label_config: sentiment \(Choices\): \+Negative -Neutral  \(- server, \+ git\)\n        --- server\n        \+\+\+ git\n/,
  );
  assert.match(drift.stdout, /\n        -    <Choice value="Neutral"\/>\n        \+    <Choice value="Negative"\/>\n/);
  const md = (await fake.cli(dir, ['drift', '--markdown'])).stdout;
  assert.match(md, /- `sentiment` \(Choices\): changed, added `Negative`, removed `Neutral`/);
  assert.match(md, /```diff\n--- server\n\+\+\+ git\n/);
});

test('in GitHub Actions: stdout is only the document (JSON parses, Markdown starts with its marker); annotations go to stderr at the manifest', async () => {
  const dir = await appliedRepo();
  stored().fields.color = '#FF0000';
  const env = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir };
  const json = await fake.cli(dir, ['drift', '--json'], { env });
  assert.is(json.code, 2);
  assert.is(JSON.parse(json.stdout).status, 'drift');
  assert.match(
    json.stderr,
    /^::warning file=news\/project\.yaml,line=4,title=labelform drift-server::news \(id \d+\): changed on the server since it was last applied: color$/m,
  );
  const md = await fake.cli(dir, ['drift', '--markdown'], { env });
  assert.ok(md.stdout.startsWith('<!-- labelform:drift -->\n'), md.stdout);
  assert.not.match(md.stdout, /::(warning|error)/);
});

test('a plan error: drift says the check is incomplete and lists the error with file:line in every format; exit 1, no "No drift"', async () => {
  const dir = await appliedRepo();
  // A second project carrying the key: the plan refuses to guess which one is managed.
  await fake.client.createProject({ title: 'Copy', description: String(stored().fields.description) });
  for (const args of [['drift'], ['drift', '--markdown'], ['drift', '--json']]) {
    const r = await fake.cli(dir, args);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.not.match(r.stdout, /No drift/);
    assert.not.ok(hasStackTrace(r.stdout + r.stderr));
    if (args.includes('--json')) {
      const doc = JSON.parse(r.stdout);
      assert.equal(
        [doc.status, doc.errors[0].code, doc.errors[0].file, doc.errors[0].line],
        ['error', 'duplicate-marker', 'news/project.yaml', 4],
      );
    } else {
      assert.match(r.stdout, /news\/project\.yaml:4/);
      assert.match(r.stdout, /2 projects carry the marker of "news"/);
    }
  }
});

test.run();
