import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { launchBrowser, type LaunchedBrowser } from './browser.ts';
import { watchMemory, type MemoryCaps, type MemoryWatch } from './memory-watch.ts';
import { findEditorEntry, type EditorEntry, type EditorSource } from './editor-source.ts';
import { sampleAudioWav, sampleImagePng } from './media.ts';
import {
  compareImages,
  inkOf,
  isQuiet,
  nextFrames,
  pageSignature,
  pageSize,
  readShown,
  startEditor,
} from './in-page.ts';
import { PREVIEW_ORIGIN, sampleDocument } from './sample-task.ts';

/** What the editor drew for one config. */
export interface Rendering {
  /** The page as a PNG: the labeling interface the config defines (no side panels); absent when nothing could be drawn. */
  readonly png?: Buffer;
  /** The interface's visible text (label names, choices, the task's text). */
  readonly text: string;
  /** Set when the editor could not draw the config: its own error message, or the exception. */
  readonly error?: string;
}

export interface Comparison {
  /** Whether any region differs. */
  readonly changed: boolean;
  /** Changed regions, in pixels of the "after" image. */
  readonly regions: ReadonlyArray<{ x: number; y: number; width: number; height: number }>;
  /** Before and after side by side, changed regions outlined. */
  readonly png: Buffer;
}

export const VIEWPORT = { width: 1280, height: 800 } as const;
/**
 * The largest image of one config: what lies beyond is not drawn. A page as tall as a 2 MB task
 * (tens of thousands of pixels) or as wide as a line of 1 MB without a space would otherwise be
 * one bitmap of gigabytes, and a report nobody can open.
 */
export const MAX_SHOT = { width: 1920, height: 4000 } as const;
/**
 * Each drawing of a config, from opening its page to the screenshot, gets this long; past it the
 * page is closed and the config is reported as not drawn (the other configs are drawn).
 */
export const RENDER_DEADLINE_MS = 30_000;
/** Of the deadline, what is kept back for the screenshot once the page has settled (or not). */
const SHOT_RESERVE_MS = 8_000;
/** How long, once a page is quiet, to wait for what it draws to stop changing. */
const STABLE_WAIT_MS = 5_000;
/** Error messages of the editor can quote the task (a "URL" of 2 MB): they are cut to this. */
const MAX_ERROR_CHARS = 600;

/** A step of a drawing that ran past the config's deadline. */
class PastDeadline extends Error {}

/**
 * One browser, one editor: renders label configs with Label Studio's own editor and compares
 * the images. The browser starts once per run; each config gets a fresh browser context so
 * nothing carries over from one rendering to the next.
 */
export class PreviewRenderer {
  /**
   * One browser context for every rendering, a fresh page in it for each: making a context per
   * rendering cost a quarter of the run (10 configs: 24.2 s against 18.7 s, `npm run bench -- 5`).
   * Local and session storage are cleared as each page starts, so nothing carries over.
   */
  private shared: Promise<BrowserContext> | undefined;

  private constructor(
    private readonly launched: LaunchedBrowser,
    private readonly editor: EditorSource,
    private readonly entry: EditorEntry,
    private readonly memory: MemoryWatch,
  ) {}

  static async open(
    browserPath: string,
    editor: EditorSource,
    options: { readonly extraArgs?: readonly string[]; readonly memory?: MemoryCaps } = {},
  ): Promise<PreviewRenderer> {
    const entry = await findEditorEntry(editor);
    // A switch Chromium ignores, naming this browser among the processes (memory-watch.ts).
    const marker = `--labelform-preview=${process.pid}-${randomUUID()}`;
    const launched = await launchBrowser(browserPath, { extraArgs: [...(options.extraArgs ?? []), marker] });
    return new PreviewRenderer(launched, editor, entry, watchMemory(marker, options.memory));
  }

  /** Why the browser runs without its sandbox, when it does. */
  get unsandboxed(): string | undefined {
    return this.launched.unsandboxed;
  }

  private get browser(): Browser {
    return this.launched.browser;
  }

  async close(): Promise<void> {
    this.memory.stop();
    await this.browser.close().catch(() => undefined);
    await this.launched.cleanup().catch(() => undefined);
  }

