/**
 * The rows of the compatibility table (docs/server-versions.md), in order: each is one test of
 * test/e2e/compat.test.ts, named as the row. scripts/matrix.ts reads a cell's rows from what
 * those tests recorded; a row neither held nor "not applicable" in a cell is a failure there.
 */
import { PROJECT_FIELDS } from '../../src/kinds/project/fields.ts';

export const COMPAT_ROWS: readonly string[] = [
  'auth: legacy token',
  'auth: personal access token',
  ...PROJECT_FIELDS.map((f) => `field: ${f}`),
  'plan, apply: converge',
  'drift',
  'tasks: import, list',
  'tasks: U+0000 refused first',
  'export: JSON',
  'export snapshot: JSON',
  'export snapshot: CSV',
];
