// plan(mapping, directories, halo) → Plan: pure and deterministic. It decides, for every directory identity
// and every Halo record in managed scope, what should change and why (DESIGN §2, §2a, §3).
import type { Action, CabDelta, CabRoleChange, Change, FieldChange, MembershipDelta, Memberships, Orphan, Plan, PlanError, RuleStats, Summary } from './changes';
import { ACTIONS } from './changes';
import { clientNamesByRule, desiredIdentities, Identity, Selection } from './desired';
import { didYouMean, suggest } from './suggest';
import type { AgentLink } from './agent-links';
import type { AgentRule, FieldSpec, Mapping, UserRule } from './mapping';
import { cabRoleOf, DEFAULT_MATCH_AGENTS, DEFAULT_MATCH_USERS } from './mapping';
import { MANAGER, MANAGER_AGENT } from './attributes';
import { connectionsOf, directoryLabel, directoryOfTenant, tenantOf } from './directories';
import { attributeName, fieldSources } from './needs';
import { fieldValue, identityMatchValue, isCreateOnly, isEmpty, nameKey, normalise, readAttribute, sameValue } from './values';
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

export function plan(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot, options: PlanOptions = {}): Plan {
  const scope = resolveScope(mapping, halo, clientNamesByRule(mapping, directories));
  const agentOf = new Map<string, number>();
  const ctx: Ctx = { mapping, halo, directories, scope, agentOf, sources: new GrantSources(mapping, directories),
    managerAgent: (id) => (id.user.managerId ? (agentOf.get(identityKey(id.tenant, id.user.managerId)) ?? null) : null), changes: [], errors: [], orphans: [], unchanged: 0, managedRecords: 0, managedBy: new Map(), selected: { agent: new Map(), user: new Map() }, siteCreates: new Map(), placements: new Map(),
    specs: fieldSpecs(mapping, directories),
    label: memoOptional((tenant) => directoryLabel(mapping, tenant)),
    links: memo((tenant) => directoryOfTenant(mapping, tenant)?.links === 'azureoid'),
    cabRole: memo((cab) => {
      const role = cabRoleOf(mapping, cab);
      return role === undefined ? undefined : (halo.cabs.find((c) => nameKey(c.name) === nameKey(cab))?.roles.find((r) => nameKey(r) === nameKey(role)) ?? role);
    }),
    display: { agent: (n) => scope.roleName('agent', n), user: (n) => scope.roleName('user', n), team: (n) => scope.teamName(n) },
  };
  const identities = desiredIdentities(mapping, directories, (tenant, user, kind) => scope.isProtectedIdentity(tenant, user, kind));
  const entraIds = new Map(directories.tenants.map((t) => [t.tenant, new Set(t.users.map((u) => u.id))]));
  if ((mapping.users ?? []).length) planUsers(ctx, identities, entraIds, options);
  if ((mapping.agents ?? []).length) planAgents(ctx, identities, entraIds, options);
  ctx.changes.push(...ctx.siteCreates.values());
  options.onManagedRecords?.(ctx.managedRecords);
  return finish(ctx);
}

// ───────────────────────────── users ─────────────────────────────

