// The SCIM bridge in its own process, started as `halo-identity scim serve` starts it (src/cli/scim.ts:
// the same rate limit, audit lines written synchronously to a file, the Halo syncer on), so that
// its answers are timed from outside, its peak RSS is its own, and neither the simulators nor the
// load generator compete for its event loop. Answers the bench over IPC: start, status, stop.
import * as fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readMappingFile, validMapping } from '../src/engine/mapping-file';
import { Bridge, startBridge } from '../src/scim/bridge';
import type { SyncStatus } from '../src/scim/sync';
import { serve } from './lib';

export interface BridgeStart {
  /** The mapping file (the simulator host's, with the SCIM connections). */
  file: string;
  env: Record<string, string>;
  storeFile: string;
  auditFile: string;
  quietMs: number;
  maxWaitMs: number;
}

export interface BridgeStatus {
  sync: SyncStatus;
  /** Each Halo sync the syncer ran: wall-clock ms (performance.timeOrigin + now), start and end, and the longest event-loop delay while it ran (ms). */
  syncs: Array<{ start: number; end?: number; loopMaxMs?: number }>;
  /** process.resourceUsage().maxRSS, MiB: the high-water mark since the process started. */
  peakRssMiB: number;
  /** Event-loop delay since `start` (10 ms resolution), ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Each time the event loop was held more than STALL_MS: when it was let go (wall-clock ms), for how long and the process's CPU time meanwhile (ms). */
  stalls: Array<{ at: number; ms: number; cpuMs: number }>;
  /** The store's write transactions (each committed with synchronous = FULL before its answer): how many, how long, and those over STALL_MS (wall-clock ms when done, ms). */
  commits: { n: number; p99: number; max: number; slow: Array<{ at: number; ms: number }> };
}

let bridge: Bridge | undefined;
let auditFd: number | undefined;
const syncs: BridgeStatus['syncs'] = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
const wall = () => performance.timeOrigin + performance.now();
const STALL_MS = 50;
const stalls: BridgeStatus['stalls'] = [];
const commitMs: number[] = [];
const slowCommits: BridgeStatus['commits']['slow'] = [];
let ticker: NodeJS.Timeout | undefined;

serve({
  async start(msg) {
    const o = msg as unknown as BridgeStart;
    const m = readMappingFile(o.file);
    auditFd = fs.openSync(o.auditFile, 'a', 0o600);
    const fd = auditFd;
    bridge = await startBridge({
      mapping: validMapping(m),
      baseDir: m.baseDir,
      storeFile: o.storeFile,
      lookup: (kind, name) => (kind === 'env' ? o.env[name] : undefined),
      listen: { host: '127.0.0.1', port: 0 },
      // As `scim serve` without --rate: 100 a second per connection, bursts of 200.
      rateLimit: { perSecond: 100, burst: 200 },
      quietMs: o.quietMs,
      maxWaitMs: o.maxWaitMs,
      audit: (line) => fs.writeSync(fd, `${JSON.stringify(line)}\n`),
      log: (level, message) => {
        if (level !== 'info') process.stderr.write(`[bridge] ${level}: ${message}\n`);
      },
    });
    // The timer calls this.run(): wrapped on the instance, every sync it starts is timed.
    const sync = bridge.sync!;
    const run = sync.run.bind(sync);
    sync.run = () => {
      if (sync.status().state === 'running') return run();
      const entry: BridgeStatus['syncs'][number] = { start: wall() };
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      syncs.push(entry);
      const p = run();
      void p.finally(() => {
        entry.end = wall();
        delay.disable();
        entry.loopMaxMs = delay.max / 1e6;
      });
      return p;
    };
    // Every write of the store timed (the SCIM service calls store.write for each): a commit waits for its fsync.
    const store = bridge.store;
    const write = store.write.bind(store);
    store.write = (<T>(fn: () => T): T => {
      const t = performance.now();
      try {
        return write(fn);
      } finally {
        const d = performance.now() - t;
        commitMs.push(d);
        if (d > STALL_MS) slowCommits.push({ at: wall(), ms: d });
      }
    }) as typeof store.write;
    loop.enable();
    let last = performance.now();
    let cpu = process.cpuUsage();
    ticker = setInterval(() => {
      const t = performance.now();
      const c = process.cpuUsage();
      if (t - last - 10 > STALL_MS) stalls.push({ at: performance.timeOrigin + t, ms: t - last - 10, cpuMs: (c.user - cpu.user + c.system - cpu.system) / 1000 });
      last = t;
      cpu = c;
    }, 10);
    return { url: bridge.url };
  },

  status(): BridgeStatus {
    const ms = (ns: number) => ns / 1e6;
    return {
      sync: bridge!.sync!.status(),
      syncs,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      loopDelay: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      stalls,
      commits: { n: commitMs.length, p99: [...commitMs].sort((a, b) => a - b)[Math.max(0, Math.ceil(commitMs.length * 0.99) - 1)] ?? 0, max: Math.max(0, ...commitMs), slow: slowCommits },
    };
  },

  async stop() {
    clearInterval(ticker);
    await bridge?.stop();
    bridge = undefined;
    if (auditFd !== undefined) fs.closeSync(auditFd);
    auditFd = undefined;
    return true;
  },
});
