import { pythonStripEnd } from '../../util/python-strip.ts';

/**
 * The ownership marker: one footer line in a project's `description`, which the server
 * round-trips and which tells a person in the UI that the project is managed from git.
 *
 *   [labelform] Managed from git (namespace: acme-labeling, key: ner-news). Change it there; edits made here are reverted.
 */
export interface Marker {
  readonly namespace: string;
  readonly key: string;
}

const MARKER_LINE = /^\[labelform\] Managed from git \(namespace: ([a-z0-9][a-z0-9-]*), key: ([a-z0-9][a-z0-9-]*)\)\.[^\n]*$/gm;

/** The last marker line: labelform always appends it, so text above it is a person's. */
function lastMarker(text: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(MARKER_LINE)) last = m as RegExpExecArray;
  return last;
}

/** True when text contains a line that reads as an ownership marker. */
export function containsMarker(text: string): boolean {
  return lastMarker(text) !== undefined;
}

export function formatMarker(m: Marker): string {
  return `[labelform] Managed from git (namespace: ${m.namespace}, key: ${m.key}). Change it there; edits made here are reverted.`;
}

export function parseMarker(description: string | null | undefined): Marker | undefined {
  const m = lastMarker(description ?? '');
  return m ? { namespace: m[1]!, key: m[2]! } : undefined;
}

/** The description without the marker line and the blank line before it: what a person wrote. */
export function stripMarker(description: string | null | undefined): string {
  const text = description ?? '';
  const m = lastMarker(text);
  if (!m) return text;
  // Python's whitespace, as the server's strip: JavaScript's \s would also eat a trailing U+FEFF.
  return pythonStripEnd(text.slice(0, m.index) + text.slice(m.index + m[0].length));
}

/** A description carrying the marker after the person-written part. */
export function withMarker(userPart: string, m: Marker): string {
  const body = pythonStripEnd(userPart);
  return body ? `${body}\n\n${formatMarker(m)}` : formatMarker(m);
}
