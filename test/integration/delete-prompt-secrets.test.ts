/**
 * The prompt of an interactive `apply --prune` that asks to type a resource's title back before
 * deleting it never prints a title holding a value from `${env:...}`: it asks for the key (or id)
 * instead, saying why. The case is a manifest given a new key (the advice for a storage that
 * changes its type), whose old resource is pruned while the new manifest still takes the title
 * from the same variable. Against the in-repo fake, for a storage and a project; a title that
 * holds no secret is still typed back.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clearSecrets } from '../../src/util/redact.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { projectYaml } from '../unit/support/validate-fixtures.ts';

const f = useFakeCli(test, { namespace: 'test' });
test.before.each(() => f.ls.state.storages.clear());

const ENV = { TITLE: 'Quarterly secret title' };
const storageYaml = (name: string, title: string) =>
  `apiVersion: labelform/v1\nkind: ExportStorage\nmetadata:\n  name: ${name}\nspec:\n  project: p\n  type: localfiles\n  title: ${title}\n  path: /data/out\n`;

test('a storage whose title comes from ${env:...}: the prompt names the key and id, not the title; typing the title does not delete it, typing the key does', async () => {
  const dir = await f.repo({
    'p.yaml': projectYaml('p', '  title: Stored\n'),
    's.yaml': storageYaml('old', '${env:TITLE}'),
  });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'], { env: ENV })).code, 0);
  const [old] = [...f.ls.state.storages.values()];
  await rename(join(dir, 's.yaml'), join(dir, 'new.yaml'));
  await writeFile(join(dir, 'new.yaml'), storageYaml('new', '${env:TITLE}'));

  const typedTitle = await f.cli(dir, ['apply', '--prune'], {
    env: ENV,
    interactive: true,
    answers: ['yes', ENV.TITLE],
  });
  assert.is(typedTitle.code, 0, typedTitle.stdout + typedTitle.stderr);
  assert.match(
    typedTitle.stderr,
    new RegExp(
      `Type the key of export storage ExportStorage p/old \\(id ${old!.id}\\) to delete it \\("old", or its id ${old!.id}; its title is not shown: it contains the value of \\$\\{env:TITLE\\}\\): `,
    ),
  );
  assert.match(typedTitle.stdout, /delete skipped/);
  assert.ok(f.ls.state.storages.has(old!.id), 'the title is not what was asked for');

  const byKey = await f.cli(dir, ['apply', '--prune'], { env: ENV, interactive: true, answers: ['yes', ' old '] });
  assert.is(byKey.code, 0, byKey.stdout + byKey.stderr);
  assert.not.ok(f.ls.state.storages.has(old!.id), 'deleted once its key was typed back');
  for (const r of [typedTitle, byKey])
    assert.not.ok((r.stdout + r.stderr).includes(ENV.TITLE), `the title was printed:\n${r.stdout}${r.stderr}`);
});

test('a project whose title comes from ${env:...} is deleted by its id typed back; one with a plain title still asks for the title', async () => {
  const dir = await f.repo({ 'p.yaml': projectYaml('p', '  title: ${env:TITLE}\n') });
  assert.is((await f.cli(dir, ['apply', '--auto-approve'], { env: ENV })).code, 0);
  const id = [...f.ls.state.projects.values()][0]!.id;
  // The key changes, the title stays: p is pruned, q created with the same title.
  await writeFile(join(dir, 'p.yaml'), projectYaml('q', '  title: ${env:TITLE}\n'));
  const byId = await f.cli(dir, ['apply', '--prune'], { env: ENV, interactive: true, answers: ['yes', String(id)] });
  assert.is(byId.code, 0, byId.stdout + byId.stderr);
  assert.match(
    byId.stderr,
    new RegExp(
      `Type the key of project p \\(id ${id}\\) to delete it \\("p", or its id ${id}; its title is not shown: it contains the value of \\$\\{env:TITLE\\}\\)`,
    ),
  );
  assert.not.ok(f.ls.state.projects.has(id));
  assert.not.ok((byId.stdout + byId.stderr).includes(ENV.TITLE), 'the title was printed');

  // No manifest takes a title from ${env:TITLE} any more; the variable is still in the environment.
  // A fresh process (the CLI runs in this one) knows no value from an earlier run.
  clearSecrets();
  await writeFile(join(dir, 'p.yaml'), projectYaml('r', '  title: Plain title\n'));
  const gone = await f.cli(dir, ['apply', '--prune'], { env: ENV, interactive: true, answers: ['yes', 'q'] });
  assert.is(gone.code, 0, gone.stdout + gone.stderr);
  assert.match(
    gone.stderr + gone.stdout,
    /Type the key of project q \(id \d+\) to delete it \("q", or its id \d+; its title is not shown: it contains the value of the environment variable TITLE\)/,
  );
  assert.match(gone.stdout, /✔ q \(id \d+\) deleted/);
  // (The plan above the prompt shows the live title of the resource pruned: it has no manifest to say it is secret.)
  assert.not.ok(gone.stderr.includes(ENV.TITLE), 'the prompt printed the title');

  await writeFile(join(dir, 'p.yaml'), projectYaml('t', '  title: Other\n'));
  const plain = await f.cli(dir, ['apply', '--prune'], {
    env: ENV,
    interactive: true,
    answers: ['yes', 'Plain title'],
  });
  assert.is(plain.code, 0, plain.stdout + plain.stderr);
  assert.match(plain.stderr, /Type the title of project r \(id \d+\) to delete it \("Plain title"\): /);
  assert.match(plain.stdout, /✔ r \(id \d+\) deleted/);
});

test.run();
