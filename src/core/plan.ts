// plan(mapping, directories, halo) → Plan: pure and deterministic. It decides, for every directory identity
// and every Halo record in managed scope, what should change and why (DESIGN §2, §2a, §3).
//
// planAndKeep() also keeps what the plan worked out (a PlanState), from which replan() (replan.ts)
// plans an edited mapping against the same snapshots. The same code decides, in the same order;
// what the edit cannot have changed is taken from the previous plan. Most of a plan's work is in its
// slots: an identity's record of one kind (or one to create), whose outcome (a change, none, or an
// error) follows from the identity's fields and memberships once matching, claiming, scope and
// placement have put it there. An edit that can change outcomes only (a field's source, a rule's
// roles, team or licence, a grant, a CAB, a threshold) settles the slots again and keeps every other
// decision; any other edit runs every decision again, each slot still taking what holds of its last outcome.
import type { Action, CabDelta, CabRoleChange, Change, FieldChange, MembershipDelta, Memberships, Orphan, Plan, PlanError, RuleStats, Summary } from './changes';
import { ACTIONS } from './changes';
import { clientNamesByRule, desiredIdentities, GroupIndex, Identity, IdentityReuse, Selection } from './desired';
import { didYouMean, suggest } from './suggest';
import type { AgentLink } from './agent-links';
import type { AgentRule, CabGrant, FieldSpec, Mapping, RoleGrant, UserRule } from './mapping';
import { cabRoleOf, DEFAULT_MATCH_AGENTS, DEFAULT_MATCH_USERS } from './mapping';
import { MANAGER, MANAGER_AGENT } from './attributes';
import { connectionsOf, directoryLabel, directoryOfTenant, tenantOf } from './directories';
import { attributeName, fieldSources } from './needs';
import { fieldValue, identityMatchValue, isCaseInsensitiveField, isCreateOnly, isEmpty, nameKey, normalise, normaliseAs, parseSource, readAttribute, readSource, sameValue, Source } from './values';
import { GrantSources, type GrantType } from './provenance';
import { PlanInputError, resolveScope, Scope } from './scope';
import type { DirectorySnapshot, DirectoryUser, HaloAgent, HaloSnapshot, HaloUser } from './snapshot';

type Kind = 'agent' | 'user';

interface Ctx {
  mapping: Mapping;
  halo: HaloSnapshot;
  directories: DirectorySnapshot;
  scope: Scope;
  changes: Change[];
  errors: PlanError[];
  orphans: Orphan[];
  unchanged: number;
  managedRecords: number;
  /** Managed records per connection, where one connection's rules account for the record (for per-connection shares). */
  managedBy: Map<string, number>;
  /** Identities each rule selected, per kind. */
  selected: Record<Kind, Map<string, number>>;
  /** Sites to create, by client id + name key. */
  siteCreates: Map<string, Change>;
  /** Placements made so far, by client id, then site id (or the name of a site to create). */
  placements: Map<number, Map<number | string, Placement>>;
  /** The mapped fields per tenant, with `when: create` worked out and unreadable ones left out once per plan. */
  specs: (tenant: string) => { users: MappedField[]; agents: MappedField[] };
  /** What grants each role, team and CAB seat a change adds. */
  sources: GrantSources;
  /** Halo agent id matched to each Entra identity (tenant + id), for `manager.agent`. */
  agentOf: Map<string, number>;
  /** The Halo agent id of an identity's manager's agent record; null when there is none (yet). */
  managerAgent: (id: Identity) => number | null;
  /** How messages name the directory of a tenant ("Entra"), or of the whole mapping. */
  label: (tenant?: string) => string;
  /** Whether the tenant's directory links Halo users by `azureoid` (else they are matched afresh every run). */
  links: (tenant: string) => boolean;
  /** The CAB role a CAB's members get (the mapping's `cab[].role`, in Halo's spelling), memoised. */
  cabRole: (cab: string) => string | undefined;
  /** Halo's spelling of role and team names, made once per plan. */
  display: { agent: (n: string) => string; user: (n: string) => string; team: (n: string) => string };
  /** For a tenant's mapped fields, which of them the edit changed (by position), which changed ones it no longer maps, and the names of both. */
  patchPlan: (specs: MappedField[], changed: Set<string>) => { at: number[]; gone: string[]; keys: string[] };
  /** Whether to keep what the next plan needs (planAndKeep, replan); plan() keeps nothing, which makes it no slower. */
  keep: boolean;
  /** What this plan keeps (filled as it goes when `keep`). */
  memo: Memo;
  /** Beside `changes` when `keep`: the slot each came from (-1: a decision's), and its ranks when known from the previous plan (-1: to look up). */
  changeSlot: number[];
  changeRank: number[];
  /** previousSlot()'s one Before. */
  cursor: Before | undefined;
  /** What the previous plan kept, and what of it still holds after the edit; undefined: everything is worked out afresh. */
  reuse: LiveReuse | undefined;
}

export interface PlanOptions {
  /** Which Entra identity each agent matched at earlier plans (see agent-links.ts). */
  agentLinks?: readonly AgentLink[];
  /** Told of every agent matched to an Entra identity in this plan. */
  onAgentMatch?: (link: AgentLink) => void;
  /** Told how many Halo records are in managed scope (what a percentage threshold is a share of). */
  onManagedRecords?: (n: number) => void;
  /** Told of every Halo record matched to an Entra identity (the reports' provenance starts here). */
  onMatch?: (kind: Kind, haloId: number, identity: Identity) => void;
}

/** A plan and what it worked out on the way, from which replan() plans an edited mapping against the same snapshots. */
export interface PlanState {
  readonly plan: Plan;
  /** Internal to plan.ts and replan.ts. */
  readonly memo: Memo;
}

type Found<R> = { record: R | null; via: string | null } | { error: string; held: number[] };

/** A slot: one identity's record of one kind (null: one to create). Never changed once made. */
interface SlotRef {
  readonly kind: Kind;
  /** The identity's position in the identity list. */
  readonly i: number;
  readonly record: HaloUser | HaloAgent | null;
  /** Users: the azureoid written to link the record (NO_FIELDS: none). */
  readonly link: Record<string, FieldChange>;
  /** Users: the site the user belongs in. */
  readonly placement: Placement | undefined;
}

/**
 * A plan's slots, in the order settled, each with its outcome and what the outcome was worked out
 * from (by column: a re-plan makes new columns and shares every unchanged value). Never changed once the plan is made.
 */
class SlotTable {
  /** How many slots. */
  n = 0;
  refs: SlotRef[];
  sel: Array<Selection<AgentRule | UserRule>>;
  /** desiredFields() for the record. */
  readonly desired: Array<Record<string, FieldChange>>;
  members: Array<Memberships | 'unknown'>;
  /** Agents: the fields with the rule's team and licence (undefined when its memberships could not be read). */
  fields: Array<Record<string, FieldChange> | undefined>;
  /** The change (null: none needed), or the error. */
  readonly out: Array<Change | PlanError | null>;
  /** The change's ranks in `ranks` (see rankKey; -1: not known), for the next plan's sort. */
  readonly rank: number[];
  ranks: Ranks = NO_RANKS;
  /** Whether refs, sel and members are another table's, slot for slot (settled again with the same records, selections and memberships). */
  private readonly kept: boolean;
  /**
   * `size`: how many slots there will be, when known (a re-plan that settles the same slots again);
   * `as`: the table this one settles again with each slot's record, selection and memberships unchanged.
   */
  constructor(size = 0, as?: SlotTable) {
    const column = <T>(): T[] => (size ? new Array<T>(size) : []);
    this.kept = as !== undefined;
    this.refs = as ? as.refs : column();
    this.sel = as ? as.sel : column();
    this.desired = column();
    this.members = as ? as.members : column();
    this.fields = column();
    this.out = column();
    this.rank = size ? new Array<number>(size).fill(-1) : [];
  }
  add(ref: SlotRef, sel: Selection<AgentRule | UserRule>, desired: Record<string, FieldChange>, members: Memberships | 'unknown', fields: Record<string, FieldChange> | undefined, out: Change | PlanError | null): void {
    const k = this.n++;
    if (!this.kept) {
      this.refs[k] = ref;
      this.sel[k] = sel;
      this.members[k] = members;
    }
    this.desired[k] = desired;
    this.fields[k] = fields;
    this.out[k] = out;
  }
  /** After settling `before`'s slots again: its columns this one holds unchanged, shared (the plan keeps one copy). */
  share(before: SlotTable): void {
    const same = <T>(a: T[], b: T[]) => a === b || (a.length === b.length && a.every((x, k) => x === b[k]));
    if (same(this.refs, before.refs)) this.refs = before.refs;
    if (same(this.sel, before.sel)) this.sel = before.sel;
    if (same(this.members, before.members)) this.members = before.members;
    if (same(this.fields, before.fields)) this.fields = before.fields;
  }
}

/** A previous plan's slot, as settle() reads it (made for the call, read, dropped). */
class Before {
  constructor(
    private readonly memo: Memo,
    /** Its position in that plan's slots. */
    public b: number,
  ) {}
  get i(): number {
    return this.memo.slots.refs[this.b].i;
  }
  get record(): HaloUser | HaloAgent | null {
    return this.memo.slots.refs[this.b].record;
  }
  get link(): Record<string, FieldChange> {
    return this.memo.slots.refs[this.b].link;
  }
  get placement(): Placement | undefined {
    return this.memo.slots.refs[this.b].placement;
  }
  get ref(): SlotRef {
    return this.memo.slots.refs[this.b];
  }
  get sel(): Selection<AgentRule | UserRule> {
    return this.memo.slots.sel[this.b];
  }
  get desired(): Record<string, FieldChange> {
    return this.memo.slots.desired[this.b];
  }
  get members(): Memberships | 'unknown' {
    return this.memo.slots.members[this.b];
  }
  get fields(): Record<string, FieldChange> | undefined {
    return this.memo.slots.fields[this.b];
  }
  get out(): Change | PlanError | null {
    return this.memo.slots.out[this.b];
  }
  /** Agents: the Halo agent id of the manager's agent record that plan had. */
  get managerAgent(): number | null {
    const id = this.memo.identities[this.i];
    return id.user.managerId ? (this.memo.fixed.agentOf.get(identityKey(id.tenant, id.user.managerId)) ?? null) : null;
  }
  /** The managed CABs the record sat on in that plan's scope. */
  get heldCabs(): string[] {
    const ref = this.ref;
    return ref.record ? this.memo.scope.cabsOf(ref.kind, ref.record.id) : NO_NAMES;
  }
}

/**
 * What a plan decided apart from its slots' outcomes, in the order decided: each change and error
 * with the number of slots settled before it. A re-plan that can change outcomes only keeps all of
 * it and settles the slots again, in the same order, interleaving the two exactly as they were.
 */
interface Fixed extends Pick<Ctx, 'orphans' | 'unchanged' | 'managedRecords' | 'managedBy' | 'selected' | 'agentOf'> {
  changes: Change[];
  changesAt: number[];
  errors: PlanError[];
  errorsAt: number[];
  siteCreates: Change[];
}

/** What a plan keeps (PlanState). Everything in it is read-only once the plan is made. */
export interface Memo {
  mapping: Mapping;
  directories: DirectorySnapshot;
  halo: HaloSnapshot;
  agentLinks: readonly AgentLink[] | undefined;
  scope: Scope;
  identities: Identity[];
  /** The rules the identities were selected by: the mapping's, or the previous plan's objects for rules the edit left as they were. */
  rules: { agents: AgentRule[]; users: UserRule[] };
  /** Per tenant, its group index (from the snapshot alone). */
  groups: Map<string, GroupIndex>;
  entraIds: Map<string, Set<string>>;
  /** The Halo records outside `protect`, and their index by match keys (made when first needed). */
  userRecords: HaloUser[];
  agentRecords: HaloAgent[];
  userIndex: { keys: string; index: RecordIndex<HaloUser> };
  agentIndex: { keys: string; index: RecordIndex<HaloAgent> };
  /** Per kind and identity (by position in the identity list): its match, and its slot's position in `slots` (-1: none). */
  found: Record<Kind, Array<Found<HaloUser | HaloAgent> | undefined>>;
  slotOf: Record<Kind, Int32Array>;
  slots: SlotTable;
  fixed: Fixed;
  placements: Map<number, Map<number | string, Placement>>;
  /** Every change name and id seen, ranked (for sorting a re-plan's changes without comparing them); NO_RANKS: none yet. */
  ranks: Ranks;
}

