// Writing to Halo over real HTTP: batches, isolation of bad records, uncertain writes, pacing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change } from '../../src/core/changes';
import { cabBodies, changeBody } from '../../src/halo/bodies';
import { HaloGaveUpError, UncertainWriteError } from '../../src/halo/errors';
import { Faults } from '../../src/sim/faults';
import { NEEDS, ROLE_ADMIN, ROLE_REPORTS, count, harness, haloState } from '../support/halo-fixture';

const POST_USERS = /^\/api\/Users$/;

function change(c: Partial<Change> & Pick<Change, 'action' | 'kind'>): Change {
  return { entraId: 'e', tenant: 'contoso', haloId: null, name: 'x', rule: 'r', reason: 'because', fields: {}, ...c };
}

describe('Halo client: postBatch', () => {
  it('saves the good records of a rejected batch and reports each bad one with Halo’s message', async () => {
    const h = await harness();
    try {
      const before = h.sim.state.users.length;
      const results = await h.client().postBatch('user', [
        { name: 'A One', site_id: 10 },
        { name: 'B Two', site_id: 10 },
        { name: 'C Three' },
        { name: 'D Four', site_id: 11 },
        { name: 'E Five', site_id: 10, shoeSize: 44 },
      ]);
      assert.deepEqual(results.map((r) => r.ok), [true, true, false, true, false]);
      assert.match((results[2] as { message: string }).message, /select a Site/);
      assert.match((results[4] as { message: string }).message, /\[0\]\.shoeSize: Could not find member 'shoeSize'/);
      assert.deepEqual(h.sim.state.users.slice(before).map((u) => u.name), ['A One', 'B Two', 'D Four']);
      // Halo answers a batch with one object (the newer document): ids of multi-record creates are unknown.
      assert.deepEqual(results.filter((r) => r.ok).map((r) => (r as { id: unknown }).id), [null, null, h.sim.state.users.at(-1)!.id]);
    } finally {
      await h.stop();
    }
  });

  it('answers with the saved ids for one record and for several', async () => {
    const h = await harness();
    try {
      const client = h.client();
      const [one] = await client.postBatch('user', [{ name: 'New Person', site_id: 10 }]);
      assert.ok(one.ok && h.sim.state.users.some((u) => u.id === one.id && u.name === 'New Person'), 'one record: the answer is that record');
      const [agent] = await client.postBatch('agent', [{ name: 'New Agent', email: 'new.agent@contoso.com' }]);
      assert.deepEqual(agent, { ok: true, id: null }, 'POST /Agent answers no body: saved, id to be learnt');
      assert.ok(h.sim.state.agents.some((a) => a.name === 'New Agent'));
      const two = await client.postBatch('user', [
        { id: 101, inactive: true },
        { id: 102, inactive: true },
      ]);
      assert.deepEqual(two, [
        { ok: true, id: 101 },
        { ok: true, id: 102 },
      ]);
    } finally {
      await h.stop();
    }
  });

  it('throws UncertainWriteError, without resending, when the connection drops after a create batch was processed', async () => {
    const faults = new Faults().add({ method: 'POST', path: POST_USERS, kind: 'reset', afterProcessing: true });
    const h = await harness(haloState(), { faults });
    try {
      const before = h.sim.state.users.length;
      await assert.rejects(h.client().postBatch('user', [{ name: 'Once Only', site_id: 10 }]), UncertainWriteError);
      assert.equal(count(h.sim, 'POST', POST_USERS), 1);
      assert.equal(h.sim.state.users.length, before + 1, 'Halo did save it: a resend would have duplicated it');
    } finally {
      await h.stop();
    }
  });

  it('throws UncertainWriteError on a 5xx to a create batch', async () => {
    const faults = new Faults().add({ method: 'POST', path: POST_USERS, kind: 'status', status: 502 });
    const h = await harness(haloState(), { faults });
    try {
      await assert.rejects(h.client().postBatch('user', [{ name: 'Maybe', site_id: 10 }]), /may or may not have saved/);
      assert.equal(count(h.sim, 'POST', POST_USERS), 1);
    } finally {
      await h.stop();
    }
  });

  it('resends an update batch after a dropped connection, and any batch after a 429', async () => {
    const faults = new Faults()
      .add({ method: 'POST', path: POST_USERS, kind: 'reset', afterProcessing: true })
      .add({ method: 'POST', path: '/api/Agent', kind: 'status', status: 429 });
    const h = await harness(haloState(), { faults });
    try {
      const client = h.client();
      assert.deepEqual(await client.postBatch('user', [{ id: 103, title: 'Analyst' }]), [{ ok: true, id: 103 }]);
      assert.equal(count(h.sim, 'POST', POST_USERS), 2);
      const [created] = await client.postBatch('agent', [{ name: 'Paced Agent' }]);
      assert.ok(created.ok);
      assert.equal(h.sim.state.agents.filter((a) => a.name === 'Paced Agent').length, 1);
      assert.equal(client.counters.throttled, 1);
    } finally {
      await h.stop();
    }
  });

  it('resends a create batch when the connection was refused, then gives up naming the endpoint', async () => {
    const h = await harness();
    const dead = await harness();
    await dead.stop(); // a port where nothing listens any more
    try {
      const client = h.client({ url: dead.sim.url, authUrl: h.sim.authUrl, backoffMs: [10, 10] });
      const err = await client.postBatch('user', [{ name: 'Nobody', site_id: 10 }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof HaloGaveUpError, String(err));
      assert.match(err.message, /POST \/api\/Users did not succeed after 3 attempts/);
      assert.equal(client.counters.networkErrors, 3);
    } finally {
      await h.stop();
    }
  });

  it('writes merged roles, teams and CAB members that the simulator applies', async () => {
    const h = await harness();
    try {
      const client = h.client();
      const fresh = await client.readSnapshot(NEEDS);
      assert.throws(() => changeBody(change({ action: 'update', kind: 'agent', haloId: 2, name: 'Jane Doe', memberships: { roles: { add: ['Administrator'], remove: [] } } }), { fresh }), /known only for the roles the mapping manages/);
      await client.completeRoles(fresh, 'agent', [2]);
      const agentChange = change({
        action: 'update',
        kind: 'agent',
        haloId: 2,
        name: 'Jane Doe',
        fields: { licence: { from: 'named', to: 'concurrent' }, team: { from: 'Service Desk', to: 'Projects' } },
        memberships: { roles: { add: ['Administrator'], remove: ['Technician'] }, teams: { add: [], remove: ['Service Desk'] }, cabs: { add: [], remove: ['Change Advisory Board'] } },
      });
      const userChange = change({ action: 'update', kind: 'user', haloId: 103, name: 'User 003', fields: { CFDepartment: { from: 'Finance', to: 'Legal' } }, memberships: { cabs: { add: ['Change Advisory Board'], remove: [] } } });
      const results = await client.postBatch('agent', [changeBody(agentChange, { fresh })]);
      assert.ok(results[0].ok);
      await client.postBatch('user', [changeBody(userChange, { fresh })]);
      const { bodies, errors } = cabBodies([agentChange, userChange], fresh, { roleOf: () => 'Approver' });
      assert.deepEqual(errors, []);
      assert.ok((await client.postBatch('cab', bodies.map((b) => b.body)))[0].ok);

      const jane = h.sim.state.agents.find((a) => a.id === 2)!;
      assert.deepEqual((jane.roles as Array<{ id: string }>).map((r) => r.id), [ROLE_REPORTS, ROLE_ADMIN], 'Reports kept, Technician gone');
      assert.deepEqual((jane.teams as Array<{ team_name: string }>).map((t) => t.team_name), ['Projects']);
      assert.equal(jane.licence_type, 1);
      assert.equal(jane.team, 'Projects');
      const user = h.sim.state.users.find((u) => u.id === 103)!;
      assert.equal((user.customfields as Array<{ name: string; value: unknown }>).find((f) => f.name === 'CFDepartment')!.value, 'Legal');
      assert.deepEqual(
        (h.sim.state.cabs[0].members as Array<Record<string, unknown>>).map((m) => [m.agent_id ?? null, m.user_id ?? null, m.role_name]),
        [[null, 103, 'Approver']],
      );
      const again = await client.readSnapshot(NEEDS);
      assert.deepEqual(again.cabs[0].members, [{ agentId: null, userId: 103, role: 'Approver' }]);
      assert.equal(count(h.sim, 'DELETE', /.*/), 0, 'the client never deletes');
    } finally {
      await h.stop();
    }
  });
});

describe('Halo client: rate limiting', () => {
  it('stays under Halo’s window instead of collecting 429s', async () => {
    const h = await harness(haloState(), { rateLimit: { requests: 5, windowMs: 1000 } });
    try {
      const client = h.client({ rateLimit: { requests: 5, windowSeconds: 1 }, backoffMs: [2000] });
      const start = Date.now();
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.postBatch('user', [{ id: 101 + (i % 7), title: `T${i}` }])));
      const took = Date.now() - start;
      assert.equal(h.sim.requests.filter((r) => r.status === 429).length, 0);
      assert.equal(client.counters.throttled, 0);
      assert.equal(count(h.sim, 'POST', POST_USERS), 20);
      assert.ok(took >= 3000, `21 requests at 5 per second cannot take ${took} ms`);
    } finally {
      await h.stop();
    }
  });
});
