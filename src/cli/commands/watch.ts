import { resolve } from 'node:path';
import type { LabelStudioClient } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';
import type { Repository } from '../../kinds/kind.ts';
import { driftFromPlan } from '../../reconcile/drift.ts';
import { DEFAULT_KIND } from '../../model/kind-names.ts';
import { liveOf, type LiveState } from '../../state/live-state.ts';
import { loadRepository } from '../../state/load-repository.ts';
import { formatDiagnostic } from '../../util/diagnostics.ts';
import { parseDuration, showDuration } from '../../util/duration.ts';
import { isUserError, UserError } from '../../util/errors.ts';
import type { Io } from '../../util/io.ts';
import { checkoutState } from '../../watch/checkout.ts';
import { gitPull } from '../../watch/git-pull.ts';
import { HEAL_EVERY_MS, healResource, notHealable } from './watch-heal.ts';
import { createSyncScheduler } from './watch-sync.ts';
import { publishDrift } from '../../ci/publish-drift.ts';
import { createStaleNotes } from '../../ci/stale-notes.ts';
import type { Plan } from '../../generated/schema-types.ts';
import type { DriftReport } from '../../reconcile/drift.ts';
import { desiredIds } from '../../watch/desired.ts';
import { resourceId, type WatchEvent } from '../../watch/events.ts';
import { createLog, type WatchLog } from '../../watch/log.ts';
import { createWatchLoop, CycleFailure, type CycleInfo, type CycleResult } from '../../watch/loop.ts';
import { createWatchMetrics, parseListenAddress, serveMetrics, type MetricsServer } from '../../watch/metrics.ts';
import { hookSecret, serveHooks, syncHooks, Waker, type HookReceiver } from '../../watch/hooks.ts';
import { renderEventJson, renderEventText } from '../../watch/render.ts';
import { assertTrustedCheckout } from '../ci-trust.ts';
import { connect, resolveEnvironment, type ResolvedEnvironment } from '../connect.ts';
import { readAndPlan } from '../plan-shell.ts';

export interface WatchArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly json: boolean;
  /** Between cycles: `60` (seconds), `90s`, `500ms`, `5m`. */
  readonly interval: string;
  readonly once: boolean;
  /** `HOST:PORT` for `/healthz` and `/metrics`. */
  readonly metrics?: string;
  /** `HOST:PORT` for the webhooks' receiver. */
  readonly listen?: string;
  /** The receiver's URL as the server reaches it (default: `http://HOST:PORT/labelform/hooks`). */
  readonly listenUrl?: string;
  /** `git pull --ff-only` in the checkout before a cycle, at most once per interval. */
  readonly gitPull?: boolean;
  /** Put git's values back on what changed on the server (once per resource per 5 minutes). */
  readonly selfHeal?: boolean;
  /** Keep the drift issue (GitHub) in step, as `drift --issue`. */
  readonly issue?: boolean;
  /** The variable holding the token for --issue (default GITHUB_TOKEN). */
  readonly issueTokenEnv?: string;
  /** Tell the open pull requests whose plan comment the server moved under (GitHub). */
  readonly comment?: boolean;
  /** The variable holding the token for --comment (default GITHUB_TOKEN). */
  readonly commentTokenEnv?: string;
  /** The account whose plan comments are read (default: the token's own). */
  readonly commentAuthor?: string;
}

