/**
 * The test command. `unit` runs the suites that need no server: the unit tests (test/unit: pure,
 * no CLI run and no HTTP server), the integration tests (test/integration: the CLI run in-process,
 * and the API clients, against the in-repo fakes of Label Studio, GitHub and GitLab on localhost)
 * and the contract suite against the in-repo fake. `all` also installs and starts one real,
 * pinned Label Studio for the whole run (global set-up, while those suites run), runs the
 * contract suite against it and the end-to-end tests, then stops it (global tear-down). `server` runs only the suites against the real server
 * (a cell of the compatibility matrix, scripts/matrix.ts). Prints one closing line: "N passed,
 * N failed" (and "N not applicable": tests whose subject the server's release does not have,
 * test/helpers/applicable.ts, which are never counted as passed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesHoldingSecrets } from '../test/helpers/secret-scan.ts';
import { runsIn, type CellScope } from '../test/e2e/matrix-scope.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `unit`: no server; `all`: every suite; `server`: only the suites against the real server (a matrix cell). */
const mode = process.argv[2] === 'unit' ? 'unit' : process.argv[2] === 'server' ? 'server' : 'all';
const only = process.argv[3]; // optional: a single suite folder, e.g. `e2e`
/** Which test files of a suite run: all by default; LABELFORM_TEST_PATTERN narrows it (a regular expression on file names). */
const PATTERN = process.env.LABELFORM_TEST_PATTERN || '.test.ts$';
/**
 * A cell of the compatibility matrix other than npm test's own runs the end-to-end files of its
 * scope only (LABELFORM_TEST_SCOPE `database` or `release`; test/e2e/matrix-scope.ts says which).
 */
const SCOPE: CellScope = ((s) => (s === 'database' || s === 'release' ? s : 'all'))(
  process.env.LABELFORM_TEST_SCOPE?.trim(),
);

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Tests whose subject this server's release does not have (test/helpers/applicable.ts). */
  notApplicable: Array<{ name: string; reason: string }>;
  /** Files of the suite this cell leaves to the pinned release (test/e2e/matrix-scope.ts). */
  leftOut?: string[];
  code: number;
}

async function runSuite(
  name: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  scope: CellScope = 'all',
): Promise<SuiteResult> {
  if (!existsSync(`${root}${dir}`)) return { name, passed: 0, failed: 0, skipped: 0, notApplicable: [], code: 0 };
  process.stdout.write(`\n=== ${name} (${dir}) ===\n`);
  let pattern = PATTERN;
  let leftOut: string[] = [];
  if (scope !== 'all') {
    const files = readdirSync(`${root}${dir}`).filter((f) => new RegExp(PATTERN).test(f));
    leftOut = files.filter((f) => !runsIn(f, scope));
    const kept = files.filter((f) => runsIn(f, scope));
    pattern = `^(${kept.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '(?!)'})$`;
    process.stdout.write(
      `(${leftOut.length} file(s) left to the pinned release in this ${scope} cell: ${leftOut.join(', ')})\n`,
    );
  }
  const started = Date.now();
  const naFile = join(scratch, `not-applicable-${results.length}.jsonl`);
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}node_modules/uvu/bin.js`, dir, pattern], {
    cwd: root,
    env: { ...process.env, ...env, TMPDIR: scratch, FORCE_COLOR: '0', LABELFORM_TEST_NA_FILE: naFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    transcript.push(chunk.toString());
    process.stderr.write(chunk);
  });
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  transcript.push(out);
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  const num = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
  const total = num('Total');
  const skipped = num('Skipped');
  // uvu counts a test recorded as not applicable as passed: it is not.
  const notApplicable = existsSync(naFile)
    ? readFileSync(naFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { name: string; reason: string })
    : [];
  const passed = num('Passed') - notApplicable.length;
  const failed = Math.max(total - num('Passed') - skipped, code === 0 ? 0 : 1);
  const na = notApplicable.length ? `, ${notApplicable.length} not applicable` : '';
  process.stdout.write(
    `--- ${name}: ${passed} passed, ${failed} failed${na}, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return { name, passed, failed, skipped, notApplicable, ...(leftOut.length ? { leftOut } : {}), code };
}

// Every suite writes its temporary files under one scratch directory, searched for the test
// server's secrets at the end (test/helpers/secret-scan.ts), then removed.
const scratch = mkdtempSync(join(tmpdir(), 'labelform-run-'));
const results: SuiteResult[] = [];
/** Everything every suite printed: searched for the test server's secrets at the end. */
const transcript: string[] = [];
const secrets: string[] = [];
/** Stops what was started, newest first (Redis, S3, Label Studio, PostgreSQL). */
const stops: Array<() => Promise<void>> = [];
/** The release the real server reported (`/api/version/`). */
let serverRelease: string | undefined;
let exitCode = 0;

/** What the suites against the real server are given. */
interface Servers {
  readonly env: Record<string, string>;
  readonly release: string;
  readonly secrets: readonly string[];
}

/**
 * Starts the real Label Studio (on a throwaway PostgreSQL with LABELFORM_TEST_DB=postgresql), a
 * real S3-compatible server (moto) and Redis for the storage suites. Started while the suites
 * that need no server run (Label Studio's start-up is a minute of migrations on the other core);
 * what it says is kept and printed when the suites against it begin.
 */
