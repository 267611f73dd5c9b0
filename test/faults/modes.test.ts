// The matrix of DESIGN §6a: every reading Halo's documents leave open, one at a time, against the
// same world. In each: a plan → apply → plan converges to the state the documented default
// reaches, with no duplicate; a create batch saved but never answered is settled by a bulk
// re-read, not resent; a create batch Halo refuses for one bad record never duplicates the good
// ones (whether that Halo saved them or not); and no re-plan reads a record on its own.
// A reset after processing is also in the second case.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Connections } from '../../src/engine/connections';
import { applyWith, planWith } from '../../src/engine/run';
import { MODE_NAMES, NAMED_MODES } from '../../src/sim/halo/modes';
import { FaultEnv, LENIENT, duplicates, firstDifference, mappingWith, projection, record, withFaultEnv } from './support';

type Projection = ReturnType<typeof projection>;
const WORLD = { users: 300, seed: 5 };
// Batches of 25: several create batches, so the faults below land on creates.
const MAPPING = mappingWith([...LENIENT, [['halo', 'batchSize'], 25]]);
const POST_USERS = /^\/api\/Users$/;
const detailGets = (env: FaultEnv) => env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/(users|agent)\/\d+$/i.test(r.path)).length;

function inMode<T>(mode: string, fn: (env: FaultEnv, conns: Connections) => Promise<T>): Promise<T> {
  return withFaultEnv({ worldOptions: WORLD, haloModes: NAMED_MODES[mode], mapping: MAPPING }, fn);
}

/** In the append reading, `roles`/`teams` can only add: removals are the one thing no documented call makes. */
const onlyRemovals = (changes: Array<{ memberships?: Record<string, { add: string[]; remove: string[] }>; fields: object }>) =>
  changes.every((c) => !Object.keys(c.fields).length && Object.values(c.memberships ?? {}).every((d) => !d.add.length && d.remove.length));

describe('faults: every simulator mode (DESIGN §6a)', () => {
  let reference: Projection;
  before(async () => {
    reference = await inMode('documented', async (env, conns) => {
      const run = await planWith(conns);
      await applyWith(conns, run, { planIsCurrent: true });
      return projection(env.sims.world.halo);
    });
  });

  for (const mode of MODE_NAMES) {
    it(`${mode}: converges to the documented outcome; re-plans read no record alone`, async () => {
      await inMode(mode, async (env, conns) => {
        const first = await planWith(conns);
        const firstDetails = detailGets(env);
        const result = await applyWith(conns, first, { planIsCurrent: true });
        assert.equal(result.failed, 0, JSON.stringify(result.problems.slice(0, 3)));
        const before = detailGets(env);
        const second = await planWith(conns);
        const third = await planWith(conns);
        assert.deepEqual(duplicates(env.sims.world.halo), []);
        assert.equal(detailGets(env) - before, 0, 'no detail reads after the first plan');
        if (mode === 'append-memberships') assert.ok(onlyRemovals(second.plan.changes as never), 'only removals remain');
        else {
          assert.equal(second.plan.changes.length, 0, JSON.stringify(second.plan.changes.slice(0, 2)));
          const now = projection(env.sims.world.halo);
          assert.ok(JSON.stringify(now) === JSON.stringify(reference), firstDifference(reference, now));
        }
        assert.equal(JSON.stringify(third.plan), JSON.stringify(second.plan), 'stable');
        record({ id: `mode-${mode}-converge`, area: 'modes', input: `Halo answering as "${mode}": plan, apply, plan`, expected: 'the documented outcome, no duplicate, later plans without detail reads', observed: `first plan ${firstDetails} detail reads; applied ${result.applied}; second plan ${second.plan.changes.length} changes; later detail reads 0`, faultsInjected: 0, passed: true, duplicates: duplicates(env.sims.world.halo).length });
      });
    });

    it(`${mode}: create batches saved but never answered (a timeout, a reset connection) are settled by a bulk re-read, not duplicated`, async () => {
      await inMode(mode, async (env, conns) => {
        const run = await planWith(conns);
        env.sims.faults.halo.add({ method: 'POST', path: POST_USERS, kind: 'timeout', afterProcessing: true, times: 1 });
        env.sims.faults.halo.add({ method: 'POST', path: POST_USERS, kind: 'reset', afterProcessing: true, times: 1 });
        const result = await applyWith(conns, run, { planIsCurrent: true });
        const fired = env.sims.faults.halo.fired.length;
        env.sims.faults.halo.clear();
        assert.equal(fired, 2);
        const hit = env.sims.faults.halo.fired;
        assert.deepEqual(hit.map((f) => f.kind), ['timeout', 'reset']);
        assert.equal(result.failed, 0, JSON.stringify(result.problems.slice(0, 3)));
        assert.deepEqual(duplicates(env.sims.world.halo), []);
        const after = await planWith(conns);
        assert.ok(mode === 'append-memberships' ? onlyRemovals(after.plan.changes as never) : after.plan.changes.length === 0);
        record({ id: `mode-${mode}-timeout-create`, area: 'modes', input: `Halo answering as "${mode}": the first create batch of users is saved and never answered (timeout), the second saved and its connection reset`, expected: 'no duplicate; every change applied once', observed: `applied ${result.applied}, failed 0, duplicates 0`, faultsInjected: fired, passed: true, duplicates: duplicates(env.sims.world.halo).length });
      });
    });

    it(`${mode}: a create batch refused for one bad record never duplicates the good ones`, async () => {
      await inMode(mode, async (env, conns) => {
        const run = await planWith(conns);
        const creates = run.plan.changes.filter((c) => c.kind === 'user' && c.action === 'create' && c.site?.id);
        const siteId = creates[Math.floor(creates.length / 2)].site!.id!;
        // One site vanishes between plan and apply: Halo refuses the creates placed there.
        const sites = env.sims.world.halo.sites;
        const gone = sites.splice(sites.findIndex((s) => s.id === siteId), 1)[0];
        const result = await applyWith(conns, run, { planIsCurrent: true });
        sites.push(gone);
        assert.ok(result.failed >= 1 && result.problems.every((p) => /Site with id/.test(p.message)), JSON.stringify(result.problems.slice(0, 2)));
        assert.deepEqual(duplicates(env.sims.world.halo), []);
        const again = await applyWith(conns, await planWith(conns), { planIsCurrent: true });
        assert.equal(again.failed, 0);
        assert.deepEqual(duplicates(env.sims.world.halo), []);
        const after = await planWith(conns);
        assert.ok(mode === 'append-memberships' ? onlyRemovals(after.plan.changes as never) : after.plan.changes.length === 0);
        record({ id: `mode-${mode}-400-create`, area: 'modes', input: `Halo answering as "${mode}": creates into a site deleted since the plan (400 for those records)`, expected: 'the others saved once, the bad ones reported; a later apply finishes; no duplicate', observed: `failed ${result.failed} (site gone), then applied ${again.applied}; duplicates 0`, faultsInjected: 1, passed: true, duplicates: duplicates(env.sims.world.halo).length });
      });
    });
  }
});
