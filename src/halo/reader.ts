// Reading Halo into a snapshot: the list reads a plan needs, in parallel, every page accounted for,
// and only bulk reads wherever Halo documents one (halo-api.md §1a): custom fields by
// `include_custom_fields`, role members by one `role=` filtered list per role when rows carry no
// role data, teams with `include_membership_info`. Detail reads are the engine's last resort.
import type { HaloNeeds } from '../core/needs';
import type { HaloAgent, HaloNamed, HaloSnapshot, HaloUser } from '../core/snapshot';
import documentedJson from './documented-columns.json';
import { HaloReadError } from './errors';
import { ListColumns, Lookups, Row, agentFromRow, cabFromRow, clientFromRow, columnsOf, detailColumns, namedFromRow, siteFromRow, userFromRow, wholeRoles } from './normalise';
import type { Tally } from './transport';
import { LIST_KEYS, isCustomField, unwrapList } from './wire';

export type Query = Record<string, string | number | boolean>;

export interface ApiGet {
  get(path: string, query: Query, tally: Tally): Promise<unknown>;
}

/** Parallel page and detail reads per list; the limiter paces them anyway. */
const CONCURRENCY = 4;

const DOCUMENTED = { users: new Set(documentedJson.users), agents: new Set(documentedJson.agents) };
const AGENT_QUERY: Query = { includeenabled: true, includedisabled: true, includeapiagents: true };
const USER_QUERY: Query = { includeactive: true, includeinactive: true };


/** Everything but the users and agents: sites, clients, and the roles, teams and CABs the mapping uses. */
export async function readNameLists(api: ApiGet, needs: HaloNeeds, pageSize: number, tally: Tally = { requests: 0 }): Promise<HaloSnapshot> {
  const list = (path: string, key: string, query: Query = {}) => readList(api, path, key, query, tally);
  const [sites, clients, agentRoles, userRoles, teams, cabs] = await Promise.all([
    readPaged(api, '/Site', 'sites', USER_QUERY, pageSize, tally),
    readPaged(api, '/Client', 'clients', USER_QUERY, pageSize, tally),
    needs.agentRoles ? list('/Roles', LIST_KEYS.agentRoles) : Promise.resolve([]),
    needs.userRoles ? list('/UserRoles', LIST_KEYS.userRoles) : Promise.resolve([]),
    needs.teams ? list('/Team', LIST_KEYS.teams, { includeenabled: true, includedisabled: true }) : Promise.resolve([]),
    needs.cabs ? list('/CAB', LIST_KEYS.cabs, { includemembers: true }) : Promise.resolve([]),
  ]);
  return {
    users: [],
    agents: [],
    sites: sites.map(siteFromRow),
    clients: clients.map(clientFromRow),
    agentRoles: agentRoles.map(namedFromRow),
    userRoles: userRoles.map(namedFromRow),
    teams: teams.map(namedFromRow),
    cabs: cabs.map(cabFromRow),
    stats: { requests: 0, detailReads: 0, warnings: [] },
  };
}

export async function readSnapshot(api: ApiGet, needs: HaloNeeds, pageSize: number): Promise<HaloSnapshot> {
  const tally: Tally = { requests: 0 };
  const list = (path: string, key: string, query: Query = {}) => readList(api, path, key, query, tally);
  const custom = customFieldsOf(needs);
  const fieldIds = custom.users.length ? list('/FieldInfo', 'fields').then((rows) => customFieldIds(rows, custom.users)) : Promise.resolve(undefined);
  const users = fieldIds.then((f) =>
    readPaged(api, '/Users', 'users', { ...USER_QUERY, ...(f?.ids.length ? { include_custom_fields: f.ids.join(',') } : {}) }, pageSize, tally),
  );
  const [userRows, snapshot, agentRows, fields] = await Promise.all([
    users,
    readNameLists(api, needs, pageSize, tally),
    // API agents are read too, flagged, so the planner can refuse to touch them.
    readAgents(api, { ...AGENT_QUERY, include_membership_info: true, ...(needs.agentRoles ? { includeroles: true } : {}) }, pageSize, tally),
    fieldIds,
  ]);
  snapshot.users = usersFromRows(userRows, snapshot, needs);
  snapshot.agents = agentsFromRows(agentRows, snapshot, needs);
  if (fields?.missing.length) {
    snapshot.stats.warnings.push(`Halo defines no custom field named ${fields.missing.join(', ')}: every user reads as empty there, and writing it will fail unless Halo creates it.`);
  }

  // Rows without role data: one filtered list per role the mapping manages gives its members.
  const managedAgentRoles = byNames(snapshot.agentRoles, needs.agentRoleNames);
  const managedUserRoles = byNames(snapshot.userRoles, needs.userRoleNames);
  await Promise.all([
    needs.agentRoles && snapshot.agents.some((a) => a.roles === undefined) ? readRoleMembers(api, snapshot, 'agent', managedAgentRoles, pageSize, tally) : undefined,
    needs.userRoles && snapshot.users.some((u) => u.roles === undefined) ? readRoleMembers(api, snapshot, 'user', managedUserRoles, pageSize, tally) : undefined,
  ]);
  snapshot.stats.requests = tally.requests;
  return snapshot;
}

