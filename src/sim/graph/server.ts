// The Graph and login simulator: one HTTPS server on 127.0.0.1. Login paths are /{tenant}/…,
// Graph paths /v1.0/… (and /beta/…), so both share a host as they never collide.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sleep } from '../../net/http';
import { answerFault, Faults, FaultRule, sendJson } from '../faults';
import { listen, readBody, stop } from '../serve';
import type { GraphTenant } from '../state';
import type { TlsMaterial } from '../tls';
import type { Reply, SimContext } from './context';
import { delta, DeltaRounds } from './delta';
import { DeviceLogins } from './device-login';
import { SimTenant } from './directory';
import { getGroup, listGroups, listMembers } from './groups';
import { aadError, handleLogin } from './login';
import { GraphError, OpaqueTokens } from './odata';
import type { GraphRequest } from './request';
import { TokenMinter } from './tokens';
import { getUser, listUsers } from './users';

export interface GraphSimOptions {
  /** Port to listen on (default: any free port). */
  port?: number;
  tls: TlsMaterial;
  faults?: Faults;
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Lifetime of issued access tokens (default 3600 s, as Entra's usual 60–90 minutes). */
  tokenLifetimeSeconds?: number;
  /** Application permissions carried by every token (default User.Read.All and GroupMember.Read.All). */
  roles?: string[];
  /** How long a deltaLink stays usable (default 7 days, the documented directory limit). */
  deltaTokenValidityMs?: number;
  /** Objects per delta page (default 100). */
  deltaPageSize?: number;
}

export interface SimRequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered; 0 when the connection ended without one. */
  status: number;
}

export interface GraphSim {
  /** Base of the login service, e.g. https://127.0.0.1:PORT (authority = loginUrl/tenantId). */
  loginUrl: string;
  /** Base of Graph, e.g. https://127.0.0.1:PORT (endpoints under /v1.0; scope graphUrl/.default). */
  graphUrl: string;
  /** Every request received, in order. */
  requests: SimRequestRecord[];
  tenants: SimTenant[];
  tenant(tenantId: string): SimTenant;
  /** Make every deltaLink issued so far answer 410 Gone. */
  invalidateDeltaTokens(): void;
  stop(): Promise<void>;
}

/** The application permissions a tenant admin grants a read-only sync app (entra-graph.md), unless a test says otherwise. */
export const DEFAULT_ROLES = ['User.Read.All', 'GroupMember.Read.All'];

export async function startGraphSim(tenants: GraphTenant[], opts: GraphSimOptions): Promise<GraphSim> {
  const simTenants = tenants.map((t) => new SimTenant(t));
  const requests: SimRequestRecord[] = [];
  const rounds = new DeltaRounds();
  const { server, base } = await listen({ tls: opts.tls, port: opts.port });
  const ctx: SimContext = {
    loginUrl: base,
    graphUrl: base,
    tenants: new Map(simTenants.map((t) => [t.tenantId.toLowerCase(), t])),
    minter: new TokenMinter(randomBytes(32)),
    opaque: new OpaqueTokens(randomBytes(32)),
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600,
    roles: opts.roles ?? DEFAULT_ROLES,
    deltaTokenValidityMs: opts.deltaTokenValidityMs ?? 7 * 86_400_000,
    deltaPageSize: opts.deltaPageSize ?? 100,
    deltaEpoch: 0,
    deviceLogins: new DeviceLogins(),
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const record: SimRequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(record);
    res.on('close', () => (record.status = res.headersSent ? res.statusCode : 0));
    handle(ctx, rounds, opts, req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new GraphError(500, 'generalException', e instanceof Error ? e.message : String(e)).body(randomUUID()));
    });
  });

  return {
    loginUrl: base,
    graphUrl: base,
    requests,
    tenants: simTenants,
    tenant(tenantId) {
      const t = ctx.tenants.get(tenantId.toLowerCase());
      if (!t) throw new Error(`the simulator has no tenant ${tenantId}`);
      return t;
    },
    invalidateDeltaTokens() {
      ctx.deltaEpoch++;
    },
    stop: () => stop(server),
  };
}

