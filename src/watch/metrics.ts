import { createServer, type Server } from 'node:http';
import { listen, type Listening } from './http-listen.ts';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ErrorKind, WatchSide } from './events.ts';

/**
 * The Prometheus metrics of `watch`, in a registry of their own (never prom-client's global one,
 * so two watchers in one process, as in the tests, do not share counters). Every label has a
 * fixed, small set of values: the number of series does not grow with cycles or resources.
 */
export interface WatchMetrics {
  readonly registry: Registry;
  cycle(outcome: 'ok' | 'error', requests: number, durationMs: number): void;
  failed(kind: ErrorKind): void;
  drifted(bySide: Readonly<Record<WatchSide, number>>): void;
  succeeded(atMs: number): void;
  /** A resource `--self-heal` put back (healed), would not (refused: its plan or apply said no), or left alone (skipped). */
  heal(outcome: 'healed' | 'refused' | 'skipped'): void;
  /** A scheduled storage sync (`sync: {every}`) that ended. */
  storageSync(outcome: 'ok' | 'failed'): void;
  /** A request to the webhooks' receiver (`watch --listen`), by what became of it. */
  delivery(outcome: 'accepted' | 'refused' | 'ignored'): void;
}

export function createWatchMetrics(opts: { defaultMetrics?: boolean } = {}): WatchMetrics {
  const registry = new Registry();
  const registers = [registry];
  const cycles = new Counter({
    name: 'labelform_watch_cycles_total',
    help: 'Cycles run (a cycle reads what drift reads), by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const requests = new Counter({
    name: 'labelform_watch_requests_total',
    help: 'HTTP requests sent to Label Studio (retries and token refreshes included)',
    registers,
  });
  const drifted = new Gauge({
    name: 'labelform_watch_drifted_resources',
    help: 'Resources that differ from git after the last successful cycle, by the side that moved (git: changed in git, not applied yet)',
    labelNames: ['side'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'labelform_watch_errors_total',
    help: 'Failed cycles and check errors, by what failed (server: could not read it; git: the manifests do not load; check: the comparison found an error)',
    labelNames: ['kind'] as const,
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'labelform_watch_last_success_timestamp_seconds',
    help: 'Unix time of the end of the last successful cycle (0: none yet)',
    registers,
  });
  const duration = new Gauge({
    name: 'labelform_watch_cycle_duration_seconds',
    help: 'How long the last cycle took',
    registers,
  });
  const deliveries = new Counter({
    name: 'labelform_watch_webhook_deliveries_total',
    help: 'Requests to the webhooks receiver (--listen): accepted (right secret), refused (wrong or no secret), ignored (not a delivery)',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['accepted', 'refused', 'ignored'] as const) deliveries.labels(outcome).inc(0);
  const heals = new Counter({
    name: 'labelform_watch_heals_total',
    help: 'Resources --self-heal put back (healed), could not (refused: its plan or apply said no), or left alone (skipped: not only changed on the server, blocked by the annotation guard, or healed within 5 minutes)',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['healed', 'refused', 'skipped'] as const) heals.labels(outcome).inc(0);
  const storageSyncs = new Counter({
    name: 'labelform_watch_storage_syncs_total',
    help: 'Scheduled syncs of import storages (sync: {every}) that ended, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['ok', 'failed'] as const) storageSyncs.labels(outcome).inc(0);
  // Every series exists from the start at 0: a rate() over a counter that appears late loses its first increase.
  for (const outcome of ['ok', 'error'] as const) cycles.labels(outcome).inc(0);
  for (const kind of ['server', 'git', 'check'] as const) errors.labels(kind).inc(0);
  for (const side of ['server', 'git', 'both', 'unknown'] as const) drifted.labels(side).set(0);
  lastSuccess.set(0);
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    cycle: (outcome, n, ms) => {
      cycles.labels(outcome).inc();
      requests.inc(n);
      duration.set(ms / 1000);
    },
    failed: (kind) => errors.labels(kind).inc(),
    drifted: (bySide) => {
      for (const [side, n] of Object.entries(bySide)) drifted.labels(side).set(n);
    },
    succeeded: (atMs) => lastSuccess.set(Math.floor(atMs / 1000)),
    delivery: (outcome) => deliveries.labels(outcome).inc(),
    heal: (outcome) => heals.labels(outcome).inc(),
    storageSync: (outcome) => storageSyncs.labels(outcome).inc(),
  };
}

export interface Health {
  readonly ok: boolean;
  readonly body: Readonly<Record<string, unknown>>;
}

export type MetricsServer = Listening;

/** Parses `HOST:PORT` (`:9464`, `0.0.0.0:9464`, `[::1]:9464`); undefined when it is not one. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/i.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/**
 * Serves `/healthz` (200 while `health()` says ok, else 503; a small JSON body either way) and
 * `/metrics` (the registry in Prometheus' text format); anything else is 404. Only GET and HEAD.
 */
export async function serveMetrics(
  address: { host: string; port: number },
  metrics: WatchMetrics,
  health: () => Health,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(h.body)}\n`);
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`${(err as Error).message}\n`);
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
  });
  server.keepAliveTimeout = 5_000;
  return listen(server, address);
}
