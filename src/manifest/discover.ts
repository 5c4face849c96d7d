import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const ROOT_CONFIG_NAMES = ['labelform.yaml', 'labelform.yml'] as const;
const MAX_FILES = 20_000;

/**
 * Lists candidate manifest files under a directory: every .yaml/.yml file and every small .json
 * file, skipping dot-directories and node_modules, without following directory symlinks.
 */
export async function discoverManifestFiles(root: string): Promise<{ files: string[]; truncated: boolean; unreadable: string[] }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      unreadable.push(dir);
      return [];
    });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        queue.push(path);
      } else if ((e.isFile() || e.isSymbolicLink()) && /\.(ya?ml|json)$/i.test(e.name)) {
        if (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isDirectory()) continue;
        files.push(path);
        if (files.length >= MAX_FILES) return { files, truncated: true, unreadable };
      }
    }
  }
  return { files, truncated: false, unreadable };
}

/** A .json file is a manifest only when it says so; other JSON (task data) is left alone. */
export function looksLikeJsonManifest(text: string): boolean {
  return /"apiVersion"\s*:\s*"labelform\//.test(text.slice(0, 4096));
}
