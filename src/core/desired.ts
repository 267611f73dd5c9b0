// Desired state: for every directory identity, which rule (if any) selects it as an agent and as a
// user, and which extra roles and CABs its groups grant. First matching rule wins.
import type { AgentRule, Mapping, Selector, UserRule } from './mapping';
import { asksForGuests, Directory, directoryOfTenant, tenantOf } from './directories';
import type { DirectorySnapshot, DirectoryTenant, DirectoryUser } from './snapshot';
import { readAttribute } from './values';

export interface Selection<R> {
  rule: R;
  /** Why the rule selected the identity, e.g. "in All Staff" or "where officeLocation=Leeds". */
  because: string;
}

export interface Identity {
  tenant: string;
  user: DirectoryUser;
  agent: Selection<AgentRule> | null;
  userRule: Selection<UserRule> | null;
  /** These four may be shared between identities (copy-on-write while building): never mutate them. */
  agentRoles: Set<string>;
  userRoles: Set<string>;
  /** CAB names this identity should sit on, per kind. */
  agentCabs: Set<string>;
  userCabs: Set<string>;
  /** Why the identity's agent is to be inactive, by a `roles[]` grant with `inactive: true`. */
  agentInactiveBy?: string;
  /** The one kind of record `protect` freezes for this identity (by email or Entra id, with `kind`); absent: none. */
  protected?: 'agent' | 'user';
}

/** Group refs → member id sets for one tenant. */
export type GroupIndex = Map<string, Set<string>>;

export function groupIndex(tenant: DirectoryTenant): GroupIndex {
  const index: GroupIndex = new Map();
  for (const g of tenant.groups) index.set(g.ref, new Set(g.memberIds));
  return index;
}

/** A selector with what every test of it needs worked out once, not once per user. */
interface Compiled {
  wantsGuests: boolean;
  refs: string[];
  /** "in <ref>" for each ref, made once. */
  inRefs: string[];
  where: Array<[string, unknown]>;
  /** The explanation when no group decides it. */
  because: string;
}

function compile(sel: Selector, directory: Directory | undefined): Compiled {
  const refs = [...(sel.group ? [sel.group] : []), ...(sel.groups ?? [])];
  const where = Object.entries(sel.where ?? {});
  let because = sel.all ? 'all users' : '';
  if (!refs.length && sel.where) because = 'where ' + where.map(([k, v]) => `${k}=${v}`).join(', ');
  return { wantsGuests: asksForGuests(sel, directory), refs, inRefs: refs.map((r) => `in ${r}`), where, because };
}

function verdict(c: Compiled, user: DirectoryUser, groups: GroupIndex): string | null {
  if (user.guest && !c.wantsGuests) return null;
  let because = c.because;
  if (c.refs.length) {
    let hit = -1;
    for (let i = 0; i < c.refs.length && hit < 0; i++) if (groups.get(c.refs[i])?.has(user.id)) hit = i;
    if (hit < 0) return null;
    because = c.inRefs[hit];
  }
  for (const [attr, want] of c.where) {
    const have = readAttribute(user, attr);
    if (want === null ? have !== null : have === null || String(have) !== String(want)) return null;
  }
  return because || null;
}

/** Whether `sel` selects `user`; returns the explanation, or null. */
export function selects(sel: Selector, user: DirectoryUser, groups: GroupIndex, directory: Directory | undefined): string | null {
  return verdict(compile(sel, directory), user, groups);
}

/**
 * For each `clientFrom` user rule, the client names its users' attribute holds (and its
 * clientDefault): the clients that rule manages. Clients are never created, so only names Halo
 * has come to count, and those are what the scope is made of.
 */
export function clientNamesByRule(mapping: Mapping, directories: DirectorySnapshot): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const rule of mapping.users ?? []) {
    if (!rule.clientFrom) continue;
    const names = new Set<string>(rule.clientDefault ? [rule.clientDefault] : []);
    const tenant = directories.tenants.find((t) => t.tenant === tenantOf(mapping, rule));
    if (tenant) {
      const c = compile(rule.from, directoryOfTenant(mapping, tenant.tenant));
      const groups = groupIndex(tenant);
      for (const user of tenant.users) {
        if (!user.enabled || verdict(c, user, groups) === null) continue;
        const v = readAttribute(user, rule.clientFrom);
        if (v !== null) names.add(String(v).trim());
      }
    }
    out.set(rule.rule, names);
  }
  return out;
}

