// Desired state: for every Entra identity, which rule (if any) selects it as an agent and as a
// user, and which extra roles and CABs its groups grant. First matching rule wins.
import type { AgentRule, Mapping, Selector, UserRule } from './mapping';
import { tenantOf } from './mapping';
import type { EntraSnapshot, EntraTenantSnapshot, EntraUser } from './snapshot';
import { readAttribute } from './values';

export interface Selection<R> {
  rule: R;
  /** Why the rule selected the identity, e.g. "in All Staff" or "where officeLocation=Leeds". */
  because: string;
}

export interface Identity {
  tenant: string;
  user: EntraUser;
  agent: Selection<AgentRule> | null;
  userRule: Selection<UserRule> | null;
  agentRoles: Set<string>;
  userRoles: Set<string>;
  /** CAB names this identity should sit on, per kind. */
  agentCabs: Set<string>;
  userCabs: Set<string>;
}

/** Group refs → member id sets for one tenant. */
export type GroupIndex = Map<string, Set<string>>;

export function groupIndex(tenant: EntraTenantSnapshot): GroupIndex {
  const index: GroupIndex = new Map();
  for (const g of tenant.groups) index.set(g.ref, new Set(g.memberIds));
  return index;
}

/** Whether `sel` selects `user`; returns the explanation, or null. */
export function selects(sel: Selector, user: EntraUser, groups: GroupIndex): string | null {
  const wantsGuests = sel.includeGuests === true || sel.where?.userType === 'Guest';
  if (user.userType === 'Guest' && !wantsGuests) return null;
  const refs = [...(sel.group ? [sel.group] : []), ...(sel.groups ?? [])];
  let because = sel.all ? 'all users' : '';
  if (refs.length) {
    const hit = refs.find((ref) => groups.get(ref)?.has(user.id));
    if (hit === undefined) return null;
    because = `in ${hit}`;
  }
  for (const [attr, want] of Object.entries(sel.where ?? {})) {
    const have = readAttribute(user, attr);
    if (want === null ? have !== null : have === null || String(have) !== String(want)) return null;
  }
  if (!refs.length && sel.where) because = 'where ' + Object.entries(sel.where).map(([k, v]) => `${k}=${v}`).join(', ');
  return because || null;
}

export function desiredIdentities(mapping: Mapping, entra: EntraSnapshot, isProtected: (tenant: string, user: EntraUser) => boolean): Identity[] {
  const out: Identity[] = [];
  for (const t of entra.tenants) {
    const groups = groupIndex(t);
    const mine = <X extends { tenant?: string }>(xs: X[] | undefined) => (xs ?? []).filter((x) => tenantOf(mapping, x) === t.tenant);
    const agentRules = mine(mapping.agents);
    const userRules = mine(mapping.users);
    const grants = mine(mapping.roles);
    const cabs = mine(mapping.cab);
    for (const user of t.users) {
      if (isProtected(t.tenant, user)) continue;
      const first = <R extends { from: Selector }>(rules: R[]): Selection<R> | null => {
        for (const rule of rules) {
          const because = selects(rule.from, user, groups);
          if (because) return { rule, because };
        }
        return null;
      };
      const agent = first(agentRules);
      const userRule = first(userRules);
      const id: Identity = {
        tenant: t.tenant,
        user,
        agent,
        userRule,
        agentRoles: new Set(agent?.rule.roles ?? []),
        userRoles: new Set(userRule?.rule.roles ?? []),
        agentCabs: new Set(),
        userCabs: new Set(),
      };
      for (const g of grants) {
        const granted = g.group ? groups.get(g.group)?.has(user.id) === true : g.noManager === true && user.managerId === null;
        if (!granted) continue;
        for (const r of g.agentRoles ?? []) id.agentRoles.add(r);
        for (const r of g.userRoles ?? []) id.userRoles.add(r);
      }
      for (const c of cabs) if (groups.get(c.group)?.has(user.id)) (c.members === 'users' ? id.userCabs : id.agentCabs).add(c.cab);
      out.push(id);
    }
  }
  return out;
}
