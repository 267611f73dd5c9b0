// Signing in to the Directory API as Google documents it for servers (directory-sources.md, Google
// "Authentication"): a service account with domain-wide delegation signs a JWT (RS256, iss = its
// email, sub = the administrator it acts as, aud = the token URL, at most an hour) and trades it at
// the token endpoint with the JWT bearer grant of RFC 7523.
import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import type { HttpClient } from '../../net/http';
import { DirectoryReadError, Redactor } from '../errors';
import type { RetryOptions } from '../source';
import { oauthSays, postTokenRequest } from '../token-request';
import type { ResolvedGoogleConnection } from './settings';

/** What a plan reads with: users, and groups with their members [V GDISC]. */
export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.group.readonly'];

const MARGIN_MS = 120_000;

export class GoogleAuth {
  readonly redactor = new Redactor();
  private readonly key: KeyObject;
  private current: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<{ token: string; expiresAt: number }> | undefined;

  constructor(
    private readonly conn: ResolvedGoogleConnection,
    private readonly http: HttpClient,
    private readonly retry: RetryOptions = {},
  ) {
    this.redactor.add(conn.key.private_key);
    try {
      this.key = createPrivateKey(conn.key.private_key);
    } catch (e) {
      throw new DirectoryReadError(`Google Workspace connection "${conn.name}": the service account key's private_key is not a PEM private key (${(e as Error).message}).`, { tenant: conn.name, endpoint: 'sign-in' });
    }
  }

  /** A bearer token; `rejected` is one the API refused (401): a new one is fetched. */
  async token(signal?: AbortSignal, rejected?: string): Promise<string> {
    const c = this.current;
    if (c && c.token !== rejected && c.expiresAt - Date.now() > MARGIN_MS) return c.token;
    this.inflight ??= this.request(signal).finally(() => (this.inflight = undefined));
    this.current = await this.inflight;
    return this.current.token;
  }

  assertion(now = Date.now()): string {
    const k = this.conn.key;
    const iat = Math.floor(now / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(k.private_key_id ? { kid: k.private_key_id } : {}) };
    const claims = { iss: k.client_email, scope: GOOGLE_SCOPES.join(' '), aud: this.conn.tokenUrl, iat, exp: iat + 3600, sub: this.conn.subject };
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.key).toString('base64url')}`;
  }

  private async request(signal?: AbortSignal): Promise<{ token: string; expiresAt: number }> {
    const name = this.conn.name;
    const fail = (why: string, status?: number, code?: string) => new DirectoryReadError(this.redactor.apply(`Sign-in to Google Workspace "${name}" failed: ${why}`), { tenant: name, endpoint: 'sign-in', status, code });
    const form = () => new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion() });
    const { res, body: data, attempts } = await postTokenRequest(this.http, this.conn.tokenUrl, form, this.retry, signal, (why) => fail(why));
    if (res.status !== 200) {
      const { code, said } = oauthSays(data);
      const hint =
        code === 'unauthorized_client'
          ? ` In the Admin console, Security → Access and data control → API controls → Domain-wide delegation: allow the service account's client ID the scopes ${GOOGLE_SCOPES.join(', ')}.`
          : code === 'invalid_grant'
            ? ` Check google[].subject (an administrator of the domain) and this machine's clock.`
            : '';
      const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
      throw fail(`the token endpoint answered ${res.status}${said ? ` (${said})` : ''}${tries}.${hint}`, res.status, code);
    }
    if (typeof data.access_token !== 'string' || !data.access_token) throw fail('the token endpoint\'s answer holds no access token.');
    this.redactor.add(data.access_token);
    const seconds = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 3600;
    return { token: data.access_token, expiresAt: Date.now() + seconds * 1000 };
  }
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
