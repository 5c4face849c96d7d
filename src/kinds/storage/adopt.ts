import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { UserError } from '../../util/errors.ts';
import { parseDescriptionMarker, stripDescriptionMarker, withDescriptionMarker } from '../shared/description-marker.ts';
import { itemPath, type Direction, type LsStorage, type StorageResource } from './types.ts';

/** Writes the marker line into an existing storage's description (its type is the manifest's). */
export function storageAdopter(direction: Direction) {
  return async (
    client: LabelStudioClient,
    id: number,
    desired: StorageResource,
    ctx: { readonly namespace: string; readonly parentId?: number },
  ): Promise<{ already: boolean; title: string }> => {
    const path = itemPath(direction, desired.spec.type, id);
    const s = await client.http.request<LsStorage>('GET', path).catch((err: unknown) => {
      if (isApiError(err) && err.status === 404)
        throw new UserError(
          `no ${direction} storage of type ${desired.spec.type} with id ${id} on ${client.http.baseUrl}`,
        );
      throw err;
    });
    const title = `${direction} storage ${s.id} (${s.type})`;
    const current = parseDescriptionMarker(s.description);
    if (current?.namespace === ctx.namespace && current.key === desired.name) return { already: true, title };
    if (current) throw new UserError(`${title} is already managed as ${current.namespace}/${current.key}`);
    if (s.project !== ctx.parentId)
      throw new UserError(
        `${title} belongs to project ${s.project}, but ${desired.file} declares it for project ${desired.parent}${ctx.parentId ? ` (id ${ctx.parentId})` : ''}; it cannot move`,
      );
    await client.http.request('PATCH', path, {
      data: {
        project: s.project,
        description: withDescriptionMarker(stripDescriptionMarker(s.description), {
          namespace: ctx.namespace,
          key: desired.name,
        }),
      },
      idempotent: true,
    });
    return { already: false, title };
  };
}
