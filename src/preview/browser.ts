import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, rmSync, statSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { UserError } from '../util/errors.ts';

/** Where Chrome or Chromium usually lives, after `$PATH`: Debian/Ubuntu, CI runners, macOS. */
const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** The browser to drive: `--browser`, then LABELFORM_BROWSER, then `$PATH`, then the usual places. */
export function findBrowser(
  env: Readonly<Record<string, string | undefined>>,
  explicit?: string,
  known: readonly string[] = KNOWN_PATHS,
): string {
  const chosen = explicit ?? env.LABELFORM_BROWSER;
  if (chosen) {
    if (!isExecutable(chosen))
      throw new UserError(`${explicit ? '--browser' : 'LABELFORM_BROWSER'} ${chosen}: no executable there`);
    return chosen;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  const found = known.find(isExecutable);
  if (found) return found;
  throw new UserError(
    'preview needs Chrome or Chromium, and none was found (looked for chromium, chromium-browser, google-chrome on PATH and in the usual places)',
    [],
    'Install one (Debian/Ubuntu: `sudo apt-get install chromium`; GitHub-hosted runners have Google Chrome), or point --browser or LABELFORM_BROWSER at its executable. labelform never downloads a browser.',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Flags for a closed network and a throwaway profile: no background fetches (update checks, sync,
 * QUIC probes) that would fail, slow the start or reach the internet.
 *
 * The page draws task data from a pull request, so the browser gets no network at all, below
 * request interception (which does not see `<object>`, `<embed>`, WebSocket, preconnects or DNS
 * prefetches): every host name, IP literals and loopback included, resolves to "not found" (no
 * lookup is made), and every connection would go through a proxy that the same rule makes
 * unreachable (`<-loopback>` removes the usual exemption of loopback from the proxy), so neither
 * alone is relied on. Measured on Chromium 156
 * (test/e2e/preview-hostile.test.ts): without them, `<object>`, `<embed>`, `<iframe>` and WebSocket
 * reached listeners on 127.0.0.1 and host names were looked up; with them, nothing. The
 * preview's own files are answered by request interception before the network, so they still load.
 * WebRTC may use no UDP outside the (closed) proxy (measured too: STUN to 127.0.0.1 sent no packet).
 *
 * The renderer's JavaScript heap is capped too (and its whole memory by memory-watch.ts): a config
 * or task that makes the page grow without end crashes its page (reported as that config's
 * error), not the machine.
 */
export const NETWORK_FLAGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND',
  // Port 9 (discard), not served on loopback; nothing connects to it anyway: the rule above
  // makes 127.0.0.1 "not found" too.
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  // WebRTC: no UDP outside the (closed) proxy. The switch is this one; `--force-webrtc-ip-handling-policy`,
  // used before, is no Chromium switch: STUN packets still reached a listener on 127.0.0.1.
  // Chromium has no switch that turns WebRTC off; the pages have no RTCPeerConnection either (renderer.ts).
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--dns-prefetch-disable',
];
const FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--font-render-hinting=none',
  '--hide-scrollbars',
  '--js-flags=--max-old-space-size=512',
  ...NETWORK_FLAGS,
];

/**
 * The environment the browser is started with: only what it needs to start and to draw text as
 * the user would see it (search path, language, fonts, time zone, home and temporary folders).
 * Playwright hands the browser all of `process.env` otherwise, and that holds
 * LABEL_STUDIO_API_KEY and every `${env:...}` value, readable in /proc/<pid>/environ by any
 * process of the browser's user (under root: every process running as nobody).
 */
export function browserEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && KEPT_ENV.test(name)) out[name] = value;
  }
  return out;
}
const KEPT_ENV = new RegExp(
  `^(${[
    'PATH',
    'HOME',
    'TMPDIR',
    'TZ',
    'LANG',
    'LANGUAGE',
    'LC_[A-Z_]+',
    'FONTCONFIG_[A-Z_]+',
    'XDG_(CONFIG|CACHE|DATA|RUNTIME)_(HOME|DIRS|DIR)',
    // Windows and macOS: where the system and the user's folders are.
    'SYSTEMROOT',
    'WINDIR',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'LOCALAPPDATA',
    'APPDATA',
    'PROGRAMFILES',
    '__CF_USER_TEXT_ENCODING',
  ].join('|')})$`,
  'i',
);

/** How the browser was started: with its sandbox, or why not. */
export interface LaunchedBrowser {
  readonly browser: Browser;
  /** Empty when sandboxed; otherwise why the browser runs without its sandbox (said to the user). */
  readonly unsandboxed?: string;
  /** Removes what the launch left behind (the unprivileged user's profile). */
  readonly cleanup: () => Promise<void>;
}

/**
 * Starts the browser sandboxed. Chromium refuses its sandbox to root, so under root (containers,
 * some CI images) it runs as the unprivileged user `nobody` (through `setpriv`, with a profile of
 * its own), where its user-namespace sandbox works; when that is not possible (no `nobody`, no
 * `setpriv`, a kernel without user namespaces) it runs with `--no-sandbox`, and says so.
 */
