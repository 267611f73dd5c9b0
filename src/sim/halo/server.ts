// The Halo simulator: authorisation server and resource server on one port, over HTTP or HTTPS,
// faithful to halo-api.md (labels [V] known, [I] inferred, [U] uncertain mark each choice).
import * as http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultRule, Faults, answerFault, sendJson } from '../faults';
import { listen, readBody, stop } from '../serve';
import type { HaloState } from '../state';
import { RateLimit, RollingWindow } from './ratelimit';
import { HaloModes, withModes } from './modes';
import * as reads from './reads';
import { Reply, forbidden, notFound, ok, unauthorized } from './replies';
import { TokenStore, scopeAllows, tokenRequest } from './tokens';
import { WriteKind, deleteRecord, postRecords } from './writes';

export interface HaloSimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Serve HTTPS with this key and certificate (PEM); HTTP otherwise. */
  tls?: { key: string; cert: string };
  faults?: Faults;
  /** Added to every answer. */
  latencyMs?: number;
  /** Requests per rolling window per caller; null (default) is unlimited. */
  rateLimit?: RateLimit | null;
  tokenLifetimeSeconds?: number;
  /** How Halo answers where its documents allow several readings (DESIGN §6a); the documented default otherwise. */
  modes?: Partial<HaloModes>;
  /** Serve GET /api/authinfo (default true). */
  authInfo?: boolean;
}

export interface SimRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when no answer was given (timeout or reset). */
  status: number;
}

export interface HaloSim {
  url: string;
  authUrl: string;
  requests: SimRequestLog[];
  stop(): Promise<void>;
  state: HaloState;
  modes: HaloModes;
}

interface Incoming {
  method: string;
  path: string;
  /** Lower-cased path: Halo's routes are case-insensitive [V: clients use /agent and /Agent alike]. */
  route: string;
  query: URLSearchParams;
  body: string;
  authorization: string | undefined;
  remote: string;
}

