import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { UserError } from '../../util/errors.ts';
import { showTitle, showUrl } from '../../util/redact.ts';
import { keepBasicAuth } from './apply.ts';
import { parseDescriptionMarker, stripDescriptionMarker, withDescriptionMarker } from '../shared/description-marker.ts';
import type { LsMlBackend, MlBackendResource } from './types.ts';

/** Writes the marker line into an existing backend's description (url and project sent along, as the server needs). */
export async function adoptMlBackend(
  client: LabelStudioClient,
  id: number,
  desired: MlBackendResource,
  ctx: { readonly namespace: string; readonly parentId?: number },
): Promise<{ already: boolean; title: string }> {
  const b = await client.http.request<LsMlBackend>('GET', `/api/ml/${id}`).catch((err: unknown) => {
    if (isApiError(err) && err.status === 404)
      throw new UserError(`no ML backend with id ${id} on ${client.http.baseUrl}`);
    throw err;
  });
  // Named by id; its title or URL only when the manifest writes that in git, with secrets masked.
  const shown =
    b.title && !desired.sensitive.has('title')
      ? showTitle(b.title)
      : desired.sensitive.has('url')
        ? undefined
        : `(${showUrl(b.url)})`;
  const title = `ML backend ${b.id}${shown ? ` ${shown}` : ''}`;
  const current = parseDescriptionMarker(b.description);
  if (current?.namespace === ctx.namespace && current.key === desired.name) return { already: true, title };
  if (current) throw new UserError(`${title} is already managed as ${current.namespace}/${current.key}`);
  if (b.project !== ctx.parentId)
    throw new UserError(
      `${title} belongs to project ${b.project}, but ${desired.file} declares it for project ${desired.parent}${ctx.parentId ? ` (id ${ctx.parentId})` : ''}; it cannot move`,
    );
  await client.http.request('PATCH', `/api/ml/${b.id}`, {
    data: {
      project: b.project,
      url: b.url,
      ...keepBasicAuth(b.auth_method, b.basic_auth_user, false),
      description: withDescriptionMarker(stripDescriptionMarker(b.description), {
        namespace: ctx.namespace,
        key: desired.name,
      }),
    },
    idempotent: true,
  });
  return { already: false, title };
}
