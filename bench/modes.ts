// Halo requests of plan, apply and the re-plan after it, in every simulator mode of DESIGN §6a,
// against each mode's own floor (issue "Documented Halo by default"):
//   list pages at the configured page size (FieldInfo included when custom fields are mapped)
//   + one filtered list per managed role where the mode's rows carry no role data
//   + writes: Σ over (kind, action) of ceil(n / batch)
//   + where the POST answer does not carry the saved records, the pages of one re-read of what was created.
import assert from 'node:assert/strict';
import type { Plan } from '../src/core/changes';
import type { Mapping } from '../src/core/mapping';
import type { HaloSnapshot } from '../src/core/snapshot';
import { applyWith, planWith } from '../src/engine/run';
import { MODE_NAMES, NAMED_MODES } from '../src/sim/halo/modes';
import { Host } from './host';
import { floorOf, naiveOf } from './requests';
import { benchMapping } from './tenant';

export interface ModeRun {
  mode: string;
  users: number;
  /** Modelled from a measured run, not measured itself. */
  modelled?: boolean;
  plan: number;
  planFloor: number;
  detailReads: number;
  apply: number;
  applyFloor: number;
  replan: number;
  replanFloor: number;
  replanDetailReads: number;
  naive: number;
  halo429: number;
}

/** A mode's floor split as the table shows it: the reads of a plan, and the writes plus re-reads of its apply. */
export function modeFloor(mode: string, plan: Plan, mapping: Mapping, halo: HaloSnapshot, pageSize: number, batchSize: number): { read: number; apply: number } {
  const f = floorOf(plan, mapping, halo, pageSize, batchSize, mode);
  return { read: f.listPages, apply: f.writes + f.reread };
}

export interface ModePlan {
  run: ModeRun;
  plan: Plan;
  mapping: Mapping;
  halo: HaloSnapshot;
  pageSize: number;
  batchSize: number;
}

export async function modeRun(mode: string, users: number): Promise<ModeRun>;
export async function modeRun(mode: string, users: number, keep: true): Promise<ModePlan>;
export async function modeRun(mode: string, users: number, keep = false): Promise<ModeRun | ModePlan> {
  const host = await Host.start({ users, mapping: benchMapping([[['halo', 'rateLimit'], { requests: 1_000_000, windowSeconds: 1 }]]), haloModes: NAMED_MODES[mode] });
  const conns = await host.connect();
  try {
    const halo = async () => {
      const c = await host.counts(true);
      const details = (c.halo.byRoute['GET /api/Users/{id}'] ?? 0) + (c.halo.byRoute['GET /api/Agent/{id}'] ?? 0);
      return { requests: c.halo.total - c.halo.tokens, details, throttled: c.halo.throttled };
    };
    await host.counts(true);
    const run = await planWith(conns);
    const p = await halo();
    // The floor of the Halo the plan read (the apply adds what it creates to that snapshot).
    const read = { ...run.snapshots.halo, users: [...run.snapshots.halo.users], agents: [...run.snapshots.halo.agents], sites: [...run.snapshots.halo.sites] };
    const floor = modeFloor(mode, run.plan, conns.mapping, read, conns.halo.pageSize, conns.halo.batchSize);
    const applied = await applyWith(conns, run, { planIsCurrent: true });
    assert.equal(applied.failed + applied.stale + applied.skipped, 0, `${mode}: ${JSON.stringify(applied.problems.slice(0, 2))}`);
    const a = await halo();
    const again = await planWith(conns);
    const r = await halo();
    if (mode !== 'append-memberships') assert.equal(again.plan.changes.length, 0, `${mode}: the re-plan after apply still has changes`);
    const replanFloor = modeFloor(mode, again.plan, conns.mapping, again.snapshots.halo, conns.halo.pageSize, conns.halo.batchSize).read;
    const result: ModeRun = {
      mode, users,
      plan: p.requests, planFloor: floor.read, detailReads: p.details,
      apply: a.requests, applyFloor: floor.apply,
      replan: r.requests, replanFloor, replanDetailReads: r.details,
      naive: naiveOf(run.plan, conns.mapping, run.snapshots.directories, run.snapshots.halo).total,
      halo429: p.throttled + a.throttled + r.throttled,
    };
    return keep ? { run: result, plan: run.plan, mapping: conns.mapping, halo: read, pageSize: conns.halo.pageSize, batchSize: conns.halo.batchSize } : result;
  } finally {
    conns.close();
    await host.stop();
  }
}

export async function allModes(sizes: number[], log: (m: string) => void): Promise<ModeRun[]> {
  const out: ModeRun[] = [];
  for (const users of sizes) {
    for (const mode of MODE_NAMES) {
      log(`modes: ${mode} at ${users} identities`);
      out.push(await modeRun(mode, users));
    }
  }
  return out;
}
