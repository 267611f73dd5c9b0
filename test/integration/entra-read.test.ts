// Reading users and groups from the simulated Graph: paging, $select, managers, nested groups.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EntraReadError, readTenant } from '../../src/sources/entra';
import type { HttpClient } from '../../src/net/http';
import { GraphSim, startGraphSim } from '../../src/sim/graph/server';
import { connection, guid, needs, simTls, tenant, trustingClient, user } from '../support/entra-fixture';

describe('reading users', () => {
  let http: HttpClient;
  before(async () => (http = await trustingClient()));
  after(() => http.close());

  test('2 500 users arrive over three pages of 999, each page asked for by its nextLink', async () => {
    const t = tenant(2500);
    const sim = await startGraphSim([t], { tls: await simTls() });
    try {
      const snap = await readTenant(connection(sim, t), needs(), { http });
      assert.equal(snap.tenant, 'contoso');
      assert.equal(snap.users.length, 2500);
      assert.equal(new Set(snap.users.map((u) => u.id)).size, 2500);
      assert.deepEqual(snap.users.map((u) => u.id), t.users.map((u) => u.id));
      const pages = sim.requests.filter((r) => r.path === '/v1.0/users');
      assert.equal(pages.length, 3);
      assert.ok(pages.every((p) => p.query.$top === '999' && p.status === 200));
      assert.equal(pages[0].query.$skiptoken, undefined);
      assert.ok(pages[1].query.$skiptoken && pages[2].query.$skiptoken);
    } finally {
      await sim.stop();
    }
  });

  test('$select is exactly the needed attributes: a property not selected is absent', async () => {
    const t = tenant([user(1, { department: 'Finance', jobTitle: 'Director', officeLocation: 'Leeds' }), user(2, { accountEnabled: false, userType: 'Guest' })]);
    const sim = await startGraphSim([t], { tls: await simTls() });
    try {
      const n = needs({ attributes: [...needs().attributes, 'department', 'businessPhones'] });
      const snap = await readTenant(connection(sim, t), n, { http });
      const [a, b] = snap.users;
      assert.deepEqual(Object.keys(a.attrs).sort(), [...n.attributes].sort());
      assert.equal(a.attrs.department, 'Finance');
      assert.deepEqual(a.attrs.businessPhones, ['+44 113 000 0001']);
      assert.ok(!('jobTitle' in a.attrs) && !('officeLocation' in a.attrs));
      assert.equal(a.managerId, undefined, 'no managers unless needed');
      assert.deepEqual([b.enabled, b.guest, b.attrs.accountEnabled, b.attrs.userType], [false, true, false, 'Guest']);
      const q = sim.requests.find((r) => r.path === '/v1.0/users')!.query;
      assert.deepEqual(q.$select.split(',').sort(), [...n.attributes].sort());
      assert.equal(q.$expand, undefined);
    } finally {
      await sim.stop();
    }
  });

  test('a nested attribute selects its parent and is also given under its own name', async () => {
    const t = tenant([user(1, { onPremisesExtensionAttributes: { extensionAttribute1: 'CC-42' } })]);
    const sim = await startGraphSim([t], { tls: await simTls() });
    try {
      const snap = await readTenant(connection(sim, t), needs({ attributes: ['onPremisesExtensionAttributes.extensionAttribute1'] }), { http });
      assert.equal(sim.requests.find((r) => r.path === '/v1.0/users')!.query.$select, 'id,accountEnabled,userType,displayName,mail,onPremisesExtensionAttributes,userPrincipalName');
      assert.equal(snap.users[0].attrs['onPremisesExtensionAttributes.extensionAttribute1'], 'CC-42');
    } finally {
      await sim.stop();
    }
  });

  test('managers: each user carries its manager id, or null', async () => {
    const t = tenant(3, { managers: { [guid(2, 1)]: guid(1, 1), [guid(3, 1)]: guid(2, 1) } });
    const sim = await startGraphSim([t], { tls: await simTls() });
    try {
      const snap = await readTenant(connection(sim, t), needs({ manager: true }), { http });
      assert.deepEqual(
        snap.users.map((u) => u.managerId),
        [null, guid(1, 1), guid(2, 1)],
      );
      assert.equal(sim.requests.find((r) => r.path === '/v1.0/users')!.query.$expand, 'manager($select=id)');
    } finally {
      await sim.stop();
    }
  });

  test('an attribute Graph does not know: the error says which, in Graph\'s words', async () => {
    const t = tenant(1);
    const sim = await startGraphSim([t], { tls: await simTls() });
    try {
      await assert.rejects(readTenant(connection(sim, t), needs({ attributes: ['id', 'accountEnabled', 'userType', 'costCentre'] }), { http }), (e: Error) => {
        assert.ok(e instanceof EntraReadError);
        assert.equal(e.details.status, 400);
        assert.match(e.message, /Could not find a property named 'costCentre' on type 'microsoft.graph.user'/);
        return true;
      });
    } finally {
      await sim.stop();
    }
  });
});

