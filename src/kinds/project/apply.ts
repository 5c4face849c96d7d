import type { LabelStudioClient } from '../../api/client.ts';
import { deleteIgnoringGone } from '../shared/apply-child.ts';
import type { LsProject } from '../../api/types.ts';
import type { CreateChange, DeleteChange, ResourceChange } from '../../generated/schema-types.ts';
import { plural } from '../../util/plural.ts';
import { Refusal, type ApplyRun, type KindApplier, type SettledEvent, type StepDone } from '../kind.ts';
import type { AppliedFrom } from './applied-record.ts';
import { createMarkerIndex, readProject, settleCarriers, type MarkerIndex } from './carriers.ts';
import { compareProject } from './compare.ts';
import { checkLabelConfigWriteNow } from './impact-guard.ts';
import { toLiveProject, type LiveProject } from './live.ts';
import { parseAppliedRecord, parseChildKinds, parseMarker, withChildKinds, type Marker } from './marker.ts';
import { doneMigrations } from './applied-record.ts';
import { applyMigrations, DEFAULT_JOURNAL_DIR, type MigrationApplyOptions } from './migrate/apply-migrations.ts';
import type { ProjectResource } from './types.ts';
import { createBody, createProjectOnce, updateBody } from './write.ts';

/** What the CLI passes to the Project applier through `ApplyRun.extras`. */
export interface ProjectApplyExtras {
  /** The commit (and repository) being applied, recorded in the marker of every project written. */
  readonly appliedFrom?: AppliedFrom;
  /** Imports declared task files after a create or update; returns a note for the progress line. */
  readonly importTasks?: (projectId: number, change: ResourceChange, desired: ProjectResource) => Promise<string>;
  /** How label migrations run (the plan's --delete-drafts, the journal directory, progress). */
  readonly migrations?: MigrationApplyOptions;
}

/**
 * Project's steps. Every create is settled: afterwards the key must be carried by exactly one
 * project (the lowest id; see createProjectOnce), checked once more for every created key at the
 * end of the run (`finish`). A label_config change is judged again against the annotations right
 * before it is sent.
 */
