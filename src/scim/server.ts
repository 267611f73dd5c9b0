// The bridge's HTTP face: /scim/v2 (or /scim/{connection}/v2) for the IdPs, /oauth/token for client credentials, /healthz
// and /readyz for the host, /status for people. Each request is authenticated to one connection,
// limited per connection, bounded in size and time, answered as application/scim+json, and
// leaves one audit line (no secret, no personal data: filter values and bodies stay out).
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BridgeAuth } from './auth';
import { errorBody, ScimError } from './protocol/errors';
import { RateLimit, RateLimiter } from './rate-limit';
import { ScimService } from './service';
import type { ScimStore } from './store';

export const SCIM_BASE = '/scim/v2';
export const TOKEN_PATH = '/oauth/token';
/** ServiceProviderConfig advertises no bulk; 1 MiB is far above any single resource IdPs send. */
export const DEFAULT_MAX_BODY = 1024 * 1024;

export interface AuditLine {
  time: string;
  requestId: string;
  connection: string | null;
  client: string;
  method: string;
  path: string;
  status: number;
  summary: string;
  id?: string;
  ms: number;
}

export interface BridgeServerOptions {
  store: ScimStore;
  auth: BridgeAuth;
  rateLimit?: RateLimit;
  /** Failed or missing credentials, per client address (slows guessing). */
  unauthenticatedLimit?: RateLimit;
  maxBodyBytes?: number;
  audit?: (line: AuditLine) => void;
  /** Told after every committed write, with the connection that made it. */
  onChange?: (connection: string) => void;
  /** What /status shows a connection (its counts and the syncer's state). */
  status?: (connection: string) => Record<string, unknown>;
  tls?: { cert: string; key: string };
  /** The public origin when behind a reverse proxy (https://scim.example.com): meta.location uses it. */
  publicUrl?: string;
}

export interface BridgeServer {
  url: string;
  server: http.Server;
  /** Stops taking requests, lets those in flight finish, then resolves. */
  close(): Promise<void>;
  /** Whether /readyz says ready (false from the moment shutdown starts). */
  ready: boolean;
}

const SCIM_JSON = 'application/scim+json; charset=utf-8';

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new ScimError(400, 'invalidSyntax', `the body is not JSON: ${(e as Error).message}`);
  }
}

/** The path for the audit line: the query's parameter names only (a filter holds a userName). */
function auditPath(url: URL): string {
  const names = [...new Set([...url.searchParams.keys()])];
  return names.length ? `${url.pathname}?${names.join('&')}` : url.pathname;
}

