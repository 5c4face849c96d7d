import type { LabelConfigChange } from '../generated/schema-types.ts';
import type { Style } from '../util/style.ts';
import { plural } from './render-values.ts';

/**
 * A label-config change as plan and drift show it: per control, the labels added and removed
 * (one line for a terminal, a list for Markdown), and the unified XML diff.
 */
export function labelConfigSummaryText(lc: LabelConfigChange, isCreate: boolean): string {
  if (lc.controls.length === 0) return isCreate ? 'new' : 'layout/attributes only, no labels added or removed';
  return lc.controls
    .map((x) => `${x.control} (${x.type}): ${x.change === 'added' ? `added${x.labelsAdded.length ? ` with ${plural(x.labelsAdded.length, 'label')}` : ''}` : x.change === 'removed' ? 'removed' : [...x.labelsAdded.map((l) => `+${l}`), ...x.labelsRemoved.map((l) => `-${l}`), x.detail ?? ''].filter(Boolean).join(' ')}`)
    .join('; ');
}

/** The diff's lines, added ones green and removed ones red. */
export function labelConfigDiffLines(diff: string, s: Style): string[] {
  return diff.split('\n').map((l) => (l.startsWith('+') && !l.startsWith('+++') ? s.green(l) : l.startsWith('-') && !l.startsWith('---') ? s.red(l) : l));
}

/** One Markdown list item per control: its change, labels added and removed. */
export function labelConfigControlsMarkdown(lc: LabelConfigChange): string[] {
  return lc.controls.map(
    (x) =>
      `- \`${x.control}\` (${x.type}): ${x.change}${x.labelsAdded.length ? `, added ${x.labelsAdded.map((l) => `\`${escapeInline(l)}\``).join(', ')}` : ''}${x.labelsRemoved.length ? `, removed ${x.labelsRemoved.map((l) => `\`${escapeInline(l)}\``).join(', ')}` : ''}${x.detail ? ` (${escapeText(x.detail)})` : ''}`,
  );
}

/** The diff as a fenced `diff` block (a fence inside the XML cannot close it). */
export function labelConfigDiffMarkdown(diff: string): string[] {
  return ['```diff', diff.replace(/```/g, '`\u200b``'), '```'];
}

function escapeInline(s: string): string {
  return s.replace(/`/g, "'");
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
