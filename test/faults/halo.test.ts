// Halo misbehaving while an apply writes, over real HTTP against the simulators. Each case runs on
// a fresh copy of one world (300 users, batches of 10) and must end in the same Halo state as a
// fault-free apply of that world, with no duplicate, and a journal that tells what happened.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Change } from '../../src/core/changes';
import type { Connections } from '../../src/engine/connections';
import { JournalError } from '../../src/engine/journal';
import { applyWith, planWith, PlanRun } from '../../src/engine/run';
import type { FaultRule } from '../../src/sim/faults';
import { generateWorld } from '../../src/sim/world';
import { duplicates, FaultEnv, firstDifference, journalProblems, LENIENT, mappingWith, parseJournal, projection, record, withFaultEnv } from './support';

const WORLD = { users: 300, seed: 21 };
const MAPPING = mappingWith([...LENIENT, [['halo', 'batchSize'], 10]]);
const POST_USERS = /^\/api\/users$/i;

type Projection = ReturnType<typeof projection>;

function withEnv<T>(fn: (env: FaultEnv, conns: Connections) => Promise<T>): Promise<T> {
  return withFaultEnv({ world: generateWorld(WORLD), mapping: MAPPING }, fn);
}

const userBatches = (run: PlanRun, actions: string[]) => Math.ceil(run.plan.changes.filter((c) => c.kind === 'user' && actions.includes(c.action)).length / 10);

