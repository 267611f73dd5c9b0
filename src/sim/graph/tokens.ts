// Access tokens the simulated login service issues and Graph accepts, and verification of the
// signed client assertions of the certificate credential.
// Documented: the claims (aud, iss, tid, appid, roles, exp…) of app-only v1 tokens for Graph, and
// the client-assertion format (RFC 7523 with x5t#S256; aud = the token endpoint).
// Assumed: the simulator signs its own tokens with HMAC (real Entra signs with RS256 and publishes
// the keys); clients treat access tokens as opaque, so they cannot tell.
import { createHash, createHmac, randomUUID, timingSafeEqual, verify, X509Certificate, constants } from 'node:crypto';

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  /** 0: public client (a person signed in), 1: client secret, 2: certificate. */
  appidacr: '0' | '1' | '2';
  /** 'app' for app-only tokens (application permissions in `roles`), 'user' for delegated ones (`scp`). */
  idtyp: 'app' | 'user';
  oid: string;
  sub: string;
  roles?: string[];
  /** Delegated permissions, space-separated. */
  scp?: string;
  /** The signed-in person's sign-in name (delegated tokens). */
  upn?: string;
  tid: string;
  uti: string;
  ver: '1.0';
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export class TokenMinter {
  constructor(private readonly secret: Buffer) {}

  mint(claims: Omit<AccessTokenClaims, 'iat' | 'nbf' | 'iss' | 'idtyp' | 'sub' | 'uti' | 'ver'>): string {
    const now = Math.floor(Date.now() / 1000);
    const full: AccessTokenClaims = {
      ...claims,
      iat: now,
      nbf: now,
      iss: `https://sts.windows.net/${claims.tid}/`,
      idtyp: claims.scp === undefined ? 'app' : 'user',
      sub: claims.oid,
      uti: randomUUID().replace(/-/g, ''),
      ver: '1.0',
    };
    return this.signed(full);
  }

  /** Any claims, signed the same way (ID tokens: clients decode them, they do not verify them). */
  signed(claims: object): string {
    const head = `${b64url({ typ: 'JWT', alg: 'HS256' })}.${b64url(claims)}`;
    return `${head}.${this.sign(head)}`;
  }

  /** The token's claims, or Graph's reason for refusing it. */
  check(token: string, audience: string): AccessTokenClaims | { refused: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { refused: 'IDX14100: JWT is not well formed, there are no dots (.).' };
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { refused: 'Access token validation failure. Invalid signature.' };
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as AccessTokenClaims;
    } catch {
      return { refused: 'IDX14102: Unable to decode the payload as Base64Url encoded string.' };
    }
    if (claims.aud !== audience) return { refused: 'Access token validation failure. Invalid audience.' };
    if (claims.exp <= Math.floor(Date.now() / 1000)) return { refused: 'Lifetime validation failed, the token is expired.' };
    return claims;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

/** Why a client assertion is refused: an AADSTS code and its description. */
export interface AssertionProblem {
  code: number;
  description: string;
}

const CLOCK_SKEW_SECONDS = 300;

/**
 * Check a client assertion (RFC 7523) against the app's registered certificate.
 * Codes and wording follow AADSTS errors seen from Entra; AADSTS50013 for the audience is assumed.
 */
export function checkClientAssertion(assertion: string, opts: { clientId: string; tokenEndpoint: string; certificatePem?: string }): AssertionProblem | undefined {
  const parts = assertion.split('.');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error('parts');
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { code: 50027, description: 'JWT token is invalid or malformed.' };
  }
  const given = typeof header['x5t#S256'] === 'string' ? { alg: 'sha256', value: header['x5t#S256'] } : typeof header.x5t === 'string' ? { alg: 'sha1', value: header.x5t } : undefined;
  const givenHex = given ? Buffer.from(given.value, 'base64url').toString('hex').toUpperCase() : '';
  const cert = opts.certificatePem ? new X509Certificate(opts.certificatePem) : undefined;
  const registered = cert && given ? createHash(given.alg).update(cert.raw).digest('hex').toUpperCase() : undefined;
  if (!cert || !given || registered !== givenHex) {
    return { code: 700027, description: `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${givenHex}']` };
  }
  const alg = header.alg;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  let valid = false;
  if (alg === 'RS256') valid = verify('sha256', data, cert.publicKey, signature);
  else if (alg === 'PS256') valid = verify('sha256', data, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
  if (!valid) return { code: 700027, description: 'Client assertion failed signature validation.' };
  if (payload.iss !== opts.clientId || payload.sub !== opts.clientId) {
    return { code: 700021, description: "Client assertion application identifier doesn't match 'client_id' parameter." };
  }
  if (typeof payload.aud !== 'string' || payload.aud.toLowerCase() !== opts.tokenEndpoint.toLowerCase()) {
    return { code: 50013, description: `Assertion audience claim does not match the required value. The audience in the assertion was '${String(payload.aud)}'.` };
  }
  const now = Math.floor(Date.now() / 1000);
  const exp = Number(payload.exp);
  const nbf = payload.nbf === undefined ? now : Number(payload.nbf);
  if (!(exp + CLOCK_SKEW_SECONDS > now) || nbf - CLOCK_SKEW_SECONDS > now) {
    return { code: 700024, description: `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, expiry time of assertion ${new Date(exp * 1000).toISOString()}.` };
  }
  return undefined;
}
