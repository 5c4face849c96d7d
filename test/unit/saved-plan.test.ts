/**
 * Saved plans: the file (round trip, permissions, versions) and the contract `apply PLANFILE`
 * enforces: a fresh plan made at the moment of writing must yield exactly the saved changes.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan, ResourceChange } from '../../src/generated/schema-types.ts';
import { readPlanFile, savedPlanDifferences, writePlanFile } from '../../src/state/saved-plan.ts';
import { UserError } from '../../src/util/errors.ts';
import { removeTree, writeTree } from '../helpers/files.ts';
import { choicesXml, live, liveState, manifest, plan, repository, SERVER } from './support/plan-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';

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

const repoA = () =>
  repository([manifest('a', { title: 'Project A', color: '#111111' }), manifest('b', { title: 'Project B' })]);
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
  const file = join(dir, 'v1.json');
  await writeFile(file, JSON.stringify({ ...plan(repoA(), liveA()), formatVersion: 1 }));
  const err = await refusal(readPlanFile(file));
  assert.is(err.message, `${file} has plan format 1; this labelform reads format 3. Make a new plan.`);
  await writeFile(file, JSON.stringify({ changes: [] }));
  assert.is(
    (await refusal(readPlanFile(file))).message,
    `${file} has plan format undefined; this labelform reads format 3. Make a new plan.`,
  );
});

test('readPlanFile: a plan saved by the labelform before `detail` (format 2) is refused, naming its format', async () => {
  // Format 2 kept a project's label-config diff, tasks and annotations on the change itself.
  const file = join(dir, 'v2.json');
  const p = plan(repoA(), liveA());
  const v2 = {
    ...p,
    formatVersion: 2,
    changes: p.changes.map(({ detail, ...c }) => ({ ...c, ...(detail ? { annotations: detail.annotations } : {}) })),
  };
  await writeFile(file, JSON.stringify(v2));
  const err = await refusal(readPlanFile(file));
  assert.is(err.message, `${file} has plan format 2; this labelform reads format 3. Make a new plan.`);
});

test('readPlanFile: missing, not JSON, or not a plan', async () => {
  assert.is(
    (await refusal(readPlanFile(join(dir, 'nope.json')))).message,
    `cannot read plan file ${join(dir, 'nope.json')}: no such file`,
  );
  const garbage = join(dir, 'garbage.json');
  await writeFile(garbage, 'not json at all');
  assert.match((await refusal(readPlanFile(garbage))).message, new RegExp(`^${garbage} is not a labelform plan: `));
  const invalid = join(dir, 'invalid.json');
  await writeFile(invalid, JSON.stringify({ ...plan(repoA(), liveA()), changes: 'all of them' }));
  assert.match(
    (await refusal(readPlanFile(invalid))).message,
    new RegExp(`^${invalid} is not a valid plan: /changes: `),
  );
});

// ---- a saved plan is a contract: apply goes ahead only when a fresh plan is the same ----

const here = { url: SERVER.url, environment: SERVER.environment };
/** The saved plan against a fresh plan of (repo, state), made with the saved plan's options. */
const check = (saved: Plan, repo = repoA(), state = liveA(), at = here, extra: Parameters<typeof plan>[2] = {}) =>
  savedPlanDifferences(
    saved,
    plan(repo, state, { ...(saved.prune ? { prune: true } : {}), ...(saved.dedupe ? { dedupe: true } : {}), ...extra }),
    at,
  );

test('same: nothing moved since the plan (a trailing slash or case in the URL does not matter)', () => {
  const p = plan(repoA(), liveA());
  assert.equal(check(p), []);
  assert.equal(check(p, repoA(), liveA(), { ...here, url: `${SERVER.url.toUpperCase()}/` }), []);
  // A change the server would normalise away, or an unmanaged field moving, is not a difference.
  assert.equal(
    check(
      p,
      repoA(),
      liveState([live(1, 'Project A ', { key: 'a', fields: { color: '#000000', maximum_annotations: 9 } })]),
    ),
    [],
  );
});

test('refused: another server, environment or namespace', () => {
  const p = plan(repoA(), liveA());
  assert.equal(check(p, repoA(), liveA(), { ...here, url: 'http://other:8080' }), [
    `the plan was made for ${SERVER.url}, not http://other:8080`,
  ]);
  assert.equal(check(p, repoA(), liveA(), { ...here, environment: 'production' }), [
    'the plan was made for environment "default", not "production"',
  ]);
  assert.equal(check({ ...p, server: { ...p.server, environment: 'staging' } }), [
    'the plan was made for environment "staging", not "default"',
  ]);
  const otherNs = repository(projectKind.desired(repoA()), 'someone-else');
  assert.equal(check(p, otherNs), ['the plan was made for namespace "test", but labelform.yaml says "someone-else"']);
});

