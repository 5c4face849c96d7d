import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { findEditorEntry, type EditorEntry, type EditorSource } from './editor-source.ts';
import { sampleAudioWav, sampleImagePng } from './media.ts';
import { compareImages, inkOf, isQuiet, nextFrames, pageSignature, readShown, startEditor } from './in-page.ts';
import { PREVIEW_ORIGIN } from './sample-task.ts';

/** What the editor drew for one config. */
export interface Rendering {
  /** The page as a PNG: the labeling interface the config defines (no side panels). */
  readonly png: Buffer;
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
const RENDER_TIMEOUT_MS = 30_000;
/** How long, once a page is quiet, to wait for what it draws to stop changing. */
const STABLE_WAIT_MS = 5_000;

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
    private readonly browser: Browser,
    private readonly editor: EditorSource,
    private readonly entry: EditorEntry,
  ) {}

  static async open(browserPath: string, editor: EditorSource): Promise<PreviewRenderer> {
    const entry = await findEditorEntry(editor);
    const browser = await launchBrowser(browserPath);
    return new PreviewRenderer(browser, editor, entry);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  async render(config: string, data: Record<string, unknown>): Promise<Rendering> {
    const context = await (this.shared ??= this.newContext());
    const page = await context.newPage();
    try {
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message.split('\n')[0] ?? String(err)));
      const traffic = track(page);
      await page.goto(`${PREVIEW_ORIGIN}/`);
      // The editor's own loading failing (a bundle this version lays out differently) is said as
      // this config's error, like a config it cannot draw, not as a crash of the run.
      const init = await page
        .evaluate(startEditor, { config, data, chunks: [...this.entry.chunks], module: this.entry.module, timeoutMs: RENDER_TIMEOUT_MS })
        .catch((err: Error) => ({ error: `the editor did not start: ${String(err.message).split('\n')[0]}` }));
      await settle(page, traffic);
      const shown = await page.evaluate(readShown);
      const png = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
      const error = shown.error ?? init.error ?? (shown.text.trim() === '' ? pageErrors[0] : undefined);
      return { png, text: shown.text, ...(error ? { error: error.replace(/\s+/g, ' ') } : {}) };
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  /** Before and after compared in the browser's canvas: changed regions, and one image showing both. */
  async compare(before: Buffer, after: Buffer): Promise<Comparison> {
    const result = await this.onBlankPage((page) => page.evaluate(compareImages, { before: before.toString('base64'), after: after.toString('base64') }));
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
    const context = await this.browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block' });
    await context.route('**/*', (route) => this.answer(route));
    await context.addInitScript(`${NAME_HELPER} try { localStorage.clear(); sessionStorage.clear(); } catch {}`);
    return context;
  }

  /** Every request is answered here: the editor's files, the sample media; nothing leaves the machine. */
  private async answer(route: Route): Promise<void> {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin === PREVIEW_ORIGIN) {
      if (url.pathname === '/') return route.fulfill({ contentType: 'text/html; charset=utf-8', body: hostPage(this.entry) });
      if (url.pathname === '/__labelform/sample.png') return route.fulfill({ contentType: 'image/png', body: sampleImagePng() });
      if (url.pathname === '/__labelform/sample.wav') return route.fulfill({ contentType: 'audio/wav', body: sampleAudioWav() });
      if (url.pathname.startsWith('/react-app/') || url.pathname.startsWith('/static/') || url.pathname.startsWith('/label-studio-frontend/')) {
        const file = await this.editor.get(url.pathname).catch(() => undefined);
        return file ? route.fulfill({ contentType: file.type, body: file.body }) : route.fulfill({ status: 404, body: '' });
      }
    }
    // Media a task file points at (S3, the web) is not fetched: a picture or tone stands in.
    const type = request.resourceType();
    if (type === 'image' || /\.(png|jpe?g|gif|webp|bmp|tiff?)$/i.test(url.pathname)) return route.fulfill({ contentType: 'image/png', body: sampleImagePng() });
    if (type === 'media' || /\.(wav|mp3|ogg|flac|m4a|aac)$/i.test(url.pathname)) return route.fulfill({ contentType: 'audio/wav', body: sampleAudioWav() });
    return route.fulfill({ status: 404, body: '' });
  }
}

/**
 * The in-page functions reach the browser as source text; run from TypeScript sources (tsx), that
 * text calls esbuild's `__name` helper, which the page must then have.
 */
const NAME_HELPER = 'globalThis.__name ??= (f) => f;';

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
${entry.scripts.slice(1).map((s) => `<script src="${s}"></script>`).join('\n')}
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
async function settle(page: Page, traffic: { pending: () => number }): Promise<void> {
  const end = Date.now() + RENDER_TIMEOUT_MS;
  let calm = 0;
  let last = '';
  // What is drawn must also stop changing (a waveform drawn late on a loaded machine), for at
  // most STABLE_WAIT_MS after the page went quiet: something that animates for ever is let be.
  let stableUntil = 0;
  while (calm < 2 && Date.now() < end) {
    await page.waitForTimeout(50);
    const quiet = traffic.pending() === 0 && (await page.evaluate(isQuiet));
    if (quiet) await page.evaluate(nextFrames);
    const signature = quiet ? await page.evaluate(pageSignature) : '';
    if (quiet && !stableUntil) stableUntil = Date.now() + STABLE_WAIT_MS;
    const stable = signature === last || Date.now() > stableUntil;
    last = signature;
    calm = quiet && traffic.pending() === 0 ? (stable ? calm + 1 : 0) : 0;
    if (calm === 1) await page.waitForTimeout(100);
  }
}

