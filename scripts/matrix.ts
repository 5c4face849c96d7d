/**
 * The compatibility matrix (issue 12): the contract and end-to-end suites against every Label
 * Studio release and database teams run, each cell a fresh server started and stopped by the
 * harness (scripts/run-tests.ts). The first cell is `npm test` itself (unit and integration
 * tests and the fake too); the others run beside it, two at a time, each on the end-to-end files
 * of its scope (test/e2e/matrix-scope.ts: what is labelform's own machinery is proven on the
 * pinned release). Every release is installed into `.venv/` in the background from the start.
 *
 *   npm run test:matrix                  # every cell; then writes docs/compatibility.json and the table in docs/server-versions.md
 *   npm run test:matrix -- 1.13.1        # only the cells whose name contains "1.13.1" (merged into the last run)
 *   LABEL_STUDIO_VERSION=1.13.1 npm test # one cell, without touching the table
 *
 * A test whose subject a release lacks is "not applicable" there (test/helpers/applicable.ts)
 * and never counted as passed. With CI set, a table in docs/server-versions.md that differs from this run's fails it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPAT_ROWS } from '../test/e2e/compat-rows.ts';
import {
  CELLS,
  COMPAT_FILE,
  renderTable,
  replaceTable,
  TABLE_PAGE,
  type Cell,
  type CellRun,
  type MatrixRun,
} from './compat-table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = CELLS.filter((c) => filter.length === 0 || filter.some((f) => c.name.includes(f)));
if (selected.length === 0) {
  process.stderr.write(`no cell matches ${filter.join(', ')}; the cells are: ${CELLS.map((c) => c.name).join(', ')}\n`);
  process.exit(1);
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  quiet = false,
): Promise<{ code: number; output: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.on('close', (code) => res({ code: code ?? 1, output }));
  });
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
/** Installs a release into .venv/ in the background (a no-op when it is there). */
const install = (version: string) =>
  run(tsx, ['scripts/local-label-studio.ts', 'install'], { LABEL_STUDIO_VERSION: version }, true);

const scratch = mkdtempSync(join(tmpdir(), 'labelform-matrix-'));
const runs: CellRun[] = [];
const started = Date.now();
/**
 * The light cells run this many at a time (LABELFORM_MATRIX_JOBS, default 2), beside `npm test`'s
 * own cell: each is a server of its own, mostly waiting on Python (a cell alone keeps a 2-core
 * machine's load near 1), so three at once keep the matrix within CI's 45 minutes.
 */
const JOBS = Math.max(1, Number(process.env.LABELFORM_MATRIX_JOBS ?? 2) || 1);

// Every release is installed once, one pip at a time, in the background from the start; a cell
// waits for its own. Moto (the storage suites' S3) first: every cell uses it, and cells that run
// side by side must not both create its virtual environment.
const installs = new Map<string, Promise<{ code: number; output: string }>>();
let chain: Promise<unknown> = run(tsx, ['scripts/local-s3.ts', 'install'], {}, true).then((r) => {
  if (r.code !== 0) process.stderr.write(`installing moto failed:\n${r.output}\n`);
});
for (const version of new Set(selected.map((c) => c.version))) {
  const done = chain.then(() => install(version));
  installs.set(version, done);
  chain = done;
}

async function runCell(cell: Cell, index: number, quiet: boolean): Promise<CellRun> {
  const installed = await installs.get(cell.version)!;
  if (installed.code !== 0)
    process.stderr.write(`installing Label Studio ${cell.version} failed:\n${installed.output}\n`);
  const title = `matrix cell ${index + 1}/${selected.length}: Label Studio ${cell.version} on ${cell.db === 'postgresql' ? 'PostgreSQL' : 'SQLite'}`;
  process.stdout.write(`\n##### ${title}${quiet ? ' (started; its output follows when it ends)' : ''} #####\n`);
  const resultsFile = join(scratch, `results-${index}.json`);
  const rowsFile = join(scratch, `rows-${index}.jsonl`);
  const cellStarted = Date.now();
  const r = await run(
    tsx,
    ['scripts/run-tests.ts', cell.full ? 'all' : 'server'],
    {
      LABEL_STUDIO_VERSION: cell.version,
      LABELFORM_TEST_DB: cell.db,
      LABELFORM_TEST_RESULTS: resultsFile,
      LABELFORM_COMPAT_FILE: rowsFile,
      LABELFORM_TEST_SCOPE: cell.scope,
      // The other cells run the scale and racing tests on less work (test/helpers/load.ts).
      ...(cell.full ? {} : { LABELFORM_TEST_LOAD: 'light' }),
    },
    quiet,
  );
  if (quiet) process.stdout.write(`\n##### ${title}: its output #####\n${r.output}\n`);
  const results = existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Omit<CellRun, 'name' | 'seconds' | 'rows'>)
    : undefined;
  const held = new Set(
    existsSync(rowsFile)
      ? readFileSync(rowsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { row: string }).row)
      : [],
  );
  const notApplicable = new Map(
    (results?.suites ?? []).flatMap((s) => s.notApplicable).map((na) => [na.name, na.reason] as const),
  );
  const rows: CellRun['rows'] = {};
  for (const row of COMPAT_ROWS)
    rows[row] = held.has(row)
      ? { status: 'ok' }
      : notApplicable.has(row)
        ? { status: 'n/a', reason: notApplicable.get(row)! }
        : { status: 'fail' };
  return {
    name: cell.name,
    version: cell.version,
    db: cell.db,
    release: results?.release,
    exitCode: results?.exitCode ?? r.code,
    suites: results?.suites ?? [],
    rows,
    seconds: Math.round((Date.now() - cellStarted) / 1000),
  };
}

