/**
 * What of a manifest goes into a plan's `desiredDigest` by default: its spec with every secret by
 * name only (a value from `${env:...}`, and any field `secret` names), and `import`.
 */
export function specDigest(
  d: { readonly spec?: object; readonly sensitive?: ReadonlySet<string>; readonly importId?: number },
  secret: (field: string) => boolean = () => false,
): object {
  return {
    spec: Object.fromEntries(
      Object.entries(d.spec ?? {}).map(([k, v]) => [k, d.sensitive?.has(k) || secret(k) ? '(sensitive)' : v]),
    ),
    import: d.importId ?? null,
  };
}
