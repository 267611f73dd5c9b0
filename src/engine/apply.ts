// Apply: one fresh read of Halo, stale changes refused, then batched writes in a fixed order
// (sites, creates, updates, reactivations, CAB memberships, deactivations last), each journalled
// before it is sent and after Halo answers. Cancelling stops between batches.
import type { Action, Change, ChangeKind, Plan } from '../core/changes';
import { cabRoleOf, type Mapping } from '../core/mapping';
import { haloNeeds } from '../core/needs';
import type { HaloAgent, HaloSite, HaloSnapshot, HaloUser } from '../core/snapshot';
import { existingRecord, indexFresh, staleReason } from '../core/stale';
import { BodyError, cabBodies, changeBody, siteKey } from '../halo/bodies';
import { UncertainWriteError } from '../halo/errors';
import type { HaloClient } from '../halo/client';
import type { BatchResult } from '../halo/writer';
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
  /** Users written, with the link each now has in Halo (for a Halo whose rows do not show it). */
  userLinks: Array<{ haloId: number; azureoid: string | null }>;
}

export class BlockedError extends Error {
  constructor(reason: string) {
    super(`Apply refused: ${reason}. Override explicitly to apply anyway.`);
    this.name = 'BlockedError';
  }
}

interface Sendable {
  change: Change;
  body: Record<string, unknown>;
}

