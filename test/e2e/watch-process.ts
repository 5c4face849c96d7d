/**
 * A `labelform watch --json` child process for the end-to-end suite: its events (stdout, JSON
 * Lines) as they come, with the time each arrived, its stderr, and a wait on what it printed.
 */
import { spawnCli } from './support.ts';

export interface WatchProcess extends ReturnType<typeof spawnCli> {
  readonly events: Array<{ readonly at: number; readonly e: Record<string, unknown> }>;
  stderr(): string;
  /** Resolves when `cond` holds (checked every 25 ms); rejects after `ms`, with the end of stderr. */
  until(what: string, cond: () => boolean, ms: number): Promise<void>;
  /** Called with each event as it arrives (before it is added to `events`). */
  onEvent?: (e: Record<string, unknown>) => void;
}

export function startWatch(dir: string, args: string[], env: Record<string, string> = {}): WatchProcess {
  const w = spawnCli(dir, ['watch', '--json', ...args], { env });
  let out = '';
  let err = '';
  const p: WatchProcess = {
    ...w,
    events: [],
    stderr: () => err,
    until: async (what, cond, ms) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms; stderr:\n${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
  w.child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (!line.trim()) continue;
      const e = JSON.parse(line) as Record<string, unknown>;
      p.onEvent?.(e);
      p.events.push({ at: Date.now(), e });
    }
  });
  w.child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return p;
}
