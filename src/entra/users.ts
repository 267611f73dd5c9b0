// Every user of the tenant with exactly the attributes the mapping reads.
import type { EntraNeeds } from '../core/needs';
import type { EntraUser } from '../core/snapshot';
import type { GraphClient, GraphObject } from './graph-client';
import { queryString } from './query';

/** Graph can only $select top-level properties: `onPremisesExtensionAttributes.extensionAttribute1` reads its parent. */
function rootProperty(attribute: string): string {
  return attribute.split(/[.[]/, 1)[0];
}

/** The $select list: the mapping's attributes plus what every EntraUser carries. */
export function userSelect(needs: EntraNeeds): string[] {
  return [...new Set(['id', 'accountEnabled', 'userType', ...needs.attributes.map(rootProperty)])];
}

export async function readUsers(client: GraphClient, needs: EntraNeeds, pageSize: number, signal: AbortSignal): Promise<EntraUser[]> {
  const select = userSelect(needs);
  const dotted = nestedAttributes(needs);
  const url = client.url(
    `/users?${queryString({ $select: select.join(','), $top: pageSize, $expand: needs.manager ? 'manager($select=id)' : undefined })}`,
  );
  const users: EntraUser[] = [];
  for await (const page of client.pages(url, signal)) {
    for (const raw of page.value) users.push(toEntraUser(client, raw, select, dotted, needs.manager));
  }
  attachManagerAttributes(users, needs.managerAttributes);
  return users;
}

/** Attributes of a complex property (employeeOrgData.division) that each user also carries by that name. */
export function nestedAttributes(needs: EntraNeeds): string[] {
  return needs.attributes.filter((a) => a.includes('.'));
}

/**
 * `manager.mail` and the like: the manager is a user of the same tenant, read in the same list,
 * so their attributes come from their own record rather than one request per user. Every user
 * gets each name (null without a manager, or one outside the list), so a re-read overwrites all.
 */
export function attachManagerAttributes(users: EntraUser[], names: readonly string[]): void {
  if (!names.length) return;
  const byId = new Map(users.map((u) => [u.id, u]));
  for (const u of users) {
    const manager = u.managerId ? byId.get(u.managerId) : undefined;
    for (const n of names) u.attrs[`manager.${n}`] = manager?.attrs[n] ?? null;
  }
}

export function toEntraUser(client: GraphClient, raw: GraphObject, select: string[], dotted: string[], withManager: boolean): EntraUser {
  const id = raw.id;
  if (typeof id !== 'string' || !id) throw client.malformed('GET /v1.0/users', 'a user has no id');
  if (typeof raw.accountEnabled !== 'boolean') {
    // Never guess: treating an unknown state as disabled would deprovision the person.
    throw client.malformed('GET /v1.0/users', `user ${id} has no accountEnabled value`);
  }
  const attrs: Record<string, unknown> = {};
  for (const p of select) attrs[p] = raw[p] ?? null;
  // A nested attribute is also given under the name the mapping uses.
  for (const path of dotted) attrs[path] = path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw) ?? null;
  const user: EntraUser = { id, accountEnabled: raw.accountEnabled, userType: typeof raw.userType === 'string' ? raw.userType : null, attrs };
  if (withManager) {
    const m = raw.manager as { id?: unknown } | null | undefined;
    user.managerId = m && typeof m.id === 'string' ? m.id : null;
  }
  return user;
}
