// Small hand-built snapshots for planner tests.
import { parse } from 'yaml';
import type { Mapping } from '../../src/core/mapping';
import type { DirectoryGroup, DirectorySnapshot, DirectoryUser, HaloAgent, HaloSnapshot, HaloUser } from '../../src/core/snapshot';

export function mappingFrom(yamlText: string): Mapping {
  return parse(yamlText) as Mapping;
}

export const BASE_MAPPING = `
version: 1
halo: { url: https://h.example, clientId: x, clientSecret: '\${env:S}' }
entra: [{ name: contoso, tenantId: t1, clientId: c, clientSecret: '\${env:E}' }]
`;

let n = 0;
/** A user as the Entra reader gives it: Graph's accountEnabled and userType among its attributes too. */
export function entraUser(name: string, extra: { id?: string; accountEnabled?: boolean; userType?: string; managerId?: string | null; attrs?: Record<string, unknown> } = {}): DirectoryUser {
  n++;
  const local = name.toLowerCase().replace(/ /g, '.');
  const accountEnabled = extra.accountEnabled ?? true;
  const userType = extra.userType ?? 'Member';
  const attrs: Record<string, unknown> = { accountEnabled, userType, displayName: name, mail: `${local}@contoso.com`, userPrincipalName: `${local}@contoso.com`, givenName: name.split(' ')[0], surname: name.split(' ')[1] ?? '', ...extra.attrs };
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    id: extra.id ?? `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    enabled: accountEnabled,
    guest: userType === 'Guest',
    name: text(attrs.displayName),
    email: text(attrs.mail),
    login: text(attrs.userPrincipalName),
    managerId: extra.managerId,
    attrs,
  };
}

export function entra(users: DirectoryUser[], groups: Record<string, DirectoryUser[]>, tenant = 'contoso'): DirectorySnapshot {
  const gs: DirectoryGroup[] = Object.entries(groups).map(([ref, members], i) => ({ ref, id: `g${i}`, displayName: ref, memberIds: members.map((m) => m.id) }));
  return { tenants: [{ tenant, users, groups: gs }] };
}

export function haloUser(id: number, u: Partial<HaloUser> & { email?: string } = {}): HaloUser {
  return {
    id,
    name: u.name ?? `User ${id}`,
    clientId: u.clientId ?? 1,
    siteId: u.siteId ?? 10,
    inactive: u.inactive ?? false,
    azureoid: u.azureoid === undefined && !('azureoid' in u) ? null : u.azureoid,
    roles: u.roles ?? [],
    fields: { emailaddress: u.email ?? null, name: u.name ?? `User ${id}`, ...u.fields },
  };
}

export function haloAgent(id: number, a: Partial<HaloAgent> & { email?: string } = {}): HaloAgent {
  return {
    id,
    name: a.name ?? `Agent ${id}`,
    disabled: a.disabled ?? false,
    isApiAgent: a.isApiAgent ?? false,
    team: a.team ?? null,
    teams: a.teams ?? [],
    roles: a.roles ?? [],
    licence: a.licence,
    fields: { email: a.email ?? null, name: a.name ?? `Agent ${id}`, ...a.fields },
  };
}

export function halo(parts: Partial<HaloSnapshot> = {}): HaloSnapshot {
  return {
    users: [],
    agents: [],
    clients: [{ id: 1, name: 'Contoso', inactive: false }, { id: 2, name: 'Fabrikam', inactive: false }],
    sites: [
      { id: 10, name: 'Head Office', clientId: 1, inactive: false },
      { id: 11, name: 'Leeds', clientId: 1, inactive: false },
      { id: 20, name: 'Fabrikam HQ', clientId: 2, inactive: false },
    ],
    agentRoles: [{ id: 'r1', name: 'Technician' }, { id: 'r2', name: 'Administrator' }, { id: 'r3', name: 'Finance Viewer' }],
    userRoles: [{ id: 1, name: 'End User' }, { id: 2, name: 'Approver' }, { id: 3, name: 'Portal Admin' }],
    teams: [{ id: 1, name: 'Service Desk' }, { id: 2, name: 'Projects' }],
    cabs: [],
    stats: { requests: 0, detailReads: 0, warnings: [] },
    ...parts,
  };
}
