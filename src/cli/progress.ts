import type { Io } from '../util/io.ts';

export interface Progress {
  /** Sets the amount done so far. */
  update(done: number): void;
  stop(): void;
}

/**
 * Progress for long transfers: a bar with rate and ETA on a terminal (cli-progress), a plain line
 * every few seconds in CI logs, nothing with --quiet. Written to stderr so stdout stays data.
 */
export async function createProgress(
  io: Io,
  opts: { label: string; unit: string; total?: number; quiet?: boolean; intervalMs?: number },
): Promise<Progress> {
  if (opts.quiet) return { update: () => {}, stop: () => {} };
  const started = io.now();
  if (io.stderrIsTTY && opts.total !== undefined) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        format: `${opts.label} [{bar}] {percentage}% | {value}/{total} ${opts.unit} | {speed} ${opts.unit}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { speed: '0' });
    return {
      update: (done) => bar.update(done, { speed: rate(done, io.now() - started) }),
      stop: () => bar.stop(),
    };
  }
  const interval = opts.intervalMs ?? 5000;
  let last = started;
  let lastDone = 0;
  return {
    update: (done) => {
      lastDone = done;
      const now = io.now();
      if (now - last < interval) return;
      last = now;
      io.stderr(`${line(opts, done, now - started)}\n`);
    },
    stop: () => {
      if (lastDone > 0 && io.now() - started >= interval) io.stderr(`${line(opts, lastDone, io.now() - started)}\n`);
    },
  };
}

function line(opts: { label: string; unit: string; total?: number }, done: number, ms: number): string {
  const speed = Number(rate(done, ms));
  const total = opts.total;
  const eta = total !== undefined && speed > 0 ? ` ETA ${Math.ceil((total - done) / speed)} s` : '';
  return `${opts.label}: ${done}${total !== undefined ? `/${total}` : ''} ${opts.unit} (${speed} ${opts.unit}/s${eta})`;
}

function rate(done: number, ms: number): string {
  return ms > 0 ? String(Math.round((done * 1000) / ms)) : '0';
}
