/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Functions that run inside the preview page (handed to Playwright's `page.evaluate`, which sends
 * their source): they may use only the browser's globals and their own arguments.
 */

/** The interface's visible text, and the editor's own error box when it shows one. */
export function readShown(): { text: string; error: string | undefined } {
  const root = document.getElementById('root')!;
  // `ls-errors` in the standalone editor before 1.17, `lsf-errors` after.
  const errors = root.querySelector<HTMLElement>('.lsf-errors, .ls-errors');
  return { text: root.innerText, error: errors?.innerText.trim() || undefined };
}

/** How far the page reaches, in CSS pixels. */
export function pageSize(): { width: number; height: number } {
  return { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight };
}

/** True once images are decoded and no loading message shows. */
export function isQuiet(): boolean {
  return (
    [...document.images].every((i) => i.complete) &&
    !/Downloading (image|audio)|Loading/i.test(document.getElementById('root')?.innerText ?? '')
  );
}

/**
 * What the page has drawn, cheaply: the size of the editor's DOM and a sampled hash of every 2D
 * canvas (an audio waveform is drawn into one once the sound is decoded, after the page is quiet).
 */
export function pageSignature(): string {
  const canvases = [...document.querySelectorAll('canvas')].map((c) => {
    if (!c.width || !c.height) return '0';
    try {
      const ctx = c.getContext('2d', { willReadFrequently: true });
      if (!ctx) return `${c.width}x${c.height}`;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < data.length; i += 61) h = (h * 31 + data[i]!) | 0;
      return `${c.width}x${c.height}:${h}`;
    } catch {
      return `${c.width}x${c.height}`;
    }
  });
  return `${document.getElementById('root')?.innerHTML.length ?? 0}|${canvases.join(',')}`;
}

/** Fonts loaded, then three frames drawn. */
export async function nextFrames(): Promise<void> {
  await document.fonts.ready;
  for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(() => r(undefined)));
}

/** Runs in the page: load the editor's chunks, start it on the config and a task, open an annotation. */
export async function startEditor(args: {
  config: string;
  data: Record<string, unknown>;
  chunks: number[];
  module: number;
  timeoutMs: number;
}): Promise<{ error?: string }> {
  const w = window as unknown as {
    __labelformRequire: ((id: number) => unknown) & { e: (id: number) => Promise<unknown> };
    LabelStudio: new (el: HTMLElement, opts: unknown) => unknown;
  };
  // A standalone editor (module -1) has set window.LabelStudio by loading.
  if (args.module >= 0) {
    const require = w.__labelformRequire;
    await Promise.all(args.chunks.map((c) => require.e(c)));
    require(args.module);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ error: `the editor did not finish loading in ${args.timeoutMs / 1000} s` }),
      args.timeoutMs,
    );
    try {
      // A standalone bundle (before 1.17) may set the library object, the class inside it.
      const lib = w.LabelStudio as unknown as { LabelStudio?: unknown; default?: unknown };
      const Editor = (typeof lib === 'function' ? lib : (lib.LabelStudio ?? lib.default)) as typeof w.LabelStudio;
      new Editor(document.getElementById('root')!, {
        config: args.config,
        task: { id: 1, annotations: [], predictions: [], data: args.data },
        interfaces: [],
        user: { id: 1, firstName: 'Preview', lastName: '' },
        onStorageInitialized(store: {
          annotationStore: { createAnnotation(): { id: string }; selectAnnotation(id: string): void };
        }) {
          setTimeout(() => {
            try {
              const annotation = store.annotationStore.createAnnotation();
              store.annotationStore.selectAnnotation(annotation.id);
              clearTimeout(timer);
              resolve({});
            } catch (err) {
              clearTimeout(timer);
              resolve({ error: String((err as Error)?.message ?? err) });
            }
          });
        },
      });
    } catch (err) {
      clearTimeout(timer);
      resolve({ error: String((err as Error)?.message ?? err) });
    }
  });
}

/** Runs in the page: pixel-compares two PNGs in 8-pixel cells and draws them side by side. */
export async function compareImages(args: {
  before: string;
  after: string;
}): Promise<{ regions: Array<{ x: number; y: number; width: number; height: number }>; png: string }> {
  const load = async (b64: string) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  const [a, b] = await Promise.all([load(args.before), load(args.after)]);
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const pixels = (img: ImageBitmap) => {
    const c = new OffscreenCanvas(width, height);
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, width, height).data;
  };
  const pa = pixels(a);
  const pb = pixels(b);
  const CELL = 8;
  const cols = Math.ceil(width / CELL);
  const rows = Math.ceil(height / CELL);
  const changed = new Uint8Array(cols * rows);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (Math.abs(pa[i]! - pb[i]!) + Math.abs(pa[i + 1]! - pb[i + 1]!) + Math.abs(pa[i + 2]! - pb[i + 2]!) > 48)
        changed[Math.floor(y / CELL) * cols + Math.floor(x / CELL)] = 1;
    }
  }
  // Changed cells within two cells of each other form one region.
  const seen = new Uint8Array(cols * rows);
  const regions: Array<{ x: number; y: number; width: number; height: number }> = [];
  for (let start = 0; start < changed.length; start++) {
    if (!changed[start] || seen[start]) continue;
    let [x0, y0, x1, y1] = [start % cols, Math.floor(start / cols), start % cols, Math.floor(start / cols)];
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const cell = stack.pop()!;
      const cx = cell % cols;
      const cy = Math.floor(cell / cols);
      [x0, y0, x1, y1] = [Math.min(x0, cx), Math.min(y0, cy), Math.max(x1, cx), Math.max(y1, cy)];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const nx = cx + dx;
          const ny = cy + dy;
          const n = ny * cols + nx;
          if (nx >= 0 && ny >= 0 && nx < cols && ny < rows && changed[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    const pad = 4;
    const x = Math.max(0, x0 * CELL - pad);
    const y = Math.max(0, y0 * CELL - pad);
    regions.push({
      x,
      y,
      width: Math.min(width, (x1 + 1) * CELL + pad) - x,
      height: Math.min(height, (y1 + 1) * CELL + pad) - y,
    });
  }
  const GAP = 24;
  const HEAD = 36;
  const out = new OffscreenCanvas(width * 2 + GAP, height + HEAD);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#f3f4f6';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#111827';
  ctx.font = 'bold 18px sans-serif';
  ctx.fillText('Before', 8, 24);
  ctx.fillText(
    regions.length
      ? `After (${regions.length} changed region${regions.length === 1 ? '' : 's'})`
      : 'After (no visible change)',
    width + GAP + 8,
    24,
  );
  ctx.drawImage(a, 0, HEAD);
  ctx.drawImage(b, width + GAP, HEAD);
  ctx.strokeStyle = '#dc2626';
  ctx.lineWidth = 3;
  for (const r of regions) {
    ctx.strokeRect(r.x + 1.5, HEAD + r.y + 1.5, r.width - 3, r.height - 3);
    ctx.strokeRect(width + GAP + r.x + 1.5, HEAD + r.y + 1.5, r.width - 3, r.height - 3);
  }
  const blob = await out.convertToBlob({ type: 'image/png' });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { regions, png: btoa(binary) };
}

/** Runs in the page: the share of pixels that differ clearly from the top-left pixel. */
export async function inkOf(b64: string): Promise<number> {
  const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  const c = new OffscreenCanvas(img.width, img.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4)
    if (Math.abs(d[i]! - d[0]!) + Math.abs(d[i + 1]! - d[1]!) + Math.abs(d[i + 2]! - d[2]!) > 48) ink++;
  return ink / (d.length / 4);
}
