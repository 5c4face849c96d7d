import { createHash } from 'node:crypto';
import type { ProjectResource } from './types.ts';
import type { ChangeOrigin } from '../kind.ts';
import type { LiveProject } from './live.ts';
import { canonicalJson } from '../../util/fingerprint.ts';
import { liveValue } from './compare.ts';
import { isProjectField, type ProjectField } from './fields.ts';
import { typedKeys } from '../../util/narrow.ts';
import { parseAppliedRecord, SECRET_HASH, type AppliedRecord } from './marker.ts';
import { normaliseProjectField } from './normalise.ts';

/** Where an apply ran from, for the marker: a person in the UI can find the commit. */
export interface AppliedFrom {
  readonly commit?: string;
  readonly repository?: string;
}

/**
 * The record an apply writes into the marker: every field the manifest manages, hashed in the
 * form the server stores it (the normalised desired value, so a value the server rewrites —
 * trimmed text, sanitised HTML, a UTC time — hashes as it will be read back). Secrets are
 * listed but never hashed. `children`: the kinds of children to record (see
 * `AppliedRecord.children`); absent: none recorded (every kind is read for the project).
 */
export function recordApplied(
  desired: ProjectResource,
  from: AppliedFrom = {},
  doneMigrations: readonly string[] = [],
  children?: readonly string[],
): AppliedRecord {
  const fields: Partial<Record<ProjectField, string>> = {};
  for (const field of typedKeys(desired.spec)) {
    const value = desired.spec[field];
    if (value === undefined) continue;
    fields[field] = desired.sensitive.has(field)
      ? SECRET_HASH
      : hashFieldValue(normaliseProjectField(field, value, 'desired'));
  }
  return {
    ...(from.commit ? { commit: from.commit } : {}),
    ...(from.repository ? { repository: from.repository } : {}),
    fields,
    ...(doneMigrations.length ? { migrations: [...new Set(doneMigrations.map(migrationHash))].sort() } : {}),
    ...(children ? { children } : {}),
  };
}

/** How the marker records a done migration: 4 characters of the hash of its id. */
export function migrationHash(id: string): string {
  return hashFieldValue(`migration:${id}`);
}

/** The ids of the declared migrations the marker records as done on this project. */
export function doneMigrations(desired: ProjectResource, record: AppliedRecord | undefined): string[] {
  const done = new Set(record?.migrations ?? []);
  return (desired.migrations ?? []).filter((m) => done.has(migrationHash(m.id))).map((m) => m.id);
}

/** 24 bits of SHA-256 of the canonical JSON, in 4 base64url characters. */
export function hashFieldValue(normalised: unknown): string {
  return createHash('sha256').update(canonicalJson(normalised)).digest('base64url').slice(0, 4);
}

export type { ChangeOrigin };

export function attributeChange(
  field: string,
  desired: ProjectResource,
  live: LiveProject,
  record: AppliedRecord | undefined = parseAppliedRecord(live.description),
): ChangeOrigin {
  if (!record) return 'unknown';
  // A field a project does not have was never applied, as one the manifest did not manage then.
  const applied = isProjectField(field) ? record.fields[field] : undefined;
  if (applied === SECRET_HASH || desired.sensitive.has(field)) return 'unknown';
  if (applied === undefined || !isProjectField(field)) return 'git';
  const gitMoved = hashFieldValue(normaliseProjectField(field, desired.spec[field], 'desired')) !== applied;
  const serverMoved = hashFieldValue(normaliseProjectField(field, liveValue(live, field), 'live')) !== applied;
  if (gitMoved && serverMoved) return 'both';
  if (gitMoved) return 'git';
  if (serverMoved) return 'server';
  return 'unknown'; // the values differ but both hash as applied: 24 bits collided
}