test('refused: a plan with errors is never applied, nor one whose fresh plan has errors', () => {
  const repo = repository([manifest('dup', { title: 'Dup' })]);
  const state = liveState([live(1, 'Dup', { key: 'dup' }), live(2, 'Dup', { key: 'dup' })]);
  assert.equal(check(plan(repo, state), repo, state), ['the plan has errors; fix them and make a new plan']);
  const clean = liveState([live(1, 'Dup', { key: 'dup' })]);
  const problems = check(plan(repo, clean), repo, state);
  assert.is(problems.length, 1);
  assert.match(
    problems[0]!,
    /^a fresh plan has an error at projects\/dup\.yaml:4: 2 projects carry the marker of "dup" \(ids 1, 2\)/,
  );
});

test('refused: the manifests changed since the plan, naming the field', () => {
  const p = plan(repoA(), liveA());
  const edited = repository([
    manifest('a', { title: 'Project A', color: '#222222' }),
    manifest('b', { title: 'Project B' }),
  ]);
  assert.equal(check(p, edited), [
    'the manifests changed since the plan was made',
    'a (id 1): field color would be set to a value other than the plan says',
  ]);
});

test('refused: a field changed on the server since, naming the project and the field', () => {
  const p = plan(repoA(), liveA());
  const moved = liveState([live(1, 'Project A renamed', { key: 'a', fields: { color: '#000000' } })]);
  assert.equal(check(p, repoA(), moved), ['a (id 1): field title changed on the server since the plan']);
  const colour = liveState([live(1, 'Project A', { key: 'a', fields: { color: '#333333' } })]);
  assert.equal(check(p, repoA(), colour), ['a (id 1): field color changed on the server since the plan']);
  // Moved to what the manifest wants: the fresh plan has no change where the plan had one.
  const converged = liveState([live(1, 'Project A', { key: 'a', fields: { color: '#111111' } })]);
  assert.equal(check(p, repoA(), converged), ['a: the plan says update of id 1, a fresh plan has no such change']);
});

test('same: a credential in a live value, masked in the saved file, is no difference', async () => {
  // The saved file is redacted (a URL's user info is a credential); apply compares it with a fresh plan redacted the same way.
  const withUrl = () =>
    liveState([
      live(1, 'Project A', {
        key: 'a',
        text: 'hook http://bot:hunter2pass@hooks.example/x',
        fields: { color: '#000000' },
      }),
    ]);
  const repo = () =>
    repository([
      manifest('a', { title: 'Project A', color: '#111111', description: 'no hook' }),
      manifest('b', { title: 'Project B' }),
    ]);
  const file = join(dir, 'credential.json');
  await writePlanFile(file, plan(repo(), withUrl()));
  const saved = await readPlanFile(file);
  assert.not.ok(JSON.stringify(saved).includes('hunter2pass'));
  assert.ok(JSON.stringify(saved).includes('hooks.example'));
  assert.equal(check(saved, repo(), withUrl()), []);
  // A change elsewhere is still found.
  assert.equal(
    check(
      saved,
      repo(),
      liveState([
        live(1, 'Project A', {
          key: 'a',
          text: 'hook http://bot:hunter2pass@hooks.example/x',
          fields: { color: '#333333' },
        }),
      ]),
    ),
    ['a (id 1): field color changed on the server since the plan'],
  );
});

test('refused: an updated project lost its marker; a project carrying a planned create appeared', () => {
  const p = plan(repoA(), liveA());
  const unmarked = check(p, repoA(), liveState([live(1, 'Project A', { fields: { color: '#000000' } })]));
  assert.match(
    unmarked[0]!,
    /^a fresh plan has an error at projects\/a\.yaml:4: adopt\? an unmanaged project already has the title "Project A" \(id 1\)/,
  );
  assert.equal(p.changes.find((c) => c.key === 'b')?.action, 'create');
  const appeared = liveState([...liveA().projects, live(77, 'Project B', { key: 'b' })]);
  assert.equal(check(p, repoA(), appeared), ['b: the plan says create, a fresh plan has no such change']);
});

