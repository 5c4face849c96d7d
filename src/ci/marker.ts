/** What a marker tags: the plan comment of a pull request, the apply result posted to a merged one, the drift issue, or the note `watch --comment` leaves on a pull request whose plan went stale. */
export type MarkerKind = 'plan' | 'drift' | 'apply' | 'stale';

/** The repository directory (labelform.yaml's, relative to the repository's top) and environment. */
export interface MarkerScope {
  readonly dir: string;
  readonly env: string;
}

/**
 * The hidden first line of a comment, note or issue body that labelform owns: one per kind,
 * directory and environment, so two directories or two environments of one repository keep
 * separate comments, and a re-run finds and updates its own.
 */
export function markerFor(kind: MarkerKind, scope: MarkerScope): string {
  return `<!-- labelform:${kind} dir=${encodeValue(scope.dir)} env=${encodeValue(scope.env)} -->`;
}

/**
 * True when the body starts with the marker. Only the first line counts: a reply that quotes
 * the comment (`> <!-- ...`) is not ours.
 */
export function carriesMarker(body: string | null | undefined, marker: string): boolean {
  if (!body) return false;
  const end = body.indexOf('\n');
  return (end < 0 ? body : body.slice(0, end)).trim() === marker;
}

/** Keeps a directory readable in the marker while ">" or a space cannot end or split it. */
function encodeValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._~/-]/g, (c) => encodeURIComponent(c));
}
