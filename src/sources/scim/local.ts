// Reads one connection of the bridge's store (SQLite, opened read-only while the bridge writes):
// a consistent snapshot in one read transaction, all or nothing.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryTenant } from '../../core/snapshot';
import { ScimStore } from '../../scim/store';
import { DirectoryReadError } from '../errors';
import type { SourceLog } from '../source';
import { directoryGroups, directoryUsers, ScimGroup } from './users';

export function readStore(file: string, tenant: string, needs: DirectoryNeeds, log?: SourceLog): DirectoryTenant {
  const fail = (why: string) => new DirectoryReadError(`Reading SCIM "${tenant}" from the bridge's store failed: ${why}; nothing was read from this connection.`, { tenant, endpoint: 'store' });
  let store: ScimStore;
  try {
    store = ScimStore.openReadOnly(file);
  } catch (e) {
    throw fail((e as Error).message);
  }
  try {
    const { users, groups } = store.snapshot(tenant);
    const resources = users.map((u) => ({ ...u.resource, id: u.id, active: u.active }));
    const members = new Map<string, string[]>();
    for (const m of groups.members) members.set(m.groupId, [...(members.get(m.groupId) ?? []), m.memberId]);
    const scimGroups: ScimGroup[] = groups.list.map((g) => ({ id: g.id, externalId: g.externalId, displayName: g.displayName, memberIds: members.get(g.id) ?? [] }));
    const directory = directoryUsers(resources, needs);
    return { tenant, users: directory, groups: directoryGroups(scimGroups, needs.groups, new Set(directory.map((u) => u.id)), fail, (m) => log?.('warn', `SCIM "${tenant}": ${m}`)) };
  } catch (e) {
    if (e instanceof DirectoryReadError) throw e;
    throw fail((e as Error).message);
  } finally {
    store.close();
  }
}

export function storeGroupNames(file: string, tenant: string): Array<{ id: string; displayName: string }> {
  const store = ScimStore.openReadOnly(file);
  try {
    return store.groups(tenant).map((g) => ({ id: g.id, displayName: g.displayName }));
  } finally {
    store.close();
  }
}
