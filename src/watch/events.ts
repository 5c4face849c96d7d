import type { ChangeOrigin, DriftEntry, DriftField, DriftReport } from '../reconcile/drift.ts';
import { formatDiagnostic } from '../util/diagnostics.ts';
import { fingerprintValue } from '../util/fingerprint.ts';

/**
 * Which side moved: `server` (edited outside git), `git` (changed in git, not applied yet),
 * `both`, or `unknown` (the marker records no apply, a secret, or a project missing on the first
 * cycle, when "deleted on the server" and "never applied" look the same).
 */
export type WatchSide = ChangeOrigin;

/** What a failed check could not do: read the checkout (`git`), read the server (`server`), or finish (`check`). */
export type ErrorKind = 'git' | 'server' | 'check';

interface ResourceRef {
  /** The resource's kind (`Project`, `Webhook`, …). */
  readonly kind: string;
  readonly key: string;
  readonly parent?: string;
  readonly id?: number;
}

/** A resource that differs from git, reported once when it starts to differ and again only when what differs changes. */
export interface DriftEvent extends ResourceRef {
  readonly event: 'drift';
  readonly at: string;
  /** What differs: fields (`changed`), or the resource is `missing` on the server, `unmanaged` (marker gone), an `orphan`. */
  readonly change: DriftEntry['kind'];
  readonly side: WatchSide;
  /** Each field that differs, its side, and both values (never a secret's). */
  readonly fields: readonly DriftField[];
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  /** The resource already differed and what differs changed since (another field, another value, another side). */
  readonly again?: true;
}

/** A resource reported as differing matches git again (applied, or undone on the server). */
export interface ResolvedEvent extends ResourceRef {
  readonly event: 'resolved';
  readonly at: string;
  /** What had differed: the side and the fields of the last report. */
  readonly side: WatchSide;
  readonly change: DriftEntry['kind'];
  readonly fields: readonly string[];
  readonly message: string;
}

/** The check failed, or found an error: reported once while it lasts. */
export interface ErrorEvent {
  readonly event: 'error';
  readonly at: string;
  readonly kind: ErrorKind;
  /** Stable while the error lasts: `server`, `git`, `internal`, or the check error as `file:line: error: message`. */
  readonly key: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

/** An error reported before is gone (the server answers again, the manifests load again). */
export interface RecoveredEvent {
  readonly event: 'resolved';
  readonly at: string;
  readonly kind: ErrorKind;
  readonly key: string;
  readonly message: string;
}

/** `--self-heal` put git's values back on a resource changed on the server (its `resolved` follows next cycle). */
export interface HealedEvent extends ResourceRef {
  readonly event: 'healed';
  readonly at: string;
  /** The fields written back. */
  readonly fields: readonly string[];
  readonly message: string;
}

export type WatchEvent = DriftEvent | ResolvedEvent | ErrorEvent | RecoveredEvent | HealedEvent;

/** A cycle, as the tracker sees it. */
export type CycleOutcome =
  | {
      readonly ok: true;
      readonly report: DriftReport;
      /** Every resource git declares this cycle (`resourceId`), to tell a git-side missing/orphan from a server-side one. */
      readonly desired: ReadonlySet<string>;
    }
  | { readonly ok: false; readonly kind: ErrorKind; readonly key?: string; readonly message: string };

interface Tracked extends ResourceRef {
  readonly signature: string;
  readonly side: WatchSide;
  readonly change: DriftEntry['kind'];
  readonly fields: readonly string[];
}

/** The identity of a resource across cycles: kind, parent, key. */
export function resourceId(r: { readonly kind: string; readonly key: string; readonly parent?: string }): string {
  return `${r.kind}\u0000${r.parent ?? ''}\u0000${r.key}`;
}

/**
 * Turns the cycles of `watch` into changes of state: each resource's drift once when it starts,
 * again only when what differs changes, `resolved` when it matches again; each error once while
 * it lasts, `resolved` when it is gone. What it keeps is bounded by what differs now (plus the
 * set of resources git declares): a resource that matches again, or an error that is gone, is
 * forgotten.
 */
export class ChangeTracker {
  #drifted = new Map<string, Tracked>();
  #errors = new Map<string, { readonly kind: ErrorKind; readonly message: string }>();
  #desired: ReadonlySet<string> | undefined;

