import { isApiError } from '../api/errors.ts';
import type { LabelStudioClient } from '../api/client.ts';
import type { LsPage, LsProject } from '../api/types.ts';
import { findMarkedProject } from '../kinds/project/write.ts';
import { pythonStrip } from '../util/python-strip.ts';
import type { RootConfig } from '../manifest/types.ts';
import { UserError } from '../util/errors.ts';

/**
 * Finds the project a command names: a numeric id, a manifest key (the project carrying this
 * repository's marker for it), or an exact title. An ambiguous title is an error listing the
 * candidates; titles are not unique in Label Studio.
 */
export async function resolveProject(client: LabelStudioClient, ref: string, config: RootConfig | undefined): Promise<LsProject> {
  const text = ref.trim();
  if (/^\d+$/.test(text)) {
    try {
      return await client.getProject(Number(text));
    } catch (err) {
      if (isApiError(err) && err.status === 404) throw new UserError(`no project with id ${text}`);
      throw err;
    }
  }
  if (config && /^[a-z0-9][a-z0-9-]*$/.test(text)) {
    const marked = await findMarkedProject(client, { namespace: config.namespace, key: text });
    if (marked) return client.getProject(marked.id);
  }
  const candidates: Array<{ id: number; title: string }> = [];
  for (let page = 1; ; page++) {
    const body = await client.http.request<LsPage<LsProject>>('GET', '/api/projects/', { params: { page, page_size: 100, search: text, include: 'id,title' } });
    for (const p of body.results) if (pythonStrip(p.title ?? '') === text) candidates.push({ id: p.id, title: p.title ?? '' });
    if (!body.next) break;
  }
  if (candidates.length === 1) return client.getProject(candidates[0]!.id);
  if (candidates.length > 1) {
    throw new UserError(`the title "${text}" is ambiguous: ${candidates.map((c) => `id ${c.id}`).join(', ')} have it; name the project by id`);
  }
  throw new UserError(`no project "${text}": not an id${config ? `, not a manifest key of namespace ${config.namespace}` : ''}, and no project has this exact title`);
}
