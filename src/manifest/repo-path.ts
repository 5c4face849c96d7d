import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { describeFsError } from './source-file.ts';

export type RepoPathResult =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly message: string };

/**
 * Resolves a file reference written in a manifest, relative to that manifest, and refuses any
 * that leaves the repository: absolute paths, `..` past the root, and symlinks pointing outside.
 */
export async function resolveRepoPath(root: string, manifestPath: string, ref: string): Promise<RepoPathResult> {
  if (isAbsolute(ref) || /^[A-Za-z]:[\\/]/.test(ref)) {
    return {
      ok: false,
      message: `"${ref}" is an absolute path; write a path relative to the manifest, inside the repository`,
    };
  }
  const path = resolve(dirname(manifestPath), ref);
  if (!isInside(root, path)) {
    return { ok: false, message: `"${ref}" points outside the repository (${root}); files must stay inside it` };
  }
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
  } catch (err) {
    return { ok: false, message: `"${ref}" cannot be read: ${describeFsError(err)}` };
  }
  if (!isInside(realRoot, real)) {
    return {
      ok: false,
      message: `"${ref}" is a symbolic link to ${real}, outside the repository; copy the file in instead`,
    };
  }
  return { ok: true, path };
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