/**
 * What a plan of an edited mapping (same snapshots, same `protect` and connections, hence the same
 * identities in the same order) may take from the previous plan's identities (see replan.ts).
 */
export interface IdentityReuse {
  previous: readonly Identity[];
  /** The rules the previous identities were selected by, in the previous mapping's order. */
  previousAgents: readonly AgentRule[];
  previousUsers: readonly UserRule[];
  /** The rules of that kind select exactly as before (same rules in the same order, each `from` and tenant unchanged). */
  agentSelection: boolean;
  userSelection: boolean;
  /** Whether the identity's roles from the grants, CAB seats and grant-made inactivity may have changed. */
  grantsChanged: (tenant: string, user: DirectoryUser) => boolean;
}

export interface IdentityOptions {
  /** Each tenant's group index, kept across plans of the same snapshot. */
  groups?: Map<string, GroupIndex>;
  /**
   * The rules to select by, in the mapping's order (by default the mapping's own): a re-plan passes
   * the previous plan's objects for the rules the edit left as they were, so that their selections stay the same objects.
   */
  agents?: AgentRule[];
  users?: UserRule[];
  reuse?: IdentityReuse;
}

/**
 * `isProtected`: whether the identity's agent or user record is one the mapping protects (it then
 * gets no rule of that kind). With `reuse`, each identity takes what still holds of the previous one
 * (the previous object itself when all of it does).
 */
