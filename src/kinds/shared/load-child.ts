import type { Metadata } from '../../generated/schema-types.ts';
import type { RawDoc } from '../../manifest/load-root-config.ts';
import type { SourceDocument } from '../../manifest/yaml-source.ts';
import { isRecord } from '../../util/narrow.ts';
import { diag, type Diagnostic } from '../../util/diagnostics.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { envNamesByField } from './env-names.ts';

/** What every kind's manifest has, as its schema says: `metadata.name` and an optional `import: {id}`. */
export interface IdentifiedManifest {
  readonly metadata: Metadata;
  readonly import?: { readonly id: number };
}

/** What every manifest of a kind declares the same way: its name, its file, `import: {id}`. */
export function manifestIdentity<K extends string>(
  kind: K,
  doc: Pick<ManifestDocument<IdentifiedManifest>, 'raw' | 'value'>,
): { kind: K; name: string; file: string; doc: SourceDocument; importId?: number } {
  const { raw, value } = doc;
  const importId = value.import?.id;
  return {
    kind,
    name: String(value.metadata.name),
    file: raw.doc.file,
    doc: raw.doc,
    ...(typeof importId === 'number' ? { importId } : {}),
  };
}

/**
 * The names of the parent kind's resources loaded before this kind, and the error for a manifest
 * naming one that is not there ("no Project named ..."), at `pointer` of its document.
 */
export function parentNames(
  ctx: LoadContext,
  parentKind: string,
): {
  readonly has: (name: string) => boolean;
  readonly missing: (name: string, doc: SourceDocument, pointer: string) => Diagnostic;
} {
  const names = new Set(ctx.loaded(parentKind).map((p) => p.name));
  return {
    has: (name) => names.has(name),
    missing: (name, doc, pointer) =>
      diag(
        `missing-${parentKind.toLowerCase()}`,
        `no ${parentKind} named "${name}"${names.size ? ` (defined: ${[...names].join(', ')})` : ` (no ${parentKind} manifests are defined)`}`,
        { file: doc.file, ...doc.locate(pointer), pointer },
      ),
  };
}

/**
 * A manifest of a kind with a spec, as loaded: its identity, the key of its parent (absent: none,
 * as an organization's webhook), the spec, and where values from `${env:...}` are.
 */
export interface SpecResource<K extends string, S> {
  readonly kind: K;
  readonly name: string;
  readonly file: string;
  readonly doc: SourceDocument;
  readonly parent?: string;
  readonly importId?: number;
  readonly spec: S;
  /** spec fields holding a value from `${env:...}`. */
  readonly sensitive: ReadonlySet<string>;
  /** Per spec field, the `${env:...}` variables it comes from. */
  readonly env?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A manifest of a kind with a spec, as its loader returns it: its identity (`manifestIdentity`),
 * the key of its parent (absent for none, as an organization's webhook), the spec, the spec fields
 * from `${env:...}`, and with `env`, the variables each comes from (names only).
 */
export function specResource<K extends string, S, P extends string | undefined>(
  kind: K,
  doc: ManifestDocument<IdentifiedManifest>,
  resource: { readonly parent: P; readonly spec: S; readonly env: boolean },
): SpecResource<K, S> & { readonly parent: P } {
  const { importId, ...identity } = manifestIdentity(kind, doc);
  // Built in this order (identity, parent, import, spec, secrets), as every loader wrote it.
  return {
    ...identity,
    ...(resource.parent !== undefined ? { parent: resource.parent } : {}),
    ...(importId !== undefined ? { importId } : {}),
    spec: resource.spec,
    sensitive: doc.sensitive,
    ...(resource.env ? { env: envNamesByField(doc) } : {}),
    // The spread leaves `parent` out exactly when P is undefined, which TypeScript cannot follow.
  } as SpecResource<K, S> & { readonly parent: P };
}

/** A spec field as the file writes it (before `${...}` is interpolated), if the document has a spec. */
export function writtenSpecValue(raw: RawDoc, field: string): unknown {
  const spec = isRecord(raw.doc.value) ? raw.doc.value.spec : undefined;
  return isRecord(spec) ? spec[field] : undefined;
}
