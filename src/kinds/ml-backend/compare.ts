import type { FieldChange } from '../../generated/schema-types.ts';
import { compareFields } from '../shared/plan-child.ts';
import { secretFingerprint, stripDescriptionMarker } from '../shared/description-marker.ts';
import { secretChange } from '../shared/env-names.ts';
import { ML_FIELDS, type LiveMlBackend, type MlBackendResource, type MlField } from './types.ts';

export function normaliseMlField(field: MlField, value: unknown): unknown {
  if (field === 'description') return stripDescriptionMarker(value as string | null);
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
    live && ((f) => liveMlValue(live, f as MlField)),
    (f, v) => normaliseMlField(f as MlField, v),
    (f, v) => (f === 'description' ? stripDescriptionMarker(v as string | null) : v),
  );
  const pass = desired.spec.basic_auth_pass;
  // Salted with the live marker's own namespace: without a marker the password is sent again.
  if (pass !== undefined && (!live?.marker || live.secretFingerprint !== secretFingerprint(live.marker.namespace, desired.name, [pass]))) {
    changes.push(secretChange('basic_auth_pass', desired.env));
  }
  return changes;
}
