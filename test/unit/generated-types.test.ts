/**
 * src/generated/schema-types.ts must be what `npm run gen` makes from schemas/ today.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSchemaTypes, SCHEMA_FILES } from '../../scripts/gen-types-lib.ts';
import { cleanupTrees, tree } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the committed generated types are fresh (run `npm run gen` if this fails)', async () => {
  const committed = await readFile(join(ROOT, 'src/generated/schema-types.ts'), 'utf8');
  const fresh = await generateSchemaTypes(ROOT);
  assert.fixture(committed, fresh);
});

test('the comparison notices a schema change', async () => {
  const copy = await tree({});
  await mkdir(join(copy, 'schemas'));
  for (const f of SCHEMA_FILES) await copyFile(join(ROOT, 'schemas', f), join(copy, 'schemas', f));
  const schemaPath = join(copy, 'schemas', 'project.schema.json');
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as {
    definitions: { ProjectSpec: { properties: Record<string, unknown> } };
  };
  schema.definitions.ProjectSpec.properties.brand_new_field = { type: 'string' };
  await writeFile(schemaPath, JSON.stringify(schema));
  const changed = await generateSchemaTypes(copy);
  const committed = await readFile(join(ROOT, 'src/generated/schema-types.ts'), 'utf8');
  assert.is.not(changed, committed);
  assert.match(changed, /brand_new_field\?: string;/);
});

test.run();
