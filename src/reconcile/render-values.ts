import type { FieldChange } from '../generated/schema-types.ts';
import { findResourceKind } from '../kinds/registry.ts';

/** One value, shown on one line: strings quoted, long ones cut in the middle of nothing important. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return '(unset)';
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > max ? `${s.slice(0, max - 12)}…" (${s.length} chars)` : s;
}

export function showChange(f: FieldChange, max = 80): { before: string; after: string } {
  if (f.sensitive)
    return {
      before: '(sensitive)',
      after: f.env?.length
        ? `(sensitive, changed: ${f.env.map((n) => `\${env:${n}}`).join(', ')})`
        : '(sensitive, changed)',
    };
  return { before: 'before' in f ? showValue(f.before, max) : '', after: showValue(f.after, max) };
}

export { plural } from '../util/plural.ts';

/** The word for one resource of a kind ("project"). */
export function nounOf(kind: string): string {
  return findResourceKind(kind)?.noun ?? kind;
}

/** Where a kind's ownership marker is written, for an adopt's line (" to the description"), or nothing. */
export function markerPlaceOf(kind: string): string {
  const place = findResourceKind(kind)?.markerPlace;
  return place ? ` ${place}` : '';
}

/** The word for a list of changes: their kind's noun when they share one, else "resource". */
export function nounFor(items: ReadonlyArray<{ readonly kind: string }>): string {
  const [only, ...more] = new Set(items.map((i) => i.kind));
  return only !== undefined && more.length === 0 ? nounOf(only) : 'resource';
}
