// Managed scope and name resolution: which Halo records the mapping may touch, and the Halo
// clients, sites, roles, teams and CABs its names refer to. Unknown names stop the plan.
import type { Mapping } from './mapping';
import { tenantOf } from './directories';
import type { DirectoryUser, HaloSite, HaloSnapshot, HaloUser } from './snapshot';
import { nameKey } from './values';

/** The mapping names something Halo does not have: no plan can be trusted. */
export class PlanInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PlanInputError';
  }
}

type Kind = 'agent' | 'user';

export interface Scope {
  client(name: string): { id: number; name: string };
  /** The Halo client of that name (clientFrom values), or undefined: clients are never created. */
  clientNamed(name: string): { id: number; name: string } | undefined;
  /** Every client's name, for did-you-mean. */
  clientList(): string[];
  clientName(id: number | null): string;
  site(clientId: number, name: string): HaloSite | undefined;
  userInScope(record: HaloUser): boolean;
  /** Tenants whose user rules target the record's client or site (where its azureoid resolves). */
  tenantsForUser(record: HaloUser): string[];
  /** Whether the identity's `kind` record (agent or user) is protected by email or Entra id. */
  isProtectedIdentity(tenant: string, user: DirectoryUser, kind: Kind): boolean;
  isProtectedRecord(kind: Kind, id: number, email: unknown, azureoid: unknown): boolean;
  /** Role/team/CAB names the mapping manages (name keys). */
  managedRoles(kind: Kind): Set<string>;
  managedTeams(): Set<string>;
  managedCabs(kind: Kind): Set<string>;
  /** Halo's own spelling of a name the mapping uses. */
  roleName(kind: Kind, name: string): string;
  teamName(name: string): string;
  /** Names of the managed CABs a record sits on. */
  cabsOf(kind: Kind, id: number): string[];
  /** The CAB role a record holds on a managed CAB it sits on (null: none set). */
  cabRoleOf(kind: Kind, id: number, cab: string): string | null;
}

/** Most records sit on no managed CAB: one shared empty list (callers only read it). */
const NO_CABS: string[] = Object.freeze([]) as unknown as string[];