function planUsers(ctx: Ctx, identities: Identity[], entraIds: Map<string, Set<string>>, options: PlanOptions): void {
  const { mapping, scope } = ctx;
  const keys = mapping.match?.users ?? DEFAULT_MATCH_USERS;
  const records = ctx.halo.users.filter((r) => !scope.isProtectedRecord('user', r.id, r.fields.emailaddress, r.azureoid));
  const index = new RecordIndex(records, keys, (r, k) => (k === 'azureoid' ? r.azureoid : r.fields[k]));
  const claimed = new Set<number>();
  const matchedUnselected = new Map<number, Identity>();
  const deprovision = mapping.deprovision?.users ?? 'ignore';

  let user: DirectoryUser;
  let links = true;
  // A directory that does not link by azureoid is matched by the other keys only, and never claims an azureoid.
  const matchValue = (k: string) => (k === 'azureoid' ? (links ? user.id : null) : identityMatchValue(mapping.fields?.users?.[k], user));
  for (const id of identities) {
    const sel = id.userRule;
    const enabled = id.user.enabled;
    user = id.user;
    links = ctx.links(id.tenant);
    const found = index.find(keys, matchValue, links ? id.user.id : '');
    if ('error' in found) {
      if (sel) ctx.errors.push(identityError(id, 'user', sel.rule.rule, found.error));
      // Records an identity might own are never deprovisioned or called orphans while in doubt.
      for (const h of found.held) claimed.add(h);
      continue;
    }
    const record = found.record;
    if (!record) {
      if (sel && enabled) createUser(ctx, id, sel);
      continue;
    }
    if (claimed.has(record.id)) {
      if (sel) ctx.errors.push(identityError(id, 'user', sel.rule.rule, `Halo user #${record.id} is already claimed by another ${ctx.label()} identity`));
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
      if (sel && enabled) ctx.errors.push(identityError(id, 'user', sel.rule.rule, `matches Halo user #${record.id} under ${scope.clientName(record.clientId)}, outside this mapping's clients and sites; it is not moved or duplicated`));
      continue;
    }
    managed(ctx, id.tenant);
    const link: Record<string, FieldChange> = linked || !links ? NO_FIELDS : { azureoid: { from: record.azureoid ?? null, to: id.user.id } };
    if (sel && enabled) {
      updateUser(ctx, id, sel, record, link);
    } else if (!record.inactive && deprovision === 'deactivate') {
      const why = !enabled ? `disabled in ${ctx.label(id.tenant)}` : 'no user rule selects them any more';
      ctx.changes.push(deactivation('user', record, id.user.id, id.tenant, sel?.rule.rule ?? null, why, link));
    }
  }

  for (const record of records) {
    if (claimed.has(record.id) || !scope.userInScope(record) || record.inactive) continue;
    managed(ctx, scope.tenantsForUser(record));
    if (record.azureoid === undefined) {
      ctx.errors.push({ entraId: null, kind: 'user', haloId: record.id, name: record.name ?? '', message: 'its Entra link (azureoid) could not be read, so it is left alone' });
      continue;
    }
    if (!isEmpty(record.azureoid)) {
      // Resolved only where the link means something: in the linking directories whose rules target the record.
      const tenants = scope.tenantsForUser(record).filter((t) => ctx.links(t));
      if (tenants.length) {
        const exists = tenants.some((t) => entraIds.get(t)?.has(String(record.azureoid).toLowerCase()) || entraIds.get(t)?.has(String(record.azureoid)));
        if (!exists && deprovision === 'deactivate') ctx.changes.push(deactivation('user', record, String(record.azureoid), tenants[0], null, `deleted in ${ctx.label(tenants[0])}`, {}));
        continue;
      }
    }
    orphan(ctx, 'user', record, matchedUnselected.get(record.id));
  }
}

type Placement = { clientId: number; clientName: string; name: string; id: number | null };

