import { relative, sep } from 'node:path';
import type {
  FieldChange,
  Orphan,
  Plan,
  PlanDiagnostic,
  ResourceChange,
  TaskImport,
} from '../generated/schema-types.ts';
import type { ProjectResource, Repository } from '../manifest/types.ts';
import { compareProject, fingerprintProject } from '../kinds/project/compare.ts';
import { pythonStrip } from '../util/python-strip.ts';
import type { AnnotationUsage } from '../state/annotation-usage.ts';
import { fingerprintValue } from '../state/fingerprint.ts';
import type { LiveProject, LiveState } from '../state/live-state.ts';
import { describeLabelConfigChange, removesSomething, summarizeLive } from './label-config-diff.ts';
import type { LabelConfigSummary } from '../labelconfig/summarize.ts';
import { plural } from '../util/plural.ts';
import { maskIfSecret, SENSITIVE_MASK, withholdSecrets } from '../util/redact.ts';
import { maskLabelConfigChange } from './mask-sensitive.ts';

export const PLAN_FORMAT_VERSION = 1;

/** What the reads found about a label-config change on a project with annotations. */
export interface ImpactFacts {
  /** The strict per-project validate endpoint's verdict. */
  readonly serverCheck: { readonly ok: true } | { readonly ok: false; readonly message: string };
  /** Label use counted from the annotations (only when the change removes something). */
  readonly usage?: AnnotationUsage;
}

export interface PlanInput {
  readonly repo: Repository;
  readonly live: LiveState;
  readonly server: { readonly url: string; readonly environment: string };
  readonly targets?: readonly string[];
  readonly allowDuplicateTitle?: boolean;
  readonly prune?: boolean;
  /** Settle keys carried by several projects: keep the lowest id, delete the empty copies. */
  readonly dedupe?: boolean;
  /** By manifest key. */
  readonly impact?: ReadonlyMap<string, ImpactFacts>;
  /** Declared task files not yet on the server, by manifest key. */
  readonly taskImports?: ReadonlyMap<string, readonly TaskImport[]>;
  /** Problems found by the reads (for example invalid tasks in a declared file). */
  readonly readDiagnostics?: readonly PlanDiagnostic[];
  readonly stats: { readonly requests: number; readonly durationMs: number };
  readonly createdAt: string;
  readonly labelformVersion: string;
}

/** A manifest matched with what the server has for its key. */
export interface ProjectMatch {
  readonly desired: ProjectResource;
  /** The project carrying this key's marker (none when it does not exist yet; with dedupe, the lowest id of several). */
  readonly live?: LiveProject;
  /** More than one project carries this key: all of them, lowest id first. */
  readonly duplicates: readonly LiveProject[];
  /** `import: {id}` names this project (and it carries no marker yet). */
  readonly adopt?: LiveProject;
}

/**
 * Matches manifests to live projects by ownership marker (and `import: {id}`); pure. A key
 * carried by several projects has no live project, unless `dedupe` settles it on the lowest id
 * (the survivor racing runs also choose).
 */
export function matchProjects(repo: Repository, live: LiveState, targets?: readonly string[], opts: { dedupe?: boolean } = {}): ProjectMatch[] {
  const ns = repo.config.namespace;
  const byKey = new Map<string, LiveProject[]>();
  for (const p of live.projects) {
    if (p.marker?.namespace !== ns) continue;
    const list = byKey.get(p.marker.key) ?? [];
    list.push(p);
    byKey.set(p.marker.key, list);
  }
  const byId = new Map(live.projects.map((p) => [p.id, p]));
  return repo.projects
    .filter((d) => !targets?.length || targets.includes(d.name))
    .map((desired) => {
      const marked = [...(byKey.get(desired.name) ?? [])].sort((a, b) => a.id - b.id);
      const adoptCandidate = desired.importId !== undefined && marked.length === 0 ? byId.get(desired.importId) : undefined;
      return {
        desired,
        ...(marked.length === 1 || (opts.dedupe && marked.length > 1) ? { live: marked[0]! } : {}),
        duplicates: marked.length > 1 ? marked : [],
        ...(adoptCandidate ? { adopt: adoptCandidate } : {}),
      };
    });
}

/**
 * The label-config changes the planner needs facts for: every change that takes something away
 * (a control, a label, a control's type or target; or any change when the live config cannot be
 * read) gets its annotations and drafts counted — whatever the project's counters say, since
 * they leave drafts out — and every change on a project with annotations gets the server's
 * strict check.
 */
