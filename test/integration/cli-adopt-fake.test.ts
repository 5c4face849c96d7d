/**
 * Adoption through the CLI (in-process) against the in-repo fake Label Studio: `pull` writes
 * manifests for live projects (and never overwrites), `import` writes only the marker; after
 * either, plan shows only the adoptions or real differences, and apply converges.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { formatMarker, parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { hasStackTrace, projectYaml, removeTree, runCli, writeTree, type CliResult } from '../helpers/cli.ts';

const NS = 'test';
const CONFIG =
  '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>';

let ls: FakeLabelStudio;
let client: LabelStudioClient;
const trees: string[] = [];

test.before(async () => {
  ls = await startFakeLabelStudio();
  client = createClient({ baseUrl: ls.url, token: ls.token });
});
test.before.each(() => {
  ls.state.projects.clear();
  ls.state.tasks.clear();
});
test.after(async () => {
  await ls.stop();
  await Promise.all(trees.map((d) => removeTree(d)));
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await writeTree(files);
  trees.push(dir);
  return dir;
}

function cli(dir: string, args: string[]): Promise<CliResult> {
  return runCli([...args, '-C', dir], { env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token }, cwd: dir });
}

/** Every file under dir, relative, sorted. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Three hand-made projects and one managed by another team. */
async function existingServer(): Promise<{ legacy: number; bare: number; theirs: number }> {
  const legacy = await client.createProject({
    title: 'Legacy sentiment',
    description: 'Made by hand',
    label_config: CONFIG,
    color: '#ABCDEF',
    maximum_annotations: 3,
    show_skip_button: false,
  });
  const bare = await client.createProject({ title: 'Bare one' });
  const theirs = await client.createProject({
    title: 'Theirs',
    description: withMarker('', { namespace: 'other-team', key: 'theirs' }),
  });
  return { legacy: legacy.id, bare: bare.id, theirs: theirs.id };
}

test('pull --all writes manifests with import: {id} and config.xml; plan shows only adoptions; apply converges', async () => {
  const ids = await existingServer();
  const dir = await tree({});
  const pulled = await cli(dir, ['pull', '--all', '--namespace', NS]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.equal(await listing(dir), [
    'bare-one/project.yaml',
    'labelform.yaml',
    'legacy-sentiment/config.xml',
    'legacy-sentiment/project.yaml',
  ]);
  assert.match(
    pulled.stdout,
    new RegExp(`✔ legacy-sentiment/project.yaml ← project ${ids.legacy} \\(import: adopted on the next apply\\)`),
  );
  assert.match(pulled.stdout, new RegExp(`- skipped ${ids.theirs} "Theirs": managed by namespace other-team`));
  assert.match(pulled.stdout, /Pulled 2 project\(s\) into \. \(wrote labelform\.yaml\)/);

  assert.match(await readFile(join(dir, 'labelform.yaml'), 'utf8'), /\nnamespace: test\n/);
  const text = await readFile(join(dir, 'legacy-sentiment/project.yaml'), 'utf8');
  assert.match(text, /^# yaml-language-server: \$schema=.*schemas\/project\.schema\.json\n/);
  assert.equal(parse(text), {
    apiVersion: 'labelform/v1',
    kind: 'Project',
    metadata: { name: 'legacy-sentiment' },
    spec: {
      title: 'Legacy sentiment',
      description: 'Made by hand',
      label_config: { file: './config.xml' },
      show_skip_button: false,
      color: '#ABCDEF',
      maximum_annotations: 3,
    },
    import: { id: ids.legacy },
  });
  assert.is(await readFile(join(dir, 'legacy-sentiment/config.xml'), 'utf8'), `${CONFIG}\n`);
  assert.equal(parse(await readFile(join(dir, 'bare-one/project.yaml'), 'utf8')).spec, { title: 'Bare one' });

  const plan = await cli(dir, ['plan', '--json']);
  assert.is(plan.code, 0, plan.stderr);
  const json = JSON.parse(plan.stdout);
  assert.equal(
    json.changes.map((c: { action: string; key: string; id: number; fields: unknown[] }) => [
      c.action,
      c.key,
      c.id,
      c.fields,
    ]),
    [
      ['adopt', 'bare-one', ids.bare, []],
      ['adopt', 'legacy-sentiment', ids.legacy, []],
    ],
  );
  assert.equal(json.orphans, []);
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 0 created, 0 updated, 2 adopted, 0 deleted\./);
  // The marker goes after the person's text, with the record of what was applied (see project-compare.test.ts).
  const adopted = String(ls.state.projects.get(ids.legacy)!.fields.description);
  assert.ok(
    adopted.startsWith(`Made by hand\n\n${formatMarker({ namespace: NS, key: 'legacy-sentiment' })} [lf1 `),
    adopted,
  );
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout);
  assert.is(ls.state.projects.size, 3, 'adoption created nothing');

  // A second pull into the same repository adds only what is new.
  const added = await client.createProject({ title: 'Added later' });
  const second = await cli(dir, ['pull', '--all']);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`✔ added-later/project.yaml ← project ${added.id}`));
  assert.match(second.stdout, new RegExp(`- skipped ${ids.legacy} "Legacy sentiment": already in the repository`));
  assert.match(second.stdout, /Pulled 1 project\(s\) into \.\. Next:/);
});

