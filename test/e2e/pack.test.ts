/**
 * Publishing is one command: what `npm pack` puts in the package installs into an empty folder
 * and runs there (`--version`, `validate`, `plan` against the real Label Studio), and the
 * package holds what it needs (bin, dist, schemas) and nothing else. Packed with
 * --ignore-scripts from the dist/ that `npm test` has just built (the `prepare` script would
 * build it again, in this shared working tree); `npm publish` runs that same build first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace } from '../helpers/cli.ts';
import { makeRepo, projectManifest, REPO_ROOT, serverEnv, TEXT_CHOICES, uniqueNamespace } from './support.ts';

interface Packed {
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

let tarball = '';
let files: string[] = [];
let installDir = '';

test.before(async () => {
  const out = await mkdtemp(join(tmpdir(), 'labelform-pack-'));
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], REPO_ROOT);
  assert.is(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Packed[];
  tarball = join(out, info!.filename);
  files = info!.files.map((f) => f.path).sort();
  installDir = await mkdtemp(join(tmpdir(), 'labelform-install-'));
  // Dependencies come from npm's cache when `npm ci` has filled it, from the registry otherwise.
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], installDir);
  assert.is(installed.code, 0, installed.stdout + installed.stderr);
});

test.after(async () => {
  // Dependencies as npm downloaded them: nothing of this run is in them.
  if (installDir) await rm(join(installDir, 'node_modules'), { recursive: true, force: true });
});

test('the package holds bin, dist and schemas, and nothing else', async () => {
  const allowed =
    /^(package\.json|README\.md|LICENSE(\.\w+)?|bin\/labelform\.js|dist\/.+\.js|schemas\/[a-z-]+\.schema\.json)$/;
  assert.equal(
    files.filter((f) => !allowed.test(f)),
    [],
    'files outside bin/, dist/*.js, schemas/',
  );
  for (const needed of [
    'bin/labelform.js',
    'dist/cli/bin.js',
    'package.json',
    'schemas/labelform.schema.json',
    'schemas/project.schema.json',
    'schemas/plan.schema.json',
    'schemas/label-config.schema.json',
  ]) {
    assert.ok(files.includes(needed), `${needed} is missing from the package`);
  }
  // Every compiled file comes from a source file: no leftovers of a deleted one in dist/.
  const stale = files.filter(
    (f) =>
      f.startsWith('dist/') && !existsSync(join(REPO_ROOT, 'src', f.slice('dist/'.length).replace(/\.js$/, '.ts'))),
  );
  assert.equal(
    stale,
    [],
    'dist/ holds files no source builds any more; rebuild it from scratch (rm -rf dist && npm run build) before publishing',
  );
  const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    files: string[];
  };
  assert.equal(manifest.bin, { labelform: 'bin/labelform.js' });
});

test('installed into an empty folder: --version, and the schemas where editors look for them', async () => {
  const version = await run(join(installDir, 'node_modules', '.bin', 'labelform'), ['--version'], installDir);
  const expected = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout.trim(), expected);
  // The `# yaml-language-server: $schema=` path docs/manifests.md shows and `pull` writes.
  assert.ok(existsSync(join(installDir, 'node_modules', 'labelform', 'schemas', 'project.schema.json')));
  // npx finds it too, without the registry.
  const npx = await run('npx', ['--no-install', 'labelform', '--version'], installDir);
  assert.is(npx.stdout.trim(), expected, npx.stderr);
});

test('installed: validate checks a repository offline, exit 0 clean and 1 with a located problem', async () => {
  const ns = uniqueNamespace('pack');
  const good = await makeRepo(ns, {
    'p.yaml': projectManifest('reviews', `  title: Pack ${ns}\n  label_config: |\n${indent(TEXT_CHOICES(['A', 'B']))}`),
  });
  const ok = await run(join(installDir, 'node_modules', '.bin', 'labelform'), ['validate', '-C', good], installDir);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);

  const bad = await makeRepo(ns, {
    'p.yaml': projectManifest('reviews', `  title: Pack ${ns}\n  label_config: {file: ./missing.xml}\n`),
  });
  const failed = await run(join(installDir, 'node_modules', '.bin', 'labelform'), ['validate', '-C', bad], installDir);
  assert.is(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stdout + failed.stderr, /p\.yaml:\d+:\d+/);
  assert.not.ok(hasStackTrace(failed.stdout + failed.stderr));
});

test('installed: plan against the real Label Studio', async () => {
  const ns = uniqueNamespace('pack');
  const repo = await makeRepo(ns, {
    'p.yaml': projectManifest('reviews', `  title: Pack ${ns}\n  label_config: |\n${indent(TEXT_CHOICES(['A', 'B']))}`),
  });
  const planned = await run(
    join(installDir, 'node_modules', '.bin', 'labelform'),
    ['plan', '--detailed-exitcode', '-C', repo],
    installDir,
    serverEnv(),
  );
  assert.is(planned.code, 2, planned.stdout + planned.stderr);
  assert.match(planned.stdout, /reviews/);
  assert.match(planned.stdout, /create/i);
});

test.run();

const indent = (xml: string) =>
  xml
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');

/**
 * A child process with a plain environment: none of the npm_config_* and npm_lifecycle_*
 * variables an `npm test` run passes down, which would change what npm does here.
 */
function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
