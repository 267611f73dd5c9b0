// The SCIM bridge end to end: scripted IdPs replay what Entra's provisioning service (with and
// without aadOptscim062020) and Okta send (scim.md §2, §3); the bridge keeps it in its store and
// the same engine as `apply` brings the Halo simulator (documented default) to match.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { Bridge, startBridge } from '../../src/scim/bridge';
import { ENTRA_CLIENT_ID, SCIM_ENTRA, SCIM_ENV, SCIM_GROUPS, SCIM_OKTA, scimMapping } from '../../src/sim/example-scim';
import type { HaloRecord } from '../../src/sim/state';
import { EntraProvisioning, IdpUser, OktaProvisioning, people, ScimClient } from '../support/scim-idp';
import { SimEnv, startSimEnv } from '../support/sim-env';

interface Env {
  sim: SimEnv;
  bridge: Bridge;
  entra(flag?: boolean): EntraProvisioning;
  /** Entra with OAuth 2.0 client credentials: an access token from the bridge's token endpoint. */
  entraOAuth(): Promise<EntraProvisioning>;
  okta(): OktaProvisioning;
  haloUser(email: string): HaloRecord | undefined;
  haloAgent(email: string): HaloRecord | undefined;
}

async function startEnv(): Promise<Env> {
  const sim = await startSimEnv({ mapping: scimMapping() });
  const m = readMappingFile(sim.file);
  const env = { ...sim.sims.env, ...SCIM_ENV };
  const bridge = await startBridge({
    mapping: validMapping(m),
    baseDir: m.baseDir,
    lookup: (kind, name) => (kind === 'env' ? env[name] : undefined),
    listen: { host: '127.0.0.1', port: 0 },
    // The tests run each sync themselves: no timer decides when.
    quietMs: 3_600_000,
    maxWaitMs: 3_600_000,
    connectOptions: { haloBackoffMs: [10, 20, 40] },
  });
  const base = `${bridge.url}/scim/v2`;
  const lower = (v: unknown) => String(v ?? '').toLowerCase();
  return {
    sim,
    bridge,
    entra: (flag = false) => new EntraProvisioning(new ScimClient(base, () => `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`), flag),
    async entraOAuth() {
      const res = await fetch(`${bridge.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${ENTRA_CLIENT_ID}:${SCIM_ENV.SCIM_ENTRA_CLIENT_SECRET}`).toString('base64')}` }, body: 'grant_type=client_credentials&scope=scim' });
      assert.equal(res.status, 200);
      const token = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      assert.equal(token.token_type, 'Bearer');
      assert.ok(token.expires_in >= 3600 && token.expires_in <= 6 * 3600);
      return new EntraProvisioning(new ScimClient(base, () => `Bearer ${token.access_token}`), true);
    },
    okta: () => new OktaProvisioning(new ScimClient(base, () => `Bearer ${SCIM_ENV.SCIM_OKTA_TOKEN}`)),
    haloUser: (email) => sim.sims.world.halo.users.find((u) => lower(u.emailaddress) === email.toLowerCase()),
    haloAgent: (email) => sim.sims.world.halo.agents.find((a) => lower(a.email) === email.toLowerCase()),
  };
}

async function sync(env: Env): Promise<void> {
  await env.bridge.sync?.run();
  const s = env.bridge.sync?.status();
  assert.equal(s?.state, 'idle', `the sync ended ${s?.state}: ${s?.failure?.message ?? s?.held?.reason ?? ''}`);
}

for (const flag of [false, true]) {
  describe(`Entra's provisioning service${flag ? ' with aadOptscim062020, over OAuth client credentials' : ', with a Secret Token'}`, () => {
    let env: Env;
    let entra: EntraProvisioning;
    // Enough staff that the three leavers stay under the mapping's 20 % deactivation threshold.
    const [staff1, staff2, staff3, agent, approver, ...others] = people(20, flag ? 'flagged' : 'plain');
    before(async () => {
      env = await startEnv();
      // Entra offers both credentials: the Secret Token without the flag, client credentials with it.
      entra = flag ? await env.entraOAuth() : env.entra(flag);
    });
    after(async () => {
      await env.bridge.stop();
      await env.sim.close();
    });

    it('passes Test Connection: a random userName and a random group name match nothing', async () => {
      for (const answer of await entra.testConnection()) {
        assert.equal(answer.status, 200);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/scim\+json/);
        assert.equal(answer.body.totalResults, 0);
        assert.deepEqual(answer.body.Resources, []);
      }
    });

    it('creates, matches, groups and updates as Entra does, and Halo follows', async () => {
      for (const u of [staff1, staff2, staff3, agent, approver, ...others]) await entra.provision(u);
      // A second cycle matches by userName and creates nothing.
      const again = await entra.provision(staff1);
      assert.equal(again, entra.id(staff1));
      assert.equal(env.bridge.store.userCount(SCIM_ENTRA), 20);
      await entra.group('g-staff', SCIM_GROUPS.staff);
      await entra.group('g-desk', SCIM_GROUPS.agents);
      await entra.group('g-appr', SCIM_GROUPS.approvers);
      assert.equal((await entra.addMembers('g-staff', [staff1, staff2, staff3, approver, ...others])).status, 204);
      assert.equal((await entra.addMembers('g-desk', [agent])).status, 204);
      assert.equal((await entra.addMembers('g-appr', [approver])).status, 204);
      const updated = await entra.update(staff2, { surname: 'Renamed', mail: `renamed.${staff2.mail}`, department: 'Finance' });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.name.familyName, 'Renamed');
      assert.equal(updated.body.emails.find((e: { type: string }) => e.type === 'work').value, `renamed.${staff2.mail}`);
      assert.equal(updated.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department, 'Finance');
      assert.equal((await entra.setManager(staff3, staff1)).status, 200);
      assert.equal((await entra.read(staff3)).body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager.value, entra.id(staff1));

      await sync(env);
      for (const u of [staff1, staff3, approver]) {
        const h = env.haloUser(u.mail);
        assert.ok(h, `${u.mail} is in Halo`);
        assert.equal(h.client_id, 2);
        assert.equal(h.site_id, 20);
        assert.equal(h.inactive, false);
      }
      const renamed = env.haloUser(`renamed.${staff2.mail}`);
      assert.ok(renamed, 'the user is created with the email Entra changed it to');
      assert.equal(renamed.surname, 'Renamed');
      assert.ok(env.haloAgent(agent.mail), 'the service desk member is an agent');
      const roles = (env.haloUser(approver.mail)?.roles as Array<{ name?: string }> | undefined)?.map((r) => r.name) ?? [];
      assert.ok(roles.includes('Approver'), `the approver has the Approver role (${roles.join(', ')})`);
    });

    it('disables, removes from a group and deletes: Halo deactivates and never deletes', async () => {
      const disabled = await entra.disable(staff1);
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body.active, false);
      assert.equal((await entra.removeMember('g-staff', staff3)).status, 204);
      const group = await entra.client.send('GET', `/Groups/${entra.groupIds.get('g-staff')}`);
      assert.deepEqual(group.body.members.map((m: { value: string }) => m.value).sort(), [staff1, staff2, approver, ...others].map((u) => entra.id(u)).sort(), 'only the one member is removed');
      assert.equal((await entra.renameGroup('g-appr', SCIM_GROUPS.approvers)).status, 204);
      assert.equal((await entra.disable(approver)).status, 200);
      assert.equal((await entra.remove(approver)).status, 204);
      assert.equal((await entra.read(approver)).status, 404);
      const usersBefore = env.sim.sims.world.halo.users.length;
      await sync(env);
      assert.equal(env.haloUser(staff1.mail)?.inactive, true, 'disabled in Entra: deactivated in Halo');
      // Matched by email, not linked: out of every rule it is an orphan (reported; deprovision.orphans decides).
      assert.equal(env.haloUser(staff3.mail)?.inactive, false, 'out of the group: left as it is, reported as an orphan');
      assert.equal(env.haloUser(approver.mail)?.inactive, true, 'disabled, then deleted before a sync: deactivated, not deleted');
      assert.equal(env.sim.sims.world.halo.users.length, usersBefore, 'no Halo user was deleted');
      assert.equal(env.haloUser(`renamed.${staff2.mail}`)?.inactive, false);
      assert.equal(env.sim.sims.requests.halo.filter((r) => r.method === 'DELETE').length, 0);
    });
  });
}