export function impactChecksNeeded(matches: readonly ProjectMatch[]): Array<{ key: string; projectId: number; xml: string; removes: boolean }> {
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
    if (removes || target.annotationCount > 0) out.push({ key: m.desired.name, projectId: target.id, xml: lc.xml, removes });
  }
  return out;
}

/**
 * The planner: a pure, synchronous function of the desired state (manifests), the live state
 * and the facts read about annotation impact. All reads happen before it, all writes after.
 */
export function planChanges(input: PlanInput): Plan {
  const { repo, live } = input;
  const ns = repo.config.namespace;
  const diagnostics: PlanDiagnostic[] = [...(input.readDiagnostics ?? [])];
  const changes: ResourceChange[] = [];
  const matches = matchProjects(repo, live, input.targets, { dedupe: input.dedupe ?? false });
  const unknownTargets = (input.targets ?? []).filter((t) => !repo.projects.some((p) => p.name === t));
  for (const t of unknownTargets) diagnostics.push({ severity: 'error', code: 'unknown-target', message: `--target ${t}: no Project manifest has metadata.name "${t}"` });

  for (const m of matches) {
    const d = m.desired;
    const at = locate(d, '/metadata/name');
    const err = (code: string, message: string, pointer = '/metadata/name') => diagnostics.push({ severity: 'error', code, message, key: d.name, ...locate(d, pointer), pointer });
    const title = d.spec.title;
    const hideTitle = d.sensitive.has('title');
    const quoteTitle = (t: string) => (hideTitle ? SENSITIVE_MASK : `"${t}"`);

    if (m.duplicates.length > 0) {
      if (!input.dedupe) {
        const empty = m.duplicates.slice(1).filter((p) => p.taskCount === 0 && p.annotationCount === 0);
        err(
          'duplicate-marker',
          `${m.duplicates.length} projects carry the marker of "${d.name}" (ids ${m.duplicates.map((p) => p.id).join(', ')}); ` +
            (empty.length ? `\`labelform apply --dedupe\` keeps id ${m.duplicates[0]!.id} and deletes the empty ${empty.length === 1 ? 'copy' : 'copies'} (id ${empty.map((p) => p.id).join(', ')})` : 'delete or unmark all but one in Label Studio'),
        );
        continue;
      }
      changes.push(...planDuplicateRemoval(d.name, m.duplicates, ns, (code, message) => diagnostics.push({ severity: 'warning', code, message, key: d.name, ...at, pointer: '/metadata/name' }), hideTitle));
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
        message: `import.id ${d.importId}: no project with this id on ${input.server.url} and none carries the marker of "${d.name}" (deleted on the server, or a wrong id), so this plan creates a new project; remove \`import:\` once it is applied`,
      });
    }
    if (m.adopt?.marker) {
      err('import-marked', `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}`, '/import/id');
      continue;
    }

    const fields = compareProject(d, target);
    const lcField = fields.find((f) => f.field === 'label_config');
    const labelConfig = lcField && d.labelConfig
      ? maskLabelConfigChange(
          describeLabelConfigChange(target ? String(target.fields.label_config ?? '') : '', { ...d.labelConfig, source: d.labelConfig.ref ? `LabelConfig ${d.labelConfig.ref}` : d.labelConfig.file }),
          d.sensitive.has('label_config'),
        )
      : undefined;
    const tasks = input.taskImports?.get(d.name) ?? [];
    const base = {
      kind: 'Project' as const,
      key: d.name,
      file: d.file,
      line: at.line,
      // A title from ${env:...} is a secret: the plan (and the file it is saved to) leaves it out.
      ...(hideTitle ? {} : title !== undefined ? { title } : target ? { title: target.title } : {}),
      fields,
      ...(labelConfig ? { labelConfig } : {}),
      ...(tasks.length ? { tasks: [...tasks] } : {}),
    };

    if (!target) {
      const sameTitle = title === undefined ? [] : live.projects.filter((p) => !p.marker && pythonStrip(p.title) === pythonStrip(title));
      if (sameTitle.length > 0 && !input.allowDuplicateTitle) {
        err(
          'adopt-candidate',
          `adopt? an unmanaged project already has the title ${quoteTitle(title!)} (id ${sameTitle.map((p) => p.id).join(', ')}); creating would make a duplicate. ` +
            `Adopt it with \`labelform import ${d.name} ${sameTitle[0]!.id}\`, or pass --allow-duplicate-title to create a new one`,
        );
        continue;
      }
      // A renamed namespace would silently duplicate every project: say so.
      const elsewhere = live.projects.find((p) => p.marker && p.marker.namespace !== ns && p.marker.key === d.name && title !== undefined && pythonStrip(p.title) === pythonStrip(title));
      if (elsewhere) {
        diagnostics.push({ severity: 'warning', code: 'other-namespace', key: d.name, ...at, pointer: '/metadata/name', message: `project ${elsewhere.id} ${quoteTitle(elsewhere.title)} has this key and title but belongs to namespace "${elsewhere.marker!.namespace}"; if the namespace was renamed, adopt it with \`labelform import ${d.name} ${elsewhere.id}\` after removing its old marker` });
      }
      changes.push({ action: 'create', ...base });
      continue;
    }

    const facts = input.impact?.get(d.name);
    if (lcField && d.labelConfig && (facts || target.annotationCount > 0)) {
      checkAnnotationImpact(d, target, facts, (x) => diagnostics.push(x), (pointer) => locate(d, pointer));
    }
    const fingerprint = fingerprintProject(d, target);
    if (labelConfig) fingerprint.annotations = fingerprintValue(target.annotationCount);
    const action = m.adopt ? 'adopt' : fields.length > 0 || tasks.length > 0 ? 'update' : 'no-op';
    changes.push({ action, ...base, id: target.id, fingerprint, annotations: target.annotationCount });
  }

  const orphans: Orphan[] = input.targets?.length
    ? []
    : live.projects
        .filter((p) => p.marker?.namespace === ns && !repo.projects.some((d) => d.name === p.marker!.key))
        .map((p) => ({ id: p.id, key: p.marker!.key, title: p.title, annotations: p.annotationCount, tasks: p.taskCount }));
  if (input.prune) {
    for (const o of orphans) {
      if (o.annotations > 0) {
        diagnostics.push({ severity: 'warning', code: 'prune-annotations', key: o.key, message: `deleting ${o.key} (id ${o.id}) would lose its ${plural(o.annotations, 'annotation')}: apply refuses it without --allow-data-loss` });
      }
      changes.push({ action: 'delete', kind: 'Project', key: o.key, id: o.id, title: o.title, fields: [], annotations: o.annotations, fingerprint: { marker: fingerprintValue({ namespace: ns, key: o.key }) } });
    }
  }

  const count = (a: ResourceChange['action']) => changes.filter((c) => c.action === a).length;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    labelformVersion: input.labelformVersion,
    createdAt: input.createdAt,
    server: { ...input.server, version: live.serverVersion },
    namespace: ns,
    ...(input.targets?.length ? { targets: [...input.targets] } : {}),
    ...(input.prune ? { prune: true } : {}),
    ...(input.dedupe ? { dedupe: true } : {}),
    ...(input.allowDuplicateTitle ? { allowDuplicateTitle: true } : {}),
    desiredDigest: desiredDigest(repo, input.targets),
    changes,
    orphans,
    diagnostics,
    summary: {
      create: count('create'),
      update: count('update'),
      adopt: count('adopt'),
      delete: count('delete'),
      noop: count('no-op'),
      errors: diagnostics.filter((x) => x.severity === 'error').length,
      tasksToImport: changes.reduce((n, c) => n + (c.tasks ?? []).reduce((k, t) => k + t.tasks, 0), 0),
    },
    stats: { requests: input.stats.requests, durationMs: input.stats.durationMs },
  };
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
  target: LiveProject,
  facts: ImpactFacts | undefined,
  push: (diagnostic: PlanDiagnostic) => void,
  locateAt: (pointer: string) => { file: string; line: number; col: number },
): void {
  const lc = d.labelConfig!;
  for (const p of annotationImpactProblems(target, lc.summary, facts)) {
    const control = p.control === undefined ? undefined : lc.summary.controls.find((c) => c.name === p.control);
    const at = control ?? (p.control !== undefined ? lc.summary.root : undefined);
    const where = at
      ? { file: lc.file, ...lc.at(at.line, at.col), element: control ? `<${control.type} name="${control.name}">` : '<View>' }
      : { ...locateAt('/spec/label_config'), pointer: '/spec/label_config' };
    // A config from `${env:...}` may name a label with a secret: such a message or element goes whole.
    const hide = d.sensitive.has('label_config');
    const shown = 'element' in where && hide ? { ...where, element: maskIfSecret(where.element) } : where;
    push({ severity: 'error', code: p.code, message: hide ? withholdSecrets(p.message) : p.message, key: d.name, ...shown });
  }
}

