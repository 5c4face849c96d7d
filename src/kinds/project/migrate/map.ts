import type { LabelConfigSummary } from '../../../labelconfig/summarize.ts';
import { LABELED_CONTROL_TAGS } from '../../../labelconfig/tags.ts';
import type { LabelMigration } from './types.ts';

/** Control name → its tag (`Labels`, `RectangleLabels`, `Choices`, `Taxonomy` …), from a config summary. */
export type ControlTypes = Readonly<Record<string, string>>;

/** The control types of a label config, for `migrateResult`. */
export function controlTypesOf(summary: LabelConfigSummary): ControlTypes {
  return Object.fromEntries(summary.controls.map((c) => [c.name, c.type]));
}

/** The migrations that apply to one kind of stored result: predictions only with `predictions: rewrite`. */
export function migrationsFor(
  kind: 'annotation' | 'draft' | 'prediction',
  migrations: readonly LabelMigration[],
): LabelMigration[] {
  return migrations.filter((m) => kind !== 'prediction' || m.predictions === 'rewrite');
}

/**
 * One result (the `result` list of an annotation, a draft or a prediction) with the migrations
 * applied; pure. Undefined when nothing changes.
 *
 * Only regions whose `from_name` is a migration's control are looked at, and in them only the
 * label lists of `value` (Label Studio §13 of the reference: `value.labels`, `value.choices`,
 * `value.<tool>labels` such as `rectanglelabels`, `polygonlabels`, `timelinelabels` …, and
 * `value.taxonomy`): a string equal to a source becomes its target. A region that ends up holding
 * a target twice keeps its first occurrence (a merge of `City` and `Country` in one region leaves
 * one `Location`). Taxonomy values are paths (`[["Europe", "France"], ...]`): every element of a
 * path equal to a source is renamed, at any depth, since a taxonomy's option is identified by its
 * stored value wherever it sits (the checks require the source gone from the whole new tree);
 * identical paths after the rename are kept once.
 *
 * Every other region is returned as the same object, and a rewritten region keeps its keys in
 * their order (so `JSON.stringify` of anything not rewritten is unchanged). Values that are not
 * strings, lists that are not arrays, regions without `from_name` (relations) and results that
 * are not arrays of objects are left alone. Mapping twice gives what mapping once gave: a target
 * is never a source of the same control (the checks refuse chains; a chain here is a bug and
 * throws). Migrations on a control whose type is known and stores no labels are ignored.
 */
export function migrateResult(
  result: readonly unknown[],
  migrations: readonly LabelMigration[],
  controlTypes: ControlTypes,
): { result: unknown[]; regions: number } | undefined {
  const byControl = mappingsByControl(migrations, controlTypes);
  if (byControl.size === 0 || !Array.isArray(result)) return undefined;
  let regions = 0;
  const out = result.map((region) => {
    if (!isPlainObject(region) || typeof region.from_name !== 'string') return region;
    const mapping = byControl.get(region.from_name);
    if (!mapping || !isPlainObject(region.value)) return region;
    const value = mapValue(region.value, mapping);
    if (!value) return region;
    regions++;
    return { ...region, value };
  });
  return regions === 0 ? undefined : { result: out, regions };
}

/**
 * Per label of one control: how many regions hold it (a region counts once per label, however
 * often it holds it; Taxonomy: any element of any path). With `regionCount` it proves a migration:
 * after it, no source is left and the control has as many regions as before.
 */
