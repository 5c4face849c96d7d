/**
 * A real, pinned Label Studio for tests, benchmarks and the demo: installed from PyPI into a
 * git-ignored virtual environment in the repository (reused when present), started headless on
 * 127.0.0.1 with a fresh data directory, a preset admin user and legacy token, and stopped
 * without leaving a process behind.
 *
 *   tsx scripts/local-label-studio.ts install   # create .venv/ and install (idempotent)
 *   tsx scripts/local-label-studio.ts start     # start, print URL/login/token, run until Ctrl-C
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supports } from '../src/api/server-versions.ts';

/** The release `npm test`, the demo and the benchmarks run against. */
export const PINNED_LABEL_STUDIO_VERSION = '1.23.2';
/**
 * Another release for one run (`LABEL_STUDIO_VERSION=1.20.0 npm test`), installed into its own
 * `.venv/label-studio-<version>` beside the pinned one.
 */
export const LABEL_STUDIO_VERSION = process.env.LABEL_STUDIO_VERSION?.trim() || PINNED_LABEL_STUDIO_VERSION;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const VENV_DIR = join(REPO_ROOT, '.venv', `label-studio-${LABEL_STUDIO_VERSION}`);
const INSTALLED_MARKER = join(VENV_DIR, '.labelform-installed');
/**
 * Dependencies an old release must be installed with today. PyJWT 2.15 refuses the dummy
 * signature Label Studio 1.17-1.22 put on a PAT to blacklist it ("Invalid crypto padding", so
 * `/api/token/blacklist/` answers 404 for every token); 1.23's SDK holds PyJWT below that.
 */
const INSTALL_PINS: Readonly<Record<string, readonly string[]>> = {
  '1.17.0': ['pyjwt==2.13.0'],
  '1.20.0': ['pyjwt==2.13.0'],
};
const PINS = INSTALL_PINS[LABEL_STUDIO_VERSION] ?? [];
const MARKER_TEXT = `${[LABEL_STUDIO_VERSION, ...PINS].join(' ')}\n`;
const MIN_PYTHON: [number, number] = [3, 10];

export interface LocalLabelStudio {
  readonly url: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Legacy API token of the admin user (legacy tokens are enabled on this server). */
  readonly token: string;
  readonly dataDir: string;
  readonly pid: number;
  readonly logFile: string;
  /** Seconds from spawn to a healthy /health/. */
  readonly startSeconds: number;
  /** The release the server reports at `/api/version/` (for example `1.23.2`). */
  readonly release: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly log?: (message: string) => void;
  readonly port?: number;
  /** Keep the data directory after stop (the demo does, so a person can look around). */
  readonly keepData?: boolean;
  readonly startTimeoutMs?: number;
  /** Extra environment for the server (for example DATA_UPLOAD_MAX_MEMORY_SIZE). */
  readonly env?: Record<string, string>;
}

export class HarnessError extends Error {}

/** Finds a Python >= 3.10, creates the venv and installs the pinned Label Studio (once). */
export function ensureLabelStudioInstalled(log: (m: string) => void = () => {}): {
  bin: string;
  installedNow: boolean;
  seconds: number;
} {
  const bin = join(VENV_DIR, 'bin', 'label-studio');
  if (existsSync(INSTALLED_MARKER) && existsSync(bin) && readFileSync(INSTALLED_MARKER, 'utf8') === MARKER_TEXT)
    return { bin, installedNow: false, seconds: 0 };
  const python = findPython();
  const started = Date.now();
  log(
    `installing label-studio==${LABEL_STUDIO_VERSION}${PINS.length ? ` (with ${PINS.join(' ')})` : ''} into ${VENV_DIR} with ${python.path} (Python ${python.version}); the first install takes about a minute`,
  );
  mkdirSync(join(REPO_ROOT, '.venv'), { recursive: true });
  rmSync(VENV_DIR, { recursive: true, force: true });
  run(
    python.path,
    ['-m', 'venv', VENV_DIR],
    'creating the virtual environment failed (on Debian/Ubuntu: apt-get install python3-venv)',
  );
  const pip = join(VENV_DIR, 'bin', 'pip');
  run(
    pip,
    ['install', '--disable-pip-version-check', '--no-input', '-q', `label-studio==${LABEL_STUDIO_VERSION}`, ...PINS],
    `pip install label-studio==${LABEL_STUDIO_VERSION} ${PINS.join(' ')} failed`,
  );
  if (!existsSync(bin)) throw new HarnessError(`the install finished but ${bin} is missing`);
  writeFileSync(INSTALLED_MARKER, MARKER_TEXT);
  const seconds = (Date.now() - started) / 1000;
  log(`installed in ${seconds.toFixed(1)} s`);
  return { bin, installedNow: true, seconds };
}

