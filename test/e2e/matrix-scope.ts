/**
 * Which end-to-end files every cell of the compatibility matrix runs (scripts/matrix.ts). The
 * matrix is there to prove what differs between Label Studio releases and databases: the API,
 * its answers and its limits. A file whose subject is labelform's own machinery runs where it
 * says, not in every cell:
 *
 * - `pinned`: independent of the release and the database (the packaged CLI, the GitHub Action,
 *   previews drawn by a browser, kill -9 and network faults, the watcher's own timing): `npm test`
 *   only, on the pinned release and SQLite.
 * - `database`: depends on the database's locking and speed, not on the release (racing runs,
 *   lookups and migrations at scale): both cells of the pinned release, SQLite and PostgreSQL.
 *
 * Every other file runs in every cell. A file not listed here runs everywhere: listing one is a
 * claim to keep true (test/unit/matrix-scope.test.ts holds the names to the files).
 */
export type MatrixScope = 'pinned' | 'database';

export const MATRIX_SCOPE: Readonly<Record<string, MatrixScope>> = {
  'action.test.ts': 'pinned',
  'pack.test.ts': 'pinned',
  'preview.test.ts': 'pinned',
  'preview-hostile.test.ts': 'pinned',
  'preview-hostile-browser.test.ts': 'pinned',
  'crash-safety.test.ts': 'pinned',
  'faults.test.ts': 'pinned',
  'storage-sync-faults.test.ts': 'pinned',
  'watch-heal.test.ts': 'pinned',
  'watch-sync.test.ts': 'pinned',
  'watch-comment.test.ts': 'pinned',
  'concurrency.test.ts': 'database',
  'lookup-scale.test.ts': 'database',
  'label-migration-scale.test.ts': 'database',
};

/** What a cell runs: `all` (npm test's own), `database` (the pinned release on another database), `release` (another release). */
export type CellScope = 'all' | 'database' | 'release';

/** True when a cell of `scope` runs the end-to-end file `name`. */
export function runsIn(name: string, scope: CellScope): boolean {
  const only = MATRIX_SCOPE[name];
  if (!only || scope === 'all') return true;
  return only === 'database' && scope === 'database';
}
