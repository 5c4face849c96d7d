import { createHash, type Hash } from 'node:crypto';

/** A short, stable hash of a JSON value (keys sorted), for comparing states without storing them. */
export function fingerprintValue(value: unknown): string {
  const hash = createHash('sha256');
  // The canonical JSON goes into the hash in pieces of up to FLUSH_CHARS: the digest of a whole
  // repository (10,000 projects) never holds its text at once (same bytes, so the same hash).
  let pending = '';
  writeCanonicalJson(value, (s) => {
    pending += s;
    if (pending.length >= FLUSH_CHARS) {
      hash.update(pending);
      pending = '';
    }
  });
  return finish(hash, pending);
}

const FLUSH_CHARS = 64 * 1024;

function finish(hash: Hash, pending: string): string {
  return hash.update(pending).digest('hex').slice(0, 16);
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonicalJson(value, (s) => parts.push(s));
  return parts.join('');
}

/** The canonical JSON of a value (keys sorted, undefined members left out), piece by piece. */
function writeCanonicalJson(value: unknown, write: (s: string) => void): void {
  if (value === undefined) return write('null');
  if (value === null || typeof value !== 'object') return write(JSON.stringify(value));
  if (Array.isArray(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) write(',');
      if (i in value) writeCanonicalJson(value[i], write); // a hole writes nothing, as join() does
    }
    return write(']');
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  write('{');
  entries.forEach(([k, v], i) => {
    write(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
    writeCanonicalJson(v, write);
  });
  write('}');
}
