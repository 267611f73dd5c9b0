// Delegated sign-in on the simulated login service: the device authorization grant (RFC 8628 as the
// Microsoft identity platform implements it) and the refresh-token grant, for public clients.
// Documented: POST /{tenant}/oauth2/v2.0/devicecode answers {device_code, user_code,
// verification_uri, expires_in, interval, message}; polling the token endpoint with grant_type
// urn:ietf:params:oauth:grant-type:device_code (MSAL sends "device_code") answers 400 authorization_pending until the person
// signs in, then {token_type, scope, expires_in, access_token, refresh_token, id_token} (plus
// client_info when asked with client_info=1); authorization_declined, expired_token and
// bad_verification_code end the wait. Delegated Graph tokens carry `scp`, not `roles`.
// Assumed: the AADSTS numbers of the declined and expired errors; the sign-in page itself, which
// here is a form a program posts to ({loginUrl}/devicelogin with code and user), not a web page.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Reply, SimContext } from './context';
import type { SimTenant } from './directory';

/** RFC 8628's name (Microsoft's documentation) and the short one MSAL sends, which Entra accepts too. */
export const DEVICE_CODE_GRANTS = ['urn:ietf:params:oauth:grant-type:device_code', 'device_code'];
const LIFETIME_SECONDS = 900;
/** Seconds between polls: Entra says 5; 1 keeps tests short and MSAL honours what it is told. */
const INTERVAL_SECONDS = 1;

interface PendingSignIn {
  tenantId: string;
  clientId: string;
  scopes: string[];
  userCode: string;
  expiresAt: number;
  state: 'pending' | 'declined' | { userId: string };
}

interface RefreshState {
  t: string;
  c: string;
  u: string;
  s: string[];
}

export class DeviceLogins {
  private readonly byDeviceCode = new Map<string, PendingSignIn>();

  /** POST /{tenant}/oauth2/v2.0/devicecode */
  start(ctx: SimContext, tenant: SimTenant, form: URLSearchParams, aadError: AadError): Reply {
    const clientId = form.get('client_id') ?? '';
    if (clientId !== tenant.data.clientId) return unknownApp(aadError, clientId, tenant.tenantId);
    const scopes = resourceScopes(ctx, form);
    if (typeof scopes === 'string') return aadError(400, 'invalid_scope', 70011, scopes);
    const deviceCode = randomBytes(32).toString('base64url');
    const userCode = randomBytes(6).toString('hex').toUpperCase().slice(0, 9);
    this.byDeviceCode.set(deviceCode, { tenantId: tenant.tenantId, clientId, scopes, userCode, expiresAt: Date.now() + LIFETIME_SECONDS * 1000, state: 'pending' });
    const verificationUri = `${ctx.loginUrl}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: LIFETIME_SECONDS,
        interval: INTERVAL_SECONDS,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /**
   * POST {loginUrl}/devicelogin with `code`, optionally `user` (a user principal name; default: the
   * tenant's first enabled member) and `decline=1`.
   */
  answer(ctx: SimContext, form: URLSearchParams): Reply {
    const code = (form.get('code') ?? '').trim().toUpperCase();
    const pending = [...this.byDeviceCode.values()].find((p) => p.userCode === code && p.state === 'pending' && p.expiresAt > Date.now());
    if (!pending) return { status: 400, body: { error: 'bad_verification_code', error_description: 'The code you entered is not valid or has expired.' } };
    if (form.get('decline') === '1') {
      pending.state = 'declined';
      return { status: 200, body: { result: 'declined' } };
    }
    const tenant = ctx.tenants.get(pending.tenantId.toLowerCase());
    const upn = form.get('user')?.toLowerCase();
    const user = tenant?.data.users.find((u) => u.accountEnabled !== false && (upn ? String(u.userPrincipalName ?? '').toLowerCase() === upn : u.userType !== 'Guest'));
    if (!user) return { status: 400, body: { error: 'invalid_user', error_description: `No enabled account ${upn ?? ''} in tenant ${pending.tenantId}.` } };
    pending.state = { userId: user.id };
    return { status: 200, body: { result: 'signed in', user: user.userPrincipalName } };
  }

  /** The token endpoint's device_code grant: pending until the person answers. */
  redeem(ctx: SimContext, tenant: SimTenant, form: URLSearchParams, aadError: AadError): Reply {
    const deviceCode = form.get('device_code') ?? '';
    const pending = this.byDeviceCode.get(deviceCode);
    if (!pending || pending.tenantId !== tenant.tenantId || pending.clientId !== form.get('client_id')) {
      return aadError(400, 'bad_verification_code', 70019, 'Verification code is not recognized.');
    }
    if (pending.expiresAt <= Date.now()) {
      this.byDeviceCode.delete(deviceCode);
      return aadError(400, 'expired_token', 70019, 'Verification code expired.');
    }
    if (pending.state === 'pending') return aadError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    this.byDeviceCode.delete(deviceCode);
    if (pending.state === 'declined') return aadError(400, 'authorization_declined', 70000, 'The user declined the sign-in.');
    return issue(ctx, tenant, pending.clientId, pending.state.userId, pending.scopes, form.get('client_info') === '1');
  }

  /** The token endpoint's refresh_token grant. */
  refresh(ctx: SimContext, tenant: SimTenant, form: URLSearchParams, aadError: AadError): Reply {
    let state: RefreshState;
    try {
      state = ctx.opaque.open<RefreshState>(form.get('refresh_token') ?? '');
    } catch {
      return aadError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    if (state.t !== tenant.tenantId || state.c !== form.get('client_id')) return aadError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    const user = tenant.data.users.find((u) => u.id === state.u);
    if (!user || user.accountEnabled === false) return aadError(400, 'invalid_grant', 50057, 'The user account is disabled or was deleted.');
    return issue(ctx, tenant, state.c, state.u, state.s, form.get('client_info') === '1');
  }
}

type AadError = (status: number, error: string, code: number, description: string) => Reply;

function unknownApp(aadError: AadError, clientId: string, tenantId: string): Reply {
  return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`);
}

