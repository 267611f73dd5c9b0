// GET routes. Which lists page, how each list is wrapped and which columns a row carries follow
// halo-api.md §1a/§2 and the list schemas of Halo's OpenAPI documents (list-columns.json); the
// readings the documents leave open are modes (modes.ts).
import type { HaloRecord, HaloState } from '../state';
import columnsJson from './list-columns.json';
import type { HaloModes } from './modes';
import { Reply, notFound, ok } from './replies';

const NEWER = columnsJson.newer;
const OLDER = columnsJson.older;

/** Halo takes `true`/`false` in any case; absent means the endpoint's default. */
export function flag(q: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  return v.toLowerCase() === 'true' || v === '1';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** `activeinactive=a,b` sets includeactive and includeinactive at once [V, SPEC]. */
function activity(q: URLSearchParams, inactiveDefault: boolean): { active: boolean; inactive: boolean } {
  const both = q.get('activeinactive')?.split(',');
  if (both?.length === 2) return { active: both[0].trim() === 'true', inactive: both[1].trim() === 'true' };
  return { active: flag(q, 'includeactive', true), inactive: flag(q, 'includeinactive', inactiveDefault) };
}

/** The record's values for `columns`, in the mode's rendering of empty values (recursively, as a serialiser setting would). */
function pick(record: HaloRecord, columns: readonly string[], modes: HaloModes, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) if (c in record) out[c] = record[c];
  Object.assign(out, extra);
  return render(out, modes) as Record<string, unknown>;
}

export function render(value: unknown, modes: HaloModes): unknown {
  if (Array.isArray(value)) return value.map((v) => render(v, modes));
  if (value === null) return modes.emptyValues === 'empty-string' ? '' : null;
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null && modes.emptyValues === 'omit') continue;
    out[k] = render(v, modes);
  }
  return out;
}

/**
 * [U] Halo's default order is undocumented; by id keeps pages stable while records are added.
 * `order` names the field to order by and `orderdesc` reverses it [V, newer document].
 */
function ordered(q: URLSearchParams, records: HaloRecord[]): HaloRecord[] {
  const field = q.get('order') || 'id';
  const desc = flag(q, 'orderdesc', false);
  const key = (r: HaloRecord) => r[Object.keys(r).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field];
  return [...records].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x === y ? a.id - b.id : x === undefined || x === null ? -1 : y === undefined || y === null ? 1 : x < y ? -1 : 1;
    return desc ? -c : c;
  });
}

function like(record: HaloRecord, search: string | null, fields: string[]): boolean {
  if (!search) return true;
  const s = search.toLowerCase();
  return fields.some((f) => typeof record[f] === 'string' && (record[f] as string).toLowerCase().includes(s));
}

/**
 * `{page_no, page_size, record_count, <plural>}` (Users_View, Site_View, Area_View [V]; SPEC-era
 * clients read record_count and the plural). With `pageinate=true`, `page_no` is 1-based [V]; the
 * default page size is not documented [U: 50 here]. Without paging, `count` caps.
 */
function paged(q: URLSearchParams, plural: string, matches: HaloRecord[], toRow: (r: HaloRecord) => unknown): Reply {
  const sorted = ordered(q, matches);
  if (flag(q, 'pageinate', false)) {
    const size = Math.max(1, intParam(q, 'page_size') ?? 50);
    const page = Math.max(1, intParam(q, 'page_no') ?? 1);
    const slice = sorted.slice((page - 1) * size, page * size);
    return ok({ page_no: page, page_size: size, record_count: matches.length, [plural]: slice.map(toRow) });
  }
  const count = intParam(q, 'count');
  const slice = count !== undefined && count >= 0 ? sorted.slice(0, count) : sorted;
  return ok({ record_count: matches.length, [plural]: slice.map(toRow) });
}

const ADVANCED_FIELDS = new Set(['azureoid', 'emailaddress']);

/** [V] `advanced_search=[{filter_name, filter_type: 2 (equality), filter_value}]`; anything else is refused. */
function advancedSearch(raw: string | null): ((r: HaloRecord) => boolean) | 'invalid' | undefined {
  if (!raw) return undefined;
  let filters: unknown;
  try {
    filters = JSON.parse(raw);
  } catch {
    return 'invalid';
  }
  if (!Array.isArray(filters) || !filters.length) return 'invalid';
  const tests: Array<(r: HaloRecord) => boolean> = [];
  for (const f of filters as Array<Record<string, unknown>>) {
    const name = String(f?.filter_name ?? '').toLowerCase();
    if (!ADVANCED_FIELDS.has(name) || Number(f.filter_type) !== 2) return 'invalid';
    // [I] SQL Server's default collation compares case-insensitively.
    const want = String(f.filter_value ?? '').toLowerCase();
    tests.push((r) => typeof r[name] === 'string' && (r[name] as string).toLowerCase() === want);
  }
  return (r) => tests.every((t) => t(r));
}

