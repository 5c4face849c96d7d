import pLimit from 'p-limit';
import type { LabelStudioClient } from '../../api/client.ts';
import type { LiveResource } from '../kind.ts';
import { parseDescriptionMarker } from '../shared/description-marker.ts';
import { parentKeyOf } from '../shared/read-scope.ts';
import { urlTitle } from '../shared/url-title.ts';
import type { LiveMlBackend, LsMlBackend } from './types.ts';

/** How many projects' backends are read at once: each read makes the server call every backend of that project. */
const PARALLEL = 4;

/**
 * The ML backends of the given projects: `GET /api/ml/?project=N` per project (the list needs a
 * project). The server contacts every backend while it answers (health, then setup), so reads go
 * in parallel and one dead backend costs its project's read at most the server's 1 s health
 * timeout, never the plan.
 */
export async function readLiveMlBackends(
  client: LabelStudioClient,
  parents: readonly LiveResource[],
  namespace: string,
): Promise<LiveMlBackend[]> {
  const limit = pLimit(PARALLEL);
  const lists = await Promise.all(
    parents.map((p) =>
      limit(() => client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: p.id } })),
    ),
  );
  return lists.flat().map((b) => toLiveMlBackend(b, parents, namespace));
}

export function toLiveMlBackend(b: LsMlBackend, parents: readonly LiveResource[], namespace: string): LiveMlBackend {
  const mine = parseDescriptionMarker(b.description);
  const parentKey = parentKeyOf(parents, b.project, namespace);
  return {
    id: b.id,
    title: b.title || urlTitle(b.url),
    ...(mine ? { marker: { namespace: mine.namespace, key: mine.key, parent: parentKey } } : {}),
    ...(mine?.secret ? { secretFingerprint: mine.secret } : {}),
    parentId: b.project,
    raw: b,
  };
}