export function desiredIdentities(
  mapping: Mapping,
  directories: DirectorySnapshot,
  isProtected: (tenant: string, user: DirectoryUser, kind: 'agent' | 'user') => boolean,
  options: IdentityOptions = {},
): Identity[] {
  const out: Identity[] = [];
  const { reuse } = options;
  const allAgents = options.agents ?? mapping.agents ?? [];
  const allUsers = options.users ?? mapping.users ?? [];
  // A previous selection, pointed at the rule in the same position of the new mapping (made once per selection).
  const moved = new Map<Selection<AgentRule | UserRule>, Selection<AgentRule | UserRule>>();
  const agentAt = reuse ? new Map<AgentRule, AgentRule>(reuse.previousAgents.map((r, k) => [r, allAgents[k]])) : undefined;
  const userAt = reuse ? new Map<UserRule, UserRule>(reuse.previousUsers.map((r, k) => [r, allUsers[k]])) : undefined;
  const remap = <R extends AgentRule | UserRule>(sel: Selection<R> | null, at: Map<R, R>): Selection<R> | null => {
    if (!sel) return null;
    const rule = at.get(sel.rule)!;
    if (rule === sel.rule) return sel;
    let s = moved.get(sel) as Selection<R> | undefined;
    if (!s) moved.set(sel, (s = { rule, because: sel.because }));
    return s;
  };
  let j = 0;
  for (const t of directories.tenants) {
    let groups = options.groups?.get(t.tenant);
    if (!groups) {
      groups = groupIndex(t);
      options.groups?.set(t.tenant, groups);
    }
    const directory = directoryOfTenant(mapping, t.tenant);
    const mine = <X extends { tenant?: string }>(xs: X[] | undefined) => (xs ?? []).filter((x) => tenantOf(mapping, x) === t.tenant);
    const agentRules = mine(allAgents).map((rule) => ({ rule, c: compile(rule.from, directory), made: new Map<string, Selection<AgentRule>>() }));
    const userRules = mine(allUsers).map((rule) => ({ rule, c: compile(rule.from, directory), made: new Map<string, Selection<UserRule>>() }));
    const grants = mine(mapping.roles);
    const cabs = mine(mapping.cab);
    // One set per rule, shared by the identities it selects; copied only when a grant adds to it.
    const ruleRoles = new Map<AgentRule | UserRule, Set<string>>();
    const rolesOf = (rule: AgentRule | UserRule | undefined) => {
      if (!rule) return NONE;
      let set = ruleRoles.get(rule);
      if (!set) ruleRoles.set(rule, (set = new Set(rule.roles ?? [])));
      return set;
    };
    const add = (user: DirectoryUser, agentProtected: boolean, userProtected: boolean, before: Identity | undefined) => {
      const agent = before && reuse!.agentSelection ? remap(before.agent, agentAt!) : agentProtected ? null : first(agentRules, user, groups);
      const userRule = before && reuse!.userSelection ? remap(before.userRule, userAt!) : userProtected ? null : first(userRules, user, groups);
      // The sets of the previous identity still hold when its rules grant the same roles and no changed grant covers it.
      if (before && sameRoles(before.agent?.rule, agent?.rule) && sameRoles(before.userRule?.rule, userRule?.rule) && !reuse!.grantsChanged(t.tenant, user)) {
        if (agent === before.agent && userRule === before.userRule) return void out.push(before);
        const identity: Identity = { tenant: t.tenant, user, agent, userRule, agentRoles: before.agentRoles, userRoles: before.userRoles, agentCabs: before.agentCabs, userCabs: before.userCabs };
        if (before.protected) identity.protected = before.protected;
        if (before.agentInactiveBy !== undefined) identity.agentInactiveBy = before.agentInactiveBy;
        return void out.push(identity);
      }
      let agentRoles = rolesOf(agent?.rule);
      let userRoles = rolesOf(userRule?.rule);
      let agentCabs = NONE;
      let userCabs = NONE;
      let agentInactiveBy: string | undefined;
      for (const g of grants) {
        const granted = g.group ? groups.get(g.group)?.has(user.id) === true : g.noManager === true && user.managerId === null;
        if (!granted) continue;
        if (g.inactive && agentInactiveBy === undefined) agentInactiveBy = g.group ? `membership of ${g.group}` : 'having no manager';
        if (g.agentRoles?.length) agentRoles = withAll(agentRoles, g.agentRoles);
        if (g.userRoles?.length) userRoles = withAll(userRoles, g.userRoles);
      }
      for (const c of cabs) {
        if (!groups.get(c.group)?.has(user.id)) continue;
        if (c.members === 'users') userCabs = withAll(userCabs, [c.cab]);
        else agentCabs = withAll(agentCabs, [c.cab]);
      }
      const identity: Identity = { tenant: t.tenant, user, agent, userRule, agentRoles, userRoles, agentCabs, userCabs };
      if (agentProtected || userProtected) identity.protected = agentProtected ? 'agent' : 'user';
      if (agentInactiveBy !== undefined) identity.agentInactiveBy = agentInactiveBy;
      out.push(identity);
    };
    if (reuse) {
      // The same people as before (protect and the snapshot unchanged), protected as before.
      while (j < reuse.previous.length && reuse.previous[j].tenant === t.tenant) {
        const before = reuse.previous[j++];
        add(before.user, before.protected === 'agent', before.protected === 'user', before);
      }
      continue;
    }
    for (const user of t.users) {
      const agentProtected = isProtected(t.tenant, user, 'agent');
      const userProtected = isProtected(t.tenant, user, 'user');
      if (agentProtected && userProtected) continue;
      add(user, agentProtected, userProtected, undefined);
    }
  }
  return out;
}

/** Whether two rules (either possibly absent) grant the same roles. */
function sameRoles(a: AgentRule | UserRule | undefined, b: AgentRule | UserRule | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const x = a.roles ?? [];
  const y = b.roles ?? [];
  return x.length === y.length && x.every((r, i) => r === y[i]);
}

const NONE: Set<string> = new Set();

/** A copy of `set` with `items` added, in order (the shared set is never changed). */
function withAll(set: Set<string>, items: string[]): Set<string> {
  const out = new Set(set);
  for (const x of items) out.add(x);
  return out;
}

/**
 * The first rule that selects the user (Halo's sequence). A rule gives few distinct explanations,
 * so each Selection is made once and shared by the identities it applies to (never changed).
 */
function first<R>(rules: Array<{ rule: R; c: Compiled; made: Map<string, Selection<R>> }>, user: DirectoryUser, groups: GroupIndex): Selection<R> | null {
  for (const { rule, c, made } of rules) {
    const because = verdict(c, user, groups);
    if (!because) continue;
    let sel = made.get(because);
    if (!sel) made.set(because, (sel = { rule, because }));
    return sel;
  }
  return null;
}