const ORDER: Array<[Action, ChangeKind]> = [
  ['createSite', 'site'], ['create', 'agent'], ['create', 'user'], ['update', 'agent'], ['update', 'user'],
  ['reactivate', 'agent'], ['reactivate', 'user'], ['deactivate', 'agent'], ['deactivate', 'user'],
];

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const { mapping, halo, journal, signal } = options;
  const needs = haloNeeds(mapping);
  if (plan.blocked && !options.allowOverThreshold) throw new BlockedError(plan.blocked.reason);
  const selected = plan.changes.filter((c) => options.only?.(c) ?? true);
  const result: ApplyResult = { applied: 0, failed: 0, stale: 0, skipped: 0, cancelled: false, stoppedBy: null, problems: [], userLinks: [] };
  const total = selected.length;
  let done = 0;
  const progress = (message: string) => options.onProgress?.({ done, total, message });
  journal.start(plan.summary, plan.blocked, Boolean(plan.blocked && options.allowOverThreshold));

  let fresh: HaloSnapshot;
  if (options.planIsCurrent && options.planHalo) fresh = options.planHalo;
  else {
    progress('Reading Halo again to check the plan is still current');
    fresh = await halo.readSnapshot(needs);
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
  const settled = new Set<Change>();
  const ok = (c: Change, id: number | null) => {
    settled.add(c);
    journal.change(c, 'ok', { haloId: id, written: written.get(c) });
    if (c.kind === 'user' && id !== null) {
      const link = c.fields.azureoid ? c.fields.azureoid.to : c.action === 'create' ? null : freshIndex.users.get(id)?.azureoid;
      if (link !== undefined) result.userLinks.push({ haloId: id, azureoid: link === null ? null : String(link) });
    }
    result.applied++;
    done++;
  };
  const fail = (c: Change, message: string) => {
    settled.add(c);
    journal.change(c, 'error', { message });
    result.failed++;
    result.problems.push({ name: c.name, kind: c.kind, action: c.action, message });
    done++;
  };

  const groups = ORDER.map(([action, kind]) => pending.filter((c) => c.action === action && c.kind === kind));
  let unnamed: Array<Sendable & { sure: boolean }> = [];
  let unnamedKind: ChangeKind = 'user';
  const cabStep = ORDER.findIndex(([a]) => a === 'deactivate');
  try {
    for (let g = 0; g <= groups.length; g++) {
      if (g === cabStep) await writeCabs();
      if (g === groups.length) break;
      const [action, kind] = ORDER[g];
      // Bodies first, batches after: changes with nothing to send leave no gap in a batch.
      await completeRoleSets(kind, groups[g]);
      const bodies: Sendable[] = [];
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
      // Creates whose id Halo's answer did not give (or that may have landed): learnt after the group.
      unnamed = [];
      unnamedKind = kind;
      for (let i = 0; i < bodies.length; i += halo.batchSize) {
        if (signal?.aborted) throw new AbortedError();
        const sendable = bodies.slice(i, i + halo.batchSize);
        progress(`${verb(action)} ${sendable.length} ${kind}${sendable.length === 1 ? '' : 's'}`);
        journal.batch(kind, action, sendable.map((s) => s.change));
        record(await sendBatch(kind, sendable), sendable, unnamed);
        progress(`${verb(action)} ${kind}s`);
      }
      if (unnamed.length) await learnIds(kind, unnamed);
      unnamed = [];
    }
  } catch (e) {
    // A journal that cannot be written cannot record the end either.
    if (e instanceof JournalError) throw e;
    // Records Halo said it saved before the stop are recorded as saved (ids learnt if Halo still answers).
    const sure = unnamed.filter((u) => u.sure);
    if (sure.length) await learnIds(unnamedKind, sure, false).catch(() => sure.filter((u) => !settled.has(u.change)).forEach((u) => saved(u.change, null)));
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

  /** A batch's outcomes: failed, saved under an id, or left in `unnamed` for learnIds (saved with no id given, or uncertain). */
  function record(outcomes: Array<BatchResult | 'maybe'>, sent: Sendable[], unnamed: Array<Sendable & { sure: boolean }>): void {
    outcomes.forEach((o, k) => {
      if (o === 'maybe') unnamed.push({ ...sent[k], sure: false });
      else if (!o.ok) fail(sent[k].change, o.message);
      else if (o.id === null) unnamed.push({ ...sent[k], sure: true });
      else saved(sent[k].change, o.id);
    });
  }

  /** A record Halo saved under `id` (null: saved, id not learnt). */
  function saved(c: Change, id: number | null): void {
    if (id !== null && c.kind === 'site' && c.site) createdSites.set(siteKey(c.site.clientId, c.site.name), id);
    if (id !== null && c.action === 'create') createdIds.set(c, id);
    if (id === null && cabChanges.includes(c)) cabChanges.splice(cabChanges.indexOf(c), 1);
    if (!c.memberships?.cabs || id === null) ok(c, id);
  }

  /** One batch: a batch of creates that may have landed (timeout, reset) is settled by learnIds, never blindly resent. */
  async function sendBatch(kind: ChangeKind, sendable: Sendable[]): Promise<Array<BatchResult | 'maybe'>> {
    try {
      const byBody = new Map(sendable.map((s) => [s.body, s]));
      return await halo.postBatch(kind, sendable.map((s) => s.body), (bodies) => findLanded(kind, bodies.map((b) => byBody.get(b)!)));
    } catch (e) {
      if (!(e instanceof UncertainWriteError)) throw e;
      journal.note('uncertain write: Halo may have saved it; reading what it created before resending', { kind, count: sendable.length });
      return sendable.map(() => 'maybe' as const);
    }
  }

  /**
   * Halo's ids for creates its answers did not name, from one bulk read of what it created since
   * the apply's read. Saved ones found are done; uncertain ones not found are sent again (and
   * settled the same way); a saved one never found is reported, not resent.
   */
  async function learnIds(kind: ChangeKind, entries: Array<Sendable & { sure: boolean }>, resend = true): Promise<void> {
    let open = entries;
    for (let round = 0; open.length; round++) {
      progress(`Reading the ${open.length} ${kind}${open.length === 1 ? '' : 's'} just created back from Halo`);
      const ids = await findLanded(kind, open);
      const again: Sendable[] = [];
      open.forEach((e, i) => {
        if (ids[i] !== null) saved(e.change, ids[i]);
        else if (e.sure) {
          journal.note('Halo saved this record but a re-read did not find it; its id is unknown', { kind, name: e.change.name });
          saved(e.change, null);
        } else again.push(e);
      });
      if (!again.length || !resend) return;
      if (round >= 2) {
        for (const e of again) fail(e.change, 'Halo did not confirm this create after 3 attempts; run plan to see whether it landed');
        return;
      }
      open = [];
      for (let i = 0; i < again.length; i += halo.batchSize) {
        const batch = again.slice(i, i + halo.batchSize);
        journal.batch(kind, 'create', batch.map((s) => s.change));
        record(await sendBatch(kind, batch), batch, open);
      }
    }
  }

  /** Which of these creates Halo now holds, by the same match a plan makes, in one bulk read. */
  async function findLanded(kind: ChangeKind, entries: Sendable[]): Promise<Array<number | null>> {
    const readKind = kind === 'site' ? 'site' : kind === 'agent' ? 'agent' : 'user';
    const { records } = await halo.readCreated(readKind, fresh, entries.length, needs);
    const found: HaloSnapshot = { ...fresh, users: [], agents: [], sites: [] };
    if (readKind === 'site') found.sites = records as HaloSite[];
    else if (readKind === 'agent') found.agents = records as HaloAgent[];
    else found.users = records as HaloUser[];
    const index = indexFresh(found);
    const claimed = new Set<number>();
    const ids = entries.map((e) => {
      const hit = existingRecord(e.change, index, mapping);
      if (!hit || claimed.has(hit.id)) return null;
      claimed.add(hit.id);
      return hit.id;
    });
    // What was found is now known: a later read of what was created does not find it again.
    if (readKind === 'site') fresh.sites.push(...found.sites.filter((r) => claimed.has(r.id)));
    else if (readKind === 'agent') fresh.agents.push(...found.agents.filter((r) => claimed.has(r.id)));
    else fresh.users.push(...found.users.filter((r) => claimed.has(r.id)));
    return ids;
  }

  /** Role writes carry the whole set: first read the roles a filtered read did not cover, for the records whose roles change. */
  async function completeRoleSets(kind: ChangeKind, changes: Change[]): Promise<void> {
    if (kind === 'site') return;
    const ids = changes.filter((c) => c.haloId !== null && c.action !== 'create' && (c.memberships?.roles?.add.length || c.memberships?.roles?.remove.length)).map((c) => c.haloId!);
    if (ids.length) await halo.completeRoles(fresh, kind, ids);
  }

  async function writeCabs(): Promise<void> {
    if (!cabChanges.length) return;
    const roleOf = (cab: string) => cabRoleOf(mapping, cab);
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
