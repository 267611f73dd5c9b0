// Groups the mapping names, by name or id, and their members. Okta groups do not nest: a group's
// members are users, and these are the group's members in full (directory-sources.md, "Groups").
import type { DirectoryGroup } from '../../core/snapshot';
import { DirectoryReadError } from '../errors';
import type { OktaClient, OktaObject } from './client';

/** Members per page: Okta's default for /groups/{id}/users (its recommendation is 200 [V]). */
export const MEMBERS_PAGE = 1000;
/** Groups per page when listing them all (Okta allows up to 10 000; 200 is recommended) [V]. */
export const GROUPS_PAGE = 200;

/** Okta object ids: 20 characters starting 00 (groups 00g…) [I, from the ids Okta's documents show]. */
const GROUP_ID = /^00g[A-Za-z0-9]{17}$/;

export function groupName(g: OktaObject): string {
  return String((g.profile as { name?: unknown } | undefined)?.name ?? '');
}

/** The group a reference names: exactly one, never a guess (a name two groups share is an error). */
export async function resolveGroup(client: OktaClient, tenant: string, ref: string, signal?: AbortSignal): Promise<{ id: string; name: string }> {
  const fail = (why: string) => new DirectoryReadError(`Reading Okta "${tenant}" failed: ${why}; nothing was read from this org.`, { tenant, endpoint: 'GET /api/v1/groups' });
  if (GROUP_ID.test(ref)) {
    const found: OktaObject[] = [];
    for await (const page of client.pages(client.url(`/groups?${new URLSearchParams({ filter: `id eq "${ref}"` })}`), signal)) found.push(...page);
    if (found.length === 1) return { id: ref, name: groupName(found[0]) };
  }
  // q is a prefix match on the name, without paging: every group starting with the name comes at once.
  const candidates: OktaObject[] = [];
  for await (const page of client.pages(client.url(`/groups?${new URLSearchParams({ q: ref, limit: '10000' })}`), signal)) candidates.push(...page);
  const exact = candidates.filter((g) => groupName(g) === ref);
  const folded = exact.length ? exact : candidates.filter((g) => groupName(g).toLowerCase() === ref.toLowerCase());
  if (folded.length > 1) throw fail(`${folded.length} groups are named "${ref}" (${folded.map((g) => g.id).join(', ')}): name the group by its id`);
  if (!folded.length) throw fail(`no group is named "${ref}"${GROUP_ID.test(ref) ? ' or has that id' : ''}`);
  const g = folded[0];
  if (typeof g.id !== 'string') throw client.malformed('GET /api/v1/groups', 'a group has no id');
  return { id: g.id, name: groupName(g) };
}

export async function readGroup(client: OktaClient, tenant: string, ref: string, signal?: AbortSignal): Promise<DirectoryGroup> {
  const { id, name } = await resolveGroup(client, tenant, ref, signal);
  const memberIds: string[] = [];
  for await (const page of client.pages(client.url(`/groups/${id}/users?limit=${MEMBERS_PAGE}`), signal)) {
    for (const u of page) {
      if (typeof u.id !== 'string') throw client.malformed(`GET /api/v1/groups/{id}/users`, 'a member has no id');
      memberIds.push(u.id);
    }
  }
  return { ref, id, displayName: name, memberIds };
}
