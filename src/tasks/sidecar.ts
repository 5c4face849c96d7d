import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { TaskSource } from './sources.ts';

/**
 * The small progress file kept next to an imported file (`tasks.jsonl.labelform-import.json`):
 * which import this is (its id tags every task it sends), where it goes, and what is committed.
 * Rewritten atomically after every batch the server accepted.
 */
export interface ImportSidecar {
  readonly version: 1;
  readonly importId: string;
  readonly server: string;
  readonly projectId: number;
  readonly sources: ReadonlyArray<{ readonly file: string; readonly size: number; readonly mtimeMs: number }>;
  readonly committed: { records: number; tasks: number; annotations: number; predictions: number; batches: number };
  readonly complete: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
}

export function sidecarPath(input: string, isDirectory: boolean): string {
  return isDirectory ? `${input.replace(/\/+$/, '')}/.labelform-import.json` : `${input}.labelform-import.json`;
}

export async function readSidecar(path: string): Promise<ImportSidecar | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as ImportSidecar;
    return value.version === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSidecar(path: string, sidecar: ImportSidecar): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(sidecar, null, 2)}\n`);
}

export async function describeSources(sources: readonly TaskSource[]): Promise<ImportSidecar['sources']> {
  return Promise.all(
    sources.map(async (s) => {
      const st = await stat(s.path);
      // Absolute: the same import can be resumed from any working directory.
      return { file: s.path, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
    }),
  );
}

/** True when the files are the ones the sidecar was written for (same names, sizes and times). */
export function sameSources(a: ImportSidecar['sources'], b: ImportSidecar['sources']): boolean {
  return a.length === b.length && a.every((x, i) => x.file === b[i]!.file && x.size === b[i]!.size && x.mtimeMs === b[i]!.mtimeMs);
}
