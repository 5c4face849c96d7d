import equal from 'fast-deep-equal';
import type { LabelStudioClient, TaskFilter } from '../api/client.ts';
import type { LsTask } from '../api/types.ts';
import { itemOf, listTagged, metaContains, readTaggedTasks } from './tagged-tasks.ts';

export interface SettleReport {
  /** Tasks beyond one per item (copies) found in the scope. */
  readonly extra: number;
  /** Copies the server deleted. */
  readonly removed: number;
  readonly removedIds: readonly number[];
  /** Later copies left because someone worked on them: never deleted, for a person to look at. */
  readonly kept: readonly number[];
}

/**
 * Settles the tasks carrying `scope` to one task per item (` item=<index>` in the tag: one row
 * of one file). Copies come from the server running an import request twice (its SQLite retry
 * middleware) or from two runs importing the same rows. For each item the lowest id stays, so
 * racing runs settle on the same task; a later copy is deleted only when it is as the import
 * left it (see {@link isUntouchedCopy}), and otherwise reported. Tags without an item (written
 * by older versions) are left alone.
 */
export async function settleCopies(client: LabelStudioClient, projectId: number, scope: string): Promise<SettleReport> {
  const byItem = new Map<number, number[]>();
  for await (const page of listTagged(client, projectId, scope)) {
    for (const t of page) {
      const item = itemOf(t.tag);
      if (item === undefined) continue;
      const ids = byItem.get(item);
      if (ids) ids.push(t.id);
      else byItem.set(item, [t.id]);
    }
  }
  const groups = [...byItem.values()].filter((ids) => ids.length > 1).map((ids) => ids.sort((a, b) => a - b));
  const extra = groups.reduce((n, ids) => n + ids.length - 1, 0);
  if (extra === 0) return { extra: 0, removed: 0, removedIds: [], kept: [] };

  const details = new Map((await readTaggedTasks(client, projectId, scope, groups.flat())).map((t) => [t.id, t]));
  const deletable: LsTask[] = [];
  const kept: number[] = [];
  for (const [first, ...later] of groups) {
    const original = details.get(first!);
    for (const id of later) {
      const copy = details.get(id);
      if (!copy) continue; // gone meanwhile (another run settled it)
      if (original && isUntouchedCopy(copy, original)) deletable.push(copy);
      else kept.push(id);
    }
  }
  const removed = await deleteCopies(client, projectId, scope, deletable);
  return { extra, removed, removedIds: deletable.map((t) => t.id), kept };
}

/**
 * A copy as the import left it: no drafts, no comments, nobody recorded on the task, every
 * annotation one that came with the import and was never edited (the server leaves
 * `updated_by` empty on imported annotations and sets it on any made or changed through the
 * API or the UI), and the same data as the task that stays.
 */
export function isUntouchedCopy(copy: LsTask, original: LsTask): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  if (list(copy.drafts).length > 0 || copy.draft_exists === true) return false;
  if (Number(copy.comment_count ?? 0) > 0) return false;
  if (list(copy.updated_by).length > 0) return false;
  if (list(copy.annotations).some((a) => (a as { updated_by?: unknown }).updated_by != null)) return false;
  return equal(copy.data, original.data);
}

/**
 * Deletes in one request per annotation shape, with the scope and the shape as filters: a task
 * annotated after it was read, or a recycled id (SQLite hands a deleted id to the next task), no
 * longer matches and stays. A copy without annotations is guarded by "no annotation rows"
 * (`annotations_ids` empty), which holds even when the server's per-task counters are stale (they
 * stop updating on 1.23.2 once overlapping project deletes have switched its signals off); a
 * copy imported with annotations can only be guarded by those counters.
 */
async function deleteCopies(
  client: LabelStudioClient,
  projectId: number,
  scope: string,
  tasks: readonly LsTask[],
): Promise<number> {
  const shapes = new Map<string, { where: TaskFilter[]; ids: number[] }>();
  for (const t of tasks) {
    const rows = Array.isArray(t.annotations) ? t.annotations.length : 0;
    const annotations = Number(t.total_annotations ?? 0);
    const cancelled = Number(t.cancelled_annotations ?? 0);
    const key = rows === 0 ? 'none' : `${annotations}/${cancelled}`;
    const where: TaskFilter[] =
      rows === 0
        ? [
            metaContains(scope),
            { filter: 'filter:tasks:annotations_ids', operator: 'empty', type: 'String', value: 'true' },
          ]
        : [
            metaContains(scope),
            { filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: annotations },
            { filter: 'filter:tasks:cancelled_annotations', operator: 'equal', type: 'Number', value: cancelled },
          ];
    const shape = shapes.get(key) ?? { where, ids: [] };
    shape.ids.push(t.id);
    shapes.set(key, shape);
  }
  let removed = 0;
  for (const { where, ids } of shapes.values()) {
    for (let i = 0; i < ids.length; i += 500)
      removed += await client.deleteTasks(projectId, ids.slice(i, i + 500), where);
  }
  return removed;
}
