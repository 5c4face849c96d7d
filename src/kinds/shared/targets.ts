import type { DesiredResource } from '../kind.ts';
import { DEFAULT_KIND } from '../../model/kind-names.ts';

/** One `--target`: `Kind/key`, or a bare key, which means a Project. */
export interface Target {
  readonly given: string;
  readonly kind: string;
  readonly key: string;
}

export function parseTarget(given: string): Target {
  const slash = given.indexOf('/');
  // Keys are lowercase; a kind starts with a capital: `Project/a` is a kind and a key.
  if (slash > 0 && /^[A-Z]/.test(given)) return { given, kind: given.slice(0, slash), key: given.slice(slash + 1) };
  return { given, kind: DEFAULT_KIND, key: given };
}

/**
 * Whether a resource is selected by the targets: no targets selects everything; a target selects
 * its resource and, for a parent, every resource under it (a project's webhooks come with it).
 */
export function isTargeted(
  targets: readonly Target[] | undefined,
  r: Pick<DesiredResource, 'kind' | 'name' | 'parent'>,
  parentKind?: string,
): boolean {
  if (!targets?.length) return true;
  return targets.some(
    (t) =>
      (t.kind === r.kind && t.key === r.name) ||
      (parentKind !== undefined && r.parent !== undefined && t.kind === parentKind && t.key === r.parent),
  );
}
