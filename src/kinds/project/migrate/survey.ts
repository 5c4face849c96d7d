import type { LabelStudioClient } from '../../../api/client.ts';
import type { MigrationPlan } from '../../../generated/schema-types.ts';
import { ofTasks } from './io-run.ts';
import { census, migrateResult, regionCount, type ControlTypes } from './map.ts';
import { migrationSources, migrationTarget, type LabelMigration } from './types.ts';

/** Every stored result of a project that a migration may rewrite, read once. */
export interface MigrationData {
  readonly annotations: ReadonlyArray<{ readonly id: number; readonly task: number; readonly result: unknown[] }>;
  readonly drafts: ReadonlyArray<{
    readonly id: number;
    readonly task: number;
    readonly annotation: number | null;
    readonly result: unknown[];
  }>;
  /** Empty when no migration rewrites predictions (they are then not read). */
  readonly predictions: ReadonlyArray<{
    readonly id: number;
    readonly task: number;
    readonly modelVersion: string;
    readonly result: unknown[];
  }>;
}

/**
 * Reads a project's annotations and every user's drafts (the JSON export with all tasks: the
 * task list holds only the caller's drafts) and, when asked, its predictions.
 */
export async function readMigrationData(
  client: LabelStudioClient,
  projectId: number,
  withPredictions: boolean,
): Promise<MigrationData> {
  const [tasks, predictions] = await Promise.all([
    client.exportAnnotationsAndDrafts(projectId),
    withPredictions ? client.listPredictions(projectId) : Promise.resolve([]),
  ]);
  return {
    annotations: tasks.flatMap((t) => t.annotations.map((a) => ({ id: a.id, task: t.id, result: listOf(a.result) }))),
    drafts: tasks.flatMap((t) =>
      t.drafts.map((d) => ({ id: d.id, task: t.id, annotation: d.annotation ?? null, result: listOf(d.result) })),
    ),
    predictions: ofTasks(predictions, tasks).map((p) => ({
      id: p.id,
      task: p.task,
      modelVersion: p.model_version ?? '',
      result: listOf(p.result),
    })),
  };
}

/**
 * What one migration rewrites in the data (the plan's counts), by the same pure mapping apply
 * uses. An annotation with a draft attached is counted as skipped unless `deleteDrafts` (Label
 * Studio deletes that draft when the annotation is written). A draft is counted as rewritten
 * unless `deleteDrafts` and the annotation it is attached to is rewritten: then the server deletes
 * it with that write (apply reads it again after, and rewrites it should it still be there).
 */
export function countMigration(
  data: MigrationData,
  m: LabelMigration,
  controlTypes: ControlTypes,
  deleteDrafts: boolean,
): MigrationPlan {
  const withDraft = new Set(data.drafts.flatMap((d) => (d.annotation === null ? [] : [d.annotation])));
  const tasks = new Set<number>();
  let regions = 0;
  let annotations = 0;
  let skipped = 0;
  const rewritten = new Set<number>();
  for (const a of data.annotations) {
    const mapped = migrateResult(a.result, [m], controlTypes);
    if (!mapped) continue;
    if (withDraft.has(a.id) && !deleteDrafts) {
      skipped++;
      continue;
    }
    rewritten.add(a.id);
    annotations++;
    regions += mapped.regions;
    tasks.add(a.task);
  }
  let drafts = 0;
  for (const d of data.drafts) {
    const mapped = migrateResult(d.result, [m], controlTypes);
    // A draft attached to a rewritten annotation (only with --delete-drafts) is deleted, not rewritten.
    if (!mapped || (d.annotation !== null && rewritten.has(d.annotation))) continue;
    drafts++;
    regions += mapped.regions;
    tasks.add(d.task);
  }
  const predictions: Record<string, number> = {};
  if (m.predictions === 'rewrite')
    for (const p of data.predictions) {
      const mapped = migrateResult(p.result, [m], controlTypes);
      if (!mapped) continue;
      predictions[p.modelVersion] = (predictions[p.modelVersion] ?? 0) + 1;
      regions += mapped.regions;
      tasks.add(p.task);
    }
  // Other controls that hold one of the source names: left as they are, said so in the plan.
  const sources = new Set(migrationSources(m));
  const untouched: Record<string, number> = {};
  const results = [...data.annotations, ...data.drafts, ...data.predictions].map((x) => x.result);
  for (const control of controlsIn(results)) {
    if (control === m.control) continue;
    let n = 0;
    for (const [label, count] of census(results, control)) if (sources.has(label)) n += count;
    if (n > 0) untouched[control] = n;
  }
  return {
    id: m.id,
    control: m.control,
    from: [...migrationSources(m)],
    to: migrationTarget(m),
    regions,
    annotations,
    tasks: tasks.size,
    drafts,
    predictions,
    skipped,
    untouched,
  };
}

/**
 * The proof after a migration: how many regions of the control, and how many still hold a source
 * label, over the annotations, the drafts and the predictions it rewrites. `deletedDrafts` (the
 * drafts the server deleted with their annotation's write, seen gone) are left out, so that before
 * and after the region counts are equal; after, no source is left.
 */
export function migrationCensus(
  data: MigrationData,
  m: LabelMigration,
  deletedDrafts: ReadonlySet<number> = new Set(),
): { readonly regions: number; readonly leftOld: number } {
  const results = [
    ...data.annotations,
    ...data.drafts.filter((d) => !deletedDrafts.has(d.id)),
    ...(m.predictions === 'rewrite' ? data.predictions : []),
  ].map((x) => x.result);
  const sources = new Set(migrationSources(m));
  let leftOld = 0;
  for (const [label, n] of census(results, m.control)) if (sources.has(label)) leftOld += n;
  return { regions: regionCount(results, m.control), leftOld };
}

function controlsIn(results: ReadonlyArray<readonly unknown[]>): Set<string> {
  const out = new Set<string>();
  for (const r of results)
    for (const region of r)
      if (region && typeof region === 'object' && 'from_name' in region && typeof region.from_name === 'string')
        out.add(region.from_name);
  return out;
}

function listOf(result: unknown): unknown[] {
  return Array.isArray(result) ? result : [];
}