const indexed = selected.map((cell, index) => ({ cell, index }));
const full = indexed.filter((c) => c.cell.full);
const light = indexed.filter((c) => !c.cell.full);
// npm test's cell prints as it goes; the others, run beside it, print each when it ends.
const quiet = full.length > 0 || (JOBS > 1 && light.length > 1);
await Promise.all([
  (async () => {
    for (const { cell, index } of full) runs.push(await runCell(cell, index, false));
  })(),
  ...Array.from({ length: Math.min(JOBS, light.length) }, async () => {
    for (let next = light.shift(); next; next = light.shift()) runs.push(await runCell(next.cell, next.index, quiet));
  }),
]);
await chain;
rmSync(scratch, { recursive: true, force: true });

// Merge into the last run: a partial run replaces only its own cells.
const previous: MatrixRun | undefined = existsSync(COMPAT_FILE)
  ? (JSON.parse(readFileSync(COMPAT_FILE, 'utf8')) as MatrixRun)
  : undefined;
const commit = await run('git', ['rev-parse', '--short=12', 'HEAD'], {}, true);
const matrix: MatrixRun = {
  ranAt: new Date().toISOString(),
  commit: commit.code === 0 ? commit.output.trim() : 'unknown',
  cells: CELLS.map((c) => runs.find((r) => r.name === c.name) ?? previous?.cells.find((p) => p.name === c.name)).filter(
    (c): c is CellRun => c !== undefined,
  ),
};
writeFileSync(COMPAT_FILE, `${JSON.stringify(matrix, null, 2)}\n`);
const page = readFileSync(TABLE_PAGE, 'utf8');
const table = renderTable(matrix);
const updated = replaceTable(page, table);
const tableChanged = updated !== page;
if (tableChanged) writeFileSync(TABLE_PAGE, updated);

process.stdout.write(`\n##### compatibility matrix (${Math.round((Date.now() - started) / 60_000)} min) #####\n`);
let exitCode = 0;
for (const r of CELLS.map((c) => runs.find((x) => x.name === c.name)).filter((x): x is CellRun => x !== undefined)) {
  const count = (k: 'passed' | 'failed') => r.suites.reduce((n, s) => n + s[k], 0);
  const na = r.suites.reduce((n, s) => n + s.notApplicable.length, 0);
  const leftOut = r.suites.reduce((n, s) => n + (s.leftOut?.length ?? 0), 0);
  const failedRows = Object.entries(r.rows)
    .filter(([, v]) => v.status === 'fail')
    .map(([k]) => k);
  process.stdout.write(
    `  ${r.name}: ${count('passed')} passed, ${count('failed')} failed, ${na} not applicable${leftOut ? `, ${leftOut} end-to-end file(s) left to the pinned release` : ''} (${Math.round(r.seconds / 60)} min)${failedRows.length ? `; rows failed: ${failedRows.join(', ')}` : ''}\n`,
  );
  if (r.exitCode !== 0 || failedRows.length) exitCode = 1;
}
process.stdout.write(
  `wrote ${COMPAT_FILE.slice(root.length)}${tableChanged ? ' and the table in docs/server-versions.md (it changed)' : '; the table in docs/server-versions.md is unchanged'}\n`,
);
if (tableChanged && process.env.CI) {
  process.stdout.write(
    'FAIL: the compatibility table in docs/server-versions.md does not match this run (run `npm run test:matrix` and commit docs/server-versions.md and docs/compatibility.json)\n',
  );
  exitCode = 1;
}
process.exit(exitCode);
