import { migrationLine } from './render-migrations.ts';
import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import { styleFor, type Style } from '../util/style.ts';
import { formatDiagnostic } from '../util/diagnostics.ts';
import { resourceName } from '../model/resource-name.ts';
import { markerPlaceOf, nounFor, nounOf, plural, showChange } from './render-values.ts';
import { showTitle } from '../util/redact.ts';
import { labelConfigDiffLines, labelConfigSummaryText } from './render-label-config.ts';

const SYMBOL: Record<ResourceChange['action'], string> = {
  create: '+',
  update: '~',
  adopt: '⇄',
  delete: '-',
  'no-op': '=',
};

/** The colour of a change's heading, by action. */
const COLOR: Record<ResourceChange['action'], 'green' | 'yellow' | 'cyan' | 'red'> = {
  create: 'green',
  update: 'yellow',
  adopt: 'cyan',
  delete: 'red',
  'no-op': 'yellow',
};

/** The plan for a terminal or a CI log. */
export function renderPlanText(plan: Plan, opts: { color?: boolean; showDiff?: boolean } = {}): string {
  const s = styleFor(opts.color ?? false);
  const out: string[] = [];
  out.push(
    s.bold(
      `Plan for environment "${plan.server.environment}" — ${plan.server.url} (Label Studio ${plan.server.version ?? '?'}), namespace "${plan.namespace}"${plan.targets ? `, targets: ${plan.targets.join(', ')}` : ''}`,
    ),
  );
  out.push('');
  const changed = plan.changes.filter((c) => c.action !== 'no-op');
  for (const c of changed) out.push(...renderChange(c, s, opts.showDiff ?? true), '');
  const noop = plan.changes.filter((c) => c.action === 'no-op');
  if (noop.length)
    out.push(s.dim(`= ${plural(noop.length, nounFor(noop))} unchanged: ${noop.map(resourceName).join(', ')}`), '');
  if (plan.orphans.length && !plan.prune) {
    out.push(
      s.yellow(`Orphans: marked with namespace "${plan.namespace}" but no manifest (\`apply --prune\` deletes them):`),
    );
    for (const o of plan.orphans)
      out.push(
        `  ${resourceName(o)} (id ${o.id}) ${showTitle(o.title)} — ${plural(o.annotations, 'annotation')}, ${plural(o.tasks ?? 0, 'task')}`,
      );
    out.push('');
  }
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  if (plan.diagnostics.length) {
    out.push(
      errors.length
        ? s.red(`${plural(errors.length, 'error')} — nothing can be applied until they are fixed:`)
        : s.yellow('Warnings:'),
    );
    for (const d of plan.diagnostics) out.push(`  ${formatDiagnostic(d)}`);
    out.push('');
  }
  out.push(summaryLine(plan));
  return `${out.join('\n')}\n`;
}

export function summaryLine(plan: Plan): string {
  const { summary: m, stats } = plan;
  const parts = [`${m.create} to create`, `${m.update} to update`];
  if (m.adopt) parts.push(`${m.adopt} to adopt`);
  parts.push(`${m.delete} to delete`, `${m.noop} unchanged`);
  if (m.tasksToImport) parts.push(`${plural(m.tasksToImport, 'task')} to import`);
  if (plan.orphans.length && !plan.prune) parts.push(plural(plan.orphans.length, 'orphan'));
  if (m.errors) parts.push(plural(m.errors, 'error'));
  const none = m.create + m.update + m.adopt + m.delete === 0 && !m.errors;
  return `${none ? 'No changes. ' : ''}Plan: ${parts.join(', ')}. Read the server in ${plural(stats.requests, 'API request')}, ${(stats.durationMs / 1000).toFixed(2)} s.`;
}

function renderChange(c: ResourceChange, s: Style, showDiff: boolean): string[] {
  const color = s[COLOR[c.action]];
  const where = c.file ? s.dim(`  ${c.file}${c.line ? `:${c.line}` : ''}`) : '';
  const head = `${color(`${SYMBOL[c.action]} ${c.action.padEnd(6)}`)} ${s.bold(resourceName(c))}${c.id ? ` (id ${c.id})` : ''}${c.title ? ` ${showTitle(c.title)}` : ''}${where}`;
  const lines = [head];
  if (c.action === 'adopt')
    lines.push(`    ownership marker: added${markerPlaceOf(c.kind)} (the ${nounOf(c.kind)} becomes managed)`);
  if (c.action === 'delete' && c.duplicateOf !== undefined)
    lines.push(`    deletes this empty copy (no tasks, no annotations); id ${c.duplicateOf} keeps the key`);
  else if (c.action === 'delete')
    lines.push(
      `    deletes the ${nounOf(c.kind)}${c.detail?.annotations ? ` and its ${plural(c.detail.annotations, 'annotation')}` : ''}`,
    );
  const width = Math.max(12, ...c.fields.map((f) => f.field.length));
  for (const f of c.fields) {
    if (f.field === 'label_config' && c.detail?.labelConfig) continue;
    const v = showChange(f);
    lines.push(`    ${f.field.padEnd(width)}  ${c.action === 'create' ? v.after : `${v.before} → ${v.after}`}`);
  }
  const lc = c.detail?.labelConfig;
  if (lc) {
    const summary = labelConfigSummaryText(lc, c.action === 'create');
    lines.push(`    ${'label_config'.padEnd(width)}  ${summary}${lc.source ? s.dim(`  (from ${lc.source})`) : ''}`);
    if (showDiff && c.action !== 'create') {
      for (const l of labelConfigDiffLines(lc.diff, s)) lines.push(`      ${l}`);
    }
  }
  for (const t of c.detail?.tasks ?? []) lines.push(`    tasks: ${plural(t.tasks, 'task')} to import from ${t.file}`);
  for (const m of c.detail?.migrations ?? []) lines.push(`    ${migrationLine(m)}`);
  for (const n of c.notes ?? []) lines.push(`    note: ${n}`);
  return lines;
}
