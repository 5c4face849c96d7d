import { migrationsMarkdown } from './render-migrations.ts';
import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import { DEFAULT_KIND } from '../model/kind-names.ts';
import { resourceName } from '../model/resource-name.ts';
import { plural, showChange } from './render-values.ts';
import { showTitle } from '../util/redact.ts';
import { summaryLine } from './render-text.ts';
import { labelConfigControlsMarkdown, labelConfigDiffMarkdown } from './render-label-config.ts';

/** GitHub's limit is 65,536 characters per comment; stay well under it. */
export const MARKDOWN_LIMIT = 60_000;
const MAX_DIAGNOSTICS = 50;
const ICON: Record<ResourceChange['action'], string> = {
  create: '🟢 create',
  update: '🟡 update',
  adopt: '🔵 adopt',
  delete: '🔴 delete',
  'no-op': '⚪ no-op',
};

export interface MarkdownExtras {
  /** Markdown shown under a change's label config (its preview), by resource name. */
  readonly previews?: ReadonlyMap<string, string>;
}

/** A PR comment: summary table first, then one collapsible section per changed project. */
export function renderPlanMarkdown(plan: Plan, limit = MARKDOWN_LIMIT, extras: MarkdownExtras = {}): string {
  const head: string[] = [];
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  head.push('<!-- labelform:plan -->');
  // A plan that failed says so first: the reason is what a reviewer needs from the comment.
  head.push(
    `### ${errors.length ? '❌ labelform plan failed' : 'labelform plan'} · \`${plan.server.environment}\` · namespace \`${plan.namespace}\``,
  );
  head.push('');
  head.push(`**${escapeText(summaryLine(plan))}**`);
  head.push('');
  if (plan.diagnostics.length) {
    head.push(
      errors.length
        ? `#### ❌ ${plural(errors.length, 'error')}: nothing will be applied until they are fixed`
        : '#### ⚠️ Warnings',
    );
    // A comment has room for the first few; the job log and the JSON plan have them all.
    const ordered = [...errors, ...plan.diagnostics.filter((d) => d.severity !== 'error')];
    for (const d of ordered.slice(0, MAX_DIAGNOSTICS))
      head.push(
        `- ${d.severity === 'error' ? '' : '⚠️ '}${d.file ? `\`${d.file}${d.line ? `:${d.line}` : ''}\` ` : ''}${escapeText(d.message)}`,
      );
    if (plan.diagnostics.length > MAX_DIAGNOSTICS)
      head.push(`- … and ${plan.diagnostics.length - MAX_DIAGNOSTICS} more (see the job log or the JSON plan)`);
    head.push('');
  }
  const changed = plan.changes.filter((c) => c.action !== 'no-op');
  if (changed.length) {
    // About the default kind by nature: a row names a resource as `resourceName` does, which leaves
    // the default kind out (a project is its key alone), so then the header says what they are.
    head.push(
      `| | ${changed.every((c) => c.kind === DEFAULT_KIND) ? DEFAULT_KIND : 'Resource'} | Id | Changes |`,
      '|---|---|---|---|',
    );
    for (const c of changed) {
      const what = [
        ...c.fields.map((f) => f.field),
        ...(c.detail?.tasks?.length ? ['tasks'] : []),
        ...(c.detail?.migrations?.length ? [plural(c.detail.migrations.length, 'label migration')] : []),
      ];
      head.push(
        `| ${ICON[c.action]} | \`${resourceName(c)}\` | ${c.id ?? ''} | ${escapeCell(what.join(', ') || (c.action === 'delete' ? (c.duplicateOf !== undefined ? `empty copy of id ${c.duplicateOf}` : `${plural(c.detail?.annotations ?? 0, 'annotation')}`) : c.action === 'adopt' ? 'marker' : ''))} |`,
      );
    }
    head.push('');
  }
  if (plan.orphans.length && !plan.prune) {
    head.push(
      `<details><summary>${plural(plan.orphans.length, 'orphan')} (managed by namespace <code>${plan.namespace}</code>, no manifest)</summary>`,
      '',
    );
    for (const o of plan.orphans)
      head.push(
        `- \`${resourceName(o)}\` (id ${o.id}) ${escapeText(showTitle(o.title))}: ${plural(o.annotations, 'annotation')}`,
      );
    head.push('', '</details>', '');
  }
  let out = head.join('\n');
  const sections = changed.map((c) => renderDetails(c, extras));
  let shown = 0;
  for (const section of sections) {
    const notice = truncationNotice(sections.length - shown, limit);
    if (out.length + section.length + notice.length + 2 > limit) break;
    out += `${section}\n\n`;
    shown++;
  }
  if (shown < sections.length) out += truncationNotice(sections.length - shown, limit);
  if (out.length > limit) out = `${out.slice(0, limit - 300)}\n\n${truncationNotice(sections.length - shown, limit)}`;
  return out;
}

function truncationNotice(hidden: number, limit: number): string {
  return `\n> ✂️ Truncated: ${plural(hidden, 'more project')} not shown to keep this report under ${limit.toLocaleString('en')} characters. Run \`labelform plan\` (or see the job log / plan JSON) for the full plan.\n`;
}

function renderDetails(c: ResourceChange, extras: MarkdownExtras): string {
  const lines: string[] = [];
  lines.push(
    `<details><summary>${ICON[c.action]} <code>${resourceName(c)}</code>${c.id ? ` (id ${c.id})` : ''}: ${plural(c.fields.length, 'field')}${c.file ? ` · <code>${c.file}</code>` : ''}</summary>`,
    '',
  );
  const lc = c.detail?.labelConfig;
  const rows = c.fields.filter((f) => !(f.field === 'label_config' && lc));
  if (rows.length) {
    lines.push(
      c.action === 'create' ? '| Field | Value |' : '| Field | Before | After |',
      c.action === 'create' ? '|---|---|' : '|---|---|---|',
    );
    for (const f of rows) {
      const v = showChange(f, 200);
      lines.push(
        c.action === 'create'
          ? `| ${f.field} | ${code(v.after)} |`
          : `| ${f.field} | ${code(v.before)} | ${code(v.after)} |`,
      );
    }
    lines.push('');
  }
  if (lc) {
    lines.push(...labelConfigControlsMarkdown(lc));
    if (c.action !== 'create') lines.push('', ...labelConfigDiffMarkdown(lc.diff));
    lines.push('');
    const preview = extras.previews?.get(resourceName(c));
    if (preview) lines.push(preview, '');
  }
  for (const t of c.detail?.tasks ?? []) lines.push(`- ${plural(t.tasks, 'task')} to import from \`${t.file}\``);
  if (c.detail?.migrations?.length) lines.push('', ...migrationsMarkdown(c.detail.migrations), '');
  for (const n of c.notes ?? []) lines.push(`- ${escapeText(n)}`);
  lines.push('</details>');
  return lines.join('\n');
}

function code(s: string): string {
  return s === ''
    ? ''
    : `<code>${escapeCell(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))}</code>`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