/** One placement object per site (and per spelling of a site to create), shared by the changes that name it. */
function placementOf(ctx: Ctx, clientId: number, clientName: string, name: string, id: number | null): Placement {
  let byClient = ctx.placements.get(clientId);
  if (!byClient) ctx.placements.set(clientId, (byClient = new Map()));
  const key = id ?? name;
  let p = byClient.get(key);
  if (!p) byClient.set(key, (p = { clientId, clientName, name, id }));
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

function createUser(ctx: Ctx, id: Identity, sel: Selection<UserRule>): void {
  const placement = userPlacement(ctx, id, sel.rule);
  if (typeof placement === 'string') return void ctx.errors.push(identityError(id, 'user', sel.rule.rule, placement));
  const fields = desiredFields(ctx.specs(id.tenant).users, id.user, null, true);
  fields.site_id = { from: null, to: placement.id };
  if (ctx.links(id.tenant)) fields.azureoid = { from: null, to: id.user.id };
  const memberships = membershipChanges(ctx, 'user', id, null);
  count(ctx, sel.rule.rule, 'user');
  ctx.changes.push(change('create', 'user', id, null, sel, 'not in Halo yet', fields, memberships, placement));
}

function updateUser(ctx: Ctx, id: Identity, sel: Selection<UserRule>, record: HaloUser, link: Record<string, FieldChange>): void {
  count(ctx, sel.rule.rule, 'user');
  const placement = userPlacement(ctx, id, sel.rule);
  if (typeof placement === 'string') return void ctx.errors.push(identityError(id, 'user', sel.rule.rule, placement, record.id));
  const desired = desiredFields(ctx.specs(id.tenant).users, id.user, record.fields, false);
  const fields = link === NO_FIELDS ? desired : { ...link, ...desired };
  if (placement.id !== record.siteId) fields.site_id = { from: record.siteId, to: placement.id };
  const memberships = membershipChanges(ctx, 'user', id, { haloId: record.id, roles: record.roles, cabs: ctx.scope.cabsOf('user', record.id) });
  if (memberships === 'unknown') return void ctx.errors.push(identityError(id, 'user', sel.rule.rule, 'its Halo roles could not be read, so it is left alone', record.id));
  const site = 'site_id' in fields ? placement : undefined;
  decideUpdate(ctx, id, sel, record.id, record.inactive, 'inactive', fields, memberships, site);
}

// ───────────────────────────── agents ─────────────────────────────

function planAgents(ctx: Ctx, identities: Identity[], entraIds: Map<string, Set<string>>, options: PlanOptions): void {
  const { mapping, scope } = ctx;
  const keys = mapping.match?.agents ?? DEFAULT_MATCH_AGENTS;
  const records = ctx.halo.agents.filter((r) => !scope.isProtectedRecord('agent', r.id, r.fields.email, undefined));
  const index = new RecordIndex(records, keys, (r, k) => r.fields[k] ?? (k === 'name' ? r.name : undefined));
  const claimed = new Set<number>();
  /** Records an identity matched ambiguously: never deprovisioned while in doubt. */
  const inDoubt = new Set<number>();
  const deprovision = mapping.deprovision?.agents ?? 'ignore';

  // Matched first, acted on after: an agent's linemanager is the Halo id of their manager's agent,
  // which may be matched later in the list.
  const matched: Array<{ id: Identity; record: HaloAgent | null }> = [];
  for (const id of identities) {
    const found = index.find(keys, (k) => identityMatchValue(mapping.fields?.agents?.[k], id.user, k), null);
    if ('error' in found) {
      if (id.agent) ctx.errors.push(identityError(id, 'agent', id.agent.rule.rule, found.error));
      for (const h of found.held) inDoubt.add(h);
      continue;
    }
    matched.push({ id, record: found.record });
    if (found.record && !found.record.isApiAgent) ctx.agentOf.set(identityKey(id.tenant, id.user.id), found.record.id);
  }

  for (const { id, record } of matched) {
    const sel = id.agent;
    const enabled = id.user.enabled;
    // Licence management: a rule or a grant that makes its agents inactive (never created active).
    const inactiveBy = sel ? (sel.rule.inactive ? `rule ${sel.rule.rule}` : id.agentInactiveBy) : undefined;
    if (!record) {
      if (sel && enabled && inactiveBy === undefined) createAgent(ctx, id, sel);
      continue;
    }
    if (record.isApiAgent) {
      if (sel) ctx.errors.push(identityError(id, 'agent', sel.rule.rule, `matches API agent #${record.id}, which is never touched`));
      continue;
    }
    if (claimed.has(record.id)) {
      if (sel) ctx.errors.push(identityError(id, 'agent', sel.rule.rule, `Halo agent #${record.id} is already claimed by another ${ctx.label()} identity`));
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
      if (!record.disabled) ctx.changes.push(deactivation('agent', record, id.user.id, id.tenant, sel.rule.rule, `made inactive by ${inactiveBy}`, licenceFreed(ctx, record)));
      else ctx.unchanged++;
    } else if (sel && enabled) {
      updateAgent(ctx, id, sel, record);
    } else if (!record.disabled && deprovision === 'deactivate') {
      const why = !enabled ? `disabled in ${ctx.label(id.tenant)}` : 'no agent rule selects them any more';
      ctx.changes.push(deactivation('agent', record, id.user.id, id.tenant, sel?.rule.rule ?? null, why, licenceFreed(ctx, record)));
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
    if (!record.disabled && deprovision === 'deactivate') ctx.changes.push(deactivation('agent', record, link.entraId, link.tenant, null, `deleted in ${ctx.label(link.tenant)} (matched at an earlier plan)`, {}));
  }

  // Active agents no identity claims (protected and API agents were left out above).
  for (const record of records) {
    if (claimed.has(record.id) || inDoubt.has(record.id) || record.isApiAgent || record.disabled) continue;
    ctx.managedRecords++;
    orphan(ctx, 'agent', record, undefined);
  }
}

function agentFields(ctx: Ctx, rule: AgentRule, id: Identity, record: HaloAgent | null): Record<string, FieldChange> {
  const specs = ctx.specs(id.tenant).agents;
  const fields = desiredFields(specs, id.user, record?.fields ?? null, record === null, ctx.managerAgent(id));
  if (rule.team && (record === null || !sameValue('team', record.team, rule.team))) fields.team = { from: record?.team ?? null, to: ctx.scope.teamName(rule.team) };
  const licence = rule.licence && rule.licence !== 'unchanged' ? rule.licence : null;
  if (licence && record?.licence !== licence) fields.licence = { from: record?.licence ?? null, to: licence };
  return fields;
}

function createAgent(ctx: Ctx, id: Identity, sel: Selection<AgentRule>): void {
  count(ctx, sel.rule.rule, 'agent');
  const memberships = membershipChanges(ctx, 'agent', id, null);
  ctx.changes.push(change('create', 'agent', id, null, sel, 'not in Halo yet', agentFields(ctx, sel.rule, id, null), memberships));
}

function updateAgent(ctx: Ctx, id: Identity, sel: Selection<AgentRule>, record: HaloAgent): void {
  count(ctx, sel.rule.rule, 'agent');
  const memberships = membershipChanges(ctx, 'agent', id, { haloId: record.id, roles: record.roles, teams: record.teams, cabs: ctx.scope.cabsOf('agent', record.id) });
  if (memberships === 'unknown') return void ctx.errors.push(identityError(id, 'agent', sel.rule.rule, 'its Halo roles or teams could not be read, so it is left alone', record.id));
  decideUpdate(ctx, id, sel, record.id, record.disabled, 'isdisabled', agentFields(ctx, sel.rule, id, record), memberships);
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

interface MappedField {
  field: string;
  spec: FieldSpec;
  createOnly: boolean;
  /** Filled from `manager.agent`: the Halo agent id of the manager's agent record. */
  ofManagerAgent: boolean;
}

const identityKey = (tenant: string, entraId: string) => `${tenant}\u0000${entraId}`;

function mappedFields(specs: Record<string, FieldSpec> | undefined, unread: Set<string>): MappedField[] {
  return Object.entries(specs ?? {})
    .filter(([, spec]) => !fieldSources(spec).some((s) => unread.has(attributeName(s))))
    .map(([field, spec]) => ({ field, spec, createOnly: isCreateOnly(spec), ofManagerAgent: fieldSources(spec).includes(`${MANAGER}.${MANAGER_AGENT}`) }));
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
  return (tenant) => byTenant.get(tenant) ?? none;
}

/**
 * The fields to write. `managerAgent` is the Halo agent id of the identity's manager's agent
 * (agents only; null when the manager has no agent record yet): the value of `manager.agent`.
 */
function desiredFields(specs: MappedField[], user: DirectoryUser, current: Record<string, unknown> | null, creating: boolean, managerAgent?: number | null): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const { field, spec, createOnly, ofManagerAgent } of specs) {
    if (createOnly && !creating) continue;
    if (ofManagerAgent && managerAgent === undefined) continue;
    const value = ofManagerAgent ? managerAgent : fieldValue(spec, user);
    const from = current ? (current[field] ?? null) : null;
    if (creating ? value !== null : !sameValue(field, from, value)) out[field] = { from, to: value };
  }
  if (creating && !out.name) out.name = { from: null, to: user.name ?? user.login ?? user.id };
  return out;
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

function decideUpdate(ctx: Ctx, id: Identity, sel: Selection<AgentRule | UserRule>, haloId: number, inactive: boolean, flag: 'inactive' | 'isdisabled', fields: Record<string, FieldChange>, memberships: Memberships, site?: Change['site']): void {
  const hasMemberships = !isEmptyObject(memberships);
  const hasFields = !isEmptyObject(fields);
  const kind: Kind = flag === 'inactive' ? 'user' : 'agent';
  if (inactive) {
    fields[flag] = { from: true, to: false };
    ctx.changes.push(change('reactivate', kind, id, haloId, sel, 'inactive in Halo', fields, memberships, site));
  } else if (hasFields || hasMemberships) {
    const what = `${sortedKeys(fields).join(', ')}${hasMemberships && hasFields ? ', ' : ''}${sortedKeys(memberships).join(', ')}`;
    ctx.changes.push(change('update', kind, id, haloId, sel, `${what} changed`, fields, memberships, site));
  } else {
    ctx.unchanged++;
  }
}

function change(action: Action, kind: Kind, id: Identity, haloId: number | null, sel: Selection<AgentRule | UserRule>, what: string, fields: Record<string, FieldChange>, memberships: Memberships, site?: Change['site']): Change {
  const nameValue = fields.name?.to ?? id.user.name ?? id.user.id;
  const c: Change = {
    action, kind, entraId: id.user.id, tenant: id.tenant, haloId, name: String(nameValue), rule: sel.rule.rule,
    reason: `${sel.because}; rule ${sel.rule.rule}; ${what}`, fields: sortKeys(fields),
  };
  if (!isEmptyObject(memberships)) c.memberships = memberships;
  if (site) c.site = site;
  return c;
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
  ctx.changes.push(deactivation(kind, record, null, null, null, why, NO_FIELDS));
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
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
  // Already in order: the same enumeration a rebuilt object would have, without the rebuild.
  if (sorted) return o;
  sortSmall(keys);
  const out: Record<string, T> = {};
  for (const k of keys) out[k] = o[k];
  return out;
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
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const key = `${c.action}\u0000${c.kind}`;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  const out: Change[] = [];
  for (const action of ACTIONS) {
    const kinds = [...groups.keys()].filter((k) => k.startsWith(`${action}\u0000`)).sort(compareText);
    for (const k of kinds) for (const c of groups.get(k)!.sort(compareWithinGroup)) out.push(c);
  }
  return out;
}

function compareWithinGroup(a: Change, b: Change): number {
  return compareText(a.name, b.name) || compareText(a.entraId ?? '', b.entraId ?? '') || compareText(String(a.haloId ?? ''), String(b.haloId ?? ''));
}

function finish(ctx: Ctx): Plan {
  const { mapping } = ctx;
  const changes = sortChanges(ctx.changes);
  const summary: Summary = { create: 0, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: ctx.unchanged };
  for (const c of changes) summary[c.action]++;
  // One pass over the changes for every rule's counts, not one filter per rule.
  const perRule = { agent: new Map<string, Record<Action, number>>(), user: new Map<string, Record<Action, number>>() };
  for (const c of changes) {
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
