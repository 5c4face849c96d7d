/**
 * /api/webhooks/ as Label Studio 1.23.2 answers it (measured; reference §6.2 and §12): a plain
 * list, `?project=` filtering (an unknown id or `isnull` is a 400), no organization webhooks
 * through the API (a POST without a project is a 404), a PATCH without `actions` clears them,
 * `headers` replaced whole, `project` read-only after create.
 */
import { envelope, fail, json, noContent, readData, validationError, type Ctx, type Reply } from './http.ts';
import type { FakeState, FakeWebhook } from './state.ts';

const ACTIONS = new Set([
  'PROJECT_CREATED',
  'PROJECT_UPDATED',
  'PROJECT_DELETED',
  'TASKS_CREATED',
  'TASKS_DELETED',
  'ANNOTATION_CREATED',
  'ANNOTATIONS_CREATED',
  'ANNOTATION_UPDATED',
  'ANNOTATIONS_DELETED',
  'LABEL_LINK_CREATED',
  'LABEL_LINK_UPDATED',
  'LABEL_LINK_DELETED',
]);
const ORGANIZATION_ONLY = new Set(['PROJECT_CREATED', 'PROJECT_DELETED']);

export function listWebhooks(ctx: Ctx): Reply {
  const project = ctx.query.get('project');
  if (project !== null && (!/^\d+$/.test(project) || !ctx.state.projects.has(Number(project)))) {
    return validationError({ project: ['Select a valid choice. That choice is not one of the available choices.'] });
  }
  const list = [...ctx.state.webhooks.values()]
    .filter((w) => project === null || w.project === Number(project))
    .sort((a, b) => a.id - b.id);
  return json(200, list.map(serialize));
}

export function createWebhook(ctx: Ctx): Reply {
  const body = object(ctx);
  const errors = validate(body, true);
  const project = body.project;
  if (project !== undefined && project !== null && !ctx.state.projects.has(Number(project)))
    errors.project = [`Invalid pk "${String(project)}" - object does not exist.`];
  if (Object.keys(errors).length) return validationError(errors);
  if (project === undefined || project === null) return envelope(404, 'Project not found.');
  if (ctx.state.refuseWebhookUrls && /^https?:\/\/(127\.|localhost[:/])/.test(String(body.url)))
    return envelope(403, 'URL resolves to a reserved network address (block: 127.0.0.0/8)');
  const actions = (body.actions as string[] | undefined) ?? [];
  if (actions.some((a) => ORGANIZATION_ONLY.has(a)))
    return validationError({ non_field_errors: ["Project webhook can't contain organization-only action."] });
  const now = new Date().toISOString();
  const w: FakeWebhook = {
    id: ctx.state.nextId.webhook++,
    project: Number(project),
    url: String(body.url),
    send_payload: (body.send_payload as boolean | undefined) ?? true,
    send_for_all_actions: (body.send_for_all_actions as boolean | undefined) ?? true,
    headers: (body.headers as Record<string, string> | undefined) ?? {},
    is_active: (body.is_active as boolean | undefined) ?? true,
    actions: [...actions],
    created_at: now,
    updated_at: now,
  };
  ctx.state.webhooks.set(w.id, w);
  return json(201, serialize(w));
}

export function webhook(ctx: Ctx): Reply {
  const w = ctx.state.webhooks.get(Number(ctx.params.id));
  if (!w) return envelope(404, 'No Webhook matches the given query.');
  if (ctx.method === 'GET') return json(200, serialize(w));
  if (ctx.method === 'DELETE') {
    ctx.state.webhooks.delete(w.id);
    return noContent();
  }
  const body = object(ctx);
  const errors = validate(body, ctx.method === 'PUT');
  if (Object.keys(errors).length) return validationError(errors);
  const actions = (body.actions as string[] | undefined) ?? [];
  if (w.project !== null && actions.some((a) => ORGANIZATION_ONLY.has(a)))
    return validationError({ non_field_errors: ["Project webhook can't contain organization-only action."] });
  if (body.url !== undefined) w.url = String(body.url);
  if (body.send_payload !== undefined) w.send_payload = Boolean(body.send_payload);
  if (body.send_for_all_actions !== undefined) w.send_for_all_actions = Boolean(body.send_for_all_actions);
  if (body.is_active !== undefined) w.is_active = Boolean(body.is_active);
  if (body.headers !== undefined) w.headers = body.headers as Record<string, string>;
  // The serializer always sets the actions, to [] when the body has none.
  w.actions = [...actions];
  w.updated_at = new Date().toISOString();
  return json(200, serialize(w));
}

function serialize(w: FakeWebhook): Record<string, unknown> {
  return {
    id: w.id,
    organization: 1,
    project: w.project,
    url: w.url,
    send_payload: w.send_payload,
    send_for_all_actions: w.send_for_all_actions,
    headers: w.headers,
    is_active: w.is_active,
    actions: [...w.actions],
    created_at: w.created_at,
    updated_at: w.updated_at,
  };
}

function object(ctx: Ctx): Record<string, unknown> {
  const body = readData(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    fail(validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }));
  return body as Record<string, unknown>;
}

function validate(body: Record<string, unknown>, requireUrl: boolean): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  if (body.url === undefined ? requireUrl : typeof body.url !== 'string' || !/^https?:\/\/[^\s/]+/.test(body.url))
    errors.url = [body.url === undefined ? 'This field is required.' : 'Enter a valid URL.'];
  const headers = body.headers;
  if (headers !== undefined) {
    const ok =
      headers !== null &&
      typeof headers === 'object' &&
      !Array.isArray(headers) &&
      Object.keys(headers).length <= 10 &&
      Object.entries(headers).every(([k, v]) => /^[a-zA-Z0-9-_]+$/.test(k) && typeof v === 'string');
    if (!ok) errors.headers = [`${pythonRepr(headers)} failed JSON schema check`];
  }
  if (body.actions !== undefined) {
    const bad: Record<string, string[]> = {};
    for (const [i, a] of (Array.isArray(body.actions) ? body.actions : []).entries())
      if (!ACTIONS.has(String(a))) bad[String(i)] = [`"${String(a)}" is not a valid choice.`];
    if (Object.keys(bad).length) errors.actions = bad;
  }
  return errors;
}

/** Python's repr of a small dict of strings, as the server's message shows it. */
function pythonRepr(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `'${k}': ${typeof x === 'string' ? `'${x}'` : String(x)}`)
      .join(', ')}}`;
  return String(v);
}

/**
 * Runs the active webhooks of a project (and of the organization) for an action, one after
 * another, as the server does inside the request that caused it: a POST of `{"action", …payload}`
 * (the payload only with `send_payload`) with the webhook's headers, a 1 s timeout
 * (WEBHOOK_TIMEOUT), no retry, every failure swallowed.
 */
export async function emitWebhooks(
  state: FakeState,
  projectId: number,
  action: string,
  payload: () => Record<string, unknown>,
): Promise<void> {
  const hooks = [...state.webhooks.values()]
    .filter((w) => (w.project === projectId || w.project === null) && w.is_active)
    .filter((w) => w.send_for_all_actions || w.actions.includes(action))
    .sort((a, b) => a.id - b.id);
  for (const w of hooks) {
    const body = JSON.stringify({ action, ...(w.send_payload ? payload() : {}) });
    try {
      await fetch(w.url, {
        method: 'POST',
        headers: { ...w.headers, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(1000),
      });
    } catch {
      // The server logs and goes on.
    }
  }
}
