// POST routes: Halo's create-or-update by array [V]. An element with an id updates only the
// properties it carries [V: partial bodies work]; one without creates.
//
// Every element is validated, schema first (ModelState dictionary), then business rules (Halo
// exception body naming the failure). What a 400 saves, what a success answers, whether `roles`
// and `teams` replace, and how unknown custom fields and CAB member types are treated are modes
// (modes.ts): the documents leave them open.
import type { HaloRecord, HaloState } from '../state';
import type { HaloModes } from './modes';
import { customFieldDefinitions, render } from './reads';
import { Reply, modelStateError, ok, validationError } from './replies';
import { WriteEndpoint, canonicalKeys, componentSchema, schemaName, validateElement } from './validation';

export type WriteKind = 'users' | 'agents' | 'sites' | 'clients' | 'teams' | 'cabs';

export const WRITE_ENDPOINTS: Record<WriteKind, WriteEndpoint> = {
  users: '/Users',
  agents: '/Agent',
  sites: '/Site',
  clients: '/Client',
  teams: '/Team',
  cabs: '/CAB',
};

const LABEL: Record<WriteKind, string> = { users: 'User', agents: 'Agent', sites: 'Site', clients: 'Customer', teams: 'Team', cabs: 'CAB' };

type Element = Record<string, unknown>;
/** A checked element: either Halo's message, or the save to run once the batch may be saved. */
type Prepared = string | (() => HaloRecord);

export function postRecords(state: HaloState, kind: WriteKind, text: string, modes: HaloModes): Reply {
  const endpoint = WRITE_ENDPOINTS[kind];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return modelStateError({ '': [`Unexpected character encountered while parsing value: ${(e as Error).message}`] });
  }
  // [V] the SPEC's body is `type: array`.
  if (!Array.isArray(parsed)) return modelStateError({ '': [`Cannot deserialize the current JSON object into type 'List<${schemaName(endpoint)}>'.`] });
  if (!parsed.length) return validationError('No records were supplied');

  const elements = parsed.map((e) => canonicalKeys(e, componentSchema(schemaName(endpoint))) as Element);
  const schemaErrors = elements.map((e, i) => validateElement(endpoint, i, e));
  const badSchema = schemaErrors.some((e) => Object.keys(e).length);
  if (badSchema && modes.batch400 === 'none-saved') return modelStateError(Object.assign({}, ...schemaErrors));

  const ctx: Ctx = { state, modes, pendingFields: [] };
  const prepared = elements.map((e, i) => (Object.keys(schemaErrors[i]).length ? 'invalid' : prepare(ctx, kind, e)));
  const failures = prepared.map((p, i) => (typeof p === 'string' ? i : -1)).filter((i) => i >= 0);
  if (failures.length && modes.batch400 === 'none-saved') return validationError(prepared[failures[0]] as string);

  // Saved in request order; with `valid-saved` the good elements are kept although the answer is a 400 [U].
  const saved = prepared.map((p) => (typeof p === 'string' ? undefined : structuredClone(p())));
  for (const f of ctx.pendingFields) f();
  if (failures.length || badSchema) {
    const named: Record<string, string[]> = Object.assign({}, ...schemaErrors);
    for (const i of failures) if (prepared[i] !== 'invalid') named[`[${i}]`] = [prepared[i] as string];
    return modelStateError(named);
  }
  const records = saved as HaloRecord[];
  if (modes.postAnswer === 'array') return { status: 201, body: render(records, modes) };
  // [V, newer document] POST /Agent, /Team, /CAB declare a 200 with no content: the worst reading is none.
  if (modes.postAnswer === 'empty' || !ANSWERS_WITH_OBJECT.has(kind)) return { status: 200, text: '' };
  // [V, newer document] POST /Users, /Site, /Client: 201 with one object whatever the batch (here the last saved).
  return { status: 201, body: render(records[records.length - 1], modes) };
}

const ANSWERS_WITH_OBJECT = new Set<WriteKind>(['users', 'sites', 'clients']);

interface Ctx {
  state: HaloState;
  modes: HaloModes;
  /** Custom field definitions to create once the batch is saved (`create` mode). */
  pendingFields: Array<() => void>;
}

