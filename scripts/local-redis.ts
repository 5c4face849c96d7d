/**
 * A real Redis for the storage tests: Debian's `redis-server` (`.ci/run` installs the package
 * when it is missing), started on 127.0.0.1 without persistence, like Label Studio and moto.
 */
import { spawn, spawnSync } from 'node:child_process';
import { freePort, HarnessError } from './local-label-studio.ts';

export interface LocalRedis {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startRedis(opts: { log?: (m: string) => void } = {}): Promise<LocalRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new HarnessError(
      "redis-server is not installed: the storage tests need Debian's redis-server (apt-get install redis-server; .ci/run installs it)",
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore', detached: true },
  );
  const end = Date.now() + 15_000;
  while (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG') {
    if (Date.now() > end || child.exitCode !== null)
      throw new HarnessError(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  opts.log?.(`Redis is up at 127.0.0.1:${port}`);
  return {
    host: '127.0.0.1',
    port,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}