export function census(results: Iterable<readonly unknown[]>, control: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const region of regionsOf(results, control)) {
    for (const label of labelsOfValue(region.value)) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

/** How many regions the results hold for one control. */
export function regionCount(results: Iterable<readonly unknown[]>, control: string): number {
  let n = 0;
  for (const _ of regionsOf(results, control)) n++;
  return n;
}

// ---- helpers ----

type Mapping = ReadonlyMap<string, string>;

function mappingsByControl(migrations: readonly LabelMigration[], controlTypes: ControlTypes): Map<string, Mapping> {
  const out = new Map<string, Map<string, string>>();
  for (const m of migrations) {
    const type = controlTypes[m.control];
    if (type !== undefined && !LABELED_CONTROL_TAGS.has(type)) continue;
    const mapping = out.get(m.control) ?? new Map<string, string>();
    out.set(m.control, mapping);
    const target = m.renamed ? m.renamed.to : m.merged?.into;
    const sources = m.renamed ? [m.renamed.from] : (m.merged?.from ?? []);
    if (target === undefined) continue;
    for (const s of sources) if (s !== target) mapping.set(s, target);
  }
  for (const [control, mapping] of out) {
    if (mapping.size === 0) out.delete(control);
    for (const target of mapping.values())
      if (mapping.has(target))
        throw new Error(`migrations of control "${control}" chain through "${target}" (validate refuses this)`);
  }
  return out;
}

/** A region's `value` with its label lists mapped, or undefined when none of them holds a source. */
function mapValue(value: Record<string, unknown>, mapping: Mapping): Record<string, unknown> | undefined {
  let changed = false;
  const entries = Object.entries(value).map(([key, v]): [string, unknown] => {
    if (!isLabelKey(key) || !Array.isArray(v)) return [key, v];
    const mapped = key === 'taxonomy' ? mapPaths(v, mapping) : mapList(v, mapping);
    if (!mapped) return [key, v];
    changed = true;
    return [key, mapped];
  });
  return changed ? Object.fromEntries(entries) : undefined;
}

/**
 * A flat label list mapped; undefined when it holds no source. A target written here is kept at its
 * first occurrence only (also against a copy the list already held).
 */
function mapList(list: readonly unknown[], mapping: Mapping): unknown[] | undefined {
  const written = new Set(list.flatMap((l) => (typeof l === 'string' && mapping.has(l) ? [mapping.get(l)] : [])));
  if (written.size === 0) return undefined;
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const item of list) {
    const next = typeof item === 'string' ? (mapping.get(item) ?? item) : item;
    if (written.has(next as string)) {
      if (seen.has(next)) continue;
      seen.add(next);
    }
    out.push(next);
  }
  return out;
}

/**
 * Taxonomy paths mapped element by element; undefined when no path holds a source. A path holding a
 * target written here is kept at its first occurrence only.
 */
function mapPaths(paths: readonly unknown[], mapping: Mapping): unknown[] | undefined {
  const written = new Set<string>();
  const mapped = paths.map((path) => {
    if (!Array.isArray(path) || !path.some((l) => typeof l === 'string' && mapping.has(l))) return path;
    return path.map((l: unknown) => {
      const target = typeof l === 'string' ? mapping.get(l) : undefined;
      if (target === undefined) return l;
      written.add(target);
      return target;
    });
  });
  if (written.size === 0) return undefined;
  const seen = new Set<string>();
  return mapped.filter((path) => {
    if (!Array.isArray(path) || !path.some((l) => typeof l === 'string' && written.has(l))) return true;
    const key = JSON.stringify(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `labels`, `choices`, `taxonomy`, and every `<tool>labels` list (`rectanglelabels`, `timelinelabels` …). */
function isLabelKey(key: string): boolean {
  return key === 'choices' || key === 'taxonomy' || key.endsWith('labels');
}

function* regionsOf(
  results: Iterable<readonly unknown[]>,
  control: string,
): Generator<{ value: Record<string, unknown> }> {
  for (const result of results) {
    if (!Array.isArray(result)) continue;
    for (const region of result as unknown[]) {
      if (isPlainObject(region) && region.from_name === control)
        yield { value: isPlainObject(region.value) ? region.value : {} };
    }
  }
}

/** The distinct label values of one region's `value`. */
function labelsOfValue(value: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const [key, v] of Object.entries(value)) {
    if (!isLabelKey(key) || !Array.isArray(v)) continue;
    for (const item of v as unknown[]) {
      if (typeof item === 'string') out.add(item);
      else if (key === 'taxonomy' && Array.isArray(item))
        for (const l of item as unknown[]) if (typeof l === 'string') out.add(l);
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
