// Request arithmetic: DESIGN §9's floor and naive counts from a plan, and a rolling-window limiter
// replayed on a virtual clock.
import type { Plan } from '../src/core/changes';
import { desiredIdentities } from '../src/core/desired';
import type { Mapping } from '../src/core/mapping';
import { haloNeeds } from '../src/core/needs';
import { resolveScope } from '../src/core/scope';
import type { DirectorySnapshot, HaloSnapshot } from '../src/core/snapshot';
import { NAMED_MODES, withModes } from '../src/sim/halo/modes';

export interface Floor {
  /**
   * List reads of one full read of Halo in that mode: list pages at the configured page size,
   * FieldInfo when custom fields are mapped, one filtered list per managed role where the mode's
   * rows carry no role data.
   */
  listPages: number;
  /** Σ over (kind, action) of ceil(n / batch), CAB updates included. */
  writes: number;
  /** Where the POST answer does not carry the saved records: the pages of one re-read of what was created. */
  reread: number;
  /** listPages + writes + reread. */
  floor: number;
  /** Changes per (kind, action) that need a record write. */
  groups: Record<string, number>;
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** The floor in a simulator mode (default: the documented one), from the plan and the Halo it was made against. */
export function floorOf(plan: Plan, mapping: Mapping, halo: HaloSnapshot, pageSize: number, batchSize: number, mode = 'documented'): Floor {
  const m = withModes(NAMED_MODES[mode]);
  const needs = haloNeeds(mapping);
  const fieldInfo = needs.userFields.some((f) => f.startsWith('CF')) ? 1 : 0;
  const agentRoleLists = m.agentList === 'bare-with-roles' || !needs.agentRoles ? 0 : needs.agentRoleNames.length;
  const userRoleLists = m.userRows === 'older' && needs.userRoles ? needs.userRoleNames.reduce((n, name) => n + pages(halo.users.filter((u) => u.roles?.includes(name)).length, pageSize), 0) : 0;
  const listPages =
    pages(halo.users.length, pageSize) + pages(halo.sites.length, pageSize) + pages(halo.clients.length, pageSize) + 1 /* agents: not paged */ +
    Number(needs.agentRoles) + Number(needs.userRoles) + Number(needs.teams) + Number(needs.cabs) + fieldInfo + agentRoleLists + userRoleLists;
  const groups: Record<string, number> = {};
  const cabs = new Set<string>();
  for (const c of plan.changes) {
    // A change of CAB memberships alone writes only the CAB, never the record itself.
    const recordWrite = c.kind === 'site' || Object.keys(c.fields).length > 0 || Boolean(c.memberships?.roles || c.memberships?.teams);
    if (recordWrite) groups[`${c.kind}/${c.action}`] = (groups[`${c.kind}/${c.action}`] ?? 0) + 1;
    for (const name of [...(c.memberships?.cabs?.add ?? []), ...(c.memberships?.cabs?.remove ?? [])]) cabs.add(name.toLowerCase());
  }
  if (cabs.size) groups['cab/update'] = cabs.size;
  const writes = Object.values(groups).reduce((s, n) => s + Math.ceil(n / batchSize), 0);
  const created = (kind: string) => plan.changes.filter((c) => c.kind === kind && (c.action === 'create' || c.action === 'createSite')).length;
  const reread = m.postAnswer === 'array' ? 0 : (created('site') ? pages(created('site'), pageSize) : 0) + (created('user') ? pages(created('user'), pageSize) : 0) + (created('agent') ? 1 : 0);
  return { listPages, writes, reread, floor: listPages + writes + reread, groups };
}

/** DESIGN §9's naive pattern: one search per identity in scope (per kind) and one POST per change. */
export function naiveOf(plan: Plan, mapping: Mapping, entra: DirectorySnapshot, halo: HaloSnapshot): { searches: number; posts: number; total: number } {
  const scope = resolveScope(mapping, halo);
  const ids = desiredIdentities(mapping, entra, (t, u, k) => scope.isProtectedIdentity(t, u, k));
  const searches = ids.reduce((n, id) => n + (id.userRule ? 1 : 0) + (id.agent ? 1 : 0), 0);
  return { searches, posts: plan.changes.length, total: searches + plan.changes.length };
}

export interface TraceEntry {
  /** ms from the start of the sync. */
  start: number;
  end: number;
}

/**
 * The sync's duration had Halo limited it to `limit` requests per rolling `windowMs`: its Halo
 * requests are replayed in the order sent, each with its measured duration, through the rule of
 * src/halo/limiter.ts (a request holds a slot from when it is sent; its timestamp is when its
 * answer came; a request waits while the window's finished plus in-flight requests are at the
 * limit). A wait delays that request and everything after it.
 */
export function replayLimited(trace: TraceEntry[], totalMs: number, limit: number, windowMs: number): { ms: number; waitedMs: number; waits: number } {
  const sorted = [...trace].sort((a, b) => a.start - b.start);
  const ends: number[] = []; // answer times (virtual) of the requests issued so far, ascending
  let shift = 0;
  let waits = 0;
  for (const r of sorted) {
    let t = r.start + shift;
    // Slots in use at t: requests whose answer is later than t - window.
    const inWindow = ends.length - upperBound(ends, t - windowMs);
    if (inWindow >= limit) {
      // The oldest answers must leave the window until only limit - 1 remain; the limiter adds 1 ms.
      const leave = ends[ends.length - limit];
      const at = leave + windowMs + 1;
      if (at > t) {
        shift += at - t;
        t = at;
        waits++;
      }
    }
    insertSorted(ends, t + (r.end - r.start));
  }
  return { ms: totalMs + shift, waitedMs: shift, waits };
}

function upperBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(xs: number[], v: number): void {
  xs.splice(upperBound(xs, v), 0, v);
}
