import type { LabelStudioClient } from '../../api/client.ts';
import { atLeast, showSince } from '../../api/server-versions.ts';
import type {
  MigrationPlan,
  PlanDiagnostic,
  ProjectChangeDetail,
  ResourceChange,
  TaskImport,
} from '../../generated/schema-types.ts';
import type { LabelConfigSummary } from '../../labelconfig/summarize.ts';
import { describeLabelConfigChange, removesSomething, summarizeLive } from '../../labelconfig/describe-change.ts';
import { maskLabelConfigChange } from '../../labelconfig/mask-sensitive.ts';
import { parseLabelConfigXml } from '../../labelconfig/parse-xml.ts';
import { reviewHotkeyMoves, type ReviewFinding } from '../../labelconfig/review.ts';
import { matchResources } from '../shared/match.ts';
import { isTargeted, parseTarget } from '../shared/targets.ts';
import { fingerprintValue } from '../../util/fingerprint.ts';
import { readDatasetState, toTaskImports } from './datasets.ts';
import { plural } from '../../util/plural.ts';
import { pythonStrip } from '../../util/python-strip.ts';
import { maskUrlsInText } from '../../util/credentials.ts';
import { maskIfSecret, SENSITIVE_MASK, withholdSecrets } from '../../util/redact.ts';
import { typedKeys } from '../../util/narrow.ts';
import {
  resourcesOf,
  type KindPlan,
  type KindPlanContext,
  type Match,
  type PlanRequest,
  type Repository,
  type ResourceMarker,
} from '../kind.ts';
import { compareProject, fingerprintProject } from './compare.ts';
import { PROJECT_FIELD_SINCE } from './fields.ts';
import type { LiveProject } from './live.ts';
import { readImpactFacts, type ImpactFacts } from './read-impact.ts';
import type { ProjectResource } from './types.ts';
import { suggestMigration, type OrphanedControl } from './migrate/suggest.ts';
import { migrationSources, migrationTarget, type LabelMigration } from './migrate/types.ts';
import { controlTypesOf } from './migrate/map.ts';
import { countMigration, readMigrationData } from './migrate/survey.ts';
import { doneMigrations } from './applied-record.ts';
import { parseAppliedRecord } from './marker.ts';

/** What Project reads before planning: annotation impact and declared task files, by manifest key. */
export interface ProjectFacts {
  readonly impact: ReadonlyMap<string, ImpactFacts>;
  /** Declared task files not yet on the server. */
  readonly taskImports: ReadonlyMap<string, readonly TaskImport[]>;
  /** Declared label migrations not yet done, with what each rewrites, by project key. */
  readonly migrations?: ReadonlyMap<string, readonly MigrationPlan[]>;
}

/** The declared migrations the live project's marker does not record as done, in order. */
export function pendingMigrations(desired: ProjectResource, live: LiveProject): LabelMigration[] {
  if (desired.migrations.length === 0) return [];
  const done = new Set(doneMigrations(desired, parseAppliedRecord(live.description)));
  return desired.migrations.filter((m) => !done.has(m.id));
}

/** A manifest matched with what the server has for its key. */
export type ProjectMatch = Match<ProjectResource, LiveProject>;

/** Projects matched by marker and `import: {id}` (see matchResources); `targets` as given to --target. */
export function matchProjects(
  repo: Repository,
  live: { readonly resources: Readonly<Record<string, readonly unknown[]>> },
  targets?: readonly string[],
  opts: { dedupe?: boolean } = {},
): ProjectMatch[] {
  const parsed = targets?.map(parseTarget);
  const desired = resourcesOf<ProjectResource>(repo, { kind: 'Project' }).filter((d) => isTargeted(parsed, d));
  return matchResources(
    desired,
    // The live state keeps under each kind's name what that kind's readLive returned.
    (live.resources.Project ?? []) as LiveProject[],
    repo.config.namespace,
    (p) => p.marker,
    opts,
  );
}

/**
 * The label-config changes the planner needs facts for: every change that takes something away
 * (a control, a label, a control's type or target; or any change when the live config cannot be
 * read) gets its annotations and drafts counted — whatever the project's counters say, since
 * they leave drafts out — and every change on a project with annotations gets the server's
 * strict check.
 */
