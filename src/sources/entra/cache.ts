// Incremental Entra reads: each tenant's snapshot is cached in the state folder beside the mapping
// and brought up to date with Graph delta queries (users, and groups with their direct members)
// instead of a full re-read. Transitive membership is recomputed here from the cached
// direct-membership graph, since groups delta reports direct members only.
//
// A full read replaces the cache when there is none, when the mapping's needs or the tenant
// changed, when the delta tokens are older than Graph keeps them (7 days), when Graph rejects
// them (410 Gone / syncStateNotFound), or when a group the mapping names was renamed, deleted or
// got a namesake. The full read takes "sync from now" delta tokens first, so nothing changed
// while it runs can be missed (a change seen twice is harmless: delta items are whole objects).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant, DirectoryUser } from '../../core/snapshot';
import type { ReadReport } from '../source';
import { authFor } from './auth';
import { readableNeeds } from './token-info';
import type { ResolvedEntraConnection } from './connection';
import { EntraReadError } from './errors';
import { GraphClient, GraphObject } from './graph-client';
import { resolveGroup } from './groups';
import type { EntraReadOptions } from './options';
import { isObjectId, queryString } from './query';
import { attachManagerAttributes } from '../managers';
import { nestedAttributes, readUsers, toEntraUser, userSelect } from './users';

/** Graph keeps directory delta state for 7 days (entra-graph.md §1). */
export const DELTA_TOKEN_VALIDITY_MS = 7 * 86_400_000;
/** A token this close to its expiry is not trusted: the round could outlive it. */
const EXPIRY_MARGIN_MS = 3_600_000;
// 2: users in the neutral shape (enabled, guest, name, email, login).
const CACHE_VERSION = 2;
const USER = '#microsoft.graph.user';
const GROUP = '#microsoft.graph.group';

/** `requests`: Graph requests made (sign-in aside); `changes`: changed objects the delta rounds reported (0 for a full read). */
export type EntraReadReport = ReadReport;

/** Direct members of one group, as groups delta reports them: users and groups (devices and contacts dropped). */
interface DirectMembers {
  displayName: string;
  users: string[];
  groups: string[];
}

interface CacheFile {
  version: number;
  /** What the cache was read for: any difference means a full read. */
  key: CacheKey;
  /** When the deltaLinks were issued (ISO time). */
  deltaIssuedAt: string;
  usersDeltaLink: string;
  groupsDeltaLink: string;
  users: DirectoryUser[];
  /** The mapping's group references, resolved. */
  refs: Array<{ ref: string; id: string }>;
  /** Direct members of every group reachable from the references. */
  groups: Record<string, DirectMembers>;
}

interface CacheKey {
  tenant: string;
  tenantId: string;
  graphUrl: string;
  /** A delegated sign-in sees what the person may see: never mixed with the app's view. */
  signIn: 'app' | 'delegated';
  select: string[];
  groups: string[];
  manager: boolean;
}

export interface IncrementalOptions extends EntraReadOptions {
  /** The state folder beside the mapping (`.halo-identity/`). */
  stateDir: string;
  /** For tests: the clock, and how long delta tokens are trusted. */
  now?: () => number;
  tokenValidityMs?: number;
}

/** Where a tenant's cached snapshot lives. It holds identity data, never secrets. */
export function entraCachePath(stateDir: string, tenant: string): string {
  return path.join(stateDir, 'entra', `${tenant}.json`);
}

