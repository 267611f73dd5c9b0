// Seeded synthetic tenants: an Entra directory and a Halo instance that already holds part of it,
// with the shapes real tenants have (nested groups, guests, disabled and deleted accounts,
// managers, offices, records linked by azureoid or only by email, drift, orphans, an API agent).
// The names match examples/halo-identity.yaml so the normative mapping plans against it.
import type { GraphGroup, GraphTenant, GraphUser, HaloRecord, HaloState, World } from './state';

export interface WorldOptions {
  /** Entra users in the main tenant (10 to 100 000). */
  users: number;
  seed?: number;
  /** Groups in the tenant, the mapping's own included (default: enough for the mapping, plus filler). */
  groups?: number;
  /** Share of in-scope Entra staff already in Halo (0..1). */
  haloShare?: number;
  /** Add the awkward cases: empty office, a match outside scope, an ambiguous email. */
  anomalies?: boolean;
  /** The Entra tenant id (defaults to the example mapping's). */
  tenantId?: string;
  /** The tenant's mail domain (default contoso.com). */
  domain?: string;
}

export const DEMO_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const DEMO_DOMAIN = 'contoso.com';

const GIVEN = ['Ada', 'Ben', 'Chloe', 'Dev', 'Ella', 'Finn', 'Grace', 'Hugo', 'Isla', 'Jack', 'Kai', 'Lena', 'Maya', 'Noah', 'Olive', 'Priya', 'Quinn', 'Ravi', 'Sofia', 'Theo', 'Uma', 'Vik', 'Willa', 'Xander', 'Yara', 'Zoe'];
const SURNAMES = ['Adams', 'Brown', 'Clarke', 'Davies', 'Evans', 'Fraser', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Morgan', 'Nowak', "O'Brien", 'Patel', 'Quinn', 'Roberts', 'Smith', 'Taylor', 'Usman', 'Walker', 'Young', 'Zhang'];
const OFFICES = ['Head Office', 'Head Office', 'Head Office', 'Leeds', 'Manchester', 'Bristol', 'Glasgow'];
const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'Support', 'Operations', 'People', 'Legal', 'Marketing'];
const TITLES = ['Analyst', 'Engineer', 'Consultant', 'Manager', 'Coordinator', 'Specialist', 'Director', 'Associate'];

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(r: () => number): string {
  const h = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[Math.floor(r() * 4)]}${h(3)}-${h(12)}`;
}

export function generateWorld(options: WorldOptions): World {
  const r = rng(options.seed ?? 1);
  const n = Math.max(10, options.users);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const anomalies = options.anomalies ?? true;
  const domain = options.domain ?? DEMO_DOMAIN;
  const tenant: GraphTenant = {
    tenantId: options.tenantId ?? DEMO_TENANT_ID,
    clientId: guid(r),
    clientSecret: `sim-secret-${Math.floor(r() * 1e9).toString(36)}`,
    users: [],
    groups: [],
    devices: [],
    managers: {},
  };

  // Users: about 3 % guests, 4 % disabled, the rest members spread over offices and departments.
  const dept: string[] = [];
  for (let i = 0; i < n; i++) {
    const given = pick(GIVEN);
    const surname = pick(SURNAMES);
    const guest = i > 5 && chance(0.03);
    const local = `${given}.${surname}${i}`.toLowerCase().replace(/'/g, '');
    const mail = guest ? `${local}@partner.example` : `${local}@${domain}`;
    const office = anomalies && i % 97 === 13 ? '' : pick(OFFICES);
    dept.push(pick(DEPARTMENTS));
    const user: GraphUser = {
      id: guid(r),
      displayName: `${given} ${surname}`,
      givenName: given,
      surname,
      mail,
      userPrincipalName: guest ? `${local}_partner.example#EXT#@${domain}` : mail,
      jobTitle: pick(TITLES),
      department: dept[i],
      officeLocation: office || null,
      businessPhones: chance(0.8) ? [`+44 20 7946 ${String(i % 10000).padStart(4, '0')}`] : [],
      mobilePhone: chance(0.5) ? `+44 7700 ${String(900000 + (i % 100000))}` : null,
      preferredLanguage: 'en-GB',
      accountEnabled: i < 5 || !chance(0.04),
      userType: guest ? 'Guest' : 'Member',
      employeeId: String(100000 + i),
      companyName: 'Contoso',
    };
    tenant.users.push(user);
    if (i > 0 && chance(0.85)) tenant.managers[user.id] = tenant.users[Math.floor(r() * i)].id;
  }
  const users = tenant.users;
  const members = users.filter((u) => u.userType === 'Member');

  // Groups: All Staff nests one group per department; SG-Halo-Agents nests two tiers and holds a device.
  const group = (displayName: string, memberIds: string[]): GraphGroup => {
    const g = { id: guid(r), displayName, members: memberIds };
    tenant.groups.push(g);
    return g;
  };
  const deptGroups = DEPARTMENTS.map((d) => group(`Dept-${d}`, users.filter((_, i) => dept[i] === d && users[i].userType === 'Member').map((u) => u.id)));
  const guestsInStaff = users.filter((u) => u.userType === 'Guest').slice(0, 3).map((u) => u.id);
  group('All Staff', [...deptGroups.map((g) => g.id), ...guestsInStaff]);
  const agentCount = Math.max(4, Math.min(2000, Math.round(n * 0.05)));
  const agents = members.slice(0, agentCount);
  const tier1 = group('SG-Tier1', agents.filter((_, i) => i % 3 === 0).map((u) => u.id));
  const tier2 = group('SG-Tier2', agents.filter((_, i) => i % 3 === 1).map((u) => u.id));
  tenant.devices.push({ id: guid(r), displayName: 'KIOSK-01' });
  group('SG-Halo-Agents', [tier1.id, tier2.id, ...agents.filter((_, i) => i % 3 === 2).map((u) => u.id), tenant.devices[0].id]);
  group('SG-Halo-Admins', agents.slice(0, Math.max(1, Math.round(agents.length * 0.1))).map((u) => u.id));
  group('SG-Approvers', members.filter((_, i) => i % 50 === 7).map((u) => u.id));
  group('SG-CAB', agents.filter((_, i) => i % 4 === 1).map((u) => u.id));
  const fillerTarget = options.groups ?? Math.min(2000, 20 + Math.round(n / 50));
  for (let i = tenant.groups.length; i < fillerTarget; i++) {
    const size = 1 + Math.floor(r() * 30);
    group(`Project-${i}`, Array.from({ length: size }, () => pick(users).id));
  }
  // A user who left: in the agent group in Halo's memory but deleted from Entra (see Halo below).
  const deletedIds = Array.from({ length: Math.max(1, Math.round(n * 0.005)) }, () => guid(r));

  const halo = haloFor(users, agents, deletedIds, options.haloShare ?? 0.7, anomalies, r);
  return { graph: [tenant], halo };
}

