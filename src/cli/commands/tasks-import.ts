import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseLabelConfigXml } from '../../labelconfig/parse-xml.ts';
import { summarizeLabelConfig, type DataKey } from '../../labelconfig/summarize.ts';
import { pythonStrip } from '../../util/python-strip.ts';
import { plural } from '../../reconcile/render-values.ts';
import { runImport } from '../../tasks/import-tasks.ts';
import type { TaskFormat } from '../../tasks/read-records.ts';
import { describeSources, readSidecar, sameSources, sidecarPath, writeSidecar, type ImportSidecar } from '../../tasks/sidecar.ts';
import { readSources, removeTemporarySources, resolveSources, scanSources, type TaskSource } from '../../tasks/sources.ts';
import { countTaggedTasks } from '../../tasks/tagged-tasks.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { openServer } from '../server-session.ts';
import { styleFor, type Io } from '../io.ts';
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
 */
export async function runTasksImport(io: Io, args: TasksImportArgs): Promise<number> {
  if (!Number.isInteger(args.batchSize) || args.batchSize < 1 || args.batchSize > 100_000) throw new UserError('--batch-size must be a whole number from 1 to 100000');
  if (!(args.maxBatchMb > 0 && args.maxBatchMb <= 200)) throw new UserError('--max-batch-mb must be more than 0 and at most 200 (the server refuses requests over its upload limit, 250 MiB by default)');
  const server = await openServer(io, args);
  const inputPath = args.input === '-' ? undefined : resolve(io.cwd, args.input);
  if (args.resume && !inputPath) throw new UserError('--resume needs a file or directory: standard input cannot be read again');
  const sources = await resolveSources(args.input, args.format, io.cwd);
  const sidecarFile = inputPath ? sidecarPath(inputPath, (await stat(inputPath)).isDirectory()) : undefined;

  try {
    return await importInto(io, args, server, sources, sidecarFile);
  } finally {
    await removeTemporarySources(sources);
  }
}

async function importInto(io: Io, args: TasksImportArgs, server: Awaited<ReturnType<typeof openServer>>, sources: TaskSource[], sidecarFile: string | undefined): Promise<number> {
  const { config, target, client } = server;
  const s = styleFor(io.color);
  return withServer(target, async () => {
    const project = await resolveProject(client, args.project, config);
    const dataKeys = dataKeysOf(project.label_config);

    // 1. Check everything before sending anything.
    const scan = await scanSources(sources, dataKeys ?? []);
    if (scan.problemCount > 0) {
      const shown = scan.problems.map((p) => `  ${p.file}:${p.line}: item ${p.index + 1}: ${p.message}`).join('\n');
      const more = scan.problemCount > scan.problems.length ? `\n  … and ${scan.problemCount - scan.problems.length} more` : '';
      throw new UserError(`${plural(scan.problemCount, 'task')} cannot be imported into project ${project.id} "${project.title}"; nothing was sent:\n${shown}${more}`);
    }
    if (scan.count === 0) throw new UserError(`no tasks in ${sources.map((x) => x.display).join(', ')}`);

    // 2. Where to start: a fresh import, or the rest of an earlier one.
    const described = await describeSources(sources);
    const previous = sidecarFile ? await readSidecar(sidecarFile) : undefined;
    const sameTarget = previous && previous.server === target.url && previous.projectId === project.id;
    let importId = randomBytes(8).toString('hex');
    let skip = 0;
    if (args.resume) {
      if (!previous) throw new UserError(`--resume: there is no earlier import of ${args.input} to continue (no ${sidecarFile})`);
      if (!sameTarget) throw new UserError(`--resume: ${sidecarFile} records an import into project ${previous.projectId} on ${previous.server}, not project ${project.id} on ${target.url}`);
      if (!sameSources(previous.sources, described)) throw new UserError(`--resume: ${args.input} changed since the import it would continue (size or time differ); delete ${sidecarFile} to import from the start`);
      if (previous.complete) {
        io.stdout(`Nothing to resume: ${args.input} was imported completely (${plural(previous.committed.tasks, 'task')}).\n`);
        return 0;
      }
      importId = previous.importId;
      // The server is the authority: a batch may have landed after the sidecar was last written.
      skip = await countTaggedTasks(client, project.id, `labelform-import=${importId}`);
      if (skip < previous.committed.records) {
        throw new UserError(`--resume: the project holds ${skip} tasks of this import but ${previous.committed.records} were committed; were tasks deleted? Delete ${sidecarFile} to import from the start`);
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
    if (skip > 0 && !args.quiet) io.stderr(`Resuming: ${plural(skip, 'task')} of this import are already in project ${project.id}; sending the remaining ${scan.count - skip}.\n`);

    // 3. Send.
    const progress = await createProgress(io, { label: `Importing into project ${project.id}`, unit: 'tasks', total: scan.count, quiet: args.quiet });
    progress.update(skip);
    const result = await runImport({
      client,
      projectId: project.id,
      records: readSources(sources),
      skip,
      tag: () => `labelform-import=${importId}`,
      tagPrefix: `labelform-import=${importId}`,
      alreadyTagged: skip,
      batchSize: args.batchSize,
      maxBatchBytes: Math.floor(args.maxBatchMb * 1024 * 1024),
      onCommitted: async (p) => {
        progress.update(p.records);
        sidecar = {
          ...sidecar,
          committed: { records: p.records, tasks: skip + p.tasks, annotations: p.annotations, predictions: p.predictions, batches: p.batches },
          updatedAt: new Date(io.now()).toISOString(),
        };
        if (sidecarFile) await writeSidecar(sidecarFile, sidecar);
      },
    });
    progress.stop();
    if (sidecarFile) await writeSidecar(sidecarFile, { ...sidecar, complete: true, updatedAt: new Date(io.now()).toISOString() });
    const secs = (io.now() - started) / 1000;
    io.stdout(
      `${s.green('✔')} Imported ${plural(result.tasks, 'task')}, ${plural(result.annotations, 'annotation')}, ${plural(result.predictions, 'prediction')} into project ${project.id} "${pythonStrip(project.title ?? '')}" ` +
        `in ${plural(result.batches, 'batch', 'batches')}, ${secs.toFixed(1)} s (${Math.round(result.tasks / Math.max(secs, 0.001))} tasks/s)${skip ? `; ${skip} were already there` : ''}.\n`,
    );
    return 0;
  });
}

/** The data keys the project's object tags read, or undefined when its config does not parse. */
function dataKeysOf(labelConfig: string | undefined): DataKey[] | undefined {
  const parsed = parseLabelConfigXml(pythonStrip(labelConfig ?? ''));
  return parsed.ok ? [...summarizeLabelConfig(parsed.root).dataKeys] : undefined;
}
