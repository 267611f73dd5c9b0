// The Halo simulator on its own, spoken to over HTTP the way Halo is documented to answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient, HttpResponse } from '../../src/net/http';
import { Faults } from '../../src/sim/faults';
import { HaloSim, startHaloSim } from '../../src/sim/halo/server';
import { makeCertificate } from '../../src/sim/tls';
import { ROLE_ADMIN, ROLE_TECH, SECRET, haloState } from '../support/halo-fixture';

const http = new HttpClient();
after(() => http.close());

async function token(sim: HaloSim, form: Record<string, string> = {}, query = '?tenant=contoso'): Promise<HttpResponse> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'halo-app', client_secret: SECRET, scope: 'all', ...form }).toString();
  return http.request({ method: 'POST', url: `${sim.authUrl}/token${query}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

async function bearer(sim: HaloSim): Promise<string> {
  const res = await token(sim);
  assert.equal(res.status, 200, res.text);
  return (JSON.parse(res.text) as { access_token: string }).access_token;
}

function api(sim: HaloSim, tok: string) {
  return async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await http.request({
      method,
      url: `${sim.url}/api${path}`,
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as any, text: res.text, headers: res.headers };
  };
}

describe('Halo simulator: authorisation', () => {
  let sim: HaloSim;
  before(async () => (sim = await startHaloSim(haloState())));
  after(() => sim.stop());

  it('serves authinfo without a token', async () => {
    const res = await http.request({ method: 'GET', url: `${sim.url}/api/authinfo` });
    assert.deepEqual(JSON.parse(res.text), { auth_url: sim.authUrl, tenant_id: 'contoso' });
  });

  it('issues client-credentials tokens, with the tenant as query or form parameter', async () => {
    const res = await token(sim);
    const body = JSON.parse(res.text);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'all');
    assert.equal((await token(sim, { tenant: 'contoso' }, '')).status, 200);
    assert.equal((await token(sim, {}, '')).status, 400, 'a hosted instance needs the tenant');
  });

  it('refuses bad credentials with invalid_client', async () => {
    const res = await token(sim, { client_secret: 'wrong' });
    assert.equal(res.status, 401);
    assert.deepEqual(JSON.parse(res.text), { error: 'invalid_client' });
  });

  it('requires a live bearer token on /api', async () => {
    assert.equal((await api(sim, 'made-up')('GET', '/Agent')).status, 401);
    const noAuth = await http.request({ method: 'GET', url: `${sim.url}/api/Agent` });
    assert.equal(noAuth.status, 401);
    assert.equal((await api(sim, await bearer(sim))('GET', '/Agent')).status, 200);
  });

  it('lets tokens expire', async () => {
    const short = await startHaloSim(haloState(), { tokenLifetimeSeconds: 0.2 });
    try {
      const res = await token(short);
      const call = api(short, JSON.parse(res.text).access_token);
      assert.equal((await call('GET', '/Agent')).status, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await call('GET', '/Agent')).status, 401);
    } finally {
      await short.stop();
    }
  });
});

describe('Halo simulator: reads', () => {
  let sim: HaloSim;
  let call: ReturnType<typeof api>;
  before(async () => {
    sim = await startHaloSim(haloState({ users: 7 }), { modes: { userRows: 'older' } });
    call = api(sim, await bearer(sim));
  });
  after(() => sim.stop());

  it('pages /Users as {record_count, users} with 1-based page_no, case-insensitively routed', async () => {
    const p1 = await call('GET', '/users?pageinate=true&page_size=3&page_no=1&includeinactive=true');
    const p3 = await call('GET', '/Users?pageinate=true&page_size=3&page_no=3&includeinactive=true');
    assert.equal(p1.json.record_count, 7);
    assert.equal(p1.json.users.length, 3);
    assert.equal(p3.json.users.length, 1);
    const active = await call('GET', '/Users?pageinate=true&page_size=50&page_no=1');
    assert.equal(active.json.record_count, 6, 'inactive users only with includeinactive');
  });

  it('leaves listRowsOmit fields out of list rows but not out of details', async () => {
    const list = await call('GET', '/Users?pageinate=true&page_size=50&page_no=1');
    assert.ok(list.json.users.every((u: object) => !('azureoid' in u)));
    const one = await call('GET', '/Users/101?includedetails=true');
    assert.equal(one.json.azureoid, 'oid-1');
    assert.equal((await call('GET', '/Users/999')).status, 404);
  });

  it('finds a user by advanced_search equality and refuses other filters', async () => {
    const q = (f: unknown) => `/Users?advanced_search=${encodeURIComponent(JSON.stringify(f))}`;
    const hit = await call('GET', q([{ filter_name: 'emailaddress', filter_type: 2, filter_value: 'USER3@contoso.com' }]));
    assert.deepEqual(hit.json.users.map((u: { id: number }) => u.id), [103]);
    const bad = await call('GET', q([{ filter_name: 'title', filter_type: 2, filter_value: 'x' }]));
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Invalid advanced search parameter/);
  });

  it('answers /Agent as a bare array, hiding disabled and API agents; no roles (includeroles is undocumented); teams with include_membership_info', async () => {
    const plain = await call('GET', '/Agent');
    assert.ok(Array.isArray(plain.json));
    assert.deepEqual(plain.json.map((a: { id: number }) => a.id), [2]);
    assert.ok(!('roles' in plain.json[0]));
    assert.ok(!('teams' in plain.json[0]), 'teams only when asked for');
    assert.equal(plain.json[0].role_list, 'Technician, Reports');
    const all = await call('GET', '/Agent?includedisabled=true&includeapiagents=true&includeroles=true&include_membership_info=true');
    assert.deepEqual(all.json.map((a: { id: number }) => a.id).sort(), [1, 2, 3]);
    assert.ok(all.json.every((a: object) => !('roles' in a)), 'includeroles is not honoured by default');
    assert.equal(all.json.find((a: { id: number }) => a.id === 2).teams.length, 2);
    const byRole = await call('GET', '/Agent?role=5&includedisabled=true');
    assert.deepEqual(byRole.json.map((a: { id: number }) => a.id), [2], 'role= filters by the integer id');
    const me = await call('GET', '/Agent/me');
    assert.equal(me.json.isapiagent, true);
    const detail = await call('GET', '/Agent/2?includedetails=true');
    assert.equal(detail.json.roles[0].id, ROLE_TECH);
  });

  it('wraps sites and clients, and serves the unpaged lists as arrays', async () => {
    const sites = await call('GET', '/Site?includeinactive=true');
    assert.equal(sites.json.record_count, 3);
    assert.equal((await call('GET', '/Site')).json.sites.length, 2);
    assert.equal((await call('GET', '/Client')).json.clients.length, 2);
    assert.ok(Array.isArray((await call('GET', '/Team')).json));
    assert.ok(Array.isArray((await call('GET', '/Roles')).json));
    assert.ok(Array.isArray((await call('GET', '/UserRoles')).json));
    const cabs = await call('GET', '/CAB?includemembers=true');
    assert.equal(cabs.json[0].members.length, 1);
    assert.ok(!('members' in (await call('GET', '/CAB')).json[0]));
  });
});

describe('Halo simulator: writes', () => {
  let sim: HaloSim;
  let call: ReturnType<typeof api>;
  before(async () => {
    sim = await startHaloSim(haloState());
    call = api(sim, await bearer(sim));
  });
  after(() => sim.stop());

  it('creates from an element without id and answers one element with the object', async () => {
    const res = await call('POST', '/Users', [{ name: 'New Person', site_id: 11, emailAddress: 'new@contoso.com' }]);
    assert.equal(res.status, 201, res.text);
    assert.ok(!Array.isArray(res.json));
    assert.equal(res.json.emailaddress, 'new@contoso.com', 'property names bind case-insensitively');
    assert.equal(res.json.site_name, 'Leeds');
    assert.ok(sim.state.users.some((u) => u.id === res.json.id));
  });

  it('updates only the properties sent, and answers several elements with one object (the newer document)', async () => {
    const res = await call('POST', '/Users', [
      { id: 102, inactive: true },
      { id: 103, azureoid: 'linked' },
    ]);
    assert.equal(res.status, 201, res.text);
    assert.ok(!Array.isArray(res.json));
    assert.equal(res.json.id, 103);
    const u102 = sim.state.users.find((u) => u.id === 102)!;
    assert.equal(u102.inactive, true);
    assert.equal(u102.emailaddress, 'user2@contoso.com');
    assert.equal(sim.state.users.find((u) => u.id === 103)!.azureoid, 'linked');
  });

  it('rejects an unknown property (additionalProperties: false) with a ModelState body', async () => {
    const res = await call('POST', '/Users', [{ name: 'X', site_id: 10, favouriteColour: 'blue' }]);
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.json), ['[0].favouriteColour']);
    const wrongType = await call('POST', '/Agent', [{ id: 2, isdisabled: 'yes' }]);
    assert.equal(wrongType.status, 400);
    assert.ok('[0].isdisabled' in wrongType.json);
  });

  it('rejects a user without a site, and an agent without a name', async () => {
    const user = await call('POST', '/Users', [{ name: 'No Site', emailaddress: 'nosite@contoso.com' }]);
    assert.equal(user.status, 400);
    assert.equal(user.json.ClassName, 'HaloValidationException');
    assert.match(user.json.Message, /Site/);
    const agent = await call('POST', '/Agent', [{ email: 'noname@contoso.com' }]);
    assert.equal(agent.status, 400);
    assert.equal((await call('POST', '/Users', [{ id: 9999, inactive: true }])).status, 400);
  });

  it('rejects the whole batch when one element is bad, saving nothing', async () => {
    const before = sim.state.users.length;
    const res = await call('POST', '/Users', [
      { name: 'Good One', site_id: 10 },
      { name: 'Bad One' },
    ]);
    assert.equal(res.status, 400);
    assert.equal(sim.state.users.length, before);
  });

  it('replaces agent roles with roles, appends with add_roles, resolves teams', async () => {
    // POST /Agent declares a 200 with no content (the newer document): what it saved is read back.
    const post = async (body: unknown) => {
      const r = await call('POST', '/Agent', body);
      assert.deepEqual([r.status, r.text], [200, '']);
      return (await call('GET', '/Agent/2?includedetails=true')).json;
    };
    let agent = await post([{ id: 2, roles: [{ id: ROLE_ADMIN }] }]);
    assert.deepEqual(agent.roles.map((r: { name: string }) => r.name), ['Administrator']);
    agent = await post([{ id: 2, add_roles: [{ id: ROLE_TECH }] }]);
    assert.deepEqual(agent.roles.map((r: { name: string }) => r.name), ['Administrator', 'Technician']);
    agent = await post([{ id: 2, teams: [{ team_id: 4 }] }]);
    assert.deepEqual(agent.teams.map((t: { team_name: string }) => t.team_name), ['Projects']);
    assert.equal((await call('POST', '/Agent', [{ id: 2, roles: [{ id: 'no-such-role' }] }])).status, 400);
  });

  it('stores custom fields by name and replaces CAB members', async () => {
    const user = await call('POST', '/Users', [{ id: 101, customfields: [{ name: 'CFDepartment', value: 'Legal' }] }]);
    assert.equal(user.json.customfields.find((f: { name: string }) => f.name === 'CFDepartment').value, 'Legal');
    assert.equal((await call('POST', '/Users', [{ id: 101, customfields: [{ name: 'CFShoeSize', value: 44 }] }])).status, 400, 'an unknown custom field is a 400');
    assert.equal((await call('POST', '/CAB', [{ id: 1, members: [{ agent_id: 3, type: 2, role_id: 1 }] }])).status, 400, 'CAB member type is checked');
    const cab = await call('POST', '/CAB', [{ id: 1, members: [{ agent_id: 3, type: 1, role_id: 1 }] }]);
    assert.deepEqual([cab.status, cab.text], [200, ''], 'POST /CAB declares no content');
    assert.deepEqual(sim.state.cabs[0].members, [{ agent_id: 3, type: 1, role_id: 1, member_name: 'Old Agent', emailaddress: 'old@contoso.com', role_name: 'Approver', cab_id: 1 }]);
  });

  it('has DELETE, answering with the id', async () => {
    const res = await call('DELETE', '/Users/104');
    assert.deepEqual(res.json, { id: 104 });
    assert.equal((await call('GET', '/Users/104')).status, 404);
  });
});

describe('Halo simulator: limits, faults, TLS', () => {
  it('answers 429 with the observed message and no Retry-After once the window is full', async () => {
    const sim = await startHaloSim(haloState(), { rateLimit: { requests: 3, windowMs: 60_000 } });
    try {
      const call = api(sim, await bearer(sim)); // the token request counts for this client too
      assert.equal((await call('GET', '/Agent')).status, 200);
      assert.equal((await call('GET', '/Agent')).status, 200);
      const res = await call('GET', '/Agent');
      assert.equal(res.status, 429);
      assert.equal(res.text, 'Rate Limit Reached - 3 Requests per rolling 1 minute window');
      assert.equal(res.headers['retry-after'], undefined);
    } finally {
      await sim.stop();
    }
  });

  it('applies injected faults before routing and logs every request', async () => {
    const faults = new Faults().add({ path: /\/api\/agent$/i, kind: 'status', status: 503 }).add({ path: '/api/Site', kind: 'expireToken' });
    const sim = await startHaloSim(haloState(), { faults });
    try {
      const tok = await bearer(sim);
      const call = api(sim, tok);
      assert.equal((await call('GET', '/Agent')).status, 503);
      assert.equal((await call('GET', '/Agent')).status, 200);
      assert.equal((await call('GET', '/Site')).status, 401);
      assert.equal((await call('GET', '/Client')).status, 401, 'an expired token stays expired');
      assert.deepEqual(
        sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
        ['POST /auth/token 200', 'GET /api/Agent 503', 'GET /api/Agent 200', 'GET /api/Site 401', 'GET /api/Client 401'],
      );
    } finally {
      await sim.stop();
    }
  });

  it('serves HTTPS when given a certificate, and can hide authinfo', async () => {
    const tls = await makeCertificate();
    const sim = await startHaloSim(haloState({ tenant: null }), { tls, authInfo: false });
    const https = new HttpClient({ ca: [tls.cert] });
    try {
      assert.match(sim.url, /^https:/);
      assert.equal((await https.request({ method: 'GET', url: `${sim.url}/api/authinfo` })).status, 404);
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'halo-app', client_secret: SECRET }).toString();
      const res = await https.request({ method: 'POST', url: `${sim.authUrl}/token`, body });
      assert.equal(res.status, 200, 'a self-hosted instance needs no tenant');
    } finally {
      https.close();
      await sim.stop();
    }
  });
});
