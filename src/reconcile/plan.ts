import type { FieldChange, Orphan, Plan, PlanDiagnostic, ResourceChange } from '../generated/schema-types.ts';
import type {
  DesiredResource,
  KindPlan,
  KindPlanContext,
  LiveResource,
  PlanRequest,
  ResourceKind,
  Repository,
} from '../kinds/kind.ts';
import { findResourceKind, orderParentsFirst, RESOURCE_KINDS } from '../kinds/registry.ts';
import { fingerprintValue } from '../util/fingerprint.ts';
import { liveOf, type LiveState } from '../state/live-state.ts';
import { PLAN_FORMAT_VERSION } from '../model/plan-format.ts';
import { matchResources } from '../kinds/shared/match.ts';
import { isTargeted, parseTarget, type Target } from '../kinds/shared/targets.ts';

export interface PlanInput {
  readonly repo: Repository;
  readonly live: LiveState;
  readonly server: { readonly url: string; readonly environment: string };
  /** `--target` values as given: `Kind/key`, or a bare key for a Project. */
  readonly targets?: readonly string[];
  readonly allowDuplicateTitle?: boolean;
  readonly prune?: boolean;
  /** Settle identities carried by several resources: keep the lowest id, delete the empty copies. */
  readonly dedupe?: boolean;
  /** Label migrations also write annotations with a draft attached, deleting those drafts. */
  readonly deleteDrafts?: boolean;
  /** What each kind read before planning (its `readFacts`), by kind name. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Problems found by the reads (for example invalid tasks in a declared file). */
  readonly readDiagnostics?: readonly PlanDiagnostic[];
  readonly stats: { readonly requests: number; readonly durationMs: number };
  readonly createdAt: string;
  readonly labelformVersion: string;
  /** The kinds to plan (default: the registry's). */
  readonly kinds?: readonly ResourceKind[];
}

/**
 * The planner: a pure, synchronous function of the desired state (manifests), the live state
 * and the facts the kinds read. All reads happen before it, all writes after. Kind by kind
 * (parents first): manifests are matched to live resources by marker, each kind decides the
 * change for each match, and what carries this namespace's marker without a manifest is an
 * orphan (a delete with --prune).
 */
export function planChanges(input: PlanInput): Plan {
  const { repo, live } = input;
  const kinds = orderParentsFirst(input.kinds ?? RESOURCE_KINDS);
  const ns = repo.config.namespace;
  const diagnostics: PlanDiagnostic[] = [...(input.readDiagnostics ?? [])];
  const changes: ResourceChange[] = [];
  const orphans: Orphan[] = [];
  const targets = input.targets?.map(parseTarget);
  for (const t of targets ?? []) {
    const problem = unknownTarget(t, repo, kinds);
    if (problem) diagnostics.push({ severity: 'error', code: 'unknown-target', message: problem });
  }
  const request: PlanRequest = {
    repo,
    namespace: ns,
    server: { ...input.server, version: live.serverVersion },
    allowDuplicateTitle: input.allowDuplicateTitle ?? false,
    dedupe: input.dedupe ?? false,
    prune: input.prune ?? false,
    deleteDrafts: input.deleteDrafts ?? false,
  };

  for (const kind of kinds) {
    const desired = selectDesired(kind, repo, targets);
    const lives = kind.parent
      ? underChosenParents(liveOf(live, kind.kind), kind.parent, changes)
      : liveOf(live, kind.kind);
    const parentKind = kind.parent;
    const ctx: KindPlanContext<LiveResource, unknown> = {
      ...request,
      live: lives,
      facts: input.facts?.[kind.kind],
      parentOf: (d) => parentRef(parentKind, d.parent, liveOf(live, parentKind ?? ''), ns, changes),
      // normalise → diff, the kind's own, for the server's release: the kind's planner turns it into a change.
      diff: (d, l) => kind.diff(d, l, live.serverVersion),
    };
    // Each kind returns what it decides; the plan takes it in order (a child kind's `parentOf`
    // reads the changes of its parent kind, planned before it).
    const collect = (decided: KindPlan) => {
      changes.push(...decided.changes);
      diagnostics.push(...(decided.diagnostics ?? []));
    };
    for (const m of matchResources(desired, lives, ns, (l) => kind.identify(l), { dedupe: request.dedupe }))
      collect(kind.plan(m, ctx));

    // Orphans are only known from a full plan: a targeted one does not look at the rest.
    if (targets?.length) continue;
    const declared = new Set(kind.desired(repo).map((d) => `${d.parent ?? ''}\u0000${d.name}`));
    for (const l of lives) {
      const marker = kind.identify(l);
      if (marker?.namespace !== ns || declared.has(`${marker.parent ?? ''}\u0000${marker.key}`)) continue;
      const parent =
        marker.parent !== undefined
          ? parentRef(parentKind, marker.parent, liveOf(live, parentKind ?? ''), ns)
          : undefined;
      const orphan: Orphan = { kind: kind.kind, ...(parent ? { parent } : {}), ...kind.orphan(l) };
      orphans.push(orphan);
      if (input.prune) collect(kind.planPrune(orphan, l, ctx));
    }
  }

  const count = (a: ResourceChange['action']) => changes.filter((c) => c.action === a).length;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    labelformVersion: input.labelformVersion,
    createdAt: input.createdAt,
    server: { ...input.server, version: live.serverVersion },
    namespace: ns,
    ...(input.targets?.length ? { targets: [...input.targets] } : {}),
    ...(input.prune ? { prune: true } : {}),
    ...(input.dedupe ? { dedupe: true } : {}),
    ...(input.deleteDrafts ? { deleteDrafts: true } : {}),
    ...(input.allowDuplicateTitle ? { allowDuplicateTitle: true } : {}),
    desiredDigest: desiredDigest(repo, input.targets, kinds),
    changes,
    orphans,
    diagnostics,
    summary: {
      create: count('create'),
      update: count('update'),
      adopt: count('adopt'),
      delete: count('delete'),
      noop: count('no-op'),
      errors: diagnostics.filter((x) => x.severity === 'error').length,
      tasksToImport: changes.reduce((n, c) => n + (c.detail?.tasks ?? []).reduce((k, t) => k + t.tasks, 0), 0),
    },
    stats: { requests: input.stats.requests, durationMs: input.stats.durationMs },
  };
}

