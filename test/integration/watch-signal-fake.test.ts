/**
 * `labelform watch` as a service, spawned: SIGTERM (and SIGINT) while a cycle's read is in flight
 * and never answered stops it, exit 0, with its logs as JSON lines, and the metrics port closed.
 * The read is held by a gate between the CLI and the fake that answers nothing once closed: the
 * CLI can only exit by abandoning it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Gate {
  readonly url: string;
  /** From now on, requests are held: never forwarded, never answered. */
  close(): void;
  /** Requests held so far. */
  readonly held: number;
  stop(): Promise<void>;
}

/** Forwards to the fake until closed; then holds every request it gets. */
async function startGate(target: string): Promise<Gate> {
  const to = new URL(target);
  let closed = false;
  let held = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (closed) {
      held++;
      return;
    }
    const up = request(
      { hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => void (closed = true),
    get held() {
      return held;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function cliEnv(url: string, token: string): NodeJS.ProcessEnv {
  const { GITHUB_ACTIONS: _gha, NO_COLOR: _nc, FORCE_COLOR: _fc, CI: _ci, ...env } = process.env;
  return { ...env, LABEL_STUDIO_URL: url, LABEL_STUDIO_API_KEY: token };
}

/** Resolves once `predicate` holds, checking whenever the child writes to stderr or every 20 ms. */
function until(child: ChildProcess, predicate: () => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(check, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      if (!predicate()) reject(new Error(`the CLI exited (${code}) first`));
    });
    check();
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} during a read the server never answers: the read is abandoned, exit 0, JSON logs`, async () => {
    const dir = await fake.repo({
      'news/project.yaml': projectYaml(
        'news',
        '  title: News\n  label_config: <View><Text name="t" value="$t"/></View>\n',
      ),
    });
    assert.is((await fake.cli(dir, ['apply', '--auto-approve'])).code, 0);
    const gate = await startGate(fake.ls.url);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        'watch',
        '--json',
        '--debug',
        '--interval',
        '50ms',
        '--metrics',
        '127.0.0.1:0',
        '-C',
        dir,
      ],
      { cwd: ROOT, env: cliEnv(gate.url, fake.ls.token), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
    try {
      // Two cycles done, then the next one's first read is held.
      await until(child, () => (stderr.match(/"msg":"cycle"/g) ?? []).length >= 2);
      gate.close();
      await until(child, () => gate.held > 0);
      const metricsUrl = /"msg":"serving \/healthz and \/metrics","url":"([^"]+)"/.exec(stderr)?.[1];
      assert.ok(metricsUrl, stderr);
      assert.is((await fetch(`${metricsUrl}/healthz`)).status, 200);
      child.kill(signal);
      // Only a guard against a hang (a CLI that waited for the held read would wait for its
      // 30 s timeout and its retries): the assertion is about the exit, not its time.
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code, killedBy] = await exited;
      clearTimeout(guard);
      assert.equal([code, killedBy], [0, null], stderr);
      assert.is(stdout, '', 'nothing changed: no event');
      const logs = stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; msg: string });
      assert.equal(
        logs.filter((l) => l.level === 'info').map((l) => l.msg.replace(/ every .*/, ' every …')),
        ['serving /healthz and /metrics', 'watching environment "default" every …', `${signal}: stopping`, 'stopped'],
      );
      let refused = false;
      await fetch(`${metricsUrl}/healthz`).catch(() => (refused = true));
      assert.ok(refused, 'the metrics port is closed');
    } finally {
      child.kill('SIGKILL');
      await gate.stop();
    }
  });
}

test.run();