test('refused: an adoption whose project was adopted (or deleted) meanwhile', () => {
  const repo = repository([manifest('legacy', { title: 'Legacy' }, { importId: 12 })]);
  const p = plan(repo, liveState([live(12, 'Legacy')]));
  assert.equal(
    p.changes.map((c) => c.action),
    ['adopt'],
  );
  assert.equal(check(p, repo, liveState([live(12, 'Legacy', { key: 'legacy' })])), [
    'legacy: the plan says adopt of id 12, a fresh plan has no such change',
  ]);
  assert.match(
    check(p, repo, liveState([])).join('\n'),
    /^legacy: the plan says adopt of id 12, a fresh plan says create$/m,
  );
});

test('refused: a delete whose target is gone, unmarked, or has new annotations', () => {
  const repo = repository([]);
  const state = liveState([live(5, 'Old', { key: 'old', annotations: 0 })]);
  const p: Plan = plan(repo, state, { prune: true });
  assert.equal(
    p.changes.map((c) => [c.action, c.id]),
    [['delete', 5]],
  );
  assert.equal(check(p, repo, state), []);
  assert.equal(check(p, repo, liveState([])), ['old: the plan says delete of id 5, a fresh plan has no such change']);
  assert.equal(check(p, repo, liveState([live(5, 'Old')])), [
    'old: the plan says delete of id 5, a fresh plan has no such change',
  ]);
  assert.equal(check(p, repo, liveState([live(5, 'Old', { key: 'old', annotations: 2 })])), [
    'old (id 5): now has 2 annotations (the plan saw 0)',
  ]);
});

test('refused: a hand-edited plan — a no-op turned into a delete, an edited value, an added change', () => {
  const p = plan(repoA(), liveState([live(1, 'Project A', { key: 'a', fields: { color: '#111111' } })]));
  assert.equal(
    p.changes.map((c) => c.action),
    ['no-op', 'create'],
  );
  const state = liveState([live(1, 'Project A', { key: 'a', fields: { color: '#111111' } })]);
  const toDelete: Plan = {
    ...p,
    changes: p.changes.map((c) => (c.key === 'a' ? ({ ...c, action: 'delete' } as ResourceChange) : c)),
  };
  assert.equal(check(toDelete, repoA(), state), ['a: the plan says delete of id 1, a fresh plan has no such change']);
  const edited: Plan = {
    ...p,
    changes: p.changes.map((c) =>
      c.key === 'b' ? { ...c, fields: c.fields.map((f) => (f.sensitive ? f : { ...f, after: 'Something else' })) } : c,
    ),
  };
  assert.equal(check(edited, repoA(), state), ['b: field title would be set to a value other than the plan says']);
  const extraDelete: Plan = {
    ...p,
    changes: [...p.changes, { action: 'delete', kind: 'Project', key: 'zzz', id: 99, fields: [] }],
  };
  assert.equal(check(extraDelete, repoA(), state), [
    'zzz: the plan says delete of id 99, a fresh plan has no such change',
  ]);
  const dropped: Plan = { ...p, changes: p.changes.filter((c) => c.key !== 'b') };
  assert.equal(check(dropped, repoA(), state), ['b: a fresh plan says create, which the plan does not have']);
});

test('refused: a label relabelled after the plan is caught by the same impact check plan runs', () => {
  const repo = repository([manifest('s', { title: 'Sentiment', label_config: choicesXml(['A']) })]);
  const before = liveState([
    live(4, 'Sentiment', { key: 's', annotations: 1, fields: { label_config: choicesXml(['A', 'B']) } }),
  ]);
  const usesA = {
    serverCheck: { ok: true as const },
    usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { A: 1 } } },
  };
  const usesB = {
    serverCheck: { ok: true as const },
    usage: { annotations: 1, controls: { sentiment: 1 }, labels: { sentiment: { B: 1 } } },
  };
  const saved = plan(repo, before, { impact: new Map([['s', usesA]]) });
  assert.equal(saved.summary.errors, 0);
  assert.equal(check(saved, repo, before, here, { impact: new Map([['s', usesA]]) }), []);
  const problems = check(saved, repo, before, here, { impact: new Map([['s', usesB]]) });
  assert.is(problems.length, 1);
  assert.match(
    problems[0]!,
    /^a fresh plan has an error at projects\/config\.xml:3: label "B" of Choices "sentiment" is removed but 1 annotation uses it/,
  );
});

test.run();
