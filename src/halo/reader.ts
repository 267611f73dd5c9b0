// Reading Halo into a snapshot: the list reads a plan needs, in parallel, every page accounted for.
import type { HaloNeeds } from '../core/needs';
import type { HaloAgent, HaloSnapshot, HaloUser } from '../core/snapshot';
import { HaloReadError } from './errors';
import { Lookups, Row, agentFromRow, cabFromRow, clientFromRow, namedFromRow, siteFromRow, userFromRow } from './normalise';
import type { Tally } from './transport';
import { LIST_KEYS, isCustomField, unwrapList } from './wire';

export type Query = Record<string, string | number | boolean>;

export interface ApiGet {
  get(path: string, query: Query, tally: Tally): Promise<unknown>;
}

/** Parallel page and detail reads per list; the limiter paces them anyway. */
const CONCURRENCY = 4;

export async function readSnapshot(api: ApiGet, needs: HaloNeeds, pageSize: number): Promise<HaloSnapshot> {
  const tally: Tally = { requests: 0 };
  const list = async (path: string, key: string, query: Query = {}): Promise<Row[]> => {
    const body = await api.get(path, query, tally);
    const rows = unwrapList(body, key);
    if (!rows || !rows.every(isRow)) throw new HaloReadError(`Halo GET /api${path} answered something that is not a list of ${key}`);
    return rows;
  };
  const active = { includeactive: true, includeinactive: true };
  const [users, sites, clients, agents, agentRoles, userRoles, teams, cabs] = await Promise.all([
    readPaged(api, '/Users', 'users', active, pageSize, tally),
    readPaged(api, '/Site', 'sites', active, pageSize, tally),
    readPaged(api, '/Client', 'clients', active, pageSize, tally),
    // API agents are read too, flagged, so the planner can refuse to touch them.
    list('/Agent', LIST_KEYS.agents, { includeenabled: true, includedisabled: true, includeapiagents: true, ...(needs.agentRoles ? { includeroles: true } : {}) }),
    needs.agentRoles ? list('/Roles', LIST_KEYS.agentRoles) : Promise.resolve([]),
    needs.userRoles ? list('/UserRoles', LIST_KEYS.userRoles) : Promise.resolve([]),
    needs.teams ? list('/Team', LIST_KEYS.teams, { includeenabled: true, includedisabled: true }) : Promise.resolve([]),
    needs.cabs ? list('/CAB', LIST_KEYS.cabs, { includemembers: true }) : Promise.resolve([]),
  ]);
  const snapshot: HaloSnapshot = {
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
  const lookups = lookupsOf(snapshot);
  const custom = customFieldsOf(needs);
  snapshot.users = users.map((r) => userFromRow(r, lookups, custom.users));
  snapshot.agents = agents.map((r) => agentFromRow(r, lookups, custom.agents));
  assertUniqueIds(snapshot.agents, '/Agent');
  snapshot.stats.requests = tally.requests;
  return snapshot;
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
 * Detail reads for records whose list rows lacked what the plan needs (DESIGN §2a): fills only
 * what is still unknown, in place, and says so in one warning.
 */
export async function readDetails(api: ApiGet, snapshot: HaloSnapshot, ids: { users: number[]; agents: number[] }, needs: HaloNeeds): Promise<void> {
  const tally: Tally = { requests: 0 };
  const lookups = lookupsOf(snapshot);
  const filled = new Set<string>();
  const userIds = [...new Set(ids.users)];
  const agentIds = [...new Set(ids.agents)];
  const usersById = new Map(snapshot.users.map((u) => [u.id, u]));
  const agentsById = new Map(snapshot.agents.map((a) => [a.id, a]));
  await forEachLimited(userIds, CONCURRENCY, async (id) => {
    const row = await api.get(`/Users/${id}`, { includedetails: true }, tally);
    if (!isRow(row) || Number(row.id) !== id) throw new HaloReadError(`Halo GET /api/Users/${id} did not answer with that user`);
    const detail = userFromRow(row, lookups, customFieldsOf(needs).users);
    const user = usersById.get(id);
    if (!user) snapshot.users.push(detail);
    else mergeUser(user, detail, needs.userFields, filled);
  });
  await forEachLimited(agentIds, CONCURRENCY, async (id) => {
    const row = await api.get(`/Agent/${id}`, { includedetails: true }, tally);
    if (!isRow(row) || Number(row.id) !== id) throw new HaloReadError(`Halo GET /api/Agent/${id} did not answer with that agent`);
    const detail = agentFromRow(row, lookups, customFieldsOf(needs).agents);
    const agent = agentsById.get(id);
    if (!agent) snapshot.agents.push(detail);
    else mergeAgent(agent, detail, needs.agentFields, filled);
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
  for (const [k, v] of Object.entries(from)) {
    if (k in into) continue;
    into[k] = v;
    if (wanted.includes(k)) filled.add(k);
  }
}

function lookupsOf(s: HaloSnapshot): Lookups {
  return {
    agentRoles: new Map(s.agentRoles.map((r) => [String(r.id).toLowerCase(), r.name])),
    userRoles: new Map(s.userRoles.map((r) => [String(r.id), r.name])),
    teams: new Map(s.teams.map((t) => [Number(t.id), t.name])),
  };
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
