import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listen, type Listening } from './http-listen.ts';
import type { LabelStudioClient } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import type { LsWebhook } from '../api/types.ts';
import { WATCH_HEADER } from '../kinds/shared/watch-header.ts';

/**
 * `watch --listen`: the webhooks the watcher keeps on the managed projects, the receiver they
 * call, and the wake-up that brings the next cycle forward.
 *
 * Label Studio 1.23.2 fires PROJECT_UPDATED from the project PATCH/PUT endpoints (a label config
 * or a setting saved in the UI), synchronously inside that request, with a 1 s timeout, no retry
 * and errors swallowed; it offers no organization webhooks through the API (a POST without a
 * project is a 404), so the watcher keeps one webhook per managed project. Each one:
 *
 * - calls `<base>/<project id>` (the id names the project: `send_payload` is off, so the server
 *   serialises nothing and the body is only `{"action": "PROJECT_UPDATED"}`);
 * - carries `X-Labelform-Watch: <namespace>` (whose it is; not labelform's ownership marker, so
 *   plan, drift and prune never count it as a managed webhook) and
 *   `X-Labelform-Watch-Secret: <secret>`, checked by the receiver in constant time.
 *
 * The secret is an HMAC of the namespace and the base URL under the API token: the same for every
 * start with the same token (a restart rewrites nothing), useless for anything but calling this
 * receiver, and the token cannot be had back from it. Anyone who may list the organization's
 * webhooks can read it, as they could send PROJECT_UPDATED's cause themselves: a forged delivery
 * only brings a read forward.
 */
export { WATCH_HEADER };

export const SECRET_HEADER = 'X-Labelform-Watch-Secret';
export const HOOK_ACTIONS: readonly string[] = ['PROJECT_UPDATED'];
/** Deliveries within this time of the first one are one wake-up (a save in the UI can be several PATCHes). */
export const COALESCE_MS = 250;
/** A delivery body is `{"action": …}`; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export function hookSecret(token: string, namespace: string, base: string): string {
  return createHmac('sha256', token).update(`labelform watch\0${namespace}\0${base}`).digest('hex');
}

/** The URL a project's webhook calls. */
export function hookUrl(base: string, projectId: number): string {
  return `${base}/${projectId}`;
}

export interface HookPlan {
  readonly create: readonly number[];
  readonly update: ReadonlyArray<{ readonly id: number; readonly project: number }>;
  readonly remove: readonly number[];
  readonly kept: number;
}

export interface HookTarget {
  readonly namespace: string;
  /** The base URL the server calls, without a trailing slash. */
  readonly base: string;
  readonly secret: string;
}

/**
 * What to write so that exactly one right webhook of this watcher (namespace and base URL) is on
 * each managed project and none elsewhere. Webhooks of other watchers (another base URL) and
 * everyone else's are left alone.
 */
export function planHooks(list: readonly LsWebhook[], target: HookTarget, projects: ReadonlySet<number>): HookPlan {
  const mine = list
    .filter((w) => w.headers?.[WATCH_HEADER] === target.namespace && w.url.startsWith(`${target.base}/`))
    .sort((a, b) => a.id - b.id);
  const byProject = new Map<number, LsWebhook[]>();
  const remove: number[] = [];
  for (const w of mine) {
    if (w.project === null || !projects.has(w.project)) remove.push(w.id);
    else byProject.set(w.project, [...(byProject.get(w.project) ?? []), w]);
  }
  const create: number[] = [];
  const update: Array<{ id: number; project: number }> = [];
  let kept = 0;
  for (const p of [...projects].sort((a, b) => a - b)) {
    const found = byProject.get(p) ?? [];
    const right = found.find((w) => isRight(w, target, p));
    if (right) kept++;
    else if (found[0]) update.push({ id: found[0].id, project: p });
    else create.push(p);
    const keep = right ?? found[0];
    for (const w of found) if (w !== keep) remove.push(w.id);
  }
  return { create, update, remove, kept };
}

function isRight(w: LsWebhook, target: HookTarget, project: number): boolean {
  const headers = w.headers ?? {};
  return (
    w.url === hookUrl(target.base, project) &&
    w.is_active &&
    !w.send_payload &&
    !w.send_for_all_actions &&
    w.actions.length === HOOK_ACTIONS.length &&
    HOOK_ACTIONS.every((a) => w.actions.includes(a)) &&
    Object.keys(headers).length === 2 &&
    headers[SECRET_HEADER] === target.secret
  );
}

