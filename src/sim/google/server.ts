// The Google Workspace simulator: the OAuth 2.0 token endpoint for service accounts (the JWT bearer
// grant of RFC 7523, assertions verified, domain-wide delegation and the subject checked) and the
// Admin SDK Directory API's users.list, groups.list, groups.get and members.list, built from
// directory-sources.md (Google's discovery document and Admin SDK pages), never from our reader:
// `pageToken` paging at each method's maxima, `fields` partial responses, projections, Google's
// error bodies, and a per-user quota answering 403 userRateLimitExceeded.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sleep } from '../../net/http';
import { answerFault, Faults, FaultRule, sendJson } from '../faults';
import { listen, readBody, stop } from '../serve';
import type { TlsMaterial } from '../tls';
import { FieldsError, parseFields, select } from './fields';
import type { GoogleCustomer, GoogleGroupRecord, GoogleUserRecord } from './state';

export interface GoogleSimOptions {
  tls: TlsMaterial;
  port?: number;
  faults?: Faults;
  latencyMs?: number;
  /** Queries per minute per user (the subject) before 403 userRateLimitExceeded; Google's default 2 400 [V]. */
  userQuotaPerMinute?: number;
  requests?: GoogleSimRequest[];
}

export interface GoogleSimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface GoogleSim {
  url: string;
  /** The token endpoint (what a mapping's tokenUrl is). */
  tokenUrl: string;
  customer: GoogleCustomer;
  requests: GoogleSimRequest[];
  stop(): Promise<void>;
}

const USER_SCOPES = ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.user'];
const GROUP_SCOPES = ['https://www.googleapis.com/auth/admin.directory.group.readonly', 'https://www.googleapis.com/auth/admin.directory.group', 'https://www.googleapis.com/auth/admin.directory.group.member.readonly'];

class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    const statusText: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
    return { error: { code: this.status, message: this.message, errors: [{ message: this.message, domain: 'global', reason: this.reason }], status: statusText[this.status] ?? 'UNKNOWN' } };
  }
}

