import type { LabelStudioClient } from '../api/client.ts';
import { isApiError } from '../api/errors.ts';
import { isUserError } from '../util/errors.ts';
import { plural } from '../util/plural.ts';
import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import type { ProjectResource, Repository } from '../manifest/types.ts';
import { createBody, createProjectOnce, updateBody } from '../kinds/project/write.ts';
import type { LiveState } from '../state/live-state.ts';

export type ApplyEvent =
  | { readonly type: 'start'; readonly change: ResourceChange; readonly index: number; readonly total: number }
  | { readonly type: 'done'; readonly change: ResourceChange; readonly id: number; readonly ms: number; readonly note?: string }
  | { readonly type: 'failed'; readonly change: ResourceChange; readonly message: string; readonly ms: number }
  | { readonly type: 'skipped'; readonly change: ResourceChange; readonly reason: string };

export interface StepResult {
  readonly key: string;
  readonly action: ResourceChange['action'];
  readonly outcome: 'done' | 'failed' | 'skipped';
  readonly id?: number;
  readonly message?: string;
}

export interface ApplyPorts {
  readonly client: LabelStudioClient;
  readonly progress: (e: ApplyEvent) => void;
  readonly now: () => number;
  /** Asks a person to confirm one deletion (type the title back); absent when not interactive. */
  readonly confirmDelete?: (change: ResourceChange) => Promise<boolean>;
  /** Imports declared task files after a create or update; returns a note for the progress line. */
  readonly importTasks?: (projectId: number, change: ResourceChange, desired: ProjectResource) => Promise<string>;
}

export interface ApplyOptions {
  readonly allowDataLoss: boolean;
}

/**
 * Carries out a plan, one project at a time (Label Studio on SQLite serialises writes anyway):
 * creates first, then adoptions and updates, then deletes. A failure on one project is reported
 * and the others go on.
 */
export async function applyPlan(plan: Plan, repo: Repository, live: LiveState, ports: ApplyPorts, opts: ApplyOptions): Promise<StepResult[]> {
  const desiredByKey = new Map(repo.projects.map((p) => [p.name, p]));
  const liveById = new Map(live.projects.map((p) => [p.id, p]));
  const order: ResourceChange['action'][] = ['create', 'adopt', 'update', 'delete'];
  const steps = plan.changes.filter((c) => c.action !== 'no-op').sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action));
  const results: StepResult[] = [];
  for (const [index, change] of steps.entries()) {
    ports.progress({ type: 'start', change, index, total: steps.length });
    const started = ports.now();
    const marker = { namespace: plan.namespace, key: change.key };
    try {
      const desired = desiredByKey.get(change.key);
      let id: number;
      const notes: string[] = [];
      switch (change.action) {
        case 'create': {
          const outcome = await createProjectOnce(ports.client, createBody(need(desired, change), marker), marker);
          id = outcome.id;
          if (outcome.found) notes.push(`found id ${id} already carrying the marker (an earlier run created it)`);
          break;
        }
        case 'adopt':
        case 'update': {
          id = change.id!;
          const fields = change.fields.map((f) => f.field);
          if (fields.length || change.action === 'adopt') {
            const current = liveById.get(id);
            await ports.client.updateProject(id, updateBody(need(desired, change), fields, current?.description ?? '', marker, change.action === 'adopt'));
          }
          break;
        }
        case 'delete': {
          id = change.id!;
          if ((change.annotations ?? 0) > 0 && !opts.allowDataLoss) {
            throw new Refusal(`has ${plural(change.annotations ?? 0, 'annotation')}; deleting would lose them (pass --allow-data-loss to delete anyway)`);
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
      results.push({ key: change.key, action: change.action, outcome: 'done', id });
      ports.progress({ type: 'done', change, id, ms: ports.now() - started, ...(notes.length ? { note: notes.join('; ') } : {}) });
    } catch (err) {
      const where = change.file ? ` (${change.file}${change.line ? `:${change.line}` : ''})` : '';
      const message = `${err instanceof Refusal || isApiError(err) || isUserError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`}${change.action === 'delete' ? '' : where}`;
      results.push({ key: change.key, action: change.action, outcome: 'failed', message, ...(change.id ? { id: change.id } : {}) });
      ports.progress({ type: 'failed', change, message, ms: ports.now() - started });
    }
  }
  return results;
}

class Refusal extends Error {}

function need(desired: ProjectResource | undefined, change: ResourceChange): ProjectResource {
  if (!desired) throw new Refusal(`no manifest for "${change.key}" any more`);
  return desired;
}
