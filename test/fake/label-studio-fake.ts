/**
 * An in-repo fake Label Studio 1.23.2 for unit tests and benchmarks: a node:http server on
 * 127.0.0.1 that answers the routes labelform's client uses with the real server's shapes, status
 * codes, messages and quirks (trailing slashes, HTML 404s, the error envelope, trimming, title
 * rules, PATs, validation). The contract suite (test/contract) runs against it and against a real
 * server; where they disagree, the fake is wrong.
 *
 *   const ls = await startFakeLabelStudio();
 *   const client = createClient({ baseUrl: ls.url, token: ls.token });
 *   ...
 *   await ls.stop();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, blacklistPat, createPat, jwtSettings, listPats, refreshAccess, type AuthMode } from './auth.ts';
import { envelope, html404, isReplyThrow, methodNotAllowed, type Ctx, type Reply } from './http.ts';
import { convertSnapshot, downloadSnapshot, exportFormats, snapshot, snapshots, syncExport } from './routes-export.ts';
import { health, legacyToken, templates, version, whoami } from './routes-misc.ts';
import {
  getProject,
  listProjects,
  patchProject,
  postProject,
  projectSummary,
  removeProject,
  validateConfig,
  validateProjectConfigRoute,
} from './routes-projects.ts';
import { dmAction, importTasks, listTasks, taskAnnotations } from './routes-tasks.ts';
import { annotationRoute, draftRoute, listPredictions, predictionRoute, taskDrafts } from './routes-results.ts';
import { createMlBackend, listMlBackends, mlBackend } from './routes-ml.ts';
import { storageRoutes } from './routes-storages.ts';
import { createView, listViews, view } from './routes-views.ts';
import { createWebhook, listWebhooks, webhook } from './routes-webhooks.ts';
import { createState, type FakeState, type FakeStateOptions } from './state.ts';

export interface FakeLabelStudioOptions extends FakeStateOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
}

export interface FakeLabelStudio {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** The admin's legacy API token. */
  readonly token: string;
  /** Everything the server knows; tests may read and change it. */
  readonly state: FakeState;
  /** HTTP requests received since start (or the last reset). */
  readonly requestCount: number;
  resetRequestCount(): void;
  /** Delay every answer by this many milliseconds (benchmarks, timeouts). */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

/** Most answer at once; a few (ML backends) call out first. */
type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

interface Route {
  readonly path: string;
  readonly auth: AuthMode;
  readonly methods: Readonly<Record<string, Handler>>;
}

/** Each path exactly as the server declares it, trailing slash or not. */
const ROUTES: readonly Route[] = [
  { path: '/health/', auth: 'none', methods: { GET: health } },
  { path: '/api/health/', auth: 'none', methods: { GET: health } },
  { path: '/api/version/', auth: 'none', methods: { GET: version, POST: version } },
  { path: '/api/current-user/whoami', auth: 'required', methods: { GET: whoami } },
  { path: '/api/current-user/token', auth: 'required', methods: { GET: legacyToken } },
  { path: '/api/token/', auth: 'required', methods: { GET: listPats, POST: createPat } },
  { path: '/api/token/refresh/', auth: 'none', methods: { POST: refreshAccess } },
  { path: '/api/token/blacklist/', auth: 'none', methods: { POST: blacklistPat } },
  { path: '/api/jwt/settings', auth: 'required', methods: { GET: jwtSettings, POST: jwtSettings } },
  { path: '/api/projects/', auth: 'required', methods: { GET: listProjects, POST: postProject } },
  { path: '/api/projects/validate/', auth: 'optional', methods: { POST: validateConfig } },
  {
    path: '/api/projects/:id/',
    auth: 'required',
    methods: { GET: getProject, PATCH: patchProject, PUT: patchProject, DELETE: removeProject },
  },
  {
    path: '/api/projects/:id/validate/',
    auth: 'required',
    methods: { GET: validateProjectConfigRoute, POST: validateProjectConfigRoute },
  },
  { path: '/api/projects/:id/summary/', auth: 'required', methods: { GET: projectSummary } },
  { path: '/api/projects/:id/import', auth: 'required', methods: { POST: importTasks } },
  { path: '/api/projects/:id/export/formats', auth: 'required', methods: { GET: exportFormats } },
  { path: '/api/projects/:id/export', auth: 'required', methods: { GET: syncExport } },
  { path: '/api/projects/:id/exports/', auth: 'required', methods: { GET: snapshots, POST: snapshots } },
  { path: '/api/projects/:id/exports/:eid', auth: 'required', methods: { GET: snapshot, DELETE: snapshot } },
  { path: '/api/projects/:id/exports/:eid/convert', auth: 'required', methods: { POST: convertSnapshot } },
  { path: '/api/projects/:id/exports/:eid/download', auth: 'required', methods: { GET: downloadSnapshot } },
  { path: '/api/tasks/', auth: 'required', methods: { GET: listTasks } },
  { path: '/api/tasks/:id/annotations/', auth: 'required', methods: { GET: taskAnnotations, POST: taskAnnotations } },
  { path: '/api/tasks/:id/drafts', auth: 'required', methods: { GET: taskDrafts, POST: taskDrafts } },
  { path: '/api/tasks/:id/annotations/:aid/drafts', auth: 'required', methods: { GET: taskDrafts, POST: taskDrafts } },
  {
    path: '/api/annotations/:id/',
    auth: 'required',
    methods: { GET: annotationRoute, PATCH: annotationRoute, PUT: annotationRoute, DELETE: annotationRoute },
  },
  {
    path: '/api/drafts/:id/',
    auth: 'required',
    methods: { GET: draftRoute, PATCH: draftRoute, PUT: draftRoute, DELETE: draftRoute },
  },
  { path: '/api/predictions/', auth: 'required', methods: { GET: listPredictions } },
  {
    path: '/api/predictions/:id/',
    auth: 'required',
    methods: { GET: predictionRoute, PATCH: predictionRoute, PUT: predictionRoute, DELETE: predictionRoute },
  },
  { path: '/api/dm/actions/', auth: 'required', methods: { POST: dmAction } },
  { path: '/api/templates/', auth: 'required', methods: { GET: templates } },
  ...storageRoutes(),
  { path: '/api/ml/', auth: 'required', methods: { GET: listMlBackends, POST: createMlBackend } },
  {
    path: '/api/ml/:id',
    auth: 'required',
    methods: { GET: mlBackend, PATCH: mlBackend, PUT: mlBackend, DELETE: mlBackend },
  },
  { path: '/api/dm/views/', auth: 'required', methods: { GET: listViews, POST: createView } },
  { path: '/api/dm/views/:id/', auth: 'required', methods: { GET: view, PATCH: view, PUT: view, DELETE: view } },
  { path: '/api/webhooks/', auth: 'required', methods: { GET: listWebhooks, POST: createWebhook } },
  {
    path: '/api/webhooks/:id/',
    auth: 'required',
    methods: { GET: webhook, PATCH: webhook, PUT: webhook, DELETE: webhook },
  },
];

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '(\\d+)';
  });
  return { route, names, re: new RegExp(`^${source}$`) };
});

