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
    .map(
      (x) =>
        `${x.control} (${x.type}): ${x.change === 'added' ? `added${x.labelsAdded.length ? ` with ${plural(x.labelsAdded.length, 'label')}` : ''}` : x.change === 'removed' ? 'removed' : [...x.labelsAdded.map((l) => `+${l}`), ...x.labelsRemoved.map((l) => `-${l}`), x.detail ?? ''].filter(Boolean).join(' ')}`,
    )
    .join('; ');
}

/** The diff's lines, added ones green and removed ones red. */
export function labelConfigDiffLines(diff: string, s: Style): string[] {
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++') ? s.green(l) : l.startsWith('-') && !l.startsWith('---') ? s.red(l) : l,
    );
}

/**
 * In Markdown (a PR comment, a step summary, an issue), labels listed per control and per
 * direction, and lines of XML diff shown: a config with thousands of labels still gets a section
 * a reviewer can read, which says what it left out. Text and JSON always carry everything.
 */
export const MARKDOWN_LABELS_LISTED = 50;
export const MARKDOWN_DIFF_LINES = 300;

/** One Markdown list item per control: its change, labels added and removed. */
export function labelConfigControlsMarkdown(lc: LabelConfigChange): string[] {
  return lc.controls.map(
    (x) =>
      `- \`${x.control}\` (${x.type}): ${x.change}${x.labelsAdded.length ? `, added ${listLabels(x.labelsAdded)}` : ''}${x.labelsRemoved.length ? `, removed ${listLabels(x.labelsRemoved)}` : ''}${x.detail ? ` (${escapeText(x.detail)})` : ''}`,
  );
}

/** The diff as a fenced `diff` block (a fence inside the XML cannot close it), cut to its first lines. */
export function labelConfigDiffMarkdown(diff: string): string[] {
  const lines = diff.split('\n');
  const shown = lines.length > MARKDOWN_DIFF_LINES ? lines.slice(0, MARKDOWN_DIFF_LINES) : lines;
  const cut = lines.length - shown.length;
  return [
    '```diff',
    shown.join('\n').replace(/```/g, '`\u200b``'),
    '```',
    ...(cut
      ? [`✂️ ${cut.toLocaleString('en')} more lines of the diff not shown here (\`labelform plan\` prints it whole).`]
      : []),
  ];
}

function listLabels(labels: readonly string[]): string {
  const shown = labels
    .slice(0, MARKDOWN_LABELS_LISTED)
    .map((l) => `\`${escapeInline(l)}\``)
    .join(', ');
  const more = labels.length - MARKDOWN_LABELS_LISTED;
  return more > 0 ? `${shown} and ${more.toLocaleString('en')} more labels not listed` : shown;
}

function escapeInline(s: string): string {
  return s.replace(/`/g, "'");
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
