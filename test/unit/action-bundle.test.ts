/**
 * The bundle the GitHub Action and the GitLab recipe run (action-dist/, committed) is the one
 * `npm run bundle` makes from the sources of this checkout: rebuilt into a temporary directory and
 * compared byte for byte. Stale means someone changed src/ (or a dependency) without rebuilding.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUNDLE_DIR, BUNDLE_ENTRY, ROOT, bundle, compareBundles, snapshot } from '../../scripts/bundle.ts';

test('action-dist/ is what `npm run bundle` makes of these sources', async () => {
  assert.ok(
    existsSync(join(ROOT, BUNDLE_ENTRY)),
    `${BUNDLE_ENTRY} is missing: run \`npm run bundle\` and commit action-dist/`,
  );
  const fresh = await mkdtemp(join(tmpdir(), 'labelform-bundle-'));
  try {
    await bundle(fresh);
    const diffs = await compareBundles(fresh, BUNDLE_DIR);
    assert.equal(
      diffs,
      [],
      `action-dist/ is stale (${diffs.length} file(s): ${diffs.slice(0, 8).join('; ')}${diffs.length > 8 ? '; …' : ''}): run \`npm run bundle\` and commit action-dist/`,
    );
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
});

test('the bundle names nothing of the machine that built it and runs with node alone', async () => {
  const files = await snapshot(BUNDLE_DIR);
  const root = ROOT.replace(/\/$/, '');
  for (const [path, file] of files) {
    if (!path.startsWith('cli/')) continue;
    assert.not.ok(file.bytes.includes(root), `${path} holds the path ${root}`);
  }
  const entry = await readFile(join(ROOT, BUNDLE_ENTRY), 'utf8');
  assert.ok(entry.startsWith('#!/usr/bin/env -S node'), 'the entry is executable through its shebang');
  assert.ok(files.get('cli/labelform.mjs')!.executable, 'the entry has its executable bit');
  // Nothing is left to be resolved from a node_modules folder at run time.
  for (const [path, file] of files) {
    if (!path.startsWith('cli/')) continue;
    // esbuild writes imports as `import … from "x";` at the start of a line and `import("x")`.
    const bare = [
      ...file.bytes.toString('utf8').matchAll(/^(?:import|export)\b[^;\n]*?\bfrom "([^"]+)";$|\bimport\("([^"]+)"\)/gm),
    ]
      .map((m) => m[1] ?? m[2]!)
      .filter((name) => !name.startsWith('.'))
      .filter((name) => !isBuiltin(name));
    assert.equal(bare, [], `${path} imports packages by name`);
  }
});

test.run();