/**
 * A child kind's live resources, without those under a copy of a parent: when a parent key is
 * carried by several resources and the plan settled on one (--dedupe keeps the lowest id), the
 * children of the other copies are not this key's children (nor its orphans or duplicates).
 */
function underChosenParents(
  lives: readonly LiveResource[],
  parentKind: string,
  planned: readonly ResourceChange[],
): LiveResource[] {
  const chosen = new Map<string, number>();
  for (const c of planned)
    if (c.kind === parentKind && c.action !== 'delete' && c.action !== 'create') chosen.set(c.key, c.id);
  return lives.filter((l) => {
    const key = l.marker?.parent;
    const id = key === undefined ? undefined : chosen.get(key);
    return id === undefined || l.parentId === id;
  });
}

/** The manifests of a kind that the targets select (all of them without targets). */
export function selectDesired<D extends DesiredResource>(
  kind: ResourceKind<D, LiveResource, unknown>,
  repo: Repository,
  targets: readonly Target[] | undefined,
): D[] {
  return kind.desired(repo).filter((d) => isTargeted(targets, d, kind.parent));
}

/** Hash of what the manifests ask for (secrets by field name only), kind by kind. */
export function desiredDigest(
  repo: Repository,
  targets?: readonly string[],
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
): string {
  kinds = orderParentsFirst(kinds);
  const parsed = targets?.map(parseTarget);
  return fingerprintValue(
    kinds.flatMap((k) =>
      selectDesired(k, repo, parsed).map((d) => ({
        kind: k.kind,
        ...(d.parent !== undefined ? { parent: d.parent } : {}),
        key: d.name,
        ...k.digest(d, repo.root),
      })),
    ),
  );
}

function unknownTarget(t: Target, repo: Repository, kinds: readonly ResourceKind[]): string | undefined {
  const kind = kinds.find((k) => k.kind === t.kind) ?? findResourceKind(t.kind);
  if (!kind) return `--target ${t.given}: no kind "${t.kind}" (kinds: ${kinds.map((k) => k.kind).join(', ')})`;
  if (kind.desired(repo).some((d) => d.name === t.key)) return undefined;
  return `--target ${t.given}: no ${kind.kind} manifest has metadata.name "${t.key}"`;
}

/**
 * The plan's reference to a parent resource: its id when it exists on the server already. The
 * parent's own change (planned first) says so best, an adoption included; without one (a plan
 * targeted at the child) its marker does.
 */
function parentRef(
  kind: string | undefined,
  key: string | undefined,
  parents: readonly LiveResource[],
  ns: string,
  planned: readonly ResourceChange[] = [],
): ResourceChange['parent'] {
  if (kind === undefined || key === undefined) return undefined;
  const own = planned.find((c) => c.kind === kind && c.key === key && c.action !== 'delete');
  if (own) return { kind, key, ...(own.action !== 'create' ? { id: own.id } : {}) };
  const [only, ...more] = parents.filter((p) => p.marker?.namespace === ns && p.marker.key === key);
  return { kind, key, ...(only && more.length === 0 ? { id: only.id } : {}) };
}

export type { FieldChange };
