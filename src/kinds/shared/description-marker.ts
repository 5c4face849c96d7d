import { createHash } from 'node:crypto';
import { pythonStripEnd } from '../../util/python-strip.ts';

/**
 * The ownership marker of a resource with a `description` but no place of its own for it (an ML
 * backend, a storage): a footer line the server round-trips and a person in the UI reads, with
 * the fingerprint of the secrets labelform last sent, since the server never answers them:
 *
 *   [labelform] Managed from git (namespace: acme, key: ner-model). Change it there; edits made here are reverted. [lf-secret Xy3k9Q]
 */
const LINE =
  /\[labelform\] Managed from git \(namespace: ([a-z0-9][a-z0-9-]*), key: ([a-z0-9][a-z0-9-]*)\)\.(?: Change it there; edits made here are reverted\.)?(?: \[lf-secret ([A-Za-z0-9_-]{6})\])?[ \t]*$/gm;

export interface DescriptionMarker {
  readonly namespace: string;
  readonly key: string;
  /** Fingerprint of the secrets last sent. */
  readonly secret?: string;
}

function last(text: string): RegExpExecArray | undefined {
  let m: RegExpExecArray | undefined;
  for (const x of text.matchAll(LINE)) m = x;
  return m;
}

export function parseDescriptionMarker(description: string | null | undefined): DescriptionMarker | undefined {
  const m = last(description ?? '');
  // The marker pattern's first two groups are not optional: a match has both.
  return m ? { namespace: m[1]!, key: m[2]!, ...(m[3] ? { secret: m[3] } : {}) } : undefined;
}

export function stripDescriptionMarker(description: unknown): string {
  // A description is text (null or none when empty); anything else has no marker to strip.
  const text = typeof description === 'string' ? description : '';
  const m = last(text);
  return m ? pythonStripEnd(text.slice(0, m.index) + text.slice(m.index + m[0].length)) : text;
}

export function withDescriptionMarker(userPart: string, m: DescriptionMarker): string {
  const line = `[labelform] Managed from git (namespace: ${m.namespace}, key: ${m.key}). Change it there; edits made here are reverted.${m.secret ? ` [lf-secret ${m.secret}]` : ''}`;
  const body = pythonStripEnd(userPart);
  return body ? `${body}\n\n${line}` : line;
}

/**
 * 36 bits of SHA-256 of the secret values, salted with the resource's identity: enough to tell
 * that one changed, too little to recover any, and not comparable across resources.
 */
export function secretFingerprint(namespace: string, key: string, secrets: readonly string[]): string {
  return createHash('sha256')
    .update(`labelform-secret\u0000${namespace}/${key}\u0000${secrets.join('\u0000')}`)
    .digest('base64url')
    .slice(0, 6);
}
