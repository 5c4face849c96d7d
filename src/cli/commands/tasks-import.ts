import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseLabelConfigXml } from '../../labelconfig/parse-xml.ts';
import { summarizeLabelConfig, type DataKey } from '../../labelconfig/summarize.ts';
import { pythonStrip } from '../../util/python-strip.ts';
import { plural } from '../../reconcile/render-values.ts';
import { runImport, type DoubledBatch } from '../../tasks/import-tasks.ts';
import type { TaskFormat } from '../../tasks/read-records.ts';
import { settleCopies, type SettleReport } from '../../tasks/settle-copies.ts';
import {
  LOCK_STALE_MS,
  describeSources,
  lockSidecar,
  readSidecar,
  sameSources,
  sidecarPath,
  writeSidecar,
  type ImportSidecar,
  type SidecarLock,
} from '../../tasks/sidecar.ts';
import {
  readSources,
  removeTemporarySources,
  resolveSources,
  scanSources,
  type TaskSource,
} from '../../tasks/sources.ts';
import { countTaggedTasks } from '../../tasks/tagged-tasks.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { openServer } from '../server-session.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { createProgress } from '../progress.ts';
import { resolveProject } from '../project-ref.ts';

export interface TasksImportArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly project: string;
  readonly input: string;
  readonly format?: TaskFormat;
  readonly batchSize: number;
  readonly maxBatchMb: number;
  readonly resume: boolean;
  readonly quiet: boolean;
}

/**
 * `labelform tasks import PROJECT FILE|DIR|-`: checks every task against the project's label
 * config before sending anything, then streams batches with progress, recording each committed
 * batch in a sidecar so that --resume continues after a failure or a kill with no duplicate.
 * The sidecar is locked for the whole run, so two imports of one file cannot both send it; a
 * batch the server stored twice is found by a count of the whole run after its last batch and
 * settled, and the whole import is counted once more at the end.
 */
export async function runTasksImport(io: Io, args: TasksImportArgs): Promise<number> {
  if (!Number.isInteger(args.batchSize) || args.batchSize < 1 || args.batchSize > 100_000)
    throw new UserError('--batch-size must be a whole number from 1 to 100000');
  if (!(args.maxBatchMb > 0 && args.maxBatchMb <= 200))
    throw new UserError(
      '--max-batch-mb must be more than 0 and at most 200 (the server refuses requests over its upload limit, 250 MiB by default)',
    );
  const server = await openServer(io, args);
  const inputPath = args.input === '-' ? undefined : resolve(io.cwd, args.input);
  if (args.resume && !inputPath)
    throw new UserError('--resume needs a file or directory: standard input cannot be read again');
  const sources = await resolveSources(args.input, args.format, io.cwd);
  const sidecarFile = inputPath ? sidecarPath(inputPath, (await stat(inputPath)).isDirectory()) : undefined;

  let lock: SidecarLock | undefined;
  try {
    // Before the sidecar is read: a second run must see what the first one wrote, never race it.
    const onWait = (ageMs: number) =>
      io.stderr(
        `Waiting for the lock on ${args.input}: another labelform run holds it (refreshed ${Math.round(ageMs / 1000)} s ago); a killed run's lock goes stale within ${LOCK_STALE_MS / 1000} s.\n`,
      );
    lock = sidecarFile ? await lockSidecar(sidecarFile, args.input, { onWait }) : undefined;
    if (lock?.tookOverAfterMs !== undefined && !args.quiet) {
      io.stderr(
        `Took over the lock of an import that stopped (${lock.path}, last refreshed ${Math.round(lock.tookOverAfterMs / 1000)} s ago).\n`,
      );
    }
    return await importInto(io, args, server, sources, sidecarFile, lock);
  } finally {
    await lock?.release();
    await removeTemporarySources(sources);
  }
}

