import { exportStorageKind } from '../../kinds/export-storage/kind.ts';
import { importStorageKind } from '../../kinds/import-storage/kind.ts';
import { findResourceKind } from '../../kinds/registry.ts';
import type { LiveStorage } from '../../kinds/storage/types.ts';
import { syncStorage } from '../../kinds/storage/sync.ts';
import { explainS3Failure, syncOutcome } from '../../kinds/storage/sync-state.ts';
import { liveOf, readLiveState } from '../../state/live-state.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { openSession } from '../plan-shell.ts';
import { createProgress } from '../progress.ts';

export interface StorageSyncArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  /** `<project>/<storage key>` */
  readonly name: string;
  /** Sync the ExportStorage of that key (default: the ImportStorage, or the only one there is). */
  readonly export?: boolean;
  readonly quiet?: boolean;
}

/**
 * `labelform storage sync PROJECT/KEY`: syncs a declared storage now and waits for the end, with
 * progress; exit 1 when the sync fails. An import storage brings in the tasks for new objects;
 * an export storage writes the annotations.
 */
export async function runStorageSync(io: Io, args: StorageSyncArgs): Promise<number> {
  const [projectKey, key] = args.name.split('/');
  if (!projectKey || !key)
    throw new UserError(
      `storage sync takes PROJECT/KEY (the Project's and the storage's metadata.name), not "${args.name}"`,
    );
  const session = await openSession(io, args);
  const { repo, client, target } = session;
  const kinds = args.export ? [exportStorageKind] : [importStorageKind, exportStorageKind];
  const matches = kinds.flatMap((k) =>
    k
      .desired(repo)
      .filter((s) => s.parent === projectKey && s.name === key)
      .map((s) => ({ kind: k, desired: s })),
  );
  if (!matches.length)
    throw new UserError(
      `no ${args.export ? exportStorageKind.kind : `${importStorageKind.kind} or ${exportStorageKind.kind}`} manifest named "${key}" for project ${projectKey}`,
    );
  const chosen = matches[0]!;
  const direction = chosen.kind === importStorageKind ? 'import' : 'export';
  return withServer(target, async () => {
    // The storage's parent kind is read first: the storage's marker names its parent by key.
    const parent = chosen.kind.parent === undefined ? undefined : findResourceKind(chosen.kind.parent);
    const live = await readLiveState(client, repo, { kinds: [...(parent ? [parent] : []), chosen.kind] });
    const storage = liveOf<LiveStorage>(live, chosen.kind.kind).find(
      (s) => s.marker?.namespace === repo.config.namespace && s.marker.key === key && s.marker.parent === projectKey,
    );
    if (!storage)
      throw new UserError(
        `${direction} storage ${projectKey}/${key} is not on the server yet: run \`labelform apply\` first`,
      );
    const started = io.now();
    const progress = await createProgress(io, {
      label: `  syncing ${direction} storage ${projectKey}/${key}`,
      unit: direction === 'import' ? 'tasks' : 'annotations',
      ...(args.quiet ? { quiet: true } : {}),
    });
    const done = await syncStorage(client, direction, storage.raw.type, storage.id, {
      onProgress: (s) => progress.update(Number(s.last_sync_count ?? 0)),
      ...(io.sleep ? { sleep: io.sleep } : {}),
    }).catch((err: unknown) => {
      progress.stop();
      const why = explainS3Failure(err, chosen.desired, direction);
      throw why
        ? new UserError(`the sync of ${direction} storage ${projectKey}/${key} (id ${storage.id}) failed: ${why}`)
        : err;
    });
    progress.stop();
    const s = styleFor(io.color);
    const seconds = ((io.now() - started) / 1000).toFixed(2);
    // Named by its key, type and id only: a title or bucket can come from ${env:...}.
    const outcome = syncOutcome(direction, done);
    if (outcome.ok) {
      io.stdout(
        `${s.green('✔')} Synced ${direction} storage ${projectKey}/${key} (${storage.raw.type}, id ${storage.id}): ${outcome.count} (${seconds} s)\n`,
      );
      return 0;
    }
    throw new UserError(`the sync of ${direction} storage ${projectKey}/${key} (id ${storage.id}) ${outcome.message}`);
  });
}
