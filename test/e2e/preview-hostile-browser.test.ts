/**
 * What the preview's browser may reach besides the network (preview-hostile.test.ts): its
 * processes' environment holds no secret of labelform's (LABEL_STUDIO_API_KEY, `${env:...}`
 * values), WebRTC sends no STUN packet (the browser's switch, and no RTCPeerConnection in any
 * frame, each measured alone against a UDP listener that a plain browser does reach), and the
 * folders made to run the browser as nobody are gone after it closes.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { findBrowser, launchBrowser } from '../../src/preview/browser.ts';
import { packageEditor } from '../../src/preview/editor-source.ts';
import { browserTree } from '../../src/preview/memory-watch.ts';
import { NO_WEBRTC, PreviewRenderer } from '../../src/preview/renderer.ts';
import { VENV_DIR } from '../../scripts/local-label-studio.ts';

const browserPath = findBrowser(process.env);
const sitePackages = () =>
  readdirSync(join(VENV_DIR, 'lib'))
    .map((py) => join(VENV_DIR, 'lib', py, 'site-packages'))
    .find((p) => existsSync(join(p, 'label_studio')))!;
const linuxOnly = process.platform === 'linux' ? test : test.skip;

linuxOnly("the browser's processes do not hold labelform's environment (/proc/<pid>/environ)", async () => {
  const secret = `lf-secret-${randomUUID()}`;
  const saved = { key: process.env.LABEL_STUDIO_API_KEY, other: process.env.LABELFORM_TEST_WEBHOOK_TOKEN };
  process.env.LABEL_STUDIO_API_KEY = secret;
  process.env.LABELFORM_TEST_WEBHOOK_TOKEN = secret;
  const marker = `--labelform-preview=${process.pid}-${randomUUID()}`;
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    launched = await launchBrowser(browserPath, { extraArgs: [marker] });
    // A page, so that a renderer process runs too.
    const page = await launched.browser.newPage();
    await page.setContent('<p>hi</p>');
    const procs = await browserTree(marker);
    assert.ok(
      procs.some((p) => p.renderer),
      `a renderer among ${procs.length} processes`,
    );
    let read = 0;
    for (const { pid } of procs) {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => undefined);
      if (environ === undefined) continue;
      read++;
      assert.not.ok(environ.includes(secret), `process ${pid} holds the secret`);
      assert.not.ok(environ.includes('LABEL_STUDIO_API_KEY='), `process ${pid} holds LABEL_STUDIO_API_KEY`);
    }
    assert.ok(read >= 2, `environments read: ${read} of ${procs.length}`);
    // The browser still starts and draws: what it was given is enough.
    assert.is(await page.textContent('p'), 'hi');
  } finally {
    if (saved.key === undefined) delete process.env.LABEL_STUDIO_API_KEY;
    else process.env.LABEL_STUDIO_API_KEY = saved.key;
    if (saved.other === undefined) delete process.env.LABELFORM_TEST_WEBHOOK_TOKEN;
    else process.env.LABELFORM_TEST_WEBHOOK_TOKEN = saved.other;
    await launched?.browser.close();
    await launched?.cleanup();
  }
});

linuxOnly("under root, the browser's folders as nobody are removed when it closes", async () => {
  if (process.getuid?.() !== 0) return;
  const ours = () => new Set(readdirSync('/tmp').filter((n) => /^labelform-(browser|launch)-/.test(n)));
  const before = ours();
  const launched = await launchBrowser(browserPath);
  const made = [...ours()].filter((n) => !before.has(n));
  assert.is(launched.unsandboxed, undefined, launched.unsandboxed);
  assert.is(made.length, 2, made.join(', '));
  await launched.browser.close();
  await launched.cleanup();
  for (const n of made) assert.not.ok(existsSync(join('/tmp', n)), `/tmp/${n} left behind`);
});

linuxOnly("under root, a run that exits without its cleanup leaves no folder of the browser's behind", async () => {
  if (process.getuid?.() !== 0) return;
  // The child names its own folders: the ones that appeared while it launched and belong to its
  // browser (its profile's folder, and the launch folder whose wrapper names that profile); other
  // runs' browsers, started meanwhile, are not counted.
  const code = `import { readdirSync, readFileSync } from 'node:fs';
import { launchBrowser } from ${JSON.stringify(new URL('../../src/preview/browser.ts', import.meta.url).href)};
import { browserTree } from ${JSON.stringify(new URL('../../src/preview/memory-watch.ts', import.meta.url).href)};
const ours = () => readdirSync('/tmp').filter((n) => /^labelform-(browser|launch)-/.test(n));
const before = new Set(ours());
const marker = '--labelform-exit-test=' + process.pid;
const launched = await launchBrowser(${JSON.stringify(browserPath)}, { extraArgs: [marker] });
const page = await launched.browser.newPage();
await page.setContent('<p>hi</p>');
const profiles = (await browserTree(marker)).map((p) => /--user-data-dir=\\/tmp\\/([^\\/\\0]+)\\/profile/.exec(readFileSync('/proc/' + p.pid + '/cmdline', 'latin1'))?.[1]).filter(Boolean);
// Other runs (a matrix cell beside this one) make folders of the same names meanwhile: ours are the
// profile's and the launch folder whose wrapper names that profile.
const mine = (n) => {
  if (profiles.includes(n)) return true;
  try { return n.startsWith('labelform-launch-') && profiles.some((p) => readFileSync('/tmp/' + n + '/browser', 'utf8').includes('/tmp/' + p + '/')); } catch { return false; }
};
console.log(JSON.stringify({ made: ours().filter((n) => !before.has(n) && mine(n)), profiles }));
process.exit(3);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(r.status, 3, r.stderr);
  const { made, profiles } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { made: string[]; profiles: string[] };
  assert.ok(
    profiles.length > 0 && profiles.every((p) => made.includes(p)),
    `profile folders ${profiles.join(', ')} among ${made.join(', ')}`,
  );
  assert.ok(
    made.some((n) => n.startsWith('labelform-launch-')),
    made.join(', '),
  );
  assert.equal(
    made.filter((n) => existsSync(join('/tmp', n))),
    [],
    'left behind',
  );
});

/** A UDP listener on 127.0.0.1 counting the packets it gets (STUN binding requests). */
async function udpListener(): Promise<{ port: number; count: () => number; close: () => void }> {
  const socket = createSocket('udp4');
  let n = 0;
  socket.on('message', () => n++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, count: () => n, close: () => socket.close() };
}

