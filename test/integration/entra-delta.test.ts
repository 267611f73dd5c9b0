// Delta queries: an initial round, then only what changed; 410 Gone when the state is lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EntraReadError, readDelta } from '../../src/sources/entra';
import type { HttpClient } from '../../src/net/http';
import { GraphSim, startGraphSim } from '../../src/sim/graph/server';
import { connection, guid, simTls, tenant, trustingClient, user } from '../support/entra-fixture';

describe('delta', () => {
  let http: HttpClient;
  let sim: GraphSim;
  const t = tenant(5, { groups: [{ id: guid(1, 2), displayName: 'SG-Agents', members: [guid(1, 1), guid(2, 1)] }] });
  const conn = () => connection(sim, t);
  const select = ['displayName', 'accountEnabled', 'mail'];

  before(async () => {
    http = await trustingClient();
    sim = await startGraphSim([t], { tls: await simTls(), deltaPageSize: 2 });
  });
  after(async () => {
    http.close();
    await sim.stop();
  });

  test('users: the initial round lists everyone over several pages; the next lists only the changes', async () => {
    const first = await readDelta(conn(), 'users', { select }, { http });
    assert.equal(first.changes.length, 5);
    assert.deepEqual(Object.keys(first.changes[0]).sort(), ['accountEnabled', 'displayName', 'id', 'mail']);
    assert.equal(sim.requests.filter((r) => r.path === '/v1.0/users/delta').length, 3, 'three pages of two');

    const quiet = await readDelta(conn(), 'users', { deltaLink: first.deltaLink }, { http });
    assert.deepEqual(quiet.changes, []);

    const dir = sim.tenant(t.tenantId);
    dir.disableUser(guid(2, 1));
    dir.deleteUser(guid(3, 1));
    dir.deleteUser(guid(4, 1), { permanent: true });
    dir.addUser(user(6));
    const next = await readDelta(conn(), 'users', { deltaLink: quiet.deltaLink }, { http });
    const byId = new Map(next.changes.map((c) => [c.id, c]));
    assert.equal(next.changes.length, 4);
    assert.deepEqual(byId.get(guid(2, 1)), { id: guid(2, 1), displayName: 'User 2', accountEnabled: false, mail: 'user2@contoso.com' });
    assert.deepEqual(byId.get(guid(3, 1)), { id: guid(3, 1), '@removed': { reason: 'changed' } });
    assert.deepEqual(byId.get(guid(4, 1)), { id: guid(4, 1), '@removed': { reason: 'deleted' } });
    assert.equal(byId.get(guid(6, 1))?.displayName, 'User 6');

    const after = await readDelta(conn(), 'users', { deltaLink: next.deltaLink }, { http });
    assert.deepEqual(after.changes, []);
  });

  test('groups: members@delta has the members, then only the membership changes', async () => {
    const first = await readDelta(conn(), 'groups', { select: ['displayName', 'members'] }, { http });
    const g = first.changes.find((c) => c.id === guid(1, 2))!;
    assert.deepEqual(g['members@delta'], [
      { '@odata.type': '#microsoft.graph.user', id: guid(1, 1) },
      { '@odata.type': '#microsoft.graph.user', id: guid(2, 1) },
    ]);
    const dir = sim.tenant(t.tenantId);
    dir.addMember(guid(1, 2), guid(5, 1));
    dir.removeMember(guid(1, 2), guid(1, 1));
    const next = await readDelta(conn(), 'groups', { deltaLink: first.deltaLink }, { http });
    assert.equal(next.changes.length, 1);
    assert.deepEqual(next.changes[0]['members@delta'], [
      { '@odata.type': '#microsoft.graph.user', id: guid(5, 1) },
      { '@odata.type': '#microsoft.graph.user', id: guid(1, 1), '@removed': { reason: 'deleted' } },
    ]);
  });

  test('invalidated sync state: 410 Gone with a Location that restarts a full round', async () => {
    const first = await readDelta(conn(), 'users', { select }, { http });
    sim.invalidateDeltaTokens();
    const err = await readDelta(conn(), 'users', { deltaLink: first.deltaLink }, { http }).then(
      () => assert.fail('expected 410'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EntraReadError);
    assert.equal(err.details.status, 410);
    assert.ok(err.details.location?.startsWith(`${sim.graphUrl}/v1.0/users/delta?$select=`));
    const again = await readDelta(conn(), 'users', { deltaLink: err.details.location! }, { http });
    assert.equal(again.changes.length, sim.tenant(t.tenantId).data.users.length);
  });

  test('a deltaLink older than its validity is gone too', async () => {
    const short = await startGraphSim([tenant(1)], { tls: await simTls(), deltaTokenValidityMs: 50 });
    try {
      const c = connection(short, tenant(1));
      const first = await readDelta(c, 'users', { select }, { http });
      await new Promise((r) => setTimeout(r, 120));
      await assert.rejects(readDelta(c, 'users', { deltaLink: first.deltaLink }, { http }), (e: Error) => e instanceof EntraReadError && e.details.status === 410);
    } finally {
      await short.stop();
    }
  });
});