  observe(outcome: CycleOutcome, at: string): WatchEvent[] {
    const events: WatchEvent[] = [];
    if (!outcome.ok) {
      // Reading the server needs the checkout: a server failure means git was read.
      if (outcome.kind === 'server') events.push(...this.#recover(['git', 'internal'], at));
      const key = outcome.key ?? (outcome.kind === 'check' ? 'internal' : outcome.kind);
      if (!this.#errors.has(key)) {
        this.#errors.set(key, { kind: outcome.kind, message: outcome.message });
        events.push({ event: 'error', at, kind: outcome.kind, key, message: outcome.message });
      }
      return events;
    }
    const { report, desired } = outcome;
    events.push(...this.#recover(['git', 'server', 'internal'], at));
    // The check's own errors (a key carried twice, a kind that could not be read): once each.
    const current = new Map(report.errors.map((d) => [formatDiagnostic(d), d]));
    for (const [key, e] of this.#errors) {
      if (e.kind !== 'check' || key === 'internal' || current.has(key)) continue;
      this.#errors.delete(key);
      events.push({ event: 'resolved', at, kind: 'check', key, message: `no longer found: ${e.message}` });
    }
    for (const [key, d] of current) {
      if (this.#errors.has(key)) continue;
      this.#errors.set(key, { kind: 'check', message: d.message });
      events.push({
        event: 'error',
        at,
        kind: 'check',
        key,
        message: d.message,
        ...(d.file ? { file: d.file } : {}),
        ...(d.line ? { line: d.line } : {}),
      });
    }

    const previousDesired = this.#desired;
    const seen = new Set<string>();
    for (const e of report.entries) {
      const id = resourceId({ kind: e.resourceKind, key: e.key, ...(e.parent ? { parent: e.parent } : {}) });
      seen.add(id);
      const signature = fingerprintValue({ change: e.kind, fields: e.fields });
      const before = this.#drifted.get(id);
      if (before?.signature === signature) continue;
      const side = e.kind === 'changed' ? sideOfFields(e.fields) : sideOfPresence(e, id, previousDesired, desired);
      const ref: ResourceRef = {
        kind: e.resourceKind,
        key: e.key,
        ...(e.parent ? { parent: e.parent } : {}),
        ...(e.id ? { id: e.id } : {}),
      };
      this.#drifted.set(id, { ...ref, signature, side, change: e.kind, fields: e.fields.map((f) => f.field) });
      events.push({
        event: 'drift',
        at,
        ...ref,
        change: e.kind,
        side,
        fields: e.fields,
        message: e.message,
        ...(e.file ? { file: e.file } : {}),
        ...(e.line ? { line: e.line } : {}),
        ...(before ? { again: true as const } : {}),
      });
    }
    // An incomplete check (errors) lists only what it could compare: what it did not list may
    // still differ, so nothing is resolved from its silence.
    if (!report.errors.length) {
      for (const [id, t] of this.#drifted) {
        if (seen.has(id)) continue;
        this.#drifted.delete(id);
        const { signature: _signature, ...rest } = t;
        events.push({ event: 'resolved', at, ...rest, message: resolvedMessage(t) });
      }
    }
    this.#desired = desired;
    return events;
  }

  /** What the tracker holds, for the memory checks: it must not grow with the number of cycles. */
  retained(): { readonly drifted: number; readonly errors: number; readonly desired: number } {
    return { drifted: this.#drifted.size, errors: this.#errors.size, desired: this.#desired?.size ?? 0 };
  }

  /** How many resources differ now, by side (for the metrics). */
  driftedBySide(): Record<WatchSide, number> {
    const counts: Record<WatchSide, number> = { server: 0, git: 0, both: 0, unknown: 0 };
    for (const t of this.#drifted.values()) counts[t.side]++;
    return counts;
  }

  #recover(keys: readonly string[], at: string): RecoveredEvent[] {
    const events: RecoveredEvent[] = [];
    for (const key of keys) {
      const e = this.#errors.get(key);
      if (!e) continue;
      this.#errors.delete(key);
      events.push({ event: 'resolved', at, kind: e.kind, key, message: RECOVERED[key] ?? `recovered: ${e.message}` });
    }
    return events;
  }
}

const RECOVERED: Record<string, string> = {
  server: 'the server answers again',
  git: 'the manifests load again',
  internal: 'a check completed again',
};

/** One side for a resource's fields: theirs when they agree, `both` for git and server, else `unknown`. */
export function sideOfFields(fields: readonly DriftField[]): WatchSide {
  const origins = new Set(fields.map((f) => f.origin));
  if (origins.size === 1) return [...origins][0]!;
  if (origins.size === 0 || origins.has('unknown')) return 'unknown';
  return 'both';
}

/**
 * The side of a resource missing on the server or left without a manifest, from what git
 * declared the cycle before: a manifest added in git and not applied yet, or removed in git
 * (orphan), is `git`; a resource git declared before and still declares that is gone from the
 * server, or a new resource with the namespace's marker, is `server`; on the first cycle there is
 * nothing to tell them apart (`unknown`). A marker removed is always the server's doing.
 */
function sideOfPresence(
  e: DriftEntry,
  id: string,
  before: ReadonlySet<string> | undefined,
  now: ReadonlySet<string>,
): WatchSide {
  if (e.kind === 'unmanaged') return 'server';
  if (!before) return 'unknown';
  const declaredBefore = before.has(id);
  if (e.kind === 'missing') return declaredBefore && now.has(id) ? 'server' : 'git';
  // orphan: no manifest now; git removed it if it had one a cycle ago.
  return declaredBefore ? 'git' : 'server';
}

function resolvedMessage(t: Tracked): string {
  switch (t.change) {
    case 'changed':
      return `matches git again (${t.fields.join(', ')})`;
    case 'missing':
      return 'present on the server again, or no longer declared in git';
    case 'unmanaged':
      return 'carries its marker again, or no longer declared in git';
    case 'orphan':
      return 'no longer an orphan (deleted on the server, unmarked, or declared in git again)';
  }
}
