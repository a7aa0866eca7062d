import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts `server` listening on `host` (loopback by default) and `port` (0: any free one) and
 * resolves with its origin, `http://HOST:PORT` (an IPv6 host in brackets). A failure to bind
 * (the port taken) rejects instead of leaving the caller waiting forever. One place for the
 * scripted model, the replay server and the metering endpoint, which all open a local server.
 */
export async function listenLoopback(server: Server, o: { host?: string; port?: number } = {}): Promise<string> {
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
