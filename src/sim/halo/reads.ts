// GET routes. Which lists page and how each list is wrapped follow halo-api.md §2.
import type { HaloRecord, HaloState } from '../state';
import { Reply, notFound, ok } from './replies';

export interface ReadOptions {
  /** Field names left out of list rows (detail GETs keep them). */
  listRowsOmit: ReadonlySet<string>;
}

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

function row(record: HaloRecord, omit: ReadonlySet<string>, alsoOmit: string[] = [], columns: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!omit.has(k) && !alsoOmit.includes(k)) out[k] = v;
  // A database row has every column: unset ones come back empty, not missing.
  for (const c of columns) if (!(c in out) && !omit.has(c) && !alsoOmit.includes(c)) out[c] = c === 'customfields' || c === 'teams' ? [] : null;
  return out;
}

/**
 * Columns every list row carries (Users_List / Uname_List of the SPEC, the ones a mapping uses).
 * [U] `azureoid` is not in Users_List; it is served unless `listRowsOmit` says otherwise.
 */
const USER_COLUMNS = ['name', 'firstname', 'surname', 'emailaddress', 'title', 'phonenumber', 'mobilenumber', 'login', 'site_id', 'site_name', 'client_id', 'client_name', 'inactive', 'azureoid', 'customfields'];
const AGENT_COLUMNS = ['name', 'firstname', 'surname', 'email', 'jobtitle', 'isdisabled', 'isapiagent', 'team', 'teams', 'licence_type'];

/** [U] Halo's default order is undocumented; by id keeps pages stable while records are added. */
function byId(a: HaloRecord, b: HaloRecord): number {
  return a.id - b.id;
}

function like(record: HaloRecord, search: string | null, fields: string[]): boolean {
  if (!search) return true;
  const s = search.toLowerCase();
  return fields.some((f) => typeof record[f] === 'string' && (record[f] as string).toLowerCase().includes(s));
}

/**
 * `{record_count, <plural>}` [V] for Users, Site and Client. With `pageinate=true`, `page_no` is
 * 1-based [V]; the default page size is not documented [U: 50 here]. Without paging, `count` caps.
 */
