/**
 * A throwaway PostgreSQL cluster for running Label Studio on PostgreSQL in tests: Debian's
 * `postgresql` binaries, a fresh data directory, a free port on 127.0.0.1, trust authentication,
 * one database; stopped and removed afterwards. initdb refuses to run as root, so as root the
 * cluster runs as the `postgres` user the Debian package creates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HarnessError } from './local-label-studio.ts';

export interface LocalPostgres {
  readonly port: number;
  /** Settings Label Studio reads to use this cluster (`DJANGO_DB=default`, `POSTGRE_*`). */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!dir)
    throw new HarnessError(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); on Debian/Ubuntu: apt-get install postgresql',
    );
  return dir;
}

export async function startPostgres(opts: { log?: (m: string) => void } = {}): Promise<LocalPostgres> {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), 'labelform-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    chownSync(
      root,
      Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
      Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
    );
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new HarnessError(`${tool} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  };
  const port = await freePort();
  const data = join(root, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding', 'UTF8', '--no-sync']);
  run('pg_ctl', [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-l',
    join(root, 'postgres.log'),
    '-w',
    'start',
  ]);
  const stop = async () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q', '-c', 'CREATE DATABASE labelstudio']);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  opts.log?.(`PostgreSQL (${bin}) is up on 127.0.0.1:${port}`);
  return {
    port,
    env: {
      DJANGO_DB: 'default',
      POSTGRE_NAME: 'labelstudio',
      POSTGRE_USER: 'postgres',
      POSTGRE_PASSWORD: '',
      POSTGRE_HOST: '127.0.0.1',
      POSTGRE_PORT: String(port),
    },
    stop,
  };
}
