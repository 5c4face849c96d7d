import { DEFAULT_KIND } from './kind-names.ts';

/**
 * How a resource is named in output: a project by its key (as always), any other kind as
 * `Kind parent/key`, so a project's webhook reads `Webhook sentiment/train`.
 */
/**
 * How a resource is named where a person types it (`--target`, `preview NAME`): a project by its
 * key, any other kind as `Kind/key` (the names `parseTarget` in kinds/shared/targets.ts reads).
 */
export function targetName(r: { readonly kind: string; readonly key: string }): string {
  return r.kind === DEFAULT_KIND ? r.key : `${r.kind}/${r.key}`;
}

export function resourceName(r: {
  readonly kind: string;
  readonly key: string;
  readonly parent?: { readonly key: string } | string | undefined;
}): string {
  if (r.kind === DEFAULT_KIND) return r.key;
  const parent = typeof r.parent === 'string' ? r.parent : r.parent?.key;
  return `${r.kind} ${parent !== undefined ? `${parent}/` : ''}${r.key}`;
}
