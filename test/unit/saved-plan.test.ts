/**
 * Saved plans: the file (round trip, permissions, versions) and the staleness check `apply
 * PLANFILE` runs against a fresh read of the server.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/generated/schema-types.ts';
import { checkPlanFreshness, readPlanFile, writePlanFile } from '../../src/state/saved-plan.ts';
import { UserError } from '../../src/util/errors.ts';
import { removeTree, writeTree } from '../helpers/cli.ts';
import { choicesXml, live, liveState, manifest, plan, repository, SERVER } from './support/plan-fixtures.ts';

let dir: string;
test.before(async () => {
  dir = await writeTree({});
});
test.after(async () => {
  await removeTree(dir);
});

async function refusal(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, UserError);
  return err as UserError;
}

// ---- the file ----

const repoA = () => repository([manifest('a', { title: 'Project A', color: '#111111' }), manifest('b', { title: 'Project B' })]);
const liveA = () => liveState([live(1, 'Project A', { key: 'a', fields: { color: '#000000' } })]);

test('writePlanFile / readPlanFile: the same plan back, in a file only its owner can read', async () => {
  const p = plan(repoA(), liveA());
  const file = join(dir, 'plan.json');
  await writePlanFile(file, p);
  assert.is((await stat(file)).mode & 0o777, 0o600);
  assert.equal(await readPlanFile(file), p);
  assert.ok((await readFile(file, 'utf8')).endsWith('}\n'));
});

test('readPlanFile: another format version is refused with what to do', async () => {
  const file = join(dir, 'v2.json');
  await writeFile(file, JSON.stringify({ ...plan(repoA(), liveA()), formatVersion: 2 }));
  const err = await refusal(readPlanFile(file));
  assert.is(err.message, `${file} has plan format 2; this labelform reads format 1. Make a new plan.`);
  await writeFile(file, JSON.stringify({ changes: [] }));
  assert.is((await refusal(readPlanFile(file))).message, `${file} has plan format undefined; this labelform reads format 1. Make a new plan.`);
});

test('readPlanFile: missing, not JSON, or not a plan', async () => {
  assert.is((await refusal(readPlanFile(join(dir, 'nope.json')))).message, `cannot read plan file ${join(dir, 'nope.json')}: no such file`);
  const garbage = join(dir, 'garbage.json');
  await writeFile(garbage, 'not json at all');
  assert.match((await refusal(readPlanFile(garbage))).message, new RegExp(`^${garbage} is not a labelform plan: `));
  const invalid = join(dir, 'invalid.json');
  await writeFile(invalid, JSON.stringify({ ...plan(repoA(), liveA()), changes: 'all of them' }));
  assert.match((await refusal(readPlanFile(invalid))).message, new RegExp(`^${invalid} is not a valid plan: /changes: `));
});

// ---- freshness ----

const here = { url: SERVER.url };

test('fresh: nothing moved since the plan (a trailing slash or case in the URL does not matter)', () => {
  const p = plan(repoA(), liveA());
  assert.equal(checkPlanFreshness(p, repoA(), liveA(), here), []);
  assert.equal(checkPlanFreshness(p, repoA(), liveA(), { url: `${SERVER.url.toUpperCase()}/` }), []);
});

test('stale: another server, or another namespace', () => {
  const p = plan(repoA(), liveA());
  assert.equal(checkPlanFreshness(p, repoA(), liveA(), { url: 'http://other:8080' }), [`the plan was made for ${SERVER.url}, not http://other:8080`]);
  const otherNs = repository(repoA().projects, 'someone-else');
  assert.equal(checkPlanFreshness(p, otherNs, liveA(), here), ['the plan was made for namespace "test", but labelform.yaml says "someone-else"']);
});

test('stale: a plan with errors is never applied', () => {
  const repo = repository([manifest('dup', { title: 'Dup' })]);
  const state = liveState([live(1, 'Dup', { key: 'dup' }), live(2, 'Dup', { key: 'dup' })]);
  assert.equal(checkPlanFreshness(plan(repo, state), repo, state, here), ['the plan has errors; fix them and make a new plan']);
});

test('stale: the manifests changed since the plan', () => {
  const p = plan(repoA(), liveA());
  const edited = repository([manifest('a', { title: 'Project A', color: '#222222' }), manifest('b', { title: 'Project B' })]);
  assert.equal(checkPlanFreshness(p, edited, liveA(), here), ['the manifests changed since the plan was made']);
});

test('stale: a field changed on the server since, naming the project and the field', () => {
  const p = plan(repoA(), liveA());
  const moved = liveState([live(1, 'Project A renamed', { key: 'a', fields: { color: '#000000' } })]);
  assert.equal(checkPlanFreshness(p, repoA(), moved, here), ['a (id 1): field title changed on the server since the plan']);
  const both = liveState([live(1, 'Project A renamed', { key: 'a', fields: { color: '#333333' } })]);
  assert.equal(checkPlanFreshness(p, repoA(), both, here), ['a (id 1): field title changed on the server since the plan', 'a (id 1): field color changed on the server since the plan']);
  // A change the server would normalise away is not a change.
  const trimmed = liveState([live(1, 'Project A ', { key: 'a', fields: { color: '#000000' } })]);
  assert.equal(checkPlanFreshness(p, repoA(), trimmed, here), []);
  // An unmanaged field moving does not matter either.
  const unmanaged = liveState([live(1, 'Project A', { key: 'a', fields: { color: '#000000', maximum_annotations: 9 } })]);
  assert.equal(checkPlanFreshness(p, repoA(), unmanaged, here), []);
});

test('stale: an updated project lost its marker, or gained annotations under a label-config change', () => {
  const p = plan(repoA(), liveA());
  assert.equal(checkPlanFreshness(p, repoA(), liveState([live(1, 'Project A', { fields: { color: '#000000' } })]), here), ['a: project 1 is gone or lost its marker since the plan']);
  const repo = repository([manifest('s', { title: 'Sentiment', label_config: choicesXml(['A', 'B', 'C']) })]);
  const before = liveState([live(4, 'Sentiment', { key: 's', fields: { label_config: choicesXml(['A', 'B']) } })]);
  const sp = plan(repo, before);
  assert.is(sp.summary.update, 1);
  const annotated = liveState([live(4, 'Sentiment', { key: 's', annotations: 3, fields: { label_config: choicesXml(['A', 'B']) } })]);
  assert.equal(checkPlanFreshness(sp, repo, annotated, here), ['s (id 4): annotations changed since the plan (now 3)']);
});

test('stale: a project carrying the marker of a planned create appeared since', () => {
  const p = plan(repoA(), liveA());
  assert.equal(p.changes.find((c) => c.key === 'b')?.action, 'create');
  const appeared = liveState([...liveA().projects, live(77, 'Project B', { key: 'b' })]);
  assert.equal(checkPlanFreshness(p, repoA(), appeared, here), ['b: a project carrying its marker appeared since the plan (id 77)']);
});

test('stale: an adoption whose project was adopted (or deleted) meanwhile', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(12, 'Legacy')]));
  assert.equal(p.changes.map((c) => c.action), ['adopt']);
  assert.equal(checkPlanFreshness(p, repo, liveState([live(12, 'Legacy', { key: 'legacy' })]), here), ['legacy: project 12 was adopted or removed since the plan']);
  assert.equal(checkPlanFreshness(p, repo, liveState([]), here), ['legacy: project 12 was adopted or removed since the plan']);
});

test('stale: a delete whose target is gone, unmarked, or has new annotations', () => {
  const repo = repository([]);
  const state = liveState([live(5, 'Old', { key: 'old', annotations: 0 })]);
  const p: Plan = plan(repo, state, { prune: true });
  assert.equal(p.changes.map((c) => [c.action, c.id]), [['delete', 5]]);
  assert.equal(checkPlanFreshness(p, repo, state, here), []);
  assert.equal(checkPlanFreshness(p, repo, liveState([]), here), ['old: project 5 is gone or no longer carries its marker']);
  assert.equal(checkPlanFreshness(p, repo, liveState([live(5, 'Old')]), here), ['old: project 5 is gone or no longer carries its marker']);
  assert.equal(checkPlanFreshness(p, repo, liveState([live(5, 'Old', { key: 'old', annotations: 2 })]), here), ['old: project 5 now has 2 annotations (the plan saw 0)']);
});

test.run();