function listColumns(rows: Row[], kind: 'users' | 'agents', needed: string[], customFields: string[]): ListColumns {
  const documented = new Set(needed.filter((f) => DOCUMENTED[kind].has(f) && !isCustomField(f)));
  return columnsOf(rows, documented, customFields);
}

/**
 * `role=` filtered lists (agents: the role's integer id "passed as a string" [V]; users: the
 * user role id [V, undocumented int]) for `roles`; each record's roles become its memberships in
 * them. `stats.partialRoles` names the roles read, so a write that needs a whole set reads the
 * rest first (completeRoles) and an edit naming another role knows the snapshot lacks it.
 */
async function readRoleMembers(api: ApiGet, snapshot: HaloSnapshot, kind: 'agent' | 'user', roles: HaloNamed[], pageSize: number, tally: Tally): Promise<void> {
  const records: Array<HaloAgent | HaloUser> = kind === 'agent' ? snapshot.agents : snapshot.users;
  const partial = (snapshot.stats.partialRoles ??= {});
  const known = (partial[kind] ??= []);
  for (const r of records) if (r.roles === undefined) r.roles = [];
  const members = new Map(records.map((r) => [r.id, r]));
  await forEachLimited(roles, CONCURRENCY, async (role) => {
    const filter = roleFilter(kind, role);
    if (filter === undefined) throw new HaloReadError(`Halo role "${role.name}" has no integer id to filter ${kind}s by`);
    const rows =
      kind === 'agent'
        ? await readAgents(api, { ...AGENT_QUERY, role: String(filter) }, pageSize, tally)
        : await readPaged(api, '/Users', 'users', { ...USER_QUERY, role: filter }, pageSize, tally);
    for (const row of rows) {
      const r = members.get(Number(row.id));
      if (r && !r.roles!.includes(role.name)) r.roles!.push(role.name);
    }
    if (!known.includes(role.name)) known.push(role.name);
  });
  known.sort();
}

function roleFilter(kind: 'agent' | 'user', role: HaloNamed): number | undefined {
  const id = kind === 'agent' ? role.idInt : role.id;
  const n = Number(id);
  return id !== undefined && id !== null && Number.isInteger(n) ? n : undefined;
}

/**
 * Role writes post the whole set (wire.ts), so a record known only by its managed roles needs the
 * rest: the filtered lists of the roles not read yet, or the records' details, whichever is fewer
 * requests. Fills the records in place.
 */
export async function completeRoles(api: ApiGet, snapshot: HaloSnapshot, kind: 'agent' | 'user', ids: number[], pageSize: number): Promise<number> {
  const known = new Set((snapshot.stats.partialRoles?.[kind] ?? []).map((n) => n.toLowerCase()));
  if (!snapshot.stats.partialRoles?.[kind] || !ids.length) return 0;
  const all = kind === 'agent' ? snapshot.agentRoles : snapshot.userRoles;
  const rest = all.filter((r) => !known.has(r.name.toLowerCase()));
  if (!rest.length) return 0;
  const tally: Tally = { requests: 0 };
  const unique = [...new Set(ids)];
  if (rest.length <= unique.length && rest.every((r) => roleFilter(kind, r) !== undefined)) {
    await readRoleMembers(api, snapshot, kind, rest, pageSize, tally);
  } else {
    const lookups = lookupsOf(snapshot);
    const records = new Map<number, HaloAgent | HaloUser>((kind === 'agent' ? snapshot.agents : snapshot.users).map((r) => [r.id, r]));
    await forEachLimited(unique, CONCURRENCY, async (id) => {
      const row = await readOne(api, kind, id, tally);
      const detail = kind === 'agent' ? agentFromRow(row, lookups, detailColumns(row, [])) : userFromRow(row, lookups, detailColumns(row, []));
      const rec = records.get(id);
      if (rec && detail.roles) {
        rec.roles = detail.roles;
        wholeRoles.add(rec);
      }
    });
    snapshot.stats.detailReads += unique.length;
  }
  snapshot.stats.requests += tally.requests;
  return tally.requests;
}

