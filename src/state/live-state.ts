import type { LabelStudioClient } from '../api/client.ts';
import { PROJECTS_PAGE_SIZE } from '../api/client.ts';
import type { LsPage, LsProject } from '../api/types.ts';
import { PROJECT_COUNTERS, type ProjectField } from '../kinds/project/fields.ts';
import { parseMarker, type Marker } from '../kinds/project/marker.ts';

/** One project as the server has it, with the ownership marker read out of its description. */
export interface LiveProject {
  readonly id: number;
  readonly title: string;
  /** The raw description, marker included. */
  readonly description: string;
  readonly marker?: Marker;
  /** Raw values of the fields that were read. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly taskCount: number;
  readonly annotationCount: number;
}

export interface LiveState {
  readonly serverVersion: string;
  readonly projects: readonly LiveProject[];
}

/**
 * Reads every project of the server in as few requests as possible: the list endpoint at its
 * largest page size (100), trimmed with `include=` to the fields being compared (Label Studio
 * 1.23 ignores `fields=`; `include=` both trims and picks the counters to compute), ordered by id
 * so that paging is stable while others create projects. Page 1 tells the count; the rest are
 * fetched in parallel within the client's concurrency limit.
 */
export async function readLiveState(client: LabelStudioClient, fields: readonly ProjectField[]): Promise<LiveState> {
  const include = [...new Set(['id', 'title', 'description', ...fields, ...PROJECT_COUNTERS])].join(',');
  const [version, first] = await Promise.all([client.version(), fetchPage(client, 1, include)]);
  const pages = Math.ceil(first.count / PROJECTS_PAGE_SIZE);
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => fetchPage(client, i + 2, include)));
  const seen = new Set<number>();
  const projects: LiveProject[] = [];
  for (const page of [first, ...rest]) {
    for (const p of page.results) {
      if (seen.has(p.id)) continue; // a project created mid-read can shift pages; ids keep it exact
      seen.add(p.id);
      projects.push(toLiveProject(p));
    }
  }
  return { serverVersion: typeof version?.release === 'string' ? version.release : 'unknown', projects };
}

function fetchPage(client: LabelStudioClient, page: number, include: string): Promise<LsPage<LsProject>> {
  return client.http.request<LsPage<LsProject>>('GET', '/api/projects/', {
    params: { page, page_size: PROJECTS_PAGE_SIZE, ordering: 'id', include },
  });
}

export function toLiveProject(p: LsProject): LiveProject {
  const description = p.description ?? '';
  const marker = parseMarker(description);
  return {
    id: p.id,
    title: p.title ?? '',
    description,
    ...(marker ? { marker } : {}),
    fields: p,
    taskCount: Number(p.task_number ?? 0) || 0,
    annotationCount: Number(p.total_annotations_number ?? 0) || 0,
  };
}
