import equal from 'fast-deep-equal';
import type { FieldChange, PlanDiagnostic, ResourceChange } from '../../generated/schema-types.ts';
import { fingerprintValue } from '../../util/fingerprint.ts';
import type { DesiredResource, KindPlan, KindPlanContext, LiveResource, Match } from '../kind.ts';
import { secretChange } from './env-names.ts';

/** What every sub-resource kind's planner settles the same way before its own checks. */
export interface ChildStart<L extends LiveResource> {
  readonly parent: ResourceChange['parent'];
  /** The resource the manifest acts on: the one carrying the marker (lowest id of copies), or the one it adopts. */
  readonly target?: L;
  readonly adopting: boolean;
  /** The deletes of the copies carrying the marker beyond the one kept (they come first in the plan). */
  readonly copies: readonly ResourceChange[];
}

/** The manifest cannot be planned: the error, and still the deletes of its copies. */
export interface ChildRefused {
  readonly copies: readonly ResourceChange[];
  readonly error: PlanDiagnostic;
}

/**
 * The part of planning a sub-resource (webhook, tab, ML backend, storage) every kind shares:
 * copies carrying the marker are planned as deletes (these resources hold no data; the lowest id
 * stays, the one racing runs settle on), and `import: {id}` must name a resource nobody manages
 * under the manifest's parent. Either what the kind's planner goes on with, or the error that
 * stops it (`error` in the result).
 */
export function startChild<D extends DesiredResource, L extends LiveResource>(
  m: Match<D, L>,
  ctx: KindPlanContext<L, unknown>,
  noun: string,
): ChildStart<L> | ChildRefused {
  const d = m.desired;
  const parent = ctx.parentOf(d);
  const [keep, ...extra] = m.duplicates;
  const copies: ResourceChange[] = keep
    ? extra.map((c) => ({
        action: 'delete',
        kind: d.kind,
        key: d.name,
        ...(parent ? { parent } : {}),
        id: c.id,
        title: c.title,
        fields: [],
        duplicateOf: keep.id,
      }))
    : [];
  const err = (code: string, message: string): ChildRefused => ({
    copies,
    error: {
      severity: 'error',
      code,
      key: d.name,
      file: d.file,
      ...d.doc.locate('/import/id'),
      pointer: '/import/id',
      message,
    },
  });
  if (m.adopt?.marker) {
    return err(
      'import-marked',
      `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}`,
    );
  }
  if (m.adopt && (m.adopt.parentId ?? null) !== (parent?.id ?? null)) {
    const where = (id: number | undefined, key?: string) =>
      id === undefined && key === undefined
        ? 'the organization'
        : `project ${key ?? id}${key !== undefined && id !== undefined ? ` (id ${id})` : ''}`;
    return err(
      'import-parent',
      `import.id ${m.adopt.id} belongs to ${where(m.adopt.parentId)}, not to ${where(parent?.id, parent?.key)}; a ${noun} cannot move`,
    );
  }
  const target = m.live ?? keep ?? m.adopt;
  return { parent, ...(target ? { target } : {}), adopting: m.adopt !== undefined, copies };
}

/** A child kind's plan for a manifest it refuses: the copies' deletes, and the error. */
export function childRefused(r: ChildRefused): KindPlan {
  return { changes: r.copies, diagnostics: [r.error] };
}

/**
 * The change for a sub-resource that exists: adopt, update or no-op, with the fingerprint of the
 * live value of every managed field that is not a secret (for reference in a saved plan).
 */
export function existingChange<F extends string>(
  base: Omit<Extract<ResourceChange, { action: 'update' }>, 'action' | 'id' | 'fingerprint'>,
  target: LiveResource,
  adopting: boolean,
  managed: readonly F[],
  liveComparable: (field: F) => unknown,
): ResourceChange {
  const fingerprint = Object.fromEntries(managed.map((f) => [f, fingerprintValue(liveComparable(f))]));
  return { action: adopting ? 'adopt' : base.fields.length ? 'update' : 'no-op', ...base, id: target.id, fingerprint };
}

/**
 * Field changes for the fields a manifest sets, compared after one normalisation on both sides;
 * a field holding a value from `${env:...}` carries no values, only the variables it comes from.
 * `shown` turns a live value into what a plan may print (the marker left out, credentials masked).
 */
export function compareFields<F extends string>(
  fields: readonly F[],
  desired: {
    readonly spec: object;
    readonly sensitive: ReadonlySet<string>;
    readonly env?: Readonly<Record<string, readonly string[]>>;
  },
  liveValue: ((field: F) => unknown) | undefined,
  normalise: (field: F, value: unknown, side: 'desired' | 'live') => unknown,
  shown: (field: F, value: unknown) => unknown = (_f, v) => v,
): FieldChange[] {
  // Fields are read by name from the spec of the kind that names them; a name it lacks reads undefined.
  const spec = desired.spec as Readonly<Record<string, unknown>>;
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const after = spec[field];
    if (after === undefined) continue;
    const before = liveValue?.(field);
    if (liveValue && equal(normalise(field, after, 'desired'), normalise(field, before, 'live'))) continue;
    if (desired.sensitive.has(field)) changes.push(secretChange(field, desired.env));
    else changes.push(liveValue ? { field, before: shown(field, before) ?? null, after } : { field, after });
  }
  return changes;
}
