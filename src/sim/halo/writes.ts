// POST routes: Halo's create-or-update by array [V]. An element with an id updates only the
// properties it carries [V: partial bodies work]; one without creates.
//
// A batch is all or nothing [I: the most plausible reading of one request, one transaction; no
// source shows a partial save]: every element is validated, schema first (ModelState dictionary),
// then business rules (Halo exception body naming the first failure), and only then is anything saved.
import type { HaloRecord, HaloState } from '../state';
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
/** A checked element: either Halo's message, or the save to run once the whole batch passed. */
type Prepared = string | (() => HaloRecord);

export function postRecords(state: HaloState, kind: WriteKind, text: string): Reply {
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
  const schemaErrors: Record<string, string[]> = {};
  elements.forEach((e, i) => Object.assign(schemaErrors, validateElement(endpoint, i, e)));
  if (Object.keys(schemaErrors).length) return modelStateError(schemaErrors);

  const prepared = elements.map((e) => prepare(state, kind, e));
  const failed = prepared.find((p): p is string => typeof p === 'string');
  if (failed !== undefined) return validationError(failed);

  const saved = (prepared as Array<() => HaloRecord>).map((save) => structuredClone(save()));
  // [V] one element → the saved object; [U] several → an array.
  return ok(saved.length === 1 ? saved[0] : saved);
}

export function deleteRecord(state: HaloState, kind: WriteKind, id: number): Reply {
  const list = collection(state, kind);
  const i = list.findIndex((r) => r.id === id);
  if (i < 0) return { status: 404, body: { Message: `${LABEL[kind]} ${id} not found` } };
  list.splice(i, 1);
  return ok({ id }); // [V] the response carries the id
}