describe('Okta (App Integration Wizard: PUT for updates, Group Push, a bearer token)', () => {
  let env: Env;
  const [a, b, c, ...others] = people(10, 'okta', 'customer.example');
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env.bridge.stop();
    await env.sim.close();
  });

  it('provisions, pushes the group and deactivates by PUT', async () => {
    const okta = env.okta();
    // Okta's save-time probes.
    assert.equal((await okta.client.send('GET', '/Users?startIndex=1&count=2')).status, 200);
    assert.equal((await okta.client.send('GET', '/Groups?startIndex=1&count=100')).status, 200);
    for (const u of [a, b, c, ...others]) await okta.provision(u);
    const dup = await okta.client.send('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: a.upn.toUpperCase(), active: true });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.scimType, 'uniqueness');
    await okta.pushGroup(SCIM_GROUPS.staff, [a, b, c, ...others]);
    const stored = env.bridge.store.users(SCIM_OKTA).find((u) => u.userName === a.upn);
    assert.ok(stored && !('password' in stored.resource), 'the password Okta sends is never kept');
    await sync(env);
    for (const u of [a, b, c]) assert.equal(env.haloUser(u.mail)?.client_id, 2, `${u.mail} is a Fabrikam user`);
    const put = await okta.put(b, { active: false });
    assert.equal(put.status, 200);
    assert.equal(put.body.active, false);
    await sync(env);
    assert.equal(env.haloUser(b.mail)?.inactive, true);
    assert.equal(env.haloUser(a.mail)?.inactive, false);
  });
});

