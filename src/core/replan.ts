// replan(previous, mapping): the plan of an edited mapping against the snapshots a previous plan
// was made from, byte for byte the plan plan() would make, redoing only what the edit can change.
//
// The two mappings are compared section by section (rules, grants, CABs, each mapped field, match
// keys, protect, the connections…); what the comparison shows unchanged tells runPlan() which of
// the previous plan's per-identity results still hold:
//   - a field's source (not a match key): that field, for every identity; nothing else;
//   - a rule's roles, team, licence, name, site or client, a roles[] or cab[] entry: the
//     memberships of the identities the rule selects or the entry covers, and of the records
//     holding a role, team or CAB whose management changed; the changes built from them;
//   - a rule's `from`, order or count: that kind's selection (matching and fields still hold);
//   - match keys: that kind's matching (fields and memberships hold for identities matching the same record);
//   - deprovision, safety: the decisions and the verdict only, which every plan makes afresh.
// The decisions themselves (claims, scope, deprovisioning, counts, order) are always made again,
// by the same code as plan(). An edit of `protect` or of the connections plans everything afresh.
import type { CabGrant, Mapping, RoleGrant } from './mapping';
import { DEFAULT_MATCH_AGENTS, DEFAULT_MATCH_USERS } from './mapping';
import { PlanState, Reuse, runPlan } from './plan';

export type { PlanState } from './plan';
export { planAndKeep } from './plan';

/** Sections runPlan() compares itself; any other top-level key (the connections, protect, …) changed means a plan afresh. */
const COMPARED = new Set(['version', 'halo', 'tls', 'match', 'agents', 'users', 'roles', 'cab', 'fields', 'deprovision', 'safety']);

/** The plan of `mapping` against `previous`'s snapshots and agent links, with what it worked out (for the next edit). */
export function replan(previous: PlanState, mapping: Mapping): PlanState {
  const memo = previous.memo;
  const reuse = whatHolds(memo.mapping, mapping);
  return runPlan(mapping, memo.directories, memo.halo, { agentLinks: memo.agentLinks }, reuse ? { ...reuse, prev: memo } : undefined, memo);
}

const text = (x: unknown): string => JSON.stringify(x) ?? 'undefined';

/** What of a plan of `a` still holds for `b` (same snapshots); null: nothing (plan afresh). */
export function whatHolds(a: Mapping, b: Mapping): Omit<Reuse, 'prev'> | null {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) if (!COMPARED.has(k) && text(ra[k]) !== text(rb[k])) return null;
  const fields = { user: changedKeys(a.fields?.users, b.fields?.users), agent: changedKeys(a.fields?.agents, b.fields?.agents) };
  const userKeys = b.match?.users ?? DEFAULT_MATCH_USERS;
  const agentKeys = b.match?.agents ?? DEFAULT_MATCH_AGENTS;
  const match = {
    user: text(a.match?.users) === text(b.match?.users) && userKeys.every((k) => k === 'azureoid' || !fields.user.has(k)),
    agent: text(a.match?.agents) === text(b.match?.agents) && agentKeys.every((k) => !fields.agent.has(k)),
  };
  const selection = { agent: sameSelection(a.agents, b.agents), user: sameSelection(a.users, b.users) };
  const changedGrants = changedEntries<RoleGrant>(a.roles, b.roles);
  const changedCabs = changedEntries<CabGrant>(a.cab, b.cab);
  // Outcomes only: the same matches, selections, deprovisioning and placements, and no grant that
  // makes agents inactive changed; what is left (fields, rules' roles, team and licence, grants'
  // roles, CAB seats, thresholds) changes nothing but each slot's fields and memberships.
  const outcomesOnly =
    match.user && match.agent && selection.agent && selection.user && text(a.deprovision) === text(b.deprovision) &&
    sameBut(a.agents, b.agents, ['roles', 'team', 'licence']) && sameBut(a.users, b.users, ['roles']) && !changedGrants.some((g) => g.inactive);
  return { scope: text(scopeInputs(a)) === text(scopeInputs(b)), match, fields, selection, changedGrants, changedCabs, outcomesOnly };
}

/** The same entries in the same order, but for the keys named. */
function sameBut<T extends object>(a: T[] | undefined, b: T[] | undefined, keys: string[]): boolean {
  const x = a ?? [];
  const y = b ?? [];
  const rest = (r: T) => text(Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k))));
  return x.length === y.length && x.every((r, i) => rest(r) === rest(y[i]));
}

/** Keys whose value differs (added, removed or changed). */
function changedKeys(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Set<string> {
  const out = new Set<string>();
  for (const k of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) if (text(a?.[k]) !== text(b?.[k])) out.add(k);
  return out;
}

/** The entries that differ position by position, in both versions (an insertion moves every later one). */
function changedEntries<T>(a: T[] | undefined, b: T[] | undefined): T[] {
  const out: T[] = [];
  const n = Math.max(a?.length ?? 0, b?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const x = a?.[i];
    const y = b?.[i];
    if (text(x) === text(y)) continue;
    if (x !== undefined) out.push(x);
    if (y !== undefined) out.push(y);
  }
  return out;
}

/** The same rules in the same order, each selecting from the same connection by the same `from`. */
function sameSelection(a: Array<{ from: unknown; tenant?: string; source?: string }> | undefined, b: Array<{ from: unknown; tenant?: string; source?: string }> | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => r.tenant === y[i].tenant && r.source === y[i].source && text(r.from) === text(y[i].from));
}

/** Everything resolveScope() and clientNamesByRule() read from the mapping. */
function scopeInputs(m: Mapping): unknown {
  return {
    users: (m.users ?? []).map((r) => [r.rule, r.tenant, r.source, r.client, r.clientFrom, r.clientDefault, r.site, r.siteFrom, r.siteDefault, r.createSites, r.roles, r.clientFrom ? r.from : null]),
    agents: (m.agents ?? []).map((r) => [r.roles, r.team]),
    roles: (m.roles ?? []).map((g) => [g.agentRoles, g.userRoles]),
    cab: m.cab,
    protect: m.protect,
  };
}
