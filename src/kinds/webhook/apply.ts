import type { LabelStudioClient } from '../../api/client.ts';
import { Refusal, type ApplyRun, type KindApplier } from '../kind.ts';
import { confirmedDelete, deleteIgnoringGone, need } from '../shared/apply-child.ts';
import { createSettled } from '../shared/create-settled.ts';
import { liveWebhookValue } from './compare.ts';
import { formatWebhookMarker, MARKER_HEADER, parseWebhookMarker, withoutMarker } from './marker.ts';
import { WEBHOOK_FIELDS, type LiveWebhook, type LsWebhook, type WebhookResource } from './types.ts';

/**
 * Webhook steps. Every write sends `actions` and `headers` in full (the server clears actions on
 * a PATCH without them and replaces the headers map), the headers always with the marker. A
 * create is settled at once: webhooks hold no data, so when more than one carries the marker
 * (the server ran the POST twice, or a racing run posted too) all but the lowest id are deleted.
 */
export function startWebhookApply(run: ApplyRun<LiveWebhook>): KindApplier<WebhookResource> {
  const { client } = run;
  const marker = (key: string) => formatWebhookMarker(run.namespace, key);
  return {
    async create(change, desired, parentId) {
      const want = need(desired, change.key);
      if (parentId === undefined) throw new Refusal('an organization webhook cannot be created through the API');
      const { found: _found, ...done } = await createSettled<LsWebhook>({
        carriers: () => carriers(client, parentId, run.namespace, change.key),
        create: async () =>
          (
            await client.http.request<LsWebhook>('POST', '/api/webhooks/', {
              data: { project: parentId, ...writeBody(want, undefined, marker(change.key)) },
            })
          ).id,
        update: async (found) =>
          void (await client.http.request('PATCH', `/api/webhooks/${found.id}/`, {
            data: writeBody(want, found, marker(change.key)),
          })),
        remove: (copy) => deleteIgnoringGone(() => client.http.request('DELETE', `/api/webhooks/${copy.id}/`)),
      });
      return done;
    },

    async update(change, desired) {
      const want = need(desired, change.key);
      const live = await client.http.request<LsWebhook>('GET', `/api/webhooks/${change.id}/`);
      await client.http.request('PATCH', `/api/webhooks/${change.id}/`, {
        data: writeBody(want, live, marker(change.key)),
      });
      return { id: change.id };
    },

    delete: (change) =>
      confirmedDelete(run, change, 'the URL typed back did not match', () =>
        client.http.request('DELETE', `/api/webhooks/${change.id}/`),
      ),
  };
}

/**
 * What a POST or PATCH sends: every field the manifest sets; for the rest, what the server has
 * (so `actions` and `headers` are never left out); the headers with the marker.
 */
export function writeBody(
  desired: WebhookResource,
  live: LsWebhook | undefined,
  markerValue: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of WEBHOOK_FIELDS) {
    const v = desired.spec[f] ?? (live ? liveWebhookValue({ id: live.id, title: live.url, raw: live }, f) : undefined);
    if (v !== undefined) body[f] = v;
  }
  body.actions = desired.spec.actions ?? live?.actions ?? [];
  body.headers = { ...withoutMarker(desired.spec.headers ?? live?.headers ?? {}), [MARKER_HEADER]: markerValue };
  return body;
}

/** The webhooks of a project carrying this key's marker, lowest id first. */
async function carriers(
  client: LabelStudioClient,
  projectId: number,
  namespace: string,
  key: string,
): Promise<LsWebhook[]> {
  const list = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/', { params: { project: projectId } });
  return list
    .filter((w) => {
      const m = parseWebhookMarker(w.headers);
      return m?.namespace === namespace && m.key === key && w.project === projectId;
    })
    .sort((a, b) => a.id - b.id);
}
