import type { Io } from '../../src/util/io.ts';

/**
 * The Io of an in-process `watch` in the tests: not interactive, no colour, the server's URL and
 * token in its environment, what it prints handed to `stdout`/`stderr`, and a clock (`now`) the
 * test may move.
 */
export function watchIo(opts: {
  readonly cwd: string;
  readonly url: string;
  readonly token: string;
  readonly stdout?: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now?: () => number;
  /** More environment (a CI's variables). */
  readonly env?: Readonly<Record<string, string>>;
}): Io {
  return {
    stdout: opts.stdout ?? (() => {}),
    stderr: opts.stderr,
    env: { LABEL_STUDIO_URL: opts.url, LABEL_STUDIO_API_KEY: opts.token, ...opts.env },
    cwd: opts.cwd,
    interactive: false,
    stderrIsTTY: false,
    color: false,
    prompt: async () => '',
    now: opts.now ?? (() => Date.now()),
    sleep: async () => {},
  };
}
