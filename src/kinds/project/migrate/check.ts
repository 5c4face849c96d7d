import type { ControlSummary, LabelConfigSummary } from '../../../labelconfig/summarize.ts';
import { LABELED_CONTROL_TAGS } from '../../../labelconfig/tags.ts';
import type { LabelMigration } from './types.ts';

/** A problem with a declared migration: where in the manifest, and what is wrong. */
export interface MigrationIssue {
  /** JSON pointer in the manifest, e.g. `/spec/migrations/1/renamed/to`. */
  readonly pointer: string;
  readonly message: string;
}

/** The label config the migrations lead to, as far as it is known offline. */
export type MigrationConfig =
  | { readonly state: 'known'; readonly summary: LabelConfigSummary }
  /** `spec.label_config` is set but did not load (its own errors are reported): nothing to check against. */
  | { readonly state: 'unreadable' }
  /** The manifest sets no `label_config`. */
  | { readonly state: 'absent' };

/**
 * The offline checks of `spec.migrations` (pure; `validate` runs them without a server):
 *
 * - ids are unique in the project;
 * - the control is in the new config and stores label values (Labels, the *Labels family,
 *   Choices, Taxonomy: `LABELED_CONTROL_TAGS`);
 * - each target (`renamed.to`, `merged.into`) is a label of that control in the new config, as
 *   results store it (its `alias` when it has one, else its `value`);
 * - each source (`renamed.from`, `merged.from`) is gone from that control in the new config: the
 *   migration removes it, so a source still there would leave the config and the data apart (a
 *   label whose display text changes while its `alias` keeps the stored value needs no migration);
 * - no source equals its target, no value is the source of two migrations of one control, and no
 *   value is both a source and a target on one control (a chain a→b, b→c or a cycle a→b, b→a: the
 *   mapping runs in one pass and must give the same result when run again).
 *
 * Labels of a control whose options come from task data (`value="$key"`, `apiUrl`) are not in the
 * config and are not checked. "The sources are in the old config or in no config at all" needs
 * nothing more: the old config is not known offline, and a source that is in no config is one the
 * new config lacks, which is checked here (a source only orphaned annotations still hold is legal;
 * so is an entry kept in git after it was applied, when the live config no longer has it either).
 */
export function checkMigrations(
  migrations: readonly LabelMigration[],
  config: MigrationConfig,
  locate: (pointer: string) => { line: number; col: number } = () => ({ line: 0, col: 0 }),
): MigrationIssue[] {
  const issues: MigrationIssue[] = [];
  const at = (i: number, ...rest: Array<string | number>) => ['/spec/migrations', i, ...rest].join('/');
  const where = (pointer: string) => {
    const p = locate(pointer);
    return p.line > 0 ? ` at line ${p.line}` : '';
  };

  const firstById = new Map<string, number>();
  for (const [i, m] of migrations.entries()) {
    const first = firstById.get(m.id);
    if (first === undefined) firstById.set(m.id, i);
    else
      issues.push({
        pointer: at(i, 'id'),
        message: `migration id "${m.id}" is already used by spec.migrations[${first}]${where(at(first, 'id'))}; ids are unique in a project (done ones are recorded by id)`,
      });
  }

  if (config.state === 'absent' && migrations.length > 0) {
    issues.push({
      pointer: '/spec/migrations',
      message:
        'spec.migrations needs spec.label_config: a migration moves annotations to the labels of the config this manifest declares',
    });
  }

  // Per control: which entry first used a value as a source, and as a target.
  const sources = new Map<string, { i: number; pointer: string }>();
  const targets = new Map<string, { i: number; pointer: string }>();
  const key = (control: string, label: string) => `${control}\u0000${label}`;

  for (const [i, m] of migrations.entries()) {
    const labelled = config.state === 'known' ? checkControl(config.summary, m, at(i, 'control'), issues) : undefined;
    const declared = declaredLabels(m, i, at);
    for (const s of declared.sources) {
      if (s.label === declared.target.label) {
        issues.push({
          pointer: s.pointer,
          message: `"${s.label}" is both the source and the target of migration "${m.id}"; nothing would change`,
        });
        continue;
      }
      const again = sources.get(key(m.control, s.label));
      if (again)
        issues.push({
          pointer: s.pointer,
          message: `"${s.label}" of control "${m.control}" is already migrated by spec.migrations[${again.i}]${where(again.pointer)}; a label can move to one place only`,
        });
      else sources.set(key(m.control, s.label), { i, pointer: s.pointer });
      const asTarget = targets.get(key(m.control, s.label));
      if (asTarget) issues.push(chainIssue(s, m.control, asTarget, where));
      if (labelled && !labelled.dynamic && labelled.labels.includes(s.label))
        issues.push({
          pointer: s.pointer,
          message: `"${s.label}" is still a label of ${labelled.type} "${labelled.name}" in the new config, and migration "${m.id}" moves every region away from it; remove it from the config, or drop the migration (a label whose text changes while its alias keeps the stored value needs none)`,
        });
    }
    const t = declared.target;
    const asSource = sources.get(key(m.control, t.label));
    if (asSource && asSource.i !== i) issues.push(chainIssue(t, m.control, asSource, where));
    if (!targets.has(key(m.control, t.label))) targets.set(key(m.control, t.label), { i, pointer: t.pointer });
    if (labelled && !labelled.dynamic && !labelled.labels.includes(t.label))
      issues.push({
        pointer: t.pointer,
        message: `"${t.label}" is not a label of ${labelled.type} "${labelled.name}" in the new config (${listLabels(labelled)}); the target must be there, written as results store it (its alias when it has one, else its value)`,
      });
  }
  return issues;
}

