import { isApiError } from '../api/errors.ts';
import type { LabelStudioClient } from '../api/client.ts';
import type { DeleteChange, Plan, ResourceChange } from '../generated/schema-types.ts';
import {
  Refusal,
  type DesiredResource,
  type KindApplier,
  type LiveResource,
  type ResourceKind,
  type StepDone,
  type Repository,
} from '../kinds/kind.ts';
import { kindDepth, RESOURCE_KINDS } from '../kinds/registry.ts';
import { liveOf, type LiveState } from '../state/live-state.ts';
import { isUserError } from '../util/errors.ts';
import { assertNever } from '../util/assert-never.ts';

export type ApplyEvent =
  | { readonly type: 'start'; readonly change: ResourceChange; readonly index: number; readonly total: number }
  | {
      readonly type: 'done';
      readonly change: ResourceChange;
      readonly id: number;
      readonly ms: number;
      readonly note?: string;
    }
  | { readonly type: 'failed'; readonly change: ResourceChange; readonly message: string; readonly ms: number }
  | { readonly type: 'skipped'; readonly change: ResourceChange; readonly reason: string }
  /** The final check found an identity carried by more than one resource and settled it. */
  | {
      readonly type: 'settled';
      readonly kind: string;
      readonly key: string;
      readonly winner: number;
      readonly removed: readonly number[];
      readonly left: ReadonlyArray<{ id: number; reason: string }>;
    };

export interface StepResult {
  readonly kind: string;
  readonly key: string;
  readonly action: ResourceChange['action'];
  readonly outcome: 'done' | 'failed' | 'skipped';
  readonly id?: number;
  readonly message?: string;
  /** Copies of a created resource removed after the create (a re-run POST, a racing apply). */
  readonly removedCopies?: readonly number[];
  /** Copies that could not be proven fresh and empty: left in place, listed here. */
  readonly leftCopies?: ReadonlyArray<{ readonly id: number; readonly reason: string }>;
}

export interface ApplyPorts {
  readonly client: LabelStudioClient;
  readonly progress: (e: ApplyEvent) => void;
  readonly now: () => number;
  /** Waits (default a real timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Asks a person to confirm one deletion (type the title back); absent when not interactive. */
  readonly confirmDelete?: (change: DeleteChange) => Promise<boolean>;
}

