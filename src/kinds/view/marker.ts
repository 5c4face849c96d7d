import type { LsView } from './types.ts';

/**
 * A tab has no description, so its ownership marker is one more key in its `data`, which the
 * server stores as given and answers in full (measured on 1.23.2): `labelformManaged:
 * "<namespace>/<key>"`. The Data Manager ignores it, but saving the tab in the UI rewrites `data`
 * and may drop it; such a tab is found again by its title (see plan.ts).
 */
export const MARKER_KEY = 'labelformManaged';

export function formatViewMarker(namespace: string, key: string): string {
  return `${namespace}/${key}`;
}

export function parseViewMarker(v: Pick<LsView, 'data'>): { namespace: string; key: string } | undefined {
  const raw = v.data?.[MARKER_KEY];
  const m = typeof raw === 'string' ? /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)$/.exec(raw) : null;
  // Both groups of the pattern are not optional.
  return m ? { namespace: m[1]!, key: m[2]! } : undefined;
}
