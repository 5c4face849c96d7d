import type { LabelStudioClient } from '../../api/client.ts';
import type { LsProject } from '../../api/types.ts';
import { describeLabelConfigChange, removesSomething, summarizeLive } from '../../labelconfig/describe-change.ts';
import { toLiveProject } from './live.ts';
import { annotationImpactProblems } from './plan.ts';
import { readImpactFacts } from './read-impact.ts';
import type { ProjectResource } from './types.ts';

/**
 * The annotation-impact check again, right before a label_config PATCH: the project is read
 * anew and judged exactly as `plan` judges it, so an annotation or draft relabelled since the
 * plan (minutes ago in a review, or a moment ago in another tab) is caught. Label Studio has no
 * ETag or If-Match, so this is as small as the window between check and write can be made.
 * Returns the problems (empty: safe to send).
 */
export async function checkLabelConfigWriteNow(
  client: LabelStudioClient,
  projectId: number,
  desired: ProjectResource,
  /** Migrations whose census this apply just took (see annotationImpactProblems). */
  proven: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const lc = desired.labelConfig;
  if (!lc) return [];
  const project = await client.http.request<LsProject>('GET', `/api/projects/${projectId}/`, {
    params: { include: 'id,title,description,label_config,task_number,total_annotations_number' },
  });
  const live = toLiveProject(project);
  const liveXml = String(project.label_config ?? '');
  const removes = removesSomething(describeLabelConfigChange(liveXml, lc)) || summarizeLive(liveXml) === undefined;
  if (!removes && live.annotationCount === 0) return [];
  const facts = await readImpactFacts(client, [{ key: desired.name, projectId, xml: lc.xml, removes }]);
  // Strict: a label may leave the config only once no annotation holds it, migration declared or
  // not; a migration proven by its census is judged by the annotations alone (the server's own
  // check reads a summary that older releases leave stale: a warning, not a refusal, then).
  return annotationImpactProblems(live, lc.summary, facts.get(desired.name), desired.migrations, 'write', proven)
    .filter((p) => p.severity !== 'warning')
    .map((p) => p.message);
}