export interface ApplyOptions {
  readonly allowDataLoss: boolean;
  /** Kind-specific ports and options, handed to every kind's applier (see each kind's `…ApplyExtras`). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

const ACTION_ORDER: readonly ResourceChange['action'][] = ['create', 'adopt', 'update'];

/**
 * The order a plan is carried out in: parents first (creates, then adoptions and updates, kind
 * by kind), then deletes in reverse (children before their parents). Within a group the plan's
 * order stays.
 */
export function orderSteps(
  changes: readonly ResourceChange[],
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
): ResourceChange[] {
  const depth = (c: ResourceChange) => (kinds.some((k) => k.kind === c.kind) ? kindDepth(c.kind, kinds) : 0);
  const writes = changes
    .filter((c) => c.action !== 'no-op' && c.action !== 'delete')
    .map((c, i) => ({ c, i }))
    .sort(
      (a, b) =>
        depth(a.c) - depth(b.c) || ACTION_ORDER.indexOf(a.c.action) - ACTION_ORDER.indexOf(b.c.action) || a.i - b.i,
    )
    .map((x) => x.c);
  const deletes = changes
    .filter((c) => c.action === 'delete')
    .map((c, i) => ({ c, i }))
    .sort((a, b) => depth(b.c) - depth(a.c) || a.i - b.i)
    .map((x) => x.c);
  return [...writes, ...deletes];
}

/**
 * Carries out a plan, one step at a time (Label Studio on SQLite serialises writes anyway), in
 * `orderSteps` order, each step by its kind's applier. A failure on one resource is reported and
 * the others go on; a resource whose parent was not created is skipped. A child of a resource
 * created in this run gets the new id.
 */
export async function applyPlan(
  plan: Plan,
  repo: Repository,
  live: LiveState,
  ports: ApplyPorts,
  opts: ApplyOptions,
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
): Promise<StepResult[]> {
  const steps = orderSteps(plan.changes, kinds);
  const results: StepResult[] = [];
  const appliers = new Map<string, KindApplier>();
  const records = childRecords(plan, repo, live, ports.client, kinds);
  const applierOf = (kind: ResourceKind): KindApplier => {
    let a = appliers.get(kind.kind);
    if (!a) {
      a = kind.startApply({
        client: ports.client,
        namespace: plan.namespace,
        live: liveOf(live, kind.kind),
        allowDataLoss: opts.allowDataLoss,
        extras: opts.extras ?? {},
        childKindsOf: (key) => records.declaredUnder(kind.kind, key),
        childKindsFound: (parent) => records.found(kind.kind, parent),
        ...(ports.sleep ? { sleep: ports.sleep } : {}),
        ...(ports.confirmDelete ? { confirmDelete: ports.confirmDelete } : {}),
      });
      appliers.set(kind.kind, a);
    }
    return a;
  };
  // Server ids by identity: from the plan, then from each create as it lands (for its children).
  const ids = new Map<string, number>();
  // Resources whose write failed: their children are skipped, not written under a stale state.
  const failedParents = new Set<string>();
  for (const c of plan.changes)
    if (c.action !== 'create' && c.action !== 'delete') ids.set(identity(c.kind, c.parent?.key, c.key), c.id);
  // A declared child already there under a parent whose record leaves its kind out (made by
  // hand with a copied marker, or recorded by a run that lost a race): recorded now, so that
  // --prune still finds it once git stops declaring it. Nothing is sent when the records agree.
  for (const c of plan.changes) {
    if (c.action !== 'no-op' || c.parent?.id === undefined) continue;
    try {
      await records.ensure(c.kind, c.parent.id, { onlyRecorded: true });
    } catch {
      // Only a record: the step it belongs to has nothing to do, and the next apply tries again.
    }
  }

  for (const [i, change] of steps.entries()) {
    ports.progress({ type: 'start', change, index: i, total: steps.length });
    const started = ports.now();
    try {
      const kind = kinds.find((k) => k.kind === change.kind);
      if (!kind) throw new Refusal(`this labelform does not know kind "${change.kind}"`);
      let parentId: number | undefined;
      // A delete needs no parent (an orphan's may be unmanaged); a write needs one that is there.
      if (change.parent && change.action !== 'delete') {
        const parentIdentity = identity(change.parent.kind, undefined, change.parent.key);
        parentId = failedParents.has(parentIdentity) ? undefined : (change.parent.id ?? ids.get(parentIdentity));
        if (parentId === undefined) {
          const reason = `its ${change.parent.kind} ${change.parent.key} ${failedParents.has(parentIdentity) ? 'failed' : 'was not created'}`;
          results.push({
            kind: change.kind,
            key: change.key,
            action: change.action,
            outcome: 'skipped',
            message: reason,
          });
          ports.progress({ type: 'skipped', change, reason });
          continue;
        }
      }
      const desired = kind
        .desired(repo)
        .find((d: DesiredResource) => d.name === change.key && d.parent === change.parent?.key);
      const applier = applierOf(kind);
      // The parent records a child's kind before the child is written: a run that dies between
      // the two leaves a record of a kind with nothing there (one read too many), never the reverse.
      if (parentId !== undefined && change.action !== 'delete') await records.ensure(change.kind, parentId);
      let done: StepDone;
      switch (change.action) {
        case 'create':
          done = await applier.create(change, desired, parentId);
          ids.set(identity(change.kind, change.parent?.key, change.key), done.id);
          if (kind.recordChild) records.created(kind.kind, change.key, done.id);
          break;
        case 'adopt':
        case 'update':
          done = await applier.update(change, desired, parentId);
          break;
        case 'delete':
          done = await applier.delete(change);
          break;
        case 'no-op':
          continue;
        default:
          return assertNever(change, 'plan action');
      }
      if (done.skipped) {
        results.push({
          kind: change.kind,
          key: change.key,
          action: change.action,
          outcome: 'skipped',
          id: done.id,
          message: 'not confirmed',
        });
        ports.progress({ type: 'skipped', change, reason: done.skipped });
        continue;
      }
      const settled = {
        ...(done.removedCopies ? { removedCopies: done.removedCopies } : {}),
        ...(done.leftCopies ? { leftCopies: done.leftCopies } : {}),
      };
      results.push({
        kind: change.kind,
        key: change.key,
        action: change.action,
        outcome: 'done',
        id: done.id,
        ...settled,
      });
      ports.progress({
        type: 'done',
        change,
        id: done.id,
        ms: ports.now() - started,
        ...(done.notes?.length ? { note: done.notes.join('; ') } : {}),
      });
    } catch (err) {
      const where = change.file ? ` (${change.file}${change.line ? `:${change.line}` : ''})` : '';
      // Whatever was thrown: its message when it has one (an Error, or an object that carries one).
      const message = `${err instanceof Refusal || isApiError(err) || isUserError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`}${change.action === 'delete' ? '' : where}`;
      results.push({
        kind: change.kind,
        key: change.key,
        action: change.action,
        outcome: 'failed',
        message,
        ...('id' in change ? { id: change.id } : {}),
      });
      if (change.action !== 'delete') failedParents.add(identity(change.kind, change.parent?.key, change.key));
      ports.progress({ type: 'failed', change, message, ms: ports.now() - started });
    }
  }
  // The last look, kind by kind: a key this run created that a racing run doubled is settled.
  for (const kind of kinds) {
    await appliers.get(kind.kind)?.finish?.((s) => {
      const i = results.findIndex((r) => r.kind === s.kind && r.key === s.key && r.action === 'create');
      const r = results[i];
      if (r) {
        results[i] = {
          ...r,
          id: s.winner,
          removedCopies: [...(r.removedCopies ?? []), ...s.removed],
          ...(s.left.length ? { leftCopies: [...(r.leftCopies ?? []), ...s.left] } : {}),
        };
      }
      ports.progress({ type: 'settled', ...s });
    });
  }
  return results;
}

/**
 * The records of children (see `ResourceKind.recordedAs`) through one run: which kinds git
 * declares under each parent, which a parent's record already lists (as the plan read it, or as
 * this run wrote it), and the writes that make a parent's record list a kind before a child of it
 * is written.
 */
function childRecords(
  plan: Plan,
  repo: Repository,
  live: LiveState,
  client: LabelStudioClient,
  kinds: readonly ResourceKind[],
) {
  const recordedKinds = (parentKind: string) => kinds.filter((k) => k.parent === parentKind && k.recordedAs);
  /** `parentKind \0 parentId \0 code` of every record known to list the code. */
  const listed = new Set<string>();
  for (const k of kinds) {
    if (!k.recordChild) continue;
    for (const p of liveOf(live, k.kind))
      for (const code of p.childKinds ?? []) listed.add(`${k.kind}\u0000${p.id}\u0000${code}`);
  }
  const declaredUnder = (parentKind: string, key: string): string[] =>
    recordedKinds(parentKind)
      .filter((k) => k.desired(repo).some((d) => d.parent === key))
      .map((k) => k.recordedAs!);
  return {
    declaredUnder,
    /** The codes of recorded child kinds with a resource of this namespace under the parent, read now. */
    async found(parentKind: string, parent: LiveResource): Promise<string[]> {
      const codes: string[] = [];
      for (const k of recordedKinds(parentKind)) {
        const lives = await k.readLive(client, {
          namespace: plan.namespace,
          repo,
          prune: true,
          parents: [{ ...parent, childKinds: undefined }],
        });
        if (lives.some((l) => l.parentId === parent.id && l.marker?.namespace === plan.namespace))
          codes.push(k.recordedAs!);
      }
      return codes;
    },
    /** A parent created in this run recorded what git declares under it. */
    created(parentKind: string, key: string, id: number): void {
      for (const code of declaredUnder(parentKind, key)) listed.add(`${parentKind}\u0000${id}\u0000${code}`);
    },
    /**
     * Makes the parent's record list a child's kind before the child is written. `onlyRecorded`:
     * not for a parent whose marker recorded no children when the plan read it (one request
     * that would write nothing: such a parent is read for every kind anyway).
     */
    async ensure(childKind: string, parentId: number, opts: { onlyRecorded?: boolean } = {}): Promise<void> {
      const kind = kinds.find((k) => k.kind === childKind);
      const parentKind = kinds.find((k) => k.kind === kind?.parent);
      if (!kind?.recordedAs || !parentKind?.recordChild) return;
      const id = `${parentKind.kind}\u0000${parentId}\u0000${kind.recordedAs}`;
      if (listed.has(id)) return;
      if (opts.onlyRecorded && liveOf(live, parentKind.kind).find((p) => p.id === parentId)?.childKinds === undefined)
        return;
      await parentKind.recordChild(client, parentId, kind.recordedAs);
      listed.add(id);
    },
  };
}

function identity(kind: string, parent: string | undefined, key: string): string {
  return `${kind}\u0000${parent ?? ''}\u0000${key}`;
}
