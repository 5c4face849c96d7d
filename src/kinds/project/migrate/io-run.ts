/**
 * The server half of a label migration: read every annotation, draft and prediction of a project,
 * rewrite those whose result a mapping changes, one PATCH each, journaled for undo; and the
 * revert from that journal. The mapping is a parameter (the pure half, `migrateResult`, lives
 * beside this file), so this module only knows results as JSON.
 *
 * Safe in company and after `kill -9`:
 * - every object is read again right before its write; one that changed since the listing is
 *   mapped from its new content, or reported when the mapping no longer applies;
 * - the journal entry (the result before, as the server's exact text) is appended and fsynced
 *   before the PATCH, and its completion after;
 * - a rerun lists the server again: an object already migrated maps to nothing and is not written
 *   again, so no object is written twice (a write in flight when the run was killed may still
 *   reach the server after the rerun read the object: the same text, written again);
 * - an annotation with a draft attached is not written (Label Studio's annotation PATCH deletes
 *   that draft) unless `deleteDrafts` is set; it is reported as skipped;
 * - with `deleteDrafts`, the drafts attached to the annotations written are read again once those
 *   writes are done: a 404 proves the server deleted it (every release from 1.8.2 does, a
 *   post_save receiver of Annotation), one still there is rewritten like any other draft.
 */
import equal from 'fast-deep-equal';
import pLimit from 'p-limit';
import type { LabelStudioClient } from '../../../api/client.ts';
import { isApiError } from '../../../api/errors.ts';
import type { LsAnnotation, LsDraft, LsPrediction, ResultHolderType } from '../../../api/types.ts';
import { stringifyLike } from '../../../util/json-text.ts';
import { journalObjects, openJournal, readJournal, type Journal, type JournalObject } from './io-journal.ts';
import type { MigrationTally } from './types.ts';

/**
 * A pure mapping of one result: the new result and how many regions it rewrote, or undefined when
 * it changes nothing (`migrateResult` of the pure half, bound to one migration).
 */
export type ResultMapping = (result: unknown[]) => { readonly result: unknown[]; readonly regions: number } | undefined;

/** Writes run four at a time by default: 4.1 writes/s against 2.4 one at a time on 1.23.2 SQLite (measured). */
export const DEFAULT_WRITE_CONCURRENCY = 4;

export interface MigrationProgress {
  /** Objects handled (written, or found to need nothing, or skipped, or failed). */
  readonly done: number;
  readonly total: number;
  readonly written: number;
  readonly elapsedMs: number;
  /** Time left at the rate so far; undefined before the first object. */
  readonly etaMs: number | undefined;
}

/** What a migration run and a revert both take. */
interface WriterOptions {
  readonly journalPath: string;
  /** Write annotations that have a draft attached (now), which deletes those drafts. */
  readonly deleteDrafts: boolean;
  /** Objects handled at once (default 4); the client's own limit applies too. */
  readonly concurrency?: number;
  readonly onProgress?: (p: MigrationProgress) => void;
  readonly now?: () => number;
  /** The wait before a write answered with a server error is checked and sent again (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface MigrationRunOptions extends WriterOptions {
  readonly projectId: number;
  readonly map: ResultMapping;
  /** `keep` leaves predictions alone (not even read). */
  readonly predictions: 'rewrite' | 'keep';
}

/** What one run wrote (a rerun after a kill counts only what it wrote itself). */
export type MigrationRunCounts = MigrationTally;

export interface ObjectRef {
  readonly type: ResultHolderType;
  readonly id: number;
  readonly task: number;
}

