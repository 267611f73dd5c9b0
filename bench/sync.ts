// End to end against the simulators in their own process, 20 ms added to every answer: the
// initial sync (plan, then apply), the no-change re-sync, and the incremental Entra read against a
// full one after an admin's day of changes in Entra.
import assert from 'node:assert/strict';
import { planJson } from '../src/core/render';
import type { Connections } from '../src/engine/connections';
import { applyWith, planWith } from '../src/engine/run';
import type { HttpRequest } from '../src/net/http';
import { Host } from './host';
import { msSince, now } from './lib';
import { Floor, floorOf, naiveOf, TraceEntry } from './requests';
import { benchMapping } from './tenant';

export const LATENCY_MS = 20;

export interface SyncRun {
  users: number;
  initial: {
    ms: number;
    planMs: number;
    applyMs: number;
    /** CPU time of the client process (this one) during the sync: the rest is waiting on the services. */
    clientCpuMs: number;
    graph: number;
    /** Halo requests, token requests aside. */
    halo: number;
    haloTokens: number;
    halo429: number;
    changes: number;
    floor: Floor;
    naive: { searches: number; posts: number; total: number };
    /** Every Halo request of the sync, token requests included, for the rate-limit model. */
    trace: TraceEntry[];
  };
  resync?: { ms: number; graph: number; halo: number; halo429: number; changes: number };
  incremental?: {
    /** First incremental plan: a full read that also fills the cache. */
    coldMs: number;
    coldGraph: number;
    /** After the mutations: incremental plan and full plan. */
    deltaMs: number;
    deltaGraph: number;
    fullMs: number;
    fullGraph: number;
    identical: boolean;
    mutated: number;
  };
}

export interface SyncOptions {
  users: number;
  /**
   * Halo's limit, enforced by the simulator and configured in the mapping for the client's limiter;
   * null: neither (the client's set too high to matter), for sizes whose requests would wait minutes.
   */
  limit: { requests: number; windowSeconds: number } | null;
  /** Only the initial sync (the limiter check). */
  initialOnly?: boolean;
}

/** Halo's limit as hosted instances enforce it (halo-api.md §3). */
export const HALO_LIMIT = { requests: 300, windowSeconds: 300 };

export async function syncRun(o: SyncOptions): Promise<SyncRun> {
  const mapping = benchMapping([[['halo', 'rateLimit'], o.limit ?? { requests: 1_000_000, windowSeconds: 1 }]]);
  const host = await Host.start({
    users: o.users,
    latencyMs: LATENCY_MS,
    haloRateLimit: o.limit ? { requests: o.limit.requests, windowMs: o.limit.windowSeconds * 1000 } : null,
    mapping,
  });
  const conns = await host.connect();
  try {
    const haloOrigin = new URL(conns.mapping.halo.url).origin;
    const trace = traceHalo(conns, haloOrigin);

    // Initial sync: plan, then apply straight after, as `apply --yes` does.
    await host.counts(true);
    const c0 = { ...conns.halo.counters };
    trace.start();
    const cpu0 = process.cpuUsage();
    let t = now();
    const run = await planWith(conns);
    const planMs = msSince(t);
    assert.equal(run.plan.blocked, null, `the bench mapping blocked the plan: ${run.plan.blocked?.reason}`);
    // The floor of the Halo the plan read (the apply adds the records it creates to that snapshot).
    const floor = floorOf(run.plan, conns.mapping, run.snapshots.halo, conns.halo.pageSize, conns.halo.batchSize);
    const t1 = now();
    // As `halo-identity apply --yes` does: the plan's read, moments old, is the apply's fresh read.
    const applied = await applyWith(conns, run, { planIsCurrent: true });
    const applyMs = msSince(t1);
    const ms = msSince(t);
    const cpu = process.cpuUsage(cpu0);
    assert.equal(applied.failed + applied.stale + applied.skipped, 0, `apply did not apply everything: ${JSON.stringify(applied.problems.slice(0, 3))}`);
    const entries = trace.stop();
    let counts = await host.counts(true);
    const c1 = { ...conns.halo.counters };
    const initial = {
      ms, planMs, applyMs,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      graph: counts.graph.total,
      halo: counts.halo.total - counts.halo.tokens,
      haloTokens: counts.halo.tokens,
      halo429: counts.halo.throttled,
      changes: run.plan.changes.length,
      floor,
      naive: naiveOf(run.plan, conns.mapping, run.snapshots.directories, run.snapshots.halo),
      trace: entries,
    };
    assert.equal(c1.throttled - c0.throttled, counts.halo.throttled, 'client and simulator disagree on 429s');
    if (o.initialOnly) return { users: o.users, initial };

    // No-change re-sync: a plan with nothing to apply.
    t = now();
    const again = await planWith(conns);
    const resyncMs = msSince(t);
    counts = await host.counts(true);
    assert.equal(again.plan.changes.length, 0, 'the re-sync after apply should find nothing to do');
    const resync = { ms: resyncMs, graph: counts.graph.total, halo: counts.halo.total - counts.halo.tokens, halo429: counts.halo.throttled, changes: again.plan.changes.length };

    // Incremental: the first read fills the cache; after changes in Entra, delta against a full read.
    t = now();
    const cold = await planWith(conns, { incremental: true });
    const coldMs = msSince(t);
    assert.equal(cold.snapshots.directoryReads?.[0].mode, 'full');
    const coldGraph = (await host.counts(true)).graph.total;
    const mutated = await host.mutate(10);
    t = now();
    const inc = await planWith(conns, { incremental: true });
    const deltaMs = msSince(t);
    assert.equal(inc.snapshots.directoryReads?.[0].mode, 'delta', inc.snapshots.directoryReads?.[0].reason);
    const deltaGraph = (await host.counts(true)).graph.total;
    t = now();
    const full = await planWith(conns);
    const fullMs = msSince(t);
    const fullGraph = (await host.counts(true)).graph.total;
    const identical = planJson(inc.plan) === planJson(full.plan);
    assert.ok(identical, 'the incremental plan differs from the full one');
    return {
      users: o.users,
      initial,
      resync,
      incremental: { coldMs, coldGraph, deltaMs, deltaGraph, fullMs, fullGraph, identical, mutated: mutated.users + mutated.memberships },
    };
  } finally {
    conns.close();
    await host.stop();
  }
}

/** Records when each Halo request was sent and answered (the shared HttpClient, wrapped). */
function traceHalo(conns: Connections, origin: string): { start(): void; stop(): TraceEntry[] } {
  const http = conns.http;
  const original = http.request.bind(http);
  let t0: bigint | null = null;
  let entries: TraceEntry[] = [];
  http.request = async (req: HttpRequest) => {
    if (t0 === null || !req.url.startsWith(origin)) return original(req);
    const start = msSince(t0);
    try {
      return await original(req);
    } finally {
      entries.push({ start, end: msSince(t0) });
    }
  };
  return {
    start() {
      t0 = now();
      entries = [];
    },
    stop() {
      t0 = null;
      return entries;
    },
  };
}
