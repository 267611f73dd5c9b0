// Apply: one fresh read of Halo, stale changes refused, then batched writes in a fixed order
// (sites, creates, updates, reactivations, CAB memberships, deactivations last), each journalled
// before it is sent and after Halo answers. Cancelling stops between batches.
import type { Action, Change, ChangeKind, Plan } from '../core/changes';
import type { Mapping } from '../core/mapping';
import { haloNeeds } from '../core/needs';
import type { HaloSnapshot } from '../core/snapshot';
import { existingRecord, indexFresh, staleReason } from '../core/stale';
import { BodyError, cabBodies, changeBody, siteKey } from '../halo/bodies';
import { UncertainWriteError } from '../halo/errors';
import type { HaloClient } from '../halo/client';
import { AbortedError } from '../net/http';
import { Journal, JournalError } from './journal';

export interface ApplyProgress {
  done: number;
  total: number;
  message: string;
}

export interface ApplyOptions {
  mapping: Mapping;
  halo: HaloClient;
  journal: Journal;
  /** Apply a plan whose threshold blocked it: only on an explicit override. */
  allowOverThreshold?: boolean;
  /** Apply only these changes (provision on demand). */
  only?: (change: Change) => boolean;
  /** The Halo snapshot the plan was made from: fills what the fresh list rows lack (roles, links). */
  planHalo?: HaloSnapshot;
  /**
   * planHalo was read moments ago by the same command, with no person pausing between plan and
   * apply (`apply --yes`): it serves as apply's fresh read, saving a second pass over every list.
   */
  planIsCurrent?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ApplyProgress) => void;
}

export interface ApplyResult {
  applied: number;
  failed: number;
  stale: number;
  /** Not attempted: cancelled, or stopped after Halo failed. */
  skipped: number;
  cancelled: boolean;
  /** Why the apply stopped early, when it did. */
  stoppedBy: string | null;
  problems: Array<{ name: string; kind: ChangeKind; action: Action; message: string }>;
}

export class BlockedError extends Error {
  constructor(reason: string) {
    super(`Apply refused: ${reason}. Override explicitly to apply anyway.`);
    this.name = 'BlockedError';
  }
}

