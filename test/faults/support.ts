// Shared by the fault suites: a simulator environment with short timeouts (Halo 3 s) and backoffs, a
// normalised projection of the Halo tenant (ids ignored) to compare outcomes, and the record of
// every case tried, written to test-artifacts/reliability.json for RELIABILITY.md.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { Plan } from '../../src/core/changes';
import { planJson } from '../../src/core/render';
import { connect, Connections } from '../../src/engine/connections';
import { planWith } from '../../src/engine/run';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { SimulatorOptions, Simulators, startSimulators, writeSimulatorFiles } from '../../src/sim';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';
import type { FaultRule, Faults } from '../../src/sim/faults';
import type { HaloState } from '../../src/sim/state';

export const ROOT = path.join(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const REPORT = path.join(ROOT, 'test-artifacts/reliability.json');

export interface FaultEnv {
  sims: Simulators;
  dir: string;
  file: string;
  connect(opts?: { signal?: AbortSignal; graphTimeoutMs?: number; graphAttempts?: number }): Promise<Connections>;
  /** POSTs that reached Halo's API (token requests excluded). */
  haloWrites(): number;
  close(): Promise<void>;
}

/** The example mapping with settings changed; `undefined` deletes a key. */
export function mappingWith(changes: Array<[Array<string | number>, unknown]>, base = EXAMPLE_MAPPING): string {
  const doc = parseDocument(base);
  for (const [p, v] of changes) {
    if (v === undefined) doc.deleteIn(p);
    else doc.setIn(p, v);
  }
  return doc.toString();
}

/** No threshold gets in the way, and the client-side limiter never waits. */
export const LENIENT: Array<[Array<string | number>, unknown]> = [
  [['safety', 'maxDeactivations'], '50%'],
  [['safety', 'maxChanges'], undefined],
  [['halo', 'rateLimit'], { requests: 100000, windowSeconds: 1 }],
];

export async function startFaultEnv(options: SimulatorOptions & { mapping?: string } = {}): Promise<FaultEnv> {
  const sims = await startSimulators(options);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-faults-'));
  const file = writeSimulatorFiles(sims, dir, options.mapping ?? mappingWith(LENIENT));
  return {
    sims,
    dir,
    file,
    async connect(opts = {}) {
      const m = readMappingFile(file);
      return connect(validMapping(m), {
        baseDir: m.baseDir,
        lookup: (kind, name) => (kind === 'env' ? sims.env[name] : undefined),
        haloBackoffMs: [20, 40, 80],
        haloTimeoutMs: 3000,
        directoryRetry: { maxAttempts: opts.graphAttempts ?? 3, baseDelayMs: 20, timeoutMs: opts.graphTimeoutMs ?? 5000 },
        signal: opts.signal,
      });
    },
    haloWrites: () => sims.requests.halo.filter((r) => r.method === 'POST' && /^\/api\//i.test(r.path)).length,
    async close() {
      await sims.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fault environment and a connection to it for the length of `fn`, both closed after. */
export async function withFaultEnv<T>(options: SimulatorOptions & { mapping?: string }, fn: (env: FaultEnv, conns: Connections) => Promise<T>): Promise<T> {
  const env = await startFaultEnv(options);
  const conns = await env.connect();
  try {
    return await fn(env, conns);
  } finally {
    conns.close();
    await env.close();
  }
}

const lc = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v ?? null);
const names = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => String((x as { name?: unknown }).name ?? (x as { id?: unknown }).id)).sort() : []);

/** What a person would compare: who is where, active or not, linked how, with which roles and teams. */
export function projection(halo: HaloState) {
  const siteName = new Map(halo.sites.map((s) => [s.id, `${s.client_id}/${s.name}`]));
  const users = halo.users
    .map((u) => ({ email: lc(u.emailaddress), name: u.name ?? null, site: siteName.get(u.site_id as number) ?? `missing:${u.site_id}`, inactive: Boolean(u.inactive), azureoid: lc(u.azureoid), title: u.title ?? null, roles: names(u.roles) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const agents = halo.agents
    .map((a) => ({ email: lc(a.email), name: a.name ?? null, disabled: Boolean(a.isdisabled), team: a.team ?? null, roles: names(a.roles), teams: names(a.teams) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const sites = halo.sites.map((s) => `${s.client_id}/${s.name}/${Boolean(s.inactive)}`).sort();
  const agentEmail = new Map(halo.agents.map((a) => [a.id, lc(a.email)]));
  const cabs = halo.cabs.map((c) => ({ name: c.name, members: ((c.members ?? []) as Array<{ agent_id: number; role_name?: string }>).map((m) => `${String(agentEmail.get(m.agent_id))}:${m.role_name ?? ''}`).sort() }));
  return { users, agents, sites, cabs };
}

/** Duplicate emails: users per client, agents overall. Empty when none. */
export function duplicates(halo: HaloState): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const u of halo.users) {
    if (!u.emailaddress) continue;
    const k = `user:${u.client_id}:${String(u.emailaddress).toLowerCase()}`;
    if (seen.has(k)) dups.push(k);
    seen.add(k);
  }
  for (const a of halo.agents) {
    if (!a.email) continue;
    const k = `agent:${String(a.email).toLowerCase()}`;
    if (seen.has(k)) dups.push(k);
    seen.add(k);
  }
  return dups;
}

/** The first difference between two projections, for a readable assertion message. */
export function firstDifference(a: ReturnType<typeof projection>, b: ReturnType<typeof projection>): string {
  for (const key of ['sites', 'users', 'agents'] as const) {
    const x = a[key].map((r) => JSON.stringify(r));
    const y = new Set(b[key].map((r) => JSON.stringify(r)));
    const missing = x.filter((r) => !y.has(r));
    const xs = new Set(x);
    const extra = [...y].filter((r) => !xs.has(r));
    if (missing.length || extra.length) return `${key}: ${missing.length} differ, e.g. expected ${missing[0]} / got ${extra[0]}`;
  }
  return 'no difference';
}

export interface CaseRecord {
  id: string;
  area: string;
  input: string;
  expected: string;
  observed: string;
  faultsInjected: number;
  passed: boolean;
  [extra: string]: unknown;
}

/** Merge one case into test-artifacts/reliability.json (test files run one at a time). */
export function record(c: CaseRecord): void {
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  let all: Record<string, CaseRecord> = {};
  try {
    all = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
  } catch {
    /* first case */
  }
  all[c.id] = { ...c, time: new Date().toISOString() };
  fs.writeFileSync(REPORT, JSON.stringify(all, null, 2) + '\n');
}

export interface JournalLine {
  type?: string;
  [key: string]: unknown;
}

/** Reads a journal as a person would: line by line, a torn last line tolerated (and reported). */
export function parseJournal(file: string): { entries: JournalLine[]; torn: boolean; badLines: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const entries: JournalLine[] = [];
  let badLines = 0;
  let torn = false;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      entries.push(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) torn = true;
      else badLines++;
    }
  });
  return { entries, torn, badLines };
}

/**
 * What a journal must tell: a start line first, and every change written to Halo announced by a
 * batch line (or a CAB batch note) before its result. Returns the problems found.
 */
export function journalProblems(entries: JournalLine[]): string[] {
  const problems: string[] = [];
  if (entries.length && entries[0].type !== 'start') problems.push(`first line is ${entries[0].type}, not start`);
  const announced = new Set<string>();
  let cabBatch = false;
  const key = (r: Record<string, unknown>) => `${r.entraId ?? ''}|${r.name}`;
  for (const e of entries) {
    if (e.type === 'batch') for (const r of e.records as Array<Record<string, unknown>>) announced.add(key(r));
    if (e.type === 'note' && e.message === 'CAB batch') cabBatch = true;
    if (e.type === 'change' && (e.result === 'ok' || e.result === 'error')) {
      const bodyError = e.result === 'error' && !announced.has(key(e)) && typeof e.message === 'string';
      if (!announced.has(key(e)) && !(cabBatch && e.memberships) && !bodyError) problems.push(`change "${e.name}" (${e.action}) has no batch line before it`);
    }
  }
  return problems;
}

/**
 * The reading faults of one directory while a plan reads a mixed world: each case either recovers
 * to a plan byte-identical to the fault-free one, or stops with a clear error; either way nothing
 * reaches Halo's API, Halo is unchanged and no journal is started. Each case is recorded.
 */
export class ReadFaults {
  private baseline = '';
  private halo = '';

  constructor(
    readonly env: FaultEnv,
    private readonly faults: Faults,
    private readonly area: string,
  ) {}

  /** The fault-free plan every recovery must equal; returns it. */
  async start(): Promise<Plan> {
    const conns = await this.env.connect();
    try {
      const plan = (await planWith(conns)).plan;
      this.baseline = planJson(plan);
      this.halo = JSON.stringify(projection(this.env.sims.world.halo));
      return plan;
    } finally {
      conns.close();
    }
  }

  async tryPlan(rules: FaultRule[], timeoutMs = 400) {
    this.faults.clear();
    const firedBefore = this.faults.fired.length;
    const writesBefore = this.env.haloWrites();
    for (const r of rules) this.faults.add(r);
    const conns = await this.env.connect({ graphTimeoutMs: timeoutMs });
    const outcome = (json: string | null, error: Error | null) => ({ json, error, fired: this.faults.fired.length - firedBefore, writes: this.env.haloWrites() - writesBefore });
    try {
      return outcome(planJson((await planWith(conns)).plan), null);
    } catch (e) {
      return outcome(null, e as Error);
    } finally {
      conns.close();
      this.faults.clear();
    }
  }

  private untouched(r: { writes: number }): void {
    assert.equal(r.writes, 0, 'nothing was written to Halo');
    assert.equal(JSON.stringify(projection(this.env.sims.world.halo)), this.halo, 'Halo is unchanged');
    assert.equal(fs.existsSync(path.join(this.env.dir, '.halo-identity', 'journals')), false, 'no journal was started');
  }

  recovered(id: string, input: string, r: Awaited<ReturnType<ReadFaults['tryPlan']>>): void {
    assert.equal(r.error, null, r.error?.message);
    assert.ok(r.fired >= 1, 'the fault fired');
    assert.equal(r.json, this.baseline, 'the plan is byte-identical to the fault-free plan');
    this.untouched(r);
    record({ id, area: this.area, input, expected: 'retried; plan byte-identical to a fault-free plan', observed: 'recovered, identical plan', faultsInjected: r.fired, passed: true });
  }

  stopped(id: string, input: string, r: Awaited<ReturnType<ReadFaults['tryPlan']>>, message: RegExp): void {
    assert.ok(r.error, 'the plan stops');
    assert.match(r.error.message, message);
    assert.doesNotMatch(r.error.message, /\n\s+at /, 'a message, not a stack');
    assert.ok(r.fired >= 1, 'the fault fired');
    this.untouched(r);
    record({ id, area: this.area, input, expected: 'stops with a clear error; nothing written', observed: `stopped: ${r.error.message.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1').slice(0, 160)}`, faultsInjected: r.fired, passed: true });
  }
}