async function handle(ctx: SimContext, rounds: DeltaRounds, opts: GraphSimOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const isGraph = /^\/(v1\.0|beta)(\/|$)/.test(url.pathname);
  if (opts.latencyMs) await sleep(opts.latencyMs);
  const fault = opts.faults?.take(method, url.pathname);
  if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 0);
  if (fault && answerFault(withBody(fault, isGraph), req, res)) return;
  const body = await readBody(req);
  const requestId = String(req.headers['client-request-id'] ?? randomUUID());
  if (!isGraph) {
    const reply = handleLogin(ctx, method, url.pathname, new URLSearchParams(method === 'POST' ? body : ''));
    sendJson(res, reply.status, reply.body, fault, { 'x-ms-request-id': requestId, 'cache-control': 'no-store, no-cache', ...reply.headers });
    return;
  }
  const headers: Record<string, string> = { 'request-id': requestId, 'client-request-id': requestId, 'odata-version': '4.0' };
  try {
    const reply = graph(ctx, rounds, method, url, req, fault);
    headers['x-ms-resource-unit'] = String(resourceUnits(url));
    sendJson(res, reply.status, reply.body, fault, { ...headers, ...reply.headers });
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    sendJson(res, e.status, e.body(requestId), fault, { ...headers, ...e.headers });
  }
}

function graph(ctx: SimContext, rounds: DeltaRounds, method: string, url: URL, req: IncomingMessage, fault: FaultRule | undefined): Reply {
  const [, version, ...segments] = url.pathname.split('/');
  const claims = authenticate(ctx, req, fault);
  const tenant = ctx.tenants.get(claims.tid.toLowerCase());
  if (!tenant) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid tenant.');
  if (method !== 'GET') throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
  const r: GraphRequest = { ctx, tenant, claims, path: `/${segments.join('/')}`, base: `${ctx.graphUrl}/${version}`, query: url.searchParams, headers: req.headers };
  const [collection, id, nav, extra] = segments.map((s) => decodeURIComponent(s));
  const c = (collection ?? '').toLowerCase();
  const n = nav?.toLowerCase();
  if (extra === undefined) {
    if (c === 'users' && id === undefined) return listUsers(r);
    if (c === 'users' && id.toLowerCase() === 'delta' && n === undefined) return delta(r, 'users', rounds);
    if (c === 'users' && n === undefined) return getUser(r, id);
    if (c === 'groups' && id === undefined) return listGroups(r);
    if (c === 'groups' && id.toLowerCase() === 'delta' && n === undefined) return delta(r, 'groups', rounds);
    if (c === 'groups' && n === undefined) return getGroup(r, id);
    if (c === 'groups' && n === 'members') return listMembers(r, id, false);
    if (c === 'groups' && n === 'transitivemembers') return listMembers(r, id, true);
  }
  throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segments[segments.length - 1] ?? ''}'.`);
}

function authenticate(ctx: SimContext, req: IncomingMessage, fault: FaultRule | undefined) {
  const header = String(req.headers.authorization ?? '');
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  if (fault?.kind === 'expireToken') throw new GraphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
  const claims = ctx.minter.check(m[1], ctx.graphUrl);
  if ('refused' in claims) throw new GraphError(401, 'InvalidAuthenticationToken', claims.refused);
  return claims;
}

/** A status fault without its own body answers in the service's shape (Graph or login). */
function withBody(fault: FaultRule, isGraph: boolean): FaultRule {
  if (fault.kind !== 'status' || fault.body !== undefined) return fault;
  const status = fault.status ?? 500;
  if (!isGraph) {
    const reply = aadError(status, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.');
    return { ...fault, body: JSON.stringify(reply.body) };
  }
  // Documented 429 body (MGD concepts/throttling.md); the 5xx codes are Graph's usual ones.
  const [code, message] =
    status === 429
      ? ['TooManyRequests', 'Please retry again later.']
      : status === 503
        ? ['serviceNotAvailable', 'Service Unavailable']
        : status === 504
          ? ['UnknownError', 'Gateway Timeout']
          : ['generalException', 'General exception while processing'];
  return { ...fault, body: JSON.stringify(new GraphError(status, code, message).body(randomUUID())) };
}

/** Cost in resource units (MGD concepts/throttling-limits.md): base cost, -1 for $select, +1 for $expand, -1 for $top < 20. */
function resourceUnits(url: URL): number {
  const p = url.pathname.toLowerCase();
  let cost = /\/transitivemembers$/.test(p) ? 5 : /\/members$/.test(p) ? 3 : /^\/[^/]+\/users$/.test(p) ? 2 : 1;
  if (url.searchParams.has('$select')) cost--;
  if (url.searchParams.has('$expand')) cost++;
  const top = Number(url.searchParams.get('$top'));
  if (top > 0 && top < 20) cost--;
  return Math.max(1, cost);
}
