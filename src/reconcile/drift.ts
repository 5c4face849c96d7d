import type { LabelConfigChange, Plan, PlanDiagnostic } from '../generated/schema-types.ts';
import type { ChangeOrigin, Repository } from '../kinds/kind.ts';
import { REVIEW_CODES } from '../labelconfig/review.ts';
import { findResourceKind } from '../kinds/registry.ts';
import { liveOf, type LiveState } from '../state/live-state.ts';
import { formatDiagnostic, type Diagnostic } from '../util/diagnostics.ts';
import { styleFor } from '../util/style.ts';
import {
  labelConfigControlsMarkdown,
  labelConfigDiffLines,
  labelConfigDiffMarkdown,
  labelConfigSummaryText,
} from './render-label-config.ts';
import { MARKDOWN_LIMIT } from './render-markdown.ts';
import { resourceName } from '../model/resource-name.ts';
import { plural, showChange } from './render-values.ts';
import { showTitle } from '../util/redact.ts';
import { DEFAULT_KIND } from '../model/kind-names.ts';

export type { ChangeOrigin };

export interface DriftField {
  readonly field: string;
  /** Which side moved since the project was last applied (see `ChangeOrigin`). */
  readonly origin: ChangeOrigin;
  readonly git?: unknown;
  readonly server?: unknown;
  readonly sensitive?: boolean;
}

export interface DriftEntry {
  /** The resource's kind (`Project`, ...); `kind` says what happened to it. */
  readonly resourceKind: string;
  /** Key of the resource that owns it, for a kind with a parent. */
  readonly parent?: string;
  readonly key: string;
  readonly id?: number;
  readonly kind: 'changed' | 'missing' | 'unmanaged' | 'orphan';
  readonly message: string;
  /** The manifest, for annotations and links. */
  readonly file?: string;
  readonly line?: number;
  readonly fields: readonly DriftField[];
  /** The label config from the server's to git's: the XML diff, labels added and removed per control. */
  readonly labelConfig?: LabelConfigChange;
  /** What the marker records about the last apply; absent when it records nothing (origins are then unknown). */
  readonly lastApplied?: { readonly commit?: string; readonly repository?: string };
  /** Why `apply` cannot put git's values back as things are (annotations use what it would remove). */
  readonly blockers?: readonly string[];
}

/**
 * - `error`: the check is incomplete (what it found is still listed);
 * - `drift`: something changed outside git (edited on the server, origin unknown, a managed
 *   project missing or unmarked, an orphan);
 * - `pending`: only changes made in git that are not applied yet;
 * - `clean`: the server matches git.
 */
export type DriftStatus = 'error' | 'drift' | 'pending' | 'clean';

export interface DriftReport {
  readonly status: DriftStatus;
  readonly environment?: string;
  readonly url?: string;
  readonly namespace?: string;
  /** Something changed outside git. */
  readonly drift: boolean;
  /** Git has changes not applied yet. */
  readonly pending: boolean;
  readonly entries: readonly DriftEntry[];
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Managed projects compared. */
  readonly checked: number;
  /** Managed resources compared, by kind (`Project`, `Webhook`, …): a project's webhooks are not projects. */
  readonly checkedByKind: Readonly<Record<string, number>>;
}

/** The manifests and the live state the plan was made from: with them, each change gets its origin. */
export interface DriftSources {
  readonly repo: Repository;
  readonly live: LiveState;
}

/** Plan problems about putting a label config back over annotations: for drift, a note on the entry, not a failed check. */
const IMPACT_CODES = new Set(['orphans-annotations', 'server-rejects-config', 'impact-unknown']);

/**
 * Drift is the plan read the other way round: what differs between the server and git, and
 * which side moved since the last apply (from the record in each project's ownership marker);
 * managed projects missing on the server; orphans of this namespace. Without `sources` every
 * changed field's origin is `unknown`.
 */
