/**
 * Everything a command touches outside its arguments comes in through Io, so tests can run a
 * command in-process with captured output, a fake clock and a scripted prompt.
 */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdin and stdout are terminals (prompts and progress bars allowed). */
  readonly interactive: boolean;
  /** True when stderr is a terminal (progress bars and colour). */
  readonly stderrIsTTY: boolean;
  readonly color: boolean;
  /** Asks one question on the terminal; only called when `interactive`. */
  readonly prompt: (question: string) => Promise<string>;
  readonly now: () => number;
  /** Waits; default a real timer (tests pass a shorter one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function processIo(): Io {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    interactive,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    color,
    prompt: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    now: () => Date.now(),
  };
}

export { styleFor, type Style } from './style.ts';
