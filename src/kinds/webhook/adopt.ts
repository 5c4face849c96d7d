import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { UserError } from '../../util/errors.ts';
import { showUrl } from '../../util/redact.ts';
import { formatWebhookMarker, MARKER_HEADER, parseWebhookMarker, withoutMarker } from './marker.ts';
import { MAX_MANIFEST_HEADERS, type LsWebhook, type WebhookResource } from './types.ts';

/** Adds the marker header to an existing webhook (its actions sent back as they are: a PATCH without them clears them). */
export async function adoptWebhook(
  client: LabelStudioClient,
  id: number,
  desired: WebhookResource,
  ctx: { readonly namespace: string; readonly parentId?: number },
): Promise<{ already: boolean; title: string }> {
  const w = await client.http.request<LsWebhook>('GET', `/api/webhooks/${id}/`).catch((err: unknown) => {
    if (isApiError(err) && err.status === 404)
      throw new UserError(`no webhook with id ${id} on ${client.http.baseUrl}`);
    throw err;
  });
  // Named by id; its URL only when the manifest writes it in git, and with any credential masked.
  const title = `webhook ${w.id}${desired.sensitive.has('url') ? '' : ` (${showUrl(w.url)})`}`;
  const current = parseWebhookMarker(w.headers);
  if (current?.namespace === ctx.namespace && current.key === desired.name) return { already: true, title };
  if (current)
    throw new UserError(
      `${title} is already managed as ${current.namespace}/${current.key}; remove its ${MARKER_HEADER} header first`,
    );
  if ((w.project ?? undefined) !== ctx.parentId) {
    throw new UserError(
      `${title} belongs to ${w.project === null ? 'the organization' : `project ${w.project}`}, but ${desired.file} declares it for ${desired.parent ? `project ${desired.parent}${ctx.parentId ? ` (id ${ctx.parentId})` : ' (not on the server yet)'}` : 'the organization'}; a webhook cannot move`,
    );
  }
  const headers = Object.keys(withoutMarker(w.headers)).length;
  if (headers > MAX_MANIFEST_HEADERS)
    throw new UserError(
      `${title} has ${headers} headers; the server allows 10 and labelform needs one for its ownership marker (${MARKER_HEADER}), so it can manage a webhook with at most ${MAX_MANIFEST_HEADERS}. Remove a header in Label Studio first`,
    );
  const all = await client.http.request<LsWebhook[]>(
    'GET',
    '/api/webhooks/',
    w.project === null ? {} : { params: { project: w.project } },
  );
  const holder = all.find(
    (o) =>
      o.id !== w.id &&
      parseWebhookMarker(o.headers)?.namespace === ctx.namespace &&
      parseWebhookMarker(o.headers)?.key === desired.name &&
      o.project === w.project,
  );
  if (holder)
    throw new UserError(
      `webhook ${holder.id} already carries the marker of ${desired.name}; one key can manage one webhook`,
    );
  await client.http.request('PATCH', `/api/webhooks/${w.id}/`, {
    data: {
      headers: { ...withoutMarker(w.headers), [MARKER_HEADER]: formatWebhookMarker(ctx.namespace, desired.name) },
      actions: w.actions,
    },
  });
  return { already: false, title };
}