/** Starts Label Studio headless on 127.0.0.1 and waits until /health/ answers. */
export async function startLabelStudio(opts: StartOptions = {}): Promise<LocalLabelStudio> {
  const log = opts.log ?? (() => {});
  const { bin } = ensureLabelStudioInstalled(log);
  const requestedPort = opts.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'labelform-ls-'));
  const logFile = join(dataDir, 'server.log');
  const username = 'admin@labelform.test';
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const token = randomBytes(20).toString('hex');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Label Studio reads LABEL_STUDIO_*, HEARTEX_* and bare names (USERNAME, PASSWORD, ...) as its
    // settings; a stray one from the caller's shell must not leak into the test server.
    if (
      v === undefined ||
      /^(LABEL_STUDIO_|HEARTEX_|DJANGO_|POSTGRE_|fflag|ff_)/.test(k) ||
      ['USERNAME', 'PASSWORD', 'USER_TOKEN', 'PORT', 'HOST', 'DEBUG'].includes(k)
    )
      continue;
    env[k] = v;
  }
  Object.assign(env, {
    LATEST_VERSION_CHECK: 'false',
    COLLECT_ANALYTICS: '0',
    SENTRY_DSN: '',
    FRONTEND_SENTRY_DSN: '',
    LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED: 'false',
    LABEL_STUDIO_BASE_DATA_DIR: dataDir,
    PYTHONUNBUFFERED: '1',
    ...(opts.env ?? {}),
  });
  const args = [
    'start',
    '--no-browser',
    '--data-dir',
    dataDir,
    '--internal-host',
    '127.0.0.1',
    '--port',
    String(requestedPort),
    '--username',
    username,
    '--password',
    password,
    '--user-token',
    token,
    // From 1.18 legacy tokens are off unless asked for at start; before, the flag does not exist.
    ...(supports(LABEL_STUDIO_VERSION, 'legacyTokenStartFlag') ? ['--enable-legacy-api-token'] : []),
  ];
  const fd = openSync(logFile, 'a');
  const started = Date.now();
  // Its own process group, so stop() can signal the server and anything it spawned.
  const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const cleanupOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', cleanupOnExit);

  const stop = async () => {
    process.removeListener('exit', cleanupOnExit);
    await stopGroup(child, exit);
    if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // Label Studio silently moves to the next free port when the requested one is taken:
    // read the port it really got from its own log line.
    const port = await waitForStart(logFile, exit, opts.startTimeoutMs ?? 240_000);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, exit, opts.startTimeoutMs ?? 240_000);
    const startSeconds = (Date.now() - started) / 1000;
    const release = await readRelease(url);
    if (release !== LABEL_STUDIO_VERSION)
      throw new HarnessError(
        `asked for Label Studio ${LABEL_STUDIO_VERSION}, but the server in ${VENV_DIR} says it is ${release}`,
      );
    // 1.17 has personal access tokens and turns legacy tokens off, with no start flag to turn them
    // on: the admin signs in and switches them on for the organisation.
    if (supports(release, 'personalAccessTokens') && !supports(release, 'legacyTokenStartFlag'))
      await enableLegacyTokens(url, username, password);
    if (port !== requestedPort) log(`port ${requestedPort} was taken; Label Studio moved to ${port}`);
    log(
      `Label Studio ${LABEL_STUDIO_VERSION} is up at ${url} (started in ${startSeconds.toFixed(1)} s, pid ${child.pid})`,
    );
    return { url, port, username, password, token, dataDir, pid: child.pid!, logFile, startSeconds, release, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

async function waitForStart(logFile: string, exit: Promise<number | null>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  void exit.then((c) => (exited = c));
  while (Date.now() < deadline) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const m = /Starting development server at https?:\/\/[^:/]+:(\d+)\//.exec(text);
    if (m) return Number(m[1]);
    if (exited !== undefined)
      throw new HarnessError(
        `Label Studio exited (code ${exited}) before it started. Last lines of ${logFile}:\n${tail(text)}`,
      );
    await delay(250);
  }
  throw new HarnessError(
    `Label Studio did not start within ${timeoutMs / 1000} s. Last lines of ${logFile}:\n${tail(readFileSync(logFile, 'utf8'))}`,
  );
}