export async function startFakeLabelStudio(opts: FakeLabelStudioOptions = {}): Promise<FakeLabelStudio> {
  const state = createState(opts);
  const server = createServer((req, res) => {
    void handle(state, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: state.legacyToken,
    state,
    get requestCount() {
      return state.requestCount;
    },
    resetRequestCount: () => {
      state.requestCount = 0;
    },
    setLatency: (ms: number) => {
      state.latencyMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(state: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.requestCount++;
  const method = (req.method ?? 'GET').toUpperCase();
  let reply: Reply;
  try {
    const rawBody = await readBody(req);
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    reply = await route(state, req, method, rawBody);
  } catch (err) {
    reply = isReplyThrow(err) ? err.reply : envelope(500, err instanceof Error ? err.message : String(err));
  }
  send(res, method, reply);
}

function route(state: FakeState, req: IncomingMessage, method: string, rawBody: Buffer): Reply | Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (url.pathname === '/')
    return { status: 302, headers: { Location: '/user/login/', 'Content-Type': 'text/html; charset=utf-8' }, body: '' };
  // Django's APPEND_SLASH, without the redirect: only a missing slash is forgiven.
  const match = findRoute(url.pathname) ?? (url.pathname.endsWith('/') ? undefined : findRoute(`${url.pathname}/`));
  if (!match) return html404();
  const headers = req.headers;
  const tooBig =
    state.maxBodyBytes !== undefined &&
    ['POST', 'PUT', 'PATCH'].includes(method) &&
    bodyLength(req, rawBody) > state.maxBodyBytes;
  const user = authenticate({ headers, state }, match.route.auth);
  const ctx: Ctx = {
    state,
    method,
    path: match.path,
    query: url.searchParams,
    headers,
    rawBody,
    origin: `http://${headers.host ?? '127.0.0.1'}`,
    params: match.params,
    user,
  };
  const handler = match.route.methods[method] ?? (method === 'HEAD' ? match.route.methods.GET : undefined);
  if (method === 'OPTIONS')
    return {
      status: 200,
      headers: {
        Allow: [...Object.keys(match.route.methods), 'OPTIONS'].join(', '),
        'Content-Type': 'application/json',
      },
      body: '{}',
    };
  if (!handler) return methodNotAllowed(method);
  // Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; Label Studio's logging
  // middleware swallows that, and DRF then fails with this 500 (checked on 1.23.2).
  if (tooBig) return envelope(500, "You cannot access body after reading from request's data stream");
  return handler(ctx);
}

function findRoute(path: string): { route: Route; path: string; params: Record<string, string> } | undefined {
  for (const { route, names, re } of COMPILED) {
    const m = re.exec(path);
    if (m) return { route, path, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) };
  }
  return undefined;
}

function send(res: ServerResponse, method: string, reply: Reply): void {
  const body = reply.body === undefined ? '' : reply.body;
  const headers: Record<string, string> = {
    ...(reply.headers ?? {}),
    // Every answer opens a 14-day session; a client must not keep it.
    'Set-Cookie': `sessionid=${randomBytes(24).toString('base64url')}; expires=${new Date(Date.now() + 1_209_600_000).toUTCString()}; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax`,
    Vary: 'Accept-Language, Cookie, origin',
  };
  if (reply.status !== 204) headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(method === 'HEAD' || reply.status === 204 ? undefined : body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bodyLength(req: IncomingMessage, body: Buffer): number {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) ? declared : body.length;
}