/** What of the previous plan an edit leaves standing (worked out by replan.ts from the two mappings). */
export interface Reuse {
  prev: Memo;
  /** The previous plan's scope holds (the same clients, sites, names and protection). */
  scope: boolean;
  /** Per kind: each identity matches the same Halo record (same keys, same fields behind them). */
  match: Record<Kind, boolean>;
  /** Per kind: the mapped fields whose spec changed (added, removed or edited). */
  fields: Record<Kind, Set<string>>;
  /** Per kind: the rules select exactly as before. */
  selection: Record<Kind, boolean>;
  /** The roles[] and cab[] entries that differ between the two mappings, in either version. */
  changedGrants: RoleGrant[];
  changedCabs: CabGrant[];
  /** Only slots' outcomes can change: every other decision of the previous plan holds (see Fixed). */
  outcomesOnly: boolean;
}

/**
 * Reuse, with what the new scope tells: per kind, the managed names whose management changed (null:
 * take no memberships). A class, so that every plan's has one shape (the optimised code stays valid).
 */
class LiveReuse implements Reuse {
  readonly prev: Memo;
  readonly scope: boolean;
  readonly match: Record<Kind, boolean>;
  readonly fields: Record<Kind, Set<string>>;
  readonly selection: Record<Kind, boolean>;
  readonly changedGrants: RoleGrant[];
  readonly changedCabs: CabGrant[];
  readonly outcomesOnly: boolean;
  constructor(
    r: Reuse,
    readonly grantsChanged: (tenant: string, user: DirectoryUser) => boolean,
    readonly members: Record<Kind, { roles: Set<string>; teams: Set<string>; cabRoles: Set<string> } | null>,
  ) {
    this.prev = r.prev;
    this.scope = r.scope;
    this.match = r.match;
    this.fields = r.fields;
    this.selection = r.selection;
    this.changedGrants = r.changedGrants;
    this.changedCabs = r.changedCabs;
    this.outcomesOnly = r.outcomesOnly;
  }
}

export function plan(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot, options: PlanOptions = {}): Plan {
  return runPlan(mapping, directories, halo, options, undefined, undefined, false).plan;
}

/** plan(), keeping what it worked out for replan(). */
export function planAndKeep(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot, options: PlanOptions = {}): PlanState {
  return runPlan(mapping, directories, halo, options);
}

/**
 * The plan, with what it worked out. `reuse`: what of a previous plan of the same snapshots still
 * holds; `cached`: a previous plan of the same snapshots, for what depends on the snapshots alone;
 * `keep`: whether to keep what the next plan needs.
 */
export function runPlan(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot, options: PlanOptions = {}, reuse?: Reuse, cached?: Memo, keep = true): PlanState {
  const prev = reuse?.prev;
  const scope = reuse?.scope ? prev!.scope : resolveScope(mapping, halo, clientNamesByRule(mapping, directories));
  const agentOf = reuse?.outcomesOnly ? prev!.fixed.agentOf : new Map<string, number>();
  const ctx: Ctx = { mapping, halo, directories, scope, agentOf, sources: new GrantSources(mapping, directories),
    managerAgent: (id) => (id.user.managerId ? (agentOf.get(identityKey(id.tenant, id.user.managerId)) ?? null) : null), changes: [], errors: [], orphans: [], unchanged: 0, managedRecords: 0, managedBy: new Map(), selected: { agent: new Map(), user: new Map() }, siteCreates: new Map(), placements: new Map(),
    specs: fieldSpecs(mapping, directories),
    label: memoOptional((tenant) => directoryLabel(mapping, tenant)),
    links: memo((tenant) => directoryOfTenant(mapping, tenant)?.links === 'azureoid'),
    cabRole: memo((cab) => resolvedCabRole(mapping, halo, cab)),
    display: { agent: (n) => scope.roleName('agent', n), user: (n) => scope.roleName('user', n), team: (n) => scope.teamName(n) },
    keep,
    memo: undefined as unknown as Memo,
    changeSlot: [],
    changeRank: [],
    // Every property set here, so that every plan's context has one shape (the optimised code stays valid).
    reuse: undefined,
    cursor: undefined,
    patchPlan: (() => {
      const made = new Map<MappedField[], { at: number[]; gone: string[]; keys: string[] }>();
      let lastSpecs: MappedField[] | undefined;
      let last: { at: number[]; gone: string[]; keys: string[] } | undefined;
      return (specs, changed) => {
        if (specs === lastSpecs) return last!;
        lastSpecs = specs;
        let p = made.get(specs);
        if (!p) {
          const at = specs.flatMap((m, k) => (changed.has(m.field) ? [k] : []));
          const gone = [...changed].filter((f) => !specs.some((m) => m.field === f));
          made.set(specs, (p = { at, gone, keys: [...at.map((k) => specs[k].field), ...gone] }));
        }
        return (last = p);
      };
    })(),
  };
  const base = prev ?? cached;
  const groups = base?.groups ?? new Map<string, GroupIndex>();
  const grantsChanged = reuse ? grantsChangedBy(mapping, reuse, groups) : undefined;
  const rules = { agents: sameRules(mapping.agents ?? [], prev?.rules.agents), users: sameRules(mapping.users ?? [], prev?.rules.users) };
  const unchangedIdentities = prev !== undefined && reuse!.changedGrants.length === 0 && reuse!.changedCabs.length === 0 && sameList(rules.agents, prev.rules.agents) && sameList(rules.users, prev.rules.users);
  const identityReuse: IdentityReuse | undefined = reuse && { previous: prev!.identities, previousAgents: prev!.rules.agents, previousUsers: prev!.rules.users, agentSelection: reuse.selection.agent, userSelection: reuse.selection.user, grantsChanged: grantsChanged! };
  const identities = unchangedIdentities ? prev.identities : desiredIdentities(mapping, directories, (tenant, user, kind) => scope.isProtectedIdentity(tenant, user, kind), { groups, agents: rules.agents, users: rules.users, reuse: identityReuse });
  const entraIds = base?.entraIds ?? new Map(directories.tenants.map((t) => [t.tenant, new Set(t.users.map((u) => u.id))]));
  const n = identities.length;
  const fixed: Fixed = { changes: [], changesAt: [], errors: [], errorsAt: [], siteCreates: [], orphans: [], unchanged: 0, managedRecords: 0, managedBy: ctx.managedBy, selected: ctx.selected, agentOf };
  ctx.memo = {
    mapping, directories, halo, agentLinks: options.agentLinks, scope, identities, rules, groups, entraIds,
    // The records outside `protect`: the same as before whenever anything is reused (protect unchanged).
    userRecords: prev ? prev.userRecords : halo.users.filter((r) => !scope.isProtectedRecord('user', r.id, r.fields.emailaddress, r.azureoid)),
    agentRecords: prev ? prev.agentRecords : halo.agents.filter((r) => !scope.isProtectedRecord('agent', r.id, r.fields.email, undefined)),
    userIndex: prev?.userIndex ?? (NO_INDEX as unknown as Memo['userIndex']), agentIndex: prev?.agentIndex ?? (NO_INDEX as unknown as Memo['agentIndex']),
    // (A re-plan of outcomes only takes the previous plan's: settleAgain().)
    found: reuse?.outcomesOnly ? prev!.found : { user: new Array(keep ? n : 0), agent: new Array(keep ? n : 0) },
    slotOf: reuse?.outcomesOnly ? prev!.slotOf : { user: new Int32Array(keep ? n : 0).fill(-1), agent: new Int32Array(keep ? n : 0).fill(-1) },
    slots: new SlotTable(), fixed, placements: ctx.placements, ranks: NO_RANKS,
  };
  if (reuse) ctx.reuse = new LiveReuse(reuse, grantsChanged!, { agent: membersReuse('agent', reuse, scope, halo, mapping), user: membersReuse('user', reuse, scope, halo, mapping) });
  if (reuse?.outcomesOnly) {
    settleAgain(ctx, identities);
  } else {
    if ((mapping.users ?? []).length) planUsers(ctx, identities, entraIds, options);
    if ((mapping.agents ?? []).length) planAgents(ctx, identities, entraIds, options);
    for (const c of ctx.siteCreates.values()) pushChange(ctx, c);
    if (keep) Object.assign(fixed, { siteCreates: [...ctx.siteCreates.values()], orphans: ctx.orphans, managedRecords: ctx.managedRecords });
  }
  options.onManagedRecords?.(ctx.managedRecords);
  return { plan: finish(ctx), memo: ctx.memo };
}

/**
 * The plan when only slots' outcomes can change: every decision of the previous plan, and each of
 * its slots settled again, interleaved as the previous plan made them.
 */
function settleAgain(ctx: Ctx, identities: Identity[]): void {
  const prev = ctx.reuse!.prev;
  const fixed = prev.fixed;
  Object.assign(ctx.memo, { fixed, placements: prev.placements });
  ctx.selected = fixed.selected;
  ctx.managedBy = fixed.managedBy;
  ctx.managedRecords = fixed.managedRecords;
  ctx.unchanged = fixed.unchanged;
  ctx.orphans = [...fixed.orphans];
  let c = 0;
  let e = 0;
  const refs = prev.slots.refs;
  const alone = fieldsAlone(ctx);
  // After an edit of fields alone every slot keeps its record, selection and memberships (settle() included).
  ctx.memo.slots = new SlotTable(prev.slots.n, alone ? prev.slots : undefined);
  const before = new Before(prev, 0);
  for (let s = 0; s < prev.slots.n; s++) {
    while (c < fixed.changes.length && fixed.changesAt[c] <= s) pushChange(ctx, fixed.changes[c++]);
    while (e < fixed.errors.length && fixed.errorsAt[e] <= s) ctx.errors.push(fixed.errors[e++]);
    const ref = refs[s];
    const id = identities[ref.i];
    before.b = s;
    const desired = alone ? refielded(ctx, before, id) : undefined;
    if (desired !== null) settle(ctx, before, ref.kind, ref.i, ref.record, ref.link, ref.placement, id, ref.kind === 'user' ? id.userRule! : id.agent!, desired);
  }
  ctx.memo.slots.share(prev.slots);
  while (c < fixed.changes.length) pushChange(ctx, fixed.changes[c++]);
  while (e < fixed.errors.length) ctx.errors.push(fixed.errors[e++]);
  for (const x of fixed.siteCreates) pushChange(ctx, x);
}

/**
 * Whether the edit changed the sources of mapped fields alone (not `name`, which names the change):
 * the same identities, scope and memberships, so that a slot's outcome is its previous one with
 * those fields' values replaced (refielded()).
 */
function fieldsAlone(ctx: Ctx): boolean {
  const r = ctx.reuse!;
  const still = (m: LiveReuse['members'][Kind]) => m !== null && !m.roles.size && !m.teams.size && !m.cabRoles.size;
  return ctx.memo.identities === r.prev.identities && ctx.scope === r.prev.scope && still(r.members.agent) && still(r.members.user) && !r.fields.agent.has('name') && !r.fields.user.has('name');
}

/**
 * settle() when fieldsAlone(): the slot's desired fields worked out again and, when it made a
 * change, that change with those fields' values replaced (what settle() would make, from the parts
 * the edit changed): then null. Else the desired fields, for settle() to work out the rest.
 */
