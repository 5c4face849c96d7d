import type { LabelStudioClient } from '../api/client.ts';
import type { LsTaskPage } from '../api/types.ts';

/**
 * labelform marks every task it imports with one string in `meta.labelform` (the server keeps
 * task meta, checked on 1.23.2). The Data Manager filter `filter:tasks:meta` "contains" finds
 * them, so "how many tasks of this import / this dataset file are on the server" is one request.
 */
export const META_KEY = 'labelform';

function metaQuery(text: string): string {
  return JSON.stringify({ filters: { conjunction: 'and', items: [{ filter: 'filter:tasks:meta', operator: 'contains', type: 'String', value: text }] } });
}

export async function countTaggedTasks(client: LabelStudioClient, projectId: number, text: string): Promise<number> {
  const page = await client.http.request<LsTaskPage>('GET', '/api/tasks/', {
    params: { project: projectId, page: 1, page_size: 1, fields: 'task_only', query: metaQuery(text) },
  });
  return Number(page.total) || 0;
}

/** The `meta.labelform` strings of every task carrying `text`, page by page. */
export async function* listTaggedMeta(client: LabelStudioClient, projectId: number, text: string, pageSize = 1000): AsyncGenerator<string[]> {
  for await (const tasks of client.listTasks(projectId, { pageSize, fields: 'task_only', query: metaQuery(text) })) {
    yield tasks.map((t) => String((t.meta as Record<string, unknown> | null)?.[META_KEY] ?? ''));
  }
}
