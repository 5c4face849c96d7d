/**
 * examples/projects: validates clean, every example manifest is loaded (in every environment),
 * and each carries the yaml-language-server schema line editors use.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadRepository } from '../../src/state/load-repository.ts';
import { runCli } from '../helpers/cli.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { labelConfigKind } from '../../src/kinds/label-config/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples', 'projects');
const SCHEMA_FOR_KIND: Record<string, string> = {
  Config: 'labelform',
  Project: 'project',
  LabelConfig: 'label-config',
};

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** kind and metadata.name of every example manifest, read independently of the loader. */
async function declared(): Promise<Array<{ file: string; kind: string; name?: string }>> {
  return Promise.all(
    (await yamlFiles(EXAMPLES)).map(async (file) => {
      const doc = parse(await readFile(file, 'utf8')) as { kind: string; metadata?: { name: string } };
      return { file, kind: doc.kind, ...(doc.metadata ? { name: doc.metadata.name } : {}) };
    }),
  );
}

test('`labelform validate examples/projects` exits 0', async () => {
  const r = await runCli(['validate', 'examples/projects'], { cwd: ROOT });
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  const all = await declared();
  assert.match(r.stdout, new RegExp(`^✔ ${all.length} manifest files valid: `));
});

test('every example project and label config is loaded, in every environment', async () => {
  const all = await declared();
  const projects = all
    .filter((d) => d.kind === 'Project')
    .map((d) => d.name!)
    .sort();
  const labelConfigs = all
    .filter((d) => d.kind === 'LabelConfig')
    .map((d) => d.name!)
    .sort();
  assert.ok(projects.length >= 4, 'the issue asks for at least four example projects');
  const base = await loadRepository(EXAMPLES, { env: {}, requireEnv: false, checkAllEnvironments: true, cwd: ROOT });
  const environments = Object.keys(base.repository?.config.environments ?? {});
  assert.ok(environments.length >= 1);
  for (const environment of environments) {
    const { repository, diagnostics } = await loadRepository(EXAMPLES, {
      env: {},
      requireEnv: false,
      checkAllEnvironments: true,
      cwd: ROOT,
      environment,
    });
    assert.equal(diagnostics, [], environment);
    assert.is(repository?.environment, environment);
    assert.equal(
      resourcesOf(repository, projectKind)
        .map((p) => p.name)
        .sort(),
      projects,
      environment,
    );
    assert.equal(
      resourcesOf(repository, labelConfigKind)
        .map((l) => l.name)
        .sort(),
      labelConfigs,
      environment,
    );
    for (const p of resourcesOf(repository, projectKind)) {
      // Every example has a label config, resolved to XML with controls and task data keys.
      assert.ok(p.labelConfig, p.name);
      assert.is(p.spec.label_config, p.labelConfig?.xml);
      assert.ok((p.labelConfig?.summary.controls.length ?? 0) > 0, p.name);
      assert.ok((p.labelConfig?.summary.dataKeys.length ?? 0) > 0, p.name);
      // Interpolation left nothing behind.
      assert.not.match(JSON.stringify(p.spec), /\$\{(var\.|env:)/, p.name);
    }
  }
});

test('one LabelConfig is shared by at least two projects', async () => {
  const { repository } = await loadRepository(EXAMPLES, { env: {}, requireEnv: false, cwd: ROOT });
  const uses = new Map<string, number>();
  for (const p of resourcesOf(repository, projectKind))
    if (p.labelConfig?.ref) uses.set(p.labelConfig.ref, (uses.get(p.labelConfig.ref) ?? 0) + 1);
  assert.ok(
    [...uses.values()].some((n) => n >= 2),
    JSON.stringify([...uses]),
  );
});

test('each example manifest starts with a yaml-language-server $schema line for its kind', async () => {
  for (const { file, kind } of await declared()) {
    const first = (await readFile(file, 'utf8')).split('\n', 1)[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(m, `${relative(ROOT, file)}: ${first}`);
    const schema = resolve(dirname(file), m[1]!);
    assert.is(relative(ROOT, schema), join('schemas', `${SCHEMA_FOR_KIND[kind]}.schema.json`), relative(ROOT, file));
    assert.ok(existsSync(schema));
  }
});

test.run();