function refielded(ctx: Ctx, before: Before, id: Identity): Record<string, FieldChange> | null {
  const { kind, record } = before.ref;
  const old = before.desired;
  const desired = desiredOf(ctx, kind, before, id, record, kind === 'agent' ? ctx.managerAgent(id) : undefined);
  const o = before.out;
  let out = o;
  let fields = before.fields;
  if (desired !== old) {
    if (o === null || !('action' in o)) return desired;
    const specs = kind === 'user' ? ctx.specs(id.tenant).users : ctx.specs(id.tenant).agents;
    const { keys } = ctx.patchPlan(specs, ctx.reuse!.fields[kind]);
    if (kind === 'user' && userOutcomeSets(keys, before.link)) return desired;
    const changeFields = refield(o.fields, old, desired, keys);
    if (fields !== undefined) fields = refield(fields, old, desired, keys) ?? undefined;
    if (changeFields === null || (kind === 'agent' && fields === undefined)) return desired;
    const members = before.members as Memberships;
    if (o.action !== 'update' || sameKeys(changeFields, o.fields)) out = withNewFields(o, changeFields, o.reason);
    else if (isEmptyObject(changeFields) && isEmptyObject(members)) out = null;
    else out = withNewFields(o, changeFields, updateWords(before, o, before.sel, changeFields, members));
  }
  const t = ctx.memo.slots;
  if (out === null) ctx.unchanged++;
  else if ('action' in out) pushChange(ctx, out, t.n, previousRank(ctx, before)); // the same name and ids as the previous change
  else ctx.errors.push(out);
  t.add(before.ref, before.sel, desired, before.members, fields, out);
  return null;
}

/**
 * Whether one of `keys` is one a user's outcome sets beside the desired fields: its update names its
 * site whenever it sets site_id, and its link shows where the desired fields set none (userOutcome()).
 */
function userOutcomeSets(keys: string[], link: Record<string, FieldChange>): boolean {
  for (const k of keys) if (k === 'site_id' || Object.hasOwn(link, k)) return true;
  return false;
}

/**
 * A slot's fields (`fields`: desired fields `old`, with what the plan sets over them) with `keys`
 * worked out again from `desired`, in key order: a key `old` gave takes `desired`'s value (or goes),
 * one the plan set stays, one neither had comes from `desired`. Null: `fields` is not of that make.
 */