  /**
   * Draws a config with a task. Never throws for what the config or the task do: a page that
   * crashes (out of memory), runs past RENDER_DEADLINE_MS or cannot be drawn comes back as an
   * `error` (with the image when there is one).
   */
  async render(config: string, data: Record<string, unknown>): Promise<Rendering> {
    const deadline = Date.now() + RENDER_DEADLINE_MS;
    let page: Page | undefined;
    let crashed = false;
    try {
      const context = await within((this.shared ??= this.newContext()), deadline);
      page = await within(context.newPage(), deadline);
      page.on('crash', () => (crashed = true));
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message.split('\n')[0] ?? String(err)));
      const traffic = track(page);
      await within(page.goto(`${PREVIEW_ORIGIN}/`), deadline);
      // The editor's own loading failing (a bundle this version lays out differently) is said as
      // this config's error, like a config it cannot draw, not as a crash of the run.
      const startMs = Math.max(1000, deadline - SHOT_RESERVE_MS - Date.now());
      const init = await within(
        page
          .evaluate(startEditor, {
            config,
            data,
            chunks: [...this.entry.chunks],
            module: this.entry.module,
            timeoutMs: startMs,
          })
          .catch((err: Error) =>
            crashed
              ? Promise.reject(err)
              : { error: `the editor did not start: ${String(err.message).split('\n')[0]}` },
          ),
        deadline,
      );
      await settle(page, traffic, deadline - SHOT_RESERVE_MS);
      const shown = await within(page.evaluate(readShown), deadline);
      const png = await within(shoot(page, deadline), deadline);
      const error = shown.error ?? init.error ?? (shown.text.trim() === '' ? pageErrors[0] : undefined);
      return { png, text: shown.text, ...(error ? { error: cut(error.replace(/\s+/g, ' ')) } : {}) };
    } catch (err) {
      if (crashed || /Target crashed|Page crashed/i.test(String((err as Error)?.message))) {
        return {
          text: '',
          error:
            'its page ran out of the memory preview gives a page (or crashed): the config or its task is too large to draw',
        };
      }
      if (err instanceof PastDeadline)
        return {
          text: '',
          error: `the page did not finish drawing within ${RENDER_DEADLINE_MS / 1000} s, the time preview gives each drawing`,
        };
      return {
        text: '',
        error: cut(`the browser failed to draw it: ${String((err as Error)?.message ?? err).split('\n')[0]}`),
      };
    } finally {
      // A page stuck in a long layout may not answer; it is not waited for long.
      if (page) await within(page.close(), Date.now() + 10_000).catch(() => undefined);
    }
  }

  /** Before and after compared in the browser's canvas: changed regions, and one image showing both. */
  async compare(before: Buffer, after: Buffer): Promise<Comparison> {
    const result = await this.onBlankPage((page) =>
      page.evaluate(compareImages, { before: before.toString('base64'), after: after.toString('base64') }),
    );
    return { changed: result.regions.length > 0, regions: result.regions, png: Buffer.from(result.png, 'base64') };
  }

  /** The share of pixels that differ from the background: 0 for a blank image. */
  async ink(png: Buffer): Promise<number> {
    return this.onBlankPage((page) => page.evaluate(inkOf, png.toString('base64')));
  }

  /** A blank page of the shared context (no context made per comparison), closed afterwards. */
  private async onBlankPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const page = await (await (this.shared ??= this.newContext())).newPage();
    try {
      await page.evaluate(NAME_HELPER);
      return await fn(page);
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  private async newContext(): Promise<BrowserContext> {
    const context = await this.browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      reducedMotion: 'reduce',
      locale: 'en-US',
      timezoneId: 'UTC',
      serviceWorkers: 'block',
    });
    // A page closed at its deadline leaves requests that can no longer be answered.
    await context.route('**/*', (route) => this.answer(route).catch(() => undefined));
    await context.addInitScript(
      `${NAME_HELPER} ${NO_WEBRTC} try { localStorage.clear(); sessionStorage.clear(); } catch {}`,
    );
    return context;
  }

  /** Every request is answered here: the editor's files, the sample media; nothing leaves the machine. */
  private async answer(route: Route): Promise<void> {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin === PREVIEW_ORIGIN) {
      if (url.pathname === '/')
        return route.fulfill({ contentType: 'text/html; charset=utf-8', body: hostPage(this.entry) });
      if (url.pathname === '/__labelform/sample.png')
        return route.fulfill({ contentType: 'image/png', body: sampleImagePng() });
      if (url.pathname === '/__labelform/sample.wav')
        return route.fulfill({ contentType: 'audio/wav', body: sampleAudioWav() });
      const sample = sampleDocument(url);
      if (sample) return route.fulfill({ contentType: sample.type, body: sample.body });
      if (
        url.pathname.startsWith('/react-app/') ||
        url.pathname.startsWith('/static/') ||
        url.pathname.startsWith('/label-studio-frontend/')
      ) {
        const file = await this.editor.get(url.pathname).catch(() => undefined);
        return file
          ? route.fulfill({ contentType: file.type, body: file.body })
          : route.fulfill({ status: 404, body: '' });
      }
    }
    // Media a task file points at (S3, the web) is not fetched: a picture or tone stands in.
    const type = request.resourceType();
    if (type === 'image' || /\.(png|jpe?g|gif|webp|bmp|tiff?)$/i.test(url.pathname))
      return route.fulfill({ contentType: 'image/png', body: sampleImagePng() });
    if (type === 'media' || /\.(wav|mp3|ogg|flac|m4a|aac)$/i.test(url.pathname))
      return route.fulfill({ contentType: 'audio/wav', body: sampleAudioWav() });
    return route.fulfill({ status: 404, body: '' });
  }
}

/**
 * The in-page functions reach the browser as source text; run from TypeScript sources (tsx), that
 * text calls esbuild's `__name` helper, which the page must then have.
 */
