/**
 * A minimal real ML backend on 127.0.0.1, speaking what Label Studio calls (label-studio-ml's
 * routes): `GET /health`, `POST /setup` (answers a model version), `POST /predict` (one choice
 * per task), `POST /webhook`. It records every call; `basicAuth` makes it demand those
 * credentials (401 otherwise); `down()` makes it refuse connections, as a dead backend does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MlCall {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface MlBackend {
  readonly url: string;
  readonly calls: MlCall[];
  /** Demand other credentials from now on (a rotated password). */
  setBasicAuth(auth: { user: string; pass: string } | undefined): void;
  /** Stop answering (connections refused). */
  down(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMlBackend(
  opts: {
    modelVersion?: string;
    basicAuth?: { user: string; pass: string };
    choice?: string;
    fromName?: string;
    toName?: string;
  } = {},
): Promise<MlBackend> {
  const calls: MlCall[] = [];
  let basicAuth = opts.basicAuth;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const path = (req.url ?? '').split('?')[0]!;
      calls.push({ path, headers: req.headers, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (basicAuth) {
        const expected = `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.pass}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return send(401, { error: 'unauthorized' });
      }
      switch (path) {
        case '/health':
        case '/':
          return send(200, { status: 'UP', model_class: 'LabelformTestModel' });
        case '/setup':
          return send(200, { model_version: opts.modelVersion ?? 'test-model-1' });
        case '/predict': {
          const tasks = (body.tasks as Array<{ id: number }> | undefined) ?? [];
          return send(200, {
            results: tasks.map(() => ({
              model_version: opts.modelVersion ?? 'test-model-1',
              score: 0.9,
              result: [
                {
                  from_name: opts.fromName ?? 'sentiment',
                  to_name: opts.toName ?? 'text',
                  type: 'choices',
                  value: { choices: [opts.choice ?? 'Positive'] },
                },
              ],
            })),
          });
        }
        case '/webhook':
        case '/train':
          return send(201, { status: 'ok' });
        default:
          return send(404, { error: `no route ${path}` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { url, calls, setBasicAuth: (a) => (basicAuth = a), down: close, stop: close };
}