export function driftFromPlan(plan: Plan, sources?: DriftSources): DriftReport {
  const entries: DriftEntry[] = [];
  const blockers = new Map<string, string[]>();
  const warnings: Diagnostic[] = [];
  for (const d of plan.diagnostics) {
    if (IMPACT_CODES.has(d.code) && d.key) {
      const message = `apply cannot put git's label_config back: ${d.message}`;
      blockers.set(d.key, [...(blockers.get(d.key) ?? []), message]);
      warnings.push(toDiagnostic({ ...d, severity: 'warning', message }));
    } else if (d.severity === 'warning' && d.code !== 'import-missing' && !REVIEW_CODES.has(d.code)) {
      // Review warnings (hotkey clashes …) are for whoever reviews a change of git, not drift.
      warnings.push(toDiagnostic(d));
    }
  }
  for (const c of plan.changes) {
    const at = { ...(c.file ? { file: c.file } : {}), ...(c.line ? { line: c.line } : {}) };
    const kind = findResourceKind(c.kind);
    const who = { resourceKind: c.kind, ...(c.parent ? { parent: c.parent.key } : {}) };
    if (c.action === 'update' && c.fields.length) {
      const desired =
        sources && kind?.desired(sources.repo).find((d) => d.name === c.key && d.parent === c.parent?.key);
      const live = sources && liveOf(sources.live, c.kind).find((l) => l.id === c.id);
      const record = live ? kind?.lastApplied(live) : undefined;
      const fields: DriftField[] = c.fields.map((f) => {
        const origin = desired && live && kind ? kind.attribute(f.field, desired, live) : 'unknown';
        return f.sensitive
          ? { field: f.field, origin, sensitive: true }
          : { field: f.field, origin, git: f.after, server: f.before };
      });
      // About the default kind by nature: a plan diagnostic names its resource by key alone (no
      // kind in the plan's JSON), and a key alone means the default kind, as a bare --target does;
      // the impact checks are its planner's (a project's label config over its annotations).
      const blocked = c.kind === DEFAULT_KIND ? blockers.get(c.key) : undefined;
      entries.push({
        ...who,
        key: c.key,
        ...(c.id ? { id: c.id } : {}),
        kind: 'changed',
        message: describeOrigins(fields),
        ...at,
        fields,
        ...(c.detail?.labelConfig ? { labelConfig: serverToGit(c.detail.labelConfig) } : {}),
        ...(record ? { lastApplied: record } : {}),
        ...(blocked ? { blockers: blocked } : {}),
      });
    } else if (c.action === 'create') {
      const gone = plan.diagnostics.find((d) => d.code === 'import-missing' && d.key === c.key);
      const importId = gone && /^import\.id (\d+)/.exec(gone.message)?.[1];
      const message = importId
        ? `no project on the server carries this key, and its import.id ${importId} names no project (deleted there?)`
        : 'no project on the server carries this key (deleted there, or never applied)';
      entries.push({ ...who, key: c.key, kind: 'missing', message, ...at, fields: [] });
    } else if (c.action === 'adopt') {
      entries.push({
        ...who,
        key: c.key,
        ...(c.id ? { id: c.id } : {}),
        kind: 'unmanaged',
        message: `${kind?.noun ?? c.kind} ${c.id} is named by import.id but does not carry the marker yet`,
        ...at,
        fields: [],
      });
    }
  }
  // A project whose marker was removed in the UI shows up as an "adopt?" candidate: that is drift.
  // Its diagnostic names it by key alone, which means the default kind (see the blockers above).
  for (const d of plan.diagnostics.filter((x) => x.code === 'adopt-candidate')) {
    entries.push({
      resourceKind: DEFAULT_KIND,
      key: d.key ?? '?',
      kind: 'unmanaged',
      message: `no project carries its marker, but an unmanaged one has its title (marker removed in the UI?): ${d.message.replace(/^adopt\? /, '')}`,
      ...(d.file ? { file: d.file } : {}),
      ...(d.line ? { line: d.line } : {}),
      fields: [],
    });
  }
  for (const o of plan.orphans) {
    entries.push({
      resourceKind: o.kind,
      ...(o.parent ? { parent: o.parent.key } : {}),
      key: o.key,
      id: o.id,
      kind: 'orphan',
      message: `carries the marker of namespace "${plan.namespace}" but has no manifest (${showTitle(o.title)}, ${plural(o.annotations, 'annotation')})`,
      fields: [],
    });
  }
  const errors = plan.diagnostics
    .filter((d) => d.severity === 'error' && d.code !== 'adopt-candidate' && !IMPACT_CODES.has(d.code))
    .map(toDiagnostic);
  const drift = entries.some((e) => e.kind !== 'changed' || e.fields.some((f) => f.origin !== 'git'));
  const pending = entries.some((e) => e.fields.some((f) => f.origin === 'git'));
  const checkedByKind: Record<string, number> = {};
  for (const c of plan.changes) checkedByKind[c.kind] = (checkedByKind[c.kind] ?? 0) + 1;
  return {
    status: errors.length ? 'error' : drift ? 'drift' : pending ? 'pending' : 'clean',
    environment: plan.server.environment,
    url: plan.server.url,
    namespace: plan.namespace,
    drift,
    pending,
    entries,
    errors,
    warnings,
    // The report's `checked` counts the default kind's resources ("managed projects"), as it always has.
    checked: checkedByKind[DEFAULT_KIND] ?? 0,
    checkedByKind,
  };
}