/** Script for a page: a peer connection with a STUN server on 127.0.0.1, in the page and in a frame it makes. */
function stunScript(port: number): string {
  return `(async () => {
  const tried = [];
  const attempt = async (w, where) => {
    try {
      const C = w.RTCPeerConnection || w.webkitRTCPeerConnection;
      if (!C) return tried.push(where + ': no RTCPeerConnection');
      const pc = new C({ iceServers: [{ urls: 'stun:127.0.0.1:${port}' }] });
      pc.createDataChannel('x');
      await pc.setLocalDescription(await pc.createOffer());
      tried.push(where + ': offered');
    } catch (e) { tried.push(where + ': ' + e.message); }
  };
  await attempt(window, 'top');
  const f = document.createElement('iframe');
  document.body.append(f);
  await attempt(f.contentWindow, 'frame');
  return tried;
})()`;
}

async function tryStun(context: BrowserContext, port: number): Promise<string[]> {
  await context.route('**/*', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><body><p>page</p></body>' }),
  );
  const page = await context.newPage();
  await page.goto('http://preview.labelform/');
  const tried = await page.evaluate<string[]>(stunScript(port));
  // Time for the ICE gathering to send its requests (and retries).
  await page.waitForTimeout(2000);
  return tried;
}

test('WebRTC: a plain browser sends STUN packets to a listener on 127.0.0.1 (so the listener can see them)', async () => {
  const udp = await udpListener();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'] });
  try {
    const tried = await tryStun(await browser.newContext(), udp.port);
    assert.equal(tried, ['top: offered', 'frame: offered']);
  } finally {
    await browser.close();
    udp.close();
  }
  assert.ok(udp.count() > 0, 'STUN packets seen');
});

test("WebRTC: the preview browser's switches alone send no STUN packet, even with RTCPeerConnection in the page", async () => {
  const udp = await udpListener();
  const launched = await launchBrowser(browserPath);
  try {
    const tried = await tryStun(await launched.browser.newContext(), udp.port);
    assert.equal(tried, ['top: offered', 'frame: offered']);
  } finally {
    await launched.browser.close();
    await launched.cleanup();
    udp.close();
  }
  assert.is(udp.count(), 0, 'STUN packets seen');
});

test("WebRTC: the preview's page script alone leaves no RTCPeerConnection in the page or a frame it makes", async () => {
  const udp = await udpListener();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext();
    await context.addInitScript(NO_WEBRTC);
    const tried = await tryStun(context, udp.port);
    assert.equal(tried, ['top: no RTCPeerConnection', 'frame: no RTCPeerConnection']);
  } finally {
    await browser.close();
    udp.close();
  }
  assert.is(udp.count(), 0, 'STUN packets seen');
});

test("WebRTC: a page of the preview's own context has no RTCPeerConnection and sends no STUN packet, with the browser's switch undone", async () => {
  const udp = await udpListener();
  // The last value of a switch wins: WebRTC's UDP allowed again, so only the page script stands.
  const renderer = await PreviewRenderer.open(browserPath, packageEditor(sitePackages()), {
    extraArgs: ['--webrtc-ip-handling-policy=default'],
  });
  try {
    // The context every drawing uses (a blank page of it: task HTML cannot run script in the top frame).
    const own = renderer as unknown as { onBlankPage<T>(fn: (page: Page) => Promise<T>): Promise<T> };
    const tried = await own.onBlankPage(async (page) => {
      await page.setContent('<!doctype html><body><p>page</p></body>');
      const out = await page.evaluate<string[]>(stunScript(udp.port));
      await page.waitForTimeout(2000);
      return out;
    });
    assert.equal(tried, ['top: no RTCPeerConnection', 'frame: no RTCPeerConnection']);
  } finally {
    await renderer.close();
    udp.close();
  }
  assert.is(udp.count(), 0, 'STUN packets seen');
});

test.run();
