import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ROOT_CONFIG_NAMES } from './discover.ts';

/**
 * The repository a directory belongs to: the nearest directory at or above `start` holding
 * labelform.yaml. The walk stops at a directory holding `.git` (the top of a git work tree; a
 * labelform.yaml above it belongs to something else) and at the filesystem root. `start` need
 * not exist yet.
 */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const name of ROOT_CONFIG_NAMES) {
      if ((await stat(join(dir, name)).catch(() => undefined))?.isFile()) return dir;
    }
    if (await stat(join(dir, '.git')).catch(() => undefined)) return undefined;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Where editors find labelform's schemas from inside a repository: `node_modules/labelform/schemas`
 * in the repository or, as Node resolves packages, in the nearest directory above it that has one;
 * when none has, the repository's own `node_modules`, where `npm install --save-dev labelform` puts it.
 */
export async function findSchemaDir(root: string): Promise<string> {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'labelform', 'schemas');
    if ((await stat(join(candidate, 'project.schema.json')).catch(() => undefined))?.isFile()) return candidate;
    if (dirname(dir) === dir) break;
  }
  return join(root, 'node_modules', 'labelform', 'schemas');
}