/**
 * A drift report for a check that failed before it could compare anything (manifests with
 * errors, a server that cannot be read): the same three renderings then say why.
 */
export function failedDriftReport(
  errors: readonly Diagnostic[],
  where: { readonly environment?: string; readonly url?: string; readonly namespace?: string } = {},
): DriftReport {
  return {
    status: 'error',
    ...where,
    drift: false,
    pending: false,
    entries: [],
    errors: [...errors],
    warnings: [],
    checked: 0,
    checkedByKind: {},
  };
}

/** 0 when the server matches git, 2 when it does not (drift or changes not applied yet), 1 when the check failed. */
export function driftExitCode(r: DriftReport): number {
  return r.errors.length ? 1 : r.drift || r.pending ? 2 : 0;
}

/**
 * The located problems a drift check has to show in CI: its errors and warnings, and one warning
 * per drifted project at its manifest saying what changed and where.
 */
export function driftDiagnostics(r: DriftReport): Diagnostic[] {
  const found: Diagnostic[] = r.entries.flatMap((e) =>
    e.file
      ? [
          {
            severity: 'warning' as const,
            code: e.kind === 'changed' ? `drift-${dominantOrigin(e)}` : `drift-${e.kind}`,
            message: `${entryName(e)}${e.id ? ` (id ${e.id})` : ''}: ${e.kind === 'changed' ? e.message : `${e.kind}: ${e.message}`}`,
            file: e.file,
            ...(e.line ? { line: e.line } : {}),
          },
        ]
      : [],
  );
  return [...r.errors, ...r.warnings, ...found];
}

const ORIGIN_TEXT: Record<ChangeOrigin, string> = {
  server: 'changed on the server since it was last applied',
  both: 'changed in git and on the server since it was last applied',
  unknown: 'differs from git, origin unknown',
  git: 'changed in git, not yet applied',
};
const ORIGIN_SHORT: Record<ChangeOrigin, string> = {
  server: 'changed on the server',
  both: 'changed in git and on the server',
  unknown: 'differs (origin unknown)',
  git: 'changed in git, not applied',
};
const ORIGIN_ORDER: readonly ChangeOrigin[] = ['server', 'both', 'unknown', 'git'];
const KIND_SHORT: Record<Exclude<DriftEntry['kind'], 'changed'>, string> = {
  missing: 'missing on the server',
  unmanaged: 'marker missing',
  orphan: 'orphan (no manifest)',
};

