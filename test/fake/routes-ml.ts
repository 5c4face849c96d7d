/**
 * /api/ml/ as Label Studio 1.23.2 answers it (measured; reference §6.3): the list needs
 * `?project=` (404 without), and every read, create and update calls the backend itself
 * (`GET /health`, then `POST /setup`), so a backend that is down fails a create or update with
 * the server's message and reads as Disconnected. An update without `url` or `project` fails
 * with the server's 500. Creating one names the project's model_version after it when that is
 * empty and predictions are shown, and adds a webhook to `<url>/webhook` for every action (the
 * server's create_ml_webhook signal). `basic_auth_pass` is never answered.
 */
import { envelope, fail, json, noContent, readData, validationError, type Ctx, type Reply } from './http.ts';
import type { FakeMlBackend } from './state.ts';

const FIELDS = [
  'url',
  'title',
  'description',
  'is_interactive',
  'auth_method',
  'basic_auth_user',
  'extra_params',
  'timeout',
  'auto_update',
  'model_version',
] as const;

export async function listMlBackends(ctx: Ctx): Promise<Reply> {
  const project = ctx.query.get('project');
  if (project === null || !ctx.state.projects.has(Number(project)))
    return envelope(404, 'No Project matches the given query.');
  const list = [...ctx.state.mlBackends.values()]
    .filter((b) => b.project === Number(project))
    .sort((a, b) => a.id - b.id);
  for (const b of list) await updateState(b);
  return json(200, list.map(serialize));
}

export async function createMlBackend(ctx: Ctx): Promise<Reply> {
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
  if (typeof body.url !== 'string') return validationError({ url: ['This field is required.'] });
  const problem = await validate(String(body.url), body);
  if (problem) return validationError({ non_field_errors: [problem] });
  const b: FakeMlBackend = {
    id: ctx.state.nextId.mlBackend++,
    project: project.id,
    fields: {
      url: body.url,
      title: body.title ?? 'default',
      description: body.description ?? '',
      is_interactive: body.is_interactive ?? false,
      auth_method: body.auth_method ?? 'NONE',
      basic_auth_user: body.basic_auth_user ?? '',
      extra_params: body.extra_params ?? null,
      timeout: body.timeout ?? 100,
      auto_update: body.auto_update ?? true,
      model_version: body.model_version ?? '',
    },
    basicAuthPass: String(body.basic_auth_pass ?? ''),
    state: 'DI',
  };
  await updateState(b);
  ctx.state.mlBackends.set(b.id, b);
  if (project.fields.show_collab_predictions !== false && !project.fields.model_version)
    project.fields.model_version = b.fields.title;
  // ml/models.py create_ml_webhook (a post_save signal): a webhook to <url>/webhook, every action.
  const hookUrl = `${String(b.fields.url).replace(/\/+$/, '')}/webhook`;
  if (![...ctx.state.webhooks.values()].some((w) => w.project === project.id && w.url === hookUrl)) {
    const now = new Date().toISOString();
    const id = ctx.state.nextId.webhook++;
    ctx.state.webhooks.set(id, {
      id,
      project: project.id,
      url: hookUrl,
      send_payload: true,
      send_for_all_actions: true,
      headers: {},
      is_active: true,
      actions: [],
      created_at: now,
      updated_at: now,
    });
  }
  return json(201, serialize(b));
}

export async function mlBackend(ctx: Ctx): Promise<Reply> {
  const b = ctx.state.mlBackends.get(Number(ctx.params.id));
  if (!b) return envelope(404, 'No MLBackend matches the given query.');
  if (ctx.method === 'DELETE') {
    ctx.state.mlBackends.delete(b.id);
    return noContent();
  }
  if (ctx.method === 'GET') {
    await updateState(b);
    return json(200, serialize(b));
  }
  const body = object(ctx);
  // The serializer's validate() calls healthcheck_(**attrs) and setup_(**attrs) with only what was sent.
  if (body.url === undefined)
    return envelope(500, "MLBackend.healthcheck_() missing 1 required positional argument: 'url'");
  if (body.project === undefined)
    return envelope(500, "MLBackend.setup_() missing 1 required positional argument: 'project'");
  // validate_basic_auth_pass() puts the stored password back when an empty one is sent.
  const effective =
    body.basic_auth_pass === '' || body.basic_auth_pass === null
      ? { ...body, basic_auth_pass: b.basicAuthPass || undefined }
      : body;
  const problem = await validate(String(body.url), effective);
  if (problem) return validationError({ non_field_errors: [problem] });
  const project = ctx.state.projects.get(b.project)!;
  const oldTitle = b.fields.title;
  for (const f of FIELDS) if (body[f] !== undefined) b.fields[f] = body[f];
  if (typeof body.basic_auth_pass === 'string' && body.basic_auth_pass !== '') b.basicAuthPass = body.basic_auth_pass;
  if (b.fields.title !== oldTitle && project.fields.model_version === oldTitle)
    project.fields.model_version = b.fields.title;
  await updateState(b);
  return json(200, serialize(b));
}

