/**
 * Throwaway directory trees for tests, and the minimal manifests they are built from. No CLI and
 * no server here: test/unit uses these directly (test/helpers/cli.ts re-exports them).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { filesHoldingSecrets, testRunSecrets } from './secret-scan.ts';

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
  if (leaking.length)
    throw new Error(`files written during the test hold a secret of the test run: ${leaking.join(', ')}`);
}

/** A minimal valid labelform.yaml. */
export const ROOT_CONFIG = 'apiVersion: labelform/v1\nkind: Config\nnamespace: test\n';

/** A minimal valid project manifest with the given spec lines (YAML, indented by two spaces). */
export function projectYaml(name: string, specLines: string): string {
  return `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: ${name}\nspec:\n${specLines}`;
}
