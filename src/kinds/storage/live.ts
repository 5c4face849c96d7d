import pLimit from 'p-limit';
import type { LabelStudioClient } from '../../api/client.ts';
import type { LiveResource } from '../kind.ts';
import { parseDescriptionMarker } from '../shared/description-marker.ts';
import { parentKeyOf } from '../shared/read-scope.ts';
import type { Direction, LiveStorage, LsStorage } from './types.ts';

/**
 * The storages of the given projects, every type in one request per project
 * (`GET /api/storages/?project=N`, or `/api/storages/export?project=N`); the list needs a project.
 */
export async function readLiveStorages(
  client: LabelStudioClient,
  direction: Direction,
  parents: readonly LiveResource[],
  namespace: string,
): Promise<LiveStorage[]> {
  const limit = pLimit(4);
  const path = direction === 'import' ? '/api/storages/' : '/api/storages/export';
  const lists = await Promise.all(
    parents.map((p) => limit(() => client.http.request<LsStorage[]>('GET', path, { params: { project: p.id } }))),
  );
  return lists.flat().map((s) => toLiveStorage(s, parents, namespace));
}

export function toLiveStorage(s: LsStorage, parents: readonly LiveResource[], namespace: string): LiveStorage {
  const mine = parseDescriptionMarker(s.description);
  const parentKey = parentKeyOf(parents, s.project, namespace);
  return {
    id: s.id,
    title: `${s.type} ${s.title || String(s.bucket ?? s.container ?? s.path ?? s.id)}`,
    ...(mine ? { marker: { namespace: mine.namespace, key: mine.key, parent: parentKey } } : {}),
    ...(mine?.secret ? { secretFingerprint: mine.secret } : {}),
    parentId: s.project,
    raw: s,
  };
}
