import type { DesiredResource, LiveResource, Match, ResourceMarker } from '../kind.ts';

/**
 * Matches manifests to live resources by ownership marker (and `import: {id}`); pure. An identity
 * carried by several resources has no live resource, unless `dedupe` settles it on the lowest id
 * (the survivor racing runs also choose).
 */
export function matchResources<D extends DesiredResource, L extends LiveResource>(
  desired: readonly D[],
  live: readonly L[],
  namespace: string,
  identify: (l: L) => ResourceMarker | undefined,
  opts: { readonly dedupe?: boolean } = {},
): Match<D, L>[] {
  const byIdentity = new Map<string, L[]>();
  for (const l of live) {
    const m = identify(l);
    if (m?.namespace !== namespace) continue;
    const id = identity(m.parent, m.key);
    const list = byIdentity.get(id) ?? [];
    list.push(l);
    byIdentity.set(id, list);
  }
  const byId = new Map(live.map((l) => [l.id, l]));
  return desired.map((d) => {
    const marked = [...(byIdentity.get(identity(d.parent, d.name)) ?? [])].sort((a, b) => a.id - b.id);
    const [lowest] = marked;
    const adoptCandidate = d.importId !== undefined && marked.length === 0 ? byId.get(d.importId) : undefined;
    return {
      desired: d,
      ...(lowest && (marked.length === 1 || opts.dedupe) ? { live: lowest } : {}),
      duplicates: marked.length > 1 ? marked : [],
      ...(adoptCandidate ? { adopt: adoptCandidate } : {}),
    };
  });
}

function identity(parent: string | undefined, key: string): string {
  return `${parent ?? ''}\u0000${key}`;
}
