/**
 * Secrets through the CLI (in-process) against the in-repo fake Label Studio: values from
 * `${env:...}` are masked as whole values and never garble other text (keys, titles, summaries,
 * saved plans); a secret too short to recognise is an error at its location; `pull` writes no
 * secret value, writes the reference back where that is exact, and pulls into a folder of an
 * existing repository with its root config.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, projectYaml, runCli, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const NS = 'test';
const CONFIG = (header: string) =>
  `<View>\n  <Header value="${header}"/>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>`;

const fake = useFakeCli(test, { namespace: NS });
const { tree, repo } = fake;
const cli = (dir: string, args: string[], env: Record<string, string> = {}, cwd = dir): Promise<CliResult> =>
  fake.cli(dir, args, { env, cwd });

/** Every file under dir, relative, sorted. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function readAll(dir: string, files: readonly string[]): Promise<string> {
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

// ---- masking whole values, never parts of other text ----

test('a secret that is part of a key, a title and the summary garbles none of them; the saved plan applies', async () => {
  // The secret occurs inside the key, the title and the word "projects" of the summary line.
  const env = { S3_USER: 'catalogue', SUMMARY_WORD: 'projects' };
  const dir = await repo({
    'a.yaml': projectYaml(
      'catalogue-images',
      '  title: Catalogue images\n  description: "Bucket user: ${env:S3_USER}"\n',
    ),
    'b.yaml': projectYaml('beta', '  title: Beta projects\n  expert_instruction: "Word: ${env:SUMMARY_WORD}"\n'),
    'c.yaml': projectYaml('gamma', '  title: Gamma\n'),
  });
  const applied = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const again = await cli(dir, ['plan'], env);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /= 3 projects unchanged: beta, catalogue-images, gamma\n/);
  assert.not.match(again.stdout + again.stderr, /redacted/);

  // A change to the secret's field, saved: keys and titles intact, the value nowhere.
  const changed = { ...env, S3_USER: 'catalogue-2' };
  const out = join(dir, 'plan.json');
  const planned = await cli(dir, ['plan', '--out', out], changed);
  assert.is(planned.code, 0, planned.stderr);
  assert.match(planned.stdout, /~ update +catalogue-images \(id \d+\) "Catalogue images"/);
  assert.match(planned.stdout, /description +\(sensitive\) → \(sensitive, changed\)/);
  const saved = await readFile(out, 'utf8');
  const plan = JSON.parse(saved);
  assert.equal(
    plan.changes.map((c: { key: string; action: string }) => [c.key, c.action]),
    [
      ['beta', 'no-op'],
      ['catalogue-images', 'update'],
      ['gamma', 'no-op'],
    ],
  );
  assert.not.match(saved, /redacted/);
  assert.not.ok(saved.includes('Bucket user'), 'no sensitive value in the saved plan');
  const appliedPlan = await cli(dir, ['apply', out], changed);
  assert.is(appliedPlan.code, 0, appliedPlan.stdout + appliedPlan.stderr);
  const stored = [...fake.ls.state.projects.values()].find(
    (p) => parseMarker(String(p.fields.description))?.key === 'catalogue-images',
  )!;
  assert.match(String(stored.fields.description), /^Bucket user: catalogue-2\n/);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], changed)).code, 0);
});

test('a title from ${env:...}: masked in the plan text, absent from the JSON and saved plan, and from the adopt? message', async () => {
  const title = 'Client Zephyrine Labs';
  const env = { CLIENT_TITLE: title };
  const dir = await repo({ 'a.yaml': projectYaml('client', '  title: ${env:CLIENT_TITLE}\n  color: "#112233"\n') });
  const created = await cli(dir, ['apply', '--auto-approve'], env);
  assert.is(created.code, 0, created.stdout + created.stderr);
  const id = [...fake.ls.state.projects.values()][0]!.id;
  await fake.client.updateProject(id, { color: '#445566' });
  const out = join(dir, 'plan.json');
  const outputs: string[] = [];
  for (const args of [
    ['plan'],
    ['plan', '--json'],
    ['plan', '--markdown'],
    ['plan', '--out', out],
    ['drift'],
    ['drift', '--json'],
  ]) {
    const r = await cli(dir, args, env);
    assert.ok(r.code === 0 || r.code === 2, r.stderr);
    outputs.push(r.stdout, r.stderr);
  }
  outputs.push(await readFile(out, 'utf8'));
  const json = JSON.parse(await readFile(out, 'utf8'));
  assert.is(json.changes[0].title, undefined);
  assert.equal(json.changes[0].fields, [{ field: 'color', before: '#445566', after: '#112233' }]);
  assert.ok(
    outputs.every((o) => !o.includes('Zephyrine')),
    'the title appeared',
  );
  const applied = await cli(dir, ['apply', out], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.not.ok((applied.stdout + applied.stderr).includes('Zephyrine'));
  assert.is(fake.ls.state.projects.get(id)!.fields.color, '#112233');

  // Marker removed in the UI: the "adopt?" message does not quote the title either.
  await fake.client.updateProject(id, { description: '' });
  const adopt = await cli(dir, ['plan'], env);
  assert.is(adopt.code, 1);
  assert.match(
    adopt.stdout + adopt.stderr,
    /adopt\? an unmanaged project already has the title \(sensitive\) \(id \d+\)/,
  );
  assert.not.ok((adopt.stdout + adopt.stderr).includes('Zephyrine'));
});

test('import: the live title of a project adopted under a manifest whose title is from ${env:...} is masked', async () => {
  const env = { CLIENT_TITLE: 'Client Zephyrine Labs' };
  const dir = await repo({ 'a.yaml': projectYaml('client', '  title: ${env:CLIENT_TITLE}\n') });
  const p = await fake.client.createProject({ title: 'Client Zephyrine Labs' });
  const imported = await cli(dir, ['import', 'client', String(p.id)], env);
  assert.is(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`Adopted project ${p.id} \\(sensitive\\) as client`));
  assert.not.ok((imported.stdout + imported.stderr).includes('Zephyrine'));
});

test('a label config holding a ${env:...} value: the plan shows labels, not its XML diff; no value anywhere', async () => {
  const secret = 'https://media.internal/k=Q7x9LmZ2';
  const dir = await repo({
    'a.yaml': projectYaml(
      'media',
      `  title: Media\n  label_config: |\n${CONFIG('${env:MEDIA_HEADER}')
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
  });
  const env = { MEDIA_HEADER: secret };
  assert.is((await cli(dir, ['apply', '--auto-approve'], env)).code, 0);
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'], env)).code, 0, 'converges');
  const changed = await repo({
    'a.yaml': projectYaml(
      'media',
      `  title: Media\n  label_config: |\n${CONFIG('${env:MEDIA_HEADER}')
        .replace('<Choice value="Negative"/>', '<Choice value="Negative"/>\n    <Choice value="Mixed"/>')
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
  });
  const text = await cli(changed, ['plan'], env);
  const json = await cli(changed, ['plan', '--json'], env);
  const md = await cli(changed, ['plan', '--markdown'], env);
  assert.is(json.code, 0, json.stderr);
  const change = JSON.parse(json.stdout).changes[0];
  assert.equal(change.fields, [{ field: 'label_config', sensitive: true }]);
  assert.is(change.detail.labelConfig.diff, '(not shown: this label_config holds a value from ${env:...})');
  assert.equal(
    change.detail.labelConfig.controls.map((c: { control: string; labelsAdded: string[] }) => [
      c.control,
      c.labelsAdded,
    ]),
    [['sentiment', ['Mixed']]],
  );
  assert.match(text.stdout, /label_config +sentiment \(Choices\): \+Mixed/);
  for (const o of [text.stdout, text.stderr, json.stdout, md.stdout]) assert.not.ok(o.includes('Q7x9LmZ2'), o);
});

test('a schema error about a value from ${env:...} does not quote it; a short secret is an error at its location naming the variable', async () => {
  const dir = await repo({ 'a.yaml': projectYaml('p', '  title: Hello\n  color: ${env:BRAND_COLOR}\n') });
  const bad = await cli(dir, ['validate'], { BRAND_COLOR: 'not-a-colour-9' });
  assert.is(bad.code, 1);
  assert.match(
    bad.stderr,
    /a\.yaml:7:10: error: spec\.color must be a color in #RRGGBB form, got a value from \$\{env:\.\.\.\} \(not shown\)/,
  );
  assert.not.ok(bad.stdout.includes('not-a-colour-9') || bad.stderr.includes('not-a-colour-9'));

  const short = await repo({
    'a.yaml': projectYaml('p', '  title: Hello\n  task_data_password: ${env:TASK_PW}\n  color: ${env:BRAND}\n'),
  });
  for (const args of [['validate'], ['plan']]) {
    const r = await cli(short, args, { TASK_PW: 'hunt2', BRAND: 'blue' });
    assert.is(r.code, 1, args.join(' '));
    assert.not.ok(hasStackTrace(r.stderr), r.stderr);
    assert.match(
      r.stderr,
      /a\.yaml:7:23: error: the environment variable TASK_PW \(\$\{env:TASK_PW\}\) holds a value shorter than 8 characters/,
    );
    assert.match(
      r.stderr,
      /a\.yaml:8:10: error: the environment variable BRAND \(\$\{env:BRAND\}\) holds a value shorter than 8 characters/,
    );
    for (const value of ['hunt2', 'blue'])
      assert.not.ok(r.stdout.includes(value) || r.stderr.includes(value), `${value} appeared in ${args.join(' ')}`);
  }
  // Offline without the variable: nothing to check yet.
  assert.is((await cli(short, ['validate'])).code, 0);
});

test('${env:...} is refused where it would name or locate something (a key, a task file)', async () => {
  const dir = await repo({
    'a.yaml': 'apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: ${env:PROJECT_KEY}\nspec:\n  title: Hello\n',
  });
  const r = await cli(dir, ['validate'], { PROJECT_KEY: 'secret-key-name' });
  assert.is(r.code, 1);
  assert.match(r.stderr, /a\.yaml:4:9: error: \$\{env:PROJECT_KEY\} can only be used in a spec value/);
  assert.not.ok(r.stderr.includes('secret-key-name'));
});

// ---- pull ----

test('pull writes no secret value: references written back where exact (description, inline label config), tokens too; then plan is clean', async () => {
  const secrets = { CLIENT_NAME: 'Zephyrine Labs', MEDIA_HEADER: 'https://media.internal/k=Q7x9LmZ2' };
  const source = await repo({
    'a.yaml': projectYaml(
      'media',
      `  title: Media for \${env:CLIENT_NAME}\n  description: "Client: \${env:CLIENT_NAME}; costs $\${dollars}"\n  label_config: |\n${CONFIG(
        '${env:MEDIA_HEADER}',
      )
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
  });
  assert.is((await cli(source, ['apply', '--auto-approve'], secrets)).code, 0);
  const [stored] = [...fake.ls.state.projects.values()];
  assert.match(
    String(stored!.fields.description),
    /^Client: Zephyrine Labs; costs \$\{dollars\}/,
    'the server holds the plaintext',
  );
  // Someone pasted the API token into another project's instructions.
  const leaky = await fake.client.createProject({ title: 'Leaky', expert_instruction: `token is ${fake.ls.token}` });

  // Pull from the repository into a new folder beside it: its ${env:...} values count.
  const into = await tree({});
  const pulled = await runCli(
    [
      'pull',
      '--project',
      String(stored!.id),
      '--project',
      String(leaky.id),
      '--namespace',
      NS,
      '--out',
      into,
      '-C',
      source,
    ],
    {
      env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token, ...secrets },
      cwd: source,
    },
  );
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const files = await listing(into);
  assert.equal(
    files,
    ['labelform.yaml', 'leaky/project.yaml', 'media/project.yaml'],
    'the label config holding a secret is inline, not in config.xml',
  );
  const written = await readAll(into, files);
  for (const value of [...Object.values(secrets), 'Zephyrine', fake.ls.token])
    assert.not.ok(written.includes(value), `${value} was written`);
  assert.not.ok((pulled.stdout + pulled.stderr).includes('Zephyrine'));
  const media = parse(await readFile(join(into, 'media/project.yaml'), 'utf8'));
  assert.is(media.spec.title, 'Media for ${env:CLIENT_NAME}');
  assert.is(media.spec.description, 'Client: ${env:CLIENT_NAME}; costs $${dollars}');
  assert.ok(media.spec.label_config.includes('<Header value="${env:MEDIA_HEADER}"/>'));
  const leakyYaml = parse(await readFile(join(into, 'leaky/project.yaml'), 'utf8'));
  assert.is(leakyYaml.spec.expert_instruction, 'token is ${env:LABEL_STUDIO_API_KEY}');
  assert.match(pulled.stdout, /note: description: holds the value of \$\{env:CLIENT_NAME\}, written as that reference/);
  assert.match(
    pulled.stdout,
    /note: label_config: holds the value of \$\{env:MEDIA_HEADER\}, written as that reference \(inline in project\.yaml/,
  );
  assert.match(pulled.stdout, /no secret value was written/);

  // The pulled manifests plan clean: the references give the values back exactly.
  const plan = await cli(into, ['plan', '--json'], secrets);
  assert.is(plan.code, 0, plan.stderr);
  const changes = JSON.parse(plan.stdout).changes as Array<{ key: string; action: string; fields: unknown[] }>;
  assert.equal(
    changes.map((c) => [c.key, c.action, c.fields]),
    [
      ['leaky', 'adopt', []],
      ['media', 'no-op', []],
    ],
  );
});

test('pull into a new folder knows secrets by their variable names (*SECRET*, *PASSWORD*, *TOKEN*, ...), not by every variable', async () => {
  const p = await fake.client.createProject({
    title: 'Vendor portal',
    description: 'Login with hunter2hunter2 at /root',
  });
  const into = await tree({});
  const pulled = await cli(into, ['pull', '--project', String(p.id), '--namespace', NS], {
    VENDOR_PASSWORD: 'hunter2hunter2',
    HOME: '/root',
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const yaml = parse(await readFile(join(into, 'vendor-portal/project.yaml'), 'utf8'));
  assert.is(yaml.spec.description, 'Login with ${env:VENDOR_PASSWORD} at /root');
});

test('pull: a key is never made from a title holding a secret; a value that cannot be written back exactly is left out and said', async () => {
  const env = { CLIENT_NAME: 'Zephyrine' };
  const source = await repo({ 'a.yaml': projectYaml('x', '  title: X for ${env:CLIENT_NAME}\n') });
  const config =
    '<View><Text name="text" value="$text"/><Choices name="Zephyrine" toName="text"><Choice value="A"/></Choices></View>';
  const p = await fake.client.createProject({ title: 'Zephyrine images', label_config: config });
  await fake.client.updateProject(p.id, {
    control_weights: { Zephyrine: { overall: 0.5, type: 'Choices', labels: { A: 1 } } },
  });
  const pulled = await runCli(['pull', '--project', String(p.id), '--out', 'sub'], {
    env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token, ...env },
    cwd: source,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const files = await listing(join(source, 'sub'));
  assert.equal(files, [`project-${p.id}/project.yaml`]);
  const written = await readAll(join(source, 'sub'), files);
  assert.not.ok(written.toLowerCase().includes('zephyrine'), written);
  assert.match(pulled.stdout, /note: control_weights: left out, it holds the value of \$\{env:CLIENT_NAME\}/);
  assert.match(pulled.stdout, /note: title: holds the value of \$\{env:CLIENT_NAME\}, written as that reference/);
  const yaml = parse(written);
  assert.is(yaml.spec.title, '${env:CLIENT_NAME} images');
  assert.ok(yaml.spec.label_config.includes('<Choices name="${env:CLIENT_NAME}" toName="text">'));
});

test('pull --out FOLDER inside a repository uses its root labelform.yaml and namespace, writes no second one; plan works; $schema paths point into node_modules', async () => {
  const root = await repo(
    { 'projects/existing/project.yaml': projectYaml('existing', '  title: Existing one\n') },
    'acme',
  );
  const p = await fake.client.createProject({ title: 'Hand made' });
  const pulled = await runCli(['pull', '--project', String(p.id), '--out', 'projects'], {
    env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token },
    cwd: root,
  });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.equal(await listing(root), [
    'labelform.yaml',
    'projects/existing/project.yaml',
    'projects/hand-made/project.yaml',
  ]);
  assert.match(pulled.stdout, /Pulled 1 project\(s\) into projects \(repository \., namespace acme\)/);
  const text = await readFile(join(root, 'projects/hand-made/project.yaml'), 'utf8');
  assert.match(
    text,
    /^# yaml-language-server: \$schema=\.\.\/\.\.\/node_modules\/labelform\/schemas\/project\.schema\.json\n/,
  );
  // A --namespace that differs from the repository's is refused, naming the file.
  const other = await runCli(['pull', '--project', String(p.id), '--out', 'projects/more', '--namespace', 'other'], {
    env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token },
    cwd: root,
  });
  assert.is(other.code, 1);
  assert.match(other.stderr, /--namespace other differs from the namespace "acme" in labelform\.yaml/);

  const plan = await runCli(['plan', '--json'], {
    env: { LABEL_STUDIO_URL: fake.ls.url, LABEL_STUDIO_API_KEY: fake.ls.token },
    cwd: root,
  });
  assert.is(plan.code, 0, plan.stderr);
  const json = JSON.parse(plan.stdout);
  assert.is(json.namespace, 'acme');
  assert.equal(
    json.changes.map((c: { key: string; action: string }) => [c.key, c.action]),
    [
      ['existing', 'create'],
      ['hand-made', 'adopt'],
    ],
  );

  // A new repository's labelform.yaml points into its own node_modules too.
  const fresh = await tree({});
  assert.is((await cli(fresh, ['pull', '--project', String(p.id), '--namespace', 'acme'])).code, 0);
  assert.match(
    await readFile(join(fresh, 'labelform.yaml'), 'utf8'),
    /^# yaml-language-server: \$schema=\.\/node_modules\/labelform\/schemas\/labelform\.schema\.json\n/,
  );
  assert.match(
    await readFile(join(fresh, 'hand-made/project.yaml'), 'utf8'),
    /^# yaml-language-server: \$schema=\.\.\/node_modules\/labelform\/schemas\/project\.schema\.json\n/,
  );
});

test.run();
