import type { LabelStudioClient } from '../../api/client.ts';
import type { LsProject } from '../../api/types.ts';
import { readAllProjects } from './project-list.ts';
import { PROJECT_COUNTERS, type ProjectField } from './fields.ts';
import { parseChildKinds, parseMarker, type Marker } from './marker.ts';

/** One project as the server has it, with the ownership marker read out of its description. */
export interface LiveProject {
  readonly id: number;
  readonly title: string;
  /** The raw description, marker included. */
  readonly description: string;
  readonly marker?: Marker;
  /** The kinds of children its marker records (see `AppliedRecord.children`); absent: unrecorded. */
  readonly childKinds?: readonly string[];
  /** Raw values of the fields that were read. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly taskCount: number;
  readonly annotationCount: number;
}

/**
 * Reads every project of the server in as few requests as possible: the list endpoint at its
 * largest page size (100), trimmed with `include=` to the fields being compared (Label Studio
 * 1.23 ignores `fields=`; `include=` both trims and picks the counters to compute), ordered by id
 * and checked for consistency while others write (see readAllProjects).
 */
export async function readLiveProjects(
  client: LabelStudioClient,
  fields: readonly ProjectField[],
): Promise<LiveProject[]> {
  const include = [...new Set(['id', 'title', 'description', ...fields, ...PROJECT_COUNTERS])].join(',');
  return (await readAllProjects(client, include)).map(toLiveProject);
}

export function toLiveProject(p: LsProject): LiveProject {
  const description = p.description ?? '';
  const marker = parseMarker(description);
  const childKinds = marker ? parseChildKinds(description) : undefined;
  return {
    id: p.id,
    title: p.title ?? '',
    description,
    ...(marker ? { marker } : {}),
    ...(childKinds ? { childKinds } : {}),
    fields: p,
    taskCount: Number(p.task_number ?? 0) || 0,
    annotationCount: Number(p.total_annotations_number ?? 0) || 0,
  };
}