async function waitForHealth(url: string, exit: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  void exit.then((c) => (exited = c));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new HarnessError(`Label Studio exited (code ${exited}) while starting`);
    try {
      // /health/ sends JSON labelled text/html: check the status only.
      const res = await fetch(`${url}/health/`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await delay(300);
  }
  throw new HarnessError(`${url}/health/ did not answer within ${timeoutMs / 1000} s`);
}

/**
 * Signs in through the login form (session and CSRF cookies) and turns legacy tokens on in
 * `/api/jwt/settings`, as the organisation page of 1.17 does.
 */
async function enableLegacyTokens(url: string, username: string, password: string): Promise<void> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${url}/user/login/`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  keep(page);
  const csrf = () => cookies.get('csrftoken') ?? '';
  if (!csrf()) throw new HarnessError(`${url}/user/login/ set no csrftoken cookie (HTTP ${page.status})`);
  const login = await fetch(`${url}/user/login/`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: cookieHeader(),
      Referer: `${url}/user/login/`,
    },
    body: new URLSearchParams({ csrfmiddlewaretoken: csrf(), email: username, password }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  keep(login);
  if (!cookies.has('sessionid'))
    throw new HarnessError(`signing in to ${url} as ${username} failed (HTTP ${login.status}, no session)`);
  const res = await fetch(`${url}/api/jwt/settings`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Cookie: cookieHeader(),
      'X-CSRFToken': csrf(),
      Referer: `${url}/organization/`,
    },
    body: JSON.stringify({ api_tokens_enabled: true, legacy_api_tokens_enabled: true, api_token_ttl_days: 30 }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok)
    throw new HarnessError(
      `turning legacy tokens on at ${url}/api/jwt/settings answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
}

async function readRelease(url: string): Promise<string> {
  const res = await fetch(`${url}/api/version/`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => ({}))) as { release?: unknown };
  if (!res.ok || typeof body.release !== 'string')
    throw new HarnessError(`${url}/api/version/ answered HTTP ${res.status} without a release`);
  return body.release;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess, exit: Promise<number | null>): Promise<void> {
  if (child.pid === undefined) return;
  killGroup(child, 'SIGTERM');
  const done = await Promise.race([exit.then(() => true), delay(10_000).then(() => false)]);
  if (!done) {
    killGroup(child, 'SIGKILL');
    await exit;
  }
  // The group leader is gone; make sure nothing of the group survives it.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // no such process group: good
  }
}

export function findPython(): { path: string; version: string } {
  const candidates = ['python3.13', 'python3.12', 'python3.11', 'python3.10', 'python3', 'python'];
  const seen: string[] = [];
  for (const name of candidates) {
    const r = spawnSync(name, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout) continue;
    const version = r.stdout.trim();
    const [major, minor] = version.split('.').map(Number) as [number, number];
    seen.push(`${name} ${version}`);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) return { path: name, version };
  }
  throw new HarnessError(
    `Label Studio ${LABEL_STUDIO_VERSION} needs Python >= ${MIN_PYTHON.join('.')} with venv and pip; found ${seen.length ? seen.join(', ') : 'no python3 on PATH'}. ` +
      'Install it (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip) and run again.',
  );
}

export function run(cmd: string, args: string[], failure: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new HarnessError(`${failure}:\n${tail(`${r.stdout ?? ''}${r.stderr ?? ''}`)}`);
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Writes LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY for a local server to .labelform/local.env (mode 600). */
export function writeEnvFile(ls: LocalLabelStudio): string {
  const dir = join(REPO_ROOT, '.labelform');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'local.env');
  writeFileSync(file, `LABEL_STUDIO_URL=${ls.url}\nLABEL_STUDIO_API_KEY=${ls.token}\n`, { mode: 0o600 });
  return file;
}

function tail(text: string, lines = 25): string {
  return text.split('\n').slice(-lines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// CLI: install | start
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const cmd = process.argv[2] ?? 'start';
  const log = (m: string) => console.log(m);
  try {
    if (cmd === 'install') {
      const r = ensureLabelStudioInstalled(log);
      if (!r.installedNow) log(`label-studio ${LABEL_STUDIO_VERSION} is already installed in ${VENV_DIR}`);
    } else if (cmd === 'start') {
      const ls = await startLabelStudio({ log, keepData: true });
      const envFile = writeEnvFile(ls);
      log(
        `\n  URL:      ${ls.url}\n  login:    ${ls.username} / ${ls.password}\n  data dir: ${ls.dataDir}\n\nThe token is in ${envFile} (not printed). To point labelform at this server:\n  set -a; . ${envFile}; set +a\n\nPress Ctrl-C to stop.`,
      );
      const shutdown = () => void ls.stop().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      await new Promise(() => {});
    } else {
      console.error('usage: tsx scripts/local-label-studio.ts install|start');
      process.exit(1);
    }
  } catch (err) {
    console.error(err instanceof HarnessError ? `error: ${err.message}` : err);
    process.exit(1);
  }
}
