import { readdir, readFile } from 'node:fs/promises';

/**
 * A cap on the browser's memory (Linux): Chromium has no memory limit of its own for a page's
 * canvases and layout (300 `<Image>` tags drew 14.7 GB), and its JavaScript heap cap does not
 * cover them. So the browser's processes are sampled (proportional set size, /proc), and when a
 * page's renderer passes its cap, or all the browser's processes together pass theirs, the largest
 * renderer is killed: its page crashes, and that config is reported as too large to draw while
 * the others are drawn. Elsewhere (macOS) there is no watch; the deadline per config still holds.
 */
export interface MemoryCaps {
  /** One renderer (one page), in KiB of PSS. */
  readonly rendererKiB: number;
  /** Every process below this one (the browser and all its helpers), in KiB of PSS. */
  readonly totalKiB: number;
  readonly intervalMs: number;
}

export const DEFAULT_MEMORY_CAPS: MemoryCaps = { rendererKiB: 700 * 1024, totalKiB: 1400 * 1024, intervalMs: 150 };

export interface MemoryWatch {
  stop(): void;
  /** Renderers killed for their memory, with what they held (KiB). */
  readonly killed: ReadonlyArray<{ pid: number; kib: number }>;
}

/**
 * Watches the browser started with `marker` among its arguments (a switch Chromium ignores), so
 * that another browser of the same process (a test's, a bench's) is not counted or killed.
 */
export function watchMemory(marker: string, caps: MemoryCaps = DEFAULT_MEMORY_CAPS): MemoryWatch {
  const killed: Array<{ pid: number; kib: number }> = [];
  if (process.platform !== 'linux') return { stop: () => undefined, killed };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const procs = await browserTree(marker);
      let total = 0;
      let largest: { pid: number; kib: number } | undefined;
      for (const p of procs) {
        const kib = await pss(p.pid);
        total += kib;
        if (p.renderer && (!largest || kib > largest.kib)) largest = { pid: p.pid, kib };
      }
      if (largest && (largest.kib > caps.rendererKiB || total > caps.totalKiB)) {
        try {
          process.kill(largest.pid, 'SIGKILL');
          killed.push(largest);
        } catch {
          // Gone already.
        }
      }
    } catch {
      // /proc unreadable: no watch.
    }
    if (!stopped) timer = setTimeout(() => void tick(), caps.intervalMs).unref();
  };
  timer = setTimeout(() => void tick(), caps.intervalMs).unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    killed,
  };
}

/** The browser's process (the one with `marker` in its command line, below this process) and every process below it. */
export async function browserTree(marker: string): Promise<Array<{ pid: number; renderer: boolean }>> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: the command name may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: Array<{ pid: number; renderer: boolean }> = [];
  let inside = false;
  const walk = async (pid: number, under: boolean): Promise<void> => {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const here = under || cmdline.includes(marker);
    if (here) out.push({ pid, renderer: cmdline.includes('--type=renderer') });
    inside ||= here;
    for (const child of children.get(pid) ?? []) await walk(child, here);
  };
  for (const child of children.get(process.pid) ?? []) await walk(child, false);
  return inside ? out : [];
}

async function pss(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  return Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
}
