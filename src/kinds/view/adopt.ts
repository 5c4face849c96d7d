import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { showTitle } from '../../util/redact.ts';
import { UserError } from '../../util/errors.ts';
import { formatViewMarker, MARKER_KEY, parseViewMarker } from './marker.ts';
import type { LsView, ViewResource } from './types.ts';

/** Adds the marker to an existing tab's `data` (sent whole: a PATCH replaces it). */
export async function adoptView(
  client: LabelStudioClient,
  id: number,
  desired: ViewResource,
  ctx: { readonly namespace: string; readonly parentId?: number },
): Promise<{ already: boolean; title: string }> {
  const v = await client.http.request<LsView>('GET', `/api/dm/views/${id}/`).catch((err: unknown) => {
    if (isApiError(err) && err.status === 404)
      throw new UserError(`no Data Manager tab with id ${id} on ${client.http.baseUrl}`);
    throw err;
  });
  // Named by id; its title only when the manifest writes it in git, and masked when it holds a secret value.
  const title = `tab ${v.id}${desired.sensitive.has('title') ? '' : ` ${showTitle(String(v.data?.title ?? ''))}`}`;
  const current = parseViewMarker(v);
  if (current?.namespace === ctx.namespace && current.key === desired.name) return { already: true, title };
  if (current) throw new UserError(`${title} is already managed as ${current.namespace}/${current.key}`);
  if (v.project !== ctx.parentId)
    throw new UserError(
      `${title} belongs to project ${v.project}, but ${desired.file} declares it for project ${desired.parent}${ctx.parentId ? ` (id ${ctx.parentId})` : ''}; a tab cannot move`,
    );
  await client.http.request('PATCH', `/api/dm/views/${v.id}/`, {
    data: { data: { ...(v.data ?? {}), [MARKER_KEY]: formatViewMarker(ctx.namespace, desired.name) } },
  });
  return { already: false, title };
}