export interface MigrationRunReport {
  readonly counts: MigrationRunCounts;
  /** Objects read from the server. */
  readonly read: { readonly annotations: number; readonly drafts: number; readonly predictions: number };
  /** Objects whose mapping changed something when listed. */
  readonly candidates: number;
  /** Annotations left alone: a draft is attached (ids of the drafts). */
  readonly skipped: ReadonlyArray<ObjectRef & { readonly drafts: readonly number[] }>;
  /**
   * Objects changed on the server between the listing and the write: `remapped` were written from
   * their new content; `no-longer-applies` needed nothing any more (a person, or another run).
   */
  readonly changedMeanwhile: ReadonlyArray<ObjectRef & { readonly outcome: 'remapped' | 'no-longer-applies' }>;
  /**
   * Drafts the server deleted with their annotation's write, seen gone (404) when read again after
   * it (only with `deleteDrafts`).
   */
  readonly draftsDeleted: readonly number[];
  /** Objects gone (404) before their write. */
  readonly gone: readonly ObjectRef[];
  /** Writes that failed: the journal says `failed`; a rerun tries them again. */
  readonly failed: ReadonlyArray<ObjectRef & { readonly error: string }>;
}

interface Candidate extends ObjectRef {
  /** The result when listed; undefined for a draft found attached only at its annotation's write. */
  readonly listed: unknown[] | undefined;
  readonly modelVersion?: string;
  /** A draft attached to an annotation this run wrote: a 404 means the server deleted it with that write. */
  readonly attachedTo?: number;
}

/** Reads the project, then rewrites every object whose result the mapping changes. */
export async function runMigration(client: LabelStudioClient, o: MigrationRunOptions): Promise<MigrationRunReport> {
  const now = o.now ?? Date.now;
  const journal = await openJournal(o.journalPath);
  try {
    await journal.append({ op: 'run', project: o.projectId, action: 'migrate', at: new Date(now()).toISOString() });
    const tasks = await client.exportAnnotationsAndDrafts(o.projectId);
    const predictions = o.predictions === 'rewrite' ? ofTasks(await client.listPredictions(o.projectId), tasks) : [];
    const annotations = tasks.flatMap((t) => t.annotations.map((a) => ({ ...a, task: t.id })));
    const drafts = tasks.flatMap((t) => t.drafts.map((d) => ({ ...d, task: t.id })));

    const draftsOf = new Map<number, number[]>();
    for (const d of drafts)
      if (d.annotation !== null) draftsOf.set(d.annotation, [...(draftsOf.get(d.annotation) ?? []), d.id]);

    const skipped: Array<ObjectRef & { drafts: number[] }> = [];
    const candidates: Candidate[] = [];
    const written = new Set<number>();
    for (const a of annotations) {
      if (!changes(o.map, a.result)) continue;
      const attached = draftsOf.get(a.id);
      if (attached && !o.deleteDrafts) skipped.push({ type: 'annotation', id: a.id, task: a.task, drafts: attached });
      else {
        candidates.push({ type: 'annotation', id: a.id, task: a.task, listed: a.result });
        written.add(a.id);
      }
    }
    // A draft attached to an annotation written here waits for that write (second phase, below).
    const afterWrites = new Map<number, Candidate>();
    for (const d of drafts) {
      if (d.annotation !== null && written.has(d.annotation))
        afterWrites.set(d.id, { type: 'draft', id: d.id, task: d.task, listed: d.result, attachedTo: d.annotation });
      else if (changes(o.map, d.result)) candidates.push({ type: 'draft', id: d.id, task: d.task, listed: d.result });
    }
    for (const p of predictions)
      if (changes(o.map, p.result))
        candidates.push({
          type: 'prediction',
          id: p.id,
          task: p.task,
          listed: p.result,
          modelVersion: p.model_version,
        });

    const state = newRunState();
    const started = now();
    let done = 0;
    const total = () => candidates.length + afterWrites.size;
    const limit = pLimit(o.concurrency ?? DEFAULT_WRITE_CONCURRENCY);
    const progress = () => {
      const elapsedMs = now() - started;
      o.onProgress?.({
        done,
        total: total(),
        written: state.writes,
        elapsedMs,
        etaMs: done === 0 ? undefined : Math.round((elapsedMs / done) * (total() - done)),
      });
    };
    const handle = (batch: readonly Candidate[]) =>
      Promise.all(
        batch.map((c) =>
          limit(async () => {
            try {
              const attached = await migrateOne(client, journal, o, c, state, skipped);
              // Drafts attached at the write, not listed: read again in the second phase too.
              for (const id of attached)
                if (!afterWrites.has(id))
                  afterWrites.set(id, { type: 'draft', id, task: c.task, listed: undefined, attachedTo: c.id });
            } catch (err) {
              // A read that failed (the write's own failure is journaled in migrateOne): nothing written.
              state.failed.push({ type: c.type, id: c.id, task: c.task, error: errorText(err) });
            }
            done++;
            progress();
          }),
        ),
      );
    progress();
    await handle(candidates);
    // Second phase: the drafts attached to the annotations written, read again. The server deleted
    // them with the write (404), or they are rewritten; one whose annotation was not written (it
    // failed, or needed nothing any more) is an ordinary draft.
    await handle([...afterWrites.values()]);
    return {
      counts: {
        regions: state.regions,
        annotations: state.annotations,
        tasks: state.tasks.size,
        drafts: state.drafts,
        predictions: state.predictions,
        skipped: skipped.length,
      },
      read: { annotations: annotations.length, drafts: drafts.length, predictions: predictions.length },
      candidates: candidates.length,
      skipped,
      changedMeanwhile: state.changedMeanwhile,
      draftsDeleted: state.draftsDeleted,
      gone: state.gone,
      failed: state.failed,
    };
  } finally {
    await journal.close();
  }
}

