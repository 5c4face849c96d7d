import type { Plan } from '../generated/schema-types.ts';
import { styleFor } from '../util/style.ts';
import { plural, showChange, showTitle } from './render-values.ts';
import { formatDiagnostic } from '../util/diagnostics.ts';

export interface DriftEntry {
  readonly key: string;
  readonly id?: number;
  readonly kind: 'changed' | 'missing' | 'unmanaged' | 'orphan';
  readonly message: string;
  readonly fields: ReadonlyArray<{ readonly field: string; readonly git?: unknown; readonly server?: unknown; readonly sensitive?: boolean }>;
}

export interface DriftReport {
  readonly environment: string;
  readonly url: string;
  readonly namespace: string;
  readonly drift: boolean;
  readonly entries: readonly DriftEntry[];
  readonly errors: Plan['diagnostics'];
  readonly checked: number;
}

/**
 * Drift is the plan read the other way round: what the server has that git does not say — fields
 * changed outside git, managed projects missing on the server, and orphans of this namespace.
 */
export function driftFromPlan(plan: Plan): DriftReport {
  const entries: DriftEntry[] = [];
  for (const c of plan.changes) {
    if (c.action === 'update' && c.fields.length) {
      entries.push({
        key: c.key,
        ...(c.id ? { id: c.id } : {}),
        kind: 'changed',
        message: c.fields.length === 1 ? '1 field differs from git' : `${c.fields.length} fields differ from git`,
        fields: c.fields.map((f) => (f.sensitive ? { field: f.field, sensitive: true } : { field: f.field, git: f.after, server: f.before })),
      });
    } else if (c.action === 'create') {
      const gone = plan.diagnostics.find((d) => d.code === 'import-missing' && d.key === c.key);
      const importId = gone && /^import\.id (\d+)/.exec(gone.message)?.[1];
      const message = importId
        ? `no project on the server carries this key, and its import.id ${importId} names no project (deleted there?)`
        : 'no project on the server carries this key (deleted there, or never applied)';
      entries.push({ key: c.key, kind: 'missing', message, fields: [] });
    } else if (c.action === 'adopt') {
      entries.push({ key: c.key, ...(c.id ? { id: c.id } : {}), kind: 'unmanaged', message: `project ${c.id} is named by import.id but does not carry the marker yet`, fields: [] });
    }
  }
  // A project whose marker was removed in the UI shows up as an "adopt?" candidate: that is drift.
  for (const d of plan.diagnostics.filter((x) => x.code === 'adopt-candidate')) {
    entries.push({ key: d.key ?? '?', kind: 'unmanaged', message: `no project carries its marker, but an unmanaged one has its title (marker removed in the UI?): ${d.message.replace(/^adopt\? /, '')}`, fields: [] });
  }
  for (const o of plan.orphans) {
    entries.push({ key: o.key, id: o.id, kind: 'orphan', message: `carries the marker of namespace "${plan.namespace}" but has no manifest (${showTitle(o.title)}, ${plural(o.annotations, 'annotation')})`, fields: [] });
  }
  return {
    environment: plan.server.environment,
    url: plan.server.url,
    namespace: plan.namespace,
    drift: entries.length > 0,
    entries,
    errors: plan.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'adopt-candidate'),
    checked: plan.changes.length,
  };
}

export function renderDriftText(r: DriftReport, color = false): string {
  const s = styleFor(color);
  const out: string[] = [s.bold(`Drift check for environment "${r.environment}" — ${r.url}, namespace "${r.namespace}"`), ''];
  for (const e of r.entries) {
    out.push(`${s.yellow('!')} ${s.bold(e.key)}${e.id ? ` (id ${e.id})` : ''}: ${e.kind} — ${e.message}`);
    for (const f of e.fields) {
      const v = showDrift(f);
      out.push(`    ${f.field}: server has ${v.before}, git has ${v.after}`);
    }
  }
  for (const d of r.errors) out.push(s.red(formatDiagnostic(d)));
  if (r.entries.length) out.push('');
  out.push(r.drift ? `Drift found in ${plural(r.entries.length, 'project')} (${plural(r.checked, 'managed project')} checked). \`labelform apply\` puts git's values back.` : `No drift: ${r.checked === 1 ? 'the managed project matches' : `${plural(r.checked, 'managed project')} match`} git.`);
  return `${out.join('\n')}\n`;
}

export function renderDriftMarkdown(r: DriftReport): string {
  const out: string[] = ['<!-- labelform:drift -->', `### labelform drift · \`${r.environment}\` · namespace \`${r.namespace}\``, ''];
  if (!r.drift) {
    out.push(`✅ No drift: ${r.checked === 1 ? 'the managed project matches' : `${plural(r.checked, 'managed project')} match`} git.`);
    return `${out.join('\n')}\n`;
  }
  out.push(`⚠️ **Drift in ${plural(r.entries.length, 'project')}**`, '', '| Project | Id | Drift | Field | Server | Git |', '|---|---|---|---|---|---|');
  for (const e of r.entries) {
    if (!e.fields.length) out.push(`| \`${e.key}\` | ${e.id ?? ''} | ${e.kind} | | | |`);
    for (const f of e.fields) {
      const v = showDrift(f, 120);
      out.push(`| \`${e.key}\` | ${e.id ?? ''} | ${e.kind} | ${f.field} | ${cell(v.before)} | ${cell(v.after)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** A drift field as "server value" (before) and "git value" (after); secrets without values. */
function showDrift(f: DriftEntry['fields'][number], max?: number): { before: string; after: string } {
  return showChange(f.sensitive ? { field: f.field, sensitive: true } : { field: f.field, before: f.server as never, after: f.git as never }, max);
}

function cell(s: string): string {
  return `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|')}</code>`;
}