function serialize(b: FakeMlBackend): Record<string, unknown> {
  const f = b.fields;
  return {
    id: b.id,
    state: b.state,
    readable_state: b.state === 'CO' ? 'Connected' : b.state === 'ER' ? 'Error' : 'Disconnected',
    is_interactive: f.is_interactive,
    url: f.url,
    error_message: null,
    title: f.title,
    auth_method: f.auth_method,
    basic_auth_user: f.basic_auth_user,
    basic_auth_pass_is_set: b.basicAuthPass !== '',
    description: f.description,
    extra_params: f.extra_params,
    model_version: f.model_version,
    timeout: f.timeout,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    auto_update: f.auto_update,
    project: b.project,
  };
}

async function call(
  url: string,
  path: string,
  body: Record<string, unknown>,
  auth: string | undefined,
  method: 'GET' | 'POST',
): Promise<{ status: number; json?: Record<string, unknown> } | { error: string }> {
  try {
    const res = await fetch(new URL(path, url.endsWith('/') ? url : `${url}/`), {
      method,
      headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) },
      ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(method === 'GET' ? 1000 : 3000),
    });
    return {
      status: res.status,
      json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined,
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function authOf(fields: Record<string, unknown>, pass: string): string | undefined {
  return fields.auth_method === 'BASIC_AUTH'
    ? `Basic ${Buffer.from(`${String(fields.basic_auth_user ?? '')}:${pass}`).toString('base64')}`
    : undefined;
}

/** The serializer's validate(): health, then setup; the server's messages. */
async function validate(url: string, body: Record<string, unknown>): Promise<string | undefined> {
  if (body.auth_method === 'BASIC_AUTH' && (body.basic_auth_user === undefined || body.basic_auth_pass === undefined))
    return 'Authentication username and password is required for Basic Authentication.';
  const auth = authOf(body, String(body.basic_auth_pass ?? ''));
  const health = await call(url, 'health', {}, auth, 'GET');
  if ('error' in health || health.status >= 400) {
    if (!('error' in health) && health.status === 401)
      return 'Able to connect to ML Server, but authentication parameters were either not provided or are incorrect.';
    return `Can't connect to ML backend ${url}, health check failed. Make sure it is up and your firewall is properly configured. <a href="https://labelstud.io/guide/ml.html">Learn more</a> about how to set up an ML backend. Additional info: ${'error' in health ? health.error : `HTTP ${health.status}`}`;
  }
  const setup = await call(url, 'setup', { project: String(body.project) }, auth, 'POST');
  if ('error' in setup || setup.status >= 400)
    return `Successfully connected to ${url} but it doesn't look like a valid ML backend. Reason: ${'error' in setup ? setup.error : `HTTP ${setup.status}`}.`;
  return undefined;
}

/** `update_state()`: every read asks the backend again. */
async function updateState(b: FakeMlBackend): Promise<void> {
  const auth = authOf(b.fields, b.basicAuthPass);
  const health = await call(String(b.fields.url), 'health', {}, auth, 'GET');
  if ('error' in health || health.status >= 400) {
    b.state = 'DI';
    return;
  }
  const setup = await call(String(b.fields.url), 'setup', { project: String(b.project) }, auth, 'POST');
  if ('error' in setup || setup.status >= 400) {
    b.state = 'ER';
    return;
  }
  b.state = 'CO';
  if (b.fields.auto_update && typeof setup.json?.model_version === 'string')
    b.fields.model_version = setup.json.model_version;
}

function object(ctx: Ctx): Record<string, unknown> {
  const body = readData(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    fail(validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }));
  return body as Record<string, unknown>;
}
