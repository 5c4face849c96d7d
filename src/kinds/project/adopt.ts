import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { showTitle } from '../../util/redact.ts';
import { UserError } from '../../util/errors.ts';
import { findMarkedProjects } from './carriers.ts';
import { parseMarker, stripMarker, withMarker } from './marker.ts';
import type { ProjectResource } from './types.ts';

/** Writes the ownership marker into an existing project's description; nothing else changes. */
export async function adoptProject(
  client: LabelStudioClient,
  id: number,
  desired: ProjectResource,
  ctx: { readonly namespace: string },
): Promise<{ already: boolean; title: string }> {
  const marker = { namespace: ctx.namespace, key: desired.name };
  const project = await client.getProject(id).catch((err: unknown) => {
    if (isApiError(err) && err.status === 404)
      throw new UserError(`no project with id ${id} on ${client.http.baseUrl}`);
    throw err;
  });
  const title = showTitle(project.title ?? '');
  const current = parseMarker(project.description);
  if (current?.namespace === marker.namespace && current.key === marker.key)
    return { already: true, title: `project ${project.id} ${title}` };
  if (current)
    throw new UserError(
      `project ${project.id} ${title} is already managed as ${current.namespace}/${current.key}; remove that marker from its description first`,
    );
  const holder = (await findMarkedProjects(client, marker)).find((c) => c.id !== project.id);
  if (holder)
    throw new UserError(
      `project ${holder.id} ${showTitle(holder.title ?? '')} already carries the marker of ${marker.key}; one key can manage one project`,
    );
  await client.updateProject(project.id, { description: withMarker(stripMarker(project.description), marker) });
  return { already: false, title: `project ${project.id} ${title}` };
}