type Item = Record<string, unknown>;
const itemsOf = (v: unknown): Item[] => (Array.isArray(v) ? (v as Item[]) : []);

function roleList(record: HaloRecord): string {
  return itemsOf(record.roles).map((r) => String(r.name ?? '')).join(', ');
}

/** Custom field definitions: the state's, else every field some record carries (by name). */
export function customFieldDefinitions(state: HaloState): Array<{ id: number; name: string }> {
  if (state.customFields) return state.customFields;
  const byName = new Map<string, { id: number; name: string }>();
  for (const r of [...state.users, ...state.agents]) {
    for (const cf of itemsOf(r.customfields)) if (typeof cf.name === 'string' && !byName.has(cf.name.toLowerCase())) byName.set(cf.name.toLowerCase(), { id: Number(cf.id), name: cf.name });
  }
  return [...byName.values()];
}

/**
 * A Users list row in the mode's shape. `newer`: Users_List's columns, `role_ids` from the user's
 * roles, `customfields` only for the ids `include_custom_fields` names [V]; `older`: SPEC's
 * Users_List (customfields always, nothing to ask for them with) [V]; `full`: everything stored.
 */
function userRow(u: HaloRecord, q: URLSearchParams, modes: HaloModes): Record<string, unknown> {
  if (modes.userRows === 'full') return pick(u, Object.keys(u), modes);
  if (modes.userRows === 'older') return pick(u, OLDER.users, modes, { role_list: roleList(u) });
  const extra: Record<string, unknown> = { role_list: roleList(u), role_ids: itemsOf(u.roles).map((r) => Number(r.id)) };
  const wanted = q.get('include_custom_fields');
  const ids = new Set((wanted ?? '').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0));
  const columns = NEWER.users.filter((c) => c !== 'customfields');
  if (ids.size) extra.customfields = itemsOf(u.customfields).filter((cf) => ids.has(Number(cf.id)));
  return pick(u, columns, modes, extra);
}

export function listUsers(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const act = activity(q, false);
  const clientId = intParam(q, 'client_id');
  const siteId = intParam(q, 'site_id');
  const role = intParam(q, 'role');
  const advanced = advancedSearch(q.get('advanced_search'));
  // [V] the message; [U] the body shape it comes in.
  if (advanced === 'invalid') return { status: 400, body: { resultCode: 1, errorMessage: 'Invalid advanced search parameter' } };
  const matches = state.users.filter(
    (u) =>
      (u.inactive === true ? act.inactive : act.active) &&
      (clientId === undefined || u.client_id === clientId) &&
      (siteId === undefined || u.site_id === siteId) &&
      // [V] `role` filters by user role id [I: the parameter is an undocumented int].
      (role === undefined || itemsOf(u.roles).some((r) => Number(r.id) === role)) &&
      // [V] `search` looks at names and emails, "notably NOT azureoid".
      like(u, q.get('search'), ['name', 'emailaddress', 'email2', 'email3', 'login']) &&
      (!advanced || advanced(u)),
  );
  return paged(q, 'users', matches, (u) => userRow(u, q, modes));
}

/** User detail (Users schema): the whole record; `includedetails` adds the extra objects (roles). */
export function getUser(state: HaloState, id: number, q: URLSearchParams, modes: HaloModes): Reply {
  const user = state.users.find((u) => u.id === id);
  if (!user) return notFound(`User ${id} not found`);
  const columns = Object.keys(user).filter((k) => k !== 'roles' || flag(q, 'includedetails', false));
  return ok(pick(user, columns, modes));
}

/**
 * [V] a bare array; disabled agents only with includedisabled, API agents only with
 * includeapiagents. Rows carry Uname_List's columns: `teams` only with include_membership_info
 * ([U] the parameter says it "always" includes them, so without it they may be left out), roles
 * only in the `bare-with-roles` mode. `role` filters by the role's integer id [V: "an int passed as a string"].
 */