function refield(fields: Record<string, FieldChange>, old: Record<string, FieldChange>, desired: Record<string, FieldChange>, keys: string[]): Record<string, FieldChange> | null {
  if (fields === old) return sortKeys(desired);
  const has = Object.hasOwn;
  let reshaped = false;
  for (const k of keys) {
    const was = has(old, k) ? old[k] : undefined;
    if (!has(fields, k)) {
      if (was !== undefined) return null;
      if (has(desired, k)) reshaped = true;
    } else if (fields[k] === was && !has(desired, k)) reshaped = true;
  }
  if (!reshaped) {
    const copy = { ...fields };
    for (const k of keys) if (has(fields, k) && has(old, k) && fields[k] === old[k]) copy[k] = desired[k];
    return copy;
  }
  const names = Object.keys(fields);
  for (const k of keys) if (!has(fields, k) && has(desired, k)) names.push(k);
  const out: Record<string, FieldChange> = {};
  for (const k of sortSmall(names)) {
    // A key the edit changed takes desired's value where the desired fields gave it (or had none).
    const mine = !keys.includes(k) || (has(fields, k) && !(has(old, k) && fields[k] === old[k]));
    const v = mine ? fields[k] : has(desired, k) ? desired[k] : undefined;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** `c` with other fields (and words): as change() makes it, property for property. */
function withNewFields(c: Change, fields: Record<string, FieldChange>, reason: string): Change {
  const out: Change = { action: c.action, kind: c.kind, entraId: c.entraId, tenant: c.tenant, haloId: c.haloId, name: c.name, rule: c.rule, reason, fields };
  if (c.memberships !== undefined) out.memberships = c.memberships;
  if (c.site !== undefined) out.site = c.site;
  return out;
}

/** A change of the plan: from slot `slot` (-1: a decision's), with its ranks when known (-1: to look up). */
function pushChange(ctx: Ctx, c: Change, slot = -1, rank = -1): void {
  ctx.changes.push(c);
  if (!ctx.keep) return;
  ctx.changeSlot.push(slot);
  ctx.changeRank.push(rank);
}

/** A decision's change (not a slot's outcome), kept in order for a re-plan that keeps the decisions. */
function decided(ctx: Ctx, c: Change): void {
  pushChange(ctx, c);
  if (!ctx.keep) return;
  ctx.memo.fixed.changes.push(c);
  ctx.memo.fixed.changesAt.push(ctx.memo.slots.n);
}

/** A decision's error (not a slot's outcome), likewise. */
function refused(ctx: Ctx, e: PlanError): void {
  ctx.errors.push(e);
  if (!ctx.keep) return;
  ctx.memo.fixed.errors.push(e);
  ctx.memo.fixed.errorsAt.push(ctx.memo.slots.n);
}

/** A decision that changes nothing. */
function unchangedByDecision(ctx: Ctx): void {
  ctx.unchanged++;
  ctx.memo.fixed.unchanged++;
}

function sameList<T>(a: T[], b: T[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** The rules, each the previous plan's object where the edit left it as it was (so that its selections stay the same objects). */
function sameRules<R>(rules: R[], previous: R[] | undefined): R[] {
  if (!previous) return rules;
  return rules.map((r, k) => (previous[k] !== undefined && JSON.stringify(previous[k]) === JSON.stringify(r) ? previous[k] : r));
}

/** The CAB role a CAB's members get, in Halo's spelling (the mapping's `cab[].role`). */
function resolvedCabRole(mapping: Mapping, halo: HaloSnapshot, cab: string): string | undefined {
  const role = cabRoleOf(mapping, cab);
  return role === undefined ? undefined : (halo.cabs.find((c) => nameKey(c.name) === nameKey(cab))?.roles.find((r) => nameKey(r) === nameKey(role)) ?? role);
}

/** Whether a roles[] or cab[] entry that the edit changed (in either version) covers the identity. */
function grantsChangedBy(mapping: Mapping, reuse: Reuse, groups: Map<string, GroupIndex>): (tenant: string, user: DirectoryUser) => boolean {
  const entries = [
    ...reuse.changedGrants.map((g) => ({ tenant: tenantOf(mapping, g), group: g.group, noManager: g.noManager === true })),
    ...reuse.changedCabs.map((c) => ({ tenant: tenantOf(mapping, c), group: c.group as string | undefined, noManager: false })),
  ];
  if (!entries.length) return () => false;
  return (tenant, user) => entries.some((e) => e.tenant === tenant && ((e.group !== undefined && groups.get(tenant)?.get(e.group)?.has(user.id) === true) || (e.noManager && user.managerId === null)));
}

/**
 * Per kind, the managed role, team and CAB names whose management the edit changed, and the CABs
 * whose `cab[].role` it changed: a record holding none of them keeps its memberships' delta. Null
 * when a kind's roles, teams or CABs become managed or unmanaged altogether.
 */
function membersReuse(kind: Kind, reuse: Reuse, scope: Scope, halo: HaloSnapshot, mapping: Mapping): LiveReuse['members'][Kind] {
  const before = reuse.prev.scope;
  const changed = (a: Set<string>, b: Set<string>): Set<string> | null => {
    if ((a.size === 0) !== (b.size === 0)) return null;
    const out = new Set<string>();
    for (const x of a) if (!b.has(x)) out.add(x);
    for (const x of b) if (!a.has(x)) out.add(x);
    return out;
  };
  const roles = changed(before.managedRoles(kind), scope.managedRoles(kind));
  const teams = kind === 'agent' ? changed(before.managedTeams(), scope.managedTeams()) : new Set<string>();
  const cabs = changed(before.managedCabs(kind), scope.managedCabs(kind));
  if (!roles || !teams || !cabs) return null;
  const cabRoles = new Set<string>();
  if (reuse.changedCabs.length) for (const c of halo.cabs) if (resolvedCabRole(reuse.prev.mapping, halo, c.name) !== resolvedCabRole(mapping, halo, c.name)) cabRoles.add(c.name);
  return { roles, teams, cabRoles };
}

/** The previous plan's slot of this identity, when it was of the same person and the same record. */
function previousSlot(ctx: Ctx, kind: Kind, i: number, id: Identity, record: HaloUser | HaloAgent | null): Before | undefined {
  const prev = ctx.reuse?.prev;
  if (!prev) return undefined;
  const at = prev.slotOf[kind][i];
  if (at < 0 || prev.slots.refs[at].record !== record || prev.identities[i].user !== id.user) return undefined;
  // One cursor per plan: a slot's Before is read only while that slot is planned.
  ctx.cursor ??= new Before(prev, at);
  ctx.cursor.b = at;
  return ctx.cursor;
}

/** The previous plan's match of this identity, when matching is unchanged by the edit. */
function previousFound<R>(ctx: Ctx, kind: Kind, i: number, id: Identity): Found<R> | undefined {
  const r = ctx.reuse;
  if (!r || !r.match[kind] || r.prev.identities[i]?.user !== id.user) return undefined;
  return r.prev.found[kind][i] as Found<R> | undefined;
}

// ───────────────────────────── users ─────────────────────────────

function planUsers(ctx: Ctx, identities: Identity[], entraIds: Map<string, Set<string>>, options: PlanOptions): void {
  const { mapping, scope, memo: m } = ctx;
  const keys = mapping.match?.users ?? DEFAULT_MATCH_USERS;
  const records = m.userRecords;
  const keysText = keys.join('\u0000');
  const index = () => {
    if (m.userIndex.keys !== keysText) m.userIndex = { keys: keysText, index: new RecordIndex(records, keys, (r, k) => (k === 'azureoid' ? r.azureoid : r.fields[k])) };
    return m.userIndex.index;
  };
  const claimed = new Set<number>();
  const matchedUnselected = new Map<number, Identity>();
  const deprovision = mapping.deprovision?.users ?? 'ignore';

  let user: DirectoryUser;
  let links = true;
  // A directory that does not link by azureoid is matched by the other keys only, and never claims an azureoid.
  const matchValue = (k: string) => (k === 'azureoid' ? (links ? user.id : null) : identityMatchValue(mapping.fields?.users?.[k], user));
  for (let i = 0; i < identities.length; i++) {
    const id = identities[i];
    const sel = id.userRule;
    const enabled = id.user.enabled;
    user = id.user;
    links = ctx.links(id.tenant);
    const found = previousFound<HaloUser>(ctx, 'user', i, id) ?? index().find(keys, matchValue, links ? id.user.id : '');
    if (ctx.keep) m.found.user[i] = found;
    if ('error' in found) {
      if (sel) refused(ctx, identityError(id, 'user', sel.rule.rule, found.error));
      // Records an identity might own are never deprovisioned or called orphans while in doubt.
      for (const h of found.held) claimed.add(h);
      continue;
    }
    const record = found.record;
    if (!record) {
      if (sel && enabled) createUser(ctx, i, id, sel);
      continue;
    }
    if (claimed.has(record.id)) {
      if (sel) refused(ctx, identityError(id, 'user', sel.rule.rule, `Halo user #${record.id} is already claimed by another ${ctx.label()} identity`));
      continue;
    }
    // The user record of an identity whose user side is protected: matched, never touched.
    if (id.protected === 'user') {
      claimed.add(record.id);
      continue;
    }
    const linked = found.via === 'azureoid';
    if (!sel && !linked) {
      if (scope.userInScope(record)) matchedUnselected.set(record.id, id);
      continue;
    }
    claimed.add(record.id);
    options.onMatch?.('user', record.id, id);
    if (!scope.userInScope(record)) {
      if (sel && enabled) refused(ctx, identityError(id, 'user', sel.rule.rule, `matches Halo user #${record.id} under ${scope.clientName(record.clientId)}, outside this mapping's clients and sites; it is not moved or duplicated`));
      continue;
    }
    managed(ctx, id.tenant);
    const before = previousSlot(ctx, 'user', i, id, record);
    const link: Record<string, FieldChange> = linked || !links ? NO_FIELDS : before !== undefined && before.link !== NO_FIELDS ? before.link : { azureoid: { from: record.azureoid ?? null, to: id.user.id } };
    if (sel && enabled) {
      updateUser(ctx, before, i, id, sel, record, link);
    } else if (!record.inactive && deprovision === 'deactivate') {
      const why = !enabled ? `disabled in ${ctx.label(id.tenant)}` : 'no user rule selects them any more';
      decided(ctx, deactivation('user', record, id.user.id, id.tenant, sel?.rule.rule ?? null, why, link));
    }
  }

  for (const record of records) {
    if (claimed.has(record.id) || !scope.userInScope(record) || record.inactive) continue;
    managed(ctx, scope.tenantsForUser(record));
    if (record.azureoid === undefined) {
      refused(ctx, { entraId: null, kind: 'user', haloId: record.id, name: record.name ?? '', message: 'its Entra link (azureoid) could not be read, so it is left alone' });
      continue;
    }
    if (!isEmpty(record.azureoid)) {
      // Resolved only where the link means something: in the linking directories whose rules target the record.
      const tenants = scope.tenantsForUser(record).filter((t) => ctx.links(t));
      if (tenants.length) {
        const exists = tenants.some((t) => entraIds.get(t)?.has(String(record.azureoid).toLowerCase()) || entraIds.get(t)?.has(String(record.azureoid)));
        if (!exists && deprovision === 'deactivate') decided(ctx, deactivation('user', record, String(record.azureoid), tenants[0], null, `deleted in ${ctx.label(tenants[0])}`, {}));
        continue;
      }
    }
    orphan(ctx, 'user', record, matchedUnselected.get(record.id));
  }
}

type Placement = { clientId: number; clientName: string; name: string; id: number | null };

/**
 * One placement object per site (and per spelling of a site to create), shared by the changes that
 * name it; a re-plan takes the previous plan's (the same values: they come from Halo's names), so
 * that its unchanged changes are the previous ones.
 */
function placementOf(ctx: Ctx, clientId: number, clientName: string, name: string, id: number | null): Placement {
  let byClient = ctx.placements.get(clientId);
  if (!byClient) ctx.placements.set(clientId, (byClient = new Map()));
  const key = id ?? name;
  let p = byClient.get(key);
  if (!p) byClient.set(key, (p = ctx.reuse?.prev.placements.get(clientId)?.get(key) ?? { clientId, clientName, name, id }));
  return p;
}

/** The identity's client: the rule's, or the one its clientFrom attribute names (never created). */
function userClient(ctx: Ctx, id: Identity, rule: UserRule): { id: number; name: string } | string {
  if (!rule.clientFrom) return ctx.scope.client(rule.client!);
  const v = readAttribute(id.user, rule.clientFrom);
  const name = isEmpty(v) ? (rule.clientDefault ?? null) : String(v).trim();
  if (!name) return `${rule.clientFrom} is empty in ${ctx.label(id.tenant)} and rule ${rule.rule} has no clientDefault`;
  const client = ctx.scope.clientNamed(name);
  if (client) return client;
  return `${rule.clientFrom} "${name}" names no Halo client${didYouMean(suggest(name, ctx.scope.clientList()))}; clients are never created`;
}

function userPlacement(ctx: Ctx, id: Identity, rule: UserRule): Placement | string {
  const client = userClient(ctx, id, rule);
  if (typeof client === 'string') return client;
  let siteName: string | null = rule.site ?? null;
  if (rule.siteFrom) {
    const v = readAttribute(id.user, rule.siteFrom);
    siteName = isEmpty(v) ? (rule.siteDefault ?? null) : String(v).trim();
    if (!siteName) return `${rule.siteFrom} is empty in ${ctx.label(id.tenant)} and rule ${rule.rule} has no siteDefault`;
  }
  const existing = ctx.scope.site(client.id, siteName!);
  if (existing) return placementOf(ctx, client.id, client.name, existing.name, existing.id);
  if (!rule.createSites) return `site "${siteName}" does not exist under ${client.name} and rule ${rule.rule} does not create sites`;
  const key = `${client.id}\u0000${nameKey(siteName!)}`;
  if (!ctx.siteCreates.has(key)) {
    ctx.siteCreates.set(key, {
      action: 'createSite', kind: 'site', entraId: null, tenant: null, haloId: null, name: siteName!, rule: rule.rule,
      reason: `${rule.siteFrom ?? 'siteDefault'} "${siteName}" has no site under ${client.name}; rule ${rule.rule} creates sites`,
      fields: { client_id: { from: null, to: client.id }, name: { from: null, to: siteName } },
      site: { clientId: client.id, clientName: client.name, name: siteName!, id: null },
    });
  }
  return placementOf(ctx, client.id, client.name, siteName!, null);
}

/**
 * The identity's placement: the previous plan's when it is in an existing site and nothing it comes
 * from changed (the same rule, unchanged, and the same scope), else worked out.
 */
function placementFor(ctx: Ctx, before: Before | undefined, id: Identity, sel: Selection<UserRule>): Placement | string {
  const p = before?.placement;
  if (p !== undefined && p.id !== null && before!.sel === sel && ctx.reuse!.scope) return placementOf(ctx, p.clientId, p.clientName, p.name, p.id);
  return userPlacement(ctx, id, sel.rule);
}

function createUser(ctx: Ctx, i: number, id: Identity, sel: Selection<UserRule>): void {
  const before = previousSlot(ctx, 'user', i, id, null);
  const placement = placementFor(ctx, before, id, sel);
  if (typeof placement === 'string') return void refused(ctx, identityError(id, 'user', sel.rule.rule, placement));
  count(ctx, sel.rule.rule, 'user');
  settle(ctx, before, 'user', i, null, NO_FIELDS, placement, id, sel);
}

function updateUser(ctx: Ctx, before: Before | undefined, i: number, id: Identity, sel: Selection<UserRule>, record: HaloUser, link: Record<string, FieldChange>): void {
  count(ctx, sel.rule.rule, 'user');
  const placement = placementFor(ctx, before, id, sel);
  if (typeof placement === 'string') return void refused(ctx, identityError(id, 'user', sel.rule.rule, placement, record.id));
  settle(ctx, before, 'user', i, record, link, placement, id, sel);
}

// ───────────────────────────── slots ─────────────────────────────

/**
 * A slot's outcome: its fields and memberships, each the previous plan's where nothing it depends
 * on changed, and the change they make (the previous change itself when made of the same parts).
 */
function settle(ctx: Ctx, before: Before | undefined, kind: Kind, i: number, record: HaloUser | HaloAgent | null, link: Record<string, FieldChange>, placement: Placement | undefined, id: Identity, sel: Selection<AgentRule | UserRule>, made?: Record<string, FieldChange>): void {
  const desired = made ?? desiredOf(ctx, kind, before, id, record, kind === 'agent' ? ctx.managerAgent(id) : undefined);
  const heldCabs = record ? ctx.scope.cabsOf(kind, record.id) : NO_NAMES;
  const members =
    before !== undefined && membersStill(ctx, kind, before, id, record, heldCabs)
      ? before.members
      : record
        ? membershipChanges(ctx, kind, id, { haloId: record.id, roles: record.roles, teams: kind === 'agent' ? (record as HaloAgent).teams : undefined, cabs: heldCabs })
        : membershipChanges(ctx, kind, id, null);
  const rule = sel.rule as AgentRule;
  const fields = kind === 'agent' && members !== 'unknown' ? agentFields(ctx, before, rule, record as HaloAgent | null, desired) : undefined;
  let out: Change | PlanError | null;
  const same =
    before !== undefined && before.desired === desired && before.members === members && before.fields === fields && before.link === link && before.placement === placement &&
    (before.sel === sel || (before.sel.rule.rule === sel.rule.rule && before.sel.because === sel.because));
  if (same) out = before.out;
  else if (members === 'unknown') out = identityError(id, kind, sel.rule.rule, kind === 'user' ? 'its Halo roles could not be read, so it is left alone' : 'its Halo roles or teams could not be read, so it is left alone', record!.id);
  else if (kind === 'user') out = userOutcome(ctx, before, id, sel as Selection<UserRule>, record as HaloUser | null, link, placement!, desired, members);
  else if (record === null) out = change('create', 'agent', id, null, sel, 'not in Halo yet', fields!, members, undefined, sameReason(before, 'create', sel, fields!, NO_MEMBERSHIPS));
  else out = decideUpdate(before, id, sel, record.id, (record as HaloAgent).disabled, 'isdisabled', fields!, fields!, members, undefined, priorChange(before));
  const t = ctx.memo.slots;
  if (out === null) ctx.unchanged++;
  else if ('action' in out) pushChange(ctx, out, ctx.keep ? t.n : -1, before !== undefined ? knownRank(ctx, before, out) : -1);
  else ctx.errors.push(out);
  if (!ctx.keep) return;
  // (A re-plan that settles again shares the previous positions, which are these.)
  if (ctx.memo.slotOf[kind][i] !== t.n) ctx.memo.slotOf[kind][i] = t.n;
  const ref = before?.ref;
  t.add(ref !== undefined && ref.kind === kind && ref.i === i && ref.link === link && ref.placement === placement ? ref : { kind, i, record, link, placement }, sel, desired, members, fields, out);
}

/** The ranks of the slot's previous change, when this change sorts by the same name and ids (and those ranks are the ones this plan starts from). */
function knownRank(ctx: Ctx, before: Before, c: Change): number {
  const o = before.out;
  return o !== null && 'action' in o && o.name === c.name && o.entraId === c.entraId && o.haloId === c.haloId ? previousRank(ctx, before) : -1;
}

/** The ranks the slot's previous change had, when those ranks are the ones this plan starts from; else -1. */
function previousRank(ctx: Ctx, before: Before): number {
  const prev = ctx.reuse!.prev;
  return prev.ranks !== NO_RANKS && prev.slots.ranks === prev.ranks ? prev.slots.rank[before.b] : -1;
}

function userOutcome(ctx: Ctx, before: Before | undefined, id: Identity, sel: Selection<UserRule>, record: HaloUser | null, link: Record<string, FieldChange>, placement: Placement, desired: Record<string, FieldChange>, memberships: Memberships): Change | null {
  const prior = before?.out && 'action' in before.out ? before.out : undefined;
  const was = prior?.fields;
  if (record === null) {
    const links = ctx.links(id.tenant);
    let fields: Record<string, FieldChange>;
    if (prior?.action === 'create' && before!.placement === placement && sameKeys(desired, before!.desired)) {
      // The same fields as the previous create: its object copied, the values that changed replaced.
      const old = before!.desired;
      fields = { ...was! };
      for (const k in desired) if (desired[k] !== old[k] && k !== 'site_id' && !(links && k === 'azureoid')) fields[k] = desired[k];
    } else fields = withFields(null, desired, 'site_id', kept(was, 'site_id', null, placement.id), links ? 'azureoid' : undefined, kept(was, 'azureoid', null, id.user.id));
    return change('create', 'user', id, null, sel, 'not in Halo yet', fields, memberships, placement, sameReason(before, 'create', sel, fields, NO_MEMBERSHIPS));
  }
  const moved = placement.id !== record.siteId;
  const fields = link === NO_FIELDS && !moved ? desired : withFields(link === NO_FIELDS ? null : link, desired, moved ? 'site_id' : undefined, kept(was, 'site_id', record.siteId, placement.id));
  const site = 'site_id' in fields ? placement : undefined;
  return decideUpdate(before, id, sel, record.id, record.inactive, 'inactive', fields, desired, memberships, site, prior);
}

/** The slot's previous change, when it made one. */
function priorChange(before: Before | undefined): Change | undefined {
  const o = before?.out;
  return o && 'action' in o ? o : undefined;
}

/** The previous change's field change when it says the same, else a new one (so that unchanged parts stay the same objects). */
function kept(fields: Record<string, FieldChange> | undefined, key: string, from: unknown, to: unknown): FieldChange {
  const f = fields !== undefined && Object.hasOwn(fields, key) ? fields[key] : undefined;
  return f !== undefined && f.from === from && f.to === to ? f : { from, to };
}

// ───────────────────────────── agents ─────────────────────────────

function planAgents(ctx: Ctx, identities: Identity[], entraIds: Map<string, Set<string>>, options: PlanOptions): void {
  const { mapping, memo: m } = ctx;
  const keys = mapping.match?.agents ?? DEFAULT_MATCH_AGENTS;
  const records = m.agentRecords;
  const keysText = keys.join('\u0000');
  const index = () => {
    if (m.agentIndex.keys !== keysText) m.agentIndex = { keys: keysText, index: new RecordIndex(records, keys, (r, k) => r.fields[k] ?? (k === 'name' ? r.name : undefined)) };
    return m.agentIndex.index;
  };
  const claimed = new Set<number>();
  /** Records an identity matched ambiguously: never deprovisioned while in doubt. */
  const inDoubt = new Set<number>();
  const deprovision = mapping.deprovision?.agents ?? 'ignore';

  // Matched first, acted on after: an agent's linemanager is the Halo id of their manager's agent,
  // which may be matched later in the list.
  const matched: Array<{ i: number; id: Identity; record: HaloAgent | null }> = [];
  for (let i = 0; i < identities.length; i++) {
    const id = identities[i];
    const found = previousFound<HaloAgent>(ctx, 'agent', i, id) ?? index().find(keys, (k) => identityMatchValue(mapping.fields?.agents?.[k], id.user, k), null);
    if (ctx.keep) m.found.agent[i] = found;
    if ('error' in found) {
      if (id.agent) refused(ctx, identityError(id, 'agent', id.agent.rule.rule, found.error));
      for (const h of found.held) inDoubt.add(h);
      continue;
    }
    // An identity with no agent record and no agent rule has nothing to do below.
    if (found.record || id.agent) matched.push({ i, id, record: found.record });
    if (found.record && !found.record.isApiAgent) ctx.agentOf.set(identityKey(id.tenant, id.user.id), found.record.id);
  }

  for (const { i, id, record } of matched) {
    const sel = id.agent;
    const enabled = id.user.enabled;
    // Licence management: a rule or a grant that makes its agents inactive (never created active).
    const inactiveBy = sel ? (sel.rule.inactive ? `rule ${sel.rule.rule}` : id.agentInactiveBy) : undefined;
    if (!record) {
      if (sel && enabled && inactiveBy === undefined) {
        count(ctx, sel.rule.rule, 'agent');
        settle(ctx, previousSlot(ctx, 'agent', i, id, null), 'agent', i, null, NO_FIELDS, undefined, id, sel);
      }
      continue;
    }
    if (record.isApiAgent) {
      if (sel) refused(ctx, identityError(id, 'agent', sel.rule.rule, `matches API agent #${record.id}, which is never touched`));
      continue;
    }
    if (claimed.has(record.id)) {
      if (sel) refused(ctx, identityError(id, 'agent', sel.rule.rule, `Halo agent #${record.id} is already claimed by another ${ctx.label()} identity`));
      continue;
    }
    claimed.add(record.id);
    options.onMatch?.('agent', record.id, id);
    // The agent record of an identity whose agent side is protected: matched, never touched.
    if (id.protected === 'agent') continue;
    managed(ctx, id.tenant);
    options.onAgentMatch?.({ haloId: record.id, tenant: id.tenant, entraId: id.user.id });
    if (sel && enabled && inactiveBy !== undefined) {
      count(ctx, sel.rule.rule, 'agent');
      if (!record.disabled) decided(ctx, deactivation('agent', record, id.user.id, id.tenant, sel.rule.rule, `made inactive by ${inactiveBy}`, licenceFreed(ctx, record)));
      else unchangedByDecision(ctx);
    } else if (sel && enabled) {
      count(ctx, sel.rule.rule, 'agent');
      settle(ctx, previousSlot(ctx, 'agent', i, id, record), 'agent', i, record, NO_FIELDS, undefined, id, sel);
    } else if (!record.disabled && deprovision === 'deactivate') {
      const why = !enabled ? `disabled in ${ctx.label(id.tenant)}` : 'no agent rule selects them any more';
      decided(ctx, deactivation('agent', record, id.user.id, id.tenant, sel?.rule.rule ?? null, why, licenceFreed(ctx, record)));
    }
  }

  // An agent matched earlier whose Entra identity is gone from a tenant read in full: deleted.
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const link of options.agentLinks ?? []) {
    const record = byId.get(link.haloId);
    const ids = entraIds.get(link.tenant);
    if (!record || !ids || claimed.has(record.id) || inDoubt.has(record.id) || record.isApiAgent || ids.has(link.entraId)) continue;
    claimed.add(record.id);
    managed(ctx, link.tenant);
    if (!record.disabled && deprovision === 'deactivate') decided(ctx, deactivation('agent', record, link.entraId, link.tenant, null, `deleted in ${ctx.label(link.tenant)} (matched at an earlier plan)`, {}));
  }

  // Active agents no identity claims (protected and API agents were left out above).
  for (const record of records) {
    if (claimed.has(record.id) || inDoubt.has(record.id) || record.isApiAgent || record.disabled) continue;
    ctx.managedRecords++;
    orphan(ctx, 'agent', record, undefined);
  }
}

/** The agent's fields with the rule's team and licence: the previous plan's when made of the same parts. */
function agentFields(ctx: Ctx, before: Before | undefined, rule: AgentRule, record: HaloAgent | null, desired: Record<string, FieldChange>): Record<string, FieldChange> {
  if (before !== undefined && before.fields !== undefined && before.desired === desired && (before.sel.rule as AgentRule).team === rule.team && (before.sel.rule as AgentRule).licence === rule.licence) return before.fields;
  let fields = desired;
  if (rule.team && (record === null || !sameValue('team', record.team, rule.team))) fields = withField(fields, desired, 'team', { from: record?.team ?? null, to: ctx.scope.teamName(rule.team) });
  const licence = rule.licence && rule.licence !== 'unchanged' ? rule.licence : null;
  if (licence && record?.licence !== licence) fields = withField(fields, desired, 'licence', { from: record?.licence ?? null, to: licence });
  return fields;
}

// ───────────────────────────── shared ─────────────────────────────

/** Finds the one Halo record an identity matches, trying keys in precedence order. */
class RecordIndex<R extends { id: number }> {
  private readonly maps = new Map<string, Map<string, R[]>>();
  constructor(
    records: R[],
    keys: string[],
    private readonly valueOf: (r: R, key: string) => unknown,
  ) {
    for (const k of keys) {
      const m = new Map<string, R[]>();
      for (const r of records) {
        const v = normalise(k, valueOf(r, k));
        if (v === null) continue;
        const list = m.get(v);
        if (list) list.push(r);
        else m.set(v, [r]);
      }
      this.maps.set(k, m);
    }
  }

  find(keys: string[], identityValue: (key: string) => unknown, oid: string | null): { record: R | null; via: string | null } | { error: string; held: number[] } {
    for (const k of keys) {
      const v = normalise(k, identityValue(k));
      if (v === null) continue;
      const hits = this.maps.get(k)?.get(v);
      if (!hits) continue;
      if (hits.length > 1) return { error: `ambiguous: Halo records ${hits.map((h) => '#' + h.id).join(', ')} all have ${k} ${v}`, held: hits.map((h) => h.id) };
      if (hits.length === 1) {
        const linkedTo = k === 'azureoid' || oid === null ? null : this.valueOf(hits[0], 'azureoid');
        if (linkedTo === undefined) return { error: `Halo user #${hits[0].id} matches by ${k} but its Entra link (azureoid) could not be read`, held: [hits[0].id] };
        if (!isEmpty(linkedTo) && normalise('azureoid', linkedTo) !== normalise('azureoid', oid)) {
          return { error: `Halo user #${hits[0].id} has the same ${k} but is linked to another Entra object (${linkedTo}); clear its azureoid in Halo to relink it`, held: [hits[0].id] };
        }
        return { record: hits[0], via: k };
      }
    }
    return NOT_FOUND;
  }
}

const NOT_FOUND = Object.freeze({ record: null, via: null });

/** No index made yet (no match keys are the empty key list's). */
const NO_INDEX = { keys: '\u0001none', index: new RecordIndex<never>([], [], () => undefined) };

interface MappedField {
  field: string;
  spec: FieldSpec;
  createOnly: boolean;
  /** Filled from `manager.agent`: the Halo agent id of the manager's agent record. */
  ofManagerAgent: boolean;
  /** The one attribute of a short-form spec, parsed (else the spec is read by fieldValue()). */
  source: Source | undefined;
  /** The field compares case-insensitively (isCaseInsensitiveField). */
  caseless: boolean;
}

const identityKey = (tenant: string, entraId: string) => `${tenant}\u0000${entraId}`;

/** In field-name order, so that the fields worked out come out in the order a change lists them. */
function mappedFields(specs: Record<string, FieldSpec> | undefined, unread: Set<string>): MappedField[] {
  return Object.entries(specs ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .filter(([, spec]) => !fieldSources(spec).some((s) => unread.has(attributeName(s))))
    .map(([field, spec]) => ({
      field, spec, createOnly: isCreateOnly(spec), ofManagerAgent: fieldSources(spec).includes(`${MANAGER}.${MANAGER_AGENT}`),
      source: typeof spec === 'string' ? parseSource(spec) : undefined, caseless: isCaseInsensitiveField(field),
    }));
}

/** What the plan leaves out because a source would not give an attribute, said once per tenant. */
function unreadWarnings(mapping: Mapping, directories: DirectorySnapshot): string[] {
  return directories.tenants.flatMap((t) => {
    const unread = new Set(t.unreadAttributes ?? []);
    if (!unread.size) return [];
    const fields = [mapping.fields?.users, mapping.fields?.agents].flatMap((specs) => Object.entries(specs ?? {}).filter(([, spec]) => fieldSources(spec).some((s) => unread.has(attributeName(s)))).map(([f]) => f));
    return [`${directoryLabel(mapping, t.tenant)} "${t.tenant}" would not give ${[...unread].join(', ')} with the current permissions (Test Connections names the one missing): ${[...new Set(fields)].join(', ')} left as they are in Halo.`];
  });
}

/**
 * Per tenant, the mapped fields that can be worked out. A field filled from an attribute the
 * source would not give is left out (Halo keeps its value); a rule that selects or places by one
 * cannot be decided at all, so the plan stops rather than read it as empty.
 */
function fieldSpecs(mapping: Mapping, directories: DirectorySnapshot): Ctx['specs'] {
  const problems: string[] = [];
  const byTenant = new Map<string, { users: MappedField[]; agents: MappedField[] }>();
  for (const t of directories.tenants) {
    const unread = new Set(t.unreadAttributes ?? []);
    for (const rule of [...(mapping.agents ?? []), ...(mapping.users ?? [])]) {
      if (tenantOf(mapping, rule) !== t.tenant) continue;
      const placed = 'siteFrom' in rule ? [rule.siteFrom, rule.clientFrom].filter((a): a is string => a !== undefined).map(attributeName) : [];
      const used = [...Object.keys(rule.from.where ?? {}), ...placed];
      for (const a of used.filter((x) => unread.has(x))) problems.push(`rule ${rule.rule} uses ${a}, which ${directoryLabel(mapping, t.tenant)} "${t.tenant}" would not give with the current permissions`);
    }
    byTenant.set(t.tenant, { users: mappedFields(mapping.fields?.users, unread), agents: mappedFields(mapping.fields?.agents, unread) });
  }
  if (problems.length) throw new PlanInputError(problems);
  const none = { users: mappedFields(mapping.fields?.users, new Set()), agents: mappedFields(mapping.fields?.agents, new Set()) };
  // Asked for every identity's slot, most often of the tenant asked for last.
  let lastTenant: string | undefined;
  let last = none;
  return (tenant) => {
    if (tenant !== lastTenant) {
      lastTenant = tenant;
      last = byTenant.get(tenant) ?? none;
    }
    return last;
  };
}

/**
 * The fields to write. `managerAgent` is the Halo agent id of the identity's manager's agent
 * (agents only; null when the manager has no agent record yet): the value of `manager.agent`.
 */
function desiredFields(specs: MappedField[], user: DirectoryUser, current: Record<string, unknown> | null, creating: boolean, managerAgent?: number | null): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const m of specs) {
    const c = fieldChange(m, user, current, creating, managerAgent);
    if (c !== undefined) out[m.field] = c;
  }
  if (creating && !out.name) out.name = { from: null, to: user.name ?? user.login ?? user.id };
  return out;
}

/** One field of desiredFields(): its change (`was` itself when it says the same), or undefined when it is left as it is. */
function fieldChange(m: MappedField, user: DirectoryUser, current: Record<string, unknown> | null, creating: boolean, managerAgent: number | null | undefined, was?: FieldChange): FieldChange | undefined {
  if (m.createOnly && !creating) return undefined;
  if (m.ofManagerAgent && managerAgent === undefined) return undefined;
  const value = m.ofManagerAgent ? managerAgent : m.source ? readSource(user, m.source) : fieldValue(m.spec, user);
  const from = current ? (current[m.field] ?? null) : null;
  if (!(creating ? value !== null : normaliseAs(m.caseless, from) !== normaliseAs(m.caseless, value))) return undefined;
  return was !== undefined && was.from === from && was.to === value ? was : { from, to: value };
}

/**
 * desiredFields() for a slot: the previous plan's, with only the fields whose spec the edit
 * changed worked out again (the previous object itself when they come out the same).
 */
function desiredOf(ctx: Ctx, kind: Kind, before: Before | undefined, id: Identity, record: HaloUser | HaloAgent | null, managerAgent: number | null | undefined): Record<string, FieldChange> {
  const specs = kind === 'user' ? ctx.specs(id.tenant).users : ctx.specs(id.tenant).agents;
  const current = record ? record.fields : null;
  const creating = record === null;
  if (before === undefined || (kind === 'agent' && before.managerAgent !== managerAgent)) return desiredFields(specs, id.user, current, creating, managerAgent);
  const changed = ctx.reuse!.fields[kind];
  return changed.size ? patchFields(ctx, before.desired, specs, changed, id.user, current, creating, managerAgent) : before.desired;
}

function patchFields(ctx: Ctx, old: Record<string, FieldChange>, specs: MappedField[], changed: Set<string>, user: DirectoryUser, current: Record<string, unknown> | null, creating: boolean, managerAgent: number | null | undefined): Record<string, FieldChange> {
  const { at, gone } = ctx.patchPlan(specs, changed);
  const has = Object.hasOwn;
  const renamed = creating && changed.has('name');
  // Most edits change one field: its new value worked out first (the previous one when it says the same).
  if (at.length === 1 && gone.length === 0 && !renamed) {
    const m = specs[at[0]];
    const o = has(old, m.field) ? old[m.field] : undefined;
    const c = fieldChange(m, user, current, creating, managerAgent, o);
    if (o === c) return old;
    if (o === undefined || c === undefined) return inSpecOrder(old, specs, at, [c], creating, user);
    const copy = { ...old };
    copy[m.field] = c;
    return copy;
  }
  // Worked out for the changed specs first.
  const made: Array<FieldChange | undefined> = [];
  let differs = false;
  // Whether the same fields are set (only values differ): then a copy of the previous object, values replaced.
  let shape = true;
  for (const f of gone) {
    if (has(old, f)) {
      differs = true;
      shape = false;
    }
  }
  for (const k of at) {
    const m = specs[k];
    const o = has(old, m.field) ? old[m.field] : undefined;
    const c = fieldChange(m, user, current, creating, managerAgent, o);
    made.push(c);
    if (o !== c) differs = true;
    if ((o === undefined) !== (c === undefined)) shape = false;
  }
  if (!differs && !renamed) return old;
  if (shape && !renamed) {
    const copy = { ...old };
    for (let j = 0; j < at.length; j++) if (made[j] !== undefined) copy[specs[at[j]].field] = made[j]!;
    return copy;
  }
  const out = inSpecOrder(old, specs, at, made, creating, user);
  return sameFields(old, out) ? old : out;
}

/** The desired fields in spec order: `made` at the positions `at`, the others `old`'s; a create's name always set. */
function inSpecOrder(old: Record<string, FieldChange>, specs: MappedField[], at: number[], made: Array<FieldChange | undefined>, creating: boolean, user: DirectoryUser): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (let k = 0, j = 0; k < specs.length; k++) {
    const m = specs[k];
    const c = at[j] === k ? made[j++] : Object.hasOwn(old, m.field) ? old[m.field] : undefined;
    if (c !== undefined) out[m.field] = c;
  }
  if (creating && !out.name) {
    const to = user.name ?? user.login ?? user.id;
    out.name = Object.hasOwn(old, 'name') && old.name.from === null && old.name.to === to ? old.name : { from: null, to };
  }
  return out;
}

/** The same fields with the same from and to values. */
function sameFields(a: Record<string, FieldChange>, b: Record<string, FieldChange>): boolean {
  let n = 0;
  for (const k in b) {
    n++;
    const x = a[k];
    const y = b[k];
    if (x !== y && (x === undefined || x.from !== y.from || x.to !== y.to)) return false;
  }
  for (const _ in a) n--;
  return n === 0;
}

/**
 * `under`, then `fields`, then `key` and `key2` (each set over the one before), as one object in key
 * order (what a change lists): one object made, where copying, adding and sorting would make two.
 */
function withFields(under: Record<string, FieldChange> | null, fields: Record<string, FieldChange>, key: string | undefined, value: FieldChange, key2?: string, value2?: FieldChange): Record<string, FieldChange> {
  const keys = Object.keys(fields);
  const has = Object.hasOwn;
  if (under) for (const k in under) if (!has(fields, k)) keys.push(k);
  if (key !== undefined && !has(fields, key) && !(under && has(under, key))) keys.push(key);
  if (key2 !== undefined && key2 !== key && !has(fields, key2) && !(under && has(under, key2))) keys.push(key2);
  sortSmall(keys);
  const out: Record<string, FieldChange> = {};
  for (const k of keys) out[k] = k === key2 ? value2! : k === key ? value : has(fields, k) ? fields[k] : under![k];
  return out;
}

/** `fields` with `key` set: in place when it is the slot's own object, else on a copy of the shared one. */
function withField(fields: Record<string, FieldChange>, shared: Record<string, FieldChange>, key: string, value: FieldChange): Record<string, FieldChange> {
  const out = fields === shared ? { ...shared } : fields;
  out[key] = value;
  return out;
}

/**
 * Whether the previous plan's membershipChanges() of the slot still hold: nothing they depend on
 * changed (the identity's wanted names and their sources, the record's memberships, what is managed).
 */
function membersStill(ctx: Ctx, kind: Kind, before: Before, id: Identity, record: HaloUser | HaloAgent | null, heldCabs: string[]): boolean {
  const reuse = ctx.reuse!;
  const changed = reuse.members[kind];
  if (!changed) return false;
  const was = reuse.prev.identities[before.i];
  if (reuse.prev.scope !== ctx.scope && !sameNames(before.heldCabs, heldCabs)) return false;
  // The same identity (nothing about its rules or grants changed) and nothing newly (un)managed: nothing to compare.
  if (was === id && !changed.roles.size && !changed.teams.size && !changed.cabRoles.size) return true;
  if (kind === 'agent') {
    if (!sameSet(was.agentRoles, id.agentRoles) || !sameSet(was.agentCabs, id.agentCabs) || (was.agent?.rule.team || '') !== (id.agent?.rule.team || '')) return false;
    if (!sameSource(was.agent, id.agent)) return false;
  } else {
    if (!sameSet(was.userRoles, id.userRoles) || !sameSet(was.userCabs, id.userCabs)) return false;
    if (!sameSource(was.userRule, id.userRule)) return false;
  }
  if (record) {
    if (changed.roles.size && touches(record.roles, changed.roles)) return false;
    if (kind === 'agent' && changed.teams.size && touches((record as HaloAgent).teams, changed.teams)) return false;
  }
  if (changed.cabRoles.size && heldCabs.some((c) => changed.cabRoles.has(c))) return false;
  return !reuse.grantsChanged(id.tenant, id.user);
}

/** Whether a record's names (undefined: not known) include one of `keys` (name keys). */
function touches(names: string[] | undefined, keys: Set<string>): boolean {
  return names === undefined || names.some((n) => keys.has(nameKey(n)));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function sameNames(a: string[], b: string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, k) => x === b[k]));
}

