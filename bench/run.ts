// `npm run bench` (1 000, 10 000 and 100 000 identities; a SCIM push of 10 000 users) and
// `npm run bench -- --quick` (1 000 and 10 000; a SCIM push of 2 000): every figure of DESIGN §9
// and more, each the median of several runs with its spread, written to bench/results.json and
// BENCHMARKS.md (generated here, so the two cannot drift).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { baselineRun, BaselineRun } from './baseline';
import { Host } from './host';
import { Child, figure, Figure, log, machine, Measured, median, ROOT, round } from './lib';
import type { PlanChildResult } from './plan-child';
import { render, Report } from './report';
import { replayLimited } from './requests';
import { benchModes } from './modes-main';
import { benchReports } from './reports-main';
import { benchScim } from './scim-main';
import { benchSources } from './sources-main';
import { HALO_LIMIT, LATENCY_MS, syncRun, SyncRun } from './sync';
import { webviewAvailable, webviewBench, WebviewResult } from './webview';

const K = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, runs: { type: 'string' }, sizes: { type: 'string' }, 'no-write': { type: 'boolean' } },
  });
  const quick = Boolean(values.quick);
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const runs = Number(values.runs ?? 3);
  const started = Date.now();
  const startLoad = os.loadavg()[0];
  const out: Measured[] = [];
  const report: Report = { mode: quick ? 'quick' : 'full', sizes, runs, started: new Date(started).toISOString(), durationS: 0, machine: machine(startLoad), figures: out, notes: {}, gaps: [] };
  const add = (m: Measured) => {
    out.push(m);
    log(`${m.name}: ${m.median} ${m.unit} (${m.min}–${m.max}, ${m.runs} run${m.runs === 1 ? '' : 's'})${m.budget === null ? '' : ` budget ${m.atLeast ? '≥' : '≤'} ${m.budget}`}`);
  };

  // ── plan() and peak RSS: fresh processes per size ────────────────────────────────────────
  const planRuns = 5;
  const replanRuns = 10;
  for (const users of sizes) {
    log(`plan: ${K(users)} identities`);
    const host = await Host.start({ users });
    const results: PlanChildResult[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const child = Child.start('plan-child.js');
        try {
          // A 100k plan runs long enough to be optimised within the call; smaller ones need repeats.
          results.push(await child.call<PlanChildResult>('run', { file: host.file, env: host.ready.env, runs: planRuns, warmups: users >= 100_000 ? 1 : 10, replanRuns: users >= 10_000 ? replanRuns : 0 }));
        } finally {
          await child.stop();
        }
      }
    } finally {
      await host.stop();
    }
    const s = K(users);
    const MB = (mib: number) => (mib * 1024 * 1024) / 1e6;
    add(figure(`plan.time.${s}`, 'ms', results.flatMap((r) => r.planMs), users === 100_000 ? 1000 : null));
    add(figure(`plan.cpu.${s}`, 'ms', results.flatMap((r) => r.planCpuMs)));
    add(figure(`plan.gc_share.${s}`, '%', results.flatMap((r) => r.planGcMs.map((g, k) => (g / r.planMs[k]) * 100))));
    add(figure(`plan.peak_rss.${s}`, 'MB', results.map((r) => MB(r.peakRssOnePlanMiB)), users === 100_000 ? 600 : null));
    add(figure(`plan.peak_rss_repeated.${s}`, 'MB', results.map((r) => MB(r.peakRssMiB))));
    add(figure(`plan.snapshot_read.${s}`, 'ms', results.map((r) => r.snapshotMs)));
    if (users >= 10_000) {
      // DESIGN §9: the re-plan (parse + replan) at most a quarter of a full plan() of the same size,
      // measured side by side: each process's re-plans against its own plans.
      add(figure(`replan.time.${s}`, 'ms', results.flatMap((r) => r.replanMs), users === 10_000 ? 50 : 300));
      add(figure(`replan.ratio.${s}`, '×', results.map((r) => median(r.replanMs) / median(r.planMs)), 0.25, { how: 'derived' }));
      add(figure(`replan.first.${s}`, 'ms', results.map((r) => r.replanColdMs!)));
      if (results.some((r) => r.replanIdentical === false)) report.gaps.push(`Re-plan at ${s}: a re-plan's plan JSON differed from plan()'s of the same edited mapping (bench/plan-child.ts checks the last one of each process).`);
    }
    const r = results[0];
    report.notes[`plan.${s}`] = { changes: r.changes, planMB: round(r.planBytes / 1e6), entraUsers: r.entraUsers, haloUsers: r.haloUsers, rssAfterSnapshotsMB: round(median(results.map((x) => MB(x.rssAfterSnapshotsMiB)))), processes: runs, timedPerProcess: planRuns, replanWarmups: median(results.map((x) => x.replanWarmups)) };
  }

  // ── end to end against the simulators, 20 ms per answer ───────────────────────────────────
  const syncs = new Map<number, SyncRun[]>();
  for (const users of sizes) {
    const list: SyncRun[] = [];
    // Under Halo's real limit where the sync needs fewer requests than the window holds; beyond
    // that the limit is modelled from the requests made (below), not waited for.
    const limit = users <= 10_000 ? HALO_LIMIT : null;
    for (let i = 0; i < runs; i++) {
      log(`sync: ${K(users)} identities, run ${i + 1} of ${runs}`);
      list.push(await syncRun({ users, limit }));
    }
    syncs.set(users, list);
    const s = K(users);
    const ini = list.map((r) => r.initial);
    add(figure(`sync.initial.time.${s}`, 's', ini.map((r) => r.ms / 1000)));
    add(figure(`sync.initial.client_cpu.${s}`, 's', ini.map((r) => r.clientCpuMs / 1000)));
    add(figure(`sync.initial.graph_requests.${s}`, 'requests', ini.map((r) => r.graph)));
    add(figure(`sync.initial.halo_requests.${s}`, 'requests', ini.map((r) => r.halo)));
    add(figure(`sync.initial.halo_requests_per_1000_changes.${s}`, 'requests', ini.map((r) => (r.halo / r.changes) * 1000)));
    add(figure(`sync.initial.halo_429.${s}`, 'responses', ini.map((r) => r.halo429), limit ? 0 : null));
    add(figure(`sync.resync.time.${s}`, 's', list.map((r) => r.resync!.ms / 1000)));
    add(figure(`sync.resync.graph_requests.${s}`, 'requests', list.map((r) => r.resync!.graph)));
    add(figure(`sync.resync.halo_requests.${s}`, 'requests', list.map((r) => r.resync!.halo)));
    add(figure(`sync.resync.halo_429.${s}`, 'responses', list.map((r) => r.resync!.halo429), limit ? 0 : null));
    // DESIGN §9's request budget, from each run's own plan.
    const floor = ini.map((r) => r.floor);
    add(figure(`halo_requests.floor.${s}`, 'requests', floor.map((f) => f.floor), null, { how: 'derived' }));
    add(figure(`halo_requests.ratio_to_floor.${s}`, '×', ini.map((r, k) => r.halo / floor[k].floor), users === 10_000 ? 1.1 : null, { how: 'derived' }));
    // An apply confirmed by a person (prompt, VS Code modal) reads the lists once more before writing.
    add(figure(`halo_requests.ratio_to_floor_confirmed.${s}`, '×', ini.map((r, k) => (r.halo + floor[k].listPages) / floor[k].floor), null, { how: 'derived' }));
    add(figure(`halo_requests.naive.${s}`, 'requests', ini.map((r) => r.naive.total), null, { how: 'derived' }));
    add(figure(`halo_requests.naive_ratio.${s}`, '×', ini.map((r) => r.naive.total / r.halo), users === 10_000 ? 20 : null, { how: 'derived', atLeast: true }));
    // Under 300 requests per rolling 5 minutes: the least time the requests allow, and ours (replayed).
    const windowMs = HALO_LIMIT.windowSeconds * 1000;
    const all = ini.map((r) => r.halo + r.haloTokens);
    const floorS = all.map((n) => ((n / HALO_LIMIT.requests) * windowMs) / 1000);
    const burstS = all.map((n) => ((Math.ceil(n / HALO_LIMIT.requests) - 1) * windowMs) / 1000);
    const ours = ini.map((r) => replayLimited(r.trace, r.ms, HALO_LIMIT.requests, windowMs));
    add(figure(`limited.min_time.${s}`, 's', floorS, null, { how: 'derived' }));
    add(figure(`limited.min_time_with_burst.${s}`, 's', burstS, null, { how: 'derived' }));
    add(figure(`limited.sync_time.${s}`, 's', ours.map((o) => o.ms / 1000), null, { how: 'derived' }));
    add(figure(`limited.ratio_to_min.${s}`, '×', ours.map((o, k) => o.ms / 1000 / floorS[k]), null, { how: 'derived' }));
    add(figure(`limited.ratio_to_min_with_burst.${s}`, '×', ours.map((o, k) => o.ms / 1000 / Math.max(burstS[k], ini[k].ms / 1000)), null, { how: 'derived' }));
    report.notes[`sync.${s}`] = { changes: ini[0].changes, floor: ini[0].floor, naive: ini[0].naive, limiterWaits: ours.map((o) => o.waits) };
    // Incremental Entra read against a full one, after the same changes in Entra.
    const inc = list.map((r) => r.incremental!);
    add(figure(`incremental.cold.time.${s}`, 's', inc.map((r) => r.coldMs / 1000)));
    add(figure(`incremental.cold.graph_requests.${s}`, 'requests', inc.map((r) => r.coldGraph)));
    add(figure(`incremental.delta.time.${s}`, 's', inc.map((r) => r.deltaMs / 1000)));
    add(figure(`incremental.delta.graph_requests.${s}`, 'requests', inc.map((r) => r.deltaGraph)));
    add(figure(`incremental.full.time.${s}`, 's', inc.map((r) => r.fullMs / 1000)));
    add(figure(`incremental.full.graph_requests.${s}`, 'requests', inc.map((r) => r.fullGraph)));
    add(figure(`incremental.time_ratio.${s}`, '×', inc.map((r) => r.fullMs / r.deltaMs), null, { how: 'derived' }));
    report.notes[`incremental.${s}`] = { mutated: inc[0].mutated, identical: inc.every((r) => r.identical) };
  }

  // ── the limiter under a limit it must wait for, with the simulator refusing anything beyond ──
  // Full mode only: the end-to-end runs at 1k and 10k already run under the real limit.
  const tight = { users: 10_000, limit: { requests: 40, windowSeconds: 5 } };
  if (!quick) {
    const list: SyncRun[] = [];
    for (let i = 0; i < runs; i++) {
      log(`limiter: ${K(tight.users)} identities under ${tight.limit.requests} per ${tight.limit.windowSeconds} s, run ${i + 1} of ${runs}`);
      list.push(await syncRun({ users: tight.users, limit: tight.limit, initialOnly: true }));
    }
    const s = K(tight.users);
    add(figure(`limiter.tight.halo_429.${s}`, 'responses', list.map((r) => r.initial.halo429), 0));
    add(figure(`limiter.tight.time.${s}`, 's', list.map((r) => r.initial.ms / 1000)));
    add(figure(`limiter.tight.halo_requests.${s}`, 'requests', list.map((r) => r.initial.halo + r.initial.haloTokens)));
    report.notes.tight = { ...tight };
  }

  // ── the baseline: one search per identity, one POST per change ──────────────────────────────
  const concurrency = 8;
  const baselineSizes = sizes.filter((n) => n <= (quick ? 1000 : 10_000));
  const baselines = new Map<number, BaselineRun[]>();
  for (const users of baselineSizes) {
    const list: BaselineRun[] = [];
    for (let i = 0; i < runs; i++) {
      log(`baseline: ${K(users)} identities, run ${i + 1} of ${runs}`);
      list.push(await baselineRun(users, concurrency));
    }
    baselines.set(users, list);
  }
  // Per-request time measured at the largest size run, for estimates beyond it.
  const largest = Math.max(...baselineSizes);
  const msPerRequest = median(baselines.get(largest)!.map((b) => b.ms / (b.halo + b.graph)));
  for (const users of sizes) {
    const s = K(users);
    const ours = syncs.get(users)!.map((r) => r.initial);
    const measured = baselines.get(users);
    if (measured) {
      add(figure(`baseline.halo_requests.${s}`, 'requests', measured.map((b) => b.halo)));
      add(figure(`baseline.time.${s}`, 's', measured.map((b) => b.ms / 1000)));
      add(figure(`baseline.request_ratio.${s}`, '×', measured.map((b, k) => b.halo / ours[k].halo), null, { how: 'derived' }));
      add(figure(`baseline.time_ratio.${s}`, '×', measured.map((b, k) => b.ms / ours[k].ms), null, { how: 'derived' }));
      report.notes[`baseline.${s}`] = { residual: measured.map((b) => b.residual), searches: measured[0].searches, posts: measured[0].posts };
    } else {
      // Too slow to run: its requests are the naive count of our own plan; its time at the per-request
      // rate measured at the largest size run (an underestimate: the search costs more as Halo grows).
      const requests = ours.map((r) => r.naive.total);
      add(figure(`baseline.halo_requests.${s}`, 'requests', requests, null, { how: 'estimated' }));
      add(figure(`baseline.time.${s}`, 's', requests.map((n, k) => (n + ours[k].graph) * msPerRequest / 1000), null, { how: 'estimated' }));
      add(figure(`baseline.request_ratio.${s}`, '×', requests.map((n, k) => n / ours[k].halo), null, { how: 'estimated' }));
      add(figure(`baseline.time_ratio.${s}`, '×', requests.map((n, k) => ((n + ours[k].graph) * msPerRequest) / ours[k].ms), null, { how: 'estimated' }));
    }
    const bReq = out.find((f) => f.name === `baseline.halo_requests.${s}`)!;
    add({ ...figure(`baseline.limited.min_time.${s}`, 's', [((bReq.median / HALO_LIMIT.requests) * HALO_LIMIT.windowSeconds)], null, { how: 'derived' }), min: round((bReq.min / HALO_LIMIT.requests) * HALO_LIMIT.windowSeconds), max: round((bReq.max / HALO_LIMIT.requests) * HALO_LIMIT.windowSeconds), runs: bReq.runs });
  }
  report.notes.baseline = { concurrency, msPerRequest: round(msPerRequest), estimatedFrom: K(largest) };

  // ── the diff panel in Chromium ──────────────────────────────────────────────────────────
  const missing = webviewAvailable();
  if (missing) report.gaps.push(`Panel first paint and filter latency: not measured, ${missing}.`);
  else {
    log('webview: 100 000-change plan in headless Chromium');
    try {
      const w: WebviewResult = await webviewBench(runs);
      add(figure('panel.first_paint.100k', 'ms', w.firstPaintMs, 100));
      add(figure('panel.first_paint_app.100k', 'ms', w.firstPaintAppMs));
      add(figure('panel.complete.100k', 'ms', w.completeMs));
      add(figure('panel.filter.100k', 'ms', w.filterMs));
      add(figure('panel.search.100k', 'ms', w.searchMs));
      add(figure('panel.update.10k', 'ms', w.updateMs));
      const replan = out.find((x) => x.name === 'replan.time.10k');
      if (replan) add({ ...figure('replan.to_panel.10k', 'ms', [replan.median + median(w.updateMs)], null, { how: 'derived' }), min: round(replan.min + Math.min(...w.updateMs)), max: round(replan.max + Math.max(...w.updateMs)), runs: replan.runs });
      report.notes.webview = { rows: w.rows, planMB: round(w.planMB) };
    } catch (e) {
      report.gaps.push(`Panel first paint and filter latency: the measurement failed (${(e as Error).message.split('\n')[0]}).`);
    }
  }

  // ── the extension: bundle sizes and activation ───────────────────────────────────────────
  const bundles: Array<[string, string]> = [['extension.js', 'dist/extension.js'], ['cli.js', 'dist/cli.js'], ['webview.main.js', 'dist/webview/main.js'], ['webview.main.css', 'dist/webview/main.css']];
  const lazyDir = path.join(ROOT, 'dist', 'lazy');
  if (fs.existsSync(lazyDir)) for (const f of fs.readdirSync(lazyDir).filter((x) => x.endsWith('.js')).sort()) bundles.push([`lazy.${f}`, `dist/lazy/${f}`]);
  const { transform } = await import('esbuild');
  // A development build ends with its source map comment; `npm run package` leaves it out.
  const extensionFile = path.join(ROOT, 'dist', 'extension.js');
  report.notes.build = fs.existsSync(extensionFile) && /\/\/# sourceMappingURL=\S+\s*$/.test(fs.readFileSync(extensionFile, 'utf8').slice(-300)) ? 'development' : 'production';
  for (const [name, rel] of bundles) {
    const file = path.join(ROOT, rel);
    if (!fs.existsSync(file)) {
      report.gaps.push(`Bundle ${rel}: not built.`);
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    add(figure(`bundle.${name}`, 'KB', [Buffer.byteLength(text) / 1000], null, { runs: 1 }));
    // What `npm run package` ships is the same bundle minified: esbuild's minifier over this one.
    const min = await transform(text, { minify: true, loader: rel.endsWith('.css') ? 'css' : 'js' });
    add(figure(`bundle.minified.${name}`, 'KB', [Buffer.byteLength(min.code) / 1000], null, { runs: 1 }));
  }
  if (fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    const activations: Array<{ requireMs: number; activateMs: number; error: string | null; lazyLoaded: string[] }> = [];
    for (let i = 0; i < 5; i++) {
      const text = execFileSync(process.execPath, [path.join(__dirname, 'activation-child.js')], { env: { ...process.env, HALO_BENCH_ROOT: ROOT }, encoding: 'utf8' });
      activations.push(JSON.parse(text.trim().split('\n').at(-1)!));
    }
    const failed = activations.find((a) => a.error);
    if (failed) report.gaps.push(`Extension activation: activate() threw with the stand-in vscode module (${failed.error!.split('\n')[0]}); the time covers what ran before.`);
    add(figure('extension.activation', 'ms', activations.map((a) => a.requireMs + a.activateMs), 50));
    add(figure('extension.activation.require', 'ms', activations.map((a) => a.requireMs)));
    add(figure('extension.activation.activate', 'ms', activations.map((a) => a.activateMs)));
    report.notes.activation = { lazyLoaded: [...new Set(activations.flatMap((a) => a.lazyLoaded))] };
  } else report.gaps.push('Extension activation: dist/extension.js is not built.');

  report.machine = machine(startLoad);
  report.durationS = Math.round((Date.now() - started) / 1000);
  report.notes.latencyMs = LATENCY_MS;
  log(`done in ${report.durationS} s`);
  if (!values['no-write']) {
    const results: Figure[] = out.map(({ name, unit, median: m, min, max, budget }) => ({ name, unit, median: m, min, max, budget }));
    fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), render(report));
    log('wrote bench/results.json and BENCHMARKS.md');
    // Last, so that its section and entries join the files just written.
    await benchModes(quick);
    await benchReports(quick);
    await benchSources();
    await benchScim(quick);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