test('pull keeps titles as the server counts and trims them (code points, Python whitespace): plan shows no field change', async () => {
  const emoji = await client.createProject({ title: '🚀'.repeat(30) }); // 30 characters for Python, 60 UTF-16 units
  const bom = await client.createProject({ title: '\ufeffPasted title\ufeff' }); // Python's strip keeps U+FEFF
  const dir = await tree({});
  const pulled = await cli(dir, ['pull', '--all', '--namespace', NS]);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.not.match(pulled.stdout, /note:/);
  const plan = await cli(dir, ['plan', '--json']);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{
    action: string;
    id: number;
    title: string;
    fields: unknown[];
  }>;
  assert.equal(
    changes.map((c) => [c.action, c.id, c.title, c.fields]).sort((a, b) => Number(a[1]) - Number(b[1])),
    [
      ['adopt', emoji.id, '🚀'.repeat(30), []],
      ['adopt', bom.id, '\ufeffPasted title\ufeff', []],
    ],
  );
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
});

test('pull refuses to overwrite existing directories and writes nothing', async () => {
  await existingServer();
  const dir = await tree({
    'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: ${NS}\n`,
    'legacy-sentiment/notes.txt': 'mine, keep me\n',
  });
  const before = await listing(dir);
  const r = await cli(dir, ['pull', '--all']);
  assert.is(r.code, 1, r.stdout);
  assert.match(
    r.stderr,
    new RegExp(
      `Error: these directories already exist in ${dir}; nothing was written: legacy-sentiment\\nPull into an empty directory with --out, or move them aside\\.`,
    ),
  );
  assert.not.ok(hasStackTrace(r.stderr));
  assert.equal(await listing(dir), before, 'not even the projects without a clash');
  assert.equal(
    (await readdir(dir)).filter((n) => n.startsWith('.labelform-pull-')),
    [],
    'the staging directory is gone',
  );
  assert.is(await readFile(join(dir, 'legacy-sentiment/notes.txt'), 'utf8'), 'mine, keep me\n');
});

test('import NAME ID writes only the marker; plan then shows the real differences', async () => {
  const existing = await client.createProject({
    title: 'Adopt me',
    description: 'made by hand',
    color: '#ABCDEF',
    label_config: CONFIG,
  });
  const dir = await tree({
    'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: ${NS}\n`,
    'p.yaml': projectYaml('adoptee', '  title: Adopt me\n  color: "#ABCDEF"\n  maximum_annotations: 3\n'),
    'q.yaml': projectYaml('second', '  title: Second\n'),
  });
  const blocked = await cli(dir, ['plan']);
  assert.is(blocked.code, 1);
  assert.match(blocked.stdout, new RegExp(`Adopt it with \`labelform import adoptee ${existing.id}\``));

  const before = structuredClone(ls.state.projects.get(existing.id)!.fields);
  const imported = await cli(dir, ['import', 'adoptee', String(existing.id)]);
  assert.is(imported.code, 0, imported.stderr);
  assert.match(
    imported.stdout,
    new RegExp(`✔ Adopted project ${existing.id} "Adopt me" as adoptee \\(namespace test\\)\\.`),
  );
  const after = ls.state.projects.get(existing.id)!.fields;
  assert.is(after.description, `made by hand\n\n${formatMarker({ namespace: NS, key: 'adoptee' })}`);
  assert.equal(
    { ...after, description: null },
    { ...before, description: null },
    'nothing but the description changed',
  );

  const plan = JSON.parse((await cli(dir, ['plan', '--json'])).stdout);
  assert.equal(
    plan.changes.map(
      (c: { action: string; key: string; fields: Array<{ field: string; before?: unknown; after?: unknown }> }) => [
        c.action,
        c.key,
        c.fields,
      ],
    ),
    [
      ['update', 'adoptee', [{ field: 'maximum_annotations', before: 1, after: 3 }]],
      ['create', 'second', [{ field: 'title', after: 'Second' }]],
    ],
  );

  const again = await cli(dir, ['import', 'adoptee', String(existing.id)]);
  assert.is(again.code, 0);
  assert.match(again.stdout, /is already managed as adoptee\./);
  const other = await cli(dir, ['import', 'second', String(existing.id)]);
  assert.is(other.code, 1);
  assert.match(
    other.stderr,
    new RegExp(
      `project ${existing.id} "Adopt me" is already managed as test/adoptee; remove that marker from its description first`,
    ),
  );
  const stranger = await client.createProject({ title: 'Stranger' });
  const taken = await cli(dir, ['import', 'adoptee', String(stranger.id)]);
  assert.is(taken.code, 1);
  assert.match(
    taken.stderr,
    new RegExp(
      `project ${existing.id} "Adopt me" already carries the marker of adoptee; one key can manage one project`,
    ),
  );
  assert.is(parseMarker(String(ls.state.projects.get(stranger.id)!.fields.description)), undefined);
  const unknown = await cli(dir, ['import', 'nope', String(existing.id)]);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /no Project manifest named "nope" \(defined: adoptee, second\)/);
  const missing = await cli(dir, ['import', 'second', '9999']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`no project with id 9999 on ${ls.url.replace(/\./g, '\\.')}`));
  assert.not.ok(hasStackTrace(other.stderr + taken.stderr + unknown.stderr + missing.stderr));
});

test.run();