/** Whether a rule's part in the memberships' wording (its name, roles, team, why it selected) is unchanged. */
function sameSource(a: Selection<AgentRule | UserRule> | null, b: Selection<AgentRule | UserRule> | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.because === b.because && grantSignature(a.rule) === grantSignature(b.rule);
}

const signatures = new WeakMap<object, string>();
function grantSignature(rule: AgentRule | UserRule): string {
  let s = signatures.get(rule);
  if (s === undefined) signatures.set(rule, (s = JSON.stringify([rule.rule, rule.roles ?? null, (rule as AgentRule).team ?? null])));
  return s;
}

/** Current memberships of a record (null when creating). Undefined lists were not readable. */
interface Held {
  haloId: number;
  roles: string[] | undefined;
  teams?: string[] | undefined;
  cabs: string[];
}

function membershipChanges(ctx: Ctx, kind: Kind, id: Identity, held: null): Memberships;
function membershipChanges(ctx: Ctx, kind: Kind, id: Identity, held: Held): Memberships | 'unknown';
function membershipChanges(ctx: Ctx, kind: Kind, id: Identity, held: Held | null): Memberships | 'unknown' {
  const creating = held === null;
  const roles = held?.roles;
  const teams = held?.teams;
  const cabs = held?.cabs ?? [];
  let out: Memberships | null = null;
  const managedRoles = ctx.scope.managedRoles(kind);
  if (managedRoles.size) {
    if (roles === undefined && !creating) return 'unknown';
    const d = delta(kind === 'agent' ? id.agentRoles : id.userRoles, roles ?? NO_NAMES, managedRoles, ctx.display[kind]);
    if (d) (out ??= {}).roles = explained(ctx, d, kind, 'role', id);
  }
  if (kind === 'agent') {
    const managedTeams = ctx.scope.managedTeams();
    if (managedTeams.size) {
      if (teams === undefined && !creating) return 'unknown';
      const want = id.agent?.rule.team ? new Set([id.agent.rule.team]) : NO_SET;
      const d = delta(want, teams ?? NO_NAMES, managedTeams, ctx.display.team);
      if (d) (out ??= {}).teams = explained(ctx, d, kind, 'team', id);
    }
  }
  const managedCabs = ctx.scope.managedCabs(kind);
  if (managedCabs.size) {
    const want = kind === 'agent' ? id.agentCabs : id.userCabs;
    const added = delta(want, cabs, managedCabs, asIs);
    const d: CabDelta | null = added && explained(ctx, added, kind, 'cab', id);
    const role = held ? cabRoleChanges(ctx, kind, held.haloId, want, cabs) : null;
    if (d || role) (out ??= {}).cabs = role ? { ...(d ?? { add: [], remove: [] }), role } : d!;
  }
  return out ?? NO_MEMBERSHIPS;
}