export function deleteRecord(state: HaloState, kind: WriteKind, id: number): Reply {
  const list = collection(state, kind);
  const i = list.findIndex((r) => r.id === id);
  if (i < 0) return { status: 404, body: { Message: `${LABEL[kind]} ${id} not found` } };
  list.splice(i, 1);
  return ok({ id }); // [V] the response carries the id
}

function prepare(ctx: Ctx, kind: WriteKind, e: Element): Prepared {
  const { state } = ctx;
  const list = collection(state, kind);
  const id = typeof e.id === 'number' && e.id > 0 ? e.id : undefined; // [I] id 0 creates, as an absent id does
  const existing = id === undefined ? undefined : list.find((r) => r.id === id);
  if (id !== undefined && !existing) return `${LABEL[kind]} with id ${id} was not found`;
  const check = RULES[kind](ctx, e, existing);
  if (typeof check === 'string') return check;
  return () => {
    const record = existing ?? { id: nextId(list), ...structuredClone(DEFAULTS[kind]) };
    for (const [k, v] of Object.entries(e)) if (k !== 'id' && !SPECIAL.has(k)) record[k] = v;
    check(record);
    if (!existing) list.push(record);
    return record;
  };
}

/** Properties a rule resolves itself rather than storing as sent. */
const SPECIAL = new Set(['roles', 'add_roles', 'teams', 'customfields', 'members']);

const DEFAULTS: Record<WriteKind, Record<string, unknown>> = {
  users: { inactive: false, azureoid: null, roles: [], customfields: [] },
  // [V] UNAME.Uisdisabled and UlicenseType both default to 0.
  agents: { isdisabled: false, is_agent: true, isapiagent: false, licence_type: 0, team: null, teams: [], roles: [], customfields: [] },
  sites: { inactive: false },
  clients: { inactive: false },
  teams: { inactive: false },
  cabs: { members: [], roles: [] },
};

type Finish = (record: HaloRecord) => void;
type Rule = (ctx: Ctx, e: Element, existing: HaloRecord | undefined) => string | Finish;

const RULES: Record<WriteKind, Rule> = {
  users({ state, modes, pendingFields }, e, existing) {
    // [V] a user needs a site (n8n requires site_id; the UI will not save one without).
    const siteId = 'site_id' in e ? e.site_id : existing?.site_id;
    const site = state.sites.find((s) => s.id === siteId);
    if (siteId === undefined || siteId === null) return 'Please select a Site for this User';
    if (!site) return `Site with id ${siteId} was not found`;
    const roles = 'roles' in e ? userRoles(state, e.roles) : undefined;
    const added = 'add_roles' in e ? userRoles(state, e.add_roles) : undefined;
    if (typeof roles === 'string') return roles;
    if (typeof added === 'string') return added;
    const fields = checkCustomFields(state, modes, e.customfields, pendingFields);
    if (typeof fields === 'string') return fields;
    return (r) => {
      if ('site_id' in e) {
        const client = state.clients.find((c) => c.id === site.client_id);
        Object.assign(r, { site_id: site.id, site_id_int: site.id, site_name: site.name, client_id: site.client_id, client_name: client?.name ?? null });
      }
      applyRoles(r, modes, roles, added, (x) => x.id);
      fields(r);
    };
  },

  agents({ state, modes, pendingFields }, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    // [V] an agent without a name is a 400.
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Agent';
    if (typeof e.team === 'string' && !state.teams.some((t) => t.name === e.team)) return `Team '${e.team}' was not found`;
    const roles = 'roles' in e ? agentRoles(state, e.roles) : undefined;
    const added = 'add_roles' in e ? agentRoles(state, e.add_roles) : undefined;
    const teams = 'teams' in e ? agentTeams(state, e.teams) : undefined;
    for (const x of [roles, added, teams]) if (typeof x === 'string') return x;
    const fields = checkCustomFields(state, modes, e.customfields, pendingFields);
    if (typeof fields === 'string') return fields;
    return (r) => {
      applyRoles(r, modes, roles as HaloRecordLike[] | undefined, added as HaloRecordLike[] | undefined, (x) => String(x.id).toLowerCase());
      if (teams) {
        const next = (teams as HaloRecordLike[]).map((t) => ({ ...t, agent_id: r.id }));
        r.teams = modes.membershipWrite === 'append' ? union(itemsOf(r.teams), next, (t) => t.team_id) : next;
      }
      fields(r);
    };
  },

  sites({ state, modes, pendingFields }, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Site';
    const clientId = 'client_id' in e ? e.client_id : existing?.client_id;
    const client = state.clients.find((c) => c.id === clientId);
    if (!client) return clientId === undefined || clientId === null ? 'Please select a Customer for this Site' : `Customer with id ${clientId} was not found`;
    const fields = checkCustomFields(state, modes, e.customfields, pendingFields);
    if (typeof fields === 'string') return fields;
    return (r) => {
      r.client_name = client.name;
      fields(r);
    };
  },

  clients({ state, modes, pendingFields }, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Customer';
    const fields = checkCustomFields(state, modes, e.customfields, pendingFields);
    if (typeof fields === 'string') return fields;
    return (r) => fields(r);
  },

  teams(_ctx, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Team';
    return () => undefined;
  },

  cabs({ state, modes }, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the CAB';
    const roles = 'roles' in e ? (e.roles as HaloRecordLike[] | null) ?? [] : ((existing?.roles as HaloRecordLike[] | undefined) ?? []);
    const members = 'members' in e ? cabMembers(state, modes, roles, e.members) : undefined;
    if (typeof members === 'string') return members;
    return (r) => {
      if ('roles' in e) r.roles = roles.map((x, i) => ({ ...x, id: typeof x.id === 'number' && x.id > 0 ? x.id : i + 1, cab_id: r.id }));
      // [I] `members` replaces the whole membership, as the list a GET returns would be posted back.
      if (members) r.members = members.map((m) => ({ ...m, cab_id: r.id }));
    };
  },
};