interface RunState {
  writes: number;
  regions: number;
  annotations: number;
  drafts: number;
  predictions: Record<string, number>;
  tasks: Set<number>;
  /** Annotations this run wrote. */
  wrote: Set<number>;
  changedMeanwhile: Array<ObjectRef & { outcome: 'remapped' | 'no-longer-applies' }>;
  draftsDeleted: number[];
  gone: ObjectRef[];
  failed: Array<ObjectRef & { error: string }>;
}

function newRunState(): RunState {
  return {
    writes: 0,
    regions: 0,
    annotations: 0,
    drafts: 0,
    predictions: {},
    tasks: new Set(),
    wrote: new Set(),
    changedMeanwhile: [],
    draftsDeleted: [],
    gone: [],
    failed: [],
  };
}

async function migrateOne(
  client: LabelStudioClient,
  journal: Journal,
  o: MigrationRunOptions,
  c: Candidate,
  s: RunState,
  skipped: Array<ObjectRef & { drafts: number[] }>,
): Promise<readonly number[]> {
  const ref: ObjectRef = { type: c.type, id: c.id, task: c.task };
  // An annotation's drafts are asked at the same time as the annotation (one round trip, not two):
  // a draft made since the listing would go with this write.
  const [current, attached] = await Promise.all([
    readCurrent(client, ref, c.attachedTo !== undefined ? { gone: [] } : s),
    c.type === 'annotation' ? draftsAttached(client, c) : Promise.resolve([]),
  ]);
  if (!current) {
    if (c.attachedTo !== undefined && s.wrote.has(c.attachedTo)) s.draftsDeleted.push(c.id);
    else if (c.attachedTo !== undefined) s.gone.push(ref);
    return [];
  }
  const result = parseResult(current.resultText);
  const mapped = result ? o.map(result) : undefined;
  const moved = c.listed !== undefined && !equal(result, c.listed);
  if (!mapped || !result || equal(mapped.result, result)) {
    if (moved) s.changedMeanwhile.push({ ...ref, outcome: 'no-longer-applies' });
    return [];
  }
  if (moved) s.changedMeanwhile.push({ ...ref, outcome: 'remapped' });
  if (c.type === 'annotation') {
    if (attached === undefined) {
      s.gone.push(ref);
      return [];
    }
    if (attached.length > 0 && !o.deleteDrafts) {
      skipped.push({ ...ref, drafts: attached });
      return [];
    }
  }
  const after = stringifyLike(mapped.result, current.resultText);
  await journal.append({ op: 'write', type: c.type, id: c.id, task: c.task, before: current.resultText, after });
  try {
    await writeVerified(client, ref, current.resultText, after, o.deleteDrafts, o.sleep);
  } catch (err) {
    const error = errorText(err);
    s.failed.push({ ...ref, error });
    await journal.append({ op: 'failed', type: c.type, id: c.id, error });
    return [];
  }
  await journal.append({ op: 'done', type: c.type, id: c.id });
  if (c.type === 'annotation') s.wrote.add(c.id);
  s.writes++;
  s.regions += mapped.regions;
  s.tasks.add(c.task);
  switch (c.type) {
    case 'annotation':
      s.annotations++;
      break;
    case 'draft':
      s.drafts++;
      break;
    case 'prediction':
      s.predictions[c.modelVersion ?? ''] = (s.predictions[c.modelVersion ?? ''] ?? 0) + 1;
      break;
  }
  return attached ?? [];
}

