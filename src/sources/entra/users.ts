// Every user of the tenant with exactly the attributes the mapping reads.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryUser } from '../../core/snapshot';
import type { GraphClient, GraphObject } from './graph-client';
import { queryString } from './query';
import { attachManagerAttributes } from '../managers';

/** Graph can only $select top-level properties: `onPremisesExtensionAttributes.extensionAttribute1` reads its parent. */
function rootProperty(attribute: string): string {
  return attribute.split(/[.[]/, 1)[0];
}

/** What every user is read with, whatever the mapping: identity, state, and what names and matches them. */
const BASE_SELECT = ['id', 'accountEnabled', 'userType', 'displayName', 'mail', 'userPrincipalName'];

/** The $select list: what every user carries plus the mapping's attributes. */
export function userSelect(needs: DirectoryNeeds): string[] {
  return [...new Set(['id', 'accountEnabled', 'userType', ...[...new Set([...BASE_SELECT, ...needs.attributes])].sort().map(rootProperty)])];
}

export async function readUsers(client: GraphClient, needs: DirectoryNeeds, pageSize: number, signal: AbortSignal): Promise<DirectoryUser[]> {
  const select = userSelect(needs);
  const dotted = nestedAttributes(needs);
  const url = client.url(
    `/users?${queryString({ $select: select.join(','), $top: pageSize, $expand: needs.manager ? 'manager($select=id)' : undefined })}`,
  );
  const users: DirectoryUser[] = [];
  for await (const page of client.pages(url, signal)) {
    for (const raw of page.value) users.push(toEntraUser(client, raw, select, dotted, needs.manager));
  }
  attachManagerAttributes(users, needs.managerAttributes);
  return users;
}

/** Attributes of a complex property (employeeOrgData.division) that each user also carries by that name. */
export function nestedAttributes(needs: DirectoryNeeds): string[] {
  return needs.attributes.filter((a) => a.includes('.'));
}

export function toEntraUser(client: GraphClient, raw: GraphObject, select: string[], dotted: string[], withManager: boolean): DirectoryUser {
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
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const user: DirectoryUser = { id, enabled: raw.accountEnabled, guest: raw.userType === 'Guest', name: text(raw.displayName), email: text(raw.mail), login: text(raw.userPrincipalName), attrs };
  if (withManager) {
    const m = raw.manager as { id?: unknown } | null | undefined;
    user.managerId = m && typeof m.id === 'string' ? m.id : null;
  }
  return user;
}