/** The control must be in the new config and store label values; returns it when it does. */
function checkControl(
  summary: LabelConfigSummary,
  m: LabelMigration,
  pointer: string,
  issues: MigrationIssue[],
): ControlSummary | undefined {
  const control = summary.controls.find((c) => c.name === m.control);
  if (!control) {
    const labelled = summary.controls.filter((c) => LABELED_CONTROL_TAGS.has(c.type)).map((c) => `"${c.name}"`);
    issues.push({
      pointer,
      message: `control "${m.control}" is not in the label config (${labelled.length ? `labelled controls: ${labelled.join(', ')}` : 'it has no labelled control'}); a migration names the control whose labels it moves`,
    });
    return undefined;
  }
  if (LABELED_CONTROL_TAGS.has(control.type)) return control;
  issues.push({
    pointer,
    message: `control "${m.control}" is a ${control.type}, which stores no label values; migrations apply to Labels, the *Labels tags, Choices and Taxonomy`,
  });
  return undefined;
}

/** Sources and target of one entry, each with its pointer. */
function declaredLabels(
  m: LabelMigration,
  i: number,
  at: (i: number, ...rest: Array<string | number>) => string,
): {
  sources: Array<{ label: string; pointer: string }>;
  target: { label: string; pointer: string };
} {
  if (m.renamed)
    return {
      sources: [{ label: m.renamed.from, pointer: at(i, 'renamed', 'from') }],
      target: { label: m.renamed.to, pointer: at(i, 'renamed', 'to') },
    };
  const merged = m.merged ?? { from: [], into: '' };
  return {
    sources: merged.from.map((label, k) => ({ label, pointer: at(i, 'merged', 'from', k) })),
    target: { label: merged.into, pointer: at(i, 'merged', 'into') },
  };
}

function chainIssue(
  here: { label: string; pointer: string },
  control: string,
  other: { i: number; pointer: string },
  where: (pointer: string) => string,
): MigrationIssue {
  return {
    pointer: here.pointer,
    message: `"${here.label}" of control "${control}" is both a label migrated away and a migration target (see spec.migrations[${other.i}]${where(other.pointer)}); chains and cycles are not allowed: map each old label straight to its final one`,
  };
}

function listLabels(c: ControlSummary): string {
  if (c.labels.length === 0) return 'it has no labels';
  const shown = c.labels.slice(0, 12).map((l) => `"${l}"`);
  return `labels: ${shown.join(', ')}${c.labels.length > shown.length ? `, … ${c.labels.length - shown.length} more` : ''}`;
}
