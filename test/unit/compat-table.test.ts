/**
 * The compatibility table in docs/server-versions.md is the last matrix run's (docs/compatibility.json), rendered,
 * never edited by hand; and the record holds every cell and every row.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CELLS,
  COMPAT_FILE,
  currentTable,
  renderTable,
  replaceTable,
  TABLE_PAGE,
  type MatrixRun,
} from '../../scripts/compat-table.ts';
import { COMPAT_ROWS } from '../e2e/compat-rows.ts';

const run = JSON.parse(readFileSync(COMPAT_FILE, 'utf8')) as MatrixRun;

test('the table in docs/server-versions.md is the last matrix run, rendered', () => {
  assert.is(currentTable(readFileSync(TABLE_PAGE, 'utf8')), renderTable(run));
});

test('every cell of the last run is a cell of the matrix, in order, with every row', () => {
  const names = CELLS.map((c) => c.name);
  assert.equal(
    run.cells.map((c) => c.name),
    names.filter((n) => run.cells.some((c) => c.name === n)),
  );
  for (const cell of run.cells) assert.equal(Object.keys(cell.rows), [...COMPAT_ROWS], cell.name);
});

test('a row not applicable shows the release it needs; a failed or missing row shows ✘', () => {
  const fake: MatrixRun = {
    ranAt: '',
    commit: '',
    cells: [
      {
        name: 'A',
        version: '1.13.1',
        db: 'sqlite',
        exitCode: 0,
        suites: [],
        seconds: 1,
        rows: {
          'auth: legacy token': { status: 'ok' },
          'auth: personal access token': {
            status: 'n/a',
            reason: 'personal access tokens: from Label Studio 1.17; this server is 1.13.1',
          },
        },
      },
    ],
  };
  const table = renderTable(fake);
  assert.match(table, /\| auth: legacy token \| ✔ \|/);
  assert.match(table, /\| auth: personal access token \| — \(1\.17\+\) \|/);
  assert.match(table, /\| field `title` \| ✘ \|/);
});

test('replacing the table keeps the rest of the page, and needs the markers', () => {
  const page = readFileSync(TABLE_PAGE, 'utf8');
  const replaced = replaceTable(page, '| x |');
  assert.is(currentTable(replaced), '| x |');
  assert.is(
    replaced.split(/<!-- compatibility table[^]*?<!-- end of compatibility table -->/).join(''),
    page.split(/<!-- compatibility table[^]*?<!-- end of compatibility table -->/).join(''),
  );
  assert.throws(() => replaceTable('# no table here', '| x |'), /no compatibility table markers/);
});

test.run();
