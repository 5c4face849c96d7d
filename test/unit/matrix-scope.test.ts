/**
 * The end-to-end files the compatibility matrix leaves to the pinned release
 * (test/e2e/matrix-scope.ts): every name is a file that exists, npm test's own cell runs them all,
 * the PostgreSQL cell the database ones, another release neither; every file not listed runs in
 * every cell, and the rows of the compatibility table (compat.test.ts) are among them.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CELLS } from '../../scripts/compat-table.ts';
import { MATRIX_SCOPE, runsIn } from '../e2e/matrix-scope.ts';

const files = readdirSync(fileURLToPath(new URL('../e2e/', import.meta.url))).filter((f) => f.endsWith('.test.ts'));

test('every file the scope names exists', () => {
  for (const name of Object.keys(MATRIX_SCOPE)) assert.ok(files.includes(name), `${name} is not in test/e2e`);
});

test('npm test runs every file; the PostgreSQL cell all but the pinned ones; another release none of those listed', () => {
  for (const f of files) {
    assert.ok(runsIn(f, 'all'), f);
    assert.is(runsIn(f, 'database'), MATRIX_SCOPE[f] !== 'pinned', f);
    assert.is(runsIn(f, 'release'), MATRIX_SCOPE[f] === undefined, f);
  }
  assert.ok(runsIn('compat.test.ts', 'release'), 'the rows of the compatibility table are held in every cell');
  assert.ok(files.length - Object.keys(MATRIX_SCOPE).length >= 20, 'most files run in every cell');
});

test('the cells: npm test runs all, the pinned release on PostgreSQL the database scope, older releases the release scope', () => {
  assert.equal(
    CELLS.map((c) => [c.name, c.scope]),
    CELLS.map((c) => [c.name, c.full ? 'all' : c.version === CELLS[0]!.version ? 'database' : 'release']),
  );
  assert.is(CELLS.filter((c) => c.scope === 'all').length, 1);
});

test.run();