/**
 * The predictions of the project's tasks only: the list is asked by project, and before 1.13 a
 * filter it does not know is ignored (every prediction of the organization); never write another
 * project's prediction.
 */
export function ofTasks<P extends { readonly task: number }>(
  predictions: readonly P[],
  tasks: ReadonlyArray<{ readonly id: number }>,
): P[] {
  const ids = new Set(tasks.map((t) => t.id));
  return predictions.filter((p) => ids.has(p.task));
}

export type RevertOptions = WriterOptions;

export interface RevertReport {
  /** Objects written back to what they held before the migration. */
  readonly reverted: readonly ObjectRef[];
  /** Already holding what they held before (reverted by an earlier run, or never written). */
  readonly unchanged: readonly ObjectRef[];
  /** Changed since the migration wrote them: not overwritten. */
  readonly conflicts: readonly ObjectRef[];
  readonly skipped: ReadonlyArray<ObjectRef & { readonly drafts: readonly number[] }>;
  readonly gone: readonly ObjectRef[];
  readonly failed: ReadonlyArray<ObjectRef & { readonly error: string }>;
}

/**
 * Writes back, byte for byte, what each object held before the migration, for the objects the
 * journal says were written. Resumable: an object already holding its old result is left alone;
 * one that a person changed after the migration is reported, not overwritten.
 */
export async function revertMigration(client: LabelStudioClient, o: RevertOptions): Promise<RevertReport> {
  const now = o.now ?? Date.now;
  const { entries } = await readJournal(o.journalPath);
  const project = entries.find((e) => e.op === 'run')?.project;
  const objects = journalObjects(entries).filter((x) => x.writes.length > 0);
  const journal = await openJournal(o.journalPath);
  const report = {
    reverted: [] as ObjectRef[],
    unchanged: [] as ObjectRef[],
    conflicts: [] as ObjectRef[],
    skipped: [] as Array<ObjectRef & { drafts: number[] }>,
    gone: [] as ObjectRef[],
    failed: [] as Array<ObjectRef & { error: string }>,
  };
  try {
    if (project !== undefined)
      await journal.append({ op: 'run', project, action: 'revert', at: new Date(now()).toISOString() });
    const started = now();
    let done = 0;
    const limit = pLimit(o.concurrency ?? DEFAULT_WRITE_CONCURRENCY);
    await Promise.all(
      objects.map((x) =>
        limit(async () => {
          try {
            await revertOne(client, journal, o, x, report);
          } catch (err) {
            report.failed.push({ type: x.type, id: x.id, task: x.task, error: errorText(err) });
          }
          done++;
          const elapsedMs = now() - started;
          o.onProgress?.({
            done,
            total: objects.length,
            written: report.reverted.length,
            elapsedMs,
            etaMs: Math.round((elapsedMs / done) * (objects.length - done)),
          });
        }),
      ),
    );
  } finally {
    await journal.close();
  }
  return report;
}

