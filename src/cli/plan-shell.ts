import type { LabelStudioClient } from '../api/client.ts';
import type { Plan, PlanDiagnostic } from '../generated/schema-types.ts';
import { RESOURCE_KINDS } from '../kinds/registry.ts';
import { loadRepository } from '../state/load-repository.ts';
import type { Repository } from '../kinds/kind.ts';
import { matchResources } from '../kinds/shared/match.ts';
import { planChanges, selectDesired } from '../reconcile/plan.ts';
import { parseTarget } from '../kinds/shared/targets.ts';
import { liveOf, readLiveState, type LiveState } from '../state/live-state.ts';
import { UserError } from '../util/errors.ts';
import { assertTrustedCheckout } from './ci-trust.ts';
import { connect, resolveEnvironment, withServer, type ResolvedEnvironment } from './connect.ts';
import type { Io } from '../util/io.ts';
import { printDiagnostics } from './report.ts';
import { VERSION } from '../util/version.ts';

export interface ShellArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug?: boolean;
}

export interface Session {
  readonly repo: Repository;
  readonly target: ResolvedEnvironment;
  readonly client: LabelStudioClient;
}

/** Loads the manifests (all `${env:...}` required) and connects to the environment. */
export async function openSession(io: Io, args: ShellArgs): Promise<Session> {
  const loaded = await loadRepository(args.dir, {
    env: io.env,
    requireEnv: true,
    cwd: io.cwd,
    ...(args.env ? { environment: args.env } : {}),
  });
  if (!loaded.repository) {
    throw new UserError('the manifests have errors; nothing was sent to the server', loaded.diagnostics);
  }
  const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning');
  if (warnings.length) printDiagnostics(io, warnings);
  const repo = loaded.repository;
  const target = resolveEnvironment(repo.config, repo.environment, io.env);
  await assertTrustedCheckout(io.env, repo.root);
  return { repo, target, client: connect(target, io, { debug: args.debug ?? false }) };
}

export interface PlanOptions {
  readonly targets?: readonly string[];
  readonly allowDuplicateTitle?: boolean;
  readonly prune?: boolean;
  readonly dedupe?: boolean;
  /** Label migrations also write annotations with a draft attached (deleting those drafts). */
  readonly deleteDrafts?: boolean;
  /** Read declared task files and count what the server holds of them (plan and apply do). */
  readonly datasets?: boolean;
}

/** Read the live state, read the facts each kind needs for its matches, then plan (pure). */
export async function readAndPlan(
  io: Io,
  session: Session,
  opts: PlanOptions,
): Promise<{ plan: Plan; live: LiveState }> {
  const { repo, target, client } = session;
  const started = io.now();
  return withServer(target, async () => {
    const live = await readSettledLiveState(io, client, repo, opts);
    const request = {
      repo,
      namespace: repo.config.namespace,
      server: { url: target.url, environment: target.name },
      allowDuplicateTitle: opts.allowDuplicateTitle ?? false,
      dedupe: opts.dedupe ?? false,
      prune: opts.prune ?? false,
      deleteDrafts: opts.deleteDrafts ?? false,
      datasets: opts.datasets ?? true,
    };
    const targets = opts.targets?.map(parseTarget);
    const facts: Record<string, unknown> = {};
    const readDiagnostics: PlanDiagnostic[] = [];
    for (const kind of RESOURCE_KINDS) {
      if (!kind.readFacts) continue;
      const matches = matchResources(
        selectDesired(kind, repo, targets),
        liveOf(live, kind.kind),
        request.namespace,
        (l) => kind.identify(l),
        { dedupe: request.dedupe },
      );
      const read = await kind.readFacts(client, matches, request);
      facts[kind.kind] = read.facts;
      readDiagnostics.push(...read.diagnostics);
    }
    const plan = planChanges({
      repo,
      live,
      server: request.server,
      ...(opts.targets?.length ? { targets: opts.targets } : {}),
      allowDuplicateTitle: request.allowDuplicateTitle,
      prune: request.prune,
      dedupe: request.dedupe,
      deleteDrafts: request.deleteDrafts,
      facts,
      readDiagnostics,
      stats: { requests: client.http.stats.requests, durationMs: io.now() - started },
      createdAt: new Date(io.now()).toISOString(),
      labelformVersion: VERSION,
    });
    return { plan, live };
  });
}

/** Waits before reading again while a key looks doubled by a racing run: 0.5 s, 1 s, 2 s. */
const SETTLE_WAITS_MS = [500, 1000, 2000];

/**
 * The live state, read again (a few times, briefly) while some identity is carried by several
 * resources whose extra copies are all empty: that is what another `apply` looks like between
 * its create and its settling, which takes a request or two. A run started a moment later then
 * plans against the settled server instead of failing on a duplicate that is about to vanish.
 * Duplicates that stay are reported as before.
 */
async function readSettledLiveState(
  io: Io,
  client: LabelStudioClient,
  repo: Repository,
  opts: PlanOptions,
): Promise<LiveState> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let live = await readLiveState(client, repo, { prune: opts.prune ?? false });
  if (opts.dedupe) return live;
  const targets = opts.targets?.map(parseTarget);
  let before = '';
  for (const ms of SETTLE_WAITS_MS) {
    // The empty extra copies of doubled identities, as a comparable list of ids.
    const copies = RESOURCE_KINDS.flatMap((kind) =>
      matchResources(selectDesired(kind, repo, targets), liveOf(live, kind.kind), repo.config.namespace, (l) =>
        kind.identify(l),
      )
        .filter((m) => m.duplicates.length > 1 && m.duplicates.slice(1).every((p) => !kind.holdsData(p)))
        .flatMap((m) => m.duplicates.slice(1).map((p) => `${kind.kind}:${p.id}`)),
    ).join(',');
    // Nothing settling, or the same copies as a wait ago: an old duplicate, not a run mid-settle.
    if (copies === '' || copies === before) break;
    before = copies;
    await sleep(ms);
    live = await readLiveState(client, repo, { prune: opts.prune ?? false });
  }
  return live;
}