function haloFor(users: GraphUser[], agents: GraphUser[], deletedIds: string[], share: number, anomalies: boolean, r: () => number): HaloState {
  const chance = (p: number) => r() < p;
  const clients: HaloRecord[] = [
    { id: 1, name: 'Contoso', inactive: false },
    { id: 2, name: 'Fabrikam', inactive: false },
  ];
  const sites: HaloRecord[] = [
    { id: 10, name: 'Head Office', client_id: 1, client_name: 'Contoso', inactive: false },
    { id: 11, name: 'Leeds', client_id: 1, client_name: 'Contoso', inactive: false },
    { id: 12, name: 'Manchester', client_id: 1, client_name: 'Contoso', inactive: false },
    { id: 20, name: 'Fabrikam HQ', client_id: 2, client_name: 'Fabrikam', inactive: false },
  ];
  const siteByName = new Map(sites.filter((s) => s.client_id === 1).map((s) => [s.name as string, s]));
  const roles = [
    { id: '03cbebd0-3443-4b7b-8121-9a94ccfc49d1', id_int: 5, name: 'Technician' },
    { id: '1b7e1a52-0f43-4c84-9d4e-3d1b2b0c7a10', id_int: 6, name: 'Administrator' },
    { id: '5c1d2a33-7a8e-4b0c-a1f2-9e8d7c6b5a40', id_int: 7, name: 'Finance Viewer' },
  ];
  const userRoles: HaloRecord[] = [
    { id: 1, name: 'End User' },
    { id: 2, name: 'Approver' },
    { id: 3, name: 'Senior Staff' },
    { id: 4, name: 'Portal Admin' },
  ];
  const teams: HaloRecord[] = [
    { id: 1, name: 'Service Desk', inactive: false },
    { id: 2, name: 'Projects', inactive: false },
    { id: 3, name: '2nd Line', inactive: false },
  ];
  const role = (name: string) => roles.find((x) => x.name === name)!;
  const team = (t: HaloRecord) => ({ team_id: t.id, team_name: t.name });

  const haloAgents: HaloRecord[] = [
    { id: 1, name: 'API Integration', email: 'api@contoso.com', isdisabled: false, isapiagent: true, team: 'Service Desk', teams: [team(teams[0])], roles: [role('Administrator')], licence_type: 0 },
    { id: 2, name: 'Local Admin', email: 'admin@contoso-it.local', isdisabled: false, isapiagent: false, team: 'Projects', teams: [team(teams[1])], roles: [role('Administrator')], licence_type: 0 },
  ];
  let agentId = 3;
  agents.forEach((u, i) => {
    if (!chance(Math.min(0.9, share + 0.1))) return;
    const drift = i % 7 === 3;
    haloAgents.push({
      id: agentId++,
      name: u.displayName,
      firstname: u.givenName,
      surname: u.surname,
      email: i % 5 === 2 ? String(u.mail).toUpperCase() : u.mail,
      jobtitle: drift ? 'Old Title' : u.jobTitle,
      isdisabled: i % 17 === 5,
      isapiagent: false,
      team: i % 6 === 4 ? '2nd Line' : 'Service Desk',
      teams: i % 6 === 4 ? [team(teams[2])] : [team(teams[0])],
      roles: i % 8 === 1 ? [role('Technician'), role('Finance Viewer')] : [role('Technician')],
      licence_type: 0,
      // Uname_List's lastlogindate: most within the month, some long idle, a few never (no value).
      lastlogindate: i % 11 === 6 ? null : lastLogin((i * 37) % 120),
    });
  });
  // An agent whose Entra account is enabled but no longer in any agent group: to be deactivated.
  const leaver = users.find((u) => u.userType === 'Member' && u.accountEnabled && !agents.includes(u));
  if (leaver) haloAgents.push({ id: agentId++, name: leaver.displayName, email: leaver.mail, isdisabled: false, isapiagent: false, team: 'Service Desk', teams: [team(teams[0])], roles: [role('Technician')], licence_type: 0 });

  const haloUsers: HaloRecord[] = [];
  let userId = 100;
  const userRole = (name: string) => {
    const x = userRoles.find((y) => y.name === name)!;
    return { id: x.id, name: x.name };
  };
  const siteFor = (office: unknown) => siteByName.get(String(office ?? '')) ?? siteByName.get('Head Office')!;
  users.forEach((u, i) => {
    if (u.userType !== 'Member' || !chance(share)) return;
    const site = i % 23 === 9 ? siteByName.get('Manchester')! : siteFor(u.officeLocation);
    const linked = i % 5 !== 0;
    haloUsers.push({
      id: userId++,
      name: u.displayName,
      firstname: u.givenName,
      surname: u.surname,
      emailaddress: i % 11 === 4 ? String(u.mail).toUpperCase() : u.mail,
      title: i % 9 === 2 ? 'Previous Title' : u.jobTitle,
      phonenumber: (u.businessPhones as string[])[0] ?? null,
      site_id: site.id,
      site_name: site.name,
      client_id: 1,
      client_name: 'Contoso',
      inactive: i % 31 === 6,
      azureoid: linked ? u.id : null,
      roles: [userRole('End User')],
      customfields: [{ id: 201, name: 'CFDepartment', value: i % 13 === 1 ? 'Unknown' : u.department }],
    });
  });
  const contosoSite = siteByName.get('Head Office')!;
  const extra = (name: string, email: string, fields: Record<string, unknown> = {}) =>
    haloUsers.push({ id: userId++, name, emailaddress: email, site_id: contosoSite.id, site_name: contosoSite.name, client_id: 1, client_name: 'Contoso', inactive: false, azureoid: null, roles: [], customfields: [], ...fields });
  // Orphans: contacts nobody in Entra claims.
  for (let k = 0; k < Math.max(1, Math.round(users.length * 0.01)); k++) extra(`Former Contact ${k}`, `former.contact${k}@${DEMO_DOMAIN}`);
  // Linked to Entra objects that no longer exist: deprovisioned as deleted.
  deletedIds.forEach((oid, k) => extra(`Deleted User ${k}`, `deleted.user${k}@${DEMO_DOMAIN}`, { azureoid: oid }));
  // The break-glass account the mapping protects.
  extra('Break Glass', `breakglass@${DEMO_DOMAIN}`);
  // Out of scope: Fabrikam's contacts are never touched.
  for (let k = 0; k < 3; k++) haloUsers.push({ id: userId++, name: `Fabrikam Contact ${k}`, emailaddress: `contact${k}@fabrikam.example`, site_id: 20, site_name: 'Fabrikam HQ', client_id: 2, client_name: 'Fabrikam', inactive: false, azureoid: null, roles: [], customfields: [] });
  if (anomalies) {
    // An Entra member whose only Halo record sits under another client: a per-identity error.
    const stray = users.find((u, i) => u.userType === 'Member' && u.accountEnabled && i > 20 && !haloUsers.some((h) => h.azureoid === u.id || String(h.emailaddress).toLowerCase() === String(u.mail).toLowerCase()));
    if (stray) haloUsers.push({ id: userId++, name: stray.displayName, emailaddress: stray.mail, site_id: 20, site_name: 'Fabrikam HQ', client_id: 2, client_name: 'Fabrikam', inactive: false, azureoid: null, roles: [], customfields: [] });
  }

  const cabMembers = haloAgents.filter((a, i) => !a.isapiagent && i % 5 === 0).map((a) => ({ cab_id: 1, agent_id: a.id, member_name: a.name, role_id: 1, role_name: 'Approver', type: 1 }));
  const cabs: HaloRecord[] = [
    { id: 1, name: 'Change Advisory Board', members: cabMembers, roles: [{ id: 1, name: 'Approver' }, { id: 2, name: 'Chair' }] },
  ];
  return { clientId: 'halo-sim-client', clientSecret: `halo-sim-${Math.floor(r() * 1e9).toString(36)}`, tenant: 'contoso', users: haloUsers, agents: haloAgents, sites, clients, roles, userRoles, teams, cabs, customFields: [{ id: 201, name: 'CFDepartment' }] };
}

/** Halo's agent lastlogindate `days` ago, as the list rows give it (a local date-time, no zone). */
function lastLogin(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 19);
}
