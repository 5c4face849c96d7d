import type { FieldChange } from '../../generated/schema-types.ts';
import { maskUrlCredentials, maskUrlsInText } from '../../util/credentials.ts';
import { compareFields } from '../shared/plan-child.ts';
import { secretFingerprint, stripDescriptionMarker } from '../shared/description-marker.ts';
import { secretChange } from '../shared/env-names.ts';
import { STORAGE_TYPES, storageFields, type Direction, type LiveStorage, type StorageResource } from './types.ts';

export function normaliseStorageField(field: string, value: unknown): unknown {
  if (field === 'description') return stripDescriptionMarker(value);
  if (field === 'title') return value ?? '';
  if (field === 'port' && typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return value ?? null;
}

/** The declared secret values, in a fixed order, for the fingerprint. */
export function declaredSecrets(d: StorageResource): string[] {
  return STORAGE_TYPES[d.spec.type].secrets.map((s) => (d.spec[s] === undefined ? '' : String(d.spec[s])));
}

/**
 * Field changes for the fields the manifest sets. Secrets cannot be read back: when the
 * fingerprint of the declared ones (kept in the marker line) is not the live one, every declared
 * secret is sent again, and each is listed as a sensitive change.
 */
export function compareStorage(
  direction: Direction,
  desired: StorageResource,
  live: LiveStorage | undefined,
): FieldChange[] {
  const changes = compareFields(
    storageFields(direction, desired.spec.type),
    desired,
    live && ((f) => live.raw[f]),
    normaliseStorageField,
    // A live URL's credentials (user info, a token parameter: an s3_endpoint made in the UI) are never shown.
    // A field that is a URL is masked as one, whatever its user info holds (a `"` ends a link in text); then any link in it.
    (f, v) => {
      const shown = f === 'description' ? stripDescriptionMarker(v) : v;
      if (typeof shown !== 'string') return shown;
      return maskUrlsInText(f === 'description' ? shown : maskUrlCredentials(shown));
    },
  );
  const secrets = STORAGE_TYPES[desired.spec.type].secrets.filter((s) => desired.spec[s] !== undefined);
  if (
    secrets.length &&
    (!live?.marker ||
      live.secretFingerprint !== secretFingerprint(live.marker.namespace, desired.name, declaredSecrets(desired)))
  ) {
    for (const s of secrets) changes.push(secretChange(s, desired.env));
  }
  return changes;
}
