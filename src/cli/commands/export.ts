import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isApiError } from '../../api/errors.ts';
import type { LabelStudioClient } from '../../api/client.ts';
import { FEATURE_SINCE, showSince, supports } from '../../api/server-versions.ts';
import type { LsExportFormat, LsExportSnapshot } from '../../api/types.ts';
import { describeFsError, formatBytes } from '../../manifest/source-file.ts';
import { downloadToFile, suggestedFileName } from '../../tasks/download.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { resolveProject } from '../project-ref.ts';
import { openServer } from '../server-session.ts';

export interface ExportArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly project: string;
  readonly format: string;
  readonly out?: string;
  readonly snapshot: boolean;
  readonly listFormats: boolean;
  readonly allTasks: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

/**
 * `labelform export PROJECT`: --list-formats shows what the server offers for this project; the
 * default streams the synchronous export to a file; --snapshot makes an export snapshot, waits
 * for it, converts it when a non-JSON format is asked for, and downloads it (the path for large
 * projects). The output file appears only when complete.
 */
export async function runExport(io: Io, args: ExportArgs): Promise<number> {
  const { config, target, client } = await openServer(io, args);
  const s = styleFor(io.color);
  return withServer(target, async () => {
    const project = await resolveProject(client, args.project, config);
    const formats = await client.exportFormats(project.id);
    if (args.listFormats) {
      if (args.json) io.stdout(`${JSON.stringify(formats, null, 2)}\n`);
      else {
        const width = Math.max(...formats.map((f) => f.name.length));
        for (const f of formats)
          io.stdout(
            `${f.name.padEnd(width)}  ${f.disabled ? s.dim('(disabled for this project) ') : ''}${f.title}${f.description ? s.dim(` — ${f.description}`) : ''}\n`,
          );
      }
      return 0;
    }
    const format = pickFormat(formats, args.format);
    if (format.disabled && !args.quiet)
      io.stderr(
        `${s.yellow('warning:')} ${format.name} is marked disabled for this project's label config; the server may produce an empty or partial file.\n`,
      );
    const started = io.now();
    let lastShown = 0;
    const onBytes = (n: number) => {
      if (args.quiet) return;
      if (io.now() - lastShown > 2000) {
        lastShown = io.now();
        io.stderr(`  downloaded ${formatBytes(n)}\n`);
      }
    };
    let download: { stream: import('node:stream').Readable; headers: Record<string, string> };
    let note = '';
    let snapshotId: number | undefined;
    if (args.snapshot) {
      // Before the snapshot is made: a format it cannot be converted to is said first.
      if (format.name !== 'JSON') {
        const release = (await client.version()).release;
        if (typeof release === 'string' && !supports(release, 'snapshotConvert')) {
          throw new UserError(
            `--snapshot --format ${format.name}: converting an export snapshot needs Label Studio ${showSince(FEATURE_SINCE.snapshotConvert)} or later; this server is ${release}; use --format JSON with --snapshot, or the synchronous export (without --snapshot)`,
          );
        }
      }
      const snap = await waitForSnapshot(io, client, project.id, args);
      snapshotId = snap.id;
      if (format.name !== 'JSON') await waitForConversion(io, client, project.id, snap, format.name, args);
      download = await client.downloadExportSnapshot(project.id, snap.id, format.name);
      note = ` from snapshot ${snap.id}`;
    } else {
      download = await client.downloadExport(project.id, { exportType: format.name, downloadAllTasks: args.allTasks });
    }
    const suggested = suggestedFileName(download.headers, `project-${project.id}-export.${format.name.toLowerCase()}`);
    const out = await outputPath(io.cwd, args.out, suggested);
    const bytes = await downloadToFile(download.stream, out, onBytes).catch((err: NodeJS.ErrnoException) => {
      download.stream.destroy();
      throw new UserError(`cannot write ${out}: ${describeFsError(err)}`);
    });
    if (snapshotId !== undefined) await client.deleteExportSnapshot(project.id, snapshotId).catch(() => undefined);
    io.stdout(
      `${s.green('✔')} Exported project ${project.id} as ${format.name}${note}: ${out} (${formatBytes(bytes)}, ${((io.now() - started) / 1000).toFixed(1)} s)\n`,
    );
    return 0;
  });
}

/** --out as given, or inside it when it is a directory; its directory must exist. */
async function outputPath(cwd: string, out: string | undefined, suggested: string): Promise<string> {
  const path = resolve(cwd, out ?? suggested);
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) return join(path, suggested);
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new UserError(`--out ${out}: the directory ${dirname(path)} does not exist`);
  return path;
}

function pickFormat(formats: readonly LsExportFormat[], wanted: string): LsExportFormat {
  const f = formats.find((x) => x.name.toUpperCase() === wanted.toUpperCase());
  if (!f)
    throw new UserError(
      `the server offers no export format "${wanted}" for this project; --list-formats shows them: ${formats
        .filter((x) => !x.disabled)
        .map((x) => x.name)
        .join(', ')}`,
    );
  return f;
}

async function waitForSnapshot(
  io: Io,
  client: LabelStudioClient,
  projectId: number,
  args: ExportArgs,
): Promise<LsExportSnapshot> {
  const body = args.allTasks ? {} : { task_filter_options: { only_with_annotations: true } };
  let snap = await client.createExportSnapshot(projectId, {
    title: `labelform export ${new Date(io.now()).toISOString()}`,
    ...body,
  });
  const deadline = io.now() + (args.timeoutMs ?? 3_600_000);
  while (snap.status !== 'completed') {
    if (snap.status === 'failed')
      throw new UserError(`export snapshot ${snap.id} of project ${projectId} failed on the server`);
    if (io.now() > deadline)
      throw new UserError(
        `export snapshot ${snap.id} is still ${snap.status} after ${Math.round((args.timeoutMs ?? 3_600_000) / 1000)} s; it keeps going on the server`,
      );
    if (!args.quiet) io.stderr(`  snapshot ${snap.id}: ${snap.status}…\n`);
    await delay(args.pollMs ?? 1000);
    snap = await client.getExportSnapshot(projectId, snap.id);
  }
  return snap;
}

async function waitForConversion(
  io: Io,
  client: LabelStudioClient,
  projectId: number,
  snap: LsExportSnapshot,
  format: string,
  args: ExportArgs,
): Promise<void> {
  const converted = (x: LsExportSnapshot) => x.converted_formats?.find((c) => c.export_type === format);
  if (!converted(snap)) {
    await client.convertExportSnapshot(projectId, snap.id, format).catch((err: unknown) => {
      // Asked twice: the conversion is already under way, which is what we want.
      if (!(isApiError(err) && err.status === 400 && /already started/i.test(err.message))) throw err;
    });
  }
  const deadline = io.now() + (args.timeoutMs ?? 3_600_000);
  for (;;) {
    const current = converted(await client.getExportSnapshot(projectId, snap.id));
    if (current?.status === 'completed') return;
    if (current?.status === 'failed')
      throw new UserError(
        `converting snapshot ${snap.id} to ${format} failed on the server${current.traceback ? `: ${current.traceback.trim().split('\n').pop()}` : ''}`,
      );
    if (io.now() > deadline) throw new UserError(`converting snapshot ${snap.id} to ${format} did not finish in time`);
    if (!args.quiet) io.stderr(`  converting snapshot ${snap.id} to ${format}: ${current?.status ?? 'queued'}…\n`);
    await delay(args.pollMs ?? 1000);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