async function importInto(
  io: Io,
  args: TasksImportArgs,
  server: Awaited<ReturnType<typeof openServer>>,
  sources: TaskSource[],
  sidecarFile: string | undefined,
  lock: SidecarLock | undefined,
): Promise<number> {
  const { config, target, client } = server;
  const s = styleFor(io.color);
  return withServer(target, async () => {
    const project = await resolveProject(client, args.project, config);
    const dataKeys = dataKeysOf(project.label_config);

    // 1. Check everything before sending anything.
    const scan = await scanSources(sources, dataKeys ?? [], {
      maxBatchBytes: Math.floor(args.maxBatchMb * 1024 * 1024),
      capSetting: '--max-batch-mb',
    });
    if (scan.problemCount > 0) {
      const shown = scan.problems.map((p) => `  ${p.file}:${p.line}: item ${p.index + 1}: ${p.message}`).join('\n');
      const more =
        scan.problemCount > scan.problems.length ? `\n  … and ${scan.problemCount - scan.problems.length} more` : '';
      throw new UserError(
        `${plural(scan.problemCount, 'task')} cannot be imported into project ${project.id} "${project.title}"; nothing was sent:\n${shown}${more}`,
      );
    }
    if (scan.count === 0) throw new UserError(`no tasks in ${sources.map((x) => x.display).join(', ')}`);

    // 2. Where to start: a fresh import, or the rest of an earlier one.
    const described = await describeSources(sources);
    const previous = sidecarFile ? await readSidecar(sidecarFile) : undefined;
    const sameTarget = previous && previous.server === target.url && previous.projectId === project.id;
    let importId = randomBytes(8).toString('hex');
    let skip = 0;
    if (args.resume) {
      if (!previous)
        throw new UserError(`--resume: there is no earlier import of ${args.input} to continue (no ${sidecarFile})`);
      if (!sameTarget)
        throw new UserError(
          `--resume: ${sidecarFile} records an import into project ${previous.projectId} on ${previous.server}, not project ${project.id} on ${target.url}`,
        );
      if (!sameSources(previous.sources, described))
        throw new UserError(
          `--resume: ${args.input} changed since the import it would continue (size or time differ); delete ${sidecarFile} to import from the start`,
        );
      if (previous.complete) {
        io.stdout(
          `Nothing to resume: ${args.input} was imported completely (${plural(previous.committed.tasks, 'task')}).\n`,
        );
        return 0;
      }
      importId = previous.importId;
      // The server is the authority: a batch may have landed after the sidecar was last written,
      // or been stored twice by a request the server re-ran just before the kill. Copies are
      // settled first, so the count is of rows, not of copies.
      const scope = `labelform-import=${importId}`;
      skip = await countTaggedTasks(client, project.id, scope);
      if (skip > previous.committed.records) {
        const settled = await settleCopies(client, project.id, scope);
        reportSettled(io, settled, 'the import that stopped');
        skip = (await countTaggedTasks(client, project.id, scope)) - settled.kept.length;
      }
      if (skip < previous.committed.records) {
        throw new UserError(
          `--resume: the project holds ${skip} tasks of this import but ${previous.committed.records} were committed; were tasks deleted? Delete ${sidecarFile} to import from the start`,
        );
      }
    } else if (previous && sameTarget && previous.complete && sameSources(previous.sources, described)) {
      throw new UserError(
        `${args.input} was already imported into project ${project.id} (${plural(previous.committed.tasks, 'task')}, ${previous.updatedAt}); importing it again would duplicate those tasks`,
        [],
        `Delete ${sidecarFile} to import it again anyway.`,
      );
    } else if (previous && sameTarget && !previous.complete) {
      throw new UserError(
        `an import of ${args.input} into project ${project.id} stopped after ${plural(previous.committed.tasks, 'task')} (${sidecarFile})`,
        [],
        'Run again with --resume to continue it, or delete that file to import everything again.',
      );
    }

    const started = io.now();
    let sidecar: ImportSidecar = {
      version: 1,
      importId,
      server: target.url,
      projectId: project.id,
      sources: described,
      committed: { records: skip, tasks: skip, annotations: 0, predictions: 0, batches: 0 },
      complete: false,
      startedAt: previous?.importId === importId ? previous.startedAt : new Date(started).toISOString(),
      updatedAt: new Date(started).toISOString(),
    };
    if (sidecarFile) await writeSidecar(sidecarFile, sidecar);
    if (skip > 0 && !args.quiet)
      io.stderr(
        `Resuming: ${plural(skip, 'task')} of this import are already in project ${project.id}; sending the remaining ${scan.count - skip}.\n`,
      );

    // 3. Send.
    const progress = await createProgress(io, {
      label: `Importing into project ${project.id}`,
      unit: 'tasks',
      total: scan.count,
      quiet: args.quiet,
    });
    progress.update(skip);
    const scope = `labelform-import=${importId}`;
    const result = await runImport({
      client,
      projectId: project.id,
      records: readSources(sources),
      skip,
      scope,
      batchSize: args.batchSize,
      maxBatchBytes: Math.floor(args.maxBatchMb * 1024 * 1024),
      onDoubled: (d) => reportDoubled(io, d),
      onCommitted: async (p) => {
        lock?.assertHeld();
        progress.update(p.records);
        sidecar = {
          ...sidecar,
          committed: {
            records: p.records,
            tasks: skip + p.tasks,
            annotations: p.annotations,
            predictions: p.predictions,
            batches: p.batches,
          },
          updatedAt: new Date(io.now()).toISOString(),
        };
        if (sidecarFile) await writeSidecar(sidecarFile, sidecar);
      },
    });
    progress.stop();
    // A batch whose copy landed after its own check (a retried request answered late) shows here.
    let removed = result.copiesRemoved;
    const kept = new Set(result.copiesKept);
    if ((await countTaggedTasks(client, project.id, scope)) > scan.count) {
      const settled = await settleCopies(client, project.id, scope);
      reportSettled(io, settled, 'this import');
      removed += settled.removed;
      for (const id of settled.kept) kept.add(id);
    }
    lock?.assertHeld();
    if (sidecarFile)
      await writeSidecar(sidecarFile, { ...sidecar, complete: true, updatedAt: new Date(io.now()).toISOString() });
    const secs = (io.now() - started) / 1000;
    io.stdout(
      `${s.green('✔')} Imported ${plural(result.tasks, 'task')}, ${plural(result.annotations, 'annotation')}, ${plural(result.predictions, 'prediction')} into project ${project.id} "${pythonStrip(project.title ?? '')}" ` +
        `in ${plural(result.batches, 'batch', 'batches')}, ${secs.toFixed(1)} s (${Math.round(result.tasks / Math.max(secs, 0.001))} tasks/s)${skip ? `; ${skip} were already there` : ''}` +
        `${removed ? `; removed ${removed} duplicate ${removed === 1 ? 'copy' : 'copies'} the server made` : ''}.\n`,
    );
    if (kept.size > 0) {
      io.stderr(
        `${s.yellow('Warning:')} ${plural(kept.size, 'duplicate task')} left in project ${project.id} because someone worked on ${kept.size === 1 ? 'it' : 'them'} (annotations, drafts, comments or edits): ${idList([...kept])}. ` +
          'Each is a copy of a task with a lower id; delete the ones you do not need in the Data Manager.\n',
      );
    }
    return 0;
  });
}