/** The Graph permissions asked for (`{graphUrl}/User.Read.All`…); OpenID scopes are implied. */
function resourceScopes(ctx: SimContext, form: URLSearchParams): string[] | string {
  const asked = (form.get('scope') ?? '').split(' ').filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  const graph = `${ctx.graphUrl.toLowerCase()}/`;
  const foreign = asked.find((s) => !s.toLowerCase().startsWith(graph));
  if (!asked.length || foreign) return `The provided value for the input parameter 'scope' is not valid. The scope ${foreign ?? '(none)'} is not a permission of ${ctx.graphUrl}.`;
  return asked;
}

function issue(ctx: SimContext, tenant: SimTenant, clientId: string, userId: string, scopes: string[], clientInfo: boolean): Reply {
  const user = tenant.data.users.find((u) => u.id === userId)!;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = ctx.tokenLifetimeSeconds;
  const upn = String(user.userPrincipalName ?? '');
  const accessToken = ctx.minter.mint({
    aud: ctx.graphUrl,
    tid: tenant.tenantId,
    appid: clientId,
    appidacr: '0',
    oid: userId,
    scp: scopes.map((s) => s.slice(s.lastIndexOf('/') + 1)).join(' '),
    upn,
    exp: now + lifetime,
  });
  const idToken = ctx.minter.signed({
    ver: '2.0', iss: `${ctx.loginUrl}/${tenant.tenantId}/v2.0`, sub: userId, aud: clientId, exp: now + lifetime, iat: now, nbf: now,
    name: String(user.displayName ?? upn), preferred_username: upn, oid: userId, tid: tenant.tenantId, aio: randomUUID(),
  });
  const refreshToken = ctx.opaque.seal({ t: tenant.tenantId, c: clientId, u: userId, s: scopes, n: randomUUID() });
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      scope: [...scopes, 'openid', 'profile'].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      ...(clientInfo ? { client_info: Buffer.from(JSON.stringify({ uid: userId, utid: tenant.tenantId })).toString('base64url') } : {}),
    },
  };
}
