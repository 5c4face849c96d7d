import equal from 'fast-deep-equal';
import type { FieldChange } from '../../generated/schema-types.ts';
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
  const changes: FieldChange[] = [];
  for (const field of ML_FIELDS) {
    const after = desired.spec[field];
    if (after === undefined) continue;
    const sensitive = desired.sensitive.has(field);
    if (live) {
      const before = liveMlValue(live, field);
      if (equal(normaliseMlField(field, after), normaliseMlField(field, before))) continue;
      const shown = field === 'description' ? stripDescriptionMarker(before as string | null) : before;
      changes.push(sensitive ? secretChange(field, desired.env) : { field, before: (shown ?? null) as FieldChange['before'], after: after as FieldChange['after'] });
    } else {
      changes.push(sensitive ? secretChange(field, desired.env) : { field, after: after as FieldChange['after'] });
    }
  }
  const pass = desired.spec.basic_auth_pass;
  // Salted with the live marker's own namespace: without a marker the password is sent again.
  if (pass !== undefined && (!live?.marker || live.secretFingerprint !== secretFingerprint(live.marker.namespace, desired.name, [pass]))) {
    changes.push(secretChange('basic_auth_pass', desired.env));
  }
  return changes;
}
