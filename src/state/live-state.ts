import type { LabelStudioClient } from '../api/client.ts';
import type { LiveResource, ResourceKind, Repository } from '../kinds/kind.ts';
import { RESOURCE_KINDS } from '../kinds/registry.ts';

/** What the server has, per kind, as the kinds read it. */
export interface LiveState {
  readonly serverVersion: string;
  /** Live resources by kind name. */
  readonly resources: Readonly<Record<string, readonly LiveResource[]>>;
}

/**
 * Reads the server's version and every resource of every kind; a kind with a parent is read
 * after its parent kind (it gets the parents' live resources, to find its own under them).
 */
export async function readLiveState(
  client: LabelStudioClient,
  repo: Repository,
  opts: { readonly all?: boolean; readonly prune?: boolean; readonly kinds?: readonly ResourceKind[] } = {},
): Promise<LiveState> {
  const kinds = opts.kinds ?? RESOURCE_KINDS;
  const resources: Record<string, LiveResource[]> = {};
  const version = client.version();
  version.catch(() => undefined); // observed below; a failure must not go unhandled meanwhile
  for (const k of kinds) {
    const parents = k.parent ? (resources[k.parent] ?? []) : undefined;
    resources[k.kind] = await k.readLive(client, {
      namespace: repo.config.namespace,
      repo,
      ...(opts.all ? { all: true } : {}),
      ...(opts.prune ? { prune: true } : {}),
      ...(parents ? { parents } : {}),
    });
  }
  const v = await version;
  return { serverVersion: typeof v?.release === 'string' ? v.release : 'unknown', resources };
}

/** The live resources of one kind. */
export function liveOf<L extends LiveResource>(live: LiveState, kind: string): readonly L[] {
  return (live.resources[kind] ?? []) as readonly L[];
}
