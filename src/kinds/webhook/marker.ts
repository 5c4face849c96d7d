import type { ResourceMarker } from '../kind.ts';

/**
 * A webhook has no description, so its ownership marker is one of its own headers: the server
 * stores `headers` as given and answers them in full, and every delivery carries it, which also
 * tells the receiver who set the hook up. The value is `<namespace>/<key>`; the project a
 * webhook belongs to is the server's own `project` field.
 */
export const MARKER_HEADER = 'X-Labelform-Managed';

export function formatWebhookMarker(namespace: string, key: string): string {
  return `${namespace}/${key}`;
}

/** The marker in a webhook's headers, if any (header names compared case-insensitively). */
export function parseWebhookMarker(
  headers: Readonly<Record<string, string>> | null | undefined,
): Pick<ResourceMarker, 'namespace' | 'key'> | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === MARKER_HEADER.toLowerCase());
  const m = entry && /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)$/.exec(entry[1].trim());
  // Both groups of the pattern are not optional.
  return m ? { namespace: m[1]!, key: m[2]! } : undefined;
}

/** Headers without the marker: what a manifest declares. */
export function withoutMarker<V>(headers: Readonly<Record<string, V>> | null | undefined): Record<string, V> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([k]) => k.toLowerCase() !== MARKER_HEADER.toLowerCase()),
  );
}