/** An unpaged list (Roles, Team, CAB, FieldInfo): a bare array or an object wrapping it. */
async function readList(api: ApiGet, path: string, key: string, query: Query, tally: Tally): Promise<Row[]> {
  const body = await api.get(path, query, tally);
  const rows = unwrapList(body, key);
  if (!rows || !rows.every(isRow)) throw new HaloReadError(`Halo GET /api${path} answered something that is not a list of ${key}`);
  return rows;
}

/**
 * The agent list: a bare array [V], or (the newer document adds paging parameters without a
 * response schema [U]) a `{record_count, agents}` wrapper. Paging is never asked for, so a Halo
 * that pages without saying so cannot cut the list short unnoticed; a wrapper that holds fewer
 * rows than its record_count is read on page by page.
 */
export async function readAgents(api: ApiGet, query: Query, pageSize: number, tally: Tally): Promise<Row[]> {
  const body = await api.get('/Agent', query, tally);
  if (Array.isArray(body)) {
    if (!body.every(isRow)) throw new HaloReadError('Halo GET /api/Agent answered something that is not a list of agents');
    assertUniqueIds(body as Row[], '/Agent');
    return body as Row[];
  }
  const o = body as Record<string, unknown> | undefined;
  const rows = unwrapList(body, LIST_KEYS.agents);
  if (!rows || !rows.every(isRow)) throw new HaloReadError('Halo GET /api/Agent answered something that is not a list of agents');
  const total = o?.record_count;
  if (total === undefined || total === rows.length) {
    assertUniqueIds(rows as Row[], '/Agent');
    return rows as Row[];
  }
  return readPaged(api, '/Agent', LIST_KEYS.agents, query, pageSize, tally);
}

/**
 * `{record_count, <key>}` pages until ceil(record_count/page_size) [V]. A page that is short, has
 * a different record_count or repeats a record means the read cannot be trusted: it throws rather
 * than return a partial list.
 */
export async function readPaged(api: ApiGet, path: string, key: string, query: Query, pageSize: number, tally: Tally): Promise<Row[]> {
  const page = async (no: number): Promise<{ total: number; rows: Row[] }> => {
    const body = await api.get(path, { ...query, pageinate: true, page_size: pageSize, page_no: no }, tally);
    const o = body as Record<string, unknown> | undefined;
    const rows = o && typeof o === 'object' && !Array.isArray(o) ? o[key] : undefined;
    const total = o?.record_count;
    if (typeof total !== 'number' || !Number.isInteger(total) || total < 0 || !Array.isArray(rows) || !rows.every(isRow)) {
      throw new HaloReadError(`Halo GET /api${path} page ${no} is not {record_count, ${key}}: the read is incomplete`);
    }
    return { total, rows };
  };
  const first = await page(1);
  const pages = Math.max(1, Math.ceil(first.total / pageSize));
  const results: Array<{ total: number; rows: Row[] }> = [first];
  await forEachLimited(
    Array.from({ length: pages - 1 }, (_, i) => i + 2),
    CONCURRENCY,
    async (no) => {
      results[no - 1] = await page(no);
    },
  );
  const all: Row[] = [];
  results.forEach((r, i) => {
    const no = i + 1;
    const expected = no < pages ? pageSize : first.total - pageSize * (pages - 1);
    if (r.total !== first.total) {
      throw new HaloReadError(`Halo GET /api${path}: record_count changed from ${first.total} to ${r.total} while reading; read again`);
    }
    if (r.rows.length !== expected) {
      throw new HaloReadError(`Halo GET /api${path} page ${no} of ${pages} had ${r.rows.length} ${key}, expected ${expected}: the read is incomplete`);
    }
    all.push(...r.rows);
  });
  assertUniqueIds(all, path);
  return all;
}