export function impactChecksNeeded(
  matches: readonly ProjectMatch[],
): Array<{ key: string; projectId: number; xml: string; removes: boolean }> {
  const out: Array<{ key: string; projectId: number; xml: string; removes: boolean }> = [];
  for (const m of matches) {
    const target = m.live ?? m.adopt;
    const lc = m.desired.labelConfig;
    if (!target || !lc) continue;
    const fields = compareProject(m.desired, target);
    if (!fields.some((f) => f.field === 'label_config')) continue;
    const liveXml = String(target.fields.label_config ?? '');
    const change = describeLabelConfigChange(liveXml, lc);
    const removes = removesSomething(change) || summarizeLive(liveXml) === undefined;
    if (removes || target.annotationCount > 0)
      out.push({ key: m.desired.name, projectId: target.id, xml: lc.xml, removes });
  }
  return out;
}

/** Reads the annotation impact of label-config changes and, with `datasets`, the declared task files. */
export async function readProjectFacts(
  client: LabelStudioClient,
  matches: readonly ProjectMatch[],
  req: PlanRequest & { readonly datasets: boolean },
): Promise<{ facts: ProjectFacts; diagnostics: PlanDiagnostic[] }> {
  const impact = await readImpactFacts(client, impactChecksNeeded(matches));
  const taskImports = new Map<string, TaskImport[]>();
  const diagnostics: PlanDiagnostic[] = [];
  if (req.datasets) {
    for (const m of matches) {
      if (m.desired.tasks.length === 0) continue;
      const target = m.live ?? m.adopt;
      const states = await Promise.all(
        m.desired.tasks.map((f) => readDatasetState(client, target?.id, m.desired, req.namespace, req.repo.root, f)),
      );
      taskImports.set(m.desired.name, toTaskImports(states, req.repo.root));
      for (const st of states) diagnostics.push(...st.problems);
    }
  }
  // Label migrations not yet done: what each would rewrite, read from the data itself.
  const migrations = new Map<string, MigrationPlan[]>();
  for (const m of matches) {
    const target = m.live ?? m.adopt;
    const pending = target ? pendingMigrations(m.desired, target) : [];
    if (!target || pending.length === 0 || !m.desired.labelConfig) continue;
    const data = await readMigrationData(
      client,
      target.id,
      pending.some((x) => x.predictions === 'rewrite'),
    );
    const types = controlTypesOf(m.desired.labelConfig.summary);
    migrations.set(
      m.desired.name,
      pending.map((x) => countMigration(data, x, types, req.deleteDrafts)),
    );
  }
  return { facts: { impact, taskImports, migrations }, diagnostics };
}

/**
 * The change for one Project manifest; pure. Duplicated markers, `import: {id}`, an unmanaged
 * project with the same title ("adopt?"), the annotation impact of a label-config change.
 */