export function listAgents(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const disabled = flag(q, 'includedisabled', false);
  const enabled = flag(q, 'includeenabled', true);
  const api = flag(q, 'includeapiagents', false);
  const teamId = intParam(q, 'team_id');
  const team = q.get('team');
  const role = intParam(q, 'role');
  const matches = state.agents.filter(
    (a) =>
      (a.isdisabled === true ? disabled : enabled) &&
      (api || a.isapiagent !== true) &&
      like(a, q.get('search'), ['name', 'email', 'sms']) &&
      (teamId === undefined || teamsOf(a).some((t) => t.team_id === teamId)) &&
      (!team || a.team === team || teamsOf(a).some((t) => t.team_name === team)) &&
      (role === undefined || itemsOf(a.roles).some((r) => Number(r.id_int) === role)),
  );
  const membership = flag(q, 'include_membership_info', false) && !flag(q, 'exclude_membership_info', false);
  const withRoles = modes.agentList === 'bare-with-roles' && flag(q, 'includeroles', false);
  const columns = NEWER.agents.filter((c) => c !== 'teams' || membership);
  const toRow = (a: HaloRecord) => {
    const first = itemsOf(a.roles)[0];
    const extra: Record<string, unknown> = { role_list: roleList(a), first_role_id: first ? String(first.id) : null };
    if (withRoles) extra.roles = a.roles ?? [];
    return pick(a, columns, modes, extra);
  };
  // The paged reading wraps the list as the other paged lists are, paging only when asked.
  if (modes.agentList === 'paged') return paged(q, 'agents', matches, toRow);
  return ok(ordered(q, matches).map(toRow));
}

export function getAgent(state: HaloState, id: number, q: URLSearchParams, modes: HaloModes): Reply {
  const agent = state.agents.find((a) => a.id === id);
  if (!agent) return notFound(`Agent ${id} not found`);
  const details = flag(q, 'includedetails', false);
  return ok(pick(agent, Object.keys(agent).filter((k) => details || (k !== 'roles' && k !== 'teams')), modes));
}

/** [V] the API application's "agent to login as". The state names none, so the first API agent stands in [I]. */
export function getMe(state: HaloState, modes: HaloModes): Reply {
  const me = state.agents.find((a) => a.isapiagent === true) ?? { id: 1, name: 'API User', isapiagent: true, is_agent: true };
  return ok(render(me, modes));
}

export function listSites(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const act = activity(q, false);
  const clientId = intParam(q, 'client_id');
  const matches = state.sites.filter(
    (s) => (s.inactive === true ? act.inactive : act.active) && (clientId === undefined || s.client_id === clientId) && like(s, q.get('search'), ['name']),
  );
  return paged(q, 'sites', matches, (s) => pick(s, NEWER.sites, modes));
}

export function listClients(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const act = activity(q, false);
  const matches = state.clients.filter((c) => (c.inactive === true ? act.inactive : act.active) && like(c, q.get('search'), ['name']));
  return paged(q, 'clients', matches, (c) => pick(c, NEWER.clients, modes));
}

// Team, Roles, UserRoles, CAB and FieldInfo have no paging in the documents, and no response
// schema: bare arrays here, like /Agent, the one unpaged list whose shape is [V].

export function listTeams(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const disabled = flag(q, 'includedisabled', false);
  const enabled = flag(q, 'includeenabled', true);
  return ok(ordered(q, state.teams.filter((t) => (t.inactive === true ? disabled : enabled))).map((t) => pick(t, NEWER.teams, modes)));
}

export function listRoles(state: HaloState, modes: HaloModes): Reply {
  return ok(state.roles.map((r) => pick(r as unknown as HaloRecord, NEWER.agentRoles, modes)));
}

export function listUserRoles(state: HaloState, modes: HaloModes): Reply {
  return ok(state.userRoles.map((r) => pick(r, NEWER.userRoles, modes)));
}

/** Members only with includemembers [V, SPEC]. */
export function listCabs(state: HaloState, q: URLSearchParams, modes: HaloModes): Reply {
  const columns = NEWER.cabs.filter((c) => c !== 'members' || flag(q, 'includemembers', false));
  return ok(state.cabs.map((c) => pick(c, columns, modes)));
}

export function getCab(state: HaloState, id: number, modes: HaloModes): Reply {
  const cab = state.cabs.find((c) => c.id === id);
  return cab ? ok(pick(cab, NEWER.cabs, modes)) : notFound(`CAB ${id} not found`);
}

/** Custom field definitions (SPEC `FieldInfo`: id, name, label, type, usage) [V]. */
export function listFieldInfo(state: HaloState, modes: HaloModes): Reply {
  return ok(customFieldDefinitions(state).map((f) => render({ type: 0, label: f.name.replace(/^CF/, ''), ...f }, modes)));
}

export function teamsOf(agent: HaloRecord): Array<{ team_id?: number; team_name?: string }> {
  return Array.isArray(agent.teams) ? (agent.teams as Array<{ team_id?: number; team_name?: string }>) : [];
}