export function startProjectApply(run: ApplyRun<LiveProject>): KindApplier<ProjectResource> {
  const { client } = run;
  // Project's extras are built by the apply command, `satisfies ProjectApplyExtras` (cli/commands/apply.ts).
  const extras = run.extras as ProjectApplyExtras;
  const from = extras.appliedFrom;
  const sleep = run.sleep ? { sleep: run.sleep } : {};
  // Projects above this id were created during this run: only those may be removed as copies.
  const createdAfter = run.live.reduce((max, p) => Math.max(max, p.id), 0);
  let index: MarkerIndex | undefined;
  const created: Marker[] = [];
  const withTasks = async (
    id: number,
    change: ResourceChange,
    desired: ProjectResource | undefined,
    notes: string[],
  ): Promise<string[]> => {
    if (change.detail?.tasks?.length && extras.importTasks && desired)
      notes.push(await extras.importTasks(id, change, desired));
    return notes;
  };

  /**
   * The kinds of children the record of a project being written lists: what it recorded (read
   * just now when `description` is given, else as the plan read it) and what git declares under
   * it. A project whose marker records no children (older than that record) has its children read
   * now, once, so that the record it gets is true; without that port it stays unrecorded.
   */
  const childrenToRecord = async (
    id: number,
    key: string,
    description: string | undefined,
  ): Promise<string[] | undefined> => {
    const declared = run.childKindsOf?.(key) ?? [];
    const before = run.live.find((p) => p.id === id);
    let had = description !== undefined ? parseChildKinds(description) : before?.childKinds;
    if (had === undefined && before && run.childKindsFound) had = await run.childKindsFound(before);
    return had === undefined ? undefined : [...new Set([...had, ...declared])];
  };

  return {
    async create(change, desired) {
      const marker = { namespace: run.namespace, key: change.key };
      if (!index) {
        index = createMarkerIndex(
          client,
          // Every live read includes id, title, description and the counters: what the marker index reads.
          run.live.map((p) => p.fields as LsProject),
        );
        await index.refresh();
      }
      const want = need(desired, change);
      // The kinds of children about to be created under it are recorded with the project itself.
      const children = run.childKindsOf?.(change.key) ?? [];
      const outcome = await createProjectOnce(client, createBody(want, marker, from, children), marker, {
        index,
        createdAfter,
        ...sleep,
      });
      const id = outcome.id;
      created.push(marker);
      const notes: string[] = [];
      if (outcome.found)
        notes.push(
          `found id ${id} already carrying the marker (${outcome.found === 'before-post' ? 'another run created it' : 'the answer to the create was lost'})`,
        );
      if (outcome.createdId !== undefined)
        notes.push(`kept id ${id}, the lowest carrying the marker, instead of id ${outcome.createdId}`);
      if (outcome.removed.length) notes.push(`removed ${copies(outcome.removed)} made during this run`);
      if (outcome.left.length) notes.push(`left ${outcome.left.map((l) => `id ${l.id} (${l.reason})`).join(', ')}`);
      const settled = {
        ...(outcome.removed.length ? { removedCopies: outcome.removed } : {}),
        ...(outcome.left.length ? { leftCopies: outcome.left } : {}),
      };
      // The key settled on a project this run did not make: make it match the manifest too.
      if (outcome.found || outcome.createdId !== undefined) {
        const fixed = await alignProject(client, id, want, marker, from, children);
        if (fixed.length) notes.push(`updated ${fixed.join(', ')} on it`);
      }
      return { id, ...settled, notes: await withTasks(id, change, desired, notes) };
    },

    async update(change, desired) {
      const id = change.id;
      const marker = { namespace: run.namespace, key: change.key };
      const fields = change.fields.map((f) => f.field);
      const notes: string[] = [];
      // Label migrations first (expand, migrate, census); the final config is written below.
      const planned = change.detail?.migrations ?? [];
      let done: string[] = [];
      if (planned.length) {
        const want = need(desired, change);
        const ran = await applyMigrations(client, id, want, planned, run.namespace, {
          deleteDrafts: false,
          journalDir: DEFAULT_JOURNAL_DIR,
          ...extras.migrations,
        });
        notes.push(...ran.notes);
        done = ran.done;
        // The expanded config is on the server now: the final one goes back even if the plan had no config change.
        if (ran.expanded && !fields.includes('label_config')) fields.push('label_config');
      }
      // Migrations the marker already records as done stay recorded.
      const recorded = desired?.migrations.length ? await alreadyDone(client, id, desired) : [];
      if (fields.length || change.action === 'adopt' || done.length) {
        const want = need(desired, change);
        if (fields.includes('label_config')) {
          const problems = await checkLabelConfigWriteNow(client, id, want, new Set(done));
          if (problems.length) throw new Refusal(`label_config was not sent: ${problems.join('; ')}`);
        }
        // The description is always sent (it carries the marker and its applied record). When
        // the manifest does not manage it, the person-written part is read again right now, so
        // an edit made in the UI since the plan read it is kept, not overwritten.
        const liveDescription = want.spec.description !== undefined ? '' : await readDescription(client, id);
        const children = await childrenToRecord(id, change.key, liveDescription || undefined);
        await client.updateProject(
          id,
          updateBody(
            want,
            fields,
            liveDescription,
            marker,
            change.action === 'adopt' || done.length > 0,
            from,
            [...recorded, ...done],
            children,
          ),
        );
      }
      return { id, notes: await withTasks(id, change, desired, notes) };
    },

    async delete(change: DeleteChange): Promise<StepDone> {
      const id = change.id;
      const marker = { namespace: run.namespace, key: change.key };
      if ((change.detail?.annotations ?? 0) > 0 && !run.allowDataLoss) {
        throw new Refusal(
          `has ${plural(change.detail?.annotations ?? 0, 'annotation')}; deleting would lose them (pass --allow-data-loss to delete anyway)`,
        );
      }
      if (change.duplicateOf !== undefined) {
        // An empty copy (--dedupe): read it again right before deleting; anything that came
        // into it since the plan keeps it.
        const why = await whyNotAnEmptyCopy(client, id, marker);
        if (why === 'gone') return { id };
        if (why) throw new Refusal(`the copy was not deleted: ${why}`);
        await deleteIgnoringGone(() => client.deleteProject(id));
        return { id };
      }
      if (run.confirmDelete && !(await run.confirmDelete(change)))
        return { id, skipped: 'the title typed back did not match' };
      await client.deleteProject(id);
      return { id };
    },

    /**
     * The last look: every key this run created is carried by exactly one project. A copy that
     * appeared after its own create was settled (a racing run that posted later settles on the
     * same lowest id and removes its own copy; this catches what is left) is settled here the
     * same way.
     */
    async finish(report: (e: SettledEvent) => void) {
      if (!index || !created.length) return;
      await index.refresh();
      for (const marker of created) {
        const carriers = index.carriers(marker);
        if (carriers.length <= 1) continue;
        const s = await settleCarriers(client, carriers, createdAfter, { index, ...sleep });
        report({ kind: 'Project', key: marker.key, winner: s.winner.id, removed: s.removed, left: s.left });
      }
    },
  };
}

