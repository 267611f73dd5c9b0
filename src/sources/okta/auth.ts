// Signing in to Okta: an SSWS API token as it is, or an OAuth 2.0 service app's client-credentials
// token, which Okta grants only with private_key_jwt (directory-sources.md, Okta "Authentication"):
// a JWT signed with the app's private key, iss = sub = client id, aud = the token URL, at most 1 h.
import { createPrivateKey, KeyObject, randomUUID, sign } from 'node:crypto';
import type { HttpClient } from '../../net/http';
import { DirectoryReadError, Redactor } from '../errors';
import type { RetryOptions } from '../source';
import { oauthSays, postTokenRequest } from '../token-request';
import type { ResolvedOktaConnection } from './settings';

/** The scopes a plan reads with (okta.users.read for users, okta.groups.read for groups and members). */
export const OKTA_SCOPES = ['okta.users.read', 'okta.groups.read'];

/** Refresh this long before the token's end, so a page never goes out with a token about to lapse. */
const MARGIN_MS = 120_000;

export class OktaAuth {
  readonly redactor = new Redactor();
  readonly tokenUrl: string;
  private current: { header: string; expiresAt: number; scopes: string[] } | undefined;
  private inflight: Promise<{ header: string; expiresAt: number; scopes: string[] }> | undefined;
  private readonly key: KeyObject | undefined;

  constructor(
    private readonly conn: ResolvedOktaConnection,
    private readonly http: HttpClient,
    private readonly retry: RetryOptions = {},
  ) {
    this.tokenUrl = `${conn.orgUrl}/oauth2/v1/token`;
    const c = conn.credential;
    if (c.kind === 'api-token') {
      this.redactor.add(c.token);
    } else {
      this.redactor.add(c.privateKey);
      try {
        this.key = createPrivateKey(c.privateKey);
      } catch (e) {
        throw new DirectoryReadError(`Okta connection "${conn.name}": the private key is not a PEM private key (${(e as Error).message}).`, { tenant: conn.name, endpoint: 'sign-in' });
      }
    }
  }

  get kind(): 'service-app' | 'api-token' {
    return this.conn.credential.kind;
  }

  /** The Authorization header; `rejected` is one Okta refused (401): a new token is fetched. */
  async header(signal?: AbortSignal, rejected?: string): Promise<string> {
    const c = this.conn.credential;
    if (c.kind === 'api-token') return `SSWS ${c.token}`;
    const fresh = this.current && this.current.header !== rejected && this.current.expiresAt - Date.now() > MARGIN_MS;
    if (fresh) return this.current!.header;
    this.inflight ??= this.requestToken(signal).finally(() => (this.inflight = undefined));
    this.current = await this.inflight;
    return this.current.header;
  }

  /** The scopes the service app's token carries (undefined for an API token, which has none). */
  async scopes(signal?: AbortSignal): Promise<string[] | undefined> {
    if (this.conn.credential.kind === 'api-token') return undefined;
    await this.header(signal);
    return this.current?.scopes;
  }

  /** The client assertion: RS256 for an RSA key, ES256/384/512 for an EC key, valid five minutes. */
  assertion(now = Date.now()): string {
    const c = this.conn.credential;
    if (c.kind !== 'service-app' || !this.key) throw new Error('no service app key');
    const alg = algorithmOf(this.key);
    const header = { alg, typ: 'JWT', ...(c.keyId ? { kid: c.keyId } : {}) };
    const iat = Math.floor(now / 1000);
    const claims = { iss: c.clientId, sub: c.clientId, aud: this.tokenUrl, iat, exp: iat + 300, jti: randomUUID() };
    const input = `${b64(header)}.${b64(claims)}`;
    const hash = alg.endsWith('256') ? 'sha256' : alg.endsWith('384') ? 'sha384' : 'sha512';
    const signature = sign(hash, Buffer.from(input), alg.startsWith('ES') ? { key: this.key, dsaEncoding: 'ieee-p1363' } : this.key);
    return `${input}.${signature.toString('base64url')}`;
  }

  private async requestToken(signal?: AbortSignal): Promise<{ header: string; expiresAt: number; scopes: string[] }> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: OKTA_SCOPES.join(' '),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    const fail = (why: string, status?: number, code?: string) =>
      new DirectoryReadError(this.redactor.apply(`Sign-in to Okta "${this.conn.name}" failed: ${why}`), { tenant: this.conn.name, endpoint: 'sign-in', status, code });
    const withAssertion = () => {
      form.set('client_assertion', this.assertion());
      return form;
    };
    const { res, body, attempts } = await postTokenRequest(this.http, this.tokenUrl, withAssertion, this.retry, signal, (why) => fail(why));
    if (res.status !== 200) {
      const { code, said } = oauthSays(body);
      // [I] Okta answers invalid_dpop_proof when the app requires DPoP-bound tokens; we send no proofs.
      if (code === 'invalid_dpop_proof' || /dpop/i.test(said)) {
        throw fail(`the service app requires DPoP-bound tokens (${said}). Halo Identity does not send DPoP proofs: in Okta, turn off "Require Demonstrating Proof of Possession (DPoP) header in token requests" for this app.`, res.status, code);
      }
      const hint = code === 'invalid_client' ? ' Check okta[].clientId and that the app\'s public key matches the private key (and keyId).' : code === 'invalid_scope' ? ` Grant the app the scopes ${OKTA_SCOPES.join(' and ')} (Okta API Scopes).` : '';
      const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
      throw fail(`the token endpoint answered ${res.status}${said ? ` (${said})` : ''}${tries}.${hint}`, res.status, code);
    }
    const token = body.access_token;
    const type = body.token_type;
    if (typeof token !== 'string' || !token || (typeof type === 'string' && type.toLowerCase() !== 'bearer')) throw fail(`the token endpoint's answer holds no bearer access token.`);
    this.redactor.add(token);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const scopes = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : OKTA_SCOPES;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + seconds * 1000, scopes };
  }
}

function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  throw new Error(`Okta signs client assertions with RSA or EC keys, not ${key.asymmetricKeyType}`);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