function prepare(state: HaloState, kind: WriteKind, e: Element): Prepared {
  const list = collection(state, kind);
  const id = typeof e.id === 'number' && e.id > 0 ? e.id : undefined; // [I] id 0 creates, as an absent id does
  const existing = id === undefined ? undefined : list.find((r) => r.id === id);
  if (id !== undefined && !existing) return `${LABEL[kind]} with id ${id} was not found`;
  const check = RULES[kind](state, e, existing);
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
type Rule = (state: HaloState, e: Element, existing: HaloRecord | undefined) => string | Finish;

const RULES: Record<WriteKind, Rule> = {
  users(state, e, existing) {
    // [V] a user needs a site (n8n requires site_id; the UI will not save one without).
    const siteId = 'site_id' in e ? e.site_id : existing?.site_id;
    const site = state.sites.find((s) => s.id === siteId);
    if (siteId === undefined || siteId === null) return 'Please select a Site for this User';
    if (!site) return `Site with id ${siteId} was not found`;
    const roles = 'roles' in e ? userRoles(state, e.roles) : undefined;
    const added = 'add_roles' in e ? userRoles(state, e.add_roles) : undefined;
    if (typeof roles === 'string') return roles;
    if (typeof added === 'string') return added;
    return (r) => {
      if ('site_id' in e) {
        const client = state.clients.find((c) => c.id === site.client_id);
        Object.assign(r, { site_id: site.id, site_id_int: site.id, site_name: site.name, client_id: site.client_id, client_name: client?.name ?? null });
      }
      applyRoles(r, roles, added, (x) => x.id);
      customFields(r, e.customfields);
    };
  },

  agents(state, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    // [V] an agent without a name is a 400.
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Agent';
    if (typeof e.team === 'string' && !state.teams.some((t) => t.name === e.team)) return `Team '${e.team}' was not found`;
    const roles = 'roles' in e ? agentRoles(state, e.roles) : undefined;
    const added = 'add_roles' in e ? agentRoles(state, e.add_roles) : undefined;
    const teams = 'teams' in e ? agentTeams(state, e.teams) : undefined;
    for (const x of [roles, added, teams]) if (typeof x === 'string') return x;
    return (r) => {
      applyRoles(r, roles as HaloRecordLike[] | undefined, added as HaloRecordLike[] | undefined, (x) => String(x.id).toLowerCase());
      if (teams) r.teams = (teams as HaloRecordLike[]).map((t) => ({ ...t, agent_id: r.id }));
      customFields(r, e.customfields);
    };
  },

  sites(state, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Site';
    const clientId = 'client_id' in e ? e.client_id : existing?.client_id;
    const client = state.clients.find((c) => c.id === clientId);
    if (!client) return clientId === undefined || clientId === null ? 'Please select a Customer for this Site' : `Customer with id ${clientId} was not found`;
    return (r) => {
      r.client_name = client.name;
      customFields(r, e.customfields);
    };
  },

  clients(_state, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Customer';
    return (r) => customFields(r, e.customfields);
  },

  teams(_state, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the Team';
    return () => undefined;
  },

  cabs(state, e, existing) {
    const name = 'name' in e ? e.name : existing?.name;
    if (typeof name !== 'string' || !name.trim()) return 'Please enter a name for the CAB';
    const roles = 'roles' in e ? (e.roles as HaloRecordLike[] | null) ?? [] : ((existing?.roles as HaloRecordLike[] | undefined) ?? []);
    const members = 'members' in e ? cabMembers(state, roles, e.members) : undefined;
    if (typeof members === 'string') return members;
    return (r) => {
      if ('roles' in e) r.roles = roles.map((x, i) => ({ ...x, id: typeof x.id === 'number' && x.id > 0 ? x.id : i + 1, cab_id: r.id }));
      // [I] `members` replaces the whole membership, as the list a GET returns would be posted back.
      if (members) r.members = members.map((m) => ({ ...m, cab_id: r.id }));
    };
  },
};

type HaloRecordLike = Record<string, unknown>;

/** [I] `roles` replaces the set; `add_roles` adds to it (halo-api.md: which one does what is [U]). */
function applyRoles(r: HaloRecord, roles: HaloRecordLike[] | undefined, added: HaloRecordLike[] | undefined, key: (x: HaloRecordLike) => unknown): void {
  let next = roles ?? ((r.roles as HaloRecordLike[] | undefined) ?? []);
  for (const a of added ?? []) if (!next.some((x) => key(x) === key(a))) next = [...next, a];
  r.roles = next;
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

function cabMembers(state: HaloState, roles: HaloRecordLike[], items: unknown): HaloRecordLike[] | string {
  const out: HaloRecordLike[] = [];
  for (const item of (items as HaloRecordLike[] | null) ?? []) {
    const agent = typeof item.agent_id === 'number' ? state.agents.find((a) => a.id === item.agent_id) : undefined;
    const user = typeof item.user_id === 'number' ? state.users.find((u) => u.id === item.user_id) : undefined;
    if (!agent && !user) return `CAB member ${item.agent_id ?? item.user_id ?? '(none)'} was not found`;
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

/** [I/U] `customfields: [{id|name, value}]` updates the named fields and leaves the others. */
function customFields(r: HaloRecord, items: unknown): void {
  if (!Array.isArray(items)) return;
  const list = Array.isArray(r.customfields) ? (r.customfields as HaloRecordLike[]) : [];
  for (const item of items as HaloRecordLike[]) {
    const found = list.find((f) => (item.id ? f.id === item.id : typeof item.name === 'string' && String(f.name).toLowerCase() === item.name.toLowerCase()));
    if (found) Object.assign(found, { value: item.value, display: item.value === null ? '' : String(item.value) });
    else list.push({ id: item.id ?? 0, name: item.name, value: item.value, display: item.value === null ? '' : String(item.value) });
  }
  r.customfields = list;
}

function collection(state: HaloState, kind: WriteKind): HaloRecord[] {
  return kind === 'teams' ? state.teams : kind === 'cabs' ? state.cabs : state[kind];
}

function nextId(list: HaloRecord[]): number {
  return list.reduce((m, r) => Math.max(m, r.id), 0) + 1;
}
