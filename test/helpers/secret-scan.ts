/**
 * "Secrets never show", checked on disk: every file a test leaves behind (repositories, pulled
 * manifests, saved plans, exports, sidecars) is searched for the test server's token and password
 * before it is removed, and `scripts/run-tests.ts` searches the whole scratch directory the suites
 * wrote into at the end of the run. Only what the run is given as secret is searched for.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Larger files are data (task files, exports of thousands of tasks): searched in their first MiB. */
const SCAN_BYTES = 1024 * 1024;

/** The secrets of this test run: the real server's token and password, when set. */
export function testRunSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.LABELFORM_TEST_LS_TOKEN, env.LABELFORM_TEST_LS_PASSWORD].filter(
    (s): s is string => typeof s === 'string' && s.length >= 6,
  );
}

/** Files under `dir` (symlinks not followed) that contain one of the secrets; the secrets are not returned. */
export async function filesHoldingSecrets(dir: string, secrets: readonly string[]): Promise<string[]> {
  if (secrets.length === 0) return [];
  const found: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    if (size === 0) continue;
    const text = await readFile(path)
      .then((b) => b.subarray(0, SCAN_BYTES).toString('utf8'))
      .catch(() => '');
    if (secrets.some((s) => text.includes(s))) found.push(path);
  }
  return found;
}
