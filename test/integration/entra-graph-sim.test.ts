// The Graph simulator behaves like Graph as documented, whatever our reader sends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpClient } from '../../src/net/http';
import { GraphSim, startGraphSim } from '../../src/sim/graph/server';
import { USER_DEFAULT_PROPERTIES } from '../../src/sim/graph/properties';
import { graphGet, guid, OTHER_TENANT_ID, rawToken, simTls, tenant, trustingClient, user } from '../support/entra-fixture';

describe('Graph simulator', () => {
  let http: HttpClient;
  let sim: GraphSim;
  let token: string;
  const device = guid(1, 3);
  const t = tenant(150, {
    groups: [
      { id: guid(1, 2), displayName: 'SG-Outer', members: [guid(1, 1), guid(2, 2), device] },
      { id: guid(2, 2), displayName: 'SG-Inner', members: [guid(2, 1)] },
    ],
    devices: [{ id: device, displayName: 'KIOSK-01' }],
    managers: { [guid(2, 1)]: guid(1, 1) },
  });
  t.users[2].accountEnabled = false;
  const other = tenant([user(900)], { tenantId: OTHER_TENANT_ID, clientId: '0a0a0a0a-0000-4000-8000-000000000001' });
  const url = (path: string) => `${sim.graphUrl}/v1.0${path}`;

  before(async () => {
    http = await trustingClient();
    sim = await startGraphSim([t, other], { tls: await simTls() });
    token = await rawToken(http, sim, t);
  });
  after(async () => {
    http.close();
    await sim.stop();
  });

  test('every Graph request needs a valid token: 401 in Graph\'s error shape otherwise', async () => {
    const none = await graphGet(http, url('/users'));
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'InvalidAuthenticationToken');
    assert.equal(typeof none.body.error.message, 'string');
    const forged = await graphGet(http, url('/users'), token.slice(0, -4) + 'AAAA');
    assert.equal(forged.status, 401);
  });

  test('a token reads only its own tenant', async () => {
    const mine = await graphGet(http, url('/users?$top=999'), token);
    assert.ok(!mine.body.value.some((u: { id: string }) => u.id === guid(900, 1)));
    const theirs = await graphGet(http, url('/users'), await rawToken(http, sim, other));
    assert.deepEqual(theirs.body.value.map((u: { id: string }) => u.id), [guid(900, 1)]);
  });

  test('without $select: the 11 default properties, 100 per page, @odata.context and a nextLink', async () => {
    const res = await graphGet(http, url('/users'), token);
    assert.equal(res.status, 200);
    assert.equal(res.body['@odata.context'], `${sim.graphUrl}/v1.0/$metadata#users`);
    assert.equal(res.body.value.length, 100);
    assert.deepEqual(Object.keys(res.body.value[0]).sort(), [...USER_DEFAULT_PROPERTIES].sort());
    assert.ok(!('accountEnabled' in res.body.value[0]));
    assert.equal(res.headers['x-ms-resource-unit'], '2');
    const next = await graphGet(http, res.body['@odata.nextLink'], token);
    assert.equal(next.body.value.length, 50);
    assert.equal(next.body['@odata.nextLink'], undefined);
  });

  test('$top above 999 is refused in Graph\'s words; an unknown $select property too', async () => {
    const big = await graphGet(http, url('/users?$top=1000'), token);
    assert.equal(big.status, 400);
    assert.equal(big.body.error.message, "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    const bad = await graphGet(http, url('/users?$select=id,nope'), token);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.message, "Could not find a property named 'nope' on type 'microsoft.graph.user'.");
  });

  test('$select returns exactly those properties (null when unset, [] for collections)', async () => {
    const res = await graphGet(http, url('/users?$select=displayName,accountEnabled,employeeId,otherMails&$top=1'), token);
    assert.deepEqual(res.body.value[0], { displayName: 'User 1', accountEnabled: true, employeeId: null, otherMails: [] });
    assert.equal(res.headers['x-ms-resource-unit'], '1');
  });

  test('$filter: accountEnabled eq false, id eq …', async () => {
    const disabled = await graphGet(http, url('/users?$filter=accountEnabled eq false&$select=id'), token);
    assert.deepEqual(disabled.body.value, [{ id: guid(3, 1) }]);
    const one = await graphGet(http, url(`/users?$filter=id eq '${guid(7, 1)}'&$select=id,mail`), token);
    assert.deepEqual(one.body.value, [{ id: guid(7, 1), mail: 'user7@contoso.com' }]);
    const unsupported = await graphGet(http, url('/users?$filter=accountEnabled ne true'), token);
    assert.equal(unsupported.status, 400);
  });

  test('$expand=manager($select=id): the manager when there is one, no property otherwise', async () => {
    const res = await graphGet(http, url('/users?$select=id&$expand=manager($select=id)&$top=2'), token);
    assert.deepEqual(res.body.value, [{ id: guid(1, 1) }, { id: guid(2, 1), manager: { '@odata.type': '#microsoft.graph.user', id: guid(1, 1) } }]);
  });

  test('groups by display name (case-insensitive), by id, 404 for an unknown id', async () => {
    const byName = await graphGet(http, url("/groups?$filter=displayName eq 'sg-inner'&$select=id,displayName"), token);
    assert.deepEqual(byName.body.value, [{ id: guid(2, 2), displayName: 'SG-Inner' }]);
    const starts = await graphGet(http, url("/groups?$filter=startswith(displayName,'SG-')&$select=id"), token);
    assert.equal(starts.body.value.length, 2);
    const byId = await graphGet(http, url(`/groups/${guid(1, 2)}`), token);
    assert.equal(byId.body.displayName, 'SG-Outer');
    assert.equal(byId.body['@odata.context'], `${sim.graphUrl}/v1.0/$metadata#groups/$entity`);
    const missing = await graphGet(http, url(`/groups/${guid(9, 2)}`), token);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'Request_ResourceNotFound');
  });

  test('transitiveMembers mixes users, groups and devices, each with its @odata.type', async () => {
    const res = await graphGet(http, url(`/groups/${guid(1, 2)}/transitiveMembers?$select=id,displayName`), token);
    assert.equal(res.body['@odata.context'], `${sim.graphUrl}/v1.0/$metadata#directoryObjects`);
    assert.deepEqual(res.body.value, [
      { '@odata.type': '#microsoft.graph.user', id: guid(1, 1), displayName: 'User 1' },
      { '@odata.type': '#microsoft.graph.group', id: guid(2, 2), displayName: 'SG-Inner' },
      { '@odata.type': '#microsoft.graph.device', id: device, displayName: 'KIOSK-01' },
      { '@odata.type': '#microsoft.graph.user', id: guid(2, 1), displayName: 'User 2' },
    ]);
    assert.equal(res.headers['x-ms-resource-unit'], '4');
    const direct = await graphGet(http, url(`/groups/${guid(1, 2)}/members?$select=id`), token);
    assert.equal(direct.body.value.length, 3);
  });

  test('a tampered $skiptoken is refused', async () => {
    const first = await graphGet(http, url('/users?$top=2'), token);
    const link = String(first.body['@odata.nextLink']).replace(/\$skiptoken=([^&]+)/, (_m, tok: string) => `$skiptoken=${Buffer.from('{"k":"users","o":140}').toString('base64url')}.${tok.split('.')[1]}`);
    const res = await graphGet(http, link, token);
    assert.equal(res.status, 400);
  });

  test('the login service answers unknown tenants and wrong scopes with AADSTS errors', async () => {
    const res = await http.request({ method: 'GET', url: `${sim.loginUrl}/${guid(5, 9)}/v2.0/.well-known/openid-configuration` });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.text).error_description, /^AADSTS90002: Tenant/);
    const scope = await http.request({
      method: 'POST',
      url: `${sim.loginUrl}/${t.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
    });
    const body = JSON.parse(scope.text);
    assert.equal(scope.status, 400);
    assert.equal(body.error, 'invalid_resource');
    assert.deepEqual(body.error_codes, [500011]);
  });

  test('user properties are Graph\'s own (its metadata): unknown ones 400, single-user ones refused on the list, signInActivity needs AuditLog.Read.All', async () => {
    const id = t.users[0].id;
    const unknown = await graphGet(http, url('/users?$select=id,manager_email'), token);
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /Could not find a property named 'manager_email'/);
    const nested = await graphGet(http, url('/users?$select=id,creationType,employeeOrgData,onPremisesExtensionAttributes'), token);
    assert.equal(nested.status, 200);
    const onList = await graphGet(http, url('/users?$select=id,aboutMe'), token);
    assert.equal(onList.status, 400);
    assert.equal((await graphGet(http, url(`/users/${id}?$select=id,aboutMe`), token)).status, 200);
    const denied = await graphGet(http, url('/users?$select=id,signInActivity'), token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'Authorization_RequestDenied');
    const audit = await startGraphSim([t], { tls: await simTls(), roles: ['User.Read.All', 'GroupMember.Read.All', 'AuditLog.Read.All'] });
    try {
      const ok = await graphGet(http, `${audit.graphUrl}/v1.0/users?$select=id,signInActivity`, await rawToken(http, audit, t));
      assert.equal(ok.status, 200);
      assert.ok(ok.body.value.every((u: Record<string, unknown>) => 'signInActivity' in u));
    } finally {
      await audit.stop();
    }
  });
});