/** What tests (and, later, an embedding service) control; the CLI passes none. */
export interface WatchHooks {
  /** Stop the loop; without it, SIGTERM and SIGINT do. */
  readonly signal?: AbortSignal;
  readonly afterCycle?: (info: CycleInfo) => void | Promise<void>;
  /** Told the metrics server's URL once it listens (with `--metrics 127.0.0.1:0`). */
  readonly onMetrics?: (url: string) => void | Promise<void>;
  /** Told the webhooks' receiver URL once it listens (with `--listen 127.0.0.1:0`). */
  readonly onListen?: (url: string) => void | Promise<void>;
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** Default interval between two cycles. */
export const DEFAULT_INTERVAL = '60s';

/**
 * `labelform watch`: `drift` in a loop for one checkout and one environment, reporting each
 * change of state once (see src/watch/). The checkout is read again when its files change, so a
 * `git pull` shows as "changed in git, not applied yet" and an edit in the UI as "changed on the
 * server". `--once`: one cycle, exit codes as `drift`'s. Otherwise it runs until SIGTERM or SIGINT
 * and exits 0. Manifests that do not load at start, or a bad option, exit 1 at once; later, the
 * same is an `error` event, and the loop goes on.
 */
export async function runWatch(io: Io, args: WatchArgs, hooks: WatchHooks = {}): Promise<number> {
  const intervalMs = parseDuration(args.interval);
  if (intervalMs === undefined)
    throw new UserError(`--interval "${args.interval}" is not a duration (e.g. 60, 90s, 500ms, 5m)`);
  const address = args.metrics === undefined ? undefined : parseListenAddress(args.metrics);
  if (args.metrics !== undefined && !address)
    throw new UserError(`--metrics "${args.metrics}" is not HOST:PORT (e.g. 127.0.0.1:9464, :9464)`);
  const listen = args.listen === undefined ? undefined : parseListenAddress(args.listen);
  if (args.listen !== undefined && !listen)
    throw new UserError(`--listen "${args.listen}" is not HOST:PORT (e.g. 0.0.0.0:9465, 127.0.0.1:9465)`);
  if (args.listenUrl !== undefined && !listen) throw new UserError('--listen-url needs --listen');
  const listenPath = listen ? hookBasePath(args.listenUrl) : undefined;
  if (listen && args.listenUrl === undefined && /^(0\.0\.0\.0|::|)$/.test(listen.host))
    throw new UserError(
      `--listen ${args.listen} binds every address: say how Label Studio reaches this process with --listen-url (e.g. http://labelform-watch:9465/labelform/hooks)`,
    );
  if (args.selfHeal && args.once)
    throw new UserError(
      '--self-heal needs a running watcher (it remembers for 5 minutes what it healed); leave out --once',
    );
  const log = createLog(io.stderr, { json: args.json, debug: args.debug, now: io.now });

  const stop = new AbortController();
  const signal = hooks.signal ?? stop.signal;
  const onSignal = (name: string) => () => {
    if (stop.signal.aborted) {
      // A second signal while stopping: whoever sent it does not want to wait.
      log.warn(`${name} again: exiting now`);
      process.exit(130);
    }
    log.info(`${name}: stopping`);
    stop.abort();
  };
  const handlers = hooks.signal ? [] : (['SIGTERM', 'SIGINT'] as const).map((n) => [n, onSignal(n)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);

  let server: MetricsServer | undefined;
  let receiver: HookReceiver | undefined;
  try {
    const checkout = new Checkout(io, args, log);
    // At start, manifests that do not load and a missing URL or token are mistakes to fix first.
    await checkout.load(await checkoutState(checkout.root(io), io.now()), { first: true });
    await assertTrustedCheckout(io.env, checkout.repo.root);

    // With --json, --debug's line per HTTP exchange is a JSON log line too.
    const httpIo: Io = args.json
      ? { ...io, stderr: (t) => log.debug('http', { exchange: t.trim().replace(/^\[http\] /, '') }) }
      : io;
    let requestsOfClosed = 0;
    let client: LabelStudioClient | undefined;
    let clientOf: ResolvedEnvironment | undefined;
    const requests = () => requestsOfClosed + (client?.http.stats.requests ?? 0);
    const dropClient = () => {
      requestsOfClosed += client?.http.stats.requests ?? 0;
      client = undefined;
    };

    // --git-pull: before a cycle, at most once per interval (a cycle a webhook brings forward
    // does not pull again); a failed pull is said once and the checkout as it is is compared.
    let pulledAt = -Infinity;
    let pullFailing = false;
    const maybePull = async () => {
      if (!args.gitPull || io.now() - pulledAt < intervalMs * 0.85) return;
      pulledAt = io.now();
      const r = await gitPull(checkout.repo.root);
      if (!r.ok) {
        if (!pullFailing) log.warn(`git pull --ff-only failed; the checkout as it is is compared: ${r.message}`);
        pullFailing = true;
        return;
      }
      if (pullFailing) log.info('git pull works again');
      pullFailing = false;
      if (r.changed) log.debug('git pull brought new commits');
    };

    /** The plan of the last cycle that read the server (for --comment). */
    let lastPlan: Plan | undefined;
    const cycle = async (): Promise<CycleResult> => {
      await maybePull();
      await checkout.refresh();
      const { repo, target } = checkout;
      if (!client || clientOf !== target) {
        dropClient();
        client = connect(target, httpIo, { debug: args.debug, signal });
        clientOf = target;
      }
      try {
        const { plan, live } = await readAndPlan(io, { repo, target, client }, { datasets: false });
        lastPlan = plan;
        const report = driftFromPlan(plan, { repo, live });
        syncs.start(repo, live, client);
        if (hooks_) await keepHooks(client, repo.config.namespace, target.token, live, checkout.desired);
        return { report, desired: checkout.desired };
      } catch (err) {
        if (!isUserError(err)) throw err;
        // A fresh client next time: the old one may hold a "server gone" state for a while.
        dropClient();
        throw new CycleFailure('server', err.message);
      }
    };

    const metrics = address ? createWatchMetrics() : undefined;

    const syncs = createSyncScheduler({ log, now: io.now, onResult: (r) => metrics?.storageSync(r) });

    // --self-heal: git's values put back on what changed on the server only (watch-heal.ts says
    // what qualifies), at most once per resource per HEAL_EVERY_MS; after that, reported and left
    // to the person changing it. Each heal has a client of its own, not cut by SIGTERM.
    const healedAt = new Map<string, number>();
    const saidNotHealed = new Map<string, string>();
    const applyIo: Io = {
      ...io,
      stdout: (t) => log.debug('self-heal', { output: t.trimEnd() }),
      stderr: (t) => log.debug('self-heal', { output: t.trimEnd() }),
      interactive: false,
      color: false,
    };
    const heal = async (report: DriftReport): Promise<readonly WatchEvent[]> => {
      const out: WatchEvent[] = [];
      const now = io.now();
      for (const [id, at] of healedAt) if (now - at >= HEAL_EVERY_MS) healedAt.delete(id);
      const drifting = new Set<string>();
      for (const e of report.entries) {
        const id = resourceId({ kind: e.resourceKind, key: e.key, ...(e.parent ? { parent: e.parent } : {}) });
        drifting.add(id);
        const last = healedAt.get(id);
        const why =
          notHealable(e) ??
          (last !== undefined
            ? `healed ${showDuration(now - last)} ago, and changed again: someone is changing it, so it is reported, not undone, until ${showDuration(HEAL_EVERY_MS)} after the heal`
            : undefined);
        if (why) {
          if (saidNotHealed.get(id) !== why) log.warn(`not healed: ${e.resourceKind}/${e.key}: ${why}`);
          saidNotHealed.set(id, why);
          metrics?.heal('skipped');
          continue;
        }
        if (signal.aborted) break;
        const session = {
          repo: checkout.repo,
          target: checkout.target,
          client: connect(checkout.target, httpIo, { debug: args.debug }),
        };
        const r = await healResource(applyIo, session, e, args.dir);
        requestsOfClosed += session.client.http.stats.requests;
        if (r.healed) {
          healedAt.set(id, io.now());
          saidNotHealed.delete(id);
          metrics?.heal('healed');
          out.push({
            event: 'healed',
            at: new Date(io.now()).toISOString(),
            kind: e.resourceKind,
            key: e.key,
            ...(e.parent ? { parent: e.parent } : {}),
            ...(e.id ? { id: e.id } : {}),
            fields: r.fields,
            message: `git's values put back: ${r.fields.join(', ')}`,
          });
        } else {
          if (saidNotHealed.get(id) !== r.reason) log.warn(`not healed: ${e.resourceKind}/${e.key}: ${r.reason}`);
          saidNotHealed.set(id, r.reason);
          metrics?.heal('refused');
        }
      }
      for (const id of saidNotHealed.keys()) if (!drifting.has(id)) saidNotHealed.delete(id);
      return out;
    };

    // --issue: the drift issue (GitHub) kept in step, as `drift --issue` keeps it, at the first
    // cycle and whenever the state changed; not in a cycle that healed (the next one tells).
    // What it says goes to the log; a failure is said once and the loop goes on.
    let published = false;
    const publishIo: Io = {
      ...io,
      stdout: (t) => log.info(t.trim()),
      stderr: (t) => log.info(t.trim()),
      interactive: false,
      color: false,
      env: { ...io.env, GITHUB_STEP_SUMMARY: '' },
    };
    const publish = async (report: DriftReport) => {
      try {
        await publishDrift(
          publishIo,
          {
            dir: args.dir,
            debug: args.debug,
            issue: true,
            ...(args.env ? { env: args.env } : {}),
            ...(args.issueTokenEnv ? { issueTokenEnv: args.issueTokenEnv } : {}),
          },
          report,
          0,
        );
        published = true;
      } catch (err) {
        if (!isUserError(err)) throw err;
        warnOnce(`could not keep the drift issue (the loop goes on): ${err.message}`);
      }
    };
    // --comment: the open pull requests whose plan comment the server moved under get a note
    // (src/ci/stale-notes.ts), from the plan this cycle made; not in a cycle that healed.
    const notes = args.comment
      ? createStaleNotes(publishIo, {
          dir: args.dir,
          debug: args.debug,
          ...(args.env ? { env: args.env } : {}),
          ...(args.commentTokenEnv ? { tokenEnv: args.commentTokenEnv } : {}),
          ...(args.commentAuthor ? { author: args.commentAuthor } : {}),
        })
      : undefined;
    const keepNotes = async (plan: Plan) => {
      try {
        for (const o of await notes!.check(plan))
          log.info(
            o.action === 'noted'
              ? `pull request #${o.number}: its plan is stale (the server moved ${o.moved.length} of its resources); noted there`
              : `pull request #${o.number}: its plan matches the server again; the note is removed`,
            { pr: o.number, ...(o.url ? { url: o.url } : {}) },
          );
      } catch (err) {
        if (!isUserError(err)) throw err;
        warnOnce(`could not tell the open pull requests about stale plans (the loop goes on): ${err.message}`);
      }
    };
    const afterReport = async (report: DriftReport, emitted: readonly WatchEvent[]): Promise<readonly WatchEvent[]> => {
      const healed = args.selfHeal ? await heal(report) : [];
      if (args.issue && !healed.length && (!published || emitted.length)) await publish(report);
      if (notes && lastPlan && !healed.length) await keepNotes(lastPlan);
      return healed;
    };
    // --listen: the receiver first (a webhook must not call a port nobody listens on), then its
    // webhooks, kept in step with the managed projects at the end of every cycle.
    const waker = new Waker();
    let hooks_: { base: string; managed: ReadonlySet<number> } | undefined;
    const warned = new Set<string>();
    const warnOnce = (text: string, fields?: Record<string, unknown>) => {
      if (warned.has(text)) return;
      warned.add(text);
      log.warn(text, fields);
    };
    const keepHooks = async (
      c: LabelStudioClient,
      namespace: string,
      token: string,
      live: LiveState,
      declared: ReadonlySet<string>,
    ) => {
      // The projects git declares that carry their marker (not an orphan: git no longer wants it).
      // About the default kind by nature: Label Studio's PROJECT_UPDATED is about projects.
      const managed = new Set(
        liveOf(live, DEFAULT_KIND)
          .filter(
            (p) =>
              p.marker?.namespace === namespace && declared.has(resourceId({ kind: DEFAULT_KIND, key: p.marker.key })),
          )
          .map((p) => p.id),
      );
      const base = hooks_!.base;
      hooks_ = { base, managed };
      try {
        const done = await syncHooks(c, { namespace, base, secret: hookSecret(token, namespace, base) }, managed);
        if (done.refused)
          warnOnce(
            `Label Studio refused the webhook to ${base}/…: ${done.refused}. It refuses private and loopback addresses unless it runs with SSRF_PROTECTION_ENABLED=false; give --listen-url an address it allows. Until then changes are seen at each --interval`,
          );
        else if (done.create.length || done.update.length || done.remove.length)
          log.info('webhooks kept on the managed projects', {
            created: done.create.length,
            updated: done.update.length,
            removed: done.remove.length,
            kept: done.kept,
          });
      } catch (err) {
        if (!isUserError(err) && !(err instanceof ApiError)) throw err;
        warnOnce(
          `could not keep the webhooks on the managed projects (changes are seen at each --interval): ${err.message}`,
        );
      }
    };
    if (listen && listenPath !== undefined && !args.once) {
      receiver = await serveHooks(listen, {
        path: listenPath,
        secret: () => (hooks_ ? hookSecret(checkout.target.token, checkout.repo.config.namespace, hooks_.base) : ''),
        onOutcome: (outcome) => metrics?.delivery(outcome),
        onDelivery: (projectId) => {
          if (hooks_?.managed.has(projectId)) waker.poke();
        },
      });
      const base = (args.listenUrl ?? `${receiver.url}${listenPath}`).replace(/\/+$/, '');
      hooks_ = { base, managed: new Set() };
      await hooks.onListen?.(receiver.url);
      log.info('receiving webhooks', { url: receiver.url, base });
    }

    const loop = createWatchLoop({
      intervalMs,
      once: args.once,
      cycle,
      requests,
      emit: (events: readonly WatchEvent[]) => {
        for (const e of events) io.stdout(args.json ? renderEventJson(e) : renderEventText(e, io.color));
      },
      log,
      ...(metrics ? { metrics } : {}),
      signal,
      now: io.now,
      ...(hooks.random ? { random: hooks.random } : {}),
      ...(hooks.wait
        ? { wait: hooks.wait }
        : receiver
          ? { wait: (ms: number, sig: AbortSignal) => waker.wait(ms, sig) }
          : {}),
      ...(hooks.afterCycle ? { afterCycle: hooks.afterCycle } : {}),
      ...(args.selfHeal || args.issue || args.comment ? { afterReport } : {}),
    });
    if (address && metrics) {
      server = await serveMetrics(address, metrics, loop.health);
      await hooks.onMetrics?.(server.url);
      log.info('serving /healthz and /metrics', { url: server.url });
    }
    if (!args.once)
      log.info(`watching environment "${checkout.target.name}" every ${showDuration(intervalMs)}`, {
        url: checkout.target.url,
        namespace: checkout.repo.config.namespace,
        resources: checkout.desired.size,
      });
    const code = await loop.run();
    if (!args.once) log.info('stopped');
    return code;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
    await server?.close();
    await receiver?.close();
  }
}

/** The path of `--listen-url` (default `/labelform/hooks`), without a trailing slash. */
function hookBasePath(listenUrl: string | undefined): string {
  if (listenUrl === undefined) return '/labelform/hooks';
  let url: URL;
  try {
    url = new URL(listenUrl);
  } catch {
    throw new UserError(`--listen-url "${listenUrl}" is not a URL (e.g. http://labelform-watch:9465/labelform/hooks)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--listen-url "${listenUrl}" must be http:// or https://`);
  if (url.search || url.hash || url.username || url.password)
    throw new UserError(`--listen-url "${listenUrl}" must hold no query, fragment or credentials`);
  return url.pathname.replace(/\/+$/, '');
}

/**
 * The checkout as the loop sees it: the repository loaded from it and the environment it names,
 * read again when its files change (`checkoutState`), and the failure of a load kept for as long
 * as the files stay as they were (a broken manifest is reported once, not read every cycle).
 */
class Checkout {
  #repo: Repository | undefined;
  #target: ResolvedEnvironment | undefined;
  #desired: Set<string> = new Set();
  #fingerprint = '';
  #recent = false;
  #failure: CycleFailure | undefined;

  constructor(
    private readonly io: Io,
    private readonly args: WatchArgs,
    private readonly log: WatchLog,
  ) {}

  /** The directory holding labelform.yaml, as `loadRepository` resolves it. */
  root(io: Io): string {
    return resolve(io.cwd, this.args.dir);
  }

  get repo(): Repository {
    return this.#repo!;
  }

  get target(): ResolvedEnvironment {
    return this.#target!;
  }

  get desired(): ReadonlySet<string> {
    return this.#desired;
  }

  /** Loads the checkout again when its files changed since the last load (or changed just before it). */
  async refresh(): Promise<void> {
    const state = await checkoutState(this.#repo?.root ?? this.root(this.io), this.io.now());
    if (state.fingerprint === this.#fingerprint && !this.#recent) {
      if (this.#failure) throw this.#failure;
      return;
    }
    await this.load(state, { first: false });
  }

  async load(state: { fingerprint: string; recent: boolean }, opts: { first: boolean }): Promise<void> {
    const changed = state.fingerprint !== this.#fingerprint;
    this.#fingerprint = state.fingerprint;
    this.#recent = state.recent;
    try {
      const loaded = await loadRepository(this.args.dir, {
        env: this.io.env,
        requireEnv: true,
        cwd: this.io.cwd,
        ...(this.args.env ? { environment: this.args.env } : {}),
      });
      if (!loaded.repository) {
        const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
        throw new UserError(
          `the manifests have errors; the server is not compared until they load: ${errors.map(formatDiagnostic).slice(0, 3).join('; ')}${errors.length > 3 ? `; … (${errors.length} errors, \`labelform validate\` lists them)` : ''}`,
          loaded.diagnostics,
        );
      }
      const repo = loaded.repository;
      const target = resolveEnvironment(repo.config, repo.environment, this.io.env);
      if (changed || opts.first)
        for (const w of loaded.diagnostics.filter((d) => d.severity === 'warning'))
          this.log.warn(formatDiagnostic(w), { code: w.code });
      if (changed && !opts.first) this.log.info('the checkout changed: manifests read again');
      this.#repo = repo;
      // The same environment keeps its client (and its connections).
      if (!this.#target || !sameTarget(this.#target, target)) this.#target = target;
      this.#desired = desiredIds(repo);
      this.#failure = undefined;
    } catch (err) {
      if (opts.first || !isUserError(err)) throw err;
      this.#failure = new CycleFailure('git', err.message);
      throw this.#failure;
    }
  }
}

function sameTarget(a: ResolvedEnvironment, b: ResolvedEnvironment): boolean {
  return (
    a.name === b.name &&
    a.url === b.url &&
    a.token === b.token &&
    a.timeoutMs === b.timeoutMs &&
    a.concurrency === b.concurrency
  );
}