/** The delta with, for each name it adds, the mapping entries that grant it (the access review's wording). */
function explained<D extends MembershipDelta>(ctx: Ctx, d: D, kind: Kind, type: GrantType, id: Identity): D {
  if (!d.add.length) return d;
  const why: Record<string, string> = {};
  for (const name of d.add) why[name] = ctx.sources.of(kind, type, name, id).join('; ');
  return { ...d, why };
}

/** Seats on wanted CABs the record keeps, whose CAB role is not the mapping's `cab[].role`. */
function cabRoleChanges(ctx: Ctx, kind: Kind, haloId: number, want: Set<string>, held: string[]): CabRoleChange[] | null {
  let out: CabRoleChange[] | null = null;
  for (const cab of held) {
    if (!wants(want, cab)) continue;
    const to = ctx.cabRole(cab);
    if (to === undefined) continue;
    const from = ctx.scope.cabRoleOf(kind, haloId, cab);
    if (from !== null && nameKey(from) === nameKey(to)) continue;
    (out ??= []).push({ cab, from, to });
  }
  return out;
}

/** Shared empty values: most identities have nothing here, and these are never attached or changed. */
const NO_MEMBERSHIPS: Memberships = Object.freeze({});
const NO_FIELDS: Record<string, FieldChange> = Object.freeze({});
const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];
const NO_SET: Set<string> = new Set();
const asIs = (n: string) => n;