/**
 * Makes a project the key settled on match the manifest (it was made by another run or an
 * earlier one), and its record list the kinds of children about to be created under it.
 */
async function alignProject(
  client: LabelStudioClient,
  id: number,
  desired: ProjectResource,
  marker: Marker,
  from: AppliedFrom | undefined,
  children: readonly string[],
): Promise<string[]> {
  const live = toLiveProject(await client.getProject(id));
  const fields = compareProject(desired, live).map((f) => f.field);
  if (fields.length === 0) {
    // The description was read just now: one write, only when the record lacks a kind.
    const next = withChildKinds(live.description, children);
    if (next !== undefined) await client.updateProject(id, { description: next });
    return [];
  }
  if (fields.includes('label_config')) {
    const problems = await checkLabelConfigWriteNow(client, id, desired);
    if (problems.length)
      throw new Refusal(
        `project ${id} carries the marker but its label_config cannot be changed: ${problems.join('; ')}`,
      );
  }
  const had = live.childKinds;
  const record = had === undefined ? undefined : [...new Set([...had, ...children])];
  await client.updateProject(id, updateBody(desired, fields, live.description, marker, false, from, [], record));
  return fields;
}

/**
 * Makes a project's record of children list a kind (its code), read right before it is written:
 * nothing is written when it lists it already, or when the marker records no children at all
 * (every kind is read for such a project).
 */
export async function recordChildKind(client: LabelStudioClient, id: number, code: string): Promise<void> {
  const next = withChildKinds(await readDescription(client, id), [code]);
  if (next !== undefined) await client.updateProject(id, { description: next });
}

/** Why the copy must stay (or 'gone' when it is no longer there); undefined when it is an empty copy. */
async function whyNotAnEmptyCopy(client: LabelStudioClient, id: number, marker: Marker): Promise<string | undefined> {
  const now = await readProject(client, id);
  if (!now) return 'gone'; // a racing `apply --dedupe` removed it first
  const m = parseMarker(now.description);
  if (m?.namespace !== marker.namespace || m.key !== marker.key) return 'it no longer carries the marker';
  const tasks = Number(now.task_number ?? 0) || 0;
  const annotations = Number(now.total_annotations_number ?? 0) || 0;
  return tasks || annotations
    ? `it now holds ${plural(tasks, 'task')} and ${plural(annotations, 'annotation')}`
    : undefined;
}

/** The declared migrations the project's marker records as done (read now: the record is rewritten with every write). */
async function alreadyDone(client: LabelStudioClient, id: number, desired: ProjectResource): Promise<string[]> {
  return doneMigrations(desired, parseAppliedRecord(await readDescription(client, id)));
}

async function readDescription(client: LabelStudioClient, id: number): Promise<string> {
  const now = await client.http.request<LsProject>('GET', `/api/projects/${id}/`, {
    params: { include: 'id,description' },
  });
  return now.description ?? '';
}

function copies(ids: readonly number[]): string {
  return `${ids.length === 1 ? 'an empty copy' : `${ids.length} empty copies`} (id ${ids.join(', ')})`;
}

function need(desired: ProjectResource | undefined, change: CreateChange | ResourceChange): ProjectResource {
  if (!desired) throw new Refusal(`no manifest for "${change.key}" any more`);
  return desired;
}
