import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { arrayAt, hasString, isRecord } from '../../util/narrow.ts';

/** How many annotations (and drafts) use each control tag and each of its labels. */
export interface AnnotationUsage {
  readonly annotations: number;
  /** control name -> annotations with a result from that control */
  readonly controls: Readonly<Record<string, number>>;
  /** control name -> label -> annotations using that label */
  readonly labels: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Tasks with at least one annotation or draft (Data Manager filters; checked on 1.23.2). The
 * task's stored `total_annotations` is not enough: editing an annotation through the API
 * (`PATCH /api/annotations/{id}/`) leaves it at 0 on 1.23.2 (and empties the project summary's
 * labels), so the live list of annotation ids is asked too.
 */
const WITH_ANNOTATIONS_OR_DRAFTS = JSON.stringify({
  filters: {
    conjunction: 'or',
    items: [
      { filter: 'filter:tasks:total_annotations', operator: 'greater', type: 'Number', value: 0 },
      { filter: 'filter:tasks:annotations_ids', operator: 'empty', type: 'String', value: false },
      { filter: 'filter:tasks:drafts', operator: 'greater', type: 'Number', value: 0 },
    ],
  },
});

/**
 * Counts label use by reading the annotations and drafts themselves (`/api/tasks/?fields=all`,
 * only the tasks that have any). The server's own guard is not enough (probed on 1.23.2): its
 * project summary misses annotations that came in through the import endpoint, and it lets a
 * config drop the last control tag. Only called for a config change that takes something away.
 */
export async function readAnnotationUsage(client: LabelStudioClient, projectId: number): Promise<AnnotationUsage> {
  let annotations = 0;
  const controls: Record<string, number> = {};
  const labels: Record<string, Record<string, number>> = {};
  try {
    for await (const tasks of client.listTasks(projectId, {
      fields: 'all',
      pageSize: 500,
      query: WITH_ANNOTATIONS_OR_DRAFTS,
    })) {
      for (const task of tasks) {
        for (const item of [...arrayAt(task, 'annotations'), ...arrayAt(task, 'drafts')]) {
          const result = isRecord(item) ? item.result : undefined;
          if (!Array.isArray(result)) continue;
          annotations++;
          const usedControls = new Set<string>();
          // Each (control, label) pair once per annotation, by a key joining the two.
          const usedLabels = new Map<string, readonly [string, string]>();
          for (const r of result) {
            if (!hasString(r, 'from_name')) continue;
            const from = r.from_name;
            usedControls.add(from);
            for (const label of labelsOf(r.value)) usedLabels.set(`${from}\u0000${label}`, [from, label]);
          }
          for (const c of usedControls) controls[c] = (controls[c] ?? 0) + 1;
          for (const [c, l] of usedLabels.values()) (labels[c] ??= {})[l] = (labels[c][l] ?? 0) + 1;
        }
      }
    }
  } catch (err) {
    if (!(isApiError(err) && err.status === 500 && (await hasNoTasks(client, projectId)))) throw err;
  }
  return { annotations, controls, labels };
}

/** Label values in a result's `value`: `{choices: [..]}`, `{rectanglelabels: [..]}`, taxonomy paths. */
function labelsOf(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === 'text' || !Array.isArray(v)) continue; // free text (TextArea) is not a label
    for (const item of v.flat(3)) if (typeof item === 'string') out.push(item);
  }
  return out;
}

/**
 * On a project without tasks, 1.23.2 answers the filtered task list with HTTP 500 ("Field 'id'
 * expected a number but got ''"), which made a label removed from an empty project unplannable.
 * After a 500, one unfiltered page of one task tells: no tasks means no annotations, no drafts.
 */
async function hasNoTasks(client: LabelStudioClient, projectId: number): Promise<boolean> {
  return (await client.listTasksPage(projectId, 1, { pageSize: 1 })).total === 0;
}
