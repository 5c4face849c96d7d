import { typedKeys } from '../../util/narrow.ts';
import { pythonStripEnd } from '../../util/python-strip.ts';
import type { ProjectField } from './fields.ts';

/**
 * The ownership marker: one footer line in a project's `description`, which the server
 * round-trips and which tells a person in the UI that the project is managed from git. Since
 * labelform records what it applied, the line goes on with where it was applied from and a
 * fingerprint of the values it applied:
 *
 *   [labelform] Managed from git (namespace: acme-labeling, key: ner-news). Change it there; edits made here are reverted. Last applied from commit 3f9a2c1d0b7e of acme/labeling. [lf1 ti:Ab3x lc:P0aa co:x1y2] [ch ml]
 *
 * `[ch ml]` records the kinds of children read one project at a time that labelform applied to
 * the project (here ML backends), so that a plan knows from the project list alone which
 * projects to read them for.
 *
 * A line without the record (written before, or by `labelform import`) still parses; so does a
 * line with a record written by a later version (what follows the identity is read leniently).
 */
export interface Marker {
  readonly namespace: string;
  readonly key: string;
}

/**
 * What the last apply wrote, as the marker records it. With it, drift tells "changed on the
 * server since it was last applied" from "changed in git, not yet applied" without a state file.
 */
export interface AppliedRecord {
  /** The commit applied from: 12 hex digits, `-dirty` when the working tree had changes. */
  readonly commit?: string;
  /** The repository (`owner/name`), when CI names it. */
  readonly repository?: string;
  /**
   * Every field the manifest managed when it was applied: a 4-character hash of its normalised
   * value as applied (24 bits: enough to tell a change, far too little to recover a value), or
   * `SECRET_HASH` for a secret, whose value is never hashed.
   */
  readonly fields: Readonly<Partial<Record<ProjectField, string>>>;
  /**
   * The declared label migrations (`spec.migrations`) done on this project, each as a
   * 4-character hash of its id: a done migration can stay in git (or be removed) and is not
   * planned again.
   */
  readonly migrations?: readonly string[];
  /**
   * The kinds of children read one project at a time (ML backends, storages) that labelform
   * applied to this project and may still carry its marker there, by their codes (`ml`): a plan
   * reads a project's children of a kind only when it records that kind (or git declares some
   * under it). Absent: a marker older than this record, which says nothing (every kind is read).
   */
  readonly children?: readonly string[];
}

/** Stands in for the hash of a field whose value is a secret (it is not hashed at all). */
export const SECRET_HASH = '*';

/** The version of the fingerprint: a record of another version is not read (its hashes mean something else). */
const RECORD_TAG = 'lf1';

/**
 * Two letters per field keep the line short (all 28 fields: about 230 characters). Never reuse
 * or change a code: markers on servers hold them.
 */
const FIELD_CODES: Readonly<Record<ProjectField, string>> = {
  title: 'ti',
  description: 'de',
  label_config: 'lc',
  expert_instruction: 'ei',
  show_instruction: 'si',
  show_skip_button: 'sk',
  enable_empty_annotation: 'ee',
  show_annotation_history: 'ah',
  color: 'co',
  maximum_annotations: 'ma',
  is_published: 'pu',
  is_draft: 'dr',
  model_version: 'mv',
  min_annotations_to_start_training: 'mt',
  start_training_on_annotation_update: 'st',
  show_collab_predictions: 'cp',
  sampling: 'sa',
  show_ground_truth_first: 'gt',
  annotator_evaluation_enabled: 'ae',
  show_overlap_first: 'of',
  overlap_cohort_percentage: 'oc',
  task_data_login: 'tl',
  task_data_password: 'tp',
  control_weights: 'cw',
  evaluate_predictions_automatically: 'ep',
  skip_queue: 'sq',
  reveal_preannotations_interactively: 'rp',
  pinned_at: 'pa',
};
const FIELDS_BY_CODE = new Map(typedKeys(FIELD_CODES).map((field) => [FIELD_CODES[field], field]));

const MARKER_LINE =
  /^\[labelform\] Managed from git \(namespace: ([a-z0-9][a-z0-9-]*), key: ([a-z0-9][a-z0-9-]*)\)\.([^\n]*)$/gm;
const APPLIED_FROM =
  / Last applied from commit ([0-9a-f]{7,40}(?:-dirty)?)(?: of ([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+))?\./;
const FINGERPRINT = new RegExp(`\\[${RECORD_TAG}((?: [a-z]{2}:(?:[A-Za-z0-9_-]{4}|\\*))*)\\]`);
/** Done migrations, a bracket of its own after the fingerprint (a reader that predates it ignores it). */
const MIGRATIONS = /\[mg((?: [A-Za-z0-9_-]{4})+)\]/;
/** The recorded kinds of children, a bracket of its own (`[ch]` when none; a reader that predates it ignores it). */
const CHILDREN = /\[ch((?: [a-z]{2})*)\]/;

/** The last marker line: labelform always appends it, so text above it is a person's. */
function lastMarker(text: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(MARKER_LINE)) last = m;
  return last;
}

