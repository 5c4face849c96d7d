import type { IdentifiedManifest, SpecResource } from '../shared/load-child.ts';
import type { LiveResource } from '../kind.ts';

export type Direction = 'import' | 'export';
export type StorageType = 's3' | 'gcs' | 'azure' | 'redis' | 'localfiles';

/** Per type: the fields that apply and the secrets (which the server never answers). */
export const STORAGE_TYPES: Readonly<
  Record<StorageType, { readonly fields: readonly string[]; readonly secrets: readonly string[] }>
> = {
  s3: {
    fields: ['bucket', 'prefix', 'region_name', 's3_endpoint', 'aws_sse_kms_key_id'],
    secrets: ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
  },
  gcs: { fields: ['bucket', 'prefix', 'google_project_id'], secrets: ['google_application_credentials'] },
  azure: { fields: ['container', 'prefix'], secrets: ['account_name', 'account_key'] },
  redis: { fields: ['host', 'port', 'db', 'path'], secrets: ['password'] },
  localfiles: { fields: ['path'], secrets: [] },
};

/** Fields every type has; the import-only and export-only ones per direction. */
export const COMMON_FIELDS = ['title', 'description', 'synchronizable', 'regex_filter', 'use_blob_urls'] as const;
export const DIRECTION_FIELDS: Readonly<Record<Direction, readonly string[]>> = {
  import: ['presign', 'presign_ttl', 'recursive_scan'],
  export: ['can_delete_objects'],
};
/** Import-only fields that a given type does not have. */
export const NOT_FOR_TYPE: Readonly<Partial<Record<StorageType, readonly string[]>>> = {
  redis: ['presign', 'presign_ttl', 'recursive_scan'],
  localfiles: ['presign', 'presign_ttl'],
};

/** The fields of a storage compared and written, for its direction and type (secrets apart). */
export function storageFields(direction: Direction, type: StorageType): string[] {
  const notFor = new Set(NOT_FOR_TYPE[type] ?? []);
  return [
    ...COMMON_FIELDS,
    ...STORAGE_TYPES[type].fields,
    ...DIRECTION_FIELDS[direction].filter((f) => !notFor.has(f)),
  ];
}

/**
 * An ImportStorage or ExportStorage manifest, as both schemas say it: its identity, the Project
 * and type of its spec, and the rest of its fields by name (which apply depends on the type).
 */
export interface StorageManifest extends IdentifiedManifest {
  readonly spec: StorageResource['spec'];
}

export interface StorageResource extends SpecResource<
  'ImportStorage' | 'ExportStorage',
  Readonly<Record<string, unknown>> & { readonly project: string; readonly type: StorageType }
> {
  readonly parent: string;
  /** `sync: {every}` of an import storage: `labelform watch` syncs it when its last sync is older. */
  readonly syncEveryMs?: number;
}

/** A storage as the server answers it (secrets popped). */
export interface LsStorage {
  readonly id: number;
  readonly type: StorageType;
  readonly project: number;
  readonly title?: string | null;
  readonly description?: string | null;
  readonly status?: string;
  readonly last_sync?: string | null;
  readonly last_sync_count?: number | null;
  readonly traceback?: string | null;
  readonly meta?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

export interface LiveStorage extends LiveResource {
  readonly raw: LsStorage;
  readonly secretFingerprint?: string;
}

/** `/api/storages/<type>/` for import (with the slash), `/api/storages/export/<type>` for export (without). */
export function listPath(direction: Direction, type: StorageType): string {
  return direction === 'import' ? `/api/storages/${type}/` : `/api/storages/export/${type}`;
}

export function itemPath(direction: Direction, type: StorageType, id: number): string {
  return direction === 'import' ? `/api/storages/${type}/${id}` : `/api/storages/export/${type}/${id}`;
}
