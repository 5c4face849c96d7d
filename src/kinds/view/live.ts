import type { LabelStudioClient } from '../../api/client.ts';
import type { LiveResource } from '../kind.ts';
import { parentKeyOf } from '../shared/read-scope.ts';
import { parseViewMarker } from './marker.ts';
import type { LiveView, LsView } from './types.ts';

/**
 * Every tab of the organization in one request: `GET /api/dm/views/` without `?project=` lists
 * them all (measured on 1.23.2), not paginated. A tab's parent key is its project's marker key.
 */
export async function readLiveViews(
  client: LabelStudioClient,
  parents: readonly LiveResource[],
  namespace: string,
): Promise<LiveView[]> {
  const list = await client.http.request<LsView[]>('GET', '/api/dm/views/');
  return list.map((v) => toLiveView(v, parents, namespace));
}

export function toLiveView(v: LsView, parents: readonly LiveResource[], namespace: string): LiveView {
  const mine = parseViewMarker(v);
  const parentKey = parentKeyOf(parents, v.project, namespace);
  const title = typeof v.data?.title === 'string' ? v.data.title : '';
  return { id: v.id, title, ...(mine ? { marker: { ...mine, parent: parentKey } } : {}), parentId: v.project, raw: v };
}
