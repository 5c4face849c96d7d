import type { ManifestDocument } from '../kind.ts';

/** Per top-level spec field, the `${env:NAME}` variables its value comes from (names only). */
export function envNamesByField(doc: Pick<ManifestDocument, 'envNames'>): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, string[]> = {};
  for (const { pointer, name } of doc.envNames) {
    const field = /^\/spec\/([^/]+)/.exec(pointer)?.[1];
    if (field === undefined) continue;
    const list = (out[field] ??= []);
    if (!list.includes(name)) list.push(name);
  }
  return out;
}

/** A sensitive field change, naming where its value comes from when known. */
export function secretChange(
  field: string,
  env: Readonly<Record<string, readonly string[]>> | undefined,
): { field: string; sensitive: true; env?: string[] } {
  const names = env?.[field];
  return { field, sensitive: true, ...(names?.length ? { env: [...names] } : {}) };
}
