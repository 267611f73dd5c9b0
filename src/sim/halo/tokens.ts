// The authorisation server: client-credentials tokens for the one API application of the instance.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HaloState } from '../state';
import { Reply, oauthError } from './replies';

interface Issued {
  clientId: string;
  expiresAt: number;
  scopes: string[];
}

export type TokenCheck = { ok: true; clientId: string; scopes: string[] } | { ok: false };

export class TokenStore {
  private readonly issued = new Map<string, Issued>();

  constructor(private readonly lifetimeSeconds: number) {}

  issue(clientId: string, scope: string): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, { clientId, expiresAt: Date.now() + this.lifetimeSeconds * 1000, scopes: scope.split(/\s+/).filter(Boolean) });
    return { token, expiresIn: this.lifetimeSeconds };
  }

  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const issued = m ? this.issued.get(m[1]) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) return { ok: false };
    return { ok: true, clientId: issued.clientId, scopes: issued.scopes };
  }

  /** An `expireToken` fault: the presented token stays dead, as a really expired one would. */
  expire(authorization: string | undefined): void {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const issued = m ? this.issued.get(m[1]) : undefined;
    if (issued) issued.expiresAt = 0;
  }
}

/**
 * POST /auth/token, form-encoded [V]. `tenant` comes as a query parameter [V] or in the form [U:
 * some clients send it there; accepted here]. It is required when the instance is hosted.
 */
export function tokenRequest(state: HaloState, store: TokenStore, query: URLSearchParams, body: string): Reply {
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
  if (state.tenant !== null) {
    const tenant = query.get('tenant') ?? form.get('tenant');
    // [I] the wording and status for a missing or foreign tenant are not documented.
    if (!tenant) return oauthError(400, 'invalid_request', 'The tenant parameter is required');
    if (tenant.toLowerCase() !== state.tenant.toLowerCase()) return oauthError(401, 'invalid_client');
  }
  const clientId = form.get('client_id') ?? '';
  const secret = form.get('client_secret') ?? '';
  if (clientId !== state.clientId || !sameSecret(secret, state.clientSecret)) return oauthError(401, 'invalid_client'); // [V]
  const scope = form.get('scope') || 'all';
  const { token, expiresIn } = store.issue(clientId, scope);
  return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope } };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a token's scopes allow a request [I]. Scope names are HaloAPI's (`all`, `admin`,
 * `read:customers`, `edit:customers`, …); no source says which scope covers agents, teams, roles
 * and CABs (there is no `edit:agents`), so the strictest reading: `all` or `admin`, reads included.
 * Users, sites and clients are customers: read with `read:`/`edit:customers`, written with `edit:`.
 */
export function scopeAllows(scopes: string[], method: string, resource: string): boolean {
  if (scopes.includes('all')) return true;
  if (['users', 'site', 'client', 'userroles'].includes(resource)) {
    return method === 'GET' ? scopes.some((s) => s === 'read:customers' || s === 'edit:customers' || s === 'admin') : scopes.some((s) => s === 'edit:customers' || s === 'admin');
  }
  return scopes.includes('admin');
}
