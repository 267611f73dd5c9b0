// One authenticated Graph request as the route handlers see it, and the permission check.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimContext } from './context';
import type { SimTenant } from './directory';
import { GraphError } from './odata';
import type { AccessTokenClaims } from './tokens';

export interface GraphRequest {
  ctx: SimContext;
  tenant: SimTenant;
  claims: AccessTokenClaims;
  /** Path below the version segment, e.g. `/users` or `/groups/{id}/transitiveMembers`. */
  path: string;
  /** `https://host:port/v1.0`: the base of every link the answer carries. */
  base: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Permissions that allow reading users, and groups with their members (MGD api pages); the same names serve as application (`roles`) and delegated (`scp`) permissions. */
export const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
/** signInActivity (MGD resources/signinactivity.md): AuditLog.Read.All, for apps and delegated alike. */
export const AUDIT_READ = ['AuditLog.Read.All'];
export const GROUP_READ = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

export function requireRole(r: GraphRequest, anyOf: string[]): void {
  const granted = [...(r.claims.roles ?? []), ...(r.claims.scp ?? '').split(' ')];
  if (!granted.some((p) => anyOf.includes(p))) {
    throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
}

/** `$count=true` on directory objects needs `ConsistencyLevel: eventual` (documented advanced query). */
export function wantsCount(r: GraphRequest): boolean {
  if (r.query.get('$count') !== 'true') return false;
  if (String(r.headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
    throw new GraphError(400, 'Request_BadRequest', '$count is not currently supported.');
  }
  return true;
}

/** The offset a `$skiptoken` stands for on this route (0 on the first page). */
export function offsetOf(r: GraphRequest, route: string): number {
  const token = r.query.get('$skiptoken');
  if (token === null) return 0;
  const state = r.ctx.opaque.open<{ k: string; o: number }>(token);
  if (state.k !== route) throw new GraphError(400, 'Request_BadRequest', 'The $skiptoken does not belong to this request.');
  return state.o;
}

/** A collection page: `@odata.context`, `@odata.nextLink` when more follow, `value`. */
export function page<T>(r: GraphRequest, route: string, context: string, items: T[], offset: number, size: number, project: (item: T) => unknown, count?: number): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': `${r.base}/$metadata#${context}` };
  if (count !== undefined && offset === 0) body['@odata.count'] = count;
  const rest = items.length - (offset + size);
  if (rest > 0) {
    const q = new URLSearchParams(r.query);
    q.set('$skiptoken', r.ctx.opaque.seal({ k: route, o: offset + size }));
    body['@odata.nextLink'] = `${r.base}${r.path}?${q.toString().replace(/%24/g, '$')}`;
  }
  body.value = items.slice(offset, offset + size).map(project);
  return body;
}