const NAME_HELPER = 'globalThis.__name ??= (f) => f;';

/**
 * Run in every frame before its own scripts: no WebRTC (the editor uses none). A task's HTML could
 * otherwise send STUN packets to any address; the browser's switch (browser.ts) stops those too.
 */
export const NO_WEBRTC =
  "for (const n of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCIceTransport', 'RTCRtpSender', 'RTCRtpReceiver']) { try { delete globalThis[n]; } catch {} }";

/**
 * The page the editor runs in: the app's runtime, then its shared code and the app itself with
 * their entry points switched off (the app would take over the page), so only the editor runs.
 */
function hostPage(entry: EditorEntry): string {
  if (entry.standalone) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
${entry.styles.map((s) => `<link rel="stylesheet" href="${s}">`).join('\n')}
<style>html,body{margin:0;background:#fff}#root{min-height:${VIEWPORT.height}px}</style></head>
<body><div id="root"></div>
<script>
// The bundle sets window.LabelStudio, then its UMD wrapper overwrites it with an undefined default export.
(() => { let editor; Object.defineProperty(window, 'LabelStudio', { configurable: true, get: () => editor, set: (v) => { if (v) editor = v; } }); })();
</script>
${entry.scripts.map((s) => `<script src="${s}"></script>`).join('\n')}
</body></html>`;
  }
  const arr = `self.${entry.chunkArray}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
${entry.styles.map((s) => `<link rel="stylesheet" href="${s}">`).join('\n')}
<style>html,body{margin:0;background:#fff}#root{min-height:${VIEWPORT.height}px}</style></head>
<body><div id="root"></div>
<script src="${entry.scripts[0]}"></script>
<script>
${arr}.push([['labelform-preview'], {}, (require) => { window.__labelformRequire = require; }]);
const push = ${arr}.push;
${arr}.push = (chunk) => push([chunk[0], chunk[1]]);
</script>
${entry.scripts
  .slice(1)
  .map((s) => `<script src="${s}"></script>`)
  .join('\n')}
</body></html>`;
}

/** Requests of a page still waiting for their answer. */
function track(page: Page): { pending: () => number } {
  let pending = 0;
  page.on('request', () => pending++);
  page.on('requestfinished', () => pending--);
  page.on('requestfailed', () => pending--);
  return { pending: () => pending };
}

/**
 * Waits until the page stops changing: no request pending, images decoded, no loading message,
 * fonts loaded and frames drawn, twice in a row 100 ms apart (what a loaded image sets off,
 * such as the canvas drawing it, has happened by then). All answers come from this process, so
 * this takes milliseconds, not the half second of quiet a network-idle wait would.
 */
async function settle(page: Page, traffic: { pending: () => number }, until: number): Promise<void> {
  let calm = 0;
  let last = '';
  // What is drawn must also stop changing (a waveform drawn late on a loaded machine), for at
  // most STABLE_WAIT_MS after the page went quiet: something that animates for ever is let be.
  let stableUntil = 0;
  while (calm < 2 && Date.now() < until) {
    await page.waitForTimeout(50);
    const quiet = traffic.pending() === 0 && (await within(page.evaluate(isQuiet), until));
    if (quiet) await within(page.evaluate(nextFrames), until);
    const signature = quiet ? await within(page.evaluate(pageSignature), until) : '';
    if (quiet && !stableUntil) stableUntil = Date.now() + STABLE_WAIT_MS;
    const stable = signature === last || Date.now() > stableUntil;
    last = signature;
    calm = quiet && traffic.pending() === 0 ? (stable ? calm + 1 : 0) : 0;
    if (calm === 1) await page.waitForTimeout(100);
  }
}

/** The page from its top left, at most MAX_SHOT: what lies beyond is left out of the image. */
async function shoot(page: Page, deadline: number): Promise<Buffer> {
  const size = await page.evaluate(pageSize);
  const width = Math.min(Math.max(size.width, VIEWPORT.width), MAX_SHOT.width);
  const height = Math.min(Math.max(size.height, VIEWPORT.height), MAX_SHOT.height);
  return page.screenshot({
    clip: { x: 0, y: 0, width, height },
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
    timeout: Math.max(1000, deadline - Date.now()),
  });
}

/**
 * A promise, or a PastDeadline rejection once `deadline` (epoch ms) has passed, whichever comes
 * first. The step left behind is abandoned (its page is closed by the caller).
 */
function within<T>(step: Promise<T>, deadline: number): Promise<T> {
  step.catch(() => undefined);
  const ms = deadline - Date.now();
  if (ms <= 0) return Promise.reject(new PastDeadline());
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new PastDeadline()), ms)));
  return Promise.race([step, late]).finally(() => clearTimeout(timer));
}

function cut(message: string): string {
  return message.length > MAX_ERROR_CHARS
    ? `${message.slice(0, MAX_ERROR_CHARS)}… (${message.length - MAX_ERROR_CHARS} more characters)`
    : message;
}
