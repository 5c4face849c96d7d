import { stat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The directory holding labelform.yaml, relative to the top of its git repository ("." at the
 * top), with "/" separators: the same on every runner and every run, so it can key a comment.
 * Without a `.git` above it, relative to the CI checkout (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`),
 * else to the working directory.
 */
export async function repoRelativeDir(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<string> {
  const abs = await realpath(resolve(cwd, dir)).catch(() => resolve(cwd, dir));
  const tops = [await findGitTop(abs), env.GITHUB_WORKSPACE, env.CI_PROJECT_DIR, cwd];
  for (const top of tops) {
    if (!top) continue;
    const rel = relative(await realpath(top).catch(() => top), abs);
    if (rel === '') return '.';
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return abs.split(sep).join('/');
}

async function findGitTop(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    // A worktree or submodule has a .git file instead of a folder.
    if (
      await stat(join(dir, '.git')).then(
        () => true,
        () => false,
      )
    )
      return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
