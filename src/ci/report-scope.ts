import { resolve } from 'node:path';
import type { Io } from '../util/io.ts';
import { loadRootConfig } from '../manifest/load-root-config.ts';
import type { MarkerScope } from './marker.ts';
import { repoRelativeDir } from './repo-dir.ts';

/**
 * The directory and environment a report is about. The environment is the one the run used when
 * it got that far; else `-e`, else labelform.yaml's default (when it can still be read), so the
 * report of a failed run lands in the comment or issue a good run updates later.
 */
export async function scopeFor(
  io: Io,
  dir: string,
  used: string | undefined,
  given: string | undefined,
): Promise<MarkerScope> {
  const relDir = await repoRelativeDir(dir, io.env, io.cwd);
  if (used ?? given) return { dir: relDir, env: (used ?? given)! };
  const { config } = await loadRootConfig(resolve(io.cwd, dir), io.cwd).catch(() => ({ config: undefined }));
  return { dir: relDir, env: config?.defaultEnvironment ?? 'default' };
}