type HaloRecordLike = Record<string, unknown>;

/** `roles` replaces the set or adds to it (the mode); `add_roles` adds to it (halo-api.md: which one does what is [U]). */
function applyRoles(r: HaloRecord, modes: HaloModes, roles: HaloRecordLike[] | undefined, added: HaloRecordLike[] | undefined, key: (x: HaloRecordLike) => unknown): void {
  const held = itemsOf(r.roles);
  let next = roles === undefined ? held : modes.membershipWrite === 'append' ? union(held, roles, key) : roles;
  next = union(next, added ?? [], key);
  r.roles = next;
}

function union(a: HaloRecordLike[], b: HaloRecordLike[], key: (x: HaloRecordLike) => unknown): HaloRecordLike[] {
  const out = [...a];
  for (const x of b) if (!out.some((y) => key(y) === key(x))) out.push(x);
  return out;
}

function itemsOf(v: unknown): HaloRecordLike[] {
  return Array.isArray(v) ? (v as HaloRecordLike[]) : [];
}

function userRoles(state: HaloState, items: unknown): HaloRecordLike[] | string {
  const out: HaloRecordLike[] = [];
  for (const item of (items as HaloRecordLike[] | null) ?? []) {
    const role = state.userRoles.find((r) => r.id === item.id || (item.id === undefined && typeof item.name === 'string' && r.name === item.name));
    if (!role) return `User role ${item.id ?? item.name} was not found`;
    out.push({ id: role.id, name: role.name });
  }
  return out;
}

/** NHD_Roles ids are GUID strings [V]; id_int and name are accepted too. */
function agentRoles(state: HaloState, items: unknown): HaloRecordLike[] | string {
  const out: HaloRecordLike[] = [];
  for (const item of (items as HaloRecordLike[] | null) ?? []) {
    const role = state.roles.find(
      (r) =>
        (typeof item.id === 'string' && r.id.toLowerCase() === item.id.toLowerCase()) ||
        (item.id_int !== undefined && r.id_int === item.id_int) ||
        (item.id === undefined && item.id_int === undefined && r.name === item.name),
    );
    if (!role) return `Role ${item.id ?? item.id_int ?? item.name} was not found`;
    out.push({ id: role.id, id_int: role.id_int, name: role.name });
  }
  return out;
}

/** UnameSection items, by team_id or team_name. */
function agentTeams(state: HaloState, items: unknown): HaloRecordLike[] | string {
  const out: HaloRecordLike[] = [];
  for (const item of (items as HaloRecordLike[] | null) ?? []) {
    const team = state.teams.find((t) => (item.team_id !== undefined && item.team_id !== null ? t.id === item.team_id : t.name === item.team_name));
    if (!team) return `Team ${item.team_id ?? item.team_name} was not found`;
    out.push({ ...item, team_id: team.id, team_name: team.name });
  }
  return out;
}

