/**
 * /api/storages/ as Label Studio 1.23.2 answers it (measured with S3 against moto; reference
 * §6.1): per type, import lists at `/api/storages/<type>/` (with the slash) and export at
 * `/api/storages/export/<type>` (without); all of a project's storages of a direction in one list
 * (without `?project=`, or for an unknown project, an empty list); secrets never answered; a PATCH without them keeps them; an export
 * storage syncs on create. The fake does not connect to anything: a
 * sync finds no objects and counts the project's annotations. `last_sync` is set only by a sync
 * that finished (a sync clears it when it starts, as io_storages/base_models.py does). Tests can
 * make the next syncs of a state fail (`failNextSyncs`): ended `failed` with a traceback and the
 * count reached, or answered with an error status before anything ran (a failed one applies to the
 * sync an export storage's create runs too).
 */
import { envelope, fail, json, noContent, readData, validationError, type Ctx, type Reply } from './http.ts';
import type { FakeState, FakeStorage } from './state.ts';

/** What the next sync of a state does instead of completing. */
export type SyncFault =
  | { readonly kind: 'failed'; readonly traceback: string; readonly count?: number }
  | { readonly kind: 'status'; readonly status: number; readonly detail: string };

const syncFaults = new WeakMap<FakeState, SyncFault[]>();
const tracebacks = new WeakMap<FakeStorage, string>();

/** The next `faults.length` syncs (import or export) of this state end as told, one each. */
export function failNextSyncs(state: FakeState, ...faults: SyncFault[]): void {
  syncFaults.set(state, [...(syncFaults.get(state) ?? []), ...faults]);
}

const TYPES = ['s3', 'gcs', 'azure', 'redis', 'localfiles'] as const;
const SECRETS: Record<string, readonly string[]> = {
  s3: ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
  gcs: ['google_application_credentials'],
  azure: ['account_name', 'account_key'],
  redis: ['password'],
  localfiles: [],
};

type Handler = (ctx: Ctx) => Reply;

/** The routes, in the order they must be tried (export before the import item routes). */
export function storageRoutes(): Array<{ path: string; auth: 'required'; methods: Record<string, Handler> }> {
  const routes: Array<{ path: string; auth: 'required'; methods: Record<string, Handler> }> = [
    { path: '/api/storages/', auth: 'required', methods: { GET: (c) => listAll(c, 'import') } },
    { path: '/api/storages/export', auth: 'required', methods: { GET: (c) => listAll(c, 'export') } },
  ];
  for (const type of TYPES) {
    routes.push(
      {
        path: `/api/storages/export/${type}`,
        auth: 'required',
        methods: { GET: (c) => listType(c, 'export', type), POST: (c) => create(c, 'export', type) },
      },
      {
        path: `/api/storages/export/${type}/:id`,
        auth: 'required',
        methods: {
          GET: (c) => item(c, 'export', type),
          PATCH: (c) => item(c, 'export', type),
          DELETE: (c) => item(c, 'export', type),
        },
      },
      {
        path: `/api/storages/export/${type}/:id/sync`,
        auth: 'required',
        methods: { POST: (c) => sync(c, 'export', type) },
      },
      {
        path: `/api/storages/${type}/`,
        auth: 'required',
        methods: { GET: (c) => listType(c, 'import', type), POST: (c) => create(c, 'import', type) },
      },
      {
        path: `/api/storages/${type}/:id`,
        auth: 'required',
        methods: {
          GET: (c) => item(c, 'import', type),
          PATCH: (c) => item(c, 'import', type),
          DELETE: (c) => item(c, 'import', type),
        },
      },
      { path: `/api/storages/${type}/:id/sync`, auth: 'required', methods: { POST: (c) => sync(c, 'import', type) } },
    );
  }
  return routes;
}

/** The project filter; without one, or for an unknown project, the list is empty (measured). */
function projectParam(ctx: Ctx): number {
  const p = ctx.query.get('project');
  return p !== null && /^\d+$/.test(p) ? Number(p) : -1;
}

function listAll(ctx: Ctx, direction: FakeStorage['direction']): Reply {
  const project = projectParam(ctx);
  return json(
    200,
    [...ctx.state.storages.values()]
      .filter((s) => s.direction === direction && s.project === project)
      .sort((a, b) => a.id - b.id)
      .map(serialize),
  );
}

