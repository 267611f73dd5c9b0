// What every simulator's server needs: listening on loopback (HTTPS with the start-up certificate,
// or plain HTTP for Halo's local mode), request bodies, and stopping with connections closed.
import type { IncomingMessage, Server } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls';

/** A server listening on `host` (loopback by default) at `port` (any free one by default), and its base URL. */
export async function listen(options: { tls?: TlsMaterial; port?: number; host?: string }): Promise<{ server: Server; base: string }> {
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }) : http.createServer();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, base: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

export function stop(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The request's body as text (an aborted upload reads as what arrived). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
