import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/util/io.ts';

// Throwaway trees and manifest text, kept importable from here for the CLI tests.
export { projectYaml, removeTree, ROOT_CONFIG, writeTree } from './files.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly interactive?: boolean;
  /** Answers for prompts, in order; a function is called with the question (and may act meanwhile). */
  readonly answers?: Array<string | ((question: string) => Promise<string>)>;
}

/** Runs the CLI in-process with captured output and no colour. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const answers = [...(opts.answers ?? [])];
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    interactive: opts.interactive ?? false,
    stderrIsTTY: false,
    color: false,
    prompt: async (q) => {
      stderr += q;
      const answer = answers.shift() ?? '';
      return typeof answer === 'function' ? answer(q) : answer;
    },
    now: () => Date.now(),
    // Real waits, twenty times shorter: in-process runs race on one event loop.
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / 20)),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** True when the text looks like a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]\d+:\d+\)?/.test(text) || /internal error/.test(text);
}