function cabMembers(state: HaloState, modes: HaloModes, roles: HaloRecordLike[], items: unknown): HaloRecordLike[] | string {
  const out: HaloRecordLike[] = [];
  for (const item of (items as HaloRecordLike[] | null) ?? []) {
    const agent = typeof item.agent_id === 'number' && item.agent_id > 0 ? state.agents.find((a) => a.id === item.agent_id) : undefined;
    const user = typeof item.user_id === 'number' && item.user_id > 0 ? state.users.find((u) => u.id === item.user_id) : undefined;
    if (!agent && !user) return `CAB member ${item.agent_id ?? item.user_id ?? '(none)'} was not found`;
    // [I] type 1 is an agent member, 2 a user member; checked unless the mode ignores it.
    const type = agent ? 1 : 2;
    if (modes.cabMemberType === 'checked' && Number(item.type) !== type) return `CAB member ${agent ? `agent ${agent.id}` : `user ${user!.id}`} has type ${item.type ?? '(none)'}, expected ${type}`;
    let role: HaloRecordLike | undefined;
    if (item.role_id !== undefined && item.role_id !== null) {
      role = roles.find((r) => r.id === item.role_id);
      if (!role) return `CAB role ${item.role_id} was not found`;
    } else if (typeof item.role_name === 'string') {
      role = roles.find((r) => r.name === item.role_name);
      if (!role) return `CAB role '${item.role_name}' was not found`;
    }
    const who = (agent ?? user) as HaloRecord;
    out.push({
      ...item,
      member_name: who.name ?? null,
      emailaddress: (agent ? who.email : who.emailaddress) ?? null,
      role_id: role?.id ?? null,
      role_name: role?.name ?? null,
    });
  }
  return out;
}

/**
 * [I/U] `customfields: [{id|name, value}]` updates the named fields and leaves the others. A name
 * or id Halo does not define is a 400, or (mode `create`) a new definition. Returns the step that
 * writes the values once the batch is saved, or Halo's message.
 */
function checkCustomFields(state: HaloState, modes: HaloModes, items: unknown, pending: Array<() => void>): ((r: HaloRecord) => void) | string {
  if (!Array.isArray(items)) return () => undefined;
  const defs = customFieldDefinitions(state);
  const resolved: Array<{ id: number; name: string; value: unknown }> = [];
  for (const item of items as HaloRecordLike[]) {
    const byId = typeof item.id === 'number' && item.id > 0 ? defs.find((d) => d.id === item.id) : undefined;
    const byName = typeof item.name === 'string' ? defs.find((d) => d.name.toLowerCase() === String(item.name).toLowerCase()) : undefined;
    let def = byId ?? byName;
    if (!def) {
      const label = String(item.name ?? item.id ?? '(unnamed)');
      if (modes.unknownCustomField === 'reject') return `Custom field '${label}' was not found`;
      def = { id: defs.reduce((m, d) => Math.max(m, d.id), 0) + 1 + pending.length, name: label };
      const created = def;
      pending.push(() => {
        if (!state.customFields) state.customFields = [...defs];
        if (!state.customFields.some((d) => d.name.toLowerCase() === created.name.toLowerCase())) state.customFields.push(created);
      });
    }
    resolved.push({ id: def.id, name: def.name, value: item.value });
  }
  return (r) => {
    const list = itemsOf(r.customfields);
    for (const item of resolved) {
      const display = item.value === null || item.value === undefined ? '' : String(item.value);
      const found = list.find((f) => Number(f.id) === item.id || String(f.name).toLowerCase() === item.name.toLowerCase());
      if (found) Object.assign(found, { id: item.id, value: item.value ?? null, display });
      else list.push({ id: item.id, name: item.name, value: item.value ?? null, display });
    }
    r.customfields = list;
  };
}

function collection(state: HaloState, kind: WriteKind): HaloRecord[] {
  return kind === 'teams' ? state.teams : kind === 'cabs' ? state.cabs : state[kind];
}

function nextId(list: HaloRecord[]): number {
  return list.reduce((m, r) => Math.max(m, r.id), 0) + 1;
}
