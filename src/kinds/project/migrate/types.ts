/**
 * Declared label migrations (`spec.migrations` of a Project): the shapes shared by the pure half
 * (checks, mapping, census) and the server I/O half (reading and writing annotations, drafts,
 * predictions, the journal).
 */

/** Where a value sits in its manifest, for messages naming `file:line:col`. */
export interface MigrationPosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** JSON pointer in the manifest document, e.g. `/spec/migrations/0/renamed/from`. */
  readonly pointer: string;
}

/**
 * One declared migration on one control. Exactly one of `renamed` / `merged` is set. Label values are
 * the stored ones: a label's `alias` when it has one, else its `value` (what results hold).
 */
export interface LabelMigration {
  /** Unique in the project; recorded in the project's marker once done. */
  readonly id: string;
  /** The control's `name` in the label config. */
  readonly control: string;
  readonly renamed?: { readonly from: string; readonly to: string };
  readonly merged?: { readonly from: readonly string[]; readonly into: string };
  /** `rewrite` (default): predictions are mapped too; `keep`: predictions are left as they are. */
  readonly predictions: 'rewrite' | 'keep';
}

/** A migration as loaded from a manifest, with where it was written. */
export interface DeclaredMigration extends LabelMigration {
  /** Position of the list entry itself (`/spec/migrations/N`). */
  readonly at: MigrationPosition;
}

/** The stored values a migration removes, in declaration order (`renamed.from`, or `merged.from`). */
export function migrationSources(m: LabelMigration): readonly string[] {
  return m.renamed ? [m.renamed.from] : (m.merged?.from ?? []);
}

/** The stored value a migration writes (`renamed.to` or `merged.into`). */
export function migrationTarget(m: LabelMigration): string {
  return m.renamed ? m.renamed.to : (m.merged?.into ?? '');
}

/** What a migration rewrites: planned (`MigrationCounts`) or written by one run of the runner. */
export interface MigrationTally {
  /** Regions whose labels the mapping rewrites (annotations, drafts, and predictions when rewritten). */
  readonly regions: number;
  /** Annotations with at least one rewritten region. */
  readonly annotations: number;
  /** Tasks holding at least one rewritten annotation, draft or prediction. */
  readonly tasks: number;
  readonly drafts: number;
  /** Predictions rewritten, by `model_version` (`''` when the prediction has none). Empty with `predictions: keep`. */
  readonly predictions: Readonly<Record<string, number>>;
  /** Annotations left alone because a draft is attached (an annotation PATCH deletes its draft). */
  readonly skipped: number;
}

/** What a migration touches on a server, for the plan (JSON, Markdown, PR comment). */
export interface MigrationCounts extends MigrationTally {
  readonly id: string;
  readonly control: string;
  /** Other controls that hold the same label names and stay untouched: control name → regions. */
  readonly untouched: Readonly<Record<string, number>>;
}
