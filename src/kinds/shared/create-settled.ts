import type { StepDone } from '../kind.ts';

/** How one kind reads, writes and removes the resources that carry one identity's marker. */
export interface SettledCreatePorts<R extends { readonly id: number }> {
  /** The resources carrying the marker under the parent, lowest id first. */
  readonly carriers: () => Promise<R[]>;
  /** Creates one; returns its id. */
  readonly create: () => Promise<number>;
  /** Brings one that already carried the marker in line with the manifest. */
  readonly update: (found: R) => Promise<void>;
  /** Deletes one (a 404 is fine: a racing run removed it first). */
  readonly remove: (copy: R) => Promise<void>;
}

/**
 * Creates a resource that holds no data (a webhook, a tab, an ML backend, a storage) exactly
 * once per marker. A run that died after its create left the resource behind: it is found by
 * its marker and updated instead of created again. After the write the marker is read again, and
 * copies (a create the server ran twice, a racing run's) are deleted, keeping the lowest id, the
 * one every run settles on. `found` tells the caller what was there before it wrote.
 */
export async function createSettled<R extends { readonly id: number }>(
  ports: SettledCreatePorts<R>,
): Promise<StepDone & { readonly notes: string[]; readonly found?: R }> {
  const [found] = await ports.carriers();
  const notes: string[] = [];
  let id: number;
  if (found) {
    id = found.id;
    notes.push(`found id ${id} already carrying the marker`);
    await ports.update(found);
  } else {
    id = await ports.create();
  }
  const after = await ports.carriers();
  const keep = after[0]?.id ?? id;
  const removed: number[] = [];
  for (const copy of after.slice(1)) {
    await ports.remove(copy);
    removed.push(copy.id);
  }
  if (removed.length)
    notes.push(`kept id ${keep}, the lowest carrying the marker; removed ${removed.map((r) => `id ${r}`).join(', ')}`);
  return {
    id: keep,
    notes,
    ...(removed.length ? { removedCopies: removed } : {}),
    ...(found ? { found } : {}),
  };
}