function listType(ctx: Ctx, direction: FakeStorage['direction'], type: string): Reply {
  const project = projectParam(ctx);
  return json(
    200,
    [...ctx.state.storages.values()]
      .filter((s) => s.direction === direction && s.type === type && s.project === project)
      .map(serialize),
  );
}

function create(ctx: Ctx, direction: FakeStorage['direction'], type: string): Reply {
  const body = object(ctx);
  const project = ctx.state.projects.get(Number(body.project));
  if (!project)
    return validationError({
      project: [
        body.project === undefined
          ? 'This field is required.'
          : `Invalid pk "${String(body.project)}" - object does not exist.`,
      ],
    });
  const { project: _p, ...fields } = body;
  const s: FakeStorage = {
    id: ctx.state.nextId.storage++,
    direction,
    type,
    project: project.id,
    fields,
    status: 'initialized',
    lastSyncCount: null,
  };
  ctx.state.storages.set(s.id, s);
  if (direction !== 'export') return json(201, serialize(s));
  // SYNC_ON_TARGET_STORAGE_CREATION: the sync runs inside the create, and the answer is the record
  // as it was when the sync was queued (io_storages/api.py `perform_create`: the serializer's
  // instance is the one `info_set_queued` saved; the sync ends on another copy read from the
  // database). A sync that fails there still answers 201 (`storage_background_failure`); an
  // error status is for a sync request only, so it waits for one.
  const queued = serialize({ ...s, status: 'queued', lastSyncCount: null });
  const faults = syncFaults.get(ctx.state);
  runSync(
    ctx,
    s,
    faults?.[0]?.kind === 'failed' ? (faults.shift() as Extract<SyncFault, { kind: 'failed' }>) : undefined,
  );
  return json(201, queued);
}

function item(ctx: Ctx, direction: FakeStorage['direction'], type: string): Reply {
  const s = ctx.state.storages.get(Number(ctx.params.id));
  if (!s || s.direction !== direction || s.type !== type) return envelope(404, 'No Storage matches the given query.');
  if (ctx.method === 'GET') return json(200, serialize(s));
  if (ctx.method === 'DELETE') {
    ctx.state.storages.delete(s.id);
    return noContent();
  }
  const body = object(ctx);
  const { project: _p, ...fields } = body;
  Object.assign(s.fields, fields);
  return json(200, serialize(s));
}

function sync(ctx: Ctx, direction: FakeStorage['direction'], type: string): Reply {
  const s = ctx.state.storages.get(Number(ctx.params.id));
  if (!s || s.direction !== direction || s.type !== type) return envelope(404, 'No Storage matches the given query.');
  if (s.fields.synchronizable === false) return json(400, { message: `Storage ${s.id} is not synchronizable` });
  const fault = syncFaults.get(ctx.state)?.shift();
  if (fault?.kind === 'status') return envelope(fault.status, fault.detail);
  runSync(ctx, s, fault);
  return json(200, serialize(s));
}

function runSync(ctx: Ctx, s: FakeStorage, fault?: Extract<SyncFault, { kind: 'failed' }>): void {
  tracebacks.delete(s);
  if (fault) {
    s.status = 'failed';
    s.lastSyncCount = fault.count ?? null;
    tracebacks.set(s, fault.traceback);
    return;
  }
  s.status = 'completed';
  if (s.direction === 'import') s.lastSyncCount = 0;
  else {
    const project = ctx.state.projects.get(s.project)!;
    s.lastSyncCount = project.taskIds.reduce((n, id) => n + (ctx.state.tasks.get(id)?.annotations.length ?? 0), 0);
  }
}

function serialize(s: FakeStorage): Record<string, unknown> {
  const shown = Object.fromEntries(Object.entries(s.fields).filter(([k]) => !(SECRETS[s.type] ?? []).includes(k)));
  return {
    id: s.id,
    type: s.type,
    synchronizable: true,
    ...(s.direction === 'import' ? { presign: true } : {}),
    last_sync: s.status === 'completed' || s.status === 'completed_with_errors' ? new Date().toISOString() : null,
    last_sync_count: s.lastSyncCount,
    last_sync_job: null,
    status: s.status,
    traceback: tracebacks.get(s) ?? null,
    meta: {},
    title: null,
    description: null,
    created_at: new Date().toISOString(),
    ...shown,
    project: s.project,
  };
}

function object(ctx: Ctx): Record<string, unknown> {
  const body = readData(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    fail(validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }));
  return body as Record<string, unknown>;
}
