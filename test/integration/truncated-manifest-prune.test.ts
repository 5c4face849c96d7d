/**
 * `--prune` never deletes a resource because its file could not be read as a manifest: a
 * manifest of any kind emptied by a bad merge, left with only comments or `---`, filled with NUL
 * bytes by a crash, or cut so that its apiVersion (and kind) lines are gone, is an error at its
 * path; `validate`, `plan --prune` and `apply --prune` then stop, and nothing is deleted. Through
 * the CLI against the in-repo fake Label Studio.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MANIFEST_KINDS, RESOURCE_KINDS } from '../../src/kinds/registry.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { startMlBackend, type MlBackend } from '../helpers/ml-backend.ts';

const f = useFakeCli(test, { emptyEachTest: false });
let ml: MlBackend;
let dir: string;

test.before(async () => {
  ml = await startMlBackend();
});
test.after(async () => {
  await ml.stop();
});

const head = (kind: string, name: string) => `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;

/** One manifest of every kind of the registry, each in its own file. */
function manifests(): Record<string, { kind: string; text: string }> {
  return {
    'shared/label-config.yaml': {
      kind: 'LabelConfig',
      text: `${head('LabelConfig', 'choices')}spec:\n  label_config: |\n    <View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>\n`,
    },
    'proj-a/project.yaml': { kind: 'Project', text: `${head('Project', 'proj-a')}spec:\n  title: Project A\n` },
    'proj-b/project.yaml': {
      kind: 'Project',
      text: `${head('Project', 'proj-b')}spec:\n  title: Project B\n  label_config: {ref: choices}\n`,
    },
    'proj-a/view.yaml': { kind: 'View', text: `${head('View', 'v1')}spec:\n  project: proj-a\n  title: To review\n` },
    'proj-a/webhook.yaml': {
      kind: 'Webhook',
      text: `${head('Webhook', 'w1')}spec:\n  project: proj-a\n  url: https://hooks.example.com/ls\n  send_for_all_actions: false\n  actions: [ANNOTATION_CREATED]\n`,
    },
    'proj-a/ml.yaml': {
      kind: 'MlBackend',
      text: `${head('MlBackend', 'm1')}spec:\n  project: proj-a\n  url: ${ml.url}\n  title: Model\n`,
    },
    'proj-a/import.yaml': {
      kind: 'ImportStorage',
      text: `${head('ImportStorage', 'in')}spec:\n  project: proj-a\n  type: redis\n  host: redis.example.com\n  db: 1\n`,
    },
    'proj-a/export.yaml': {
      kind: 'ExportStorage',
      text: `${head('ExportStorage', 'out')}spec:\n  project: proj-a\n  type: redis\n  host: redis.example.com\n  db: 2\n`,
    },
  };
}

/** Ways a manifest's file is damaged (a bad merge, a failed write, a crash), and where the error points. */
const DAMAGES: ReadonlyArray<{ name: string; damage: (text: string) => string | Buffer; at: RegExp }> = [
  { name: 'emptied (0 bytes)', damage: () => '', at: /:1:1: error: empty file/ },
  { name: 'only whitespace', damage: () => '\n   \n\t\n', at: /:1:1: error: empty file/ },
  { name: 'only comments', damage: (t) => t.replace(/^/gm, '# '), at: /:1:1: error: empty file/ },
  { name: '`---` only', damage: () => '---\n', at: /:1:1: error: empty file/ },
  { name: 'NUL bytes from a crash', damage: (t) => Buffer.alloc(t.length), at: /:1:1: error: empty file/ },
  {
    name: 'lost its apiVersion line',
    damage: (t) => t.replace(/^apiVersion: .*\n/, ''),
    at: /:1:7: error: kind: \w+ but no apiVersion/,
  },
  {
    name: 'lost its apiVersion and kind lines',
    damage: (t) => t.replace(/^apiVersion: .*\nkind: .*\n/, ''),
    at: /:1:1: error: metadata\.name and spec but no apiVersion or kind/,
  },
  {
    name: 'cut after kind',
    damage: (t) => t.split('metadata:')[0]!,
    at: /:1:1: error: missing required field "metadata"/,
  },
];