export async function readTenantIncremental(conn: ResolvedEntraConnection, wanted: DirectoryNeeds, opts: IncrementalOptions): Promise<{ snapshot: DirectoryTenant; report: EntraReadReport }> {
  if (wanted.tenant !== conn.name) throw new Error(`needs for tenant "${wanted.tenant}" given to connection "${conn.name}"`);
  const now = opts.now ?? Date.now;
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const { needs, unread } = await readableNeeds(auth, wanted, opts.signal);
  const unreadOf = (s: DirectoryTenant): DirectoryTenant => (unread.length ? { ...s, unreadAttributes: unread } : s);
  const client = new GraphClient({ tenant: conn.name, auth, signal: opts.signal, log: opts.log, retry: opts.retry, timeoutMs: opts.timeoutMs });
  const key: CacheKey = {
    tenant: conn.name,
    tenantId: conn.tenantId.toLowerCase(),
    graphUrl: auth.endpoints.graphUrl,
    signIn: conn.delegated ? 'delegated' : 'app',
    select: userSelect(needs),
    groups: [...new Set(needs.groups)],
    manager: needs.manager,
  };
  const file = entraCachePath(opts.stateDir, conn.name);
  const cached = loadCache(file);
  const validity = opts.tokenValidityMs ?? DELTA_TOKEN_VALIDITY_MS;

  let why: string;
  if (!cached) why = 'no cached snapshot';
  else if (JSON.stringify(cached.key) !== JSON.stringify(key)) why = sameTenant(cached.key, key) ? "the mapping's Entra attributes or groups changed" : 'the tenant or sign-in changed';
  else if (now() - Date.parse(cached.deltaIssuedAt) > validity - EXPIRY_MARGIN_MS) why = 'the delta tokens are older than Graph keeps them (7 days)';
  else {
    const outcome = await refresh(client, cached, key, needs, opts.pageSize ?? 999, now, opts.signal);
    if (outcome.ok) {
      saveCache(file, cached);
      const report: EntraReadReport = { tenant: conn.name, mode: 'delta', reason: outcome.summary, requests: client.requests, changes: outcome.changes };
      opts.log?.('info', `Entra "${conn.name}": brought the cached snapshot up to date (${outcome.summary}; ${client.requests} Graph requests).`);
      return { snapshot: unreadOf(snapshotOf(cached, key, needs)), report };
    }
    why = outcome.why;
  }
  opts.log?.('info', `Entra "${conn.name}": full read (${why}).`);
  const fresh = await fullRead(client, key, needs, opts.pageSize ?? 999, now, opts.signal);
  saveCache(file, fresh);
  return { snapshot: unreadOf(snapshotOf(fresh, key, needs)), report: { tenant: conn.name, mode: 'full', reason: why, requests: client.requests, changes: 0 } };
}

function sameTenant(a: CacheKey, b: CacheKey): boolean {
  return a.tenant === b.tenant && a.tenantId === b.tenantId && a.graphUrl === b.graphUrl && a.signIn === b.signIn;
}

// ───────────────────────────── full read ─────────────────────────────

async function fullRead(client: GraphClient, key: CacheKey, needs: DirectoryNeeds, pageSize: number, now: () => number, signal?: AbortSignal): Promise<CacheFile> {
  // Tokens first: whatever changes during the read is reported by the next round.
  const issuedAt = new Date(now()).toISOString();
  const [usersDeltaLink, groupsDeltaLink] = await Promise.all([
    latestDeltaLink(client, 'users', usersDeltaSelect(key), signal),
    latestDeltaLink(client, 'groups', ['displayName', 'members'], signal),
  ]);
  const cache: CacheFile = { version: CACHE_VERSION, key, deltaIssuedAt: issuedAt, usersDeltaLink, groupsDeltaLink, users: [], refs: [], groups: {} };
  const refs = new Array<{ ref: string; id: string; displayName: string }>(key.groups.length);
  await together(signal, async (sig) => {
    const members = new MemberReader(client, cache, pageSize, sig);
    await Promise.all([
      readUsers(client, needs, pageSize, sig).then((users) => {
        cache.users = users;
      }),
      // Each group the mapping names, then the groups nested below it, alongside the users.
      ...key.groups.map(async (ref, i) => {
        const g = await members.limit(() => resolveGroup(client, key.tenant, ref, sig));
        refs[i] = { ref, ...g };
        await members.read(g.id);
      }),
    ]);
  });
  cache.refs = refs.map(({ ref, id }) => ({ ref, id }));
  for (const r of refs) cache.groups[r.id].displayName = r.displayName;
  return cache;
}

/** The users delta's $select: the attributes, and the manager when a rule needs it. */
function usersDeltaSelect(key: CacheKey): string[] {
  return key.manager ? [...key.select, 'manager'] : key.select;
}

async function latestDeltaLink(client: GraphClient, kind: 'users' | 'groups', select: string[], signal?: AbortSignal): Promise<string> {
  const page = await client.page(client.url(`/${kind}/delta?${queryString({ $deltatoken: 'latest', $select: select.join(',') })}`), signal);
  if (!page.deltaLink) throw client.malformed(`GET /v1.0/${kind}/delta`, 'a "sync from now" round has no @odata.deltaLink');
  return page.deltaLink;
}

/** Runs `fn` with a signal that also stops the sibling reads as soon as one of them fails. */
async function together<T>(outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  try {
    return await fn(signal);
  } catch (e) {
    stop.abort();
    throw e;
  }
}

/**
 * Reads direct members of groups into the cache, each group once, and every group nested below
 * it that the cache does not hold yet; four Graph reads at a time.
 */
class MemberReader {
  private readonly started = new Map<string, Promise<void>>();
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly client: GraphClient,
    private readonly cache: CacheFile,
    private readonly pageSize: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Groups read by this reader. */
  get count(): number {
    return this.started.size;
  }

