// Stale-plan check: before a change is written, the fresh Halo read must still show what the
// plan saw. A record edited in Halo since the plan is refused and reported, never overwritten.
import type { Change } from './changes';
import { DEFAULT_MATCH_AGENTS, DEFAULT_MATCH_USERS, Mapping } from './mapping';
import type { HaloAgent, HaloSnapshot, HaloUser } from './snapshot';
import { nameKey, normalise, sameValue } from './values';

export interface FreshIndex {
  users: Map<number, HaloUser>;
  agents: Map<number, HaloAgent>;
  snapshot: HaloSnapshot;
  /** Records by normalised match-key value (first in list order wins), built on first use. */
  byKey?: Map<string, Map<string, HaloUser | HaloAgent>>;
}

export function indexFresh(snapshot: HaloSnapshot): FreshIndex {
  return { users: new Map(snapshot.users.map((u) => [u.id, u])), agents: new Map(snapshot.agents.map((a) => [a.id, a])), snapshot };
}

/**
 * The first record whose `key` normalises to `value`: what a scan of the list finds, from a map
 * built once per (kind, key). Every create is checked, so a scan per create was quadratic.
 */
function firstByKey(fresh: FreshIndex, kind: 'user' | 'agent', key: string, value: string): HaloUser | HaloAgent | undefined {
  fresh.byKey ??= new Map();
  let index = fresh.byKey.get(`${kind}\u0000${key}`);
  if (!index) {
    index = new Map();
    const records: Array<HaloUser | HaloAgent> = kind === 'user' ? fresh.snapshot.users : fresh.snapshot.agents;
    for (const r of records) {
      const v = normalise(key, current(r, kind, key));
      if (v !== null && !index.has(v)) index.set(v, r);
    }
    fresh.byKey.set(`${kind}\u0000${key}`, index);
  }
  return index.get(value);
}

function current(record: HaloUser | HaloAgent, kind: 'user' | 'agent', field: string): unknown {
  if (field === 'azureoid' && kind === 'user') return (record as HaloUser).azureoid;
  if (field === 'inactive' && kind === 'user') return (record as HaloUser).inactive;
  if (field === 'isdisabled' && kind === 'agent') return (record as HaloAgent).disabled;
  if (field === 'site_id' && kind === 'user') return (record as HaloUser).siteId;
  if (field === 'team' && kind === 'agent') return (record as HaloAgent).team;
  if (field === 'licence' && kind === 'agent') return (record as HaloAgent).licence;
  return record.fields[field];
}

/** Why `change` no longer fits Halo as freshly read, or null when it may be applied. */
export function staleReason(change: Change, fresh: FreshIndex, mapping: Mapping): string | null {
  if (change.kind === 'site') return existingRecord(change, fresh, mapping) ? `site "${change.name}" now exists in Halo` : null;
  if (change.action === 'create') return createConflict(change, fresh, mapping);
  const record = change.kind === 'user' ? fresh.users.get(change.haloId!) : fresh.agents.get(change.haloId!);
  if (!record) return `${change.kind} #${change.haloId} is no longer in Halo`;
  for (const [field, f] of Object.entries(change.fields)) {
    const now = current(record, change.kind, field);
    if (now === undefined) continue; // not readable in the fresh lists: cannot be stale-checked
    if (!sameValue(field, now, f.from)) return `${field} changed in Halo since the plan (planned from ${JSON.stringify(f.from)}, now ${JSON.stringify(now)})`;
  }
  return null;
}

/** A create is stale when a record it would have matched has appeared. */
function createConflict(change: Change, fresh: FreshIndex, mapping: Mapping): string | null {
  const hit = existingRecord(change, fresh, mapping);
  return hit ? `a Halo ${change.kind} matching this identity (#${hit.id}) appeared since the plan` : null;
}

/** The Halo record (or site) a create would have matched, if one exists now. */
export function existingRecord(change: Change, fresh: FreshIndex, mapping: Mapping): { id: number } | null {
  if (change.kind === 'site') {
    return fresh.snapshot.sites.find((s) => s.clientId === change.site?.clientId && nameKey(s.name) === nameKey(change.name)) ?? null;
  }
  const kind = change.kind;
  const keys: string[] = kind === 'user' ? (mapping.match?.users ?? DEFAULT_MATCH_USERS) : (mapping.match?.agents ?? DEFAULT_MATCH_AGENTS);
  for (const key of keys) {
    const v = normalise(key, key === 'azureoid' ? change.entraId : change.fields[key]?.to);
    if (v === null) continue;
    const hit = firstByKey(fresh, kind, key, v);
    if (hit) return hit;
  }
  return null;
}