/** Adds what is wanted and missing; removes what is managed, present and no longer wanted. */
function delta(want: Set<string>, have: string[], managed: Set<string>, display: (n: string) => string): MembershipDelta | null {
  if (want.size === 0 && have.length === 0) return null;
  if (want.size + have.length > 32) return deltaBySets(want, have, managed, display);
  // A record holds a handful of names and this runs for every identity: nested loops over them
  // (nameKey is memoised) allocate nothing, unlike sets of keys.
  let add: string[] | null = null;
  for (const w of want) {
    if (!holds(have, w)) (add ??= []).push(display(w));
  }
  let remove: string[] | null = null;
  for (let i = 0; i < have.length; i++) {
    const h = have[i];
    if (managed.has(nameKey(h)) && !want.has(h) && !wants(want, h)) (remove ??= []).push(h);
  }
  if (!add && !remove) return null;
  return { add: add ? sortSmall(add) : [], remove: remove ? sortSmall(remove) : [] };
}

/** Whether `names` has `name` (case-insensitively, trimmed). */
function holds(names: string[], name: string): boolean {
  if (names.includes(name)) return true;
  const k = nameKey(name);
  for (let i = 0; i < names.length; i++) if (nameKey(names[i]) === k) return true;
  return false;
}

function wants(want: Set<string>, name: string): boolean {
  const k = nameKey(name);
  for (const w of want) if (nameKey(w) === k) return true;
  return false;
}

function deltaBySets(want: Set<string>, have: string[], managed: Set<string>, display: (n: string) => string): MembershipDelta | null {
  const haveKeys = new Set(have.map(nameKey));
  const wantKeys = new Set([...want].map(nameKey));
  const add = [...want].filter((w) => !haveKeys.has(nameKey(w))).map(display).sort();
  const remove = have.filter((h) => managed.has(nameKey(h)) && !wantKeys.has(nameKey(h))).sort();
  return add.length || remove.length ? { add, remove } : null;
}

/** The update (or reactivation) a record needs, or null when it needs none. `shared`: the memo's object `fields` may be (never changed). */
function decideUpdate(before: Before | undefined, id: Identity, sel: Selection<AgentRule | UserRule>, haloId: number, inactive: boolean, flag: 'inactive' | 'isdisabled', fields: Record<string, FieldChange>, shared: Record<string, FieldChange>, memberships: Memberships, site?: Change['site'], prior?: Change): Change | null {
  const hasMemberships = !isEmptyObject(memberships);
  const hasFields = !isEmptyObject(fields);
  const kind: Kind = flag === 'inactive' ? 'user' : 'agent';
  let c: Change | null = null;
  if (inactive) {
    fields = withField(fields, shared, flag, { from: true, to: false });
    c = change('reactivate', kind, id, haloId, sel, 'inactive in Halo', fields, memberships, site, sameReason(before, 'reactivate', sel, fields, memberships));
  } else if (hasFields || hasMemberships) {
    c = change('update', kind, id, haloId, sel, '', fields, memberships, site, updateWords(before, prior, sel, fields, memberships));
  }
  return c;
}

/** An update's words: the slot's previous update's when they say the same, else by the one field set or left (movedWords), else made. */
function updateWords(before: Before | undefined, prior: Change | undefined, sel: Selection<AgentRule | UserRule>, fields: Record<string, FieldChange>, memberships: Memberships): string {
  const same = sameReason(before, 'update', sel, fields, memberships);
  if (same !== undefined) return same;
  const field = prior?.action === 'update' && before !== undefined && before.sel.because === sel.because && before.sel.rule.rule === sel.rule.rule ? movedField(prior, fields, memberships) : undefined;
  // By whether the field is set or left, and how many memberships the words name last (so that a field named like one reads apart).
  const words = field !== undefined ? movedWords(prior!.reason, field) : undefined;
  const at = words !== undefined ? 2 * keyCount(memberships) + (Object.hasOwn(fields, field!) ? 0 : 1) : 0;
  if (words?.[at] !== undefined) return words[at]!;
  const hasMemberships = !isEmptyObject(memberships);
  const only = hasMemberships ? undefined : onlyKey(fields);
  if (only !== undefined) return oneFieldWords(sel, only);
  const reason = reasonOf(sel, `${sortedKeys(fields).join(', ')}${hasMemberships && !isEmptyObject(fields) ? ', ' : ''}${sortedKeys(memberships).join(', ')} changed`);
  if (words !== undefined) words[at] = reason;
  return reason;
}

/**
 * The words of updates whose fields differ from the slot's previous update's by one field set or
 * left (the commonest re-plan: one field's source edited), by the previous words and that field:
 * made once per plan lineage. Bounded, as values.ts bounds its memos.
 */
const movedReasons = new Map<string, Map<string, Array<string | undefined>>>();
function movedWords(reason: string, field: string): Array<string | undefined> {
  let byField = movedReasons.get(reason);
  if (!byField) {
    if (movedReasons.size >= 10_000) movedReasons.clear();
    movedReasons.set(reason, (byField = new Map()));
  }
  let words = byField.get(field);
  if (!words) byField.set(field, (words = []));
  return words;
}

/** The one field `fields` sets or leaves beside the previous change's, when the same memberships changed; else undefined. */
function movedField(prior: Change, fields: Record<string, FieldChange>, memberships: Memberships): string | undefined {
  let added: string | undefined;
  let removed: string | undefined;
  for (const k in fields) {
    if (Object.hasOwn(prior.fields, k)) continue;
    if (added !== undefined) return undefined;
    added = k;
  }
  for (const k in prior.fields) {
    if (Object.hasOwn(fields, k)) continue;
    if (removed !== undefined) return undefined;
    removed = k;
  }
  if ((added === undefined) === (removed === undefined) || !sameKeys(prior.memberships ?? NO_MEMBERSHIPS, memberships)) return undefined;
  return added ?? removed;
}

function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/**
 * `reason`: the words already made (the previous plan's, when the same); else made from `what`.
 * (A literal, not a copy of the previous change: changes come in several shapes, and copying one
 * that may be any of them is several times slower than making it.)
 */
function change(action: Action, kind: Kind, id: Identity, haloId: number | null, sel: Selection<AgentRule | UserRule>, what: string, fields: Record<string, FieldChange>, memberships: Memberships, site?: Change['site'], reason?: string): Change {
  const nameValue = fields.name?.to ?? id.user.name ?? id.user.id;
  const c: Change = {
    action, kind, entraId: id.user.id, tenant: id.tenant, haloId, name: String(nameValue), rule: sel.rule.rule,
    reason: reason ?? reasonOf(sel, what), fields: sortKeys(fields),
  };
  if (!isEmptyObject(memberships)) c.memberships = memberships;
  if (site) c.site = site;
  return c;
}

/** The words a selection's changes share, by what they say, and (updates of one field and no memberships) by that field. */
interface Words {
  byWhat: Map<string, string>;
  byField: Map<string, string>;
}
/** Bounded: a selection's distinct field sets are few, but not every mapping's. */
const WORDS_LIMIT = 256;
const selectionWords = new WeakMap<Selection<AgentRule | UserRule>, Words>();
function wordsOf(sel: Selection<AgentRule | UserRule>): Words {
  let w = selectionWords.get(sel);
  if (!w) selectionWords.set(sel, (w = { byWhat: new Map(), byField: new Map() }));
  return w;
}

/** Every change a selection makes with the same words shares one string (most do: a plan keeps fewer strings). */
function reasonOf(sel: Selection<AgentRule | UserRule>, what: string): string {
  const { byWhat } = wordsOf(sel);
  let r = byWhat.get(what);
  if (r === undefined) {
    r = `${sel.because}; rule ${sel.rule.rule}; ${what}`;
    if (byWhat.size < WORDS_LIMIT) byWhat.set(what, r);
  }
  return r;
}

/** reasonOf() for an update of one field and no memberships (a slot's first change after a field's edit, most often), found by the field's name. */
function oneFieldWords(sel: Selection<AgentRule | UserRule>, field: string): string {
  const { byField } = wordsOf(sel);
  let r = byField.get(field);
  if (r === undefined) {
    r = reasonOf(sel, `${field} changed`);
    if (byField.size < WORDS_LIMIT) byField.set(field, r);
  }
  return r;
}

/** The one key of `o`, when it has exactly one. */
function onlyKey(o: object): string | undefined {
  let only: string | undefined;
  for (const k in o) {
    if (only !== undefined) return undefined;
    only = k;
  }
  return only;
}

/**
 * The previous change's reason, when this change's has the same words: the same action and
 * selection and, for an update, the same fields and memberships changed (whatever their values).
 */
function sameReason(before: Before | undefined, action: Action, sel: Selection<AgentRule | UserRule>, fields: Record<string, FieldChange>, memberships: Memberships): string | undefined {
  const o = before?.out;
  const s = before?.sel;
  if (!o || !s || !('action' in o) || o.action !== action || s.because !== sel.because || s.rule.rule !== sel.rule.rule) return undefined;
  if (action === 'update' && !(sameKeys(o.fields, fields) && sameKeys(o.memberships ?? NO_MEMBERSHIPS, memberships))) return undefined;
  return o.reason;
}

/** With `deprovision.agentLicence: concurrent`, an agent made inactive gives up its named licence. */
function licenceFreed(ctx: Ctx, record: HaloAgent): Record<string, FieldChange> {
  if (ctx.mapping.deprovision?.agentLicence !== 'concurrent' || record.licence !== 'named') return NO_FIELDS;
  return { licence: { from: 'named', to: 'concurrent' } };
}

function deactivation(kind: Kind, record: HaloAgent | HaloUser, entraId: string | null, tenant: string | null, rule: string | null, why: string, link: Record<string, FieldChange>): Change {
  const flag = kind === 'user' ? 'inactive' : 'isdisabled';
  return {
    action: 'deactivate', kind, entraId, tenant, haloId: record.id, name: record.name ?? '', rule, reason: why,
    fields: sortKeys({ ...link, [flag]: { from: false, to: true } }),
  };
}

function orphan(ctx: Ctx, kind: Kind, record: HaloAgent | HaloUser, matched: Identity | undefined): void {
  ctx.orphans.push({ kind, haloId: record.id, name: record.name ?? '' });
  if (ctx.mapping.deprovision?.orphans !== 'deactivate') return;
  const why = matched ? `orphan: matches ${matched.user.login ?? matched.user.id}, whom no ${kind} rule selects` : `orphan: no ${ctx.label()} identity claims this record`;
  decided(ctx, deactivation(kind, record, null, null, null, why, NO_FIELDS));
}

function identityError(id: Identity, kind: Kind, rule: string, message: string, haloId?: number): PlanError {
  const e: PlanError = { entraId: id.user.id, tenant: id.tenant, kind, name: String(id.user.name ?? id.user.login ?? id.user.id), rule, message };
  if (haloId !== undefined) e.haloId = haloId;
  return e;
}

function count(ctx: Ctx, rule: string, kind: Kind): void {
  const m = ctx.selected[kind];
  m.set(rule, (m.get(rule) ?? 0) + 1);
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  // Already in order (most are): the same enumeration a rebuilt object would have, without the rebuild.
  if (inOrder(o)) return o;
  const keys = sortSmall(Object.keys(o));
  const out: Record<string, T> = {};
  for (const k of keys) out[k] = o[k];
  return out;
}

/** Whether o's keys enumerate in string order (looked at without listing them). */
function inOrder(o: object): boolean {
  let last: string | undefined;
  for (const k in o) {
    if (last !== undefined && !(last < k)) return false;
    last = k;
  }
  return true;
}

/** The same own keys. */
function sameKeys(a: object, b: object): boolean {
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k)) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** Object.keys(o) in string order, sorted only when not already. */
function sortedKeys(o: object): string[] {
  return sortSmall(Object.keys(o));
}

