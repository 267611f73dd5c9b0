// Groups the mapping names, by email, id or name, and their members. Google groups nest: without
// includeDerivedMembership a member list is direct members only, and GROUP rows are expanded here,
// once each (a visited set guards against a cycle the API should refuse anyway). The documented
// derived-membership option is not used, as issue trackers report it dropping members
// (directory-sources.md, "members.list").
import type { DirectoryGroup } from '../../core/snapshot';
import { DirectoryReadError } from '../errors';
import type { GoogleClient, GoogleObject } from './client';

/** groups.list and members.list take at most 200 a page [V GDISC]. */
export const GROUPS_PAGE = 200;
export const MEMBERS_PAGE = 200;

export async function listGroups(client: GoogleClient, customer: string, signal?: AbortSignal): Promise<GoogleObject[]> {
  const out: GoogleObject[] = [];
  for await (const page of client.pages(client.url('/groups', { customer, maxResults: GROUPS_PAGE }), 'groups', signal)) out.push(...page);
  return out;
}

/** The group a reference names: by email or id with one request; by name from the list, exactly one. */
export async function resolveGroup(client: GoogleClient, tenant: string, customer: string, ref: string, signal?: AbortSignal): Promise<{ id: string; name: string }> {
  const fail = (why: string) => new DirectoryReadError(`Reading Google Workspace "${tenant}" failed: ${why}; nothing was read from this customer.`, { tenant, endpoint: 'GET /groups' });
  if (ref.includes('@') || /^[0-9a-z]{10,20}$/.test(ref)) {
    try {
      const g = await client.get(client.url(`/groups/${encodeURIComponent(ref)}`), signal);
      if (typeof g.id === 'string') return { id: g.id, name: String(g.name ?? g.email ?? ref) };
    } catch (e) {
      if (!(e instanceof DirectoryReadError) || e.details.status !== 404) throw e;
      if (ref.includes('@')) throw fail(`no group has the address ${ref}`);
    }
  }
  const all = await listGroups(client, customer, signal);
  const exact = all.filter((g) => g.name === ref);
  const folded = exact.length ? exact : all.filter((g) => String(g.name ?? '').toLowerCase() === ref.toLowerCase());
  if (folded.length > 1) throw fail(`${folded.length} groups are named "${ref}" (${folded.map((g) => g.email).join(', ')}): name the group by its address`);
  if (!folded.length) throw fail(`no group is named "${ref}"`);
  return { id: String(folded[0].id), name: String(folded[0].name) };
}

/** Direct members of one group: users' and groups' ids, and whether the whole customer is a member. */
export async function directMembers(client: GoogleClient, id: string, signal?: AbortSignal): Promise<{ users: string[]; groups: string[]; customer: boolean }> {
  const out = { users: [] as string[], groups: [] as string[], customer: false };
  for await (const page of client.pages(client.url(`/groups/${encodeURIComponent(id)}/members`, { maxResults: MEMBERS_PAGE }), 'members', signal)) {
    for (const m of page) {
      if (m.type === 'CUSTOMER') {
        out.customer = true;
        continue;
      }
      if (typeof m.id !== 'string') throw client.malformed('GET /groups/{key}/members', 'a member has no id');
      if (m.type === 'GROUP') out.groups.push(m.id);
      else if (m.type === 'USER') out.users.push(m.id);
      // An external address (no Workspace account) has no user in this directory: not a member to provision.
    }
  }
  return out;
}

/** The group with its members transitively; `everyone`: the whole customer is a member (its users join once read). */
export async function readGroup(client: GoogleClient, tenant: string, customer: string, ref: string, signal?: AbortSignal): Promise<{ group: DirectoryGroup; everyone: boolean }> {
  const { id, name } = await resolveGroup(client, tenant, customer, ref, signal);
  const users = new Set<string>();
  const visited = new Set<string>([id]);
  const queue = [id];
  let everyone = false;
  while (queue.length) {
    const members = await directMembers(client, queue.shift()!, signal);
    for (const u of members.users) users.add(u);
    everyone ||= members.customer;
    for (const g of members.groups) {
      if (visited.has(g)) continue;
      visited.add(g);
      queue.push(g);
    }
  }
  return { group: { ref, id, displayName: name, memberIds: [...users] }, everyone };
}
