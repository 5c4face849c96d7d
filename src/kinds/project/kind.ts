import { relative, sep } from 'node:path';
import { defineKind } from '../define-kind.ts';
import { resourcesOf } from '../kind.ts';
import { adoptProject } from './adopt.ts';
import { attributeChange } from './applied-record.ts';
import { recordChildKind, startProjectApply } from './apply.ts';
import { compareProject } from './compare.ts';
import { isProjectField, PROJECT_FIELDS, type ProjectField } from './fields.ts';
import { readLiveProjects, toLiveProject, type LiveProject } from './live.ts';
import { projectToManifest } from './to-manifest.ts';
import type { LsProject } from '../../api/types.ts';
import { formatFromPath } from '../../tasks/read-records.ts';
import { typedKeys } from '../../util/narrow.ts';
import { loadProjects } from './load.ts';
import { parseAppliedRecord } from './marker.ts';
import { normaliseProjectField } from './normalise.ts';
import { planProject, planProjectPrune, readProjectFacts, type ProjectFacts } from './plan.ts';
import type { ProjectResource } from './types.ts';

/**
 * `kind: Project`: a Label Studio project, its settings and label config, and its declared task
 * files. Identity: the ownership marker line at the end of the description.
 */
export const projectKind = defineKind<ProjectResource, LiveProject, ProjectFacts>({
  kind: 'Project',
  schema: 'project',
  noun: 'project',
  listedAs: 'projects',
  markerPlace: 'to the description',
  load: loadProjects,
  readLive: (client, opts) =>
    readLiveProjects(
      client,
      opts.all ? PROJECT_FIELDS : fieldsToRead(resourcesOf<ProjectResource>(opts.repo, { kind: 'Project' })),
    ),
  holdsData: (live) => live.taskCount > 0 || live.annotationCount > 0,
  // A field a project does not have is kept as it is (null for none), as the server keeps most fields.
  normalise: (field, value, side) =>
    isProjectField(field) ? normaliseProjectField(field, value, side) : (value ?? null),
  diff: compareProject,
  readFacts: readProjectFacts,
  plan: planProject,
  // Called only for a live project carrying this namespace's marker (as the default orphan).
  orphan: (p) => ({
    id: p.id,
    key: p.marker?.key ?? '',
    title: p.title,
    annotations: p.annotationCount,
    tasks: p.taskCount,
  }),
  planPrune: (o, _live, ctx) => planProjectPrune(o, ctx),
  digest: (p, root) => ({
    spec: Object.fromEntries(Object.entries(p.spec).map(([k, v]) => [k, p.sensitive.has(k) ? '(sensitive)' : v])),
    // Relative to the repository, not to the working directory (display paths are): a plan
    // saved from one directory must still apply from another.
    tasks: p.tasks.map((t) => relative(root, t.path).split(sep).join('/')),
    import: p.importId ?? null,
    // A saved plan was reviewed with these migrations: another set is another plan.
    ...(p.migrations.length ? { migrations: p.migrations.map(({ at: _at, ...m }) => m) } : {}),
  }),
  startApply: startProjectApply,
  recordChild: recordChildKind,
  previewConfigs: (projects) =>
    projects.flatMap((p) => {
      if (!p.labelConfig) return [];
      const task = p.tasks[0];
      const format = task ? (task.format ?? formatFromPath(task.path)) : undefined;
      return [
        {
          key: p.name,
          file: p.labelConfig.file,
          xml: p.labelConfig.xml,
          review: p.labelConfig.review,
          withheld: p.sensitive.has('label_config'),
          ...(task && format ? { taskFile: { path: task.path, display: task.display, format } } : {}),
        },
      ];
    }),
  toManifest: (live, ctx) => {
    // Pull reads every field (`all`, or `readOne`): `fields` is the whole project as the API answers it.
    const pulled = projectToManifest(live.fields as LsProject, ctx.key, ctx.adopt ? live.id : undefined, ctx.secrets);
    return {
      manifest: { ...pulled.manifest },
      notes: pulled.notes,
      ...(pulled.xml !== undefined ? { files: { 'config.xml': `${pulled.xml}\n` } } : {}),
    };
  },
  page: (id) => `projects/${id}/`,
  readOne: async (client, id) => toLiveProject(await client.getProject(id)),
  adopt: (client, id, desired, ctx) => adoptProject(client, id, desired, ctx),
  attribute: (field, desired, live) => attributeChange(field, desired, live),
  lastApplied: (live) => {
    const record = parseAppliedRecord(live.description);
    return record
      ? {
          ...(record.commit ? { commit: record.commit } : {}),
          ...(record.repository ? { repository: record.repository } : {}),
        }
      : undefined;
  },
});

/** The fields to read from the server: every field a manifest manages, and the label config. */
export function fieldsToRead(projects: readonly ProjectResource[]): ProjectField[] {
  const fields = new Set<ProjectField>(['label_config']);
  for (const p of projects) for (const f of typedKeys(p.spec)) fields.add(f);
  return [...fields];
}