export async function startHaloSim(state: HaloState, opts: HaloSimOptions = {}): Promise<HaloSim> {
  const tokens = new TokenStore(opts.tokenLifetimeSeconds ?? 3600);
  const limiter = opts.rateLimit ? new RollingWindow(opts.rateLimit) : undefined;
  const modes = withModes(opts.modes);
  const requests: SimRequestLog[] = [];
  let url = '';

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parsed = new URL(req.url ?? '/', 'http://sim');
    const entry: SimRequestLog = { method: req.method ?? 'GET', path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), status: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const fault = opts.faults?.take(entry.method, parsed.pathname);
    if (fault && answerFault(fault, req, res)) return;
    const body = await readBody(req);
    if (opts.latencyMs) await delay(opts.latencyMs);
    if (fault?.kind === 'latency') await delay(fault.latencyMs ?? 0);
    const incoming: Incoming = {
      method: entry.method.toUpperCase(),
      path: parsed.pathname,
      route: parsed.pathname.toLowerCase().replace(/\/+$/, ''),
      query: parsed.searchParams,
      body,
      authorization: req.headers.authorization,
      remote: req.socket.remoteAddress ?? '',
    };
    let reply: Reply;
    try {
      reply = answer(incoming, fault);
    } catch (e) {
      reply = { status: 500, body: { ClassName: 'System.Exception', Message: (e as Error).message } };
    }
    if (reply.text !== undefined) {
      if (fault?.kind === 'reset' && fault.afterProcessing) return void res.socket?.destroy();
      if (fault?.kind === 'timeout' && fault.afterProcessing) return; // saved, never answered
      res.writeHead(reply.status, { ...(reply.text ? { 'content-type': 'text/plain; charset=utf-8' } : {}), ...reply.headers });
      res.end(reply.text);
    } else {
      sendJson(res, reply.status, reply.body ?? null, fault, reply.headers);
    }
  };

  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch(() => res.destroy());
  };

  const answer = (r: Incoming, fault: FaultRule | undefined): Reply => {
    if (r.route === '/api/authinfo' && r.method === 'GET') {
      // [V] HaloAPI reads auth_url and tenant_id from here, without a token.
      if (opts.authInfo === false) return notFound('No HTTP resource was found that matches the request URI.');
      if (limiter && !limiter.admit(`ip:${r.remote}`)) return throttled(limiter);
      return ok({ auth_url: `${url}/auth`, tenant_id: state.tenant });
    }
    if (r.route === '/auth/token' && r.method === 'POST') {
      const clientId = new URLSearchParams(r.body).get('client_id') ?? '';
      if (limiter && !limiter.admit(`client:${clientId}`)) return throttled(limiter);
      return tokenRequest(state, tokens, r.query, r.body);
    }
    if (!r.route.startsWith('/api/')) return notFound('No HTTP resource was found that matches the request URI.');
    if (fault?.kind === 'expireToken') tokens.expire(r.authorization);
    const auth = tokens.check(r.authorization);
    if (limiter && !limiter.admit(auth.ok ? `client:${auth.clientId}` : `ip:${r.remote}`)) return throttled(limiter);
    if (!auth.ok) return unauthorized();
    const [, , resource = '', sub] = r.route.split('/');
    const me = resource === 'agent' && sub === 'me';
    // Any token may ask who it is (Test Connections does, whatever the scope).
    if (!me && !scopeAllows(auth.scopes, r.method, resource)) return forbidden();
    return route(r);
  };

  const route = (r: Incoming): Reply => {
    const [, , resource = '', sub, ...rest] = r.route.split('/');
    if (rest.length) return notFound('No HTTP resource was found that matches the request URI.');
    const kind = WRITABLE[resource];
    const id = sub !== undefined && /^\d+$/.test(sub) ? Number(sub) : undefined;
    if (r.method === 'GET') {
      if (sub === undefined) {
        switch (resource) {
          case 'users':
            return reads.listUsers(state, r.query, modes);
          case 'agent':
            return reads.listAgents(state, r.query, modes);
          case 'site':
            return reads.listSites(state, r.query, modes);
          case 'client':
            return reads.listClients(state, r.query, modes);
          case 'team':
            return reads.listTeams(state, r.query, modes);
          case 'roles':
            return reads.listRoles(state, modes);
          case 'userroles':
            return reads.listUserRoles(state, modes);
          case 'cab':
            return reads.listCabs(state, r.query, modes);
          case 'fieldinfo':
            return reads.listFieldInfo(state, modes);
        }
      } else if (resource === 'agent' && sub === 'me') {
        return reads.getMe(state, modes);
      } else if (id !== undefined) {
        if (resource === 'users') return reads.getUser(state, id, r.query, modes);
        if (resource === 'agent') return reads.getAgent(state, id, r.query, modes);
        if (resource === 'cab') return reads.getCab(state, id, modes);
      }
    } else if (r.method === 'POST' && sub === undefined && kind) {
      return postRecords(state, kind, r.body, modes);
    } else if (r.method === 'DELETE' && id !== undefined && kind) {
      // [V] DELETE exists in Halo; the tool never sends it.
      return deleteRecord(state, kind, id);
    }
    return notFound('No HTTP resource was found that matches the request URI.');
  };

  const { server, base } = await listen({ tls: opts.tls, port: opts.port, host: opts.host });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => serve(req, res));
  url = base;

  return {
    url,
    authUrl: `${url}/auth`,
    requests,
    state,
    modes,
    stop: () => stop(server),
  };
}

const WRITABLE: Record<string, WriteKind | undefined> = {
  users: 'users',
  agent: 'agents',
  site: 'sites',
  client: 'clients',
  team: 'teams',
  cab: 'cabs',
};

/** [V] the message; [U] whether a Retry-After header comes with it: none is sent. */
function throttled(limiter: RollingWindow): Reply {
  return { status: 429, text: limiter.message() };
}
