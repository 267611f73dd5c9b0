// The Okta simulator: one HTTPS server per org on 127.0.0.1, built from directory-sources.md
// (Okta's management OpenAPI and developer docs), never from our reader. It serves the
// client-credentials token endpoint (private_key_jwt only, assertions verified), the users and
// groups lists as bare JSON arrays paged by Link rel="next", Okta's error bodies, per-family
// rate limits with X-Rate-Limit-* headers on every answer, and the shared injectable faults.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sleep } from '../../net/http';
import { answerFault, Faults, FaultRule, sendJson } from '../faults';
import { listen, readBody, stop } from '../serve';
import type { TlsMaterial } from '../tls';
import { compile, ExpressionError, Item, pathValue } from './filter';
import type { OktaGroupRecord, OktaOrg, OktaServiceApp, OktaUserRecord } from './state';

export interface OktaSimOptions {
  tls: TlsMaterial;
  port?: number;
  faults?: Faults;
  latencyMs?: number;
  /** Requests per window and family; the documented example is 1000 a minute for /api/v1/users [V], the rest [I]. */
  rateLimit?: { users?: number; groups?: number; token?: number; windowMs?: number };
  tokenLifetimeSeconds?: number;
  /** `search` is eventually consistent [V]: users changed this recently are not found by it yet. */
  searchLagMs?: number;
  /** Where to log requests (several orgs may share one log); a log of its own by default. */
  requests?: OktaSimRequest[];
  /** The service app demands DPoP-bound tokens (Okta supports it since 2023-04 [V]); we then refuse without a proof. */
  requireDpop?: boolean;
}

export interface OktaSimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** `SSWS`, `Bearer` or `none`: how the request signed in. */
  auth: string;
}

export interface OktaSim {
  url: string;
  org: OktaOrg;
  requests: OktaSimRequest[];
  stop(): Promise<void>;
}

const DEFAULT_LIMITS = { users: 1000, groups: 500, token: 600, windowMs: 60_000 };
/** Scopes per endpoint [V OAS]. */
const SCOPE_OF: Record<string, string> = { users: 'okta.users.read', groups: 'okta.groups.read' };

class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(summary);
  }

  body(): Record<string, unknown> {
    return { errorCode: this.code, errorSummary: this.summary, errorLink: this.code, errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: [] };
  }
}

interface Window {
  start: number;
  used: number;
}

