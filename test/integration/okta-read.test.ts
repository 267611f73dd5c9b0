// The Okta reader over real HTTPS against the Okta simulator: the service app's private_key_jwt
// sign-in (assertions signed by us, verified by the simulator), every user whatever their status,
// Link paging, groups by name or id, managers, rate limits honoured, and a failed page never
// read as fewer users.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OKTA_GROUPS } from '../../src/sim/okta/world';
import { oktaNeeds, OktaEnv, startOktaEnv } from '../support/okta-fixture';
import { readFails } from '../support/read-fails';

const otherKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();


describe('Okta reader', () => {
  let env: OktaEnv;
  before(async () => {
    env = await startOktaEnv(2500);
  });
  after(() => env.close());

  it('reads every user, deactivated ones included, in pages of 200, with a signed assertion', async () => {
    env.sim.requests.length = 0;
    const snap = await env.open().read(oktaNeeds(), {});
    assert.equal(snap.users.length, env.org.users.length);
    const deprovisioned = env.org.users.filter((u) => u.status === 'DEPROVISIONED');
    assert.ok(deprovisioned.length > 20);
    for (const d of deprovisioned) assert.equal(snap.users.find((u) => u.id === d.id)?.enabled, false, d.id);
    const byStatus = (s: string) => snap.users.filter((u) => u.attrs.status === s);
    for (const s of ['ACTIVE', 'PROVISIONED', 'STAGED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']) assert.ok(byStatus(s).length && byStatus(s).every((u) => u.enabled), s);
    assert.ok(byStatus('SUSPENDED').length && byStatus('SUSPENDED').every((u) => !u.enabled));
    const pages = env.sim.requests.filter((r) => r.path === '/api/v1/users');
    const active = env.org.users.length - deprovisioned.length;
    assert.equal(pages.length, Math.ceil(active / 200) + Math.ceil(deprovisioned.length / 200));
    assert.ok(pages.every((p) => p.auth === 'Bearer' && p.status === 200));
    assert.equal(env.sim.requests.filter((r) => r.path === '/oauth2/v1/token').length, 1, 'one token for the whole read');
    const u = snap.users.find((x) => x.id === env.org.users[1].id)!;
    assert.deepEqual([u.email, u.login, u.attrs.department, u.guest], [env.org.users[1].profile.email, env.org.users[1].profile.login, env.org.users[1].profile.department, false]);
  });

  it('names a user by displayName, else first and last name; custom attributes read by name', async () => {
    const snap = await env.open().read(oktaNeeds({ attributes: ['customerTier', 'displayName'] }), {});
    const noDisplay = env.org.users.find((x) => x.profile.displayName === undefined)!;
    const u = snap.users.find((x) => x.id === noDisplay.id)!;
    assert.equal(u.name, `${noDisplay.profile.firstName} ${noDisplay.profile.lastName}`);
    assert.equal(u.attrs.displayName, null);
    assert.equal(u.attrs.customerTier, noDisplay.profile.customerTier);
  });

  it('groups by name and by id, members in pages of 1000, never nested', async () => {
    env.sim.requests.length = 0;
    const staff = env.org.groups.find((g) => g.profile.name === OKTA_GROUPS.staff)!;
    const managers = env.org.groups.find((g) => g.profile.name === OKTA_GROUPS.managers)!;
    const snap = await env.open().read(oktaNeeds({ groups: [OKTA_GROUPS.staff, managers.id] }), {});
    const byRef = new Map(snap.groups.map((g) => [g.ref, g]));
    assert.deepEqual([...byRef.get(OKTA_GROUPS.staff)!.memberIds].sort(), [...staff.members].sort());
    assert.deepEqual([...byRef.get(managers.id)!.memberIds].sort(), [...managers.members].sort());
    assert.equal(byRef.get(managers.id)!.displayName, OKTA_GROUPS.managers);
    const memberPages = env.sim.requests.filter((r) => r.path === `/api/v1/groups/${staff.id}/users`);
    assert.equal(memberPages.length, Math.ceil(staff.members.length / 1000));
  });

  it('managers named by login or employee number resolve to Okta ids, with their attributes', async () => {
    const snap = await env.open().read(oktaNeeds({ manager: true, attributes: ['department', 'title'], managerAttributes: ['title'] }), {});
    const byId = new Map(snap.users.map((u) => [u.id, u]));
    const [boss, byLogin, byNumber] = [env.org.users[0], env.org.users[1], env.org.users[2]];
    assert.equal(byId.get(byLogin.id)!.managerId, boss.id);
    assert.equal(byId.get(byNumber.id)!.managerId, boss.id);
    assert.equal(byId.get(boss.id)!.managerId, null);
    assert.equal(byId.get(byLogin.id)!.attrs['manager.title'], boss.profile.title);
  });

  it('the simulator\'s q is a name or email prefix, unpaged, without deactivated users (as documented)', async () => {
    const client = env.open().client({});
    const { body, next } = await client.get(client.url('/users?q=amir'));
    const users = body as Array<{ status: string; profile: { firstName: string; lastName: string; email: string } }>;
    assert.ok(users.length > 0 && users.every((u) => [u.profile.firstName, u.profile.lastName, u.profile.email].some((v) => v.toLowerCase().startsWith('amir'))));
    assert.ok(users.every((u) => u.status !== 'DEPROVISIONED'));
    assert.equal(next, undefined);
  });

  it('an API token reads the same (SSWS)', async () => {
    env.sim.requests.length = 0;
    const snap = await env.open('api-token').read(oktaNeeds(), {});
    assert.equal(snap.users.length, env.org.users.length);
    assert.ok(env.sim.requests.every((r) => r.auth === 'SSWS'));
  });

  it('a key Okta does not hold is refused at sign-in, and nothing is read', async () => {
    await readFails(env.open('service-app', { privateKey: otherKey() }).read(oktaNeeds(), {}), /Sign-in to Okta "customers" failed: .*invalid_client.*signature is invalid/);
  });

  it('a service app without okta.groups.read: the groups read fails, naming the scope', async () => {
    const app = env.org.serviceApps[0];
    const scopes = app.scopes;
    app.scopes = ['okta.users.read'];
    try {
      await readFails(env.open().read(oktaNeeds({ groups: [OKTA_GROUPS.staff] }), {}), /invalid_scope|okta\.groups\.read/);
    } finally {
      app.scopes = scopes;
    }
  });

  it('a group no one has, or two share, stops the read', async () => {
    await readFails(env.open().read(oktaNeeds({ groups: ['No Such Group'] }), {}), /no group is named "No Such Group"/);
    env.org.groups.push({ ...env.org.groups[1], id: '00gDuplicateGroup0001', members: [] });
    try {
      await readFails(env.open().read(oktaNeeds({ groups: [OKTA_GROUPS.managers] }), {}), /2 groups are named "Customer Managers"/);
    } finally {
      env.org.groups.pop();
    }
  });

  it('checkAccess names the scopes the token carries', async () => {
    const check = await env.open().checkAccess(oktaNeeds(), {});
    assert.equal(check.ok, true, check.detail);
    assert.deepEqual(check.granted, ['okta.users.read', 'okta.groups.read']);
    const bad = await env.open('api-token', { apiToken: 'not-a-token' }).checkAccess(oktaNeeds(), {});
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /401: E0000011/);
  });
});