export function renderDriftText(r: DriftReport, color = false): string {
  const s = styleFor(color);
  const out: string[] = [
    s.bold(
      `Drift check for environment "${r.environment ?? '?'}"${r.url ? ` — ${r.url}` : ''}${r.namespace ? `, namespace "${r.namespace}"` : ''}`,
    ),
    '',
  ];
  for (const e of r.entries) {
    const where = e.file ? s.dim(`  ${e.file}${e.line ? `:${e.line}` : ''}`) : '';
    if (e.kind !== 'changed') {
      out.push(
        `${s.yellow('!')} ${s.bold(entryName(e))}${e.id ? ` (id ${e.id})` : ''}: ${e.kind} — ${e.message}${where}`,
      );
      continue;
    }
    out.push(
      `${e.fields.every((f) => f.origin === 'git') ? s.cyan('~') : s.yellow('!')} ${s.bold(entryName(e))}${e.id ? ` (id ${e.id})` : ''}${where}`,
    );
    for (const origin of ORIGIN_ORDER) {
      const fields = e.fields.filter((f) => f.origin === origin);
      if (!fields.length) continue;
      out.push(`    ${originHeading(origin, e)}:`);
      for (const f of fields) {
        if (f.field === 'label_config' && e.labelConfig) {
          out.push(
            `      label_config: ${labelConfigSummaryText(e.labelConfig, false)}  ${s.dim('(- server, + git)')}`,
          );
          for (const l of labelConfigDiffLines(e.labelConfig.diff, s)) out.push(`        ${l}`);
          continue;
        }
        const v = showDrift(f);
        out.push(`      ${f.field}: server has ${v.before}, git has ${v.after}`);
      }
    }
    for (const b of e.blockers ?? []) out.push(`    ${s.red('note:')} ${b}`);
  }
  if (r.entries.length) out.push('');
  if (r.errors.length) {
    out.push(s.red(`${plural(r.errors.length, 'error')} — the drift check is incomplete:`));
    for (const d of r.errors) out.push(`  ${formatDiagnostic(d)}`);
    out.push('');
  }
  const warnings = r.warnings.filter((w) => !r.entries.some((e) => e.blockers?.includes(w.message)));
  if (warnings.length) {
    out.push(s.yellow('Warnings:'));
    for (const d of warnings) out.push(`  ${formatDiagnostic(d)}`);
    out.push('');
  }
  out.push(summaryText(r));
  return `${out.join('\n')}\n`;
}