  read(id: string): Promise<void> {
    let p = this.started.get(id);
    if (!p) {
      p = this.limit(() => directMembers(this.client, id, this.pageSize, this.signal)).then(async (m) => {
        this.cache.groups[id] = { displayName: this.cache.groups[id]?.displayName ?? '', ...m };
        // Only groups nobody has started: waiting on one already under way could wait on itself (cycles).
        await Promise.all(m.groups.filter((g) => !(g in this.cache.groups) && !this.started.has(g)).map((g) => this.read(g)));
      });
      this.started.set(id, p);
    }
    return p;
  }

  async limit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= 4) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

async function directMembers(client: GraphClient, groupId: string, pageSize: number, signal: AbortSignal | undefined): Promise<{ users: string[]; groups: string[] }> {
  const url = client.url(`/groups/${groupId}/members?${queryString({ $select: 'id', $top: pageSize })}`);
  const users: string[] = [];
  const groups: string[] = [];
  for await (const page of client.pages(url, signal)) {
    for (const m of page.value) {
      if (typeof m.id !== 'string' || typeof m['@odata.type'] !== 'string') throw client.malformed(`GET /v1.0/groups/${groupId}/members`, 'a member has no id or @odata.type');
      if (m['@odata.type'] === USER) users.push(m.id);
      else if (m['@odata.type'] === GROUP) groups.push(m.id);
    }
  }
  return { users, groups };
}

// ───────────────────────────── delta rounds ─────────────────────────────

type Refresh = { ok: true; summary: string; changes: number } | { ok: false; why: string };

async function refresh(client: GraphClient, cache: CacheFile, key: CacheKey, needs: DirectoryNeeds, pageSize: number, now: () => number, signal?: AbortSignal): Promise<Refresh> {
  const issuedAt = new Date(now()).toISOString();
  let userRound: { changes: GraphObject[]; deltaLink: string };
  let groupRound: { changes: GraphObject[]; deltaLink: string };
  try {
    [userRound, groupRound] = await Promise.all([deltaRound(client, cache.usersDeltaLink, signal), deltaRound(client, cache.groupsDeltaLink, signal)]);
  } catch (e) {
    if (e instanceof EntraReadError && isLostSyncState(e)) return { ok: false, why: `Graph no longer knows the delta tokens (${e.details.status}${e.details.code ? ` ${e.details.code}` : ''})` };
    throw e;
  }

  // Groups first: a change to a group the mapping names by name may mean the names resolve differently now.
  const names = new Map(cache.refs.filter((r) => !isObjectId(r.ref)).map((r) => [r.ref.trim().toLowerCase(), r.id]));
  const referenced = new Set(cache.refs.map((r) => r.id));
  const nested: string[] = [];
  let memberChanges = 0;
  for (const g of groupRound.changes) {
    const id = String(g.id);
    const held = cache.groups[id];
    if (g['@removed']) {
      if (referenced.has(id)) return { ok: false, why: 'a group the mapping names was deleted' };
      if (held) delete cache.groups[id];
      continue;
    }
    if (typeof g.displayName === 'string') {
      const byName = names.get(g.displayName.trim().toLowerCase());
      if (byName !== undefined && byName !== id) return { ok: false, why: `another group is now named "${g.displayName}"` };
      if (held && held.displayName !== g.displayName) {
        if ([...names.values()].includes(id)) return { ok: false, why: 'a group the mapping names by name was renamed' };
        held.displayName = g.displayName;
      }
    }
    const delta = g['members@delta'];
    if (!held || !Array.isArray(delta)) continue;
    for (const m of delta as GraphObject[]) {
      if (typeof m.id !== 'string') throw client.malformed('GET /v1.0/groups/delta', 'a members@delta item has no id');
      const list = m['@odata.type'] === USER ? held.users : m['@odata.type'] === GROUP ? held.groups : null;
      if (!list) continue;
      memberChanges++;
      const at = list.indexOf(m.id);
      if (m['@removed']) {
        if (at >= 0) list.splice(at, 1);
      } else if (at < 0) {
        list.push(m.id);
        if (list === held.groups && !(m.id in cache.groups)) nested.push(m.id);
      }
    }
  }

  const byId = new Map(cache.users.map((u) => [u.id, u]));
  const dotted = nestedAttributes(needs);
  for (const raw of userRound.changes) {
    const id = String(raw.id);
    if (raw['@removed']) {
      byId.delete(id);
      continue;
    }
    if (key.manager) raw.manager = managerFromDelta(raw);
    const user = toEntraUser(client, raw, key.select, dotted, key.manager);
    byId.set(id, user);
  }
  // A manager who left: a full read's $expand=manager finds nobody, so neither does the cache.
  if (key.manager) for (const u of byId.values()) if (u.managerId && !byId.has(u.managerId)) u.managerId = null;
  cache.users = [...byId.values()];

  // Newly nested groups are read in full; groups no longer reachable are dropped.
  let read = 0;
  if (nested.length) {
    await together(signal, async (sig) => {
      const members = new MemberReader(client, cache, pageSize, sig);
      await Promise.all(nested.map((id) => members.read(id)));
      read = members.count;
    });
  }
  prune(cache);

  cache.usersDeltaLink = userRound.deltaLink;
  cache.groupsDeltaLink = groupRound.deltaLink;
  cache.deltaIssuedAt = issuedAt;
  const changes = userRound.changes.length + groupRound.changes.length;
  const summary = `${count(userRound.changes.length, 'changed user')}, ${count(memberChanges, 'membership change')}${read ? `, ${count(read, 'newly nested group')} read` : ''}`;
  return { ok: true, summary, changes };
}

