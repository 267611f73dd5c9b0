// An Entra read far smaller than the last one blocks apply as a suspected partial read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlockedError } from '../../src/engine/apply';
import { applyWith, planWith } from '../../src/engine/run';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

describe('safety: suspected partial read', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 200, seed: 4 }, mapping: exampleWith([[['safety', 'maxDeactivations'], undefined], [['safety', 'maxChanges'], undefined]]) });
  });
  after(() => env.close());

  it('blocks when a tenant returns under half its users, until an explicit override', async () => {
    const conns = await env.connect();
    try {
      const first = await planWith(conns);
      assert.equal(first.plan.blocked, null);
      await applyWith(conns, first, {});

      const tenant = env.sims.graph.tenant(env.sims.world.graph[0].tenantId);
      const ids = env.sims.world.graph[0].users.map((u) => u.id).slice(10, 130);
      for (const id of ids) tenant.deleteUser(id, { permanent: true });

      const shrunk = await planWith(conns);
      assert.equal(shrunk.plan.blocked?.limit, 'minEntraUsers');
      assert.match(shrunk.plan.blocked!.reason, /returned 80 users, under 50% of the 200/);
      assert.ok(shrunk.plan.summary.deactivate > 50, 'the plan would deactivate many people');
      await assert.rejects(applyWith(conns, shrunk, {}), BlockedError);
      assert.equal((await planWith(conns)).plan.blocked?.limit, 'minEntraUsers', 'still blocked: the small read was not remembered');

      const overridden = await applyWith(conns, shrunk, { allowOverThreshold: true });
      assert.equal(overridden.failed, 0);
      assert.equal((await planWith(conns)).plan.blocked, null, 'after an explicit override the smaller directory is the new normal');
    } finally {
      conns.close();
    }
  });
});
