import type { LiveResource, ReadLiveOptions } from '../kind.ts';

/**
 * Whether a sub-resource kind is read at all: when the repository declares some of it, when the
 * plan prunes (orphans must be found), and for pull (`all`). A repository that does not use a
 * kind pays no request for it, and a token that may not read it (webhooks are the
 * organization's) does not break plans that never needed it. The price: without --prune, drift
 * does not list orphans of a kind the repository no longer declares at all.
 */
export function readsKind(kind: string, opts: ReadLiveOptions): boolean {
  return Boolean(opts.all || opts.prune || (opts.repo?.resources[kind]?.length ?? 0) > 0);
}

/**
 * The parents whose sub-resources a per-project read covers: the projects of this namespace and
 * the ones a manifest adopts with `import: {id}` (not marked yet, but their storages and backends
 * are what `import: {id}` in their children names); every project for pull.
 *
 * A child kind the parents record (`child`, with its `recordedAs` code) is read only under the
 * parents that may carry managed ones: a parent whose record lists the kind, one whose marker
 * records no children at all (older than the record: anything may be there), one the manifests
 * declare children of this kind under, and an adopted one. A parent whose record leaves the kind
 * out costs no request; a managed child made there by hand (a copied marker) is not seen.
 */
export function parentsToRead(
  opts: ReadLiveOptions,
  parentKind: string,
  child?: { readonly kind: string; readonly recordedAs: string },
): LiveResource[] {
  const adopted = new Set(
    (opts.repo?.resources[parentKind] ?? []).map((p) => p.importId).filter((id): id is number => id !== undefined),
  );
  const declaredUnder = new Set((child ? (opts.repo?.resources[child.kind] ?? []) : []).map((d) => d.parent));
  const mayCarry = (p: LiveResource, key: string): boolean =>
    !child || p.childKinds === undefined || p.childKinds.includes(child.recordedAs) || declaredUnder.has(key);
  return (opts.parents ?? []).filter(
    (p) => opts.all || adopted.has(p.id) || (p.marker?.namespace === opts.namespace && mayCarry(p, p.marker.key)),
  );
}

/** The key a live child names its parent by: the parent's marker key in this namespace, or `#id`. */
export function parentKeyOf(parents: readonly LiveResource[], parentId: number, namespace: string): string {
  const parent = parents.find((p) => p.id === parentId);
  return parent?.marker?.namespace === namespace ? parent.marker.key : `#${parentId}`;
}
