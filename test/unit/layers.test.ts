/**
 * The layers of src/ (docs/architecture.md): the rules of .dependency-cruiser.cjs, run in-process
 * over src/ as `npm run deps` runs them, must find nothing; a failure lists each offending import
 * or cycle. A probe checks that the rules do catch an upward import and a cycle.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the project's rules over `paths` (relative to `cwd`), returning one line per violation. */
async function violations(paths: string[], cwd: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const { output } = await cruise(paths, {
    ...options,
    baseDir: cwd,
    validate: true,
    tsConfig: { fileName: join(ROOT, 'tsconfig.json') },
  });
  const result = output as ICruiseResult;
  return result.summary.violations.map(
    (v) =>
      `${v.rule.name}: ${v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)].join(' -> ') : `${v.from} -> ${v.to}`}`,
  );
}

test('src/: every import points to a lower layer, and no cycle, counting type-only imports', async () => {
  const found = await violations(['src'], ROOT);
  assert.equal(
    found,
    [],
    `${found.length} violation(s) of .dependency-cruiser.cjs (docs/architecture.md says which folder may import which):\n${found.join('\n')}`,
  );
});

test('the rules catch an upward import and a type-only cycle', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labelform-layers-'));
  try {
    await mkdir(join(dir, 'src/util'), { recursive: true });
    await mkdir(join(dir, 'src/cli'), { recursive: true });
    await writeFile(join(dir, 'src/cli/io.ts'), 'export interface Io { readonly cwd: string }\n');
    await writeFile(
      join(dir, 'src/util/a.ts'),
      "import type { Io } from '../cli/io.ts';\nimport type { B } from './b.ts';\nexport interface A { readonly io?: Io; readonly b?: B }\n",
    );
    await writeFile(
      join(dir, 'src/util/b.ts'),
      "import type { A } from './a.ts';\nexport interface B { readonly a?: A }\n",
    );
    const found = await violations(['src'], dir);
    assert.ok(found.includes('layer-util: src/util/a.ts -> src/cli/io.ts'), found.join('\n'));
    assert.ok(
      found.some((f) => f.startsWith('no-circular: ')),
      found.join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
