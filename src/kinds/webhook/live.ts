import type { LabelStudioClient } from '../../api/client.ts';
import type { LiveResource } from '../kind.ts';
import { parentKeyOf } from '../shared/read-scope.ts';
import { urlTitle } from '../shared/url-title.ts';
import { parseWebhookMarker } from './marker.ts';
import type { LiveWebhook, LsWebhook } from './types.ts';

/**
 * Every webhook of the organization in one request (`GET /api/webhooks/`: all projects' and the
 * organization's, not paginated). A webhook's parent key is the marker key of its project.
 */
export async function readLiveWebhooks(
  client: LabelStudioClient,
  parents: readonly LiveResource[],
  namespace: string,
): Promise<LiveWebhook[]> {
  const list = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/');
  return list.map((w) => toLiveWebhook(w, parents, namespace));
}

export function toLiveWebhook(w: LsWebhook, parents: readonly LiveResource[], namespace: string): LiveWebhook {
  const mine = parseWebhookMarker(w.headers);
  return {
    id: w.id,
    title: urlTitle(w.url),
    ...(mine
      ? { marker: { ...mine, ...(w.project !== null ? { parent: parentKeyOf(parents, w.project, namespace) } : {}) } }
      : {}),
    ...(w.project !== null ? { parentId: w.project } : {}),
    raw: w,
  };
}