/**
 * Why a label-config change would orphan annotations or drafts (empty when it would not); pure.
 * Used by the planner, and by apply right before it sends the change. `control` names the
 * control a problem is about.
 */
export function annotationImpactProblems(
  target: LiveProject,
  desired: LabelConfigSummary,
  facts: ImpactFacts | undefined,
): Array<{ code: string; message: string; control?: string }> {
  if (!facts) {
    return [{ code: 'impact-unknown', message: `label_config changes on project ${target.id}, which has ${plural(target.annotationCount, 'annotation')}, and its impact was not checked` }];
  }
  const orphaned: Array<{ control: string; text: string }> = [];
  const usage = facts.usage;
  const live = summarizeLive(String(target.fields.label_config ?? ''));
  for (const [control, used] of Object.entries(usage?.controls ?? {})) {
    if (used === 0) continue;
    const now = desired.controls.find((c) => c.name === control);
    const before = live?.controls.find((c) => c.name === control);
    if (!now) {
      orphaned.push({ control, text: `control "${control}"${before ? ` (${before.type})` : ''} is removed but ${usesIt(used)}` });
      continue;
    }
    if (before && before.type !== now.type) {
      orphaned.push({ control, text: `control "${control}" changes from ${before.type} to ${now.type} but ${usesIt(used)}` });
      continue;
    }
    if (before && before.toName.join(',') !== now.toName.join(',')) {
      orphaned.push({ control, text: `control "${control}" changes toName from ${before.toName.join(',')} to ${now.toName.join(',')} but ${usesIt(used)}` });
      continue;
    }
    if (now.dynamic) continue; // options come from task data: nothing in the config to lose
    for (const [label, n] of Object.entries(usage?.labels[control] ?? {})) {
      if (n > 0 && !now.labels.includes(label)) orphaned.push({ control, text: `label "${label}" of ${now.type} "${control}" is removed but ${usesIt(n)}` });
    }
  }
  const problems: Array<{ code: string; message: string; control?: string }> = orphaned.map((o) => ({
    code: 'orphans-annotations',
    message: `${o.text}; Label Studio's PATCH would accept this and orphan them. Keep the label, or relabel those annotations first`,
    control: o.control,
  }));
  if (!facts.serverCheck.ok && orphaned.length === 0) {
    problems.push({ code: 'server-rejects-config', message: `Label Studio refuses this label_config for project ${target.id} with annotations: ${facts.serverCheck.message}` });
  }
  return problems;
}

