// The built CLI killed with SIGKILL at random points of `apply`, 20 times. The simulators run in
// this process, so Halo's state survives the kill. Each iteration starts from a fresh copy of the
// same world (so every kill point is meaningful), kills the apply after a random delay, runs apply
// again to completion, and must end exactly where one uninterrupted apply of that world ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { generateWorld, rng } from '../../src/sim/world';
import { CLI, duplicates, FaultEnv, firstDifference, journalProblems, LENIENT, mappingWith, parseJournal, projection, record, startFaultEnv } from './support';

const WORLD = { users: 300, seed: 31, anomalies: false };
const MAPPING = mappingWith([...LENIENT, [['halo', 'batchSize'], 5]]);
const KILLS = 20;
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

async function fresh(): Promise<FaultEnv> {
  // A little latency on every answer, so an apply lasts long enough to be cut anywhere.
  return startFaultEnv({ world: generateWorld(WORLD), mapping: MAPPING, latencyMs: 3 });
}

describe('faults: apply killed with SIGKILL at random points', () => {
  let reference: string;
  let uninterruptedMs = 0;
  let writes = 0;

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: npm run build first`);
    const env = await fresh();
    try {
      const run = await cliApply(env, path.join(env.dir, 'journal.jsonl'));
      assert.equal(run.code, 0, run.stderr + run.stdout);
      uninterruptedMs = run.ms;
      writes = env.haloWrites();
      reference = JSON.stringify(projection(env.sims.world.halo));
      assert.ok(writes > 30, `${writes} writes in an uninterrupted apply`);
    } finally {
      await env.close();
    }
  });

  it(`${KILLS} kills, each followed by an apply to completion, converge to the uninterrupted result`, async () => {
    const random = rng(SEED);
    const outcomes: Array<{ afterMs: number; afterWrites?: number; killedIn: string; writesBeforeKill: number; changesJournalled: number; torn: boolean }> = [];
    for (let i = 0; i < KILLS; i++) {
      const env = await fresh();
      try {
        // One in five at a random time from start-up (reading, planning); the rest a random few
        // milliseconds after a random number of batches reached Halo.
        const kill = i % 5 === 0 ? { afterMs: Math.round(100 + random() * 700) } : { afterWrites: 1 + Math.floor(random() * writes), afterMs: Math.floor(random() * 12) };
        const killedJournal = path.join(env.dir, 'killed.jsonl');
        const killed = await cliApply(env, killedJournal, kill);
        const writesBeforeKill = env.haloWrites();
        const label = `kill ${i + 1} ${JSON.stringify(kill)} (seed ${SEED})`;
        let changesJournalled = 0;
        let torn = false;
        let killedIn = 'before apply started';
        if (killed.signal !== 'SIGKILL') {
          killedIn = 'after it finished';
          assert.equal(killed.code, 0, `${label}: ${killed.stderr}`);
        } else if (fs.existsSync(killedJournal)) {
          const j = parseJournal(killedJournal);
          assert.equal(j.badLines, 0, `${label}: only the last line may be torn`);
          assert.deepEqual(journalProblems(j.entries), [], label);
          torn = j.torn;
          changesJournalled = j.entries.filter((e) => e.type === 'change').length;
          killedIn = `during apply (${j.entries.filter((e) => e.type === 'batch').length} batches announced, ${changesJournalled} changes journalled)`;
          // A batch announced with no result yet is exactly what "reconcile on the next run" is for.
          const end = j.entries.findIndex((e) => e.type === 'end');
          assert.ok(end === -1 || end === j.entries.length - 1, `${label}: nothing after the end line`);
        }
        const resumed = await cliApply(env, path.join(env.dir, 'resumed.jsonl'));
        assert.equal(resumed.code, 0, `${label}: resumed apply: ${resumed.stderr}${resumed.stdout}`);
        assert.doesNotMatch(resumed.stdout + resumed.stderr, /\n\s+at /, 'no stack trace');
        assert.deepEqual(duplicates(env.sims.world.halo), [], label);
        const now = projection(env.sims.world.halo);
        assert.ok(JSON.stringify(now) === reference, `${label}: ${firstDifference(JSON.parse(reference), now)}`);
        outcomes.push({ ...kill, killedIn, writesBeforeKill, changesJournalled, torn });
      } finally {
        await env.close();
      }
    }
    const duringApply = outcomes.filter((o) => o.killedIn.startsWith('during apply')).length;
    assert.ok(duringApply >= KILLS * 0.6, `only ${duringApply} kills landed during the writes: ${JSON.stringify(outcomes)}`);
    record({
      id: 'kill-sigkill-apply',
      area: 'process',
      input: `CLI apply (300 users, batches of 5, 3 ms latency, ~${uninterruptedMs} ms uninterrupted, ${writes} write requests) killed with SIGKILL at a random time, or a random 0-11 ms after a random number of write requests reached Halo, ${KILLS} times (seed ${SEED}), fresh copy of the world each time`,
      expected: 'a second apply converges to the state of an uninterrupted apply; no duplicates; the journal parseable, batch lines before change lines',
      observed: `${KILLS}/${KILLS} converged (${duringApply} killed while writing, ${outcomes.filter((o) => o.torn).length} with a torn last journal line); 0 duplicates; 0 records lost`,
      faultsInjected: KILLS,
      passed: true,
      kills: outcomes,
    });
  });
});
