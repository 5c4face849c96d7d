import { findResourceKind } from '../../kinds/registry.ts';
import { resourceName } from '../../model/resource-name.ts';
import { parseTarget } from '../../kinds/shared/targets.ts';
import { liveOf, readLiveState } from '../../state/live-state.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { openSession } from '../plan-shell.ts';

export interface ImportArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  /** `Kind/key`, or a bare key for a Project. */
  readonly name: string;
  readonly projectId: number;
}

/**
 * `labelform import [KIND/]NAME ID`: adopts an existing resource under a manifest by writing its
 * ownership marker (a project's description line, a webhook's header). Nothing else changes;
 * `plan` then shows the real differences between the manifest and the resource.
 */
export async function runImport(io: Io, args: ImportArgs): Promise<number> {
  const session = await openSession(io, args);
  const { repo, client, target } = session;
  const wanted = parseTarget(args.name);
  const kind = findResourceKind(wanted.kind);
  if (!kind?.adopt)
    throw new UserError(
      `${wanted.kind} is not a kind labelform can import (${kind ? 'it has no marker to write' : 'no such kind'})`,
    );
  const declared = kind.desired(repo);
  const desired = declared.find((d) => d.name === wanted.key);
  if (!desired)
    throw new UserError(
      `no ${kind.kind} manifest named "${wanted.key}" (defined: ${declared.map((d) => d.name).join(', ') || 'none'})`,
    );
  const namespace = repo.config.namespace;
  return withServer(target, async () => {
    let parentId: number | undefined;
    if (kind.parent && desired.parent !== undefined) {
      const parentKind = findResourceKind(kind.parent)!;
      const live = await readLiveState(client, repo, { kinds: [parentKind] });
      const holders = liveOf(live, parentKind.kind).filter(
        (p) => p.marker?.namespace === namespace && p.marker.key === desired.parent,
      );
      if (holders.length !== 1)
        throw new UserError(
          `${parentKind.noun} ${desired.parent} ${holders.length ? 'is carried by several resources' : 'is not on the server (or not managed yet)'}: import or apply it first`,
        );
      parentId = holders[0]!.id;
      // The parent records the child's kind first, so that --prune finds it once git stops declaring it.
      if (kind.recordedAs) await parentKind.recordChild?.(client, parentId, kind.recordedAs);
    }
    const done = await kind.adopt!(client, args.projectId, desired, {
      namespace,
      ...(parentId !== undefined ? { parentId } : {}),
    });
    const name = resourceName({ kind: kind.kind, key: desired.name, parent: desired.parent });
    const s = styleFor(io.color);
    if (done.already) io.stdout(`${capitalise(done.title)} is already managed as ${name}.\n`);
    else
      io.stdout(
        `${s.green('✔')} Adopted ${done.title} as ${name} (namespace ${namespace}). Run \`labelform plan\` to see how it differs from ${desired.file}.\n`,
      );
    return 0;
  });
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