/**
 * Records Halo created since `known` was read, newest first (`order=id&orderdesc=true` [V];
 * [I] new records get higher ids), page by page until `want` new ones are seen or a page holds
 * only records already known. Used to learn the ids of records a POST answer did not name.
 */
export async function readCreated(api: ApiGet, kind: 'user' | 'site', known: ReadonlySet<number>, want: number, pageSize: number): Promise<{ rows: Row[]; requests: number }> {
  const tally: Tally = { requests: 0 };
  const path = kind === 'user' ? '/Users' : '/Site';
  const key = kind === 'user' ? 'users' : 'sites';
  const found: Row[] = [];
  const seen = new Set<number>();
  for (let no = 1; ; no++) {
    const body = await api.get(path, { ...USER_QUERY, order: 'id', orderdesc: true, pageinate: true, page_size: pageSize, page_no: no }, tally);
    const o = body as Record<string, unknown> | undefined;
    const rows = o && typeof o === 'object' && !Array.isArray(o) ? o[key] : undefined;
    if (!Array.isArray(rows) || !rows.every(isRow)) throw new HaloReadError(`Halo GET /api${path} page ${no} is not {record_count, ${key}}`);
    let fresh = 0;
    for (const r of rows as Row[]) {
      const id = Number(r.id);
      if (known.has(id) || seen.has(id)) continue;
      seen.add(id);
      found.push(r);
      fresh++;
    }
    const descending = (rows as Row[]).every((r, i, a) => i === 0 || Number(a[i - 1].id) > Number(r.id));
    const total = Number(o!.record_count);
    if (found.length >= want || rows.length < pageSize || no * pageSize >= total || (descending && fresh === 0)) break;
  }
  return { rows: found, requests: tally.requests };
}

/** The agent list read again, for the agents Halo created since `known` was read. */
export async function readCreatedAgents(api: ApiGet, known: ReadonlySet<number>, pageSize: number): Promise<{ rows: Row[]; requests: number }> {
  const tally: Tally = { requests: 0 };
  const rows = await readAgents(api, AGENT_QUERY, pageSize, tally);
  return { rows: rows.filter((r) => !known.has(Number(r.id))), requests: tally.requests };
}

/** List rows → users, with what the whole read says about its columns (computed once per read). */
export function usersFromRows(rows: Row[], snapshot: HaloSnapshot, needs: HaloNeeds): HaloUser[] {
  const lookups = lookupsOf(snapshot);
  const cols = listColumns(rows, 'users', needs.userFields, customFieldsOf(needs).users);
  return rows.map((r) => userFromRow(r, lookups, cols));
}

export function agentsFromRows(rows: Row[], snapshot: HaloSnapshot, needs: HaloNeeds): HaloAgent[] {
  const lookups = lookupsOf(snapshot);
  const cols = listColumns(rows, 'agents', needs.agentFields, customFieldsOf(needs).agents);
  return rows.map((r) => agentFromRow(r, lookups, cols));
}

async function readOne(api: ApiGet, kind: 'agent' | 'user', id: number, tally: Tally): Promise<Row> {
  const path = kind === 'agent' ? `/Agent/${id}` : `/Users/${id}`;
  const row = await api.get(path, { includedetails: true }, tally);
  if (!isRow(row) || Number(row.id) !== id) throw new HaloReadError(`Halo GET /api${path} did not answer with that ${kind}`);
  return row;
}

/**
 * Detail reads for records whose list rows lacked what the plan needs (DESIGN §2a): fills only
 * what is still unknown, in place, and says so in one warning.
 */