export async function startOktaSim(org: OktaOrg, opts: OktaSimOptions): Promise<OktaSim> {
  const { server, base } = await listen({ tls: opts.tls, port: opts.port });
  const requests: OktaSimRequest[] = opts.requests ?? [];
  const tokens = new Map<string, { clientId: string; scopes: string[]; expiresAt: number }>();
  const usedJti = new Set<string>();
  const limits = { ...DEFAULT_LIMITS, ...opts.rateLimit };
  const windows = new Map<string, Window>();

  /** Windows start at a family's first request, not on the clock minute [V rate-limits]. */
  const spend = (family: 'users' | 'groups' | 'token'): Record<string, string> & { over?: string } => {
    const now = Date.now();
    let w = windows.get(family);
    if (!w || now - w.start >= limits.windowMs) windows.set(family, (w = { start: now, used: 0 }));
    w.used++;
    const limit = limits[family];
    const headers: Record<string, string> = {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(Math.max(0, limit - w.used)),
      'x-rate-limit-reset': String(Math.ceil((w.start + limits.windowMs) / 1000)),
    };
    return w.used > limit ? { ...headers, over: '1' } : headers;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const authHeader = String(req.headers.authorization ?? '');
    const record: OktaSimRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, auth: /^SSWS /.test(authHeader) ? 'SSWS' : /^Bearer /i.test(authHeader) ? 'Bearer' : 'none' };
    requests.push(record);
    res.on('close', () => (record.status = res.headersSent ? res.statusCode : 0));
    handle(req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new OktaError(500, 'E0000009', `Internal Server Error: ${e instanceof Error ? e.message : String(e)}`).body());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (opts.latencyMs) await sleep(opts.latencyMs);
    const family = url.pathname.startsWith('/oauth2/') ? 'token' : url.pathname.startsWith('/api/v1/groups') ? 'groups' : 'users';
    const rate = spend(family);
    const { over, ...rateHeaders } = rate;
    const fault = opts.faults?.take(method, url.pathname);
    if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 0);
    if (fault && answerFault(oktaShaped(fault, rateHeaders), req, res)) return;
    const body = await readBody(req);
    try {
      if (over) throw new OktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
      if (url.pathname === '/oauth2/v1/token') {
        if (method !== 'POST') throw new OktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
        const reply = tokenEndpoint(new URLSearchParams(body), req);
        sendJson(res, reply.status, reply.body, fault, { ...rateHeaders, 'cache-control': 'no-store', pragma: 'no-cache' });
        return;
      }
      const { items, next } = api(method, url, req, fault);
      const headers: Record<string, string> = { ...rateHeaders, link: `<${url.toString()}>; rel="self"${next ? `, <${next}>; rel="next"` : ''}` };
      sendJson(res, 200, items, fault, headers);
    } catch (e) {
      if (!(e instanceof OktaError)) throw e;
      sendJson(res, e.status, e.body(), fault, { ...rateHeaders, ...e.headers });
    }
  }

  function tokenEndpoint(form: URLSearchParams, req: IncomingMessage): { status: number; body: unknown } {
    const oauthError = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    // Only private_key_jwt may mint Okta-scoped tokens [V].
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !form.get('client_assertion')) {
      return oauthError(401, 'invalid_client', 'Client authentication failed: only private_key_jwt is allowed for Okta-scoped tokens.');
    }
    const checked = verifyAssertion(String(form.get('client_assertion')), `${base}/oauth2/v1/token`);
    if ('refused' in checked) return oauthError(401, 'invalid_client', checked.refused);
    const app = checked.app;
    if (opts.requireDpop && !req.headers.dpop) return oauthError(400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.');
    const asked = String(form.get('scope') ?? '').split(' ').filter(Boolean);
    if (!asked.length) return oauthError(400, 'invalid_scope', 'The authorization server resource does not have any configured default scopes, \'scope\' must be provided.');
    const refused = asked.filter((s) => !app.scopes.includes(s));
    if (refused.length) return oauthError(400, 'invalid_scope', `The following scopes are not allowed: ${refused.join(', ')}`);
    const lifetime = opts.tokenLifetimeSeconds ?? 3600;
    const token = randomBytes(32).toString('base64url');
    tokens.set(token, { clientId: app.clientId, scopes: asked, expiresAt: Date.now() + lifetime * 1000 });
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, access_token: token, scope: asked.join(' ') } };
  }

  /** RFC 7523 as Okta requires it [V]: iss = sub = client id, aud = the token URL, exp at most 1 h ahead, signed by the app's key. */
  function verifyAssertion(jwt: string, audience: string): { app: OktaServiceApp } | { refused: string } {
    const parts = jwt.split('.');
    if (parts.length !== 3) return { refused: 'The client_assertion is not a JWT.' };
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { refused: 'The client_assertion could not be parsed.' };
    }
    const app = org.serviceApps.find((a) => a.clientId === claims.iss);
    if (!app) return { refused: 'The client_assertion names no client of this org.' };
    if (claims.sub !== app.clientId) return { refused: 'The client_assertion sub must be the client id.' };
    if (claims.aud !== audience) return { refused: `The audience of the client_assertion must be ${audience}.` };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return { refused: 'The client_assertion has expired.' };
    if (claims.exp - (typeof claims.iat === 'number' ? claims.iat : now) > 3600) return { refused: 'The client_assertion expires more than one hour after it was issued.' };
    if (typeof claims.jti === 'string') {
      if (usedJti.has(claims.jti)) return { refused: 'The client_assertion jti has already been used.' };
      usedJti.add(claims.jti);
    }
    if (app.keyId && header.kid !== undefined && header.kid !== app.keyId) return { refused: 'The client_assertion kid names no key of this client.' };
    const alg = String(header.alg);
    const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg];
    if (!hash) return { refused: `The client_assertion algorithm ${alg} is not allowed.` };
    const key = createPublicKey(app.publicKeyPem);
    const ok = verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(parts[2], 'base64url'));
    return ok ? { app } : { refused: 'The client_assertion signature is invalid.' };
  }

  function api(method: string, url: URL, req: IncomingMessage, fault: FaultRule | undefined): { items: unknown[]; next?: string } {
    const segments = url.pathname.split('/').filter(Boolean);
    if (segments[0] !== 'api' || segments[1] !== 'v1') throw new OktaError(404, 'E0000022', 'The endpoint does not exist.');
    const [, , collection, id, nav] = segments;
    authorize(req, collection === 'groups' ? 'groups' : 'users', fault);
    if (method !== 'GET') throw new OktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const q = url.searchParams;
    if (collection === 'users' && id === undefined) {
      if (q.has('q')) {
        // A prefix of first name, last name or email, with no paging, deactivated users left out [V].
        const prefix = String(q.get('q')).toLowerCase();
        const limit = Math.min(200, Number(q.get('limit') ?? 200) || 200);
        const hit = (u: OktaUserRecord) => ['firstName', 'lastName', 'email'].some((k) => String(u.profile[k] ?? '').toLowerCase().startsWith(prefix));
        return { items: org.users.filter((u) => u.status !== 'DEPROVISIONED' && hit(u)).slice(0, limit).map(userBody) };
      }
      return page(url, listUsers(q), 200, 200, userBody);
    }
    if (collection === 'groups' && id === undefined) {
      if (q.has('q')) {
        // A name prefix, no paging: up to `limit` (default 300) at once [V].
        const prefix = String(q.get('q')).toLowerCase();
        const limit = Math.min(10_000, Number(q.get('limit') ?? 300) || 300);
        return { items: org.groups.filter((g) => g.profile.name.toLowerCase().startsWith(prefix)).slice(0, limit).map(groupBody) };
      }
      // No documented default for the full list: the least a client can count on, 200 (Okta's recommendation) [I].
      return page(url, listGroups(q), 200, 10_000, groupBody);
    }
    if (collection === 'groups' && id !== undefined && nav === 'users') {
      const g = org.groups.find((x) => x.id === id);
      if (!g) throw new OktaError(404, 'E0000007', `Not found: Resource not found: ${id} (UserGroup)`);
      const byId = new Map(org.users.map((u) => [u.id, u]));
      return page(url, g.members.map((m) => byId.get(m)).filter((u): u is OktaUserRecord => u !== undefined), 1000, 1000, userBody);
    }
    throw new OktaError(404, 'E0000007', `Not found: Resource not found: ${url.pathname}`);
  }

  function authorize(req: IncomingMessage, family: 'users' | 'groups', fault: FaultRule | undefined): void {
    const header = String(req.headers.authorization ?? '');
    const invalid = () => new OktaError(401, 'E0000011', 'Invalid token provided', { 'www-authenticate': 'Bearer realm="IdpMyAccountAPI"' });
    if (fault?.kind === 'expireToken') throw invalid();
    const ssws = /^SSWS\s+(\S+)$/.exec(header);
    if (ssws) {
      if (!org.apiTokens.includes(ssws[1])) throw invalid();
      return; // an API token acts with its admin's rights: here, a read-only admin's
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    const t = bearer ? tokens.get(bearer[1]) : undefined;
    if (!t || t.expiresAt <= Date.now()) throw invalid();
    if (!t.scopes.includes(SCOPE_OF[family])) {
      throw new OktaError(403, 'E0000006', 'You do not have permission to perform the requested action', { 'www-authenticate': `Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${SCOPE_OF[family]}"` });
    }
  }

  function listUsers(q: URLSearchParams): OktaUserRecord[] {
    const filter = q.get('filter');
    const search = q.get('search');
    if (filter !== null && search !== null) throw new OktaError(400, 'E0000031', 'Invalid search criteria: filter and search cannot be combined.');
    if (filter !== null) return org.users.filter(expression(filter, USER_FILTER));
    if (search !== null) {
      const lag = opts.searchLagMs ?? 0;
      const visible = org.users.filter((u) => Date.now() - Date.parse(u.lastUpdated) >= lag);
      return visible.filter(expression(search, USER_SEARCH));
    }
    // With no query, deactivated users are left out [V].
    return org.users.filter((u) => u.status !== 'DEPROVISIONED');
  }

  function listGroups(q: URLSearchParams): OktaGroupRecord[] {
    const filter = q.get('filter');
    if (filter !== null) return org.groups.filter(expression(filter, GROUP_FILTER));
    const search = q.get('search');
    if (search !== null) return org.groups.filter(expression(search, GROUP_SEARCH));
    return org.groups;
  }

  /** One page of `all` at the request's `limit` (default `fallback`, at most `max`), cursor `after` = the last id served. */
  function page<T extends { id: string }>(url: URL, all: T[], fallback: number, max: number, body: (x: T) => unknown): { items: unknown[]; next?: string } {
    const q = url.searchParams;
    const limit = Math.min(max, Math.max(1, Number(q.get('limit') ?? fallback) || fallback));
    const after = q.get('after');
    const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const start = after ? sorted.findIndex((x) => x.id > after) : 0;
    const slice = start < 0 ? [] : sorted.slice(start, start + limit);
    const more = start >= 0 && start + limit < sorted.length;
    let next: string | undefined;
    if (more) {
      const n = new URL(url.toString());
      n.searchParams.set('after', slice[slice.length - 1].id);
      n.searchParams.set('limit', String(limit));
      next = n.toString();
    }
    return { items: slice.map(body), next };
  }

  return {
    url: base,
    org,
    requests,
    stop: () => stop(server),
  };
}

