import type { Repository } from '../kinds/kind.ts';
import { RESOURCE_KINDS } from '../kinds/registry.ts';
import { resourceId } from './events.ts';

/** Every resource the repository declares, as `resourceId`s (kind, parent, key). */
export function desiredIds(repo: Repository): Set<string> {
  const ids = new Set<string>();
  for (const kind of RESOURCE_KINDS) {
    for (const d of kind.desired(repo))
      ids.add(resourceId({ kind: kind.kind, key: d.name, ...(d.parent ? { parent: d.parent } : {}) }));
  }
  return ids;
}