/** `namedClients`: per `clientFrom` rule, the client names its users' attribute holds (clientNamesByRule). */
export function resolveScope(mapping: Mapping, halo: HaloSnapshot, namedClients: ReadonlyMap<string, Iterable<string>> = new Map()): Scope {
  const problems: string[] = [];
  const byName = <T extends { name: string }>(xs: T[]) => new Map(xs.map((x) => [nameKey(x.name), x]));
  // Active records win over inactive ones of the same name.
  const clients = byName([...halo.clients.filter((c) => c.inactive), ...halo.clients.filter((c) => !c.inactive)]);
  const sites = new Map<string, HaloSite>();
  for (const s of [...halo.sites].sort((a, b) => Number(!a.inactive) - Number(!b.inactive))) sites.set(`${s.clientId}\u0000${nameKey(s.name)}`, s);
  // Every identity of a siteFrom rule looks its site up by the same few names.
  const siteLookups = new Map<number, Map<string, HaloSite | undefined>>();
  const findSite = (clientId: number, name: string) => {
    let byName = siteLookups.get(clientId);
    if (!byName) siteLookups.set(clientId, (byName = new Map()));
    if (byName.has(name)) return byName.get(name);
    const site = sites.get(`${clientId}\u0000${nameKey(name)}`);
    byName.set(name, site);
    return site;
  };

  const managedClients = new Map<number, Set<string>>();
  const managedSites = new Map<number, Set<string>>();
  const add = (m: Map<number, Set<string>>, id: number, tenant: string) => (m.get(id) ?? m.set(id, new Set()).get(id)!).add(tenant);
  for (const rule of mapping.users ?? []) {
    const tenant = tenantOf(mapping, rule);
    if (rule.clientFrom) {
      if (rule.clientDefault && !clients.has(nameKey(rule.clientDefault))) problems.push(`rule ${rule.rule}: Halo has no client named "${rule.clientDefault}" (clientDefault)`);
      // Each client the attribute names: a name Halo lacks is that user's error, not the plan's.
      for (const name of namedClients.get(rule.rule) ?? []) {
        const client = clients.get(nameKey(name));
        if (!client) continue;
        const site = rule.site !== undefined ? findSite(client.id, rule.site) : undefined;
        if (rule.siteFrom) add(managedClients, client.id, tenant);
        else if (site) add(managedSites, site.id, tenant);
      }
      continue;
    }
    const client = clients.get(nameKey(rule.client!));
    if (!client) {
      problems.push(`rule ${rule.rule}: Halo has no client named "${rule.client}"`);
      continue;
    }
    if (rule.siteFrom) add(managedClients, client.id, tenant);
    else if (rule.site) {
      const site = findSite(client.id, rule.site);
      if (site) add(managedSites, site.id, tenant);
      else problems.push(`rule ${rule.rule}: Halo has no site "${rule.site}" under ${client.name}`);
    }
    if (rule.siteDefault && !rule.createSites && !findSite(client.id, rule.siteDefault)) problems.push(`rule ${rule.rule}: siteDefault "${rule.siteDefault}" does not exist under ${client.name}`);
  }

  const managed = (names: Iterable<string>, known: Map<string, { name: string }> | null, what: string) => {
    const out = new Set<string>();
    for (const n of names) {
      out.add(nameKey(n));
      if (known && !known.has(nameKey(n))) problems.push(`Halo has no ${what} named "${n}"`);
    }
    return out;
  };
  const grants = mapping.roles ?? [];
  const agentRoleNames = byName(halo.agentRoles);
  const userRoleNames = byName(halo.userRoles);
  const teamNames = byName(halo.teams);
  const cabNames = byName(halo.cabs);
  const roles = {
    agent: managed([...(mapping.agents ?? []).flatMap((r) => r.roles ?? []), ...grants.flatMap((g) => g.agentRoles ?? [])], agentRoleNames, 'agent role'),
    user: managed([...(mapping.users ?? []).flatMap((r) => r.roles ?? []), ...grants.flatMap((g) => g.userRoles ?? [])], userRoleNames, 'user role'),
  };
  const teams = managed((mapping.agents ?? []).flatMap((r) => (r.team ? [r.team] : [])), teamNames, 'team');
  const cabs = {
    agent: managed((mapping.cab ?? []).filter((c) => c.members !== 'users').map((c) => c.cab), cabNames, 'CAB'),
    user: managed((mapping.cab ?? []).filter((c) => c.members === 'users').map((c) => c.cab), cabNames, 'CAB'),
  };
  for (const c of mapping.cab ?? []) {
    const cab = halo.cabs.find((x) => nameKey(x.name) === nameKey(c.cab));
    if (cab && c.role && !cab.roles.some((r) => nameKey(r) === nameKey(c.role!))) problems.push(`CAB "${cab.name}" has no role named "${c.role}"`);
  }
  if (problems.length) throw new PlanInputError([...new Set(problems)]);

  const cabMembership = { agent: new Map<number, string[]>(), user: new Map<number, string[]>() };
  const cabRoles = new Map<string, string | null>();
  for (const cab of halo.cabs) {
    for (const m of cab.members) {
      for (const [kind, id] of [['agent', m.agentId], ['user', m.userId]] as const) {
        if (id === null || !cabs[kind].has(nameKey(cab.name))) continue;
        (cabMembership[kind].get(id) ?? cabMembership[kind].set(id, []).get(id)!).push(cab.name);
        cabRoles.set(`${kind}\u0000${id}\u0000${nameKey(cab.name)}`, m.role);
      }
    }
  }

  const protect = mapping.protect ?? [];
  // Per kind: an entry without `kind` protects both the agent and the user record.
  const protectedBy = (key: 'email' | 'entraId') => {
    const of = { agent: new Set<string>(), user: new Set<string>() };
    for (const p of protect) {
      const v = p[key];
      if (!v) continue;
      for (const kind of p.kind ? [p.kind] : (['agent', 'user'] as const)) of[kind].add(v.toLowerCase());
    }
    return of;
  };
  const protectedEmails = protectedBy('email');
  const protectedEntra = protectedBy('entraId');
  const anyByIdentity = protectedEmails.agent.size + protectedEmails.user.size + protectedEntra.agent.size + protectedEntra.user.size > 0;
  const clientNames = new Map(halo.clients.map((c) => [c.id, c.name]));

  return {
    client: (name) => clients.get(nameKey(name))!,
    clientNamed: (name) => {
      const c = clients.get(nameKey(name));
      return c && !c.inactive ? c : undefined;
    },
    clientList: () => halo.clients.filter((c) => !c.inactive).map((c) => c.name),
    clientName: (id) => (id === null ? 'no client' : (clientNames.get(id) ?? `client #${id}`)),
    site: findSite,
    userInScope: (r) => (r.clientId !== null && managedClients.has(r.clientId)) || (r.siteId !== null && managedSites.has(r.siteId)),
    tenantsForUser: (r) => [...new Set([...(managedClients.get(r.clientId ?? -1) ?? []), ...(managedSites.get(r.siteId ?? -1) ?? [])])].sort(),
    isProtectedIdentity: (_tenant, user, kind) => {
      // Asked for every identity: nothing to lower-case when nothing is protected.
      if (!anyByIdentity) return false;
      const { mail, userPrincipalName: upn } = user.attrs;
      return (
        protectedEntra[kind].has(user.id.toLowerCase()) ||
        (typeof mail === 'string' && protectedEmails[kind].has(mail.toLowerCase())) ||
        (typeof upn === 'string' && protectedEmails[kind].has(upn.toLowerCase()))
      );
    },
    isProtectedRecord: (kind, id, email, azureoid) =>
      protect.some((p) => p.haloId === id && (p.kind === undefined || p.kind === kind)) ||
      (typeof email === 'string' && protectedEmails[kind].has(email.toLowerCase())) ||
      (typeof azureoid === 'string' && protectedEntra[kind].has(azureoid.toLowerCase())),
    managedRoles: (kind) => roles[kind],
    managedTeams: () => teams,
    managedCabs: (kind) => cabs[kind],
    roleName: (kind, n) => (kind === 'agent' ? agentRoleNames : userRoleNames).get(nameKey(n))?.name ?? n,
    teamName: (n) => teamNames.get(nameKey(n))?.name ?? n,
    cabsOf: (kind, id) => cabMembership[kind].get(id) ?? NO_CABS,
    cabRoleOf: (kind, id, cab) => cabRoles.get(`${kind}\u0000${id}\u0000${nameKey(cab)}`) ?? null,
  };
}