const USER_FILTER = { fields: (f: string) => (f === 'lastUpdated' ? ['eq', 'gt', 'ge', 'lt', 'le'] : ['status', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName'].includes(f) ? ['eq'] : undefined), valueOf: pathValue };
const USER_SEARCH = {
  fields: (f: string) => (['profile.firstName', 'profile.lastName', 'profile.email', 'profile.login'].includes(f) ? ['eq', 'sw', 'co'] : f.startsWith('profile.') || ['id', 'status', 'created', 'activated', 'statusChanged', 'lastUpdated', 'type.id'].includes(f) ? ['eq', 'sw', 'gt', 'ge', 'lt', 'le'] : undefined),
  valueOf: pathValue,
};
const GROUP_FILTER = { fields: (f: string) => (['lastUpdated', 'lastMembershipUpdated'].includes(f) ? ['eq', 'gt', 'ge', 'lt', 'le'] : ['id', 'type'].includes(f) ? ['eq'] : undefined), valueOf: pathValue };
const GROUP_SEARCH = { fields: (f: string) => (f.startsWith('profile.') || ['id', 'created', 'lastMembershipUpdated', 'lastUpdated', 'type', 'source.id'].includes(f) ? ['eq', 'sw', 'gt', 'ge', 'lt', 'le'] : undefined), valueOf: pathValue };

function expression(text: string, rules: { fields: (f: string) => readonly string[] | undefined; valueOf: (item: Item, field: string) => unknown }): (x: OktaUserRecord | OktaGroupRecord) => boolean {
  try {
    const test = compile(text, rules);
    return (x) => test(x as unknown as Item);
  } catch (e) {
    if (e instanceof ExpressionError) throw new OktaError(400, 'E0000031', `Invalid search criteria: ${e.message}`);
    throw e;
  }
}

/** A user in a collection: `_links` holds only self [V]. */
function userBody(u: OktaUserRecord): unknown {
  return { ...u, credentials: { provider: { type: 'OKTA', name: 'OKTA' } }, _links: { self: { href: `/api/v1/users/${u.id}` } } };
}

function groupBody(g: OktaGroupRecord): unknown {
  const { members: _members, ...rest } = g;
  return { ...rest, _links: { logo: [], users: { href: `/api/v1/groups/${g.id}/users` } } };
}

/** A status fault without its own body answers in Okta's shape, with the rate-limit headers (429: E0000047). */
function oktaShaped(fault: FaultRule, rateHeaders: Record<string, string>): FaultRule {
  if (fault.kind !== 'status' || fault.body !== undefined) return fault;
  const status = fault.status ?? 500;
  const error = status === 429 ? new OktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.') : new OktaError(status, 'E0000009', 'Internal Server Error');
  return { ...fault, body: JSON.stringify(error.body()), headers: { ...rateHeaders, ...fault.headers } };
}
