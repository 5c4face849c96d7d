/**
 * The server a contract test talks to, chosen by LABELFORM_TEST_TARGET: `fake` (default) starts
 * the in-repo fake in-process; `real` uses LABELFORM_TEST_LS_URL and LABELFORM_TEST_LS_TOKEN (a
 * legacy token of an admin, legacy tokens enabled). The same tests run against both.
 *
 * A real server may be shared with other test runs, so every title starts with a prefix unique
 * to this run, and only projects this run created are deleted (in the `after` hook).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { ApiError, isApiError } from '../../src/api/errors.ts';
import type { HttpOptions } from '../../src/api/http.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { releaseAtLeast } from '../helpers/applicable.ts';

export { releaseAtLeast };

/**
 * The 404 detail for a missing object of a model: Django's own words from 1.17 (Django REST
 * framework 3.15 passes them on; 1.13.1 and 1.8.2, on 3.13, say "Not found.").
 */
export const notFoundDetail = (model: string): string =>
  releaseAtLeast('1.17') ? `No ${model} matches the given query.` : 'Not found.';

/** The 404 detail for a missing project (seen on 1.17.0; 1.13.1 and 1.8.2 say "Not found."). */
export const projectNotFound = (): string => notFoundDetail('Project');

export type TargetKind = 'fake' | 'real';

export interface Target {
  readonly kind: TargetKind;
  readonly url: string;
  /** Legacy token of an admin. */
  readonly token: string;
  /** Only on the fake. */
  readonly fake: FakeLabelStudio | undefined;
  /** Unique to this run and file; short enough to leave room in a 50-character title. */
  readonly prefix: string;
  /** A client with the admin's legacy token (options override the defaults). */
  client(opts?: Partial<HttpOptions>): LabelStudioClient;
  /** Remembers a project to delete in `cleanup`. */
  track(id: number): number;
  /** Deletes every tracked project (not the server's other projects). */
  cleanup(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The database behind the server: the real server on PostgreSQL when the harness ran with
 * LABELFORM_TEST_DB=postgresql; SQLite otherwise (the fake plays 1.23.2 on SQLite).
 */
export function targetDatabase(): 'sqlite' | 'postgresql' {
  return targetKind() === 'real' && process.env.LABELFORM_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';
}

export function targetKind(): TargetKind {
  const raw = (process.env.LABELFORM_TEST_TARGET ?? 'fake').trim().toLowerCase();
  if (raw !== 'fake' && raw !== 'real') throw new Error(`LABELFORM_TEST_TARGET must be "fake" or "real", not "${raw}"`);
  return raw;
}

export async function startTarget(): Promise<Target> {
  const kind = targetKind();
  let fake: FakeLabelStudio | undefined;
  let url: string;
  let token: string;
  if (kind === 'fake') {
    fake = await startFakeLabelStudio();
    url = fake.url;
    token = fake.token;
  } else {
    url = required('LABELFORM_TEST_LS_URL');
    token = required('LABELFORM_TEST_LS_TOKEN');
  }
  const tracked = new Set<number>();
  const admin = createClient({ baseUrl: url, token, maxRetries: 1 });
  return {
    kind,
    url,
    token,
    fake,
    prefix: `lfct-${Date.now().toString(36).slice(-5)}${randomBytes(2).toString('hex')}`,
    client: (opts = {}) => createClient({ baseUrl: url, token, maxRetries: 1, ...opts }),
    track: (id) => {
      tracked.add(id);
      return id;
    },
    cleanup: async () => {
      // One at a time: overlapping project DELETEs switch off Label Studio's model signals for
      // good (summary and task counters stop updating until the server restarts; seen on 1.23.2).
      for (const id of [...tracked]) {
        try {
          await admin.deleteProject(id);
        } catch (err) {
          if ((err as { status?: number }).status !== 404) throw err;
        }
        tracked.delete(id);
      }
    },
    stop: async () => {
      await fake?.stop();
    },
  };
}

/**
 * The set-up every contract file shares: the target started before the file's tests, with a
 * client holding the admin's legacy token; after them, the projects the file tracked deleted and
 * the target stopped. `t` and `client` stand for the started target and its client: use them
 * inside tests and in hooks the file registers after this call (uvu runs hooks in order).
 */
export function useTarget(suite: Test): { t: Target; client: LabelStudioClient } {
  let started: { t: Target; client: LabelStudioClient } | undefined;
  suite.before(async () => {
    const t = await startTarget();
    started = { t, client: t.client() };
  });
  suite.after(async () => {
    if (!started) return;
    await started.t.cleanup();
    await started.t.stop();
  });
  return { t: onceStarted('target', () => started?.t), client: onceStarted('client', () => started?.client) };
}

/** Stands for the object `get` returns once the suite's `before` hook ran; an error before that. */
function onceStarted<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const value = get();
      if (!value)
        throw new Error(
          `the contract ${what} is not started yet (use it inside a test, or in a hook registered after useTarget)`,
        );
      return Reflect.get(value, key) as unknown;
    },
  });
}

/** A plain HTTP call, outside the client under test (for set-up and clean-up steps). */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(path, baseUrl);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          ...(body !== undefined
            ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
            : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The label config most tests use: one text, one single-choice control. */
export const SENTIMENT_CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/></Choices></View>';

export function choice(label: string): { result: unknown[] } {
  return { result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: [label] } }] };
}

/** The ApiError a call must fail with. */
export async function expectApiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, ApiError);
    return err as ApiError;
  }
  assert.unreachable('expected an ApiError, the call succeeded');
  throw new Error('unreachable');
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`LABELFORM_TEST_TARGET=real needs ${name}`);
  return v;
}

/** The server's refusal of a call that is expected to fail (anything else fails the test). */
export async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (isApiError(err)) return err;
    throw err;
  }
  throw new Error('expected the server to refuse');
}
