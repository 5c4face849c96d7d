import { lstat, mkdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { LabelStudioClient } from '../../../api/client.ts';
import type { MigrationPlan } from '../../../generated/schema-types.ts';
import { plural } from '../../../util/plural.ts';
import { pythonStrip } from '../../../util/python-strip.ts';
import { Refusal } from '../../kind.ts';
import type { ProjectResource } from '../types.ts';
import { expandConfig } from './expand.ts';
import { runMigration, type MigrationRunReport } from './io-run.ts';
import { controlTypesOf, migrateResult } from './map.ts';
import { migrationCensus, readMigrationData } from './survey.ts';
import type { LabelMigration } from './types.ts';

/** Where label migrations keep their journals, relative to the repository, unless `--journal-dir` says otherwise. */
export const DEFAULT_JOURNAL_DIR = '.labelform/journal';

export interface MigrationApplyOptions {
  /** Write annotations that have a draft attached (Label Studio deletes the drafts); from the plan. */
  readonly deleteDrafts: boolean;
  /** An absolute directory: one journal file per project and migration. */
  readonly journalDir: string;
  /**
   * The checkout, when the journal goes to its default place in it: every folder from here down
   * to the journal, and no journal file, may be a symbolic link (a pull request could commit
   * `.labelform` as a link and have apply write outside the repository).
   */
  readonly root?: string;
  /** A line of progress (objects done, ETA). */
  readonly progress?: (line: string) => void;
  readonly concurrency?: number;
}

/** The journal of one migration of one project. */
export function journalPath(dir: string, namespace: string, key: string, id: string): string {
  return join(dir, `${namespace}--${key}--${id.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
}

/**
 * Runs the migrations the plan lists for one project: expand, migrate, census. Contract (the
 * final config) is the caller's ordinary label_config write, after this returns; the caller then
 * records the returned ids as done in the marker.
 *
 * 1. Expand: the project gets the new config with the labels being moved put back, so every
 *    annotation — old labels and new — is drawable while the data moves.
 * 2. Migrate: every annotation, draft and prediction holding a moved label of the targeted
 *    control is rewritten by the pure mapping, journaled and read again right before its write
 *    (io-run.ts). A rerun after `kill -9` rewrites only what still has old labels.
 * 3. Census: read again; no moved label may be left in the control, and (when nobody else
 *    changed an object meanwhile) the control holds as many regions as before.
 *
 * Throws a Refusal when a step cannot finish; the project then keeps the expanded config (no
 * label is lost) and a rerun carries on.
 */
export async function applyMigrations(
  client: LabelStudioClient,
  projectId: number,
  desired: ProjectResource,
  planned: readonly MigrationPlan[],
  namespace: string,
  o: MigrationApplyOptions,
): Promise<{ readonly done: string[]; readonly expanded: boolean; readonly notes: string[] }> {
  const migrations = planned.flatMap((p) => desired.migrations.filter((m) => m.id === p.id));
  const desiredXml = desired.spec.label_config;
  if (migrations.length === 0 || desiredXml === undefined || !desired.labelConfig)
    return { done: [], expanded: false, notes: [] };
  const types = controlTypesOf(desired.labelConfig.summary);
  const notes: string[] = [];
  if (o.root !== undefined) await refuseLinks(o.root, o.journalDir, namespace, desired.name, migrations);
  await mkdir(o.journalDir, { recursive: true });

  // 1. Expand.
  const live = await client.getProject(projectId);
  const liveXml = String(live.label_config ?? '');
  const expandedXml = expandConfig(desiredXml, liveXml, migrations);
  const expanded = pythonStrip(expandedXml) !== pythonStrip(liveXml);
  if (expanded) await client.updateProject(projectId, { label_config: expandedXml });

  const withPredictions = migrations.some((m) => m.predictions === 'rewrite');
  const before = await readMigrationData(client, projectId, withPredictions);

  // 2. Migrate, one migration at a time (each on its own control, each with its own journal).
  const reports: Array<{ m: LabelMigration; report: MigrationRunReport }> = [];
  for (const m of migrations) {
    const report = await runMigration(client, {
      projectId,
      map: (result) => migrateResult(result, [m], types),
      predictions: m.predictions,
      deleteDrafts: o.deleteDrafts,
      journalPath: journalPath(o.journalDir, namespace, desired.name, m.id),
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      ...(o.progress
        ? {
            onProgress: (p) => {
              if (p.total > 0 && (p.done === p.total || p.done % 100 === 0))
                o.progress?.(
                  `migration ${m.id}: ${p.done}/${p.total} objects${p.etaMs !== undefined && p.done < p.total ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : ''}`,
                );
            },
          }
        : {}),
    });
    reports.push({ m, report });
    const c = report.counts;
    const versions = Object.entries(c.predictions)
      .map(([v, n]) => `${n} of ${v || '(no model version)'}`)
      .join(', ');
    notes.push(
      `migration ${m.id}: ${plural(c.regions, 'region')} rewritten in ${plural(c.annotations, 'annotation')}, ${plural(c.drafts, 'draft')}` +
        `${versions ? `, predictions ${versions}` : ''} (${plural(c.tasks, 'task')})` +
        `${report.changedMeanwhile.length ? `; ${plural(report.changedMeanwhile.length, 'object')} changed by someone meanwhile, mapped from the new content` : ''}`,
    );
    if (report.failed.length)
      throw new Refusal(
        `migration ${m.id}: ${plural(report.failed.length, 'write')} failed (first: ${report.failed[0]?.type} ${report.failed[0]?.id}: ${report.failed[0]?.error}); the project keeps the old and new labels, run apply again to carry on`,
      );
  }

  // 3. Census.
  const after = await readMigrationData(client, projectId, withPredictions);
  for (const { m, report } of reports) {
    const deleted = new Set(reports.flatMap((r) => r.report.draftsDeleted));
    const was = migrationCensus(before, m, deleted);
    const now = migrationCensus(after, m);
    if (now.leftOld > 0) {
      const skipped = report.skipped.length;
      throw new Refusal(
        `migration ${m.id}: ${plural(now.leftOld, 'region')} of control "${m.control}" still ${now.leftOld === 1 ? 'holds' : 'hold'} an old label` +
          (skipped
            ? ` (${plural(skipped, 'annotation')} with a draft attached, left so that the draft is not deleted: have the drafts submitted, or plan and apply with --delete-drafts)`
            : ' (written by someone during the migration?)') +
          '; the project keeps the old and new labels until a rerun finds none left',
      );
    }
    if (now.regions !== was.regions && report.changedMeanwhile.length === 0)
      throw new Refusal(
        `migration ${m.id}: control "${m.control}" held ${plural(was.regions, 'region')} before and ${now.regions} after; nothing else wrote meanwhile, so this is a fault: the config was left with the old and new labels, and the journal ${journalPath(o.journalDir, namespace, desired.name, m.id)} can revert it`,
      );
  }
  return { done: migrations.map((m) => m.id), expanded, notes };
}

/** Refuses (before anything is written) a journal path under `root` that passes through a symbolic link. */
async function refuseLinks(
  root: string,
  dir: string,
  namespace: string,
  key: string,
  migrations: readonly LabelMigration[],
): Promise<void> {
  const rel = relative(root, dir);
  const parts = rel === '' ? [] : rel.split(sep);
  const paths = parts.map((_, i) => join(root, ...parts.slice(0, i + 1)));
  for (const m of migrations) paths.push(journalPath(dir, namespace, key, m.id));
  for (const path of paths) {
    const st = await lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink())
      throw new Refusal(
        `${relative(root, path)} is a symbolic link: the migration journal is written only to a real folder in the checkout (or to --journal-dir); nothing was sent`,
      );
  }
}
