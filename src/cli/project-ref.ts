import { isApiError } from '../api/errors.ts';
import type { LabelStudioClient } from '../api/client.ts';
import type { LsProject } from '../api/types.ts';
import { findMarkedProjects } from '../kinds/project/carriers.ts';
import { readProjectsTitled } from '../kinds/project/project-list.ts';
import { pythonStrip } from '../util/python-strip.ts';
import type { RootConfig } from '../manifest/types.ts';
import { UserError } from '../util/errors.ts';

/**
 * Finds the project a command names: a numeric id, a manifest key (the project carrying this
 * repository's marker for it), or an exact title. An ambiguous title is an error listing the
 * candidates; titles are not unique in Label Studio.
 */
export async function resolveProject(
  client: LabelStudioClient,
  ref: string,
  config: RootConfig | undefined,
): Promise<LsProject> {
  // Trimmed the way the server trims titles (JavaScript's trim() also drops U+FEFF, which a title can keep).
  const text = pythonStrip(ref);
  if (/^\d+$/.test(text)) {
    try {
      return await client.getProject(Number(text));
    } catch (err) {
      if (isApiError(err) && err.status === 404) throw new UserError(`no project with id ${text}`);
      throw err;
    }
  }
  if (config && /^[a-z0-9][a-z0-9-]*$/.test(text)) {
    const marked = await findMarkedProjects(client, { namespace: config.namespace, key: text });
    if (marked.length > 1) {
      throw new UserError(
        `${marked.length} projects carry the marker of "${text}" (ids ${marked.map((c) => c.id).join(', ')}); name the project by id, or settle the key with \`labelform apply --dedupe\``,
      );
    }
    if (marked.length === 1) return client.getProject(marked[0]!.id);
  }
  // `title=` is a case-insensitive substring filter; the exact match happens here.
  const candidates = (await readProjectsTitled(client, text, 'id,title', pythonStrip)).map((p) => ({
    id: p.id,
    title: p.title ?? '',
  }));
  if (candidates.length === 1) return client.getProject(candidates[0]!.id);
  if (candidates.length > 1) {
    throw new UserError(
      `the title "${text}" is ambiguous: ${candidates.map((c) => `id ${c.id}`).join(', ')} have it; name the project by id`,
    );
  }
  throw new UserError(
    `no project "${text}": not an id${config ? `, not a manifest key of namespace ${config.namespace}` : ''}, and no project has this exact title`,
  );
}
