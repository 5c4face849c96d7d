import type { FieldChange } from '../../generated/schema-types.ts';
import { compareFields } from '../shared/plan-child.ts';
import { secretFingerprint, stripDescriptionMarker } from '../shared/description-marker.ts';
import { secretChange } from '../shared/env-names.ts';
import { isCredential, maskUrlCredentials } from '../../util/credentials.ts';
import { ML_FIELDS, type LiveMlBackend, type MlBackendResource, type MlField } from './types.ts';

export function normaliseMlField(field: string, value: unknown): unknown {
  if (field === 'description') return stripDescriptionMarker(value);
  if (field === 'extra_params') return value ?? {};
  if (field === 'title' || field === 'basic_auth_user') return value ?? '';
  return value ?? null;
}

export function liveMlValue(live: LiveMlBackend, field: MlField): unknown {
  return live.raw[field];
}

/**
 * Field changes for the fields the manifest sets. The password cannot be read back: it changes
 * when its fingerprint (kept in the marker line) is not the desired one's, and then only says so.
 */
export function compareMlBackend(desired: MlBackendResource, live: LiveMlBackend | undefined): FieldChange[] {
  const changes = compareFields(
    ML_FIELDS,
    desired,
    live && ((f) => liveMlValue(live, f)),
    (f, v) => normaliseMlField(f, v),
    showLiveMlValue,
  );
  const pass = desired.spec.basic_auth_pass;
  // Salted with the live marker's own namespace: without a marker the password is sent again.
  if (
    pass !== undefined &&
    (!live?.marker || live.secretFingerprint !== secretFingerprint(live.marker.namespace, desired.name, [pass]))
  ) {
    changes.push(secretChange('basic_auth_pass', desired.env));
  }
  return changes;
}

/**
 * A live value as a plan may show it: the description without the marker line, the URL's
 * credentials (user info, a token parameter) and credential values of extra_params masked.
 * Masked in the plan's data, so every renderer and a saved plan show the same.
 */
export function showLiveMlValue(field: string, value: unknown): unknown {
  if (field === 'description') return stripDescriptionMarker(value);
  if (field === 'url' && typeof value === 'string') return maskUrlCredentials(value);
  if (field === 'extra_params' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && isCredential(k, v) ? '(sensitive)' : v]),
    );
  }
  return value;
}