export function planProject(
  m: ProjectMatch,
  ctx: KindPlanContext<LiveProject, ProjectFacts, ProjectResource>,
): KindPlan {
  // What the planner decides, in order: the deletes of empty copies (with --dedupe) before the
  // manifest's own change; warnings and errors as they are found.
  const changes: ResourceChange[] = [];
  const diagnostics: PlanDiagnostic[] = [];
  // Warnings about the new config that come after what the plan decided (errors first).
  const late: PlanDiagnostic[] = [];
  const decided = (): KindPlan => ({ changes, diagnostics: [...diagnostics, ...late] });
  const ns = ctx.namespace;
  const d = m.desired;
  const at = locate(d, '/metadata/name');
  const err = (code: string, message: string, pointer = '/metadata/name') =>
    diagnostics.push({ severity: 'error', code, message, key: d.name, ...locate(d, pointer), pointer });
  const title = d.spec.title;
  const hideTitle = d.sensitive.has('title');
  const quoteTitle = (t: string) => (hideTitle ? SENSITIVE_MASK : `"${t}"`);

  const [kept] = m.duplicates;
  if (kept) {
    if (!ctx.dedupe) {
      const empty = m.duplicates.slice(1).filter((p) => p.taskCount === 0 && p.annotationCount === 0);
      err(
        'duplicate-marker',
        `${m.duplicates.length} projects carry the marker of "${d.name}" (ids ${m.duplicates.map((p) => p.id).join(', ')}); ` +
          (empty.length
            ? `\`labelform apply --dedupe\` keeps id ${kept.id} and deletes the empty ${empty.length === 1 ? 'copy' : 'copies'} (id ${empty.map((p) => p.id).join(', ')})`
            : 'delete or unmark all but one in Label Studio'),
      );
      return decided();
    }
    const removals = planDuplicateRemoval(
      d.name,
      m.duplicates,
      ns,
      (code, message) =>
        diagnostics.push({ severity: 'warning', code, message, key: d.name, ...at, pointer: '/metadata/name' }),
      hideTitle,
    );
    changes.push(...removals);
  }
  const target = m.live ?? m.adopt;
  if (d.importId !== undefined && !m.live && !m.adopt) {
    // The server cannot tell "adopted, then deleted in the UI" from "never existed" (ids are
    // not reused): either way no project holds this key, so it is missing and planned as a
    // create, which the plan shows for review. The create path's "adopt?" check still stops a
    // wrong id when an unmanaged project has the title.
    diagnostics.push({
      severity: 'warning',
      code: 'import-missing',
      key: d.name,
      ...locate(d, '/import/id'),
      pointer: '/import/id',
      message: `import.id ${d.importId}: no project with this id on ${ctx.server.url} and none carries the marker of "${d.name}" (deleted on the server, or a wrong id), so this plan creates a new project; remove \`import:\` once it is applied`,
    });
  }
  if (m.adopt?.marker) {
    err(
      'import-marked',
      `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}`,
      '/import/id',
    );
    return decided();
  }

  // A field this server's release does not have: an error at its line, not an endless diff.
  // The manifest's schema admits only project fields as spec keys.
  const missing = typedKeys(d.spec).flatMap((f) => {
    const since = PROJECT_FIELD_SINCE[f];
    return since !== undefined && !atLeast(ctx.server.version, since) ? [{ f, since }] : [];
  });
  for (const { f, since } of missing)
    err(
      'field-needs-version',
      `\`${f}\` needs Label Studio ${showSince(since)} or later; this server is ${ctx.server.version}: remove it from the manifest for this server`,
      `/spec/${f}`,
    );
  if (missing.length) return decided();

  const fields = ctx.diff(d, target);
  const lcField = fields.find((f) => f.field === 'label_config');
  // The diff shows the live XML with its URL credentials masked (a config made in the UI may link one).
  const labelConfig =
    lcField && d.labelConfig
      ? maskLabelConfigChange(
          describeLabelConfigChange(target ? maskUrlsInText(String(target.fields.label_config ?? '')) : '', {
            ...d.labelConfig,
            source: d.labelConfig.ref ? `LabelConfig ${d.labelConfig.ref}` : d.labelConfig.file,
          }),
          d.sensitive.has('label_config'),
        )
      : undefined;
  // What annotators would trip over in the new config: warnings for the reviewer, never errors.
  if (labelConfig && d.labelConfig && !d.sensitive.has('label_config')) {
    const file = d.labelConfig.file;
    const warning = (f: ReviewFinding): PlanDiagnostic => ({
      severity: 'warning',
      code: f.code,
      message: f.message,
      key: d.name,
      file,
      line: f.line,
      col: f.col,
      element: f.element,
    });
    diagnostics.push(...d.labelConfig.review.map(warning));
    // Keys that move under annotators' hands (also the ones the editor numbers by itself).
    const before = target ? parseLabelConfigXml(String(target.fields.label_config ?? '')) : undefined;
    const after = before?.ok ? parseLabelConfigXml(d.labelConfig.xml) : undefined;
    if (before?.ok && after?.ok)
      late.push(...reviewHotkeyMoves(before.root, after.root, d.labelConfig.at).map(warning));
  }
  const tasks = ctx.facts?.taskImports.get(d.name) ?? [];
  const base = {
    kind: 'Project' as const,
    key: d.name,
    file: d.file,
    line: at.line,
    // A title from ${env:...} is a secret: the plan (and the file it is saved to) leaves it out.
    ...(hideTitle ? {} : title !== undefined ? { title } : target ? { title: maskUrlsInText(target.title) } : {}),
    fields,
  };
  // Project's own part of the change: the label-config diff, the tasks to import (and, below, the annotations).
  const own = { ...(labelConfig ? { labelConfig } : {}), ...(tasks.length ? { tasks: [...tasks] } : {}) };

  if (!target) {
    const sameTitle =
      title === undefined ? [] : ctx.live.filter((p) => !p.marker && pythonStrip(p.title) === pythonStrip(title));
    const [first] = sameTitle;
    if (title !== undefined && first && !ctx.allowDuplicateTitle) {
      err(
        'adopt-candidate',
        `adopt? an unmanaged project already has the title ${quoteTitle(title)} (id ${sameTitle.map((p) => p.id).join(', ')}); creating would make a duplicate. ` +
          `Adopt it with \`labelform import ${d.name} ${first.id}\`, or pass --allow-duplicate-title to create a new one`,
      );
      return decided();
    }
    // A renamed namespace would silently duplicate every project: say so.
    const elsewhere = ctx.live.find(
      (p): p is LiveProject & { readonly marker: ResourceMarker } =>
        p.marker !== undefined &&
        p.marker.namespace !== ns &&
        p.marker.key === d.name &&
        title !== undefined &&
        pythonStrip(p.title) === pythonStrip(title),
    );
    if (elsewhere) {
      diagnostics.push({
        severity: 'warning',
        code: 'other-namespace',
        key: d.name,
        ...at,
        pointer: '/metadata/name',
        message: `project ${elsewhere.id} ${quoteTitle(elsewhere.title)} has this key and title but belongs to namespace "${elsewhere.marker.namespace}"; if the namespace was renamed, adopt it with \`labelform import ${d.name} ${elsewhere.id}\` after removing its old marker`,
      });
    }
    changes.push({ action: 'create', ...base, ...(labelConfig || tasks.length ? { detail: projectDetail(own) } : {}) });
    return decided();
  }

  const facts = ctx.facts?.impact.get(d.name);
  if (lcField && d.labelConfig && (facts || target.annotationCount > 0)) {
    checkAnnotationImpact(
      d,
      d.labelConfig,
      target,
      facts,
      (x) => diagnostics.push(x),
      (pointer) => locate(d, pointer),
    );
  }
  const fingerprint = fingerprintProject(d, target);
  if (labelConfig) fingerprint.annotations = fingerprintValue(target.annotationCount);
  const migrations = ctx.facts?.migrations?.get(d.name) ?? [];
  for (const mp of migrations)
    if (mp.skipped > 0)
      late.push({
        severity: 'warning',
        code: 'migration-skips-annotations',
        key: d.name,
        ...locate(d, `/spec/migrations/${d.migrations.findIndex((x) => x.id === mp.id)}`),
        message: `migration ${mp.id}: ${plural(mp.skipped, 'annotation')} with a draft attached would be left unchanged (writing an annotation makes Label Studio delete its draft), so apply keeps the old labels in the config until they are submitted; plan and apply with --delete-drafts to rewrite them and delete those drafts`,
      });
  const action = m.adopt
    ? 'adopt'
    : fields.length > 0 || tasks.length > 0 || migrations.length > 0
      ? 'update'
      : 'no-op';
  changes.push({
    action,
    ...base,
    id: target.id,
    fingerprint,
    detail: projectDetail({
      ...own,
      annotations: target.annotationCount,
      ...(migrations.length ? { migrations: [...migrations] } : {}),
    }),
  });
  return decided();
}

