import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { filesHoldingSecrets, testRunSecrets } from './secret-scan.ts';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/util/io.ts';

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

/** Writes a throwaway directory tree ({relative path: content}) and returns its path. */
export async function writeTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'labelform-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return dir;
}

/** Removes a throwaway tree, after checking that nothing in it holds a secret of the test run. */
export async function removeTree(dir: string): Promise<void> {
  const leaking = await filesHoldingSecrets(dir, testRunSecrets());
  await rm(dir, { recursive: true, force: true });
  if (leaking.length) throw new Error(`files written during the test hold a secret of the test run: ${leaking.join(', ')}`);
}

/** A minimal valid labelform.yaml. */
export const ROOT_CONFIG = 'apiVersion: labelform/v1\nkind: Config\nnamespace: test\n';

/** A minimal valid project manifest with the given spec lines (YAML, indented by two spaces). */
export function projectYaml(name: string, specLines: string): string {
  return `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: ${name}\nspec:\n${specLines}`;
}

/** True when the text looks like a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]\d+:\d+\)?/.test(text) || /internal error/.test(text);
}
