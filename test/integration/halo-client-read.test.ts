// Reading Halo into a snapshot over real HTTP: paging, retries, and never a partial answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaloGaveUpError, HaloReadError } from '../../src/halo/errors';
import { Faults } from '../../src/sim/faults';
import type { Change } from '../../src/core/changes';
import { changeBody } from '../../src/halo/bodies';
import { NEEDS, ROLE_ADMIN, ROLE_REPORTS, ROLE_TECH, count, harness, haloState } from '../support/halo-fixture';

const USERS_PATH = /^\/api\/Users$/;

describe('Halo client: readSnapshot', () => {
  it('pages through users and normalises every list', async () => {
    const h = await harness(haloState({ users: 7 }));
    try {
      const client = h.client({ pageSize: 3 });
      const snap = await client.readSnapshot(NEEDS);
      assert.equal(count(h.sim, 'GET', USERS_PATH), 3);
      assert.deepEqual(
        h.sim.requests.filter((r) => USERS_PATH.test(r.path)).map((r) => r.query.page_no).sort(),
        ['1', '2', '3'],
      );
      assert.equal(snap.users.length, 7, 'inactive users included');
      assert.deepEqual(snap.users.map((u) => u.id).sort(), [101, 102, 103, 104, 105, 106, 107]);
      const ann = snap.users.find((u) => u.id === 101)!;
      assert.equal(ann.azureoid, 'oid-1');
      assert.deepEqual(ann.roles, ['End User']);
      assert.equal(ann.fields.CFDepartment, 'Finance');
      assert.equal(ann.siteId, 11);
      assert.equal(snap.users.find((u) => u.id === 105)!.inactive, true);
      assert.equal(snap.sites.length, 3);
      assert.equal(snap.clients.length, 2);
      const api = snap.agents.find((a) => a.id === 1)!;
      assert.equal(api.isApiAgent, true, 'API agents are read, flagged');
      const jane = snap.agents.find((a) => a.id === 2)!;
      assert.deepEqual(jane.roles, ['Technician'], 'documented rows carry no roles: the managed ones come from role= lists');
      assert.deepEqual(jane.teams, ['Service Desk', 'Projects']);
      assert.equal(jane.licence, 'named');
      assert.equal(snap.agents.find((a) => a.id === 3)!.disabled, true);
      assert.equal(snap.agentRoles.length, 3);
      assert.equal(snap.userRoles.length, 2);
      assert.equal(snap.teams.length, 2);
      assert.deepEqual(snap.cabs[0].members, [{ agentId: 2, userId: null, role: 'Approver' }]);
      assert.deepEqual(snap.cabs[0].roles, ['Approver']);
      assert.equal(snap.stats.requests, count(h.sim, 'GET', /^\/api\//));
    } finally {
      await h.stop();
    }
  });

  it('reads only the lists the mapping needs', async () => {
    const h = await harness();
    try {
      const snap = await h.client().readSnapshot({ ...NEEDS, agentRoles: false, userRoles: false, teams: false, cabs: false });
      for (const path of [/Roles/i, /UserRoles/i, /Team/i, /CAB/i]) assert.equal(count(h.sim, 'GET', path), 0);
      assert.equal(snap.agents.find((a) => a.id === 2)!.roles, undefined, 'roles unknown without includeroles');
    } finally {
      await h.stop();
    }
  });

  it('waits and retries after a 429 without Retry-After', async () => {
    const faults = new Faults().add({ path: USERS_PATH, kind: 'status', status: 429, body: '"Rate Limit Reached - 300 Requests per rolling 5 minute window"' });
    const h = await harness(haloState(), { faults });
    try {
      const client = h.client({ backoffMs: [50, 50] });
      const snap = await client.readSnapshot(NEEDS);
      assert.equal(snap.users.length, 7);
      assert.equal(client.counters.throttled, 1);
      assert.equal(client.counters.retries, 1);
    } finally {
      await h.stop();
    }
  });

  it('honours a fractional Retry-After instead of its own backoff', async () => {
    const faults = new Faults().add({ path: USERS_PATH, kind: 'status', status: 429, retryAfter: '0.3' });
    const h = await harness(haloState(), { faults });
    try {
      const client = h.client({ backoffMs: [20_000] });
      const start = Date.now();
      await client.readSnapshot(NEEDS);
      const took = Date.now() - start;
      assert.ok(took >= 300 && took < 5000, `took ${took} ms`);
      assert.equal(client.counters.throttled, 1);
    } finally {
      await h.stop();
    }
  });

  it('retries a page that failed with 500, a truncated page and a timed-out page', async () => {
    const faults = new Faults()
      .add({ path: USERS_PATH, kind: 'status', status: 500, skip: 1 })
      .add({ path: '/api/Site', kind: 'truncate' })
      .add({ path: '/api/Client', kind: 'timeout' });
    const h = await harness(haloState({ users: 7 }), { faults });
    try {
      const client = h.client({ pageSize: 3, timeoutMs: 300 });
      const snap = await client.readSnapshot(NEEDS);
      assert.equal(snap.users.length, 7);
      assert.equal(snap.sites.length, 3);
      assert.equal(snap.clients.length, 2);
      assert.equal(faults.fired.length, 3);
      assert.equal(client.counters.serverErrors, 1);
      assert.equal(client.counters.networkErrors, 2);
    } finally {
      await h.stop();
    }
  });

  it('throws when a page keeps failing, rather than return fewer users', async () => {
    const faults = new Faults().add({ path: USERS_PATH, kind: 'status', status: 503, skip: 1, times: Infinity });
    const h = await harness(haloState({ users: 7 }), { faults });
    try {
      await assert.rejects(h.client({ pageSize: 3 }).readSnapshot(NEEDS), (e: unknown) => e instanceof HaloGaveUpError && /GET \/api\/Users/.test(e.message));
    } finally {
      await h.stop();
    }
  });

  it('treats a short page as an incomplete read', async () => {
    const short = JSON.stringify({ record_count: 7, users: [{ id: 104, name: 'User 004' }] });
    const faults = new Faults().add({ path: USERS_PATH, kind: 'status', status: 200, body: short, skip: 1 });
    const h = await harness(haloState({ users: 7 }), { faults });
    try {
      await assert.rejects(h.client({ pageSize: 3 }).readSnapshot(NEEDS), (e: unknown) => e instanceof HaloReadError && /page \d of 3 had 1 users, expected 3/.test(e.message));
    } finally {
      await h.stop();
    }
  });

  it('treats a malformed page as an incomplete read', async () => {
    const faults = new Faults().add({ path: USERS_PATH, kind: 'status', status: 200, body: '{"users":[]}' });
    const h = await harness(haloState(), { faults });
    try {
      await assert.rejects(h.client().readSnapshot(NEEDS), HaloReadError);
    } finally {
      await h.stop();
    }
  });
});

describe('Halo client: readDetails', () => {
  it('leaves azureoid unknown when list rows lack it, then fills it from details', async () => {
    const h = await harness(haloState({ users: 4 }), { modes: { userRows: 'older' } });
    try {
      const client = h.client();
      const snap = await client.readSnapshot(NEEDS);
      assert.ok(snap.users.every((u) => u.azureoid === undefined));
      const listRequests = snap.stats.requests;
      await client.readDetails(snap, { users: [101, 102], agents: [] }, NEEDS);
      assert.equal(snap.users.find((u) => u.id === 101)!.azureoid, 'oid-1');
      assert.equal(snap.users.find((u) => u.id === 102)!.azureoid, 'oid-2');
      assert.equal(snap.users.find((u) => u.id === 103)!.azureoid, undefined, 'only the records asked for');
      assert.equal(snap.stats.detailReads, 2);
      assert.equal(snap.stats.requests, listRequests + 2);
      assert.equal(snap.stats.warnings.length, 1);
      assert.match(snap.stats.warnings[0], /lacked azureoid; read the details of 2 users and 0 agents/);
      assert.deepEqual(
        h.sim.requests.filter((r) => /\/api\/Users\/\d+/.test(r.path)).map((r) => r.query),
        [{ includedetails: 'true' }, { includedetails: 'true' }],
      );
    } finally {
      await h.stop();
    }
  });

  it('reads agent roles by one role= list per managed role, and the rest only for a whole-set write', async () => {
    const h = await harness(haloState());
    try {
      const client = h.client();
      const snap = await client.readSnapshot({ ...NEEDS, agentRoleNames: ['Technician'] });
      const jane = snap.agents.find((a) => a.id === 2)!;
      assert.deepEqual(jane.teams, ['Service Desk', 'Projects'], 'teams come in the rows with include_membership_info');
      assert.equal(jane.licence, 'named');
      assert.deepEqual(jane.roles, ['Technician'], 'only the managed role is known from the filtered list');
      assert.deepEqual(h.sim.requests.filter((r) => r.path === '/api/Agent' && r.query.role).map((r) => r.query.role), ['5']);
      assert.equal(count(h.sim, 'GET', /^\/api\/Agent\/\d+$/), 0, 'no detail reads');
      // Before a role write: the roles not yet read (Administrator, Reports: 2 lists) cost more than one detail read.
      const roleChange: Change = { action: 'update', kind: 'agent', entraId: 'e', tenant: 'contoso', haloId: 2, name: 'Jane Doe', rule: 'r', reason: '', fields: {}, memberships: { roles: { add: ['Administrator'], remove: [] } } };
      assert.throws(() => changeBody(roleChange, { fresh: snap }), /known only for the roles the mapping manages/);
      assert.equal(await client.completeRoles(snap, 'agent', [2]), 1);
      assert.equal(count(h.sim, 'GET', /^\/api\/Agent\/2$/), 1, 'one detail read');
      assert.deepEqual(jane.roles, ['Technician', 'Reports']);
      assert.deepEqual(changeBody(roleChange, { fresh: snap }).roles, [{ id: ROLE_TECH }, { id: ROLE_REPORTS }, { id: ROLE_ADMIN }], 'the whole set, Reports kept');
    } finally {
      await h.stop();
    }
  });
});
