/**
 * A real S3-compatible server for the tests: moto's server mode from PyPI, pinned, installed
 * once into .venv/moto-<version>/ (with boto3, which the tests' bucket helper uses) and started on
 * 127.0.0.1 like Label Studio. It accepts any credentials; the tests use fixed fake ones.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPython, freePort, run, HarnessError } from './local-label-studio.ts';

export const MOTO_VERSION = '5.2.5';
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MOTO_VENV = join(REPO_ROOT, '.venv', `moto-${MOTO_VERSION}`);
const INSTALLED = join(MOTO_VENV, '.labelform-installed');

export interface LocalS3 {
  readonly url: string;
  /** The venv's python, with boto3 (for test/helpers/s3.ts). */
  readonly python: string;
  stop(): Promise<void>;
}

export function ensureMotoInstalled(log: (m: string) => void = () => {}): void {
  if (existsSync(INSTALLED)) return;
  const python = findPython();
  const started = Date.now();
  log(`installing moto[server]==${MOTO_VERSION} into ${MOTO_VENV}`);
  mkdirSync(join(REPO_ROOT, '.venv'), { recursive: true });
  rmSync(MOTO_VENV, { recursive: true, force: true });
  run(python.path, ['-m', 'venv', MOTO_VENV], 'creating the virtual environment for moto failed');
  run(
    join(MOTO_VENV, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '--no-input', '-q', `moto[server]==${MOTO_VERSION}`],
    `pip install moto[server]==${MOTO_VERSION} failed`,
  );
  writeFileSync(INSTALLED, `${MOTO_VERSION}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function startS3(opts: { log?: (m: string) => void } = {}): Promise<LocalS3> {
  ensureMotoInstalled(opts.log);
  const port = await freePort();
  const child = spawn(join(MOTO_VENV, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`${url}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > end || child.exitCode !== null) throw new HarnessError(`moto did not start on ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  opts.log?.(`S3 (moto ${MOTO_VERSION}) is up at ${url}`);
  return {
    url,
    python: join(MOTO_VENV, 'bin', 'python'),
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

// CLI: install (the compatibility matrix installs moto once, before its cells start side by side).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === 'install') {
  try {
    ensureMotoInstalled((m) => console.log(m));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