/** One round from a deltaLink: every page until the next deltaLink. */
async function deltaRound(client: GraphClient, deltaLink: string, signal?: AbortSignal): Promise<{ changes: GraphObject[]; deltaLink: string }> {
  const changes: GraphObject[] = [];
  let url = deltaLink;
  for (;;) {
    const page = await client.page(url, signal);
    for (const v of page.value) changes.push(v);
    if (page.deltaLink) return { changes, deltaLink: page.deltaLink };
    if (!page.nextLink) throw client.malformed(`GET ${new URL(url).pathname}`, 'a page has neither @odata.nextLink nor @odata.deltaLink');
    url = page.nextLink;
  }
}

function isLostSyncState(e: EntraReadError): boolean {
  const code = (e.details.code ?? '').toLowerCase();
  return e.details.status === 410 || code === 'syncstatenotfound' || code === 'resyncrequired' || code === 'syncstateinvalid';
}

/** `manager@delta` as the `manager` a full read's $expand gives: the manager's id, or none. */
function managerFromDelta(raw: GraphObject): { id: string } | null {
  const d = raw['manager@delta'];
  if (Array.isArray(d)) {
    const m = (d as GraphObject[]).find((x) => !x['@removed'] && typeof x.id === 'string');
    return m ? { id: String(m.id) } : null;
  }
  const m = raw.manager as { id?: unknown } | null | undefined;
  return m && typeof m.id === 'string' ? { id: m.id } : null;
}

function prune(cache: CacheFile): void {
  const reachable = new Set<string>();
  const queue = cache.refs.map((r) => r.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const g of cache.groups[id]?.groups ?? []) queue.push(g);
  }
  for (const id of Object.keys(cache.groups)) if (!reachable.has(id)) delete cache.groups[id];
}

// ───────────────────────────── the snapshot ─────────────────────────────

/** The planner's snapshot from the cache: transitive user members worked out from direct ones. */
function snapshotOf(cache: CacheFile, key: CacheKey, needs: DirectoryNeeds): DirectoryTenant {
  // After delta changes a manager's attributes may have changed: every user's are worked out again.
  attachManagerAttributes(cache.users, needs.managerAttributes);
  const live = new Set(cache.users.map((u) => u.id));
  const refIds = new Map(cache.refs.map((r) => [r.ref, r.id]));
  const groups: DirectoryGroup[] = key.groups.map((ref) => {
    const id = refIds.get(ref)!;
    return { ref, id, displayName: cache.groups[id]?.displayName ?? '', memberIds: transitiveUsers(cache, id, live) };
  });
  return { tenant: key.tenant, users: cache.users, groups };
}

/** Users reachable from `groupId` through nested groups, each once, breadth first (as Graph lists them). */
export function transitiveUsers(cache: { groups: Record<string, { users: string[]; groups: string[] }> }, groupId: string, live: Set<string>): string[] {
  const out: string[] = [];
  const seenUsers = new Set<string>();
  const seenGroups = new Set<string>([groupId]);
  const queue = [groupId];
  for (let i = 0; i < queue.length; i++) {
    const g = cache.groups[queue[i]];
    if (!g) continue;
    for (const u of g.users) {
      if (live.has(u) && !seenUsers.has(u)) {
        seenUsers.add(u);
        out.push(u);
      }
    }
    for (const n of g.groups) {
      if (!seenGroups.has(n)) {
        seenGroups.add(n);
        queue.push(n);
      }
    }
  }
  return out;
}

// ───────────────────────────── the cache file ─────────────────────────────

function loadCache(file: string): CacheFile | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
    return data && data.version === CACHE_VERSION && Array.isArray(data.users) && data.groups && data.key ? data : null;
  } catch {
    return null; // none yet, or unreadable: a full read replaces it
  }
}

/** Identity data: readable by this user only, written whole (a torn file would be read as none). */
function saveCache(file: string, cache: CacheFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
