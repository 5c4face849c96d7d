/**
 * Generates src/generated/schema-types.ts from schemas/*.schema.json (the single source of truth
 * for manifest and plan shapes). `npm run gen` writes it; `--check` exits 1 when the committed
 * file is stale (a unit test runs the same comparison).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateSchemaTypes } from './gen-types-lib.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}src/generated/schema-types.ts`;
const fresh = await generateSchemaTypes(root);
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== fresh) {
    console.error('src/generated/schema-types.ts is stale: run `npm run gen` and commit the result.');
    process.exit(1);
  }
  console.log('generated types are up to date');
} else {
  await writeFile(target, fresh);
  console.log(`wrote ${target}`);
}