const ORDER: Array<[Action, ChangeKind]> = [
  ['createSite', 'site'], ['create', 'agent'], ['create', 'user'], ['update', 'agent'], ['update', 'user'],
  ['reactivate', 'agent'], ['reactivate', 'user'], ['deactivate', 'agent'], ['deactivate', 'user'],
];

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const { mapping, halo, journal, signal } = options;
  if (plan.blocked && !options.allowOverThreshold) throw new BlockedError(plan.blocked.reason);
  const selected = plan.changes.filter((c) => options.only?.(c) ?? true);
  const result: ApplyResult = { applied: 0, failed: 0, stale: 0, skipped: 0, cancelled: false, stoppedBy: null, problems: [] };
  const total = selected.length;
  let done = 0;
  const progress = (message: string) => options.onProgress?.({ done, total, message });
  journal.start(plan.summary, plan.blocked, Boolean(plan.blocked && options.allowOverThreshold));

  let fresh: HaloSnapshot;
  if (options.planIsCurrent && options.planHalo) fresh = options.planHalo;
  else {
    progress('Reading Halo again to check the plan is still current');
    fresh = await halo.readSnapshot(haloNeeds(mapping));
    if (options.planHalo) backfill(fresh, options.planHalo);
  }
  const freshIndex = indexFresh(fresh);
  const pending: Change[] = [];
  for (const c of selected) {
    const why = staleReason(c, freshIndex, mapping);
    if (why) {
      journal.change(c, 'stale', { message: why });
      result.stale++;
      result.problems.push({ name: c.name, kind: c.kind, action: c.action, message: `stale: ${why}` });
      done++;
    } else pending.push(c);
  }

  const createdSites = new Map<string, number>();
  const createdIds = new Map<Change, number>();
  const cabChanges: Change[] = [];
  const written = new Map<Change, Record<string, unknown>>();
  const ok = (c: Change, id: number | null) => {
    journal.change(c, 'ok', { haloId: id, written: written.get(c) });
    result.applied++;
    done++;
  };
  const fail = (c: Change, message: string) => {
    journal.change(c, 'error', { message });
    result.failed++;
    result.problems.push({ name: c.name, kind: c.kind, action: c.action, message });
    done++;
  };

  const groups = ORDER.map(([action, kind]) => pending.filter((c) => c.action === action && c.kind === kind));
  const cabStep = ORDER.findIndex(([a]) => a === 'deactivate');
  try {
    for (let g = 0; g <= groups.length; g++) {
      if (g === cabStep) await writeCabs();
      if (g === groups.length) break;
      const [action, kind] = ORDER[g];
      // Bodies first, batches after: changes with nothing to send leave no gap in a batch.
      const bodies: Array<{ change: Change; body: Record<string, unknown> }> = [];
      for (const c of groups[g]) {
        try {
          const body = changeBody(c, { fresh, createdSites });
          if (c.fields.site_id && c.fields.site_id.to === null && typeof body.site_id === 'number') written.set(c, { site_id: body.site_id });
          if (c.memberships?.cabs) cabChanges.push(c);
          // A change of CAB memberships alone has nothing to send to the record itself.
          if (Object.keys(body).length === 1 && 'id' in body) continue;
          bodies.push({ change: c, body });
        } catch (e) {
          if (!(e instanceof BodyError)) throw e;
          fail(c, e.message);
        }
      }
      for (let i = 0; i < bodies.length; i += halo.batchSize) {
        if (signal?.aborted) throw new AbortedError();
        const sendable = bodies.slice(i, i + halo.batchSize);
        progress(`${verb(action)} ${sendable.length} ${kind}${sendable.length === 1 ? '' : 's'}`);
        journal.batch(kind, action, sendable.map((s) => s.change));
        const outcomes = await sendBatch(kind, sendable);
        outcomes.forEach((o, k) => {
          const c = sendable[k].change;
          if (!o.ok) return fail(c, o.message);
          if (c.kind === 'site' && c.site) createdSites.set(siteKey(c.site.clientId, c.site.name), o.id);
          if (c.action === 'create') createdIds.set(c, o.id);
          if (!c.memberships?.cabs) ok(c, o.id);
        });
        progress(`${verb(action)} ${kind}s`);
      }
    }
  } catch (e) {
    // A journal that cannot be written cannot record the end either.
    if (e instanceof JournalError) throw e;
    const remaining = total - done;
    result.skipped = remaining;
    if (e instanceof AbortedError) {
      result.cancelled = true;
      result.stoppedBy = 'cancelled';
    } else {
      result.stoppedBy = (e as Error).message;
    }
    journal.end({ ...counts(result), stoppedBy: result.stoppedBy });
    return result;
  }
  journal.end(counts(result));
  return result;

  /** One batch; a batch of creates that may have landed is reconciled with a re-read, never blindly resent. */
  async function sendBatch(kind: ChangeKind, sendable: Array<{ change: Change; body: Record<string, unknown> }>) {
    try {
      return await halo.postBatch(kind, sendable.map((s) => s.body));
    } catch (e) {
      if (!(e instanceof UncertainWriteError)) throw e;
      journal.note('uncertain write: re-reading Halo before resending', { kind, count: sendable.length });
      fresh = await halo.readSnapshot(haloNeeds(mapping));
      if (options.planHalo) backfill(fresh, options.planHalo);
      const index = indexFresh(fresh);
      const landed = sendable.map((s) => existingRecord(s.change, index, mapping)?.id ?? null);
      const again = sendable.filter((_, k) => landed[k] === null);
      const resent = again.length ? await halo.postBatch(kind, again.map((s) => s.body)) : [];
      let r = 0;
      return sendable.map((_, k) => (landed[k] !== null ? { ok: true as const, id: landed[k]! } : resent[r++]));
    }
  }

  async function writeCabs(): Promise<void> {
    if (!cabChanges.length) return;
    const roleOf = (cab: string) => mapping.cab?.find((x) => x.cab.toLowerCase() === cab.toLowerCase())?.role;
    const { bodies, errors } = cabBodies(cabChanges, fresh, { roleOf, idOf: (c) => createdIds.get(c) ?? c.haloId });
    for (const e of errors) fail(e.change, e.message);
    const failedChanges = new Set(errors.map((e) => e.change));
    const outcome = new Map<Change, string | null>();
    for (let i = 0; i < bodies.length; i += halo.batchSize) {
      if (signal?.aborted) throw new AbortedError();
      const chunk = bodies.slice(i, i + halo.batchSize);
      progress(`Updating ${chunk.length} CAB${chunk.length === 1 ? '' : 's'}`);
      journal.note('CAB batch', { cabs: chunk.map((b) => b.cab) });
      const results = await halo.postBatch('cab', chunk.map((b) => b.body));
      results.forEach((r, k) => {
        for (const c of chunk[k].changes) if (!r.ok) outcome.set(c, `CAB "${chunk[k].cab}": ${r.message}`);
      });
    }
    for (const c of cabChanges) {
      if (failedChanges.has(c)) continue;
      const message = outcome.get(c);
      if (message) fail(c, message);
      else ok(c, createdIds.get(c) ?? c.haloId);
    }
  }
}

function verb(action: Action): string {
  return { createSite: 'Creating', create: 'Creating', update: 'Updating', reactivate: 'Reactivating', deactivate: 'Deactivating' }[action];
}

function counts(r: ApplyResult) {
  return { applied: r.applied, failed: r.failed, stale: r.stale, skipped: r.skipped, cancelled: r.cancelled };
}

/** Fill what the fresh list rows lack from the plan's snapshot (detail reads are not repeated). */
function backfill(fresh: HaloSnapshot, seen: HaloSnapshot): void {
  const users = new Map(seen.users.map((u) => [u.id, u]));
  for (const u of fresh.users) {
    const s = users.get(u.id);
    if (!s) continue;
    if (u.azureoid === undefined) u.azureoid = s.azureoid;
    if (u.roles === undefined) u.roles = s.roles;
    for (const [k, v] of Object.entries(s.fields)) if (!(k in u.fields)) u.fields[k] = v;
  }
  const agents = new Map(seen.agents.map((a) => [a.id, a]));
  for (const a of fresh.agents) {
    const s = agents.get(a.id);
    if (!s) continue;
    if (a.roles === undefined) a.roles = s.roles;
    if (a.teams === undefined) a.teams = s.teams;
    if (a.licence === undefined) a.licence = s.licence;
    for (const [k, v] of Object.entries(s.fields)) if (!(k in a.fields)) a.fields[k] = v;
  }
}