describe('faults: Halo, while applying', () => {
  let reference: Projection;
  let changes = 0;

  before(async () => {
    reference = await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      changes = run.plan.changes.length;
      const result = await applyWith(conns, run, {});
      assert.equal(result.applied, changes);
      return projection(env.sims.world.halo);
    });
    assert.ok(changes > 50, `${changes} changes`);
  });

  /** Converged: the reference state, no duplicates, and a plan of zero changes. */
  async function assertConverged(env: FaultEnv, conns: Connections) {
    const now = projection(env.sims.world.halo);
    assert.deepEqual(duplicates(env.sims.world.halo), []);
    assert.ok(JSON.stringify(now) === JSON.stringify(reference), firstDifference(reference, now));
    assert.equal((await planWith(conns)).plan.changes.length, 0, 'a plan after it shows zero changes');
  }

  function journalOf(file: string) {
    const { entries, torn, badLines } = parseJournal(file);
    assert.equal(torn || badLines > 0, false, 'every line whole');
    assert.deepEqual(journalProblems(entries), []);
    return entries;
  }

  async function oneApply(id: string, input: string, rules: (run: PlanRun) => FaultRule[], check?: (entries: ReturnType<typeof journalOf>, conns: Connections) => void) {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      for (const r of rules(run)) env.sims.faults.halo.add(r);
      const result = await applyWith(conns, run, {});
      const fired = env.sims.faults.halo.fired.length;
      env.sims.faults.halo.clear();
      assert.ok(fired >= 1, 'the fault fired');
      assert.deepEqual({ failed: result.failed, stale: result.stale, skipped: result.skipped, applied: result.applied }, { failed: 0, stale: 0, skipped: 0, applied: run.plan.changes.length }, result.stoppedBy ?? '');
      const entries = journalOf(result.journalFile);
      assert.equal(entries.filter((e) => e.type === 'change' && e.result === 'ok').length, result.applied);
      assert.equal(entries.at(-1)?.type, 'end');
      check?.(entries, conns);
      await assertConverged(env, conns);
      record({ id, area: 'halo', input, expected: 'every change applied once; same final state as a fault-free apply', observed: `applied ${result.applied}/${run.plan.changes.length} in one run; converged; no duplicates`, faultsInjected: fired, passed: true });
    });
  }

  it('429 without Retry-After, three times in a row: backs off and goes on', async () => {
    let throttled = 0;
    await oneApply('halo-429-no-retry-after', 'POST /api/Users answers 429 (no Retry-After) 3 times', () => [{ method: 'POST', path: POST_USERS, kind: 'status', status: 429, body: 'You have exceeded the rate limit', times: 3 }], (_e, conns) => {
      throttled = conns.halo.counters.throttled;
    });
    assert.equal(throttled, 3);
  });

  it('429 on every attempt: gives up on that batch, stops cleanly; the next apply finishes the job', async () => {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      env.sims.faults.halo.add({ method: 'POST', path: POST_USERS, kind: 'status', status: 429, skip: 3, times: Infinity });
      const result = await applyWith(conns, run, {});
      const fired = env.sims.faults.halo.fired.length;
      env.sims.faults.halo.clear();
      assert.match(result.stoppedBy ?? '', /did not succeed after 4 attempts; last problem: 429/);
      assert.ok(result.applied > 0 && result.skipped > 0, JSON.stringify(result));
      const entries = journalOf(result.journalFile);
      assert.equal(entries.at(-1)?.type, 'end');
      assert.match(String(entries.at(-1)?.stoppedBy), /429/);
      const again = await applyWith(conns, await planWith(conns), {});
      assert.equal(again.failed + again.stale + again.skipped, 0);
      assert.equal(result.applied + again.applied, run.plan.changes.length, 'nothing applied twice, nothing lost');
      await assertConverged(env, conns);
      record({ id: 'halo-429-persistent', area: 'halo', input: 'POST /api/Users answers 429 on every attempt from the 4th batch', expected: 'gives up after the backoff, stops with the reason in the journal; a second apply finishes', observed: `stopped after ${result.applied} applied (${result.skipped} not attempted); second apply ${again.applied}; converged`, faultsInjected: fired, passed: true });
    });
  });

  it('500 on one batch of creates: not resent blindly; re-read, the unsaved ones sent again', async () => {
    await oneApply('halo-500-create-batch', 'POST /api/Users (3rd batch, creates) answers 500 once', () => [{ method: 'POST', path: POST_USERS, kind: 'status', status: 500, skip: 2, times: 1 }], (entries) => {
      assert.ok(entries.some((e) => e.type === 'note' && /uncertain write/.test(String(e.message))));
    });
  });

  it('500 on one batch of updates: retried (an update is safe to resend)', async () => {
    await oneApply('halo-500-update-batch', 'POST /api/Users (2nd batch of updates) answers 500 twice', (run) => [{ method: 'POST', path: POST_USERS, kind: 'status', status: 500, skip: userBatches(run, ['create']) + 1, times: 2 }], (entries) => {
      assert.ok(!entries.some((e) => e.type === 'note' && /uncertain/.test(String(e.message))), 'no re-read needed');
    });
  });

  it('a batch where Halo rejects one record (400): the others applied, the bad one reported with Halo\'s message', async () => {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      const target = run.plan.changes.find((c) => c.action === 'update' && c.kind === 'user' && !c.fields.site_id && c.fields.title) as Change;
      const rec = env.sims.world.halo.users.find((u) => u.id === target.haloId)!;
      const site = rec.site_id;
      // The record's site disappears between plan and apply: Halo refuses any save of it.
      rec.site_id = 99999;
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed, 1, JSON.stringify(result.problems));
      assert.equal(result.applied, run.plan.changes.length - 1);
      assert.match(result.problems[0].message, /Site with id 99999 was not found/);
      const entries = journalOf(result.journalFile);
      const line = entries.find((e) => e.type === 'change' && e.result === 'error')!;
      assert.equal(line.haloId, target.haloId);
      assert.match(String(line.message), /Site with id 99999 was not found/);
      assert.notEqual(rec.title, target.fields.title.to, 'the rejected record was not changed');
      rec.site_id = site;
      const again = await applyWith(conns, await planWith(conns), {});
      assert.deepEqual({ applied: again.applied, failed: again.failed }, { applied: 1, failed: 0 });
      await assertConverged(env, conns);
      record({ id: 'halo-400-one-record', area: 'halo', input: 'one user in a batch of 10 points at a site Halo no longer has (400 for that record)', expected: 'the 9 others saved; the bad one reported with Halo\'s message in the journal', observed: `applied ${result.applied}, failed 1: "${result.problems[0].message}"; fixed and re-applied; converged`, faultsInjected: 1, passed: true });
    });
  });

  it('the token expires mid-apply, twice: renewed each time, nothing lost', async () => {
    let tokens = 0;
    await oneApply('halo-token-expiry-mid-apply', 'the bearer token is expired by Halo at the 3rd and 9th write', () => [
      { method: 'POST', path: /^\/api\//i, kind: 'expireToken', skip: 2, times: 1 },
      { method: 'POST', path: /^\/api\//i, kind: 'expireToken', skip: 8, times: 1 },
    ], (_e, conns) => {
      tokens = conns.halo.counters.tokens;
    });
    assert.ok(tokens >= 3, `${tokens} tokens`);
  });

  it('the connection is reset after Halo saved a batch of creates, twice: no duplicates', async () => {
    await oneApply('halo-reset-after-processing', 'POST /api/Users: connection dropped after the save, on the 2nd and 3rd batches', () => [{ method: 'POST', path: POST_USERS, kind: 'reset', afterProcessing: true, skip: 1, times: 2 }], (entries) => {
      assert.equal(entries.filter((e) => e.type === 'note' && /uncertain write/.test(String(e.message))).length, 2);
    });
  });

  it('the connection is reset before Halo read the batch: re-read finds nothing saved, sent again', async () => {
    await oneApply('halo-reset-before-processing', 'POST /api/Users: connection dropped before the save, 2nd batch', () => [{ method: 'POST', path: POST_USERS, kind: 'reset', skip: 1, times: 1 }]);
  });

  it('the answer to a batch of creates is cut short: treated as uncertain, no duplicates', async () => {
    await oneApply('halo-truncated-write-answer', 'POST /api/Agent answers 200 with half its JSON, then the connection drops', () => [{ method: 'POST', path: /^\/api\/agent$/i, kind: 'truncate', times: 1 }]);
  });

  it('the fresh read before writing fails once (500 on GET /api/Users): retried', async () => {
    await oneApply('halo-500-on-apply-reread', 'GET /api/Users answers 500 during the apply\'s fresh read', () => [{ method: 'GET', path: POST_USERS, kind: 'status', status: 500, times: 1 }]);
  });

  it('a batch of creates saved but never answered (client timeout): re-read, not resent', async () => {
    await oneApply('halo-write-timeout-after-save', 'POST /api/Users (2nd batch, creates): Halo saves it and never answers; client timeout 3 s', () => [{ method: 'POST', path: POST_USERS, kind: 'timeout', afterProcessing: true, skip: 1, times: 1 }], (entries) => {
      assert.ok(entries.some((e) => e.type === 'note' && /uncertain write/.test(String(e.message))));
    });
  });

  it('a batch of updates never answered (client timeout): sent again', async () => {
    await oneApply('halo-write-timeout-update', 'POST /api/Users (2nd batch of updates) never answered; client timeout 3 s', (run) => [{ method: 'POST', path: POST_USERS, kind: 'timeout', skip: userBatches(run, ['create']) + 1, times: 1 }]);
  });

  it('the CAB write fails twice (500): sent again, memberships as a fault-free apply leaves them', async () => {
    await oneApply('halo-500-cab-write', 'POST /api/CAB answers 500 twice', () => [{ method: 'POST', path: /^\/api\/cab$/i, kind: 'status', status: 500, times: 2 }]);
  });

  it('Halo refuses the CAB write (400): its membership changes reported with Halo\'s message, everything else applied', async () => {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      const cabChanges = run.plan.changes.filter((c) => c.memberships?.cabs).length;
      assert.ok(cabChanges > 0, 'the world has CAB membership changes');
      const message = 'CODE:APP03/2 Please select the CAB members to approve';
      env.sims.faults.halo.add({ method: 'POST', path: /^\/api\/cab$/i, kind: 'status', status: 400, body: JSON.stringify({ ClassName: 'HaloValidationException', Message: message }), times: 1 });
      const result = await applyWith(conns, run, {});
      const fired = env.sims.faults.halo.fired.length;
      env.sims.faults.halo.clear();
      assert.deepEqual({ failed: result.failed, applied: result.applied }, { failed: cabChanges, applied: run.plan.changes.length - cabChanges });
      for (const p of result.problems) assert.match(p.message, /^CAB "Change Advisory Board": .*Please select the CAB members to approve/);
      const entries = journalOf(result.journalFile);
      assert.equal(entries.filter((e) => e.type === 'change' && e.result === 'error').length, cabChanges);
      const again = await applyWith(conns, await planWith(conns), {});
      assert.deepEqual({ applied: again.applied, failed: again.failed }, { applied: cabChanges, failed: 0 }, 'the next apply writes only the CAB memberships');
      await assertConverged(env, conns);
      record({ id: 'halo-400-cab-write', area: 'halo', input: `POST /api/CAB answers 400 {ClassName, Message: "${message}"}`, expected: 'the CAB membership changes reported failed with Halo\'s message and journalled; every other change applied; the next apply writes the CAB', observed: `failed ${result.failed} (CAB), applied ${result.applied}; next apply ${again.applied}; converged`, faultsInjected: fired, passed: true });
    });
  });

  it('the journal cannot be written (disk full): stops before the first write, Halo unchanged', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, async () => {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      const before = JSON.stringify(projection(env.sims.world.halo));
      await assert.rejects(applyWith(conns, run, { journalFile: '/dev/full' }), (e: Error) => e instanceof JournalError && /Cannot write the journal \/dev\/full \(ENOSPC\): nothing more is sent to Halo/.test(e.message));
      assert.equal(env.haloWrites(), 0);
      assert.equal(JSON.stringify(projection(env.sims.world.halo)), before);
      record({ id: 'journal-disk-full', area: 'halo', input: 'the journal cannot be written: ENOSPC on its first line (/dev/full)', expected: 'apply stops before its first write, with a clear error; Halo unchanged', observed: 'stopped: "Cannot write the journal /dev/full (ENOSPC): nothing more is sent to Halo."; 0 writes; Halo unchanged', faultsInjected: 1, passed: true });
    });
  });

  it('records changed in Halo between plan and apply: refused as stale, the Halo edits kept', async () => {
    await withEnv(async (env, conns) => {
      const run = await planWith(conns);
      const edit = run.plan.changes.find((c) => c.action === 'update' && c.kind === 'user' && c.fields.title && !c.fields.site_id) as Change;
      const create = run.plan.changes.find((c) => c.action === 'create' && c.kind === 'user' && c.fields.emailaddress) as Change;
      const halo = env.sims.world.halo;
      const rec = halo.users.find((u) => u.id === edit.haloId)!;
      rec.title = 'Edited in Halo meanwhile';
      // Someone creates the same person by hand, in a site the rule targets.
      const site = halo.sites.find((s) => s.client_id === 1 && s.name === 'Head Office')!;
      const byHand = { id: Math.max(...halo.users.map((u) => u.id)) + 1, name: 'Typed By Hand', emailaddress: String(create.fields.emailaddress.to), site_id: site.id, site_id_int: site.id, site_name: site.name, client_id: 1, client_name: 'Contoso', inactive: false, azureoid: null, roles: [], customfields: [] };
      halo.users.push(byHand);
      const result = await applyWith(conns, run, {});
      assert.equal(result.stale, 2, JSON.stringify(result.problems));
      assert.equal(result.applied, run.plan.changes.length - 2);
      assert.equal(rec.title, 'Edited in Halo meanwhile', 'the edit in Halo is kept');
      assert.equal(halo.users.filter((u) => String(u.emailaddress).toLowerCase() === byHand.emailaddress.toLowerCase()).length, 1, 'not created twice');
      const entries = journalOf(result.journalFile);
      const stale = entries.filter((e) => e.result === 'stale');
      assert.equal(stale.length, 2);
      assert.ok(stale.some((e) => /title changed in Halo since the plan/.test(String(e.message))));
      assert.ok(stale.some((e) => /appeared since the plan/.test(String(e.message))));
      // The next plan starts from what Halo now holds: the mapping wins again, openly.
      const again = await applyWith(conns, await planWith(conns), {});
      assert.equal(again.failed + again.stale, 0);
      await assertConverged(env, conns);
      record({ id: 'halo-stale-plan', area: 'halo', input: 'between plan and apply: a planned user\'s title edited in Halo; a planned create typed in by hand', expected: 'both refused as stale and journalled; Halo\'s edits kept; no duplicate', observed: `stale 2 (title edit kept, hand-made record not duplicated); applied ${result.applied}; re-plan converged`, faultsInjected: 2, passed: true });
    });
  });
});