function reportDoubled(io: Io, d: DoubledBatch): void {
  const times = d.found % d.size === 0 ? `${d.found / d.size} times` : `${d.found} times for ${d.size} tasks`;
  io.stderr(
    `Batch ${d.batch} is on the server ${times} (the server re-ran the import request): removed ${d.removed} extra ${d.removed === 1 ? 'copy' : 'copies'}${d.removedIds.length ? ` (${idList(d.removedIds)})` : ''}` +
      `${d.kept.length ? `; kept ${d.kept.length} that someone worked on (${idList(d.kept)})` : ''}.\n`,
  );
}

function reportSettled(io: Io, r: SettleReport, what: string): void {
  if (r.extra === 0) return;
  io.stderr(
    `The server holds ${plural(r.extra, 'extra copy', 'extra copies')} of tasks of ${what}: removed ${r.removed}${r.removedIds.length ? ` (${idList(r.removedIds)})` : ''}` +
      `${r.kept.length ? `; kept ${r.kept.length} that someone worked on (${idList(r.kept)})` : ''}.\n`,
  );
}

/** Task ids for a message, runs of consecutive ids as ranges (`ids 21-30, 45`), at most 10 parts. */
function idList(ids: readonly number[]): string {
  const runs: Array<[number, number]> = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && id === last[1] + 1) last[1] = id;
    else runs.push([id, id]);
  }
  const parts = runs.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
  return `${ids.length === 1 ? 'id' : 'ids'} ${parts.slice(0, 10).join(', ')}${parts.length > 10 ? ` and ${parts.length - 10} more ranges` : ''}`;
}

/** The data keys the project's object tags read, or undefined when its config does not parse. */
function dataKeysOf(labelConfig: string | undefined): DataKey[] | undefined {
  const parsed = parseLabelConfigXml(pythonStrip(labelConfig ?? ''));
  return parsed.ok ? [...summarizeLabelConfig(parsed.root).dataKeys] : undefined;
}
