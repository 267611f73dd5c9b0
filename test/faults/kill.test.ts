// The built CLI killed with SIGKILL at random points of `apply`, 20 times. The simulators run in
// this process, so Halo's state survives the kill. Each iteration starts from a fresh copy of the
// same world (so every kill point is meaningful), kills the apply after a random delay, runs apply
// again to completion, and must end exactly where one uninterrupted apply of that world ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { MODE_NAMES, NAMED_MODES } from '../../src/sim/halo/modes';
import { generateWorld, rng } from '../../src/sim/world';
import { CLI, duplicates, FaultEnv, firstDifference, journalProblems, LENIENT, mappingWith, parseJournal, projection, record, startFaultEnv } from './support';

const WORLD = { users: 300, seed: 31, anomalies: false };
const MAPPING = mappingWith([...LENIENT, [['halo', 'batchSize'], 5]]);
const KILLS = 20;
const KILLS_PER_MODE = 2;
const SEED = Number(process.env.FAULT_SEED ?? 20240607);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `kill`: SIGKILL after `afterMs`, or that long after Halo has received `afterWrites` POSTs. */
function cliApply(env: FaultEnv, journal: string, kill?: { afterMs: number; afterWrites?: number }): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env.sims.env };
  delete childEnv.HALO_IDENTITY_DEBUG;
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'apply', env.file, '--yes', '--journal', journal], { cwd: env.dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer = setTimeout(() => child.kill('SIGKILL'), kill!.afterMs));
  const log = env.sims.requests.halo;
  const push = log.push;
  if (kill?.afterWrites === undefined) {
    if (kill) arm();
  } else {
    let writes = 0;
    log.push = (...items) => {
      writes += items.filter((r) => r.method === 'POST' && /^\/api\//i.test(r.path)).length;
      if (writes >= kill.afterWrites! && !timer) arm();
      return push.apply(log, items);
    };
  }
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log.push = push;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function fresh(mode = 'documented'): Promise<FaultEnv> {
  // A little latency on every answer, so an apply lasts long enough to be cut anywhere.
  return startFaultEnv({ world: generateWorld(WORLD), mapping: MAPPING, latencyMs: 3, haloModes: NAMED_MODES[mode] });
}

interface Reference {
  projection: string;
  writes: number;
  ms: number;
}

async function uninterrupted(mode: string): Promise<Reference> {
  const env = await fresh(mode);
  try {
    const run = await cliApply(env, path.join(env.dir, 'journal.jsonl'));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    return { projection: JSON.stringify(projection(env.sims.world.halo)), writes: env.haloWrites(), ms: run.ms };
  } finally {
    await env.close();
  }
}

interface Outcome {
  afterMs: number;
  afterWrites?: number;
  killedIn: 'before apply started' | 'during apply' | 'after it finished';
  batchesAnnounced: number;
  changesJournalled: number;
  torn: boolean;
  duplicates: number;
  differing: number;
}

/** One kill on a fresh copy of the world, then an apply to completion; what was observed, asserted after. */
async function killAndResume(mode: string, kill: { afterMs: number; afterWrites?: number }, ref: Reference, label: string): Promise<Outcome> {
  const env = await fresh(mode);
  try {
    const killedJournal = path.join(env.dir, 'killed.jsonl');
    const killed = await cliApply(env, killedJournal, kill);
    let changesJournalled = 0;
    let batchesAnnounced = 0;
    let torn = false;
    let killedIn: Outcome['killedIn'] = 'before apply started';
    if (killed.signal !== 'SIGKILL') {
      killedIn = 'after it finished';
      assert.equal(killed.code, 0, `${label}: ${killed.stderr}`);
    } else if (fs.existsSync(killedJournal)) {
      const j = parseJournal(killedJournal);
      assert.equal(j.badLines, 0, `${label}: only the last line may be torn`);
      assert.deepEqual(journalProblems(j.entries), [], label);
      torn = j.torn;
      changesJournalled = j.entries.filter((e) => e.type === 'change').length;
      batchesAnnounced = j.entries.filter((e) => e.type === 'batch').length;
      // The apply had started only if its start line is there: a file opened by a process killed before is not a kill during apply.
      if (j.entries.some((e) => e.type === 'start')) killedIn = 'during apply';
      const end = j.entries.findIndex((e) => e.type === 'end');
      assert.ok(end === -1 || end === j.entries.length - 1, `${label}: nothing after the end line`);
    }
    const resumed = await cliApply(env, path.join(env.dir, 'resumed.jsonl'));
    assert.equal(resumed.code, 0, `${label}: resumed apply: ${resumed.stderr}${resumed.stdout}`);
    assert.doesNotMatch(resumed.stdout + resumed.stderr, /\n\s+at /, 'no stack trace');
    const now = projection(env.sims.world.halo);
    const want = JSON.parse(ref.projection) as ReturnType<typeof projection>;
    const differing = (['users', 'agents', 'sites', 'cabs'] as const).reduce((n, k) => {
      const have = new Set(now[k].map((r) => JSON.stringify(r)));
      return n + want[k].filter((r) => !have.has(JSON.stringify(r))).length;
    }, 0);
    const outcome: Outcome = { ...kill, killedIn, batchesAnnounced, changesJournalled, torn, duplicates: duplicates(env.sims.world.halo).length, differing };
    assert.equal(outcome.duplicates, 0, `${label}: duplicates ${JSON.stringify(duplicates(env.sims.world.halo))}`);
    assert.ok(JSON.stringify(now) === ref.projection, `${label}: ${firstDifference(want, now)}`);
    return outcome;
  } finally {
    await env.close();
  }
}

function summary(outcomes: Outcome[]): string {
  const during = outcomes.filter((o) => o.killedIn === 'during apply');
  return `${outcomes.length - outcomes.filter((o) => o.differing).length}/${outcomes.length} converged; killed during apply ${during.length} (${during.filter((o) => o.batchesAnnounced > 0).length} after writes began), before apply started ${outcomes.filter((o) => o.killedIn === 'before apply started').length}, after it finished ${outcomes.filter((o) => o.killedIn === 'after it finished').length}; torn last journal lines ${outcomes.filter((o) => o.torn).length}; duplicates ${outcomes.reduce((n, o) => n + o.duplicates, 0)}; records differing from an uninterrupted apply ${outcomes.reduce((n, o) => n + o.differing, 0)}`;
}

/** What a kill case records: the summary and the counts RELIABILITY.md's totals add up. */
function tally(outcomes: Outcome[]) {
  return {
    observed: summary(outcomes),
    passed: true,
    kills: outcomes.length,
    converged: outcomes.filter((o) => !o.differing).length,
    duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
    lost: outcomes.reduce((n, o) => n + o.differing, 0),
    outcomes,
  };
}

describe('faults: apply killed with SIGKILL at random points', () => {
  let ref: Reference;

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: npm run build first`);
    ref = await uninterrupted('documented');
    assert.ok(ref.writes > 30, `${ref.writes} writes in an uninterrupted apply`);
  });

  it(`${KILLS} kills, each followed by an apply to completion, converge to the uninterrupted result`, async () => {
    const random = rng(SEED);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < KILLS; i++) {
      // One in five at a random time from start-up (reading, planning); the rest a random few
      // milliseconds after a random number of batches reached Halo.
      const kill = i % 5 === 0 ? { afterMs: Math.round(100 + random() * 700) } : { afterWrites: 1 + Math.floor(random() * ref.writes), afterMs: Math.floor(random() * 12) };
      outcomes.push(await killAndResume('documented', kill, ref, `kill ${i + 1} ${JSON.stringify(kill)} (seed ${SEED})`));
    }
    const duringApply = outcomes.filter((o) => o.killedIn === 'during apply').length;
    assert.ok(duringApply >= KILLS * 0.6, `only ${duringApply} kills landed during the apply: ${JSON.stringify(outcomes)}`);
    record({
      id: 'kill-sigkill-apply',
      area: 'process',
      input: `CLI apply (300 users, batches of 5, 3 ms latency, ~${ref.ms} ms uninterrupted, ${ref.writes} write requests) killed with SIGKILL at a random time, or a random 0-11 ms after a random number of write requests reached Halo, ${KILLS} times (seed ${SEED}), fresh copy of the world each time`,
      expected: 'a second apply converges to the state of an uninterrupted apply; no duplicates; the journal parseable, batch lines before change lines',
      faultsInjected: KILLS,
      ...tally(outcomes),
    });
  });

  it(`every other simulator mode: ${KILLS_PER_MODE} kills while writing each, converging to that mode's uninterrupted result`, async () => {
    const random = rng(SEED + 1);
    const outcomes: Outcome[] = [];
    for (const mode of MODE_NAMES.filter((m) => m !== 'documented')) {
      const modeRef = await uninterrupted(mode);
      for (let i = 0; i < KILLS_PER_MODE; i++) {
        const kill = { afterWrites: 1 + Math.floor(random() * modeRef.writes), afterMs: Math.floor(random() * 12) };
        outcomes.push(await killAndResume(mode, kill, modeRef, `${mode}: kill ${i + 1} ${JSON.stringify(kill)} (seed ${SEED + 1})`));
      }
    }
    record({
      id: 'kill-sigkill-apply-modes',
      area: 'process',
      input: `the same apply in each of the ${MODE_NAMES.length - 1} other modes of DESIGN §6a, killed ${KILLS_PER_MODE} times each a random 0-11 ms after a random number of write requests (seed ${SEED + 1})`,
      expected: "a second apply converges to that mode's uninterrupted result; no duplicates",
      faultsInjected: outcomes.length,
      ...tally(outcomes),
    });
  });
});
