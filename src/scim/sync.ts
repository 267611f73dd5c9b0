// From the store to Halo, behind the SCIM answers: after a write the syncer waits for the pushes
// to go quiet (or for its longest wait), then plans and applies exactly as `halo-identity apply`
// does — the same mapping, thresholds, protect and deprovisioning rules, journal, run lock and
// Halo pacing. A plan the thresholds block is held, not applied, and reported (like Entra's
// accidental-deletion threshold); a Halo that fails is tried again later, the store keeping the
// desired state meanwhile. SCIM answers never wait for any of this.
import type { Mapping } from '../core/mapping';
import type { Connections } from '../engine/connections';
import { applyWith, planWith } from '../engine/run';
import type { ScimStore } from './store';

export interface SyncOptions {
  store: ScimStore;
  /** Opens the mapping's connections (Halo and every directory; scim: ones read this store). */
  connect: () => Promise<Connections>;
  /** Quiet time after the last write before a sync (default 10 s). */
  quietMs?: number;
  /**
   * Longest a write waits for its sync while pushes keep coming (default 30 min). Every sync reads
   * Halo in full first, so a sync in the middle of an initial push costs a read that one sync at
   * its end does not; Entra's own cycles come 40 minutes apart, and an initial push of 10 000 users
   * at 25 requests a second takes about 14 minutes.
   */
  maxWaitMs?: number;
  /** Waits after failed syncs, the last repeating (default 30 s, 1, 2, 5, 10 min). */
  retryMs?: number[];
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export const DEFAULT_QUIET_MS = 10_000;
export const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

/** How often a held sync is planned again without a push (each plan reads Halo in full). */
const HELD_RECHECK_MS = 15 * 60_000;

export type SyncState = 'idle' | 'waiting' | 'running' | 'held' | 'failing' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  /** The store's change count the last good sync had seen. */
  syncedChanges: number;
  changes: number;
  lastSync?: { at: string; applied: number; failed: number; changes: number; journal?: string };
  held?: { at: string; reason: string; changes: number };
  failure?: { at: string; message: string; attempts: number };
}

/** What a mapping means inside the bridge: every scim: connection reads this bridge's store. */
export function withLocalStore(mapping: Mapping, storeFile: string): Mapping {
  const m = mapping as unknown as Record<string, unknown>;
  const scim = m.scim as Array<Record<string, unknown>> | undefined;
  if (!scim) return mapping;
  return { ...m, scim: scim.map(({ url: _url, ...c }) => ({ ...c, store: storeFile })) } as unknown as Mapping;
}

export class HaloSync {
  private timer?: NodeJS.Timeout;
  private firstPending?: number;
  private running?: Promise<void>;
  private stopped = false;
  private failures = 0;
  private readonly s: SyncStatus;

  constructor(private readonly o: SyncOptions) {
    const saved = o.store.getState('sync');
    const changes = o.store.changes();
    this.s = saved ? { ...(JSON.parse(saved) as SyncStatus), state: 'idle', changes } : { state: 'idle', syncedChanges: 0, changes };
  }

  status(): SyncStatus {
    return { ...this.s, changes: this.o.store.changes() };
  }

  /** A write was committed: sync once pushes go quiet. */
  touch(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.firstPending ??= now;
    if (this.s.state === 'idle' || this.s.state === 'held') this.s.state = 'waiting';
    if (this.running || this.failures) return; // the running sync looks again when it ends; a failing one keeps its backoff
    const quiet = this.o.quietMs ?? DEFAULT_QUIET_MS;
    const latest = this.firstPending + (this.o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    this.schedule(Math.max(0, Math.min(quiet, latest - now)));
  }

  /** Catches up on start: changes taken before a crash or while Halo was down are synced. */
  start(): void {
    if (this.o.store.changes() !== this.s.syncedChanges) this.touch();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref?.();
  }

  /** Plans and applies now (what the timer does); resolves when that sync is over. */
  run(): Promise<void> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.running = this.sync().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.s.state === 'failing') {
        const waits = this.o.retryMs ?? [30_000, 60_000, 120_000, 300_000, 600_000];
        this.schedule(waits[Math.min(this.failures - 1, waits.length - 1)]);
      } else if (this.s.state === 'held') {
        // An admin may apply the held plan from the CLI: look again now and then, not only on the next push.
        this.schedule(Math.max(this.o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, HELD_RECHECK_MS));
      } else if (this.o.store.changes() !== this.s.syncedChanges) {
        this.firstPending = Date.now();
        this.schedule(this.o.quietMs ?? DEFAULT_QUIET_MS);
      }
    });
    return this.running;
  }

  private save(): void {
    const { state: _state, changes: _changes, ...kept } = this.s;
    this.o.store.setState('sync', JSON.stringify(kept));
  }

  private async sync(): Promise<void> {
    const seen = this.o.store.changes();
    this.s.state = 'running';
    this.firstPending = undefined;
    const now = () => new Date().toISOString();
    let conns: Connections | undefined;
    try {
      conns = await this.o.connect();
      const run = await planWith(conns);
      if (run.plan.blocked) {
        if (this.s.held?.reason !== run.plan.blocked.reason) this.o.log?.('warn', `Halo sync held: ${run.plan.blocked.reason}. The IdP's changes are kept in the store; review them with \`halo-identity plan\` and apply with \`halo-identity apply --allow-over-threshold\` if they are right.`);
        this.s.held = { at: now(), reason: run.plan.blocked.reason, changes: run.plan.changes.length };
        this.s.state = 'held';
        this.failures = 0;
        delete this.s.failure;
        this.save();
        return;
      }
      let applied = 0;
      let failed = 0;
      let journal: string | undefined;
      if (run.plan.changes.length) {
        const result = await applyWith(conns, run, { planIsCurrent: true, lock: { what: 'halo-identity scim serve' } });
        applied = result.applied;
        failed = result.failed + result.skipped;
        journal = result.journalFile;
        if (result.stoppedBy) throw new Error(result.stoppedBy);
      }
      this.o.log?.('info', `Halo sync: ${run.plan.changes.length} changes planned, ${applied} applied${failed ? `, ${failed} not` : ''}.`);
      this.s.lastSync = { at: now(), applied, failed, changes: run.plan.changes.length, ...(journal ? { journal } : {}) };
      delete this.s.held;
      delete this.s.failure;
      this.failures = 0;
      // A change that failed in Halo is tried again by the next sync: it is not "seen".
      if (!failed) this.s.syncedChanges = seen;
      this.s.state = failed ? 'failing' : 'idle';
      if (failed) this.failures++;
      this.save();
    } catch (e) {
      this.failures++;
      const message = (e as Error).message;
      this.s.failure = { at: now(), message, attempts: this.failures };
      this.s.state = 'failing';
      this.o.log?.('error', `Halo sync failed (attempt ${this.failures}): ${message}. The store keeps the IdP's changes; the bridge tries again.`);
      this.save();
    } finally {
      conns?.close();
    }
  }

  /** Stops scheduling; a sync in progress is let finish (its writes are journalled). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.s.state = 'stopped';
  }
}