export async function launchBrowser(
  executablePath: string,
  options: { readonly extraArgs?: readonly string[] } = {},
): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const args = [...FLAGS, ...(options.extraArgs ?? [])];
  const env = browserEnv(process.env);
  const launch = (path: string, sandbox: boolean) =>
    chromium.launch({ executablePath: path, headless: true, args, chromiumSandbox: sandbox, env });
  const none = async () => undefined;
  let last: unknown;
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    const asNobody = await unprivilegedLauncher(executablePath, env);
    if (typeof asNobody !== 'string') {
      try {
        const browser = await launch(asNobody.wrapper, true);
        asNobody.afterLaunch();
        return { browser, cleanup: asNobody.cleanup };
      } catch (err) {
        last = err;
        await asNobody.cleanup();
      }
    }
    const why =
      typeof asNobody === 'string'
        ? asNobody
        : `running as root, and the browser did not start as the user nobody (${firstLine(last)})`;
    try {
      return { browser: await launch(executablePath, false), unsandboxed: why, cleanup: none };
    } catch (err) {
      last = err;
    }
  } else {
    try {
      return { browser: await launch(executablePath, true), cleanup: none };
    } catch (err) {
      last = err;
    }
    try {
      return {
        browser: await launch(executablePath, false),
        unsandboxed: `the browser did not start with its sandbox here (${firstLine(last)})`,
        cleanup: none,
      };
    } catch (err) {
      last = err;
    }
  }
  throw new UserError(`could not start the browser ${executablePath}: ${firstLine(last)}`);
}

function firstLine(err: unknown): string {
  return (
    String((err as Error)?.message ?? err)
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? 'unknown error'
  );
}

/**
 * A launcher that runs the browser as `nobody`: a shell script that gives it a profile directory
 * `nobody` owns (in place of the one Playwright made, which `nobody` may not reach) and drops to
 * that user with `setpriv`, with an environment of its own (`env -i`: nothing of root's but
 * what `browserEnv` kept, whatever Playwright passes). A string says why there is none.
 */
async function unprivilegedLauncher(
  executablePath: string,
  env: Readonly<Record<string, string>>,
): Promise<{ wrapper: string; cleanup: () => Promise<void>; afterLaunch: () => void } | string> {
  const nobody = await passwdEntry('nobody');
  if (!nobody) return 'running as root, and there is no user nobody to run the browser as';
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'].find(isExecutable);
  if (!setpriv)
    return 'running as root, and setpriv (util-linux) is not installed to run the browser as the user nobody';
  const envBin = ['/usr/bin/env', '/bin/env'].find(isExecutable);
  const rmBin = ['/usr/bin/rm', '/bin/rm'].find(isExecutable);
  if (!envBin || !rmBin)
    return 'running as root, and env or rm (coreutils) is not installed to run the browser as the user nobody';
  // /tmp is world-writable; a TMPDIR of root's own may not be reachable by nobody.
  const base = ['/tmp', '/var/tmp', '/dev/shm'].find((d) => isWorldWritableDir(d));
  if (!base) return "running as root, and no world-writable /tmp for the browser's profile as the user nobody";
  const home = await mkdtemp(join(base, 'labelform-browser-'));
  const launchDir = await mkdtemp(join(base, 'labelform-launch-'));
  // Removed at exit too, should the run end without its cleanup (an exception, Ctrl-C): after
  // Playwright's own exit handler has killed the browser (listeners run in the order they were
  // added, so it is added again once the browser started), else the browser still writes there.
  const removeNow = () => {
    removeAsUser(setpriv, rmBin, nobody, home);
    rmSync(launchDir, { recursive: true, force: true });
  };
  process.on('exit', removeNow);
  const afterLaunch = () => {
    process.off('exit', removeNow);
    process.on('exit', removeNow);
  };
  const cleanup = async () => {
    process.off('exit', removeNow);
    removeNow();
  };
  try {
    const profile = join(home, 'profile');
    await mkdir(profile);
    await chown(home, nobody.uid, nobody.gid);
    await chown(profile, nobody.uid, nobody.gid);
    const wrapper = join(launchDir, 'browser');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // Its own home and temporary folder too: root's may be closed to nobody (Chromium puts its
    // profile lock's socket in TMPDIR); root's XDG_RUNTIME_DIR is left out for the same reason.
    const own: Record<string, string> = {
      ...Object.fromEntries(Object.entries(env).filter(([k]) => !/^XDG_/i.test(k))),
      HOME: home,
      XDG_CONFIG_HOME: home,
      XDG_CACHE_HOME: home,
      TMPDIR: home,
    };
    await writeFile(
      wrapper,
      `#!/bin/sh
# labelform preview: the browser as the user nobody, so that its sandbox works (Chromium refuses it to root).
for arg do
  shift
  case "$arg" in --user-data-dir=*) arg=--user-data-dir=${q(profile)} ;; esac
  set -- "$@" "$arg"
done
exec ${q(envBin)} -i ${Object.entries(own)
        .map(([k, v]) => q(`${k}=${v}`))
        .join(
          ' ',
        )} ${q(setpriv)} --reuid=${nobody.uid} --regid=${nobody.gid} --clear-groups -- ${q(executablePath)} "$@"
`,
      { mode: 0o700 },
    );
    return { wrapper, cleanup, afterLaunch };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Removes a folder that `user` owns as that user: root removing it could be made to follow a
 * symbolic link that the user swaps in while the removal runs, and delete root's files.
 */
function removeAsUser(setpriv: string, rmBin: string, user: { uid: number; gid: number }, path: string): void {
  // Again when a process that was just killed still wrote a file (rm: "Directory not empty").
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = spawnSync(
      setpriv,
      [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', rmBin, '-rf', '--', path],
      { stdio: 'ignore', env: {} },
    );
    if (r.status === 0 || r.error) break;
  }
  // Still there and root's own (it was never handed over): nothing of the user's is inside.
  try {
    if (lstatSync(path).uid === 0) rmSync(path, { recursive: true, force: true });
  } catch {
    // Gone.
  }
}

async function passwdEntry(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const text = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = text
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name);
  if (!fields) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) && uid > 0 ? { uid, gid } : undefined;
}

function isWorldWritableDir(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isDirectory() && (st.mode & 0o1777) === 0o1777;
  } catch {
    return false;
  }
}