export function renderDriftJson(r: DriftReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** For an issue or a comment: the verdict first, then errors, a table of what differs, and the label-config diffs. */
export function renderDriftMarkdown(r: DriftReport, limit = MARKDOWN_LIMIT): string {
  const head: string[] = ['<!-- labelform:drift -->'];
  const where = [r.environment ? `\`${r.environment}\`` : '', r.namespace ? `namespace \`${r.namespace}\`` : '']
    .filter(Boolean)
    .join(' · ');
  head.push(
    `### ${r.errors.length ? '❌ labelform drift check failed' : 'labelform drift'}${where ? ` · ${where}` : ''}`,
    '',
  );
  const icon = r.errors.length ? '❌' : r.drift ? '⚠️' : r.pending ? '🕓' : '✅';
  head.push(`**${icon} ${escapeText(summaryText(r))}**`, '');
  if (r.errors.length) {
    head.push(`#### ❌ ${plural(r.errors.length, 'error')}: the drift check is incomplete`);
    for (const d of r.errors.slice(0, MAX_LISTED)) head.push(`- ${located(d)}${escapeText(d.message)}`);
    if (r.errors.length > MAX_LISTED)
      head.push(`- … and ${r.errors.length - MAX_LISTED} more (see the job log or \`drift --json\`)`);
    head.push('');
  }
  if (r.warnings.length) {
    head.push('#### ⚠️ Warnings');
    for (const d of r.warnings.slice(0, MAX_LISTED)) head.push(`- ${located(d)}${escapeText(d.message)}`);
    if (r.warnings.length > MAX_LISTED)
      head.push(`- … and ${r.warnings.length - MAX_LISTED} more (see the job log or \`drift --json\`)`);
    head.push('');
  }
  const rows: string[] = [];
  for (const e of r.entries) {
    for (const origin of ORIGIN_ORDER) {
      for (const f of e.fields.filter((x) => x.origin === origin)) {
        if (f.field === 'label_config' && e.labelConfig) {
          const sides = labelSides(e.labelConfig);
          rows.push(
            `| \`${entryName(e)}\` | ${e.id ?? ''} | ${ORIGIN_SHORT[origin]} | label_config | ${sides.server} | ${sides.git} |`,
          );
          continue;
        }
        const v = showDrift(f, 120);
        rows.push(
          `| \`${entryName(e)}\` | ${e.id ?? ''} | ${ORIGIN_SHORT[origin]} | ${f.field} | ${cell(v.before)} | ${cell(v.after)} |`,
        );
      }
    }
    if (e.kind !== 'changed')
      rows.push(
        `| \`${entryName(e)}\` | ${e.id ?? ''} | ${KIND_SHORT[e.kind]} | | ${escapeCell(escapeText(e.message))} | |`,
      );
  }
  let out = head.join('\n');
  const notice = (what: string) =>
    `\n> ✂️ Truncated: ${what} not shown to keep this under ${limit.toLocaleString('en')} characters. Run \`labelform drift\` (or see the job log / \`drift --json\`) for the full report.\n`;
  if (rows.length) {
    out += '\n| Project | Id | Drift | Field | Server | Git |\n|---|---|---|---|---|---|\n';
    let shown = 0;
    for (const row of rows) {
      if (out.length + row.length + 1 + notice('').length + 40 > limit) break;
      out += `${row}\n`;
      shown++;
    }
    if (shown < rows.length) return out + notice(plural(rows.length - shown, 'more row'));
    out += '\n';
  }
  const sections = r.entries.flatMap((e) => (e.labelConfig ? [renderLabelConfigDetails(e, e.labelConfig)] : []));
  let shown = 0;
  for (const section of sections) {
    if (out.length + section.length + 2 + notice('').length + 40 > limit) break;
    out += `${section}\n\n`;
    shown++;
  }
  if (shown < sections.length) out += notice(plural(sections.length - shown, 'more label-config diff'));
  return `${out.trimEnd()}\n`;
}

/** Markdown lists this many errors and warnings; the job log and the JSON have them all. */
const MAX_LISTED = 50;

function summaryText(r: DriftReport): string {
  const parts: string[] = [];
  const drifted = r.entries.filter((e) => e.kind !== 'changed' || e.fields.some((f) => f.origin !== 'git'));
  const pending = r.entries.filter((e) => e.fields.some((f) => f.origin === 'git'));
  const checked = checkedText(r);
  const total = Object.values(r.checkedByKind).reduce((a, b) => a + b, 0);
  if (r.errors.length) parts.push(`Drift check incomplete: ${plural(r.errors.length, 'error')}.`);
  if (drifted.length)
    parts.push(
      `Drift found in ${countByNoun(drifted.map((e) => e.resourceKind))} (${checked} checked). \`labelform apply\` puts git's values back.`,
    );
  if (pending.length)
    parts.push(
      `${countByNoun(pending.map((e) => e.resourceKind))} ${pending.length === 1 ? 'has' : 'have'} changes in git not yet applied: \`labelform apply\` applies them.`,
    );
  if (!r.errors.length && !drifted.length)
    parts.unshift(
      pending.length
        ? 'No drift on the server.'
        : `No drift: ${total === 1 && r.checked === 1 ? 'the managed project matches' : `${checked} match`} git.`,
    );
  if (r.errors.length && !drifted.length && !pending.length && total > 0)
    parts.push(`Nothing else differs in the ${checked} that could be checked.`);
  return parts.join(' ');
}

/** What was compared: "300 managed projects", plus "and 1500 other resources (300 webhooks, …)". */
function checkedText(r: DriftReport): string {
  const projects = plural(r.checked, 'managed project');
  // `checked` is the default kind's count (see driftFromPlan): every other kind is counted after it.
  const others = Object.entries(r.checkedByKind).filter(([kind, n]) => kind !== DEFAULT_KIND && n > 0);
  if (!others.length) return projects;
  const n = others.reduce((a, [, k]) => a + k, 0);
  return `${projects} and ${plural(n, 'other resource')} (${others.map(([kind, k]) => plural(k, nounOf(kind))).join(', ')})`;
}

/** "2 projects", "1 project and 3 webhooks": resources counted as what they are, in the registry's order. */
function countByNoun(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => plural(n, nounOf(kind)));
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function nounOf(kind: string): string {
  return findResourceKind(kind)?.noun ?? kind;
}

function originHeading(origin: ChangeOrigin, e: DriftEntry): string {
  const from = e.lastApplied?.commit
    ? ` (commit ${e.lastApplied.commit}${e.lastApplied.repository ? ` of ${e.lastApplied.repository}` : ''})`
    : '';
  if (origin === 'unknown') {
    return e.lastApplied
      ? `${ORIGIN_TEXT.unknown} (a secret: never fingerprinted)`
      : `${ORIGIN_TEXT.unknown} (its marker records no apply: written by an earlier labelform or by \`labelform import\`)`;
  }
  return origin === 'git' ? ORIGIN_TEXT.git : `${ORIGIN_TEXT[origin]}${from}`;
}

function describeOrigins(fields: readonly DriftField[]): string {
  return ORIGIN_ORDER.filter((o) => fields.some((f) => f.origin === o))
    .map(
      (o) =>
        `${ORIGIN_TEXT[o]}: ${fields
          .filter((f) => f.origin === o)
          .map((f) => f.field)
          .join(', ')}`,
    )
    .join('; ');
}

/** The most pressing origin of an entry's changes (server edits first). */
function dominantOrigin(e: DriftEntry): ChangeOrigin {
  return ORIGIN_ORDER.find((o) => e.fields.some((f) => f.origin === o)) ?? 'unknown';
}

/** The plan's diff reads live -> desired; in a drift report the sides are the server and git. */
function serverToGit(lc: LabelConfigChange): LabelConfigChange {
  return { ...lc, diff: lc.diff.replace(/^--- live$/m, '--- server').replace(/^\+\+\+ desired$/m, '+++ git') };
}

/** Per side, what only that side's label config has: controls and labels (git's "added" is what the server lacks). */
function labelSides(lc: LabelConfigChange): { server: string; git: string } {
  const server: string[] = [];
  const git: string[] = [];
  for (const x of lc.controls) {
    if (x.change === 'added') git.push(`${x.control} (${x.type})`);
    else if (x.change === 'removed') server.push(`${x.control} (${x.type})`);
    else {
      if (x.labelsRemoved.length) server.push(`${x.control}: ${someOf(x.labelsRemoved)}`);
      if (x.labelsAdded.length) git.push(`${x.control}: ${someOf(x.labelsAdded)}`);
      if (x.detail) git.push(`${x.control}: ${x.detail}`);
    }
  }
  const show = (items: string[]) =>
    items.length
      ? `only here: ${items.map((i) => cell(i)).join(' ')}`
      : lc.controls.length
        ? ''
        : 'layout/attributes differ';
  return { server: show(server), git: `${show(git)}${show(git) ? ' ' : ''}(diff below)` };
}

/** A table cell names the first few labels; the section below has them all. */
function someOf(labels: readonly string[], max = 8): string {
  return labels.length > max
    ? `${labels.slice(0, max).join(', ')}, … (${labels.length - max} more)`
    : labels.join(', ');
}

function renderLabelConfigDetails(e: DriftEntry, lc: LabelConfigChange): string {
  const origin = e.fields.find((f) => f.field === 'label_config')?.origin ?? 'unknown';
  const lines = [
    `<details><summary><code>${entryName(e)}</code>${e.id ? ` (id ${e.id})` : ''}: label_config ${ORIGIN_SHORT[origin]} (<code>-</code> server, <code>+</code> git)</summary>`,
    '',
  ];
  lines.push(...labelConfigControlsMarkdown(lc));
  lines.push('', ...labelConfigDiffMarkdown(lc.diff), '', '</details>');
  return lines.join('\n');
}

/** A drift field as "server value" (before) and "git value" (after); secrets without values. */
function showDrift(f: DriftField, max?: number): { before: string; after: string } {
  return showChange(
    f.sensitive ? { field: f.field, sensitive: true } : { field: f.field, before: f.server, after: f.git },
    max,
  );
}

function toDiagnostic(d: PlanDiagnostic): Diagnostic {
  return d;
}

function located(d: Diagnostic): string {
  return d.file ? `\`${d.file}${d.line ? `:${d.line}` : ''}\` ` : '';
}

function cell(s: string): string {
  return `<code>${escapeCell(s.replace(/&/g, '&amp;').replace(/</g, '&lt;'))}</code>`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

/** A drift entry's resource, named as plans name it. */
function entryName(e: DriftEntry): string {
  return resourceName({ kind: e.resourceKind, key: e.key, parent: e.parent });
}
