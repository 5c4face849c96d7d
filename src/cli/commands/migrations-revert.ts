import { resolve } from 'node:path';
import { access } from 'node:fs/promises';
import { revertMigration, type ObjectRef } from '../../kinds/project/migrate/io-run.ts';
import { UserError } from '../../util/errors.ts';
import type { Io } from '../../util/io.ts';
import { withServer } from '../connect.ts';
import { openServer } from '../server-session.ts';

export interface MigrationsRevertArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly journal: string;
  readonly deleteDrafts: boolean;
  readonly concurrency: number;
  readonly quiet: boolean;
}

/**
 * `labelform migrations revert --journal FILE`: writes back, byte for byte, what each object the
 * journal says a migration wrote held before it. Resumable; an object changed since the migration
 * is reported and left alone. Exit 1 when anything was left (conflicts, drafts in the way, failures).
 */
export async function runMigrationsRevert(io: Io, args: MigrationsRevertArgs): Promise<number> {
  const journalPath = resolve(io.cwd, args.journal);
  try {
    await access(journalPath);
  } catch {
    throw new UserError(`--journal ${args.journal}: no such file`);
  }
  const { target, client } = await openServer(io, args);
  return withServer(target, async () => {
    const report = await revertMigration(client, {
      journalPath,
      deleteDrafts: args.deleteDrafts,
      concurrency: args.concurrency,
      now: io.now,
      ...(args.quiet
        ? {}
        : {
            onProgress: (p) =>
              io.stderr(
                `\rreverting ${p.done}/${p.total}${p.etaMs === undefined ? '' : `, about ${Math.ceil(p.etaMs / 1000)} s left`}${p.done === p.total ? '\n' : ''}`,
              ),
          }),
    });
    io.stdout(
      `Reverted ${report.reverted.length} object(s); ${report.unchanged.length} already held their old result.\n`,
    );
    const list = (refs: readonly ObjectRef[]) => refs.map((r) => `${r.type} ${r.id} (task ${r.task})`).join(', ');
    if (report.conflicts.length)
      io.stdout(`Changed since the migration, left as they are: ${list(report.conflicts)}\n`);
    if (report.skipped.length)
      io.stdout(
        `Not written, a draft is attached (a write would delete it; --delete-drafts to write anyway): ${list(report.skipped)}\n`,
      );
    if (report.gone.length) io.stdout(`Deleted on the server: ${list(report.gone)}\n`);
    for (const f of report.failed) io.stdout(`Failed: ${f.type} ${f.id}: ${f.error}\n`);
    return report.conflicts.length + report.skipped.length + report.failed.length > 0 ? 1 : 0;
  });
}