function body(target: HookTarget, project: number): Record<string, unknown> {
  return {
    url: hookUrl(target.base, project),
    send_payload: false,
    send_for_all_actions: false,
    is_active: true,
    actions: [...HOOK_ACTIONS],
    headers: { [WATCH_HEADER]: target.namespace, [SECRET_HEADER]: target.secret },
  };
}

export interface HookSync extends HookPlan {
  /** Why the server refused to create the webhooks (the SSRF check on a private address). */
  readonly refused?: string;
}

/**
 * Reads the organization's webhooks (one request) and writes what `planHooks` says, the writes
 * side by side within the client's limit. A create the server refuses with 400/403 (its check of
 * the URL) stops the creates: every one would be refused the same way.
 */
export async function syncHooks(
  client: LabelStudioClient,
  target: HookTarget,
  projects: ReadonlySet<number>,
): Promise<HookSync> {
  const list = await client.http.request<LsWebhook[]>('GET', '/api/webhooks/');
  const plan = planHooks(list, target, projects);
  let refused: string | undefined;
  await Promise.all([
    ...plan.remove.map((id) =>
      client.http.request('DELETE', `/api/webhooks/${id}/`).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }),
    ),
    ...plan.update.map((u) =>
      client.http.request('PATCH', `/api/webhooks/${u.id}/`, { data: body(target, u.project), concurrentWrite: true }),
    ),
    ...plan.create.map(async (project) => {
      if (refused) return;
      try {
        await client.http.request('POST', '/api/webhooks/', { data: { project, ...body(target, project) } });
      } catch (err) {
        if (err instanceof ApiError && (err.status === 403 || (err.status === 400 && /url/i.test(err.message)))) {
          refused ??= err.message;
          return;
        }
        throw err;
      }
    }),
  ]);
  return { ...plan, ...(refused ? { refused } : {}) };
}

export type HookReceiver = Listening;

export type DeliveryOutcome = 'accepted' | 'refused' | 'ignored';

/**
 * Serves POST `<path>/<project id>` for the webhooks above: 401 without the right secret, 204
 * otherwise (Label Studio ignores the answer; it only waits for it, inside the user's save, so
 * the answer goes at once). `onDelivery` is told the project of every accepted delivery.
 */
export async function serveHooks(
  address: { host: string; port: number },
  opts: {
    readonly path: string;
    /** The secret deliveries must carry now (it follows the token, which the checkout may change). */
    readonly secret: () => string;
    readonly onDelivery: (projectId: number) => void;
    readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  },
): Promise<HookReceiver> {
  const prefix = `${opts.path.replace(/\/+$/, '')}/`;
  const server: Server = createServer((req, res) => {
    const answer = (status: number, outcome: DeliveryOutcome, text?: string) => {
      opts.onOutcome?.(outcome);
      res.writeHead(status, text ? { 'Content-Type': 'text/plain' } : {}).end(text);
    };
    const path = (req.url ?? '/').split('?')[0]!;
    const id = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (!/^[1-9]\d{0,15}$/.test(id)) return answer(404, 'ignored', 'not found\n');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return answer(405, 'ignored');
    }
    const secret = Buffer.from(opts.secret());
    const given = Buffer.from(String(req.headers[SECRET_HEADER.toLowerCase()] ?? ''));
    if (secret.length === 0 || given.length !== secret.length || !timingSafeEqual(given, secret))
      return answer(401, 'refused');
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES && !tooLarge) {
        tooLarge = true;
        answer(413, 'ignored');
        req.destroy();
      }
    });
    req.on('end', () => {
      if (tooLarge) return;
      answer(204, 'accepted');
      opts.onDelivery(Number(id));
    });
    req.on('error', () => {});
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return listen(server, address);
}

/**
 * Brings the next cycle forward: `poke()` while the loop waits ends the wait `COALESCE_MS`
 * later (deliveries meanwhile join it); a poke during a cycle makes the next wait that short.
 */
export class Waker {
  #pending = false;
  #woken: (() => void) | undefined;

  constructor(private readonly coalesceMs = COALESCE_MS) {}

  poke(): void {
    const woken = this.#woken;
    this.#woken = undefined;
    if (woken) woken();
    else this.#pending = true;
  }

  /** Waits `ms`, less when poked, none when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let soon: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(soon);
        signal.removeEventListener('abort', finish);
        if (this.#woken === woken) this.#woken = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const woken = () => {
        soon ??= setTimeout(finish, this.coalesceMs);
      };
      if (signal.aborted) return finish();
      signal.addEventListener('abort', finish, { once: true });
      if (this.#pending) {
        this.#pending = false;
        woken();
      } else this.#woken = woken;
    });
  }
}
