import type { FieldChange } from '../generated/schema-types.ts';
import { findSecret, SENSITIVE_MASK } from '../util/redact.ts';

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

/**
 * A project title, quoted, or the mask when it holds a secret value: a live title (an orphan's, a
 * duplicate's) can carry what a manifest took from `${env:...}`. Whole titles only, never a part.
 */
export function showTitle(title: string): string {
  return findSecret(title) ? SENSITIVE_MASK : `"${title}"`;
}

export { plural } from '../util/plural.ts';
