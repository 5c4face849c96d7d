/**
 * Shared set-up for the end-to-end suite: the real Label Studio that scripts/run-tests.ts
 * started for this run, a client for it, throwaway repositories, and the CLI run in-process
 * or as a real child process.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { parseMarker } from '../../src/kinds/project/marker.ts';
import { runCli, writeTree, type CliResult } from '../helpers/cli.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function realServer(): { url: string; token: string } {
  const url = process.env.LABELFORM_TEST_LS_URL;
  const token = process.env.LABELFORM_TEST_LS_TOKEN;
  if (!url || !token)
    throw new Error(
      'the end-to-end suite needs the real Label Studio that `npm test` starts (LABELFORM_TEST_LS_URL/TOKEN are not set)',
    );
  return { url, token };
}

export function api(): LabelStudioClient {
  const { url, token } = realServer();
  return createClient({ baseUrl: url, token, concurrency: 4 });
}

/** Deletes every project on the test server, so each file starts from an empty server. */
export async function resetServer(client = api()): Promise<void> {
  const ids: number[] = [];
  for await (const page of client.listProjects()) ids.push(...page.map((p) => p.id));
  for (const id of ids) await client.deleteProject(id);
}

export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function rootConfig(namespace: string): string {
  return `apiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n`;
}

/** A repository with labelform.yaml for the namespace plus the given files. */
export function makeRepo(namespace: string, files: Record<string, string>): Promise<string> {
  return writeTree({ 'labelform.yaml': rootConfig(namespace), ...files });
}

export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { url, token } = realServer();
  return { LABEL_STUDIO_URL: url, LABEL_STUDIO_API_KEY: token, ...extra };
}

/** The CLI in-process against the real server. */
export function cli(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli([...args, '-C', dir], { env: serverEnv(extraEnv), cwd: dir });
}

/**
 * The CLI as a child process (for kill -9 and real exit codes) on the repository in `dir`; file
 * arguments are relative to `cwd` (default the project root), and `env` goes on top of the real
 * server's (e.g. a URL through a proxy).
 */
export function spawnCli(
  dir: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', `${REPO_ROOT}node_modules/tsx/dist/loader.mjs`, `${REPO_ROOT}src/cli/bin.ts`, ...args, '-C', dir],
    {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...serverEnv(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const TEXT_CHOICES = (choices: string[]) =>
  `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n${choices.map((c) => `    <Choice value="${c}"/>`).join('\n')}\n  </Choices>\n</View>\n`;

export function projectManifest(name: string, spec: string, extra = ''): string {
  return `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: ${name}\nspec:\n${spec}${extra}`;
}

/**
 * The published entry point (bin/labelform.js, run through its shebang, on dist/ built by
 * `npm test` before the suites) as a child process, with its peak memory.
 */
export function spawnBuiltCli(
  cwd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): {
  child: ReturnType<typeof spawn>;
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    maxRssKiB?: number;
  }>;
} {
  const child = spawn(`${REPO_ROOT}bin/labelform.js`, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...serverEnv(),
      LABELFORM_REPORT_MAXRSS: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    maxRssKiB?: number;
  }>((res) =>
    child.on('close', (code, signal) => {
      const rss = /labelform-maxrss-kib=(\d+)/.exec(stderr)?.[1];
      res({ code, signal, stdout, stderr, ...(rss ? { maxRssKiB: Number(rss) } : {}) });
    }),
  );
  return { child, done };
}

/** The id of the project carrying the marker of namespace/key on the test server. */
export async function markedProjectId(namespace: string, key: string, client = api()): Promise<number> {
  for await (const page of client.listProjects({ fields: ['id', 'description'] })) {
    const p = page.find((x) => {
      const m = parseMarker(x.description);
      return m?.namespace === namespace && m.key === key;
    });
    if (p) return p.id;
  }
  throw new Error(`no project for ${namespace}/${key}`);
}
