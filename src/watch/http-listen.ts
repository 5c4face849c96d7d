import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server of the watcher (`/metrics`, the webhooks' receiver), listening. */
export interface Listening {
  /** `http://HOST:PORT` as bound (port 0 picks a free one). */
  readonly url: string;
  /** Stops listening and cuts the open connections (keep-alive ones included). */
  close(): Promise<void>;
}

/** Starts `server` on `HOST:PORT`; rejects when the address cannot be bound (in use, not local). */
export async function listen(server: Server, address: { host: string; port: number }): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
