import { execFile } from 'node:child_process';
import { maskUrlsInText } from '../util/credentials.ts';
import { redact } from '../util/redact.ts';

/** How long one `git pull` may take before it is stopped (a remote that hangs must not hold the loop). */
export const PULL_TIMEOUT_MS = 60_000;

export type PullResult =
  { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly message: string };

/**
 * `git pull --ff-only` in the checkout, for `watch --git-pull`: no hooks (`core.hooksPath` to
 * /dev/null: the watcher runs no code a repository brings), no prompt for credentials, a merge
 * only when it is a fast-forward (a checkout that diverged is left as it is, and said so), at most
 * `PULL_TIMEOUT_MS`. Not stopped on SIGTERM: a watcher that stops leaves the pull to finish on its
 * own (a git killed half-way through a fast-forward could leave the working tree half-updated).
 * What git says on failure is shortened, with credentials in URLs masked.
 */
export function gitPull(cwd: string): Promise<PullResult> {
  const git = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'git',
        ['-c', 'core.hooksPath=/dev/null', ...args],
        {
          cwd,
          timeout: PULL_TIMEOUT_MS,
          windowsHide: true,
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '', LC_ALL: 'C' },
        },
        (err, stdout, stderr) =>
          resolve({
            code: err
              ? typeof (err as { code?: unknown }).code === 'number'
                ? Number((err as { code: number }).code)
                : 1
              : 0,
            stdout: String(stdout),
            stderr: String(stderr) || (err ? err.message : ''),
          }),
      );
    });
  return (async () => {
    const before = await git(['rev-parse', 'HEAD']);
    const pulled = await git(['pull', '--ff-only', '--quiet', '--no-rebase']);
    if (pulled.code !== 0) {
      const said = pulled.stderr
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 3)
        .join(' ');
      return { ok: false, message: redact(maskUrlsInText(said || `git exited with ${pulled.code}`)).slice(0, 500) };
    }
    const after = await git(['rev-parse', 'HEAD']);
    return { ok: true, changed: before.stdout.trim() !== after.stdout.trim() };
  })();
}