export async function startBridgeServer(options: BridgeServerOptions, listen: { host: string; port: number }): Promise<BridgeServer> {
  const service = new ScimService(options.store);
  const limiter = new RateLimiter(options.rateLimit ?? { perSecond: 100, burst: 200 });
  const guessing = new RateLimiter(options.unauthenticatedLimit ?? { perSecond: 5, burst: 20 });
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const state = { ready: true };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = process.hrtime.bigint();
    const requestId = String(req.headers['client-request-id'] ?? req.headers['x-request-id'] ?? randomUUID()).slice(0, 100);
    const scheme = options.tls ? 'https' : 'http';
    const origin = options.publicUrl?.replace(/\/+$/, '') ?? `${scheme}://${req.headers.host ?? `${listen.host}:${listen.port}`}`;
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    // Behind the proxy --public-url names, the client is the address that proxy appended last.
    const forwarded = options.publicUrl ? String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim() : undefined;
    const client = forwarded || req.socket.remoteAddress || '';
    let connection: string | null = null;
    let summary = '';
    let id: string | undefined;

    const send = (status: number, body: unknown, type = SCIM_JSON, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...(text ? { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) } : {}), 'Cache-Control': 'no-store', 'X-Request-Id': requestId, ...headers });
      res.end(text);
      options.audit?.({ time: new Date().toISOString(), requestId, connection, client, method, path: auditPath(url), status, summary, ...(id ? { id } : {}), ms: Number(process.hrtime.bigint() - started) / 1e6 });
    };
    const fail = (e: unknown) => {
      if (e instanceof BodyTooLarge) {
        summary = 'refused: body too large';
        res.setHeader('Connection', 'close');
        return send(413, errorBody(new ScimError(413, 'tooMany', `the body is larger than ${max} bytes`)));
      }
      if (e instanceof URIError) e = new ScimError(400, 'invalidSyntax', 'the path has a malformed percent-encoding');
      if (e instanceof ScimError) {
        summary ||= `refused: ${e.scimType ?? e.status}`;
        return send(e.status, errorBody(e), SCIM_JSON, e.headers);
      }
      summary = 'failed';
      // The store refused or broke: the IdP retries a 500, and nothing half-done was committed.
      console.error(`[scim] ${requestId}: ${(e as Error).stack ?? e}`);
      return send(500, errorBody(new ScimError(500, undefined, 'the bridge could not complete the request; it changed nothing')));
    };

    try {
      if (url.pathname === '/healthz') {
        summary = 'health';
        return send(200, { status: 'ok' }, 'application/json');
      }
      if (url.pathname === '/readyz') {
        summary = 'readiness';
        if (!state.ready) return send(503, { status: 'shutting down' }, 'application/json');
        // Ready means the store answers: a bridge that cannot keep what it is sent takes nothing.
        try {
          options.store.changes();
        } catch (e) {
          return send(503, { status: `the store cannot be read: ${(e as Error).message}` }, 'application/json');
        }
        return send(200, { status: 'ready' }, 'application/json');
      }
      if (!state.ready) throw new ScimError(503, undefined, 'the bridge is shutting down; retry shortly', { 'Retry-After': '5' });
      if (url.pathname === TOKEN_PATH) {
        if (method !== 'POST') throw new ScimError(405, undefined, 'the token endpoint takes POST');
        const wait = guessing.take(`token:${client}`);
        if (wait) throw new ScimError(429, undefined, 'too many token requests', { 'Retry-After': String(wait) });
        const raw = await readBody(req, 64 * 1024);
        const answer = options.auth.token(new URLSearchParams(raw.toString('utf8')), req.headers.authorization);
        summary = answer.status === 200 ? 'token issued' : `token refused: ${String(answer.body.error)}`;
        return send(answer.status, answer.body, 'application/json', answer.headers);
      }

      connection = options.auth.connectionOf(req.headers.authorization) ?? null;
      if (!connection) {
        const wait = guessing.take(`auth:${client}`);
        if (wait) throw new ScimError(429, undefined, 'too many unauthenticated requests', { 'Retry-After': String(wait) });
        summary = 'refused: not authenticated';
        throw new ScimError(401, undefined, 'a valid bearer token is required', { 'WWW-Authenticate': 'Bearer realm="halo-identity"' });
      }
      const wait = limiter.take(connection);
      if (wait) throw new ScimError(429, 'tooMany', `more than the bridge takes from one connection; retry after ${wait} s`, { 'Retry-After': String(wait) });

      if (url.pathname === '/status' && method === 'GET') {
        summary = 'status';
        return send(200, options.status?.(connection) ?? {}, 'application/json');
      }
      // /scim/v2, or /scim/{connection}/v2 (a base URL per IdP, as Okta suggests): the name must be the credential's.
      const at = /^\/scim(?:\/([^/]+))?\/v2(\/.*)?$/.exec(url.pathname);
      if (!at) throw new ScimError(404, undefined, `no endpoint ${url.pathname} (the SCIM base is ${SCIM_BASE})`);
      const named = at[1] === undefined ? undefined : decodeURIComponent(at[1]);
      if (named !== undefined && named !== connection) throw new ScimError(403, undefined, 'these credentials are not for the connection this address names');
      const segments = (at[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
      const base = `${origin}${named === undefined ? SCIM_BASE : `/scim/${encodeURIComponent(named)}/v2`}`;
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? parseJson(await readBody(req, max)) : undefined;
      const answer = service.handle(connection, { method, segments, query: url.searchParams, body, base });
      summary = answer.summary;
      id = answer.id;
      if (answer.changed) options.onChange?.(connection);
      const location = answer.status === 201 && answer.body && typeof answer.body === 'object' ? ((answer.body as { meta?: { location?: string } }).meta?.location ?? '') : '';
      return send(answer.status, answer.body, SCIM_JSON, { ...(location ? { Location: location } : {}), ...answer.headers });
    } catch (e) {
      return fail(e);
    }
  };

  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);
  // Slow or stalled clients cannot hold the bridge: headers in 10 s, a whole request in 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    server,
    get ready() {
      return state.ready;
    },
    close: () =>
      new Promise<void>((resolve) => {
        state.ready = false;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
