import type { LabelStudioClient } from '../api/client.ts';
import { isApiError } from '../api/errors.ts';
import { isUserError } from '../util/errors.ts';
import { plural } from '../util/plural.ts';
import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import type { ProjectResource, Repository } from '../manifest/types.ts';
import type { LsProject } from '../api/types.ts';
import { createMarkerIndex, readProject, settleCarriers, type MarkerIndex } from '../kinds/project/carriers.ts';
import { compareProject } from '../kinds/project/compare.ts';
import { parseMarker, type Marker } from '../kinds/project/marker.ts';
import { createBody, createProjectOnce, updateBody } from '../kinds/project/write.ts';
import type { AppliedFrom } from '../kinds/project/applied-record.ts';
import { toLiveProject, type LiveState } from '../state/live-state.ts';
import { checkLabelConfigWriteNow } from './impact-guard.ts';

export type ApplyEvent =
  | { readonly type: 'start'; readonly change: ResourceChange; readonly index: number; readonly total: number }
  | { readonly type: 'done'; readonly change: ResourceChange; readonly id: number; readonly ms: number; readonly note?: string }
  | { readonly type: 'failed'; readonly change: ResourceChange; readonly message: string; readonly ms: number }
  | { readonly type: 'skipped'; readonly change: ResourceChange; readonly reason: string }
  /** The final check found a key carried by more than one project and settled it. */
  | { readonly type: 'settled'; readonly key: string; readonly winner: number; readonly removed: readonly number[]; readonly left: ReadonlyArray<{ id: number; reason: string }> };

export interface StepResult {
  readonly key: string;
  readonly action: ResourceChange['action'];
  readonly outcome: 'done' | 'failed' | 'skipped';
  readonly id?: number;
  readonly message?: string;
  /** Copies of a created project removed after the create (a re-run POST, a racing apply). */
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
  readonly confirmDelete?: (change: ResourceChange) => Promise<boolean>;
  /** Imports declared task files after a create or update; returns a note for the progress line. */
  readonly importTasks?: (projectId: number, change: ResourceChange, desired: ProjectResource) => Promise<string>;
}

export interface ApplyOptions {
  readonly allowDataLoss: boolean;
  /** The commit (and repository) being applied, recorded in the marker of every project written. */
  readonly appliedFrom?: AppliedFrom;
}

/**
 * Carries out a plan, one project at a time (Label Studio on SQLite serialises writes anyway):
 * creates first, then adoptions and updates, then deletes. A failure on one project is reported
 * and the others go on.
 *
 * Every create is settled: afterwards the key must be carried by exactly one project (the lowest
 * id; see createProjectOnce), checked once more for every created key at the end of the run. A
 * label_config change is judged again against the annotations right before it is sent.
 */
