import type { MigrationPlan } from '../generated/schema-types.ts';
import { plural } from '../util/plural.ts';

/** A label migration as one line of the text plan and of apply's notes. */
export function migrationLine(m: MigrationPlan): string {
  const versions = predictionsText(m);
  const untouched = untouchedText(m);
  return (
    `migration ${m.id} (${m.control}: ${m.from.join(', ')} → ${m.to}): ` +
    (m.regions === 0 && m.skipped === 0
      ? 'nothing to rewrite'
      : `${plural(m.regions, 'region')} rewritten in ${plural(m.annotations, 'annotation')}, ${plural(m.drafts, 'draft')}` +
        `${versions ? `, predictions ${versions}` : ''} (${plural(m.tasks, 'task')})`) +
    `${m.skipped ? `; ${plural(m.skipped, 'annotation')} with a draft attached left as ${m.skipped === 1 ? 'it is' : 'they are'}` : ''}` +
    `${untouched ? `; untouched: ${untouched}` : ''}`
  );
}

/** The migrations of a change as a Markdown table, for the plan comment. */
export function migrationsMarkdown(migrations: readonly MigrationPlan[]): string[] {
  if (migrations.length === 0) return [];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| Migration | Control | Labels | Regions | Annotations | Drafts | Predictions | Tasks | Left (draft attached) | Same labels elsewhere, untouched |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...migrations.map(
      (m) =>
        `| \`${cell(m.id)}\` | \`${cell(m.control)}\` | ${cell(`${m.from.join(', ')} → ${m.to}`)} | ${m.regions} | ${m.annotations} | ${m.drafts} | ${cell(predictionsText(m) || '0')} | ${m.tasks} | ${m.skipped} | ${cell(untouchedText(m) || '—')} |`,
    ),
  ];
}

function predictionsText(m: MigrationPlan): string {
  return Object.entries(m.predictions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, n]) => `${n} of ${v || '(no model version)'}`)
    .join(', ');
}

function untouchedText(m: MigrationPlan): string {
  return Object.entries(m.untouched)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, n]) => `${c} (${plural(n, 'region')})`)
    .join(', ');
}
