import equal from 'fast-deep-equal';
import type { FieldChange } from '../../generated/schema-types.ts';
import type { ProjectResource } from './types.ts';
import type { LiveProject } from './live.ts';
import { fingerprintValue } from '../../util/fingerprint.ts';
import { maskUrlsInText } from '../../util/credentials.ts';
import { typedKeys } from '../../util/narrow.ts';
import type { ProjectField } from './fields.ts';
import { stripMarker } from './marker.ts';
import { normaliseProjectField } from './normalise.ts';

/** The live value of a field as the manifest sees it (the description without the marker). */
export function liveValue(live: LiveProject, field: ProjectField): unknown {
  return field === 'description' ? stripMarker(live.description) : live.fields[field];
}

/**
 * Field changes between a manifest and a live project: only the fields the manifest sets
 * (omitted means unmanaged), each compared after normalisation, as the server's `release` would
 * store them. Secrets carry no values; a live value's URL credentials are masked.
 */
export function compareProject(
  desired: ProjectResource,
  live: LiveProject | undefined,
  release?: string,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of typedKeys(desired.spec)) {
    const after = desired.spec[field];
    if (after === undefined) continue;
    const sensitive = desired.sensitive.has(field);
    if (live) {
      const before = liveValue(live, field);
      if (
        equal(
          normaliseProjectField(field, after, 'desired', release),
          normaliseProjectField(field, before, 'live', release),
        )
      )
        continue;
      // A live URL's credentials (user info, a token parameter: a description or label config made in the UI) are never shown.
      changes.push(
        sensitive
          ? { field, sensitive: true }
          : { field, before: typeof before === 'string' ? maskUrlsInText(before) : (before ?? null), after },
      );
    } else {
      changes.push(sensitive ? { field, sensitive: true } : { field, after });
    }
  }
  return changes;
}

/** Per managed field, a hash of the normalised live value (secrets excluded), for stale-plan checks. */
export function fingerprintProject(desired: ProjectResource, live: LiveProject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of typedKeys(desired.spec)) {
    if (desired.sensitive.has(field)) continue;
    out[field] = fingerprintValue(normaliseProjectField(field, liveValue(live, field), 'live'));
  }
  out.marker = fingerprintValue(live.marker ?? null);
  return out;
}