/** With --prune: a project of this namespace with no manifest is planned as a delete. */
export function planProjectPrune(
  o: { id: number; key: string; title: string; annotations: number },
  ctx: KindPlanContext<LiveProject, ProjectFacts>,
): KindPlan {
  const diagnostics: PlanDiagnostic[] = [];
  if (o.annotations > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'prune-annotations',
      key: o.key,
      message: `deleting ${o.key} (id ${o.id}) would lose its ${plural(o.annotations, 'annotation')}: apply refuses it without --allow-data-loss`,
    });
  }
  const change: ResourceChange = {
    action: 'delete',
    kind: 'Project',
    key: o.key,
    id: o.id,
    title: maskUrlsInText(o.title),
    fields: [],
    detail: projectDetail({ annotations: o.annotations }),
    fingerprint: { marker: fingerprintValue({ namespace: ctx.namespace, key: o.key }) },
  };
  return { changes: [change], diagnostics };
}

/**
 * Every control and label that annotations or drafts use must survive the change: checked from
 * the annotations themselves against the desired config (so it holds even when the live config
 * cannot be parsed), plus the server's strict validation. A problem about a control points at
 * that control's element in the XML (the `.xml` file, or the inline XML in the manifest), where
 * the label was removed; a removed control points at the root element.
 */
