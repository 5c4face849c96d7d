import { execFile } from 'node:child_process';

/** Runs git with arguments in a directory; resolves to its stdout, rejects when it fails. */
export type RunGit = (args: readonly string[], cwd: string) => Promise<string>;

/** git with no optional locks (a read never blocks a concurrent write of the checkout), 5 s at most. */
export function execGit(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd, timeout: 5000, windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
      (err: Error | null, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

/** `git merge-base --is-ancestor`: true, false, or undefined when git cannot tell (an unknown commit). */
export async function isAncestor(
  runGit: RunGit,
  cwd: string,
  ancestor: string,
  descendant: string,
): Promise<boolean | undefined> {
  try {
    await runGit(['merge-base', '--is-ancestor', ancestor, descendant], cwd);
    return true;
  } catch (err) {
    // Exit 1 is "no"; 128 is an unknown object (a shallow clone, another repository).
    return (err as { code?: unknown }).code === 1 ? false : undefined;
  }
}

/** The commit checked out in `cwd` (40 lowercase hex digits), or undefined without git or a repository. */
export async function readHead(runGit: RunGit, cwd: string): Promise<string | undefined> {
  const head = await runGit(['rev-parse', 'HEAD'], cwd).then(
    (o) => o.trim().toLowerCase(),
    () => '',
  );
  return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
}

/**
 * The commit checked out and whether the folder `cwd` has uncommitted changes (then the commit
 * alone is not what is read); undefined when git cannot tell either.
 */
export async function readCheckout(
  runGit: RunGit,
  cwd: string,
): Promise<{ readonly head: string; readonly dirty: boolean } | undefined> {
  const head = await readHead(runGit, cwd);
  if (!head) return undefined;
  const status = await runGit(['status', '--porcelain', '--', '.'], cwd).then(
    (o) => o,
    () => undefined,
  );
  return status === undefined ? undefined : { head, dirty: status.trim() !== '' };
}
