/**
 * Narrowing values of unknown shape (server JSON, parsed YAML) by looking at them, instead of
 * casting them, and the one typed `Object.keys`.
 */

/** A plain object (not null, not an array): its fields can be read by name. */
export function isRecord(x: unknown): x is Readonly<Record<string, unknown>> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An object with a string at `key` (`hasString(r, 'from_name')`). */
export function hasString<K extends string>(
  x: unknown,
  key: K,
): x is Readonly<Record<string, unknown> & Record<K, string>> {
  return isRecord(x) && typeof x[key] === 'string';
}

/** The array at `key` of an object; empty when there is none (or it is not an array). */
export function arrayAt(x: unknown, key: string): readonly unknown[] {
  const v = isRecord(x) ? x[key] : undefined;
  return Array.isArray(v) ? v : [];
}

/**
 * `Object.keys` typed by the object's keys. For an object whose keys are exactly those its type
 * names: a spec built or schema-checked field by field, a `Record<Field, ...>` table.
 */
export function typedKeys<T extends object>(o: T): Array<keyof T & string> {
  // Object.keys says string[] because an object may carry more keys than its type names; the
  // objects this is for carry none (see above), so its keys are the type's.
  return Object.keys(o) as Array<keyof T & string>;
}

/** `x` is one of `values` (a field name one of a kind's fields). */
export function isOneOf<T extends string>(values: readonly T[], x: string): x is T {
  return values.some((v) => v === x);
}
