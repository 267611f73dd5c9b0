// Who is pushing: each IdP connection of the mapping has its own credentials, a long-lived bearer
// token or OAuth 2.0 client credentials (several of each at once, for rotation), and a request is
// that connection's alone. Secrets are compared as SHA-256 digests in constant time and never
// logged. Access tokens from the token endpoint are signed with a key derived from the client
// secret that issued them, so they outlive a restart, work on every replica, and die with the
// secret when it is rotated out.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface BridgeCredential {
  /** The mapping's `scim[].name`. */
  connection: string;
  /** Long-lived bearer tokens (Entra's Secret Token). */
  tokens: string[];
  clientId?: string;
  clientSecrets: string[];
  /** Lifetime of access tokens (Entra's gallery rules: 60 min to 6 h). */
  tokenMinutes: number;
}

export type TokenAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const PREFIX = 'hisa';

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class BridgeAuth {
  private readonly bearers: Array<{ digest: Buffer; connection: string }> = [];
  private readonly clients = new Map<string, { credential: BridgeCredential; secrets: Buffer[]; keys: Buffer[] }>();

  constructor(credentials: readonly BridgeCredential[]) {
    const seen = new Map<string, string>();
    for (const c of credentials) {
      for (const t of [...c.tokens, ...c.clientSecrets]) {
        if (t.length < 32) throw new Error(`scim ${c.connection}: every token and client secret must be at least 32 characters (halo-identity scim token makes one)`);
        const d = digest(t).toString('hex');
        const other = seen.get(d);
        if (other && other !== c.connection) throw new Error(`scim ${c.connection}: shares a secret with ${other}; each connection needs its own`);
        seen.set(d, c.connection);
      }
      for (const t of c.tokens) this.bearers.push({ digest: digest(t), connection: c.connection });
      if (c.clientId) {
        if (this.clients.has(c.clientId)) throw new Error(`scim ${c.connection}: clientId ${c.clientId} is used by another connection too`);
        this.clients.set(c.clientId, { credential: c, secrets: c.clientSecrets.map(digest), keys: c.clientSecrets.map(signingKey) });
      }
    }
  }

  /** The connection an `Authorization` header speaks for, or undefined. */
  connectionOf(authorization: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const token = m[1];
    if (token.startsWith(`${PREFIX}.`)) return this.verifyAccessToken(token);
    const d = digest(token);
    let found: string | undefined;
    // Every token is compared, so the time taken does not say which one was close.
    for (const b of this.bearers) if (same(b.digest, d)) found = b.connection;
    return found;
  }

  private verifyAccessToken(token: string): string | undefined {
    const [, payload, mac] = token.split('.');
    if (!payload || !mac) return undefined;
    let claims: { c?: unknown; i?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    const client = typeof claims.i === 'string' ? this.clients.get(claims.i) : undefined;
    if (!client || claims.c !== client.credential.connection || typeof claims.e !== 'number' || claims.e * 1000 < Date.now()) return undefined;
    const given = Buffer.from(mac, 'base64url');
    let ok = false;
    for (const key of client.keys) if (same(createHmac('sha256', key).update(payload).digest(), given)) ok = true;
    return ok ? client.credential.connection : undefined;
  }

  /**
   * The token endpoint (RFC 6749 §4.4): `grant_type=client_credentials` with the client's id and
   * secret in the form body or as HTTP Basic (RFC 6749 §2.3.1); `scope` is accepted and ignored.
   */
  token(form: URLSearchParams, authorization: string | undefined): TokenAnswer {
    const fail = (status: number, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description }, headers: status === 401 ? { 'WWW-Authenticate': 'Basic realm="halo-identity"' } : undefined });
    if (form.get('grant_type') !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        id = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      }
    }
    if (!id || !secret) return fail(401, 'invalid_client', 'client authentication failed');
    const client = this.clients.get(id);
    const d = digest(secret);
    let index = -1;
    (client?.secrets ?? []).forEach((s, i) => {
      if (same(s, d)) index = i;
    });
    if (!client || index < 0) return fail(401, 'invalid_client', 'client authentication failed');
    const expiresIn = client.credential.tokenMinutes * 60;
    const payload = b64(JSON.stringify({ c: client.credential.connection, i: id, e: Math.floor(Date.now() / 1000) + expiresIn, n: randomBytes(9).toString('base64url') }));
    const mac = b64(createHmac('sha256', client.keys[index]).update(payload).digest());
    return { status: 200, body: { access_token: `${PREFIX}.${payload}.${mac}`, token_type: 'Bearer', expires_in: expiresIn }, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
  }
}

function signingKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('halo-identity scim access token v1').digest();
}

/** A new random secret for a connection (`halo-identity scim token`): 256 bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