describe('reading groups', () => {
  let http: HttpClient;
  let sim: GraphSim;
  const G = { agents: guid(1, 2), tier2: guid(2, 2), tier3: guid(3, 2), twinA: guid(4, 2), twinB: guid(5, 2), quote: guid(6, 2) };
  const device = guid(1, 3);
  const t = tenant(12, {
    groups: [
      // agents ⊃ tier2 ⊃ tier3; a device and a user appearing twice along the way.
      { id: G.agents, displayName: 'SG-Halo-Agents', members: [guid(1, 1), G.tier2, device, guid(5, 1)] },
      { id: G.tier2, displayName: 'SG-Tier2', members: [guid(2, 1), guid(3, 1), G.tier3] },
      { id: G.tier3, displayName: 'SG-Tier3', members: [guid(4, 1), guid(5, 1), G.agents] },
      { id: G.twinA, displayName: 'SG-Twin', members: [] },
      { id: G.twinB, displayName: 'sg-twin', members: [] },
      { id: G.quote, displayName: "O'Brien's Team", members: [guid(7, 1)] },
    ],
    devices: [{ id: device, displayName: 'KIOSK-01' }],
  });

  before(async () => {
    http = await trustingClient();
    sim = await startGraphSim([t], { tls: await simTls() });
  });
  after(async () => {
    http.close();
    await sim.stop();
  });

  test('transitive members: nested groups flattened, only users kept (no groups, no devices)', async () => {
    const snap = await readTenant(connection(sim, t), needs({ groups: ['SG-Halo-Agents'] }), { http, pageSize: 2 });
    const [g] = snap.groups;
    assert.deepEqual({ ref: g.ref, id: g.id, displayName: g.displayName }, { ref: 'SG-Halo-Agents', id: G.agents, displayName: 'SG-Halo-Agents' });
    assert.deepEqual([...g.memberIds].sort(), [1, 2, 3, 4, 5].map((n) => guid(n, 1)).sort());
    const pages = sim.requests.filter((r) => r.path === `/v1.0/groups/${G.agents}/transitiveMembers`);
    assert.ok(pages.length >= 4, `paged (${pages.length} pages)`);
  });

  test('a group named by object id is read by id', async () => {
    const snap = await readTenant(connection(sim, t), needs({ groups: [G.tier3] }), { http });
    assert.equal(snap.groups[0].displayName, 'SG-Tier3');
    assert.equal(snap.groups[0].ref, G.tier3);
    assert.deepEqual([...snap.groups[0].memberIds].sort(), [1, 2, 3, 4, 5].map((n) => guid(n, 1)).sort());
    assert.ok(sim.requests.some((r) => r.path === `/v1.0/groups/${G.tier3}`));
  });

  test('a display name with a quote is escaped in $filter', async () => {
    const snap = await readTenant(connection(sim, t), needs({ groups: ["O'Brien's Team"] }), { http });
    assert.deepEqual(snap.groups[0].memberIds, [guid(7, 1)]);
    assert.ok(sim.requests.some((r) => r.query.$filter === "displayName eq 'O''Brien''s Team'"));
  });

  test('no group of that name: the read fails naming the group, never an empty group', async () => {
    await assert.rejects(readTenant(connection(sim, t), needs({ groups: ['SG-Halo-Agents', 'SG-Nobody'] }), { http }), (e: Error) => {
      assert.ok(e instanceof EntraReadError);
      assert.equal(e.message, 'Entra tenant "contoso" has no group named "SG-Nobody": check the name in the mapping, or name the group by its object id.');
      return true;
    });
  });

  test('two groups answer to one name (directory names compare case-insensitively): ambiguous', async () => {
    await assert.rejects(readTenant(connection(sim, t), needs({ groups: ['SG-Twin'] }), { http }), (e: Error) => {
      assert.match(e.message, /has 2 groups named "SG-Twin"/);
      assert.ok(e.message.includes(G.twinA) && e.message.includes(G.twinB));
      assert.match(e.message, /object id/);
      return true;
    });
  });

  test('an object id that is no group: not found, named', async () => {
    const missing = guid(99, 2);
    await assert.rejects(readTenant(connection(sim, t), needs({ groups: [missing] }), { http }), new RegExp(`has no group with object id ${missing}`));
  });
});
