import type { FieldChange } from '../generated/schema-types.ts';

/** One value, shown on one line: strings quoted, long ones cut in the middle of nothing important. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return '(unset)';
  const s = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return s.length > max ? `${s.slice(0, max - 12)}…" (${s.length} chars)` : s;
}

export function showChange(f: FieldChange, max = 80): { before: string; after: string } {
  if (f.sensitive) return { before: '(sensitive)', after: '(sensitive, changed)' };
  return { before: 'before' in f ? showValue(f.before, max) : '', after: showValue(f.after, max) };
}

export { plural } from '../util/plural.ts';