export async function readDetails(api: ApiGet, snapshot: HaloSnapshot, ids: { users: number[]; agents: number[] }, needs: HaloNeeds, onRead?: (done: number) => void): Promise<void> {
  const tally: Tally = { requests: 0 };
  const lookups = lookupsOf(snapshot);
  const custom = customFieldsOf(needs);
  const filled = new Set<string>();
  const userIds = [...new Set(ids.users)];
  const agentIds = [...new Set(ids.agents)];
  const usersById = new Map(snapshot.users.map((u) => [u.id, u]));
  const agentsById = new Map(snapshot.agents.map((a) => [a.id, a]));
  let done = 0;
  await forEachLimited(userIds, CONCURRENCY, async (id) => {
    const row = await readOne(api, 'user', id, tally);
    const detail = userFromRow(row, lookups, detailColumns(row, custom.users));
    const user = usersById.get(id);
    if (!user) snapshot.users.push(detail);
    else mergeUser(user, detail, needs.userFields, filled);
    onRead?.(++done);
  });
  await forEachLimited(agentIds, CONCURRENCY, async (id) => {
    const row = await readOne(api, 'agent', id, tally);
    const detail = agentFromRow(row, lookups, detailColumns(row, custom.agents));
    const agent = agentsById.get(id);
    if (!agent) snapshot.agents.push(detail);
    else mergeAgent(agent, detail, needs.agentFields, filled);
    onRead?.(++done);
  });
  const reads = userIds.length + agentIds.length;
  if (!reads) return;
  snapshot.stats.detailReads += reads;
  snapshot.stats.requests += tally.requests;
  const what = filled.size ? [...filled].sort().join(', ') : 'fields the plan needs';
  snapshot.stats.warnings.push(
    `Halo's list rows lacked ${what}; read the details of ${count(userIds.length, 'user')} and ${count(agentIds.length, 'agent')} (${count(reads, 'extra request')}).`,
  );
}

function mergeUser(user: HaloUser, detail: HaloUser, wanted: string[], filled: Set<string>): void {
  if (user.azureoid === undefined && detail.azureoid !== undefined) {
    user.azureoid = detail.azureoid;
    filled.add('azureoid');
  }
  if (user.roles === undefined && detail.roles !== undefined) {
    user.roles = detail.roles;
    filled.add('user roles');
  }
  mergeFields(user.fields, detail.fields, wanted, filled);
}

function mergeAgent(agent: HaloAgent, detail: HaloAgent, wanted: string[], filled: Set<string>): void {
  for (const k of ['teams', 'roles', 'licence'] as const) {
    if (agent[k] === undefined && detail[k] !== undefined) {
      (agent as unknown as Record<string, unknown>)[k] = detail[k];
      filled.add(`agent ${k}`);
    }
  }
  mergeFields(agent.fields, detail.fields, wanted, filled);
}

function mergeFields(into: Record<string, unknown>, from: Record<string, unknown>, wanted: string[], filled: Set<string>): void {
  for (const k of wanted) {
    if (k in into || !(k in from)) continue;
    into[k] = from[k];
    filled.add(k);
  }
  for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
}

function lookupsOf(s: HaloSnapshot): Lookups {
  return {
    agentRoles: new Map(s.agentRoles.flatMap((r): Array<[string, string]> => [[String(r.id).toLowerCase(), r.name], ...(r.idInt !== undefined ? [[String(r.idInt), r.name] as [string, string]] : [])])),
    userRoles: new Map(s.userRoles.map((r) => [String(r.id), r.name])),
    teams: new Map(s.teams.map((t) => [Number(t.id), t.name])),
  };
}

/** Mapped CF names → their FieldInfo ids (a name may be defined more than once: all are asked for). */
function customFieldIds(rows: Row[], names: string[]): { ids: number[]; missing: string[] } {
  const ids: number[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const hits = rows.filter((r) => typeof r.name === 'string' && r.name.toLowerCase() === name.toLowerCase()).map((r) => Number(r.id)).filter((id) => Number.isInteger(id) && id > 0);
    if (hits.length) ids.push(...hits);
    else missing.push(name);
  }
  return { ids: [...new Set(ids)].sort((a, b) => a - b), missing };
}

function byNames(roles: HaloNamed[], names: string[]): HaloNamed[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return roles.filter((r) => wanted.has(r.name.toLowerCase()));
}

function assertUniqueIds(rows: Array<{ id?: unknown }>, path: string): void {
  const seen = new Set<number>();
  for (const r of rows) {
    const id = Number(r.id);
    if (!Number.isInteger(id)) throw new HaloReadError(`Halo GET /api${path} returned a record without a numeric id`);
    if (seen.has(id)) throw new HaloReadError(`Halo GET /api${path} returned record ${id} twice (records moved between pages); read again`);
    seen.add(id);
  }
}

function isRow(v: unknown): v is Row {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function customFieldsOf(needs: HaloNeeds): { users: string[]; agents: string[] } {
  return { users: needs.userFields.filter(isCustomField), agents: needs.agentFields.filter(isCustomField) };
}