describe('OneLogin and JumpCloud as scim.md §3 describes them', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env.bridge.stop();
    await env.sim.close();
  });

  it("takes OneLogin's JSON template (booleans rendered as strings) by POST and PUT", async () => {
    const client = env.entra().client;
    const body = (active: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ol.user@fabrikam.example', name: { givenName: 'One', familyName: 'Login' }, emails: [{ value: 'ol.user@fabrikam.example', type: 'work', primary: 'true' }], active });
    const created = await client.send('POST', '/Users', body('true'));
    assert.equal(created.status, 201);
    assert.equal(created.body.active, true);
    assert.equal(created.body.emails[0].primary, true);
    const put = await client.send('PUT', `/Users/${created.body.id}`, body('false'));
    assert.equal(put.status, 200);
    assert.equal(put.body.active, false);
  });

  it("JumpCloud's Test Connection user and group (created, then deleted) never reach Halo: no rule selects them", async () => {
    const client = env.entra().client;
    const user = await client.send('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jc-test-connection@fabrikam.example', emails: [{ value: 'jc-test-connection@fabrikam.example', type: 'work' }], active: true });
    const group = await client.send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'JumpCloud Test Group' });
    assert.equal((await client.send('PATCH', `/Groups/${group.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] })).status, 204);
    await sync(env);
    assert.equal(env.haloUser('jc-test-connection@fabrikam.example'), undefined);
    assert.equal((await client.send('DELETE', `/Groups/${group.body.id}`)).status, 204);
    assert.equal((await client.send('DELETE', `/Users/${user.body.id}`)).status, 204);
    assert.equal((await client.send('GET', `/Users/${user.body.id}`)).status, 404);
    await sync(env);
    assert.equal(env.haloUser('jc-test-connection@fabrikam.example'), undefined);
  });
});

describe('connections are isolated, and bad requests change nothing', () => {
  let env: Env;
  let entra: EntraProvisioning;
  let okta: OktaProvisioning;
  const [mine] = people(1, 'isolated');
  before(async () => {
    env = await startEnv();
    entra = env.entra();
    okta = env.okta();
    await entra.provision(mine);
  });
  after(async () => {
    await env.bridge.stop();
    await env.sim.close();
  });

  it("one connection never sees or changes another's users and groups", async () => {
    const id = entra.id(mine);
    assert.equal((await okta.client.send('GET', `/Users/${id}`)).status, 404);
    assert.equal((await okta.client.send('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status, 404);
    assert.equal((await okta.client.send('DELETE', `/Users/${id}`)).status, 404);
    assert.equal((await okta.client.send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${mine.upn}"`)}`)).body.totalResults, 0);
    // The same userName in another connection is that connection's own user.
    await okta.provision(mine);
    assert.notEqual(okta.ids.get(mine.objectId), id);
    const group = await okta.client.send('POST', '/Groups', { displayName: 'Grafted', members: [{ value: id }] });
    assert.equal(group.status, 400, "another connection's user id cannot be made a member");
    assert.equal(env.bridge.store.getUser(SCIM_ENTRA, id)?.active, true);
  });

  it('answers hostile and malformed requests with SCIM errors and leaves the store as it was', async () => {
    const before = env.bridge.store.changes();
    const base = `${env.bridge.url}/scim/v2`;
    const auth = { Authorization: `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`, 'Content-Type': 'application/scim+json' };
    const cases: Array<[string, RequestInit, number, string?]> = [
      ['bad JSON', { method: 'POST', headers: auth, body: '{"userName": ' }, 400, 'invalidSyntax'],
      ['a JSON array', { method: 'POST', headers: auth, body: '[]' }, 400, 'invalidSyntax'],
      ['a body over 1 MiB', { method: 'POST', headers: auth, body: JSON.stringify({ userName: 'big', title: 'x'.repeat(1_100_000) }) }, 413],
      ['a wrong type', { method: 'POST', headers: auth, body: JSON.stringify({ userName: 'typed', active: 'maybe' }) }, 400, 'invalidValue'],
      ['no userName', { method: 'POST', headers: auth, body: JSON.stringify({ displayName: 'Nobody' }) }, 400, 'invalidValue'],
      ['a group at /Users', { method: 'POST', headers: auth, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'grouped', displayName: 'G' }) }, 400, 'invalidValue'],
      ['an unknown schema', { method: 'POST', headers: auth, body: JSON.stringify({ schemas: ['urn:example:evil:2.0:User'], userName: 'evil' }) }, 400, 'invalidValue'],
      ['schemas not a list', { method: 'POST', headers: auth, body: JSON.stringify({ schemas: 'urn:ietf:params:scim:schemas:core:2.0:User', userName: 'flat' }) }, 400, 'invalidSyntax'],
      ['a PATCH with an unknown op', { method: 'PATCH', headers: auth, body: JSON.stringify({ Operations: [{ op: 'merge', path: 'active', value: false }] }) }, 400, 'invalidSyntax'],
      ['a PATCH with the wrong schema', { method: 'PATCH', headers: auth, body: JSON.stringify({ schemas: ['urn:evil'], Operations: [{ op: 'replace', path: 'active', value: false }] }) }, 400, 'invalidSyntax'],
    ];
    for (const [what, init, status, scimType] of cases) {
      const url = init.method === 'PATCH' ? `${base}/Users/${entra.id(mine)}` : `${base}/Users`;
      const res = await fetch(url, init);
      assert.equal(res.status, status, what);
      const body = (await res.json()) as { schemas: string[]; status: string; scimType?: string };
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error'], what);
      assert.equal(body.status, String(status), `${what}: status is a string`);
      if (scimType) assert.equal(body.scimType, scimType, what);
    }
    for (const filter of ['userName eq "x" or 1 eq 1', 'userName eq "x"; DROP TABLE users', `userName eq "${'('.repeat(40)}"`, '((((((((((((((((((((((((((((((((((userName eq "x"))))))))))))))))))))))))))))))))))', 'x'.repeat(5000)]) {
      const res = await fetch(`${base}/Users?filter=${encodeURIComponent(filter)}`, { headers: auth });
      const body = (await res.json()) as { totalResults?: number; scimType?: string };
      assert.ok(res.status === 400 ? body.scimType === 'invalidFilter' : body.totalResults === 0, `filter ${filter.slice(0, 40)}: ${res.status}`);
    }
    const malformed = await fetch(`${base}/Users/%E0%A4%A`, { headers: auth });
    assert.equal(malformed.status, 400, 'a malformed percent-encoding is the client\'s error');
    for (const authorization of ['', 'Bearer wrong-token-wrong-token-wrong-token-x', `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}x`]) {
      const res = await fetch(`${base}/Users`, { method: 'POST', headers: { ...auth, Authorization: authorization }, body: JSON.stringify({ userName: 'intruder' }) });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { status: string }).status, '401');
    }
    assert.equal(env.bridge.store.changes(), before, 'nothing was written');
    assert.equal(env.bridge.store.userCount(SCIM_ENTRA), 1);
  });
});

describe('the bridge holds what a plan would refuse, and outlasts a Halo outage', () => {
  let env: Env;
  let entra: EntraProvisioning;
  const staff = people(12, 'held');
  before(async () => {
    env = await startEnv();
    entra = env.entra();
    for (const u of staff) await entra.provision(u);
    await entra.group('g-staff', SCIM_GROUPS.staff);
    await entra.addMembers('g-staff', staff);
    await sync(env);
  });
  after(async () => {
    await env.bridge.stop();
    await env.sim.close();
  });

  it('answers Halo-independent while Halo is down, then catches up', async () => {
    env.sim.sims.faults.halo.add({ path: /./, kind: 'status', status: 503, times: Infinity });
    const extra: IdpUser = people(1, 'during-outage')[0];
    await entra.provision(extra);
    assert.equal((await entra.addMembers('g-staff', [extra])).status, 204);
    await env.bridge.sync?.run();
    assert.equal(env.bridge.sync?.status().state, 'failing');
    assert.equal(env.haloUser(extra.mail), undefined);
    env.sim.sims.faults.halo.clear();
    await sync(env);
    assert.equal(env.haloUser(extra.mail)?.inactive, false);
  });

  it('holds a push that would deactivate more than safety allows, answering the IdP normally', async () => {
    for (const u of staff.slice(0, 10)) assert.equal((await entra.disable(u)).status, 200);
    await env.bridge.sync?.run();
    const status = env.bridge.sync?.status();
    assert.equal(status?.state, 'held');
    assert.match(status?.held?.reason ?? '', /deactivat/i);
    for (const u of staff) assert.equal(env.haloUser(u.mail)?.inactive, false, `${u.mail} is left active while the sync is held`);
    const res = await fetch(`${env.bridge.url}/status`, { headers: { Authorization: `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}` } });
    const body = (await res.json()) as { halo: { state: string } };
    assert.equal(body.halo.state, 'held');
  });
});
