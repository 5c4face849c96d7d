import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** A file changed this recently may change again within its timestamp's resolution (see `checkoutState`). */
const RACY_MS = 3000;

export interface CheckoutState {
  /** A short hash of every file's path, size, modification and change times and inode. */
  readonly fingerprint: string;
  /**
   * Some file changed in the last few seconds: an edit within the file system's timestamp
   * resolution would leave the same fingerprint (git's "racy" case), so whoever read the files
   * now reads them again next time even if the fingerprint is the same.
   */
  readonly recent: boolean;
}

/**
 * The state of a checkout, cheap enough to take every cycle (one stat per file, no content
 * read): the files under `root`, skipping dot-directories (`.git`) and `node_modules` as manifest
 * discovery does. A `git pull`, a checkout of another commit or an edit changes it; reading the
 * same files does not. Files outside `root` that a manifest refers to are not followed.
 */
export async function checkoutState(root: string, now: number = Date.now()): Promise<CheckoutState> {
  const hash = createHash('sha256');
  let recent = false;
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        queue.push(path);
        continue;
      }
      const s = await stat(path).catch(() => undefined);
      if (!s || s.isDirectory()) continue;
      hash.update(`${relative(root, path)}\u0000${s.size}\u0000${s.mtimeMs}\u0000${s.ctimeMs}\u0000${s.ino}\n`);
      if (now - Math.max(s.mtimeMs, s.ctimeMs) < RACY_MS) recent = true;
    }
  }
  return { fingerprint: hash.digest('hex').slice(0, 16), recent };
}