/**
 * With --dedupe: the copies of a key beyond the lowest id. Empty ones (no tasks, no annotations)
 * are planned as deletes; copies holding data are never deleted, only listed.
 */
function planDuplicateRemoval(key: string, carriers: readonly LiveProject[], ns: string, warn: (code: string, message: string) => void, hideTitle = false): ResourceChange[] {
  const [keep, ...extra] = carriers;
  const out: ResourceChange[] = [];
  for (const p of extra) {
    if (p.taskCount > 0 || p.annotationCount > 0) {
      warn('duplicate-with-data', `project ${p.id} ${hideTitle ? SENSITIVE_MASK : `"${p.title}"`} also carries the marker of "${key}" and holds ${plural(p.taskCount, 'task')} and ${plural(p.annotationCount, 'annotation')}: left in place (labelform never deletes data); move its data into id ${keep!.id} or remove its marker by hand`);
      continue;
    }
    out.push({ action: 'delete', kind: 'Project', key, id: p.id, ...(hideTitle ? {} : { title: p.title }), fields: [], annotations: 0, duplicateOf: keep!.id, fingerprint: { marker: fingerprintValue({ namespace: ns, key }) } });
  }
  return out;
}

function usesIt(n: number): string {
  return n === 1 ? '1 annotation uses it' : `${n} annotations use it`;
}

function locate(d: ProjectResource, pointer: string): { file: string; line: number; col: number } {
  const p = d.doc.locate(pointer);
  return { file: d.file, line: p.line, col: p.col };
}

/** Hash of what the manifests ask for (secrets by field name only). */
export function desiredDigest(repo: Repository, targets?: readonly string[]): string {
  return fingerprintValue(
    repo.projects
      .filter((p) => !targets?.length || targets.includes(p.name))
      .map((p) => ({
        key: p.name,
        spec: Object.fromEntries(Object.entries(p.spec).map(([k, v]) => [k, p.sensitive.has(k) ? '(sensitive)' : v])),
        // Relative to the repository, not to the working directory (display paths are): a plan
        // saved from one directory must still apply from another.
        tasks: p.tasks.map((t) => relative(repo.root, t.path).split(sep).join('/')),
        import: p.importId ?? null,
      })),
  );
}


export type { FieldChange };