describe('Okta reader: failures and limits', () => {
  let env: OktaEnv;
  before(async () => {
    env = await startOktaEnv(900, { rateLimit: { users: 4, windowMs: 1500 } });
  });
  after(() => env.close());

  it('waits for a spent rate-limit window to reset instead of causing a 429', async () => {
    env.sim.requests.length = 0;
    const snap = await env.open().read(oktaNeeds(), {});
    assert.equal(snap.users.length, env.org.users.length);
    assert.equal(env.sim.requests.filter((r) => r.status === 429).length, 0, 'a 429 happened');
    assert.ok(env.sim.requests.filter((r) => r.path === '/api/v1/users').length > 4, 'more pages than one window allows');
  });

  it('a 429 (E0000047) is retried after X-Rate-Limit-Reset; a 5xx on a middle page is retried', async () => {
    env.faults.add({ path: '/api/v1/users', kind: 'status', status: 429, skip: 1 });
    env.faults.add({ path: '/api/v1/users', kind: 'status', status: 503, skip: 2 });
    const snap = await env.open().read(oktaNeeds(), {});
    assert.equal(snap.users.length, env.org.users.length);
    assert.deepEqual(env.faults.fired.slice(-2).map((f) => f.status), [429, 503]);
  });

  it('a middle page that keeps failing, times out or comes back cut short fails the read: never fewer users', async () => {
    try {
      env.faults.clear();
      env.faults.add({ path: '/api/v1/users', kind: 'status', status: 500, skip: 2, times: Infinity });
      await readFails(env.open().read(oktaNeeds(), {}), /GET \/api\/v1\/users did not succeed after 3 attempts; last: Okta answered 500/);
      env.faults.clear();
      // The body is cut off mid-way with its full length announced: the connection breaks off.
      env.faults.add({ path: '/api/v1/users', kind: 'truncate', skip: 1, times: Infinity });
      await readFails(env.open().read(oktaNeeds(), {}), /did not succeed after 3 attempts; last: .*(broke off|not complete JSON)/);
      env.faults.clear();
      env.faults.add({ path: '/api/v1/users', kind: 'timeout', skip: 1, times: Infinity });
      await readFails(env.open().read(oktaNeeds(), {}), /did not succeed after 3 attempts/);
    } finally {
      env.faults.clear();
    }
  });

  it('a token that stops working mid-read is replaced once', async () => {
    env.faults.add({ path: '/api/v1/users', kind: 'expireToken', skip: 1 });
    const before = env.sim.requests.filter((r) => r.path === '/oauth2/v1/token').length;
    const dir = env.open();
    const snap = await dir.read(oktaNeeds(), {});
    assert.equal(snap.users.length, env.org.users.length);
    assert.equal(env.sim.requests.filter((r) => r.path === '/oauth2/v1/token').length - before, 2);
  });

  it('an app that demands DPoP gets a message saying what to change', async () => {
    const strict = await startOktaEnv(10, { requireDpop: true });
    try {
      await readFails(strict.open().read(oktaNeeds(), {}), /requires DPoP-bound tokens.*turn off "Require Demonstrating Proof of Possession/);
    } finally {
      await strict.close();
    }
  });
});
