/**
 * The one list of kinds. It feeds type generation (`scripts/gen-types-lib.ts`), the repository
 * loader (`src/state/load-repository.ts`, in this order: a kind can use the kinds loaded before
 * it), live-state reading, the planner and the apply order (parents first, deletes in reverse).
 * Adding a kind: a folder under `src/kinds/`, a schema in `schemas/`, and one line here.
 */
import type { ManifestKind, ResourceKind } from './kind.ts';
import { labelConfigKind } from './label-config/kind.ts';
import { exportStorageKind } from './export-storage/kind.ts';
import { importStorageKind } from './import-storage/kind.ts';
import { mlBackendKind } from './ml-backend/kind.ts';
import { projectKind } from './project/kind.ts';
import { viewKind } from './view/kind.ts';
import { webhookKind } from './webhook/kind.ts';

export const MANIFEST_KINDS: readonly ManifestKind[] = [
  labelConfigKind,
  projectKind,
  webhookKind,
  viewKind,
  mlBackendKind,
  importStorageKind,
  exportStorageKind,
];

/** The kinds that are resources on the server (planned, applied, checked for drift), parents first. */
export const RESOURCE_KINDS: readonly ResourceKind[] = orderParentsFirst(MANIFEST_KINDS.filter(isResourceKind));

export function isResourceKind(k: ManifestKind): k is ResourceKind {
  return 'readLive' in k && typeof k.readLive === 'function';
}

export function findManifestKind(name: string): ManifestKind | undefined {
  return MANIFEST_KINDS.find((k) => k.kind === name);
}

export function findResourceKind(name: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((k) => k.kind === name);
}

/** The schema file names the kinds use (`project` for schemas/project.schema.json). */
export function kindSchemas(): string[] {
  return MANIFEST_KINDS.map((k) => k.schema);
}

/** Every kind in the order messages list them: resource kinds first (parents first), then the others. */
export function kindsInMessageOrder(): ManifestKind[] {
  return [...RESOURCE_KINDS, ...MANIFEST_KINDS.filter((k) => !isResourceKind(k))];
}

/** "Project or LabelConfig": resource kinds first, for messages that list what a manifest may be. */
export function kindNamesForMessages(): string {
  const names = kindsInMessageOrder().map((k) => k.kind);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** How deep a kind sits under its parents (0 for a top-level kind). */
export function kindDepth(kind: string, kinds: readonly ResourceKind[] = RESOURCE_KINDS): number {
  let depth = 0;
  for (let k = kinds.find((x) => x.kind === kind); k?.parent; k = kinds.find((x) => x.kind === k.parent)) {
    depth++;
    if (depth > kinds.length) throw new Error(`kind ${kind}: its parents form a cycle`);
  }
  return depth;
}

/** Stable order with every kind after its parent kind. */
export function orderParentsFirst<K extends ResourceKind>(kinds: readonly K[]): K[] {
  return [...kinds]
    .map((k, i) => ({ k, i, d: kindDepth(k.kind, kinds) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.k);
}