/**
 * The default string order, in place. Short lists (field names, role names) are insertion-sorted:
 * Array#sort copies into a work array on every call, and this runs several times per identity.
 */
function sortSmall(xs: string[]): string[] {
  if (xs.length > 16) return xs.sort();
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i];
    let j = i - 1;
    for (; j >= 0 && xs[j] > x; j--) xs[j + 1] = xs[j];
    xs[j + 1] = x;
  }
  return xs;
}

function isEmptyObject(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Changes in plan order: by action (ACTIONS order), kind, name, Entra id, then Halo id. Grouped by
 * action and kind first (linear, stable), so the comparison sort only orders names within a group.
 */
function sortChanges(changes: Change[]): Change[] {
  // By action (ACTIONS order), then kind (agent, site, user: their keys' string order).
  const groups: Change[][] = Array.from({ length: ACTIONS.length * 3 }, () => []);
  for (const c of changes) groups[groupOf(c)].push(c);
  const out: Change[] = [];
  for (const g of groups) for (const c of g.sort(compareWithinGroup)) out.push(c);
  return out;
}

/** sortChanges()'s order as positions, by ranks: stable counting sorts, least significant key first, the group last (no comparisons). */
function sortOrder(changes: Change[], { ranks, of }: { ranks: Ranks; of: ChangeRanks }): Int32Array {
  let order = countingSort(null, of.halo, ranks.halo.size);
  order = countingSort(order, of.entra, ranks.entra.size);
  order = countingSort(order, of.name, ranks.name.size);
  const group = new Int32Array(changes.length);
  for (let k = 0; k < changes.length; k++) group[k] = groupOf(changes[k]);
  return countingSort(order, group, ACTIONS.length * 3);
}

const ACTION_GROUP = Object.fromEntries(ACTIONS.map((a, i) => [a, i * 3])) as Record<Action, number>;

function groupOf(c: Change): number {
  return ACTION_GROUP[c.action] + (c.kind === 'agent' ? 0 : c.kind === 'site' ? 1 : 2);
}

/** Each name, Entra id ('' for none) and Halo id (null for none) of a change, by its rank in compareWithinGroup's order. */
interface Ranks {
  name: Map<string, number>;
  entra: Map<string, number>;
  halo: Map<number | null, number>;
}

/** No ranks yet (a plan not made from a previous one): of Ranks' shape, so that the fields holding ranks keep one type. */
const NO_RANKS: Ranks = { name: new Map(), entra: new Map(), halo: new Map() };

/** Each change's ranks, by position. */
interface ChangeRanks {
  name: Int32Array;
  entra: Int32Array;
  halo: Int32Array;
}

/** The positions `order` (all of them in turn when null), stably sorted by `rank`. */
function countingSort(order: Int32Array | null, rank: Int32Array, size: number): Int32Array {
  const n = rank.length;
  const start = new Int32Array(size + 1);
  for (let i = 0; i < n; i++) start[rank[i] + 1]++;
  for (let r = 1; r <= size; r++) start[r] += start[r - 1];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = order ? order[i] : i;
    out[start[rank[x]]++] = x;
  }
  return out;
}

/** A change's three ranks in one number (-1 when too large for one: then looked up again). */
function rankKey(name: number, entra: number, halo: number): number {
  return name < RANK_SPAN / 2 && entra < RANK_SPAN && halo < RANK_SPAN ? (name * RANK_SPAN + entra) * RANK_SPAN + halo : -1;
}
const RANK_SPAN = 2 ** 18;

/** Each change's ranks (from `known` where it has them), or null when `ranks` lack one. */
function rankArrays(changes: Change[], ranks: Ranks, known?: number[]): ChangeRanks | null {
  const n = changes.length;
  const name = new Int32Array(n);
  const entra = new Int32Array(n);
  const halo = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = known ? known[i] : -1;
    if (r >= 0) {
      halo[i] = r % RANK_SPAN;
      entra[i] = Math.floor(r / RANK_SPAN) % RANK_SPAN;
      name[i] = Math.floor(r / (RANK_SPAN * RANK_SPAN));
      continue;
    }
    const c = changes[i];
    const a = ranks.name.get(c.name);
    const b = ranks.entra.get(c.entraId ?? '');
    const h = ranks.halo.get(c.haloId);
    if (a === undefined || b === undefined || h === undefined) return null;
    name[i] = a;
    entra[i] = b;
    halo[i] = h;
  }
  return { name, entra, halo };
}

/**
 * The ranks of every name and id: the previous plan's where they know every one here (most edits
 * change none), else made again with these added.
 */
function ranksFor(changes: Change[], previous: Ranks | undefined, known: number[]): { ranks: Ranks; of: ChangeRanks } {
  const of = previous && rankArrays(changes, previous, known.length === changes.length ? known : undefined);
  if (of) return { ranks: previous, of };
  const rank = <K>(keys: Set<K>, text: (k: K) => string) => new Map([...keys].sort((a, b) => compareText(text(a), text(b))).map((k, r) => [k, r] as const));
  const names = new Set(previous?.name.keys());
  const entra = new Set(previous?.entra.keys());
  const halo = new Set(previous?.halo.keys());
  for (const c of changes) {
    names.add(c.name);
    entra.add(c.entraId ?? '');
    halo.add(c.haloId);
  }
  const ranks = { name: rank(names, (k) => k), entra: rank(entra, (k) => k), halo: rank(halo, (k) => String(k ?? '')) };
  return { ranks, of: rankArrays(changes, ranks)! };
}

function compareWithinGroup(a: Change, b: Change): number {
  return compareText(a.name, b.name) || compareText(a.entraId ?? '', b.entraId ?? '') || compareText(String(a.haloId ?? ''), String(b.haloId ?? ''));
}

function finish(ctx: Ctx): Plan {
  const { mapping } = ctx;
  const changes = ctx.reuse ? sortedAgain(ctx) : sortChanges(ctx.changes);
  const summary: Summary = { create: 0, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: ctx.unchanged };
  // One pass over the changes for the summary and every rule's counts, not one filter per rule.
  const perRule = { agent: new Map<string, Record<Action, number>>(), user: new Map<string, Record<Action, number>>() };
  for (const c of changes) {
    summary[c.action]++;
    if (c.rule === null || c.kind === 'site') continue;
    const m = perRule[c.kind];
    const n = m.get(c.rule) ?? m.set(c.rule, { create: 0, update: 0, reactivate: 0, deactivate: 0, createSite: 0 }).get(c.rule)!;
    n[c.action]++;
  }
  const rules: RuleStats[] = [];
  for (const [kind, list] of [['agent', mapping.agents ?? []], ['user', mapping.users ?? []]] as const) {
    for (const r of list) {
      const n = perRule[kind].get(r.rule);
      rules.push({ kind, rule: r.rule, matched: ctx.selected[kind].get(r.rule) ?? 0, create: n?.create ?? 0, update: n?.update ?? 0, reactivate: n?.reactivate ?? 0, deactivate: n?.deactivate ?? 0 });
    }
  }
  // Sort keys built once per error, not twice per comparison.
  const errorKey = (e: PlanError) => `${e.kind ?? ''}\u0000${e.name ?? ''}\u0000${e.entraId ?? ''}\u0000${e.haloId ?? ''}`;
  const errors = ctx.errors
    .map((e) => ({ e, key: errorKey(e) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map((x) => x.e);
  const warnings = [...ctx.halo.stats.warnings, ...unreadWarnings(mapping, ctx.directories)];
  return {
    version: 1,
    summary,
    changes,
    orphans: ctx.orphans.sort((a, b) => a.haloId - b.haloId),
    errors,
    blocked: safetyBlock(mapping, summary, changes.length, ctx.managedRecords) ?? connectionBlock(ctx, changes),
    warnings,
    rules,
  };
}

/** A re-plan's changes sorted, by ranks: a chain of re-plans makes them once, and each slot's change keeps its own. */
function sortedAgain(ctx: Ctx): Change[] {
  const prev = ctx.reuse!.prev;
  const ranks = ranksFor(ctx.changes, prev.ranks === NO_RANKS ? undefined : prev.ranks, ctx.changeRank);
  if (ctx.keep) {
    ctx.memo.ranks = ranks.ranks;
    const t = ctx.memo.slots;
    t.ranks = ranks.ranks;
    for (let s = t.rank.length; s < t.n; s++) t.rank.push(-1);
    const { name, entra, halo } = ranks.of;
    for (let k = 0; k < ctx.changeSlot.length; k++) if (ctx.changeSlot[k] >= 0) t.rank[ctx.changeSlot[k]] = rankKey(name[k], entra[k], halo[k]);
  }
  const order = sortOrder(ctx.changes, ranks);
  const out = new Array<Change>(order.length);
  for (let i = 0; i < out.length; i++) out[i] = ctx.changes[order[i]];
  return out;
}

/** Share thresholds are of the managed Halo records at plan time. */
export function limitOf(threshold: number | string | undefined, managed: number): number | null {
  if (threshold === undefined) return null;
  if (typeof threshold === 'number') return threshold;
  const pct = Number(threshold.replace('%', '').trim());
  return Math.floor((pct / 100) * managed);
}

/** The safety thresholds' verdict on a set of changes (any plan: a sync's, a revert's); null when within them. */
export function safetyBlock(mapping: Mapping, summary: Summary, total: number, managed: number): Plan['blocked'] {
  const maxDeactivations = limitOf(mapping.safety?.maxDeactivations, managed);
  if (maxDeactivations !== null && summary.deactivate > maxDeactivations) {
    return { reason: `${summary.deactivate} deactivations exceed safety.maxDeactivations (${mapping.safety!.maxDeactivations}${typeof mapping.safety!.maxDeactivations === 'string' ? ` = ${maxDeactivations} of ${managed} managed records` : ''})`, limit: 'maxDeactivations', value: summary.deactivate };
  }
  const maxChanges = limitOf(mapping.safety?.maxChanges, managed);
  if (maxChanges !== null && total > maxChanges) {
    return { reason: `${total} changes exceed safety.maxChanges (${mapping.safety!.maxChanges}${typeof mapping.safety!.maxChanges === 'string' ? ` = ${maxChanges} of ${managed} managed records` : ''})`, limit: 'maxChanges', value: total };
  }
  return null;
}

/** A managed record, counted for the plan and for the one connection that accounts for it (if one does). */
function managed(ctx: Ctx, tenants: string | string[]): void {
  ctx.managedRecords++;
  const one = typeof tenants === 'string' ? tenants : tenants.length === 1 ? tenants[0] : undefined;
  if (one !== undefined) ctx.managedBy.set(one, (ctx.managedBy.get(one) ?? 0) + 1);
}

/**
 * With several connections, a share of deactivations is also a limit per connection: one
 * directory whose read went wrong can otherwise hide inside the others' total.
 */
function connectionBlock(ctx: Ctx, changes: Change[]): Plan['blocked'] {
  const share = ctx.mapping.safety?.maxDeactivations;
  if (typeof share !== 'string' || connectionsOf(ctx.mapping).length < 2) return null;
  const off = new Map<string, number>();
  for (const c of changes) if (c.action === 'deactivate' && c.tenant) off.set(c.tenant, (off.get(c.tenant) ?? 0) + 1);
  for (const [tenant, n] of [...off].sort(([a], [b]) => compareText(a, b))) {
    const managedThere = ctx.managedBy.get(tenant) ?? 0;
    const limit = limitOf(share, managedThere)!;
    if (n > limit) return { reason: `${n} deactivations from ${ctx.label(tenant)} "${tenant}" exceed safety.maxDeactivations for one connection (${share} = ${limit} of its ${managedThere} managed records)`, limit: 'maxDeactivations', value: n };
  }
  return null;
}

function memoOptional<T>(f: (key?: string) => T): (key?: string) => T {
  const whole = memo(() => f());
  const each = memo((key) => f(key));
  return (key) => (key === undefined ? whole('') : each(key));
}

function memo<T>(f: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, f(key));
    return seen.get(key) as T;
  };
}