async function startServers(log: (m: string) => void): Promise<Servers> {
  const { startLabelStudio } = await import('./local-label-studio.ts');
  const postgres =
    process.env.LABELFORM_TEST_DB === 'postgresql'
      ? await (await import('./local-postgres.ts')).startPostgres({ log })
      : undefined;
  if (postgres) stops.unshift(() => postgres.stop());
  // Webhook receivers and ML backends run on 127.0.0.1 in the tests: the server's SSRF checks would refuse them.
  const server = await startLabelStudio({
    log,
    env: { SSRF_PROTECTION_ENABLED: 'false', ML_BLOCK_LOCAL_IP: 'false', ...(postgres?.env ?? {}) },
  });
  stops.unshift(() => server.stop());
  const { startS3 } = await import('./local-s3.ts');
  const s3 = await startS3({ log });
  stops.unshift(() => s3.stop());
  const { startRedis } = await import('./local-redis.ts');
  const redis = await startRedis({ log });
  stops.unshift(() => redis.stop());
  return {
    release: server.release,
    secrets: [server.token, server.password],
    env: {
      LABELFORM_TEST_S3_URL: s3.url,
      LABELFORM_TEST_S3_PYTHON: s3.python,
      LABELFORM_TEST_REDIS_PORT: String(redis.port),
      LABELFORM_TEST_TARGET: 'real',
      LABELFORM_TEST_DB: postgres ? 'postgresql' : 'sqlite',
      LABELFORM_TEST_LS_URL: server.url,
      LABELFORM_TEST_LS_TOKEN: server.token,
      LABELFORM_TEST_LS_USERNAME: server.username,
      LABELFORM_TEST_LS_PASSWORD: server.password,
      LABELFORM_TEST_LS_DATA_DIR: server.dataDir,
      LABELFORM_TEST_LS_VERSION: server.release,
    },
  };
}

try {
  const setupLog: string[] = [];
  const servers =
    mode === 'unit'
      ? undefined
      : startServers((m) => setupLog.push(m)).then(
          (s) => ({ ok: true as const, s }),
          (err: unknown) => ({ ok: false as const, err }),
        );
  const suites: Array<[string, string]> = [
    ['unit', 'test/unit'],
    ['integration (CLI against the fakes)', 'test/integration'],
    ['contract (fake Label Studio)', 'test/contract'],
  ];
  for (const [name, dir] of suites) {
    if (only && !dir.endsWith(only)) continue;
    if (mode === 'server') continue;
    results.push(await runSuite(name, dir, { LABELFORM_TEST_TARGET: 'fake' }));
  }
  if (servers) {
    process.stdout.write('\n=== a real Label Studio for the contract and end-to-end suites ===\n');
    const started = await servers;
    for (const m of setupLog) process.stdout.write(`${m}\n`);
    if (!started.ok) throw started.err;
    secrets.push(...started.s.secrets);
    serverRelease = started.s.release;
    for (const [name, dir] of [
      ['contract (real Label Studio)', 'test/contract'],
      ['end-to-end (real Label Studio)', 'test/e2e'],
    ] as const) {
      if (only && !dir.endsWith(only)) continue;
      results.push(await runSuite(name, dir, started.s.env, dir === 'test/e2e' ? SCOPE : 'all'));
    }
  }
} catch (err) {
  process.stderr.write(`test run failed to set up: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  if (stops.length) {
    process.stdout.write('\n=== stopping Label Studio ===\n');
    for (const stop of stops) await stop();
  }
}

// The last line of defence for "secrets never show": no suite printed the server's token or password.
const leaked = secrets.filter((secret) => transcript.some((t) => t.includes(secret)));
if (leaked.length) {
  process.stdout.write(
    `\nFAIL: the test output contains ${leaked.length} secret(s) of the test server (token or password)\n`,
  );
  exitCode = 1;
} else if (secrets.length) {
  process.stdout.write(
    `\nchecked: no suite printed the test server's token or password (${transcript.join('').length} characters of output)\n`,
  );
}
// And on disk: every file the suites left (repositories, pulled manifests, saved plans, exports).
const leakingFiles = await filesHoldingSecrets(scratch, secrets);
if (leakingFiles.length) {
  process.stdout.write(
    `\nFAIL: ${leakingFiles.length} file(s) the tests wrote hold a secret of the test server: ${leakingFiles.join(', ')}\n`,
  );
  exitCode = 1;
} else if (secrets.length) {
  process.stdout.write(
    `checked: no file the suites left in their scratch directory holds the test server's token or password\n`,
  );
}
rmSync(scratch, { recursive: true, force: true });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (results.some((r) => r.code !== 0) || failed > 0 || skipped > 0) exitCode = 1;
if (passed === 0) {
  process.stdout.write('no tests ran\n');
  exitCode = 1;
}
process.stdout.write('\n');
const notApplicable = results.reduce((n, r) => n + r.notApplicable.length, 0);
for (const r of results) {
  process.stdout.write(
    `  ${r.name}: ${r.passed} passed, ${r.failed} failed${r.notApplicable.length ? `, ${r.notApplicable.length} not applicable` : ''}${r.skipped ? `, ${r.skipped} skipped` : ''}${r.leftOut ? ` (${r.leftOut.length} file(s) left to the pinned release)` : ''}\n`,
  );
  for (const na of r.notApplicable) process.stdout.write(`    n/a  ${na.name} (${na.reason})\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed${notApplicable ? `, ${notApplicable} not applicable` : ''}\n`);
// For the compatibility matrix (scripts/matrix.ts): the same figures, per suite, as JSON.
if (process.env.LABELFORM_TEST_RESULTS) {
  writeFileSync(
    process.env.LABELFORM_TEST_RESULTS,
    `${JSON.stringify({ exitCode, release: serverRelease, database: process.env.LABELFORM_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite', suites: results.map(({ code: _code, ...r }) => r) }, null, 2)}\n`,
  );
}
process.exit(exitCode);