async function revertOne(
  client: LabelStudioClient,
  journal: Journal,
  o: RevertOptions,
  x: JournalObject,
  report: {
    reverted: ObjectRef[];
    unchanged: ObjectRef[];
    conflicts: ObjectRef[];
    skipped: Array<ObjectRef & { drafts: number[] }>;
    gone: ObjectRef[];
    failed: Array<ObjectRef & { error: string }>;
  },
): Promise<void> {
  const ref: ObjectRef = { type: x.type, id: x.id, task: x.task };
  const target = revertTarget(x);
  const current = await readCurrent(client, ref, { gone: report.gone });
  if (!current) return;
  const now = parseResult(current.resultText);
  if (equal(now, parseResult(target))) return void report.unchanged.push(ref);
  if (!x.writes.some((w) => equal(now, parseResult(w.after)))) return void report.conflicts.push(ref);
  if (x.type === 'annotation') {
    const attached = await draftsAttached(client, ref);
    if (attached === undefined) return void report.gone.push(ref);
    if (attached.length > 0 && !o.deleteDrafts) return void report.skipped.push({ ...ref, drafts: attached });
  }
  await journal.append({
    op: 'write',
    type: x.type,
    id: x.id,
    task: x.task,
    before: current.resultText,
    after: target,
    revert: true,
  });
  try {
    await writeVerified(client, ref, current.resultText, target, o.deleteDrafts, o.sleep);
  } catch (err) {
    const error = errorText(err);
    report.failed.push({ ...ref, error });
    await journal.append({ op: 'failed', type: x.type, id: x.id, error, revert: true });
    return;
  }
  await journal.append({ op: 'done', type: x.type, id: x.id, revert: true });
  report.reverted.push(ref);
}

/**
 * What to write back: the `before` of the first write, unless a person changed the object
 * between two runs' writes (a later write's `before` is neither the previous `after` nor the
 * previous `before`, which a write that never landed would leave): then that later `before`.
 */
export function revertTarget(x: Pick<JournalObject, 'writes'>): string {
  let target = x.writes[0]!.before;
  for (let i = 1; i < x.writes.length; i++) {
    const prev = x.writes[i - 1]!;
    const cur = x.writes[i]!;
    const b = parseResult(cur.before);
    if (!equal(b, parseResult(prev.after)) && !equal(b, parseResult(prev.before))) target = cur.before;
  }
  return target;
}

/** How many times a write answered with a server error is sent again when the object shows it never landed. */
const WRITE_TRIES = 3;

/**
 * Writes `after` over an object that held `before`. A 5xx answer does not say whether the server
 * wrote: 1.23.2 on SQLite answers 500 "database is locked" from a middleware that runs before the
 * view (nothing written), and a view may fail after its write. So the object is read again: still
 * `before` → sent again, backing off, at most {@link WRITE_TRIES} times in all; already `after` →
 * done, without a second write; anything else (a person's edit, or a draft attached to the
 * annotation since, unless drafts may go) → the server's error, for the report and the journal.
 */
async function writeVerified(
  client: LabelStudioClient,
  ref: ObjectRef,
  before: string,
  after: string,
  deleteDrafts: boolean,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.writeResult(ref.type, ref.id, after);
      return;
    } catch (err) {
      if (!isApiError(err) || err.status === undefined || err.status < 500) throw err;
      await sleep(200 * 3 ** (attempt - 1));
      const now = await client.readResult(ref.type, ref.id).catch(() => undefined);
      const held = now && parseResult(now.resultText);
      if (held && equal(held, parseResult(after))) return;
      if (attempt >= WRITE_TRIES || !held || !equal(held, parseResult(before))) throw err;
      if (ref.type === 'annotation' && !deleteDrafts) {
        const attached = await draftsAttached(client, ref).catch(() => undefined);
        if (attached === undefined || attached.length > 0) throw err;
      }
    }
  }
}

async function readCurrent(
  client: LabelStudioClient,
  ref: ObjectRef,
  s: { gone: ObjectRef[] },
): Promise<{ resultText: string; object: LsAnnotation | LsDraft | LsPrediction } | undefined> {
  try {
    return await client.readResult(ref.type, ref.id);
  } catch (err) {
    if (isApiError(err) && err.status === 404) {
      s.gone.push(ref);
      return undefined;
    }
    throw err;
  }
}

/** Drafts attached to the annotation now, or undefined when its task is gone. */
async function draftsAttached(client: LabelStudioClient, ref: ObjectRef): Promise<number[] | undefined> {
  try {
    return (await client.listTaskDrafts(ref.task)).filter((d) => d.annotation === ref.id).map((d) => d.id);
  } catch (err) {
    if (isApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

function changes(map: ResultMapping, result: unknown): boolean {
  if (!Array.isArray(result)) return false;
  const mapped = map(result);
  return mapped !== undefined && !equal(mapped.result, result);
}

function parseResult(text: string): unknown[] | undefined {
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