function checkAnnotationImpact(
  d: ProjectResource,
  lc: NonNullable<ProjectResource['labelConfig']>,
  target: LiveProject,
  facts: ImpactFacts | undefined,
  push: (diagnostic: PlanDiagnostic) => void,
  locateAt: (pointer: string) => { file: string; line: number; col: number },
): void {
  for (const p of annotationImpactProblems(target, lc.summary, facts, d.migrations)) {
    const control = p.control === undefined ? undefined : lc.summary.controls.find((c) => c.name === p.control);
    const at = control ?? (p.control !== undefined ? lc.summary.root : undefined);
    const where = at
      ? {
          file: lc.file,
          ...lc.at(at.line, at.col),
          element: control ? `<${control.type} name="${control.name}">` : '<View>',
        }
      : { ...locateAt('/spec/label_config'), pointer: '/spec/label_config' };
    // A config from `${env:...}` may name a label with a secret: such a message or element goes whole.
    const hide = d.sensitive.has('label_config');
    const shown = 'element' in where && hide ? { ...where, element: maskIfSecret(where.element) } : where;
    push({
      severity: p.severity ?? 'error',
      code: p.code,
      message: hide ? withholdSecrets(p.message) : p.message,
      key: d.name,
      ...shown,
    });
  }
}

/**
 * Why a label-config change would orphan annotations or drafts (empty when it would not); pure.
 * Used by the planner, and by apply right before it sends the change. `control` names the
 * control a problem is about.
 *
 * A label the change removes while annotations use it is refused, with the `spec.migrations`
 * entry (or the `alias`) that would make it safe. At plan time (`when: 'plan'`) a label that one
 * of `migrations` moves is no longer refused: the migration carries its annotations, and the
 * server's strict check of the final config, which still sees them, is only a warning (apply
 * checks the config again, with `when: 'write'`, before it sends it). Right before the write a
 * declared migration excuses nothing: the config may drop a label only once no annotation holds it.
 */
export function annotationImpactProblems(
  target: LiveProject,
  desired: LabelConfigSummary,
  facts: ImpactFacts | undefined,
  migrations: readonly LabelMigration[] = [],
  when: 'plan' | 'write' = 'plan',
  /**
   * At write time: migrations whose census (read from the data, just now) found no moved label
   * left. For their labels the count from the annotations themselves decides, not the project
   * summary, which Label Studio before 1.23 does not update when an annotation is rewritten.
   */
  proven: ReadonlySet<string> = new Set(),
): Array<{ code: string; message: string; control?: string; severity?: 'warning' }> {
  if (!facts) {
    return [
      {
        code: 'impact-unknown',
        message: `label_config changes on project ${target.id}, which has ${plural(target.annotationCount, 'annotation')}, and its impact was not checked`,
      },
    ];
  }
  const orphaned: Array<{ control: string; text: string; label?: string; migration?: string }> = [];
  let carried = 0;
  const usage = facts.usage;
  const live = summarizeLive(String(target.fields.label_config ?? ''));
  for (const [control, used] of Object.entries(usage?.controls ?? {})) {
    if (used === 0) continue;
    const now = desired.controls.find((c) => c.name === control);
    const before = live?.controls.find((c) => c.name === control);
    if (!now) {
      orphaned.push({
        control,
        text: `control "${control}"${before ? ` (${before.type})` : ''} is removed but ${usesIt(used)}`,
      });
      continue;
    }
    if (before && before.type !== now.type) {
      orphaned.push({
        control,
        text: `control "${control}" changes from ${before.type} to ${now.type} but ${usesIt(used)}`,
      });
      continue;
    }
    if (before && before.toName.join(',') !== now.toName.join(',')) {
      orphaned.push({
        control,
        text: `control "${control}" changes toName from ${before.toName.join(',')} to ${now.toName.join(',')} but ${usesIt(used)}`,
      });
      continue;
    }
    if (now.dynamic) continue; // options come from task data: nothing in the config to lose
    for (const [label, n] of Object.entries(usage?.labels[control] ?? {})) {
      if (n === 0 || now.labels.includes(label)) continue;
      const moved = migrations.find((m) => m.control === control && migrationSources(m).includes(label));
      if (moved && (when === 'plan' || (proven.has(moved.id) && !(facts.counted?.labels[control]?.[label] ?? 0)))) {
        carried++;
        continue;
      }
      orphaned.push({
        control,
        label,
        text: `label "${label}" of ${now.type} "${control}" is removed but ${usesIt(n)}`,
        ...(moved ? { migration: moved.id } : {}),
      });
    }
  }
  // The summary of drafts, which the server's check reads as well: a moved label it still counts
  // is carried by the migration (plan), or proven gone by the census and the count (write).
  for (const [control, byLabel] of Object.entries(facts.draftSummary ?? {})) {
    const now = desired.controls.find((c) => c.name === control);
    if (!now || now.dynamic) continue;
    for (const [label, n] of Object.entries(byLabel ?? {})) {
      if (!(Number(n) > 0) || now.labels.includes(label) || usage?.labels[control]?.[label]) continue;
      const moved = migrations.find((m) => m.control === control && migrationSources(m).includes(label));
      if (moved && (when === 'plan' || (proven.has(moved.id) && !(facts.counted?.labels[control]?.[label] ?? 0))))
        carried++;
    }
  }
  const problems: Array<{ code: string; message: string; control?: string; severity?: 'warning' }> = orphaned.map(
    (o) => ({
      code: 'orphans-annotations',
      message: `${o.text}; Label Studio's PATCH would accept this and orphan them. ${
        o.migration
          ? `Migration "${o.migration}" must move them before the config drops the label`
          : o.label === undefined
            ? 'Keep the control, or relabel those annotations first'
            : `Keep the label, or ${suggestMigration(orphanedControl(o.control, orphaned, desired, live, migrations))}`
      }`,
      control: o.control,
    }),
  );
  if (!facts.serverCheck.ok && orphaned.length === 0) {
    problems.push(
      carried > 0
        ? {
            code: 'server-rejects-config',
            severity: 'warning',
            message: `Label Studio refuses this label_config for project ${target.id} while annotations still hold the labels that spec.migrations moves (${facts.serverCheck.message}); apply migrates them first and has the config checked again before it sends it`,
          }
        : {
            code: 'server-rejects-config',
            message: `Label Studio refuses this label_config for project ${target.id} with annotations: ${facts.serverCheck.message}`,
          },
    );
  }
  return problems;
}

