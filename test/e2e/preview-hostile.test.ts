/**
 * `preview` drawing what a pull request may hold, with Debian's Chromium and the pinned
 * label-studio package's editor (no server needed): task HTML that reaches for the network opens
 * no connection to listeners on 127.0.0.1 and makes no host name lookup (the browser's own net
 * log), while the same HTML in a browser without preview's settings does connect (so the listeners
 * can see it); under root the browser runs as nobody with its sandbox; a config too large to draw
 * is that config's error while the others are drawn, long task text is cut with a note, images
 * and index.html stay bounded, and a `valueType="url"` config draws.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLabelConfigXml } from '../../src/labelconfig/parse-xml.ts';
import { findBrowser } from '../../src/preview/browser.ts';
import { packageEditor } from '../../src/preview/editor-source.ts';
import { MAX_SHOT, PreviewRenderer } from '../../src/preview/renderer.ts';
import type { PreviewSummary } from '../../src/preview/report.ts';
import { sampleTaskData } from '../../src/preview/sample-task.ts';
import { VENV_DIR } from '../../scripts/local-label-studio.ts';
import { releaseAtLeast } from '../helpers/applicable.ts';
import { runCli } from '../helpers/cli.ts';
import { makeRepo, projectManifest, uniqueNamespace } from './support.ts';

const browserPath = findBrowser(process.env);
const sitePackages = readdirSync(join(VENV_DIR, 'lib'))
  .map((py) => join(VENV_DIR, 'lib', py, 'site-packages'))
  .find((p) => existsSync(join(p, 'label_studio')))!;

/** Listeners on 127.0.0.1 that count the connections they are offered. */
async function listeners(
  names: readonly string[],
): Promise<{ port: Record<string, number>; count: Record<string, number>; close: () => void }> {
  const port: Record<string, number> = {};
  const count: Record<string, number> = {};
  const servers: Server[] = [];
  for (const name of names) {
    const server = createServer((socket) => {
      count[name] = (count[name] ?? 0) + 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    port[name] = (server.address() as { port: number }).port;
  }
  return { port, count, close: () => servers.forEach((s) => s.close()) };
}

const WAYS = [
  'object',
  'embed',
  'meta',
  'iframe',
  'srcdoc',
  'link',
  'css',
  'srcset',
  'img',
  'video',
  'preconnect',
  'ping',
  'form',
  'svg',
] as const;

/** Task HTML reaching out every way the browser allows without script (and with script, in a srcdoc frame). */
function beaconHtml(port: Record<string, number>): string {
  const u = (n: string) => `http://127.0.0.1:${port[n]}/beacon`;
  return `<div>
<meta http-equiv="refresh" content="0;url=${u('meta')}">
<link rel="stylesheet" href="${u('link')}"><link rel="preconnect" href="${u('preconnect')}">
<link rel="dns-prefetch" href="http://prefetch.labelform-test.invalid/"><link rel="preconnect" href="http://preconnect.labelform-test.invalid/">
<style>div{background:url(${u('css')})}</style>
<object data="${u('object')}"></object><embed src="${u('embed')}"><iframe src="${u('iframe')}"></iframe>
<iframe srcdoc="<script>fetch('http://127.0.0.1:${port.srcdoc}/x').catch(()=>{});new WebSocket('ws://127.0.0.1:${port.srcdoc}/');fetch('http://fetch.labelform-test.invalid/').catch(()=>{})</script>"></iframe>
<img srcset="${u('srcset')} 1x"><img src="${u('img')}"><img src="http://img.labelform-test.invalid/a.png"><video src="${u('video')}" autoplay></video>
<svg><image href="${u('svg')}"/></svg>
<a href="${u('ping')}" ping="${u('ping')}">link</a>
<form action="${u('form')}"><input type="image" src="${u('form')}"></form>
<p>Hostile task text</p></div>`;
}

const HYPERTEXT =
  '<View><HyperText name="h" value="$html"/><Choices name="c" toName="h"><Choice value="Safe"/></Choices></View>';

test('task HTML reaching for the network: no connection to listeners on 127.0.0.1, no host name lookup; the editor still draws', async () => {
  const l = await listeners(WAYS);
  // The net log is written by the browser, which under root runs as nobody: a folder it may write.
  const logDir = mkdtempSync('/tmp/lf-netlog-');
  chmodSync(logDir, 0o777);
  const netLog = join(logDir, 'net.json');
  const renderer = await PreviewRenderer.open(browserPath, packageEditor(sitePackages), {
    extraArgs: [`--log-net-log=${netLog}`, '--net-log-capture-mode=Everything'],
  }).catch((err: unknown) => {
    rmSync(logDir, { recursive: true, force: true });
    throw err;
  });
  try {
    if (process.getuid?.() === 0)
      assert.is(
        renderer.unsandboxed,
        undefined,
        `under root the browser runs sandboxed as nobody here: ${renderer.unsandboxed}`,
      );
    const shown = await renderer.render(HYPERTEXT, { html: beaconHtml(l.port) });
    assert.is(shown.error, undefined, shown.error);
    // HyperText draws the task in a frame of its own (whose text the page's text leaves out; the
    // meta refresh sends that frame to a blocked address, which leaves it blank).
    assert.match(shown.text, /Safe/);
    // Time for a refresh, a late frame or a retry to fire.
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await renderer.close();
    l.close();
  }
  const log = readNetLog(readFileSync(netLog, 'utf8'));
  rmSync(logDir, { recursive: true, force: true });
  assert.equal(l.count, {}, 'connections seen by the listeners');
  const names = Object.fromEntries(Object.entries(log.constants.logEventTypes).map(([k, v]) => [v, k]));
  const lookups = log.events.filter(
    (e) => names[e.type] === 'HOST_RESOLVER_SYSTEM_TASK' || names[e.type] === 'HOST_RESOLVER_DNS_TASK',
  );
  assert.is(lookups.length, 0, 'host name lookups in the net log');
  const jobs = log.events.filter(
    (e) => names[e.type] === 'HOST_RESOLVER_MANAGER_JOB' && /labelform-test/.test(JSON.stringify(e.params)),
  );
  assert.is(jobs.length, 0);
});

test('the same task HTML in a browser without those settings does connect: the listeners can see it', async () => {
  const l = await listeners(WAYS);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    // Request interception alone, answering everything itself: what preview relied on before.
    await context.route('**/*', (route) =>
      route.request().url() === 'http://preview.labelform/'
        ? route.fulfill({ contentType: 'text/html', body: `<!doctype html>${beaconHtml(l.port)}` })
        : route.fulfill({ status: 404, body: '' }),
    );
    const page = await context.newPage();
    await page.goto('http://preview.labelform/');
    await page.waitForTimeout(2000);
  } finally {
    await browser.close();
    l.close();
  }
  const seen = Object.keys(l.count).sort();
  assert.ok(seen.includes('object') && seen.includes('embed'), `listeners that saw a connection: ${seen.join(', ')}`);
});

test("hostile configs and tasks: each failure is its config's error, the rest are drawn, the report is written and bounded", async () => {
  const ns = uniqueNamespace('preview-hostile');
  const text = Array.from({ length: 120_000 }, (_, i) => `word${i % 977} lorem`).join(' '); // ~1.6 MB
  const project = (name: string, xml: string, task?: unknown) => ({
    [`${name}/config.xml`]: xml,
    [`${name}/project.yaml`]: projectManifest(
      name,
      `  title: Hostile ${name} ${ns}\n  label_config: {file: config.xml}\n`,
      task ? 'tasks: [{file: tasks.json}]\n' : '',
    ),
    ...(task ? { [`${name}/tasks.json`]: JSON.stringify([task]) } : {}),
  });
  const dir = await makeRepo(ns, {
    ...project(
      'images',
      `<View>\n${Array.from({ length: 300 }, (_, i) => `<Image name="img${i}" value="$image${i}"/><RectangleLabels name="box${i}" toName="img${i}"><Label value="Car${i}"/></RectangleLabels>`).join('\n')}\n</View>\n`,
    ),
    ...project(
      'bigtext',
      '<View>\n  <Text name="text" value="$text"/>\n  <Labels name="l" toName="text"><Label value="PER"/></Labels>\n</View>\n',
      { text },
    ),
    ...project(
      'nospace',
      '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text"><Choice value="A"/></Choices>\n</View>\n',
      { text: 'x'.repeat(1_000_000) },
    ),
    ...project(
      'byurl',
      '<View>\n  <Text name="text" value="$text" valueType="url"/>\n  <HyperText name="h" value="$html" valueType="url"/>\n  <Choices name="c" toName="text"><Choice value="Yes"/></Choices>\n</View>\n',
    ),
  });
  const out = join(dir, 'out');
  const r = await runCli(['preview', '-C', dir, '--out', out, '--json'], {
    env: { LABEL_STUDIO_URL: 'http://127.0.0.1:9', LABELFORM_EDITOR: sitePackages, PATH: process.env.PATH ?? '' },
    cwd: dir,
  });
  assert.is(r.code, 1, r.stderr);
  assert.not.match(r.stderr, /\n\s+at |please report|internal error/i);
  assert.match(
    r.stderr,
    /Error: images \(.*images\/config\.xml\): Label Studio's editor cannot draw this label config: (its page ran out of the memory|the page did not finish drawing within)/,
  );
  const summary = JSON.parse(r.stdout) as PreviewSummary;
  const by = new Map(summary.results.map((x) => [x.name, x]));
  assert.is(by.get('images')!.status, 'error');
  for (const name of ['bigtext', 'nospace', 'byurl'])
    assert.is(by.get(name)!.status, 'current', `${name}: ${by.get(name)!.error}`);
  assert.match(
    by.get('bigtext')!.task,
    /tasks\.json:1 \(cut for the preview: text: [\d,]+ characters, the first 20,000 drawn\)/,
  );
  assert.match(by.get('nospace')!.task, /text: 1,000,000 characters, the first 20,000 drawn/);
  assert.equal(by.get('byurl')!.labelsNotShown, []);
  // Images within MAX_SHOT (PNG header: width and height at bytes 16 and 20); the report bounded.
  for (const name of ['bigtext', 'nospace']) {
    const png = await readFile(join(out, `${name}.after.png`));
    assert.ok(
      png.readUInt32BE(16) <= MAX_SHOT.width && png.readUInt32BE(20) <= MAX_SHOT.height,
      `${name}: ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`,
    );
  }
  // 1.23's editor draws the line past the window, so the cap is what stops it; an older editor
  // wraps it within the window (1.20.0: 1280 pixels), and the bound above is the whole claim.
  if (releaseAtLeast('1.23'))
    assert.is(
      png(await readFile(join(out, 'nospace.after.png'))).width,
      MAX_SHOT.width,
      'a line of 20,000 characters is cut at the image width',
    );
  const html = await readFile(join(out, 'index.html'), 'utf8');
  assert.ok(html.length < 12 * 1024 * 1024, `index.html is ${html.length} bytes`);
  assert.not.ok(html.includes('word976 lorem word0 lorem'), 'no task text in the report');
  assert.match(html, /its page ran out of the memory|did not finish drawing/);
  assert.ok(existsSync(join(out, 'summary.json')));
  // The cut is said on the page itself.
  const renderer = await PreviewRenderer.open(browserPath, packageEditor(sitePackages));
  try {
    const parsed = parseLabelConfigXml('<View><Text name="text" value="$text"/></View>');
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const { boundTask } = await import('../../src/preview/bound-task.ts');
    const shown = await renderer.render(
      '<View><Text name="text" value="$text"/></View>',
      boundTask({ ...sampleTaskData(parsed.root), text }, '').data,
    );
    assert.match(shown.text, /cut by labelform preview: [\d,]+ more characters are not drawn/);
  } finally {
    await renderer.close();
  }
});

interface NetLog {
  constants: { logEventTypes: Record<string, number> };
  events: Array<{ type: number; params?: unknown }>;
}

/** Chromium's net log: whole JSON once the browser closed cleanly, else the events so far. */
function readNetLog(text: string): NetLog {
  try {
    return JSON.parse(text) as NetLog;
  } catch {
    return JSON.parse(`${text.trim().replace(/,$/, '')}]}`) as NetLog;
  }
}

function png(body: Buffer): { width: number; height: number } {
  return { width: body.readUInt32BE(16), height: body.readUInt32BE(20) };
}

test.run();
