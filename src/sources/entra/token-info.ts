// For "Test Connections": sign in and report what the Graph token allows.
import { attributePermission } from '../../core/attributes';
import { directoryNamed } from '../../core/directories';
import type { DirectoryNeeds } from '../../core/needs';
import { authFor } from './auth';
import type { ResolvedEntraConnection } from './connection';
import { EntraReadError } from './errors';
import type { EntraReadOptions } from './options';

export interface EntraTokenInfo {
  /** Application permissions granted (the token's `roles`), e.g. User.Read.All. */
  roles: string[];
  /** Delegated permissions (the token's `scp`), when a person signed in rather than the app. */
  scopes: string[];
  expiresOn: Date;
  tenantId: string | undefined;
  appId: string | undefined;
}

export async function tokenInfo(conn: ResolvedEntraConnection, opts: Pick<EntraReadOptions, 'http' | 'signal' | 'log' | 'timeoutMs'>): Promise<EntraTokenInfo> {
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const { accessToken, expiresOn } = await auth.token(opts.signal);
  const claims = decodePayload(accessToken);
  if (!claims) {
    throw new EntraReadError(`Entra tenant "${conn.name}": the access token is not a JWT, so its permissions cannot be shown.`, { tenant: conn.name, endpoint: 'sign-in' });
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  return {
    roles,
    scopes,
    expiresOn,
    tenantId: typeof claims.tid === 'string' ? claims.tid : undefined,
    appId: typeof claims.appid === 'string' ? claims.appid : typeof claims.azp === 'string' ? claims.azp : undefined,
  };
}

/**
 * The mapping's needs less the attributes this token may not read (signInActivity without
 * AuditLog.Read.All): those would make Graph refuse the whole users list with a 403, so they are
 * left out and named, and the planner leaves the Halo fields they fill as they are. A token that
 * is not a JWT cannot be looked into: everything is asked for, and Graph decides.
 */
export async function readableNeeds(auth: { token(signal?: AbortSignal): Promise<{ accessToken: string }> }, needs: DirectoryNeeds, signal?: AbortSignal): Promise<{ needs: DirectoryNeeds; unread: string[] }> {
  const entra = directoryNamed('entra')!;
  const gated = needs.attributes.filter((a) => attributePermission(entra, a) !== undefined);
  if (!gated.length) return { needs, unread: [] };
  const claims = decodePayload((await auth.token(signal)).accessToken);
  if (!claims) return { needs, unread: [] };
  const granted = new Set([...(Array.isArray(claims.roles) ? claims.roles : []), ...(typeof claims.scp === 'string' ? claims.scp.split(' ') : [])]);
  const unread = gated.filter((a) => !granted.has(attributePermission(entra, a)!));
  return unread.length ? { needs: { ...needs, attributes: needs.attributes.filter((a) => !unread.includes(a)) }, unread } : { needs, unread };
}

/** The claims of a JWT, unverified (we only display them; Graph verifies). */
function decodePayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const v = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
