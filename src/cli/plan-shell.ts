import type { LabelStudioClient } from '../api/client.ts';
import type { Plan, PlanDiagnostic, TaskImport } from '../generated/schema-types.ts';
import { readDatasetState, toTaskImports } from '../tasks/datasets.ts';
import { PROJECT_FIELDS, type ProjectField } from '../kinds/project/fields.ts';
import { loadRepository } from '../manifest/load.ts';
import type { Repository } from '../manifest/types.ts';
import { impactChecksNeeded, matchProjects, planChanges } from '../reconcile/plan.ts';
import { readImpactFacts } from '../state/read-impact.ts';
import { readLiveState, type LiveState } from '../state/live-state.ts';
import { UserError } from '../util/errors.ts';
import { connect, resolveEnvironment, withServer, type ResolvedEnvironment } from './connect.ts';
import type { Io } from './io.ts';
import { printDiagnostics } from './report.ts';
import { VERSION } from './version.ts';

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
  const loaded = await loadRepository(args.dir, { env: io.env, requireEnv: true, cwd: io.cwd, ...(args.env ? { environment: args.env } : {}) });
  if (!loaded.repository) {
    throw new UserError('the manifests have errors; nothing was sent to the server', loaded.diagnostics);
  }
  const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning');
  if (warnings.length) printDiagnostics(io, warnings);
  const repo = loaded.repository;
  const target = resolveEnvironment(repo.config, repo.environment, io.env);
  return { repo, target, client: connect(target, io, { debug: args.debug ?? false }) };
}

/** The fields to read from the server: every field a manifest manages (or all of them). */
export function fieldsToRead(repo: Repository, all = false): ProjectField[] {
  if (all) return PROJECT_FIELDS;
  const fields = new Set<ProjectField>(['label_config']);
  for (const p of repo.projects) for (const f of Object.keys(p.spec)) fields.add(f as ProjectField);
  return [...fields];
}

export interface PlanOptions {
  readonly targets?: readonly string[];
  readonly allowDuplicateTitle?: boolean;
  readonly prune?: boolean;
  readonly dedupe?: boolean;
  /** Read declared task files and count what the server holds of them (plan and apply do). */
  readonly datasets?: boolean;
}

/** Read the live state, read the impact facts the planner needs, then plan (pure). */
export async function readAndPlan(io: Io, session: Session, opts: PlanOptions): Promise<{ plan: Plan; live: LiveState }> {
  const { repo, target, client } = session;
  const started = io.now();
  return withServer(target, async () => {
    const live = await readSettledLiveState(io, client, repo, opts);
    const matches = matchProjects(repo, live, opts.targets, { dedupe: opts.dedupe ?? false });
    const impact = await readImpactFacts(client, impactChecksNeeded(matches));
    const taskImports = new Map<string, TaskImport[]>();
    const readDiagnostics: PlanDiagnostic[] = [];
    if (opts.datasets ?? true) {
      for (const m of matches) {
        if (m.desired.tasks.length === 0) continue;
        const target = m.live ?? m.adopt;
        const states = await Promise.all(m.desired.tasks.map((f) => readDatasetState(client, target?.id, m.desired, repo.config.namespace, repo.root, f)));
        taskImports.set(m.desired.name, toTaskImports(states, repo.root));
        for (const st of states) readDiagnostics.push(...st.problems);
      }
    }
    const plan = planChanges({
      repo,
      live,
      server: { url: target.url, environment: target.name },
      ...(opts.targets?.length ? { targets: opts.targets } : {}),
      allowDuplicateTitle: opts.allowDuplicateTitle ?? false,
      prune: opts.prune ?? false,
      dedupe: opts.dedupe ?? false,
      impact,
      taskImports,
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
 * The live state, read again (a few times, briefly) while some key is carried by several
 * projects whose extra copies are all empty: that is what another `apply` looks like between
 * its create and its settling, which takes a request or two. A run started a moment later then
 * plans against the settled server instead of failing on a duplicate that is about to vanish.
 * Duplicates that stay are reported as before.
 */
async function readSettledLiveState(io: Io, client: LabelStudioClient, repo: Repository, opts: PlanOptions): Promise<LiveState> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let live = await readLiveState(client, fieldsToRead(repo));
  if (opts.dedupe) return live;
  let before = '';
  for (const ms of SETTLE_WAITS_MS) {
    // The empty extra copies of doubled keys, as a comparable list of ids.
    const copies = matchProjects(repo, live, opts.targets)
      .filter((m) => m.duplicates.length > 1 && m.duplicates.slice(1).every((p) => p.taskCount === 0 && p.annotationCount === 0))
      .flatMap((m) => m.duplicates.slice(1).map((p) => p.id))
      .join(',');
    // Nothing settling, or the same copies as a wait ago: an old duplicate, not a run mid-settle.
    if (copies === '' || copies === before) break;
    before = copies;
    await sleep(ms);
    live = await readLiveState(client, fieldsToRead(repo));
  }
  return live;
}
