// Names from the cached snapshots, for completion and did-you-mean diagnostics. A list is given
// only when the snapshot read it in full: a list left out is not checked, whereas a partial list
// would flag real names as unknown.
import { tenantOf } from './directories';
import type { Mapping } from './mapping';
import type { HaloNeeds } from './needs';
import type { LiveNames } from './semantic';
import type { DirectorySnapshot, HaloSnapshot } from './snapshot';

const sorted = (xs: Iterable<string>) => [...new Set(xs)].filter(Boolean).sort((a, b) => a.localeCompare(b));

export function liveNamesOf(
  snapshots: { directories: DirectorySnapshot; halo: HaloSnapshot },
  read: HaloNeeds,
  /** Every group of each tenant, when it could be listed. */
  allGroups: Record<string, string[]> | undefined,
  /** The current mapping, whose own group names count as known when a tenant's full list is not. */
  mapping: Mapping | null,
): LiveNames {
  const { halo, directories } = snapshots;
  const clientName = new Map(halo.clients.map((c) => [c.id, c.name]));
  const groups: Record<string, string[]> = {};
  for (const t of directories.tenants) {
    if (allGroups?.[t.tenant]) {
      groups[t.tenant] = allGroups[t.tenant];
      continue;
    }
    const named = mappingGroups(mapping, t.tenant);
    groups[t.tenant] = sorted([...t.groups.flatMap((g) => [g.displayName, g.ref]), ...named]);
  }
  return {
    groups,
    agentRoles: read.agentRoles ? sorted(halo.agentRoles.map((r) => r.name)) : undefined,
    userRoles: read.userRoles ? sorted(halo.userRoles.map((r) => r.name)) : undefined,
    teams: read.teams ? sorted(halo.teams.map((t) => t.name)) : undefined,
    clients: sorted(halo.clients.map((c) => c.name)),
    sites: halo.sites
      .filter((s) => clientName.has(s.clientId))
      .map((s) => ({ client: clientName.get(s.clientId)!, name: s.name }))
      .sort((a, b) => a.client.localeCompare(b.client) || a.name.localeCompare(b.name)),
    cabs: read.cabs ? halo.cabs.map((c) => ({ name: c.name, roles: sorted(c.roles) })).sort((a, b) => a.name.localeCompare(b.name)) : undefined,
  };
}

function mappingGroups(mapping: Mapping | null, tenant: string): string[] {
  if (!mapping) return [];
  const mine = (item: { tenant?: string; source?: string }) => tenantOf(mapping, item) === tenant;
  const out: string[] = [];
  for (const rule of [...(mapping.agents ?? []), ...(mapping.users ?? [])]) {
    if (!mine(rule)) continue;
    if (rule.from.group) out.push(rule.from.group);
    out.push(...(rule.from.groups ?? []));
  }
  for (const g of mapping.roles ?? []) if (mine(g) && g.group) out.push(g.group);
  for (const c of mapping.cab ?? []) if (mine(c)) out.push(c.group);
  return out;
}
