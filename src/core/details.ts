// Which Halo records need a detail read: managed records whose list rows lacked something the
// plan depends on (the link, roles, teams, mapped fields). Never guess a missing value.
import type { Mapping } from './mapping';
import { DEFAULT_MATCH_AGENTS } from './mapping';
import { haloNeeds } from './needs';
import { resolveScope } from './scope';
import type { DirectorySnapshot, HaloSnapshot } from './snapshot';
import { identityMatchValue, normalise } from './values';

export function detailsNeeded(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot): { users: number[]; agents: number[] } {
  const needs = haloNeeds(mapping);
  const users: number[] = [];
  if ((mapping.users ?? []).length) {
    const scope = resolveScope(mapping, halo);
    for (const u of halo.users) {
      if (!scope.userInScope(u)) continue;
      const lacks = u.azureoid === undefined || (needs.userRoles && u.roles === undefined) || needs.userFields.some((f) => !(f in u.fields));
      if (lacks) users.push(u.id);
    }
  }
  const agents: number[] = [];
  if ((mapping.agents ?? []).length) {
    const keys = mapping.match?.agents ?? DEFAULT_MATCH_AGENTS;
    const wanted = new Map(keys.map((k) => [k, new Set<string>()]));
    for (const t of directories.tenants) {
      for (const user of t.users) {
        for (const k of keys) {
          const v = normalise(k, identityMatchValue(mapping.fields?.agents?.[k], user, k));
          if (v !== null) wanted.get(k)!.add(v);
        }
      }
    }
    for (const a of halo.agents) {
      if (a.isApiAgent) continue;
      const candidate = keys.some((k) => {
        const v = normalise(k, a.fields[k] ?? (k === 'name' ? a.name : undefined));
        return v !== null && wanted.get(k)!.has(v);
      });
      const lacks = (needs.agentRoles && a.roles === undefined) || (needs.teams && a.teams === undefined) || needs.agentFields.some((f) => !(f in a.fields));
      if (candidate && lacks) agents.push(a.id);
    }
  }
  return { users, agents };
}
