import type { LabelStudioClient, ProjectWrite } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import type { LsPage, LsProject } from '../../api/types.ts';
import type { ProjectResource } from '../../manifest/types.ts';
import type { ProjectField } from './fields.ts';
import { markerSearchText, parseMarker, stripMarker, withMarker, type Marker } from './marker.ts';

/** The POST body for a new project: every field the manifest sets, and the marker. */
export function createBody(desired: ProjectResource, marker: Marker): ProjectWrite {
  const body: Record<string, unknown> = { ...desired.spec };
  body.description = withMarker(desired.spec.description ?? '', marker);
  return body as ProjectWrite;
}

/**
 * The PATCH body for an existing project: only the given fields. The description always keeps
 * (or, when adopting, gains) the marker after the person-written part.
 */
export function updateBody(desired: ProjectResource, fields: readonly string[], liveDescription: string, marker: Marker, addMarker: boolean): ProjectWrite {
  const body: Record<string, unknown> = {};
  for (const f of fields) body[f] = desired.spec[f as ProjectField];
  if (fields.includes('description') || addMarker) {
    body.description = withMarker(desired.spec.description ?? stripMarker(liveDescription), marker);
  }
  return body as ProjectWrite;
}

/** The project carrying this marker, if any (one request: the list's title/description search). */
export async function findMarkedProject(client: LabelStudioClient, marker: Marker): Promise<LsProject | undefined> {
  const page = await client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
    params: { search: markerSearchText(marker), page_size: 100, include: 'id,title,description' },
  });
  return page.results.find((p) => {
    const m = parseMarker(p.description);
    return m?.namespace === marker.namespace && m.key === marker.key;
  });
}

export interface CreateOutcome {
  readonly id: number;
  /** Set when the project was found instead of created (a run that died after its POST). */
  readonly found?: 'before-post' | 'after-failed-post';
}

/**
 * Creates a project exactly once. Before the POST it looks for the marker (an earlier run may have
 * died after its POST); after a POST whose answer was lost (network error, timeout, 5xx) it looks
 * again before trying a second time. A create is never retried blindly.
 */
export async function createProjectOnce(
  client: LabelStudioClient,
  body: ProjectWrite,
  marker: Marker,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<CreateOutcome> {
  const existing = await findMarkedProject(client, marker);
  if (existing) return { id: existing.id, found: 'before-post' };
  for (let attempt = 0; ; attempt++) {
    try {
      return { id: (await client.createProject(body)).id };
    } catch (err) {
      const ambiguous = isApiError(err) && (err.kind === 'network' || err.kind === 'timeout' || (err.status ?? 0) >= 500);
      if (!ambiguous || attempt >= 2) throw err;
      // The server may have created it and only the answer was lost: look before posting again,
      // and post again only when a look positively found nothing.
      let lookedOk = false;
      for (let look = 0; look < 3; look++) {
        await sleep(400 * (look + 1));
        try {
          const found = await findMarkedProject(client, marker);
          if (found) return { id: found.id, found: 'after-failed-post' };
          lookedOk = true;
        } catch {
          // the server is still unreachable; look again
        }
      }
      if (!lookedOk) throw err;
    }
  }
}