/** True when text contains a line that reads as an ownership marker. */
export function containsMarker(text: string): boolean {
  return lastMarker(text) !== undefined;
}

/** The marker line; with a record, where it was applied from and the fingerprint of what was applied. */
export function formatMarker(m: Marker, record?: AppliedRecord): string {
  const line = `[labelform] Managed from git (namespace: ${m.namespace}, key: ${m.key}). Change it there; edits made here are reverted.`;
  return record ? `${line}${formatRecord(record)}` : line;
}

export function parseMarker(description: string | null | undefined): Marker | undefined {
  const m = lastMarker(description ?? '');
  // The marker pattern's first two groups are not optional: a match has both.
  return m ? { namespace: m[1]!, key: m[2]! } : undefined;
}

/**
 * What the marker records about the last apply; undefined when it records nothing (a marker
 * written before labelform kept a record, or by `labelform import`, which applies no fields).
 */
export function parseAppliedRecord(description: string | null | undefined): AppliedRecord | undefined {
  const m = lastMarker(description ?? '');
  const rest = m?.[3] ?? '';
  const fp = FINGERPRINT.exec(rest);
  if (!fp) return undefined;
  const fields: Partial<Record<ProjectField, string>> = {};
  // FINGERPRINT's group is not optional.
  for (const pair of fp[1]!.trim().split(' ').filter(Boolean)) {
    const field = FIELDS_BY_CODE.get(pair.slice(0, 2));
    if (field) fields[field] = pair.slice(3);
  }
  const from = APPLIED_FROM.exec(rest);
  const done = MIGRATIONS.exec(rest)?.[1]?.trim().split(' ');
  const children = parseChildren(rest);
  // APPLIED_FROM's first group is not optional.
  return {
    ...(from ? { commit: from[1]! } : {}),
    ...(from?.[2] ? { repository: from[2] } : {}),
    fields,
    ...(done ? { migrations: done } : {}),
    ...(children ? { children } : {}),
  };
}

/**
 * The kinds of children the marker records (see `AppliedRecord.children`); undefined when it
 * records none at all (an older marker, or one written by `labelform import`): any may be there.
 */
export function parseChildKinds(description: string | null | undefined): string[] | undefined {
  const m = lastMarker(description ?? '');
  return m ? parseChildren(m[3] ?? '') : undefined;
}

function parseChildren(rest: string): string[] | undefined {
  const m = CHILDREN.exec(rest);
  return m ? (m[1] ?? '').trim().split(' ').filter(Boolean) : undefined;
}

/**
 * The description with its marker's record of children listing `codes` too; undefined when
 * there is nothing to write: no marker, a marker that records no children at all (every kind is
 * read for it anyway), or one that lists every code already.
 */
export function withChildKinds(description: string, codes: readonly string[]): string | undefined {
  const m = lastMarker(description);
  if (!m) return undefined;
  const line = m[0];
  const had = parseChildren(m[3] ?? '');
  if (!had || codes.every((c) => had.includes(c))) return undefined;
  const next = line.replace(CHILDREN, formatChildren([...had, ...codes]));
  return description.slice(0, m.index) + next + description.slice(m.index + line.length);
}

function formatChildren(codes: readonly string[]): string {
  const valid = [...new Set(codes.filter((c) => /^[a-z]{2}$/.test(c)))].sort();
  return `[ch${valid.map((c) => ` ${c}`).join('')}]`;
}

/** The description without the marker line and the blank line before it: what a person wrote. */
export function stripMarker(description: string | null | undefined): string {
  const text = description ?? '';
  const m = lastMarker(text);
  if (!m) return text;
  // Python's whitespace, as the server's strip: JavaScript's \s would also eat a trailing U+FEFF.
  return pythonStripEnd(text.slice(0, m.index) + text.slice(m.index + m[0].length));
}

/** A description carrying the marker (and, from apply, the record) after the person-written part. */
export function withMarker(userPart: string, m: Marker, record?: AppliedRecord): string {
  const body = pythonStripEnd(userPart);
  const line = formatMarker(m, record);
  return body ? `${body}\n\n${line}` : line;
}

function formatRecord(r: AppliedRecord): string {
  const commit = r.commit && /^[0-9a-f]{7,40}(-dirty)?$/.test(r.commit) ? r.commit : undefined;
  const repository =
    r.repository && /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(r.repository) ? r.repository : undefined;
  const from = commit ? ` Last applied from commit ${commit}${repository ? ` of ${repository}` : ''}.` : '';
  const pairs = typedKeys(FIELD_CODES)
    .filter((f) => r.fields[f] !== undefined)
    .map((f) => ` ${FIELD_CODES[f]}:${r.fields[f]}`);
  const done = (r.migrations ?? []).filter((h) => /^[A-Za-z0-9_-]{4}$/.test(h));
  const children = r.children ? ` ${formatChildren(r.children)}` : '';
  return `${from} [${RECORD_TAG}${pairs.join('')}]${done.length ? ` [mg ${done.join(' ')}]` : ''}${children}`;
}