export async function startGoogleSim(customer: GoogleCustomer, opts: GoogleSimOptions): Promise<GoogleSim> {
  const { server, base } = await listen({ tls: opts.tls, port: opts.port });
  const tokenUrl = `${base}/token`;
  const requests: GoogleSimRequest[] = opts.requests ?? [];
  const tokens = new Map<string, { subject: string; scopes: string[]; expiresAt: number }>();
  const quota = new Map<string, { start: number; used: number }>();
  /** Page tokens: opaque, bound to the query they continue (Google's are valid 3 days [V]). */
  const pageTokens = new Map<string, { query: string; offset: number }>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const record: GoogleSimRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(record);
    res.on('close', () => (record.status = res.headersSent ? res.statusCode : 0));
    handle(req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new GoogleError(500, 'backendError', e instanceof Error ? e.message : String(e)).body());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (opts.latencyMs) await sleep(opts.latencyMs);
    const fault = opts.faults?.take(method, url.pathname);
    if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 0);
    if (fault && answerFault(googleShaped(fault), req, res)) return;
    const body = await readBody(req);
    if (url.pathname === '/token') {
      const reply = token(new URLSearchParams(body));
      sendJson(res, reply.status, reply.body, fault, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
      return;
    }
    try {
      sendJson(res, 200, api(method, url, req, fault), fault);
    } catch (e) {
      if (!(e instanceof GoogleError)) throw e;
      sendJson(res, e.status, e.body(), fault);
    }
  }

  function token(form: URLSearchParams): { status: number; body: unknown } {
    const oauth = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return oauth(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
    const parts = String(form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return oauth(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return oauth(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const account = customer.serviceAccounts.find((a) => a.clientEmail === claims.iss);
    if (!account) return oauth(400, 'invalid_grant', 'Invalid grant: account not found');
    if (header.alg !== 'RS256') return oauth(400, 'invalid_grant', 'Invalid JWT: algorithm must be RS256');
    if (header.kid !== undefined && header.kid !== account.keyId) return oauth(400, 'invalid_grant', 'Invalid JWT Signature.');
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(account.publicKeyPem), Buffer.from(parts[2], 'base64url'));
    if (!ok) return oauth(400, 'invalid_grant', 'Invalid JWT Signature.');
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== tokenUrl) return oauth(400, 'invalid_grant', `Invalid JWT: audience must be ${tokenUrl}`);
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= now || claims.exp - claims.iat > 3600 || claims.iat > now + 300) return oauth(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    const asked = String(claims.scope ?? '').split(' ').filter(Boolean);
    const allowed = customer.delegation[account.clientId] ?? [];
    if (!asked.length || asked.some((s) => !allowed.includes(s))) return oauth(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    // The user to act as must exist in the customer [I]; whether it may use the Admin APIs is checked per request.
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    if (!customer.users.some((u) => u.primaryEmail.toLowerCase() === subject.toLowerCase())) return oauth(400, 'invalid_grant', 'Invalid email or User ID');
    const access = `ya29.${randomBytes(32).toString('base64url')}`;
    tokens.set(access, { subject: subject.toLowerCase(), scopes: asked, expiresAt: Date.now() + 3600_000 });
    return { status: 200, body: { access_token: access, expires_in: 3599, token_type: 'Bearer' } };
  }

  function api(method: string, url: URL, req: IncomingMessage, fault: FaultRule | undefined): unknown {
    const path = url.pathname.replace(/^\/admin\/directory\/v1/, '');
    if (path === url.pathname) throw new GoogleError(404, 'notFound', 'Not Found');
    if (method !== 'GET') throw new GoogleError(405, 'httpMethodNotAllowed', 'Method not allowed');
    const caller = authenticate(req, fault);
    const q = url.searchParams;
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    let out: Record<string, unknown>;
    if (segments[0] === 'users' && segments.length === 1) {
      need(caller, USER_SCOPES);
      out = listUsers(q);
    } else if (segments[0] === 'groups' && segments.length === 1) {
      need(caller, GROUP_SCOPES);
      out = listGroups(q);
    } else if (segments[0] === 'groups' && segments.length === 2) {
      need(caller, GROUP_SCOPES);
      out = groupBody(groupByKey(segments[1]));
    } else if (segments[0] === 'groups' && segments.length === 3 && segments[2] === 'members') {
      need(caller, GROUP_SCOPES);
      const g = groupByKey(segments[1]);
      out = paged('admin#directory#members', 'members', g.members.map((m) => ({ kind: 'admin#directory#member', etag: '"m"', ...m })), q, 200, 200);
    } else throw new GoogleError(404, 'notFound', 'Not Found');
    const fields = q.get('fields');
    if (!fields) return out;
    try {
      return select(out, parseFields(fields));
    } catch (e) {
      if (e instanceof FieldsError) throw new GoogleError(400, 'invalidParameter', `Invalid field selection ${fields}`);
      throw e;
    }
  }

  function authenticate(req: IncomingMessage, fault: FaultRule | undefined): { subject: string; scopes: string[] } {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const t = m ? tokens.get(m[1]) : undefined;
    if (!t || t.expiresAt <= Date.now() || fault?.kind === 'expireToken') throw new GoogleError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    // Only administrators may use the Admin APIs [V3].
    const user = customer.users.find((u) => u.primaryEmail === t.subject);
    if (!user || !(user.isAdmin === true || user.isDelegatedAdmin === true)) throw new GoogleError(403, 'forbidden', 'Not Authorized to access this resource/api');
    const limit = opts.userQuotaPerMinute ?? 2400;
    const now = Date.now();
    let w = quota.get(t.subject);
    if (!w || now - w.start >= 60_000) quota.set(t.subject, (w = { start: now, used: 0 }));
    if (++w.used > limit) throw new GoogleError(403, 'userRateLimitExceeded', "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.");
    return t;
  }

  function need(caller: { scopes: string[] }, scopes: string[]): void {
    if (!caller.scopes.some((s) => scopes.includes(s))) throw new GoogleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
  }

  function listUsers(q: URLSearchParams): Record<string, unknown> {
    const c = q.get('customer');
    const domain = q.get('domain');
    if (!c && !domain) throw new GoogleError(400, 'badRequest', 'Bad Request');
    if (c && c !== 'my_customer' && c !== customer.customerId) throw new GoogleError(404, 'notFound', 'Resource Not Found: customer');
    const projection = q.get('projection') ?? 'basic';
    if (!['basic', 'custom', 'full'].includes(projection)) throw new GoogleError(400, 'invalidParameter', `Invalid value for projection: ${projection}`);
    const pool = q.get('showDeleted') === 'true' ? customer.deletedUsers : customer.users;
    const mask = (q.get('customFieldMask') ?? '').split(',').filter(Boolean);
    const shaped = pool.map((u) => userBody(u, projection, mask));
    return paged('admin#directory#users', 'users', shaped, q, 100, 500);
  }

  function listGroups(q: URLSearchParams): Record<string, unknown> {
    if (!q.get('customer') && !q.get('domain') && !q.get('userKey')) throw new GoogleError(400, 'badRequest', 'Bad Request');
    return paged('admin#directory#groups', 'groups', customer.groups.map(groupBody), q, 200, 200);
  }

  function groupByKey(key: string): GoogleGroupRecord {
    const g = customer.groups.find((x) => x.id === key || x.email.toLowerCase() === key.toLowerCase());
    if (!g) throw new GoogleError(404, 'notFound', 'Resource Not Found: groupKey');
    return g;
  }

  /** A page at maxResults (default `fallback`, at most `max`: more is a 400 [I]); the token carries the offset. */
  function paged(kind: string, field: string, items: unknown[], q: URLSearchParams, fallback: number, max: number): Record<string, unknown> {
    const size = q.has('maxResults') ? Number(q.get('maxResults')) : fallback;
    if (!Number.isInteger(size) || size < 1 || size > max) throw new GoogleError(400, 'invalid', `Invalid value '${q.get('maxResults')}'. Values must be within the range: [1, ${max}]`);
    const queryKey = [...q].filter(([k]) => k !== 'pageToken' && k !== 'fields').sort().join('&');
    let offset = 0;
    const t = q.get('pageToken');
    if (t) {
      const known = pageTokens.get(t);
      if (!known || known.query !== queryKey) throw new GoogleError(400, 'invalid', 'Invalid Input: pageToken');
      offset = known.offset;
    }
    const page = items.slice(offset, offset + size);
    const out: Record<string, unknown> = { kind, etag: `"${randomBytes(6).toString('hex')}"` };
    // An empty list is left out of the answer [V GDISC].
    if (page.length) out[field] = page;
    if (offset + size < items.length) {
      const next = randomBytes(18).toString('base64url');
      pageTokens.set(next, { query: queryKey, offset: offset + size });
      out.nextPageToken = next;
    }
    return out;
  }

  return {
    url: base,
    tokenUrl,
    customer,
    requests,
    stop: () => stop(server),
  };
}

/** basic leaves custom schemas out; custom gives those customFieldMask names; full gives all [V GDISC]. */
function userBody(u: GoogleUserRecord, projection: string, mask: string[]): Record<string, unknown> {
  const { customSchemas, ...rest } = u;
  if (projection === 'full') return { ...rest, ...(customSchemas ? { customSchemas } : {}) };
  if (projection === 'custom' && customSchemas) return { ...rest, customSchemas: Object.fromEntries(Object.entries(customSchemas as Record<string, unknown>).filter(([k]) => mask.includes(k))) };
  return rest;
}

function groupBody(g: GoogleGroupRecord): Record<string, unknown> {
  const { members, ...rest } = g;
  return { kind: 'admin#directory#group', etag: '"g"', ...rest, directMembersCount: String(members.filter((m) => m.type === 'USER').length), aliases: [], nonEditableAliases: [] };
}

/** A status fault without its own body answers in Google's shape (403 userRateLimitExceeded for a 403). */
function googleShaped(fault: FaultRule): FaultRule {
  if (fault.kind !== 'status' || fault.body !== undefined) return fault;
  const status = fault.status ?? 500;
  const e = status === 403 ? new GoogleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded') : status === 429 ? new GoogleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded') : new GoogleError(status, 'backendError', 'Backend Error');
  return { ...fault, body: JSON.stringify(e.body()) };
}
