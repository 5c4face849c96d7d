import {
  resourcesOf,
  type DesiredResource,
  type KindDefinition,
  type LiveResource,
  type ResourceKind,
} from './kind.ts';
import { compareFields } from './shared/plan-child.ts';
import { specDigest } from './shared/spec-digest.ts';

/**
 * A kind's full contract from what the kind writes (`KindDefinition`): its own members as they
 * are, the defaults for the rest. So a kind's `kind.ts` states only what differs, and the engine
 * calls every member without asking whether the kind has it.
 */
export function defineKind<
  D extends DesiredResource,
  L extends LiveResource,
  F = unknown,
  N extends string = string,
  M = unknown,
>(def: KindDefinition<D, L, F, N, M>): ResourceKind<D, L, F, M> {
  const { fields, liveValue, showLive, ...own } = def;
  const normalise = def.normalise ?? ((_field: string, value: unknown) => value);
  const kind: ResourceKind<D, L, F, M> = {
    desired: (repo) => resourcesOf(repo, def),
    identify: (live) => live.marker,
    holdsData: () => false,
    normalise,
    diff: (desired, live) =>
      fields && liveValue
        ? compareFields(fields(desired), desiredSpec(desired), live && ((f) => liveValue(live, f)), normalise, showLive)
        : [],
    // Called only for a live resource carrying this namespace's marker.
    orphan: (live) => ({ id: live.id, key: live.marker?.key ?? '', title: live.title, annotations: 0 }),
    planPrune: (o, live) => ({
      changes: [
        {
          action: 'delete',
          kind: def.kind,
          key: o.key,
          ...(o.parent ? { parent: o.parent } : {}),
          id: o.id,
          title: live.title,
          fields: [],
        },
      ],
    }),
    digest: (desired) => specDigest(desired),
    attribute: () => 'unknown',
    lastApplied: () => undefined,
    // A top-level resource gets a folder of its own; a child's manifest goes into its parent's.
    pullPath: (key, parentKey) =>
      parentKey === undefined ? `${key}/${def.schema}.yaml` : `${parentKey}/${def.schema}-${key}.yaml`,
    ...own,
  };
  return kind;
}

/** The spec and secrets the default diff compares (a kind without them compares nothing). */
function desiredSpec(
  d: DesiredResource & {
    readonly spec?: object;
    readonly sensitive?: ReadonlySet<string>;
    readonly env?: Readonly<Record<string, readonly string[]>>;
  },
) {
  return { spec: d.spec ?? {}, sensitive: d.sensitive ?? new Set<string>(), ...(d.env ? { env: d.env } : {}) };
}