export async function applyPlan(plan: Plan, repo: Repository, live: LiveState, ports: ApplyPorts, opts: ApplyOptions): Promise<StepResult[]> {
  const desiredByKey = new Map(repo.projects.map((p) => [p.name, p]));
  const order: ResourceChange['action'][] = ['create', 'adopt', 'update', 'delete'];
  const steps = plan.changes.filter((c) => c.action !== 'no-op').sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action));
  const results: StepResult[] = [];
  // Projects above this id were created during this run: only those may be removed as copies.
  const createdAfter = live.projects.reduce((max, p) => Math.max(max, p.id), 0);
  let index: MarkerIndex | undefined;
  const created: Marker[] = [];
  for (const [index_, change] of steps.entries()) {
    ports.progress({ type: 'start', change, index: index_, total: steps.length });
    const started = ports.now();
    const marker = { namespace: plan.namespace, key: change.key };
    let settledCopies: Pick<StepResult, 'removedCopies' | 'leftCopies'> = {};
    try {
      const desired = desiredByKey.get(change.key);
      let id: number;
      const notes: string[] = [];
      switch (change.action) {
        case 'create': {
          if (!index) {
            index = createMarkerIndex(ports.client, live.projects.map((p) => p.fields as LsProject));
            await index.refresh();
          }
          const want = need(desired, change);
          const outcome = await createProjectOnce(ports.client, createBody(want, marker, opts.appliedFrom), marker, { index, createdAfter, ...(ports.sleep ? { sleep: ports.sleep } : {}) });
          id = outcome.id;
          created.push(marker);
          if (outcome.found) notes.push(`found id ${id} already carrying the marker (${outcome.found === 'before-post' ? 'another run created it' : 'the answer to the create was lost'})`);
          if (outcome.createdId !== undefined) notes.push(`kept id ${id}, the lowest carrying the marker, instead of id ${outcome.createdId}`);
          if (outcome.removed.length) notes.push(`removed ${copies(outcome.removed)} made during this run`);
          if (outcome.left.length) notes.push(`left ${outcome.left.map((l) => `id ${l.id} (${l.reason})`).join(', ')}`);
          settledCopies = { ...(outcome.removed.length ? { removedCopies: outcome.removed } : {}), ...(outcome.left.length ? { leftCopies: outcome.left } : {}) };
          // The key settled on a project this run did not make: make it match the manifest too.
          if (outcome.found || outcome.createdId !== undefined) {
            const fixed = await alignProject(ports.client, id, want, marker, opts.appliedFrom);
            if (fixed.length) notes.push(`updated ${fixed.join(', ')} on it`);
          }
          break;
        }
        case 'adopt':
        case 'update': {
          id = change.id!;
          const fields = change.fields.map((f) => f.field);
          if (fields.length || change.action === 'adopt') {
            const want = need(desired, change);
            if (fields.includes('label_config')) {
              const problems = await checkLabelConfigWriteNow(ports.client, id, want);
              if (problems.length) throw new Refusal(`label_config was not sent: ${problems.join('; ')}`);
            }
            // The description is always sent (it carries the marker and its applied record). When
            // the manifest does not manage it, the person-written part is read again right now, so
            // an edit made in the UI since the plan read it is kept, not overwritten.
            const liveDescription = want.spec.description !== undefined ? '' : await readDescription(ports.client, id);
            await ports.client.updateProject(id, updateBody(want, fields, liveDescription, marker, change.action === 'adopt', opts.appliedFrom));
          }
          break;
        }
        case 'delete': {
          id = change.id!;
          if ((change.annotations ?? 0) > 0 && !opts.allowDataLoss) {
            throw new Refusal(`has ${plural(change.annotations ?? 0, 'annotation')}; deleting would lose them (pass --allow-data-loss to delete anyway)`);
          }
          if (change.duplicateOf !== undefined) {
            // An empty copy (--dedupe): read it again right before deleting; anything that came
            // into it since the plan keeps it.
            const why = await whyNotAnEmptyCopy(ports.client, id, marker);
            if (why === 'gone') break;
            if (why) throw new Refusal(`the copy was not deleted: ${why}`);
            await ports.client.deleteProject(id).catch((err: unknown) => {
              if (!(isApiError(err) && err.status === 404)) throw err;
            });
            break;
          }
          if (ports.confirmDelete && !(await ports.confirmDelete(change))) {
            results.push({ key: change.key, action: change.action, outcome: 'skipped', id, message: 'not confirmed' });
            ports.progress({ type: 'skipped', change, reason: 'the title typed back did not match' });
            continue;
          }
          await ports.client.deleteProject(id);
          break;
        }
        default:
          continue;
      }
      if (change.tasks?.length && ports.importTasks && desired) notes.push(await ports.importTasks(id, change, desired));
      results.push({ key: change.key, action: change.action, outcome: 'done', id, ...settledCopies });
      ports.progress({ type: 'done', change, id, ms: ports.now() - started, ...(notes.length ? { note: notes.join('; ') } : {}) });
    } catch (err) {
      const where = change.file ? ` (${change.file}${change.line ? `:${change.line}` : ''})` : '';
      const message = `${err instanceof Refusal || isApiError(err) || isUserError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`}${change.action === 'delete' ? '' : where}`;
      results.push({ key: change.key, action: change.action, outcome: 'failed', message, ...(change.id ? { id: change.id } : {}) });
      ports.progress({ type: 'failed', change, message, ms: ports.now() - started });
    }
  }
  if (index && created.length) await confirmCreatedKeys(ports, index, created, createdAfter, results);
  return results;
}

/**
 * The last look: every key this run created is carried by exactly one project. A copy that
 * appeared after its own create was settled (a racing run that posted later settles on the same
 * lowest id and removes its own copy; this catches what is left) is settled here the same way.
 */
async function confirmCreatedKeys(ports: ApplyPorts, index: MarkerIndex, created: readonly Marker[], createdAfter: number, results: StepResult[]): Promise<void> {
  await index.refresh();
  for (const marker of created) {
    const carriers = index.carriers(marker);
    if (carriers.length <= 1) continue;
    const s = await settleCarriers(ports.client, carriers, createdAfter, { index, ...(ports.sleep ? { sleep: ports.sleep } : {}) });
    const i = results.findIndex((r) => r.key === marker.key && r.action === 'create');
    if (i >= 0) {
      const r = results[i]!;
      results[i] = {
        ...r,
        id: s.winner.id,
        removedCopies: [...(r.removedCopies ?? []), ...s.removed],
        ...(s.left.length ? { leftCopies: [...(r.leftCopies ?? []), ...s.left] } : {}),
      };
    }
    ports.progress({ type: 'settled', key: marker.key, winner: s.winner.id, removed: s.removed, left: s.left });
  }
}

/** Makes a project the key settled on match the manifest (it was made by another run or an earlier one). */
async function alignProject(client: ApplyPorts['client'], id: number, desired: ProjectResource, marker: Marker, from?: AppliedFrom): Promise<string[]> {
  const live = toLiveProject(await client.getProject(id));
  const fields = compareProject(desired, live).map((f) => f.field);
  if (fields.length === 0) return [];
  if (fields.includes('label_config')) {
    const problems = await checkLabelConfigWriteNow(client, id, desired);
    if (problems.length) throw new Refusal(`project ${id} carries the marker but its label_config cannot be changed: ${problems.join('; ')}`);
  }
  await client.updateProject(id, updateBody(desired, fields, live.description, marker, false, from));
  return fields;
}

async function whyNotAnEmptyCopy(client: ApplyPorts['client'], id: number, marker: Marker): Promise<string | 'gone' | undefined> {
  const now = await readProject(client, id);
  if (!now) return 'gone'; // a racing `apply --dedupe` removed it first
  const m = parseMarker(now.description);
  if (m?.namespace !== marker.namespace || m.key !== marker.key) return 'it no longer carries the marker';
  const tasks = Number(now.task_number ?? 0) || 0;
  const annotations = Number(now.total_annotations_number ?? 0) || 0;
  return tasks || annotations ? `it now holds ${plural(tasks, 'task')} and ${plural(annotations, 'annotation')}` : undefined;
}

async function readDescription(client: ApplyPorts['client'], id: number): Promise<string> {
  const now = await client.http.request<LsProject>('GET', `/api/projects/${id}/`, { params: { include: 'id,description' } });
  return now.description ?? '';
}

function copies(ids: readonly number[]): string {
  return `${ids.length === 1 ? 'an empty copy' : `${ids.length} empty copies`} (id ${ids.join(', ')})`;
}

class Refusal extends Error {}

function need(desired: ProjectResource | undefined, change: ResourceChange): ProjectResource {
  if (!desired) throw new Refusal(`no manifest for "${change.key}" any more`);
  return desired;
}
