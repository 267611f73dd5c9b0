// Incremental Okta reads: the org's snapshot is cached in the state folder and brought up to date
// with the filters Okta documents for it (directory-sources.md, "Incremental reads"): users with
// `lastUpdated gt` (deactivated ones included, as filter includes them), and groups whose
// membership or profile changed with `lastMembershipUpdated gt` / `lastUpdated gt`, whose members
// are then listed again. A full read replaces the cache when there is none, when the mapping's
// needs or the org changed, when it is older than a week, or when a group the mapping names by
// name was renamed. An Okta user cannot be deleted before it is deactivated, and deactivating
// updates it, so the cache never keeps an active user Okta no longer has [I].
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant, DirectoryUser } from '../../core/snapshot';
import { attachManagerAttributes } from '../managers';
import type { IncrementalReadOptions, ReadReport } from '../source';
import type { OktaClient } from './client';
import { groupName, readGroup } from './groups';
import { readOrg } from './reader';
import { ManagerRef, resolveManagers, toDirectoryUser, USERS_PAGE } from './users';

const CACHE_VERSION = 1;
/** How far back each round looks before the last one began: clocks differ, and Okta's index lags [I]. */
const OVERLAP_MS = 5 * 60_000;
/** A cache older than this is read again in full [I]. */
const MAX_AGE_MS = 7 * 86_400_000;

interface CacheFile {
  version: number;
  key: { tenant: string; orgUrl: string; needs: DirectoryNeeds };
  /** When the read that this cache holds began (ISO time, this machine's clock). */
  readAt: string;
  users: DirectoryUser[];
  /** Per user, what names its manager as Okta has it (managerId, employeeNumber): re-resolved every round. */
  managerRefs: Record<string, ManagerRef>;
  groups: DirectoryGroup[];
}

export function oktaCachePath(stateDir: string, tenant: string): string {
  return path.join(stateDir, 'okta', `${tenant}.json`);
}

export async function readOrgIncremental(client: OktaClient, tenant: string, orgUrl: string, needs: DirectoryNeeds, opts: IncrementalReadOptions, now = Date.now): Promise<{ snapshot: DirectoryTenant; report: ReadReport }> {
  const file = oktaCachePath(opts.stateDir, tenant);
  const key = { tenant, orgUrl, needs };
  const cached = load(file);
  const started = now();
  let why = '';
  if (!cached) why = 'no cached snapshot';
  else if (JSON.stringify(cached.key) !== JSON.stringify(key)) why = 'the mapping now needs other attributes or groups, or another org';
  else if (started - Date.parse(cached.readAt) > MAX_AGE_MS) why = 'the cached snapshot is more than 7 days old';
  if (!why && cached) {
    const round = await update(client, cached, needs, started, opts.signal);
    if (typeof round === 'number') {
      save(file, cached);
      return { snapshot: snapshotOf(cached, needs), report: { tenant, mode: 'delta', reason: round ? `${round} users or groups changed` : 'nothing changed', requests: client.requests, changes: round } };
    }
    why = round.why;
  }
  const refs = new Map<string, ManagerRef>();
  const snapshot = await readOrg(client, tenant, needs, opts, (id, raw) => refs.set(id, raw));
  save(file, { version: CACHE_VERSION, key, readAt: new Date(started).toISOString(), users: snapshot.users, managerRefs: Object.fromEntries(refs), groups: snapshot.groups });
  return { snapshot, report: { tenant, mode: 'full', reason: why, requests: client.requests, changes: 0 } };
}

/** One round on the cache: the number of changed users and groups, or why it cannot be trusted. */
async function update(client: OktaClient, cache: CacheFile, needs: DirectoryNeeds, started: number, signal?: AbortSignal): Promise<number | { why: string }> {
  const since = new Date(Date.parse(cache.readAt) - OVERLAP_MS).toISOString();
  const byId = new Map(cache.users.map((u) => [u.id, u]));
  let changes = 0;
  const users = client.url(`/users?${new URLSearchParams({ filter: `lastUpdated gt "${since}"`, limit: String(USERS_PAGE) })}`);
  for await (const page of client.pages(users, signal)) {
    for (const raw of page) {
      const user = toDirectoryUser(client, raw, needs);
      byId.set(user.id, user);
      const profile = (raw.profile ?? {}) as Record<string, unknown>;
      cache.managerRefs[user.id] = { managerId: typeof profile.managerId === 'string' ? profile.managerId : null, employeeNumber: typeof profile.employeeNumber === 'string' ? profile.employeeNumber : null };
      changes++;
    }
  }
  const groups = client.url(`/groups?${new URLSearchParams({ filter: `lastMembershipUpdated gt "${since}" or lastUpdated gt "${since}"`, limit: '200' })}`);
  const changed = new Map<string, string>();
  for await (const page of client.pages(groups, signal)) for (const g of page) if (typeof g.id === 'string') changed.set(g.id, groupName(g));
  for (const [i, g] of cache.groups.entries()) {
    if (!changed.has(g.id)) continue;
    // Named by name and renamed: the name may now mean another group, or none.
    if (g.ref !== g.id && changed.get(g.id) !== g.ref) return { why: `group "${g.ref}" was renamed` };
    cache.groups[i] = await readGroup(client, cache.key.tenant, g.id, signal);
    cache.groups[i].ref = g.ref;
    changes++;
  }
  cache.users = [...byId.values()];
  if (needs.manager) {
    for (const u of cache.users) u.managerId = cache.managerRefs[u.id]?.managerId ?? null;
    const numbers = new Map(Object.entries(cache.managerRefs).flatMap(([id, r]) => (r.employeeNumber ? [[r.employeeNumber, id] as [string, string]] : [])));
    resolveManagers(cache.users, new Map(cache.users.map((u) => [u.id, u])), numbers);
    attachManagerAttributes(cache.users, needs.managerAttributes);
  }
  cache.readAt = new Date(started).toISOString();
  return changes;
}

function snapshotOf(cache: CacheFile, needs: DirectoryNeeds): DirectoryTenant {
  const groups = needs.groups.map((ref) => cache.groups.find((g) => g.ref === ref)!);
  return { tenant: cache.key.tenant, users: cache.users, groups: [...new Map(groups.map((g) => [g.ref, g])).values()] };
}

function load(file: string): CacheFile | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
    return data && data.version === CACHE_VERSION && Array.isArray(data.users) && Array.isArray(data.groups) && data.key ? data : null;
  } catch {
    return null;
  }
}

/** Written whole and renamed into place: a crash leaves the old cache or the new one, never half. */
function save(file: string, cache: CacheFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
