import type { LabelStudioClient } from '../../api/client.ts';
import { Refusal, type ApplyRun, type KindApplier } from '../kind.ts';
import { confirmedDelete, deleteIgnoringGone, need } from '../shared/apply-child.ts';
import { createSettled } from '../shared/create-settled.ts';
import { formatViewMarker, MARKER_KEY, parseViewMarker } from './marker.ts';
import { VIEW_FIELDS, type LiveView, type LsView, type ViewResource } from './types.ts';

/**
 * View steps. A PATCH of `data` replaces all of it (the UI's other keys included; filters and
 * ordering, kept in rows of their own, stay unless sent), so every write sends the whole `data`:
 * what the server has, the managed fields over it, and the marker. A create is settled at once
 * like a webhook's: tabs hold no data, so extra copies carrying the marker are deleted.
 */
export function startViewApply(run: ApplyRun<LiveView>): KindApplier<ViewResource> {
  const { client } = run;
  const marker = (key: string) => formatViewMarker(run.namespace, key);
  return {
    async create(change, desired, parentId) {
      const want = need(desired, change.key);
      if (parentId === undefined) throw new Refusal(`its project ${want.parent} has no id`);
      const { found: _found, ...done } = await createSettled<LsView>({
        carriers: () => carriers(client, parentId, run.namespace, change.key),
        create: async () =>
          (
            await client.http.request<LsView>('POST', '/api/dm/views/', {
              data: { project: parentId, data: writeData(want, undefined, marker(change.key)) },
            })
          ).id,
        update: async (found) =>
          void (await client.http.request('PATCH', `/api/dm/views/${found.id}/`, {
            data: { data: writeData(want, found, marker(change.key)) },
          })),
        remove: (copy) => deleteIgnoringGone(() => client.http.request('DELETE', `/api/dm/views/${copy.id}/`)),
      });
      return done;
    },
    async update(change, desired) {
      const want = need(desired, change.key);
      const live = await client.http.request<LsView>('GET', `/api/dm/views/${change.id}/`);
      await client.http.request('PATCH', `/api/dm/views/${change.id}/`, {
        data: { data: writeData(want, live, marker(change.key)) },
      });
      return { id: change.id };
    },
    delete: (change) =>
      confirmedDelete(run, change, 'the title typed back did not match', () =>
        client.http.request('DELETE', `/api/dm/views/${change.id}/`),
      ),
  };
}

/** The whole `data` to send: the server's, the managed fields over it, the marker. */
export function writeData(
  desired: ViewResource,
  live: LsView | undefined,
  markerValue: string,
): Record<string, unknown> {
  const data: Record<string, unknown> = { ...(live?.data ?? {}) };
  for (const f of VIEW_FIELDS) if (desired.spec[f] !== undefined) data[f] = desired.spec[f];
  data[MARKER_KEY] = markerValue;
  return data;
}

async function carriers(
  client: LabelStudioClient,
  projectId: number,
  namespace: string,
  key: string,
): Promise<LsView[]> {
  const list = await client.http.request<LsView[]>('GET', '/api/dm/views/', { params: { project: projectId } });
  return list
    .filter(
      (v) => v.project === projectId && parseViewMarker(v)?.namespace === namespace && parseViewMarker(v)?.key === key,
    )
    .sort((a, b) => a.id - b.id);
}
