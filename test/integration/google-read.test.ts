// The Google Workspace reader over real HTTPS against the simulator: the service account's JWT
// bearer grant (signed by us, verified by the simulator, acting as an administrator), users at 500
// a page with only the fields the mapping reads, suspended and archived users, custom schemas only
// with projection=full, managers from relations, nested groups expanded, and failures that stop.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GOOGLE_GROUPS } from '../../src/sim/google/world';
import { googleNeeds, GoogleEnv, startGoogleEnv } from '../support/google-fixture';
import { readFails } from '../support/read-fails';


describe('Google Workspace reader', () => {
  let env: GoogleEnv;
  before(async () => {
    env = await startGoogleEnv(1200);
  });
  after(() => env.close());

  it('reads every user at 500 a page, asking only for the fields the mapping reads', async () => {
    env.sim.requests.length = 0;
    const snap = await env.open().read(googleNeeds({ attributes: ['orgUnitPath', 'organizations.department', 'phones.work'] }), {});
    assert.equal(snap.users.length, env.customer.users.length);
    const pages = env.sim.requests.filter((r) => r.path === '/admin/directory/v1/users');
    assert.equal(pages.length, Math.ceil(env.customer.users.length / 500));
    assert.ok(pages.every((p) => p.query.maxResults === '500' && p.query.customer === 'my_customer' && p.query.projection === undefined && p.status === 200));
    assert.equal(pages[0].query.fields, 'nextPageToken,users(archived,id,name,orgUnitPath,organizations,phones,primaryEmail,suspended)');
    const raw = env.customer.users[4];
    const u = snap.users.find((x) => x.id === raw.id)!;
    assert.deepEqual([u.email, u.name, u.attrs.orgUnitPath, u.attrs['organizations.department']], [raw.primaryEmail, (raw.name as { fullName: string }).fullName, raw.orgUnitPath, (raw.organizations as Array<{ department: string }>)[0].department]);
  });

  it('suspended and archived users are disabled', async () => {
    const snap = await env.open().read(googleNeeds(), {});
    const off = env.customer.users.filter((u) => u.suspended || u.archived).map((u) => u.id).sort();
    assert.ok(off.length > 10);
    assert.deepEqual(snap.users.filter((u) => !u.enabled).map((u) => u.id).sort(), off);
  });

  it('custom schemas only with projection=full; managers from relations', async () => {
    env.sim.requests.length = 0;
    const snap = await env.open().read(googleNeeds({ attributes: ['customSchemas.HR.costCode', 'orgUnitPath'], manager: true, managerAttributes: ['orgUnitPath'] }), {});
    assert.ok(env.sim.requests.filter((r) => r.path === '/admin/directory/v1/users').every((r) => r.query.projection === 'full'));
    const [boss, worker] = [env.customer.users[0], env.customer.users[3]];
    const w = snap.users.find((x) => x.id === worker.id)!;
    assert.equal(w.attrs['customSchemas.HR.costCode'], (worker.customSchemas as { HR: { costCode: string } }).HR.costCode);
    assert.equal(w.managerId, boss.id);
    assert.equal(w.attrs['manager.orgUnitPath'], boss.orgUnitPath);
    assert.equal(snap.users.find((x) => x.id === boss.id)!.managerId, null);
  });

  it('groups by name, address or id; nested groups expanded, external addresses left out, a customer-wide group is everyone', async () => {
    const staff = env.customer.groups.find((g) => g.name === GOOGLE_GROUPS.staff)!;
    const leads = env.customer.groups.find((g) => g.name === GOOGLE_GROUPS.leads)!;
    const snap = await env.open().read(googleNeeds({ groups: [GOOGLE_GROUPS.staff, leads.email, leads.id, GOOGLE_GROUPS.everyone] }), {});
    const byRef = new Map(snap.groups.map((g) => [g.ref, g]));
    const direct = (name: string) => env.customer.groups.find((g) => g.name === name)!.members.filter((m) => m.type === 'USER').map((m) => m.id);
    const expected = [...new Set([...direct(GOOGLE_GROUPS.staff), ...direct(GOOGLE_GROUPS.sales), ...direct(GOOGLE_GROUPS.support)])].sort();
    assert.deepEqual([...byRef.get(GOOGLE_GROUPS.staff)!.memberIds].sort(), expected);
    assert.ok(staff.members.some((m) => m.type === 'GROUP'), 'the fixture nests');
    assert.deepEqual([...byRef.get(leads.email)!.memberIds].sort(), direct(GOOGLE_GROUPS.leads).sort());
    assert.deepEqual(byRef.get(leads.id)!.memberIds.length, direct(GOOGLE_GROUPS.leads).length);
    assert.equal(byRef.get(GOOGLE_GROUPS.everyone)!.memberIds.length, env.customer.users.length);
  });

  it('a subject who is no administrator: the read fails saying so', async () => {
    await readFails(env.open({ subject: env.customer.users[5].primaryEmail }).read(googleNeeds(), {}), /403: forbidden: Not Authorized to access this resource\/api\. The subject must be an administrator/);
  });

  it('delegation without the group scope: the sign-in fails naming domain-wide delegation', async () => {
    const id = env.customer.serviceAccounts[0].clientId;
    const scopes = env.customer.delegation[id];
    env.customer.delegation[id] = [scopes[0]];
    try {
      await readFails(env.open().read(googleNeeds(), {}), /unauthorized_client.*Domain-wide delegation/);
    } finally {
      env.customer.delegation[id] = scopes;
    }
  });

  it('a key Google does not hold is refused', async () => {
    const key = JSON.parse(env.customer.credentials.serviceAccountKey);
    key.private_key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await readFails(env.open({ serviceAccountKey: JSON.stringify(key) }).read(googleNeeds(), {}), /invalid_grant: Invalid JWT Signature/);
  });

  it('403 userRateLimitExceeded and 503 are retried; a page failing every time stops the read', async () => {
    env.faults.add({ path: '/admin/directory/v1/users', kind: 'status', status: 403, skip: 1 });
    env.faults.add({ path: '/admin/directory/v1/users', kind: 'status', status: 503, skip: 1 });
    const snap = await env.open().read(googleNeeds(), {});
    assert.equal(snap.users.length, env.customer.users.length);
    env.faults.clear();
    env.faults.add({ path: '/admin/directory/v1/users', kind: 'status', status: 500, skip: 1, times: Infinity });
    try {
      await readFails(env.open().read(googleNeeds(), {}), /GET \/users did not succeed after 3 attempts; last: Google answered 500/);
    } finally {
      env.faults.clear();
    }
  });

  it('a name two groups share, or none has, stops the read', async () => {
    await readFails(env.open().read(googleNeeds({ groups: ['Nobody'] }), {}), /no group is named "Nobody"/);
    await readFails(env.open().read(googleNeeds({ groups: ['ghost@partners.example'] }), {}), /no group has the address ghost@partners\.example/);
    const dup = { ...env.customer.groups[3], id: '0dup000000000x0', email: 'dup@partners.example', members: [] };
    env.customer.groups.push(dup);
    try {
      await readFails(env.open().read(googleNeeds({ groups: [GOOGLE_GROUPS.leads] }), {}), /2 groups are named "Partner Leads"/);
    } finally {
      env.customer.groups.pop();
    }
  });
});
