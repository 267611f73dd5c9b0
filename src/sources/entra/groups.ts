// Groups named by the mapping: found by object id or by display name (exactly one must match),
// and their transitive members that are users.
import type { DirectoryGroup } from '../../core/snapshot';
import { EntraReadError } from './errors';
import type { GraphClient } from './graph-client';
import { isObjectId, odataString, queryString } from './query';

const USER_TYPE = '#microsoft.graph.user';

export async function readGroup(client: GraphClient, tenant: string, ref: string, pageSize: number, signal: AbortSignal): Promise<DirectoryGroup> {
  const { id, displayName } = await resolveGroup(client, tenant, ref, signal);
  return { ref, id, displayName, memberIds: await transitiveUserIds(client, id, pageSize, signal) };
}

export async function resolveGroup(client: GraphClient, tenant: string, ref: string, signal: AbortSignal): Promise<{ id: string; displayName: string }> {
  if (isObjectId(ref)) {
    try {
      const g = await client.get(client.url(`/groups/${ref.trim()}?${queryString({ $select: 'id,displayName' })}`), signal);
      return { id: String(g.id), displayName: String(g.displayName ?? '') };
    } catch (e) {
      if (e instanceof EntraReadError && e.details.status === 404) {
        throw new EntraReadError(`Entra tenant "${tenant}" has no group with object id ${ref}: check the mapping (a deleted group is never read as empty).`, { ...e.details });
      }
      throw e;
    }
  }
  const url = client.url(`/groups?${queryString({ $filter: `displayName eq ${odataString(ref)}`, $select: 'id,displayName', $top: 999 })}`);
  const found: Array<{ id: string; displayName: string }> = [];
  for await (const page of client.pages(url, signal)) {
    for (const g of page.value) {
      if (typeof g.id !== 'string') throw client.malformed('GET /v1.0/groups', 'a group has no id');
      found.push({ id: g.id, displayName: String(g.displayName ?? '') });
    }
  }
  if (found.length === 0) {
    throw new EntraReadError(`Entra tenant "${tenant}" has no group named "${ref}": check the name in the mapping, or name the group by its object id.`, { tenant, endpoint: 'GET /v1.0/groups' });
  }
  if (found.length > 1) {
    throw new EntraReadError(
      `Entra tenant "${tenant}" has ${found.length} groups named "${ref}" (${found.map((g) => g.id).join(', ')}): name the group by its object id in the mapping.`,
      { tenant, endpoint: 'GET /v1.0/groups' },
    );
  }
  return found[0];
}

/** Users among the group's transitive members; nested groups, devices and contacts are dropped. */
async function transitiveUserIds(client: GraphClient, groupId: string, pageSize: number, signal: AbortSignal): Promise<string[]> {
  const url = client.url(`/groups/${groupId}/transitiveMembers?${queryString({ $select: 'id', $top: pageSize })}`);
  const ids = new Set<string>();
  for await (const page of client.pages(url, signal)) {
    for (const m of page.value) {
      if (typeof m.id !== 'string' || typeof m['@odata.type'] !== 'string') {
        throw client.malformed(`GET /v1.0/groups/${groupId}/transitiveMembers`, 'a member has no id or @odata.type');
      }
      if (m['@odata.type'] === USER_TYPE) ids.add(m.id);
    }
  }
  return [...ids];
}