/**
 * One control's orphaned labels and the labels the change adds to it, for the suggestion (a label
 * a declared migration already moves data into is not offered again as the obvious target).
 */
function orphanedControl(
  control: string,
  orphaned: ReadonlyArray<{ control: string; label?: string; migration?: string }>,
  desired: LabelConfigSummary,
  live: LabelConfigSummary | undefined,
  migrations: readonly LabelMigration[],
): OrphanedControl {
  const now = desired.controls.find((c) => c.name === control);
  const before = live?.controls.find((c) => c.name === control);
  const targeted = new Set(migrations.filter((m) => m.control === control).map(migrationTarget));
  return {
    control,
    type: now?.type ?? '',
    orphaned: orphaned.flatMap((o) =>
      o.control === control && o.label !== undefined && o.migration === undefined ? [o.label] : [],
    ),
    added: before && now ? now.labels.filter((l) => !before.labels.includes(l) && !targeted.has(l)) : undefined,
  };
}

/**
 * With --dedupe: the copies of a key beyond the lowest id. Empty ones (no tasks, no annotations)
 * are planned as deletes; copies holding data are never deleted, only listed.
 */
function planDuplicateRemoval(
  key: string,
  carriers: readonly LiveProject[],
  ns: string,
  warn: (code: string, message: string) => void,
  hideTitle = false,
): ResourceChange[] {
  const [keep, ...extra] = carriers;
  const out: ResourceChange[] = [];
  if (!keep) return out;
  for (const p of extra) {
    if (p.taskCount > 0 || p.annotationCount > 0) {
      warn(
        'duplicate-with-data',
        `project ${p.id} ${hideTitle ? SENSITIVE_MASK : `"${p.title}"`} also carries the marker of "${key}" and holds ${plural(p.taskCount, 'task')} and ${plural(p.annotationCount, 'annotation')}: left in place (labelform never deletes data); move its data into id ${keep.id} or remove its marker by hand`,
      );
      continue;
    }
    out.push({
      action: 'delete',
      kind: 'Project',
      key,
      id: p.id,
      ...(hideTitle ? {} : { title: maskUrlsInText(p.title) }),
      fields: [],
      detail: projectDetail({ annotations: 0 }),
      duplicateOf: keep.id,
      fingerprint: { marker: fingerprintValue({ namespace: ns, key }) },
    });
  }
  return out;
}

/** A project change's detail (the plan's `detail`, tagged with the kind). */
export function projectDetail(own: Omit<ProjectChangeDetail, 'kind'>): ProjectChangeDetail {
  return { kind: 'Project', ...own };
}

function usesIt(n: number): string {
  return n === 1 ? '1 annotation uses it' : `${n} annotations use it`;
}

export function locate(d: ProjectResource, pointer: string): { file: string; line: number; col: number } {
  const p = d.doc.locate(pointer);
  return { file: d.file, line: p.line, col: p.col };
}
