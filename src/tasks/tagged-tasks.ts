import type { LabelStudioClient, TaskFilter } from '../api/client.ts';
import type { LsTask, LsTaskPage } from '../api/types.ts';

/**
 * labelform marks every task it imports with one string in `meta.labelform` (the server keeps
 * task meta, checked on 1.23.2). The Data Manager filter `filter:tasks:meta` "contains" finds
 * them, so "how many tasks of this import / this dataset file / this batch are on the server" is
 * one request.
 *
 * A tag reads `<scope> batch=<run>.<n> item=<index>[<suffix>]`: the scope names the import
 * (`labelform-import=<id>`) or the dataset file (`labelform-dataset=<id> file=<hash>`), the batch
 * the request that sent the task (unique to one run), the item the task's position in its file.
 * So a batch the server stored twice shows as more tasks than the batch had, and two tasks with
 * the same scope and item are copies of one row.
 */
export const META_KEY = 'labelform';

export function taskTag(scope: string, batch: string, index: number, suffix = ''): string {
  return `${scope} batch=${batch} item=${index}${suffix}`;
}

/** The text all tasks of one batch carry and no other task does (the space ends the batch name). */
export function batchText(scope: string, batch: string): string {
  return `${scope} batch=${batch} `;
}

/** The text all tasks of one run (every batch it sent) carry and no other task does. */
export function runText(scope: string, runId: string): string {
  return `${scope} batch=${runId}.`;
}

/** The file position a tag names, or undefined for a tag written before tags had one. */
export function itemOf(tag: string): number | undefined {
  const m = / item=(\d+)(?: |$)/.exec(tag);
  return m ? Number(m[1]) : undefined;
}

export function metaContains(text: string): TaskFilter {
  return { filter: 'filter:tasks:meta', operator: 'contains', type: 'String', value: text };
}

function metaQuery(text: string, ids?: readonly number[]): string {
  return JSON.stringify({
    filters: { conjunction: 'and', items: [metaContains(text)] },
    ...(ids ? { selectedItems: { all: false, included: ids } } : {}),
  });
}

export async function countTaggedTasks(client: LabelStudioClient, projectId: number, text: string): Promise<number> {
  const page = await client.http.request<LsTaskPage>('GET', '/api/tasks/', {
    params: { project: projectId, page: 1, page_size: 1, fields: 'task_only', query: metaQuery(text) },
  });
  return Number(page.total) || 0;
}

/** The `meta.labelform` strings of every task carrying `text`, page by page. */
export async function* listTaggedMeta(
  client: LabelStudioClient,
  projectId: number,
  text: string,
  pageSize = 1000,
): AsyncGenerator<string[]> {
  for await (const tasks of listTagged(client, projectId, text, pageSize)) yield tasks.map((t) => t.tag);
}

/** Id and tag of every task carrying `text`, page by page. */
export async function* listTagged(
  client: LabelStudioClient,
  projectId: number,
  text: string,
  pageSize = 1000,
): AsyncGenerator<Array<{ id: number; tag: string }>> {
  for await (const tasks of client.listTasks(projectId, { pageSize, fields: 'task_only', query: metaQuery(text) })) {
    yield tasks.map((t) => ({ id: t.id, tag: tagOf(t) }));
  }
}

/**
 * The tasks with these ids that still carry `text`, with annotations, drafts and comments
 * (`fields=all`). Asked for a few hundred ids at a time: the selection travels in the URL.
 */
export async function readTaggedTasks(
  client: LabelStudioClient,
  projectId: number,
  text: string,
  ids: readonly number[],
): Promise<LsTask[]> {
  const out: LsTask[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    for await (const tasks of client.listTasks(projectId, {
      pageSize: chunk.length,
      fields: 'all',
      query: metaQuery(text, chunk),
    }))
      out.push(...tasks);
  }
  return out;
}

export function tagOf(task: LsTask): string {
  return String(task.meta?.[META_KEY] ?? '');
}
