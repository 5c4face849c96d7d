import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import type { StepResult } from '../reconcile/apply.ts';
import { plural } from '../util/plural.ts';
import { resourceName } from '../model/resource-name.ts';
import { findResourceKind } from '../kinds/registry.ts';

const ICON: Record<ResourceChange['action'], string> = {
  create: '🟢 create',
  update: '🟡 update',
  adopt: '🔵 adopt',
  delete: '🔴 delete',
  'no-op': '⚪ no-op',
};
const OUTCOME: Record<StepResult['outcome'], string> = { done: '✅ done', failed: '❌ failed', skipped: '⏭️ skipped' };

/**
 * What an apply did, for the step summary: the outcome first, then one row per project (its
 * changed fields, or why it failed or was skipped), cut to about `limit` characters by rows.
 */
export function renderApplyMarkdown(plan: Plan, results: readonly StepResult[], limit = Infinity): string {
  const done = (action: string) => results.filter((r) => r.action === action && r.outcome === 'done').length;
  const failed = results.filter((r) => r.outcome === 'failed').length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const left = results.filter((r) => r.leftCopies?.length);
  const ok = failed === 0 && left.length === 0;
  const counts = [
    `${done('create')} created`,
    `${done('update')} updated`,
    `${done('adopt')} adopted`,
    `${done('delete')} deleted`,
  ];
  if (skipped) counts.push(`${skipped} skipped`);
  if (failed) counts.push(`${failed} failed`);
  const head = [
    '<!-- labelform:apply -->',
    `### ${ok ? '✅ labelform apply' : '❌ labelform apply finished with failures'} · \`${plan.server.environment}\` · namespace \`${plan.namespace}\``,
    '',
    `**${ok ? 'Apply complete' : 'Apply finished with failures'}: ${counts.join(', ')}.**`,
    '',
  ];
  if (left.length) {
    head.push(`#### ❌ ${plural(left.length, 'key')} carried by more than one project, copies left in place`);
    for (const r of left)
      head.push(
        `- \`${resourceName(r)}\`: kept id ${r.id}; left ${r.leftCopies!.map((l) => `id ${l.id} (${escapeText(l.reason)})`).join(', ')}`,
      );
    head.push('');
  }
  const rows = results.map((r) =>
    row(
      r,
      plan.changes.find((c) => c.kind === r.kind && c.key === r.key && c.action === r.action),
      plan.server.url,
    ),
  );
  let out = [...head, '| | Project | Id | Result |', '|---|---|---|---|'].join('\n');
  let shown = 0;
  for (const line of rows) {
    if (out.length + line.length + 200 > limit) break;
    out += `\n${line}`;
    shown++;
  }
  out += '\n';
  if (shown < rows.length) out += `\n> ✂️ Truncated: ${plural(rows.length - shown, 'more project')} not shown.\n`;
  return out;
}

/**
 * Why `apply --merged` applied nothing, for the merged pull request: each reason (at most 20),
 * then how to have a plan reviewed; cut to `limit` characters.
 */
export function renderApplyRefusalMarkdown(problems: readonly string[], how: string, limit = Infinity): string {
  const lines = [
    '### ❌ labelform apply refused: nothing was applied',
    '',
    ...problems.slice(0, 20).map((p) => `- ${escapeText(p)}`),
    ...(problems.length > 20 ? [`- … and ${problems.length - 20} more`] : []),
    '',
    escapeText(how),
    '',
  ];
  const text = lines.join('\n');
  return text.length > limit ? `${text.slice(0, Math.max(0, limit - 2))}…\n` : text;
}

function row(r: StepResult, change: ResourceChange | undefined, serverUrl: string): string {
  const fields = change
    ? [...change.fields.map((f) => f.field), ...(change.detail?.tasks?.length ? ['tasks'] : [])]
    : [];
  const what =
    r.outcome === 'done'
      ? `${OUTCOME.done}${fields.length ? `: ${fields.join(', ')}` : r.action === 'adopt' ? ': marker' : ''}${r.removedCopies?.length ? `; removed empty ${r.removedCopies.length === 1 ? 'copy' : 'copies'} ${r.removedCopies.map((id) => `id ${id}`).join(', ')}` : ''}`
      : `${OUTCOME[r.outcome]}${r.message ? `: ${r.message}` : ''}`;
  // A link to the resource's page in Label Studio while it exists (not after a delete), or to its parent's.
  const kind = findResourceKind(r.kind);
  const parentKind = kind?.parent === undefined ? undefined : findResourceKind(kind.parent);
  const page = kind?.page
    ? r.id !== undefined && !(r.action === 'delete' && r.outcome === 'done')
      ? kind.page(r.id)
      : undefined
    : change?.parent?.id !== undefined
      ? parentKind?.page?.(change.parent.id)
      : undefined;
  const id =
    r.id === undefined ? '' : page !== undefined ? `[${r.id}](${serverUrl.replace(/\/+$/, '')}/${page})` : String(r.id);
  return `| ${ICON[r.action]} | \`${resourceName(r)}\` | ${id} | ${escapeCell(what)} |`;
}

function escapeCell(s: string): string {
  return escapeText(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
