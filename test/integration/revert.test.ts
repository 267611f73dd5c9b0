// revert JOURNAL: the inverse of an apply brings Halo back to where it was (created records
// deactivated, never deleted), through the same stale-checked apply path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revertPlan } from '../../src/core/revert';
import { applyPlan } from '../../src/engine/apply';
import { Journal, readJournal } from '../../src/engine/journal';
import { applyWith, planWith } from '../../src/engine/run';
import type { HaloRecord } from '../../src/sim/state';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const FIELDS = ['name', 'emailaddress', 'title', 'phonenumber', 'site_id', 'inactive', 'azureoid', 'isdisabled', 'jobtitle', 'email', 'team'];
const project = (r: HaloRecord) => JSON.stringify([FIELDS.map((f) => r[f] ?? null), ((r.roles as Array<{ name: string }>) ?? []).map((x) => x.name).sort(), ((r.customfields as Array<{ name: string; value: unknown }>) ?? []).map((c) => `${c.name}=${c.value}`).sort()]);

describe('revert', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 200, seed: 9 }, mapping: exampleWith([[['safety', 'maxDeactivations'], '20%']]) });
  });
  after(() => env.close());

  it('undoes an apply: updates restored, reactivations and deactivations reversed, creates deactivated', async () => {
    const halo = env.sims.world.halo;
    const original = new Map([...halo.users, ...halo.agents].map((r) => [`${'email' in r ? 'a' : 'u'}${r.id}`, project(r)]));
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const applied = await applyWith(conns, run, { allowOverThreshold: true });
      assert.equal(applied.failed, 0);
      const createdUsers = halo.users.filter((u) => !original.has(`u${u.id}`)).map((u) => u.id);
      assert.ok(createdUsers.length > 5);

      const inverse = revertPlan(readJournal(applied.journalFile), 'apply.jsonl');
      assert.equal(inverse.summary.deactivate, run.plan.summary.create + run.plan.summary.reactivate);
      assert.ok(inverse.warnings.some((w) => /sites are never deleted/.test(w)));
      const result = await applyPlan(inverse, { mapping: conns.mapping, halo: conns.halo, journal: new Journal(null) });
      assert.deepEqual({ failed: result.failed, stale: result.stale }, { failed: 0, stale: 0 }, JSON.stringify(result.problems.slice(0, 3)));

      for (const r of [...halo.users, ...halo.agents]) {
        const key = `${'email' in r ? 'a' : 'u'}${r.id}`;
        if (original.has(key)) assert.equal(project(r), original.get(key), `record ${key} restored`);
      }
      for (const id of createdUsers) assert.equal(halo.users.find((u) => u.id === id)?.inactive, true, 'created, now deactivated');
    } finally {
      conns.close();
    }
  });
});