/** What the fake holds: the ids in each of its collections. */
function serverIds(): Record<string, number[]> {
  const state = f.ls.state as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(state)
      .filter(([, v]) => v instanceof Map)
      .map(([k, v]) => [k, [...(v as Map<number, unknown>).keys()]]),
  );
}

test('set-up: one manifest of every kind applied; plan --prune then has nothing to do', async () => {
  const m = manifests();
  assert.equal(
    new Set(Object.values(m).map((x) => x.kind)),
    new Set(MANIFEST_KINDS.map((k) => k.kind)),
    'every kind of the registry',
  );
  dir = await f.repo(Object.fromEntries(Object.entries(m).map(([p, x]) => [p, x.text])));
  const applied = await f.cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stderr + applied.stdout);
  for (const k of RESOURCE_KINDS)
    assert.ok(
      applied.stdout.includes(k.kind === 'Project' ? 'proj-a created' : `${k.kind} proj-a/`),
      `${k.kind} created:\n${applied.stdout}`,
    );
  const again = await f.cli(dir, ['plan', '--prune', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);
});

test('a damaged manifest of any kind: validate, plan --prune and apply --prune stop with an error at its path; nothing is planned for deletion, nothing deleted', async () => {
  const before = serverIds();
  for (const [path, { kind, text }] of Object.entries(manifests())) {
    for (const { name, damage, at } of DAMAGES) {
      const what = `${kind} ${path}, ${name}`;
      await writeFile(join(dir, path), damage(text));
      const validate = await f.cli(dir, ['validate']);
      assert.is(validate.code, 1, `${what}: validate fails\n${validate.stdout}`);
      const located = new RegExp(`^${path.replace(/[.]/g, '\\.')}${at.source}`, 'm');
      assert.match(validate.stderr, located, `${what}: the error is at the file`);
      const plan = await f.cli(dir, ['plan', '--prune']);
      assert.is(plan.code, 1, `${what}: plan fails`);
      assert.match(plan.stderr, located);
      assert.not.match(plan.stdout, /delete/, `${what}: no delete planned`);
      const apply = await f.cli(dir, ['apply', '--prune', '--auto-approve']);
      assert.is(apply.code, 1, `${what}: apply fails`);
      assert.match(apply.stderr, /nothing was sent to the server/);
      assert.equal(serverIds(), before, `${what}: nothing deleted`);
      await writeFile(join(dir, path), text);
    }
  }
  const restored = await f.cli(dir, ['plan', '--prune', '--detailed-exitcode']);
  assert.is(restored.code, 0, restored.stdout + restored.stderr);
});

test('an error in another file stops a prune too: with any manifest error, no delete; once fixed, the deliberate delete is planned', async () => {
  const before = serverIds();
  const viewPath = join(dir, 'proj-a/view.yaml');
  const view = await readFile(viewPath, 'utf8');
  // A deliberate removal: the webhook's file is deleted, so with --prune it is an orphan to delete ...
  await rm(join(dir, 'proj-a/webhook.yaml'));
  // ... but another manifest cannot be read (a merge conflict marker), so nothing is deleted yet.
  await writeFile(viewPath, `<<<<<<< HEAD\n${view}=======\n>>>>>>> main\n`);
  const plan = await f.cli(dir, ['plan', '--prune']);
  assert.is(plan.code, 1);
  assert.match(plan.stderr, /^proj-a\/view\.yaml:1:1: error: /m);
  assert.not.match(plan.stdout, /delete/);
  const apply = await f.cli(dir, ['apply', '--prune', '--auto-approve']);
  assert.is(apply.code, 1);
  assert.equal(serverIds(), before, 'nothing deleted');

  await writeFile(viewPath, view);
  const fixed = await f.cli(dir, ['plan', '--prune']);
  assert.is(fixed.code, 0, fixed.stderr);
  assert.match(fixed.stdout, /- delete Webhook proj-a\/w1/);
  assert.match(fixed.stdout, /Plan: 0 to create, 0 to update, 1 to delete/);
});

test.run();