function paged(q: URLSearchParams, plural: string, matches: HaloRecord[], toRow: (r: HaloRecord) => unknown): Reply {
  const sorted = [...matches].sort(byId);
  let slice = sorted;
  if (flag(q, 'pageinate', false)) {
    const size = Math.max(1, intParam(q, 'page_size') ?? 50);
    const page = Math.max(1, intParam(q, 'page_no') ?? 1);
    slice = sorted.slice((page - 1) * size, page * size);
  } else {
    const count = intParam(q, 'count');
    if (count !== undefined && count >= 0) slice = sorted.slice(0, count);
  }
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

export function listUsers(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const act = activity(q, false);
  const clientId = intParam(q, 'client_id');
  const siteId = intParam(q, 'site_id');
  const advanced = advancedSearch(q.get('advanced_search'));
  // [V] the message; [U] the body shape it comes in.
  if (advanced === 'invalid') return { status: 400, body: { resultCode: 1, errorMessage: 'Invalid advanced search parameter' } };
  const matches = state.users.filter(
    (u) =>
      (u.inactive === true ? act.inactive : act.active) &&
      (clientId === undefined || u.client_id === clientId) &&
      (siteId === undefined || u.site_id === siteId) &&
      // [V] `search` looks at names and emails, "notably NOT azureoid".
      like(u, q.get('search'), ['name', 'emailaddress', 'email2', 'email3', 'login']) &&
      (!advanced || advanced(u)),
  );
  return paged(q, 'users', matches, (u) => row(u, o.listRowsOmit, [], USER_COLUMNS));
}

/** User detail: the whole record; `includedetails` adds the extra objects (roles). */
export function getUser(state: HaloState, id: number, q: URLSearchParams): Reply {
  const user = state.users.find((u) => u.id === id);
  if (!user) return notFound(`User ${id} not found`);
  return ok(row(user, new Set(), flag(q, 'includedetails', false) ? [] : ['roles']));
}

/** [V] a bare array, no paging; disabled agents only with includedisabled, API agents only with includeapiagents. */
export function listAgents(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const disabled = flag(q, 'includedisabled', false);
  const enabled = flag(q, 'includeenabled', true);
  const api = flag(q, 'includeapiagents', false);
  const teamId = intParam(q, 'team_id');
  const team = q.get('team');
  const matches = state.agents.filter(
    (a) =>
      (a.isdisabled === true ? disabled : enabled) &&
      (api || a.isapiagent !== true) &&
      like(a, q.get('search'), ['name', 'email', 'sms']) &&
      (teamId === undefined || teamsOf(a).some((t) => t.team_id === teamId)) &&
      (!team || a.team === team || teamsOf(a).some((t) => t.team_name === team)),
  );
  // Roles only with includeroles [V, SPEC]; Uname_List rows carry `teams` but not `roles`.
  const hide = flag(q, 'includeroles', false) ? [] : ['roles'];
  return ok(matches.sort(byId).map((a) => row(a, o.listRowsOmit, hide, AGENT_COLUMNS)));
}

export function getAgent(state: HaloState, id: number, q: URLSearchParams): Reply {
  const agent = state.agents.find((a) => a.id === id);
  if (!agent) return notFound(`Agent ${id} not found`);
  return ok(row(agent, new Set(), flag(q, 'includedetails', false) ? [] : ['roles', 'teams']));
}

/** [V] the API application's "agent to login as". The state names none, so the first API agent stands in [I]. */
export function getMe(state: HaloState): Reply {
  const me = state.agents.find((a) => a.isapiagent === true) ?? { id: 1, name: 'API User', isapiagent: true, is_agent: true };
  return ok(row(me as HaloRecord, new Set()));
}

export function listSites(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const act = activity(q, false);
  const clientId = intParam(q, 'client_id');
  const matches = state.sites.filter(
    (s) => (s.inactive === true ? act.inactive : act.active) && (clientId === undefined || s.client_id === clientId) && like(s, q.get('search'), ['name']),
  );
  return paged(q, 'sites', matches, (s) => row(s, o.listRowsOmit));
}

export function listClients(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const act = activity(q, false);
  const matches = state.clients.filter((c) => (c.inactive === true ? act.inactive : act.active) && like(c, q.get('search'), ['name']));
  return paged(q, 'clients', matches, (c) => row(c, o.listRowsOmit));
}

// Team, Roles, UserRoles and CAB have no paging in the SPEC. Whether they are bare arrays or wrapped
// is [U]; they are bare arrays here, like /Agent, the one unpaged list whose shape is [V].

export function listTeams(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const disabled = flag(q, 'includedisabled', false);
  const enabled = flag(q, 'includeenabled', true);
  return ok(state.teams.filter((t) => (t.inactive === true ? disabled : enabled)).sort(byId).map((t) => row(t, o.listRowsOmit)));
}

export function listRoles(state: HaloState, o: ReadOptions): Reply {
  return ok(state.roles.map((r) => row(r as unknown as HaloRecord, o.listRowsOmit)));
}

export function listUserRoles(state: HaloState, o: ReadOptions): Reply {
  return ok(state.userRoles.map((r) => row(r, o.listRowsOmit)));
}

/** Members only with includemembers [V, SPEC]. */
export function listCabs(state: HaloState, q: URLSearchParams, o: ReadOptions): Reply {
  const hide = flag(q, 'includemembers', false) ? [] : ['members'];
  return ok(state.cabs.map((c) => row(c, o.listRowsOmit, hide)));
}

export function getCab(state: HaloState, id: number): Reply {
  const cab = state.cabs.find((c) => c.id === id);
  return cab ? ok(row(cab, new Set())) : notFound(`CAB ${id} not found`);
}

export function teamsOf(agent: HaloRecord): Array<{ team_id?: number; team_name?: string }> {
  return Array.isArray(agent.teams) ? (agent.teams as Array<{ team_id?: number; team_name?: string }>) : [];
}
