// One tenant size in a fresh process: read both snapshots from a simulator host (as `plan` does),
// then time plan() alone on them, and the re-plan after a one-line mapping edit as the editor makes
// it (parseMapping, then replan() from the last plan's state). The process's peak RSS is the figure
// for this size only, since nothing else ran in it.
import * as fs from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseMapping } from '../src/core/parse';
import { plan } from '../src/core/plan';
import { PlanState, planAndKeep, replan as replanFrom } from '../src/core/replan';
import { planJson } from '../src/core/render';
import { connect } from '../src/engine/connections';
import { readMappingFile, validMapping } from '../src/engine/mapping-file';
import { takeSnapshots } from '../src/engine/snapshot';
import { msSince, now, serve } from './lib';
import { editedMapping } from './tenant';

export interface PlanChildResult {
  snapshotMs: number;
  /** Wall and CPU time of each timed plan() call (after the untimed warm-up calls). */
  planMs: number[];
  planCpuMs: number[];
  /** Garbage-collection pauses (main thread) during each timed call. */
  planGcMs: number[];
  /** The first re-plan after the first plan of the process (as the panel's first edit after it opened). */
  replanColdMs: number | null;
  /** Re-plans once the process has planned a few times (the JIT has settled). */
  replanMs: number[];
  /** The untimed re-plans before them. */
  replanWarmups: number;
  /** Whether the last re-plan's plan JSON is byte for byte plan()'s of the same edited mapping. */
  replanIdentical: boolean | null;
  /** Peak resident set size (process.resourceUsage().maxRSS) once the snapshots are read and planned once, MiB. */
  peakRssOnePlanMiB: number;
  /** The same at the end, after every plan and re-plan of this process. */
  peakRssMiB: number;
  /** After the snapshots were read, before planning. */
  rssAfterSnapshotsMiB: number;
  heapAfterSnapshotsMiB: number;
  changes: number;
  planBytes: number;
  entraUsers: number;
  haloUsers: number;
}

const MiB = 1024 * 1024;

serve({
  async run(msg) {
    const file = String(msg.file);
    const env = msg.env as Record<string, string>;
    const runs = Number(msg.runs);
    const warmups = Number(msg.warmups);
    const replanRuns = Number(msg.replanRuns ?? 0);
    const m = readMappingFile(file);
    const conns = await connect(validMapping(m), { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? env[name] : undefined) });
    let t = now();
    const snaps = await takeSnapshots(conns);
    const snapshotMs = msSince(t);
    conns.close();
    const rssAfterSnapshotsMiB = process.memoryUsage().rss / MiB;
    const heapAfterSnapshotsMiB = process.memoryUsage().heapUsed / MiB;

    // The panel's path on an edit: the new text parsed and validated, then planned from the cached
    // snapshots by replan(), from the state of the plan before it (session.ts), each edit after the last.
    const text = fs.readFileSync(file, 'utf8');
    let state: PlanState | undefined;
    let last = conns.mapping;
    const replan = (i: number) => {
      const edited = editedMapping(text, i);
      const t0 = now();
      const parsed = parseMapping(edited);
      if (!parsed.mapping) throw new Error(`the edited mapping does not validate: ${JSON.stringify(parsed.diagnostics.slice(0, 2))}`);
      state = replanFrom(state!, parsed.mapping);
      const ms = msSince(t0);
      last = parsed.mapping;
      return ms;
    };

    const mapping = conns.mapping;
    const t1 = now();
    let out = plan(mapping, snaps.directories, snaps.halo); // the first plan, as `plan` makes it (the only one)
    let planWarmMs = msSince(t1);
    // A high-water mark: so far this process has done exactly what `halo-identity plan` does.
    const peakRssOnePlanMiB = process.resourceUsage().maxRSS / 1024;
    // The panel's first plan keeps its state for the edits (planWith with keepState, as the session reads).
    if (replanRuns) state = planAndKeep(mapping, snaps.directories, snaps.halo);
    const replanColdMs = replanRuns ? replan(0) : null;
    // V8 needs several calls to settle on optimised code; timed calls come after.
    for (let i = 1; i < warmups; i++) {
      const t2 = now();
      plan(mapping, snaps.directories, snaps.halo);
      planWarmMs += msSince(t2);
    }
    const planMs: number[] = [];
    const planCpuMs: number[] = [];
    const planGcMs: number[] = [];
    let gc = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gc += e.duration;
    });
    observer.observe({ entryTypes: ['gc'] });
    for (let i = 0; i < runs; i++) {
      const cpu = process.cpuUsage();
      gc = 0;
      t = now();
      out = plan(mapping, snaps.directories, snaps.halo);
      planMs.push(msSince(t));
      const used = process.cpuUsage(cpu);
      planCpuMs.push((used.user + used.system) / 1000);
      await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered later, on the event loop
      planGcMs.push(gc);
    }
    observer.disconnect();
    const planBytes = Buffer.byteLength(planJson(out));

    // The re-plans warmed up for as long as the plans were, and with at least as many calls: the same
    // warm-up on both sides of the ratio (a re-plan does a fraction of a plan's work per call, so it
    // takes more calls to settle; an editor re-plans on every edit, so settled code is what a person meets).
    let edit = 1;
    for (let spent = 0; replanRuns && (edit < warmups || spent < planWarmMs); edit++) spent += replan(edit);
    const replanMs: number[] = [];
    for (let i = 0; i < replanRuns; i++) replanMs.push(replan(edit + i));
    const replanIdentical = replanRuns ? planJson(state!.plan) === planJson(plan(last, snaps.directories, snaps.halo)) : null;
    const result: PlanChildResult = {
      snapshotMs,
      planMs,
      planCpuMs,
      planGcMs,
      replanColdMs,
      replanMs,
      replanWarmups: edit - 1,
      replanIdentical,
      peakRssOnePlanMiB,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      rssAfterSnapshotsMiB,
      heapAfterSnapshotsMiB,
      changes: out.changes.length,
      planBytes,
      entraUsers: snaps.directories.tenants[0].users.length,
      haloUsers: snaps.halo.users.length,
    };
    return result;
  },
  stop: () => true,
});
