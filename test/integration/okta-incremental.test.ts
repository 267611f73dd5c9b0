// Incremental Okta reads over HTTPS against the simulator: the cached snapshot brought up to date
// with lastUpdated / lastMembershipUpdated filters equals a full read of the org as it now is.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DirectoryTenant } from '../../src/core/snapshot';
import { OKTA_GROUPS } from '../../src/sim/okta/world';
import { oktaNeeds, OktaEnv, startOktaEnv } from '../support/okta-fixture';

const sorted = (s: DirectoryTenant) => ({
  users: [...s.users].sort((a, b) => (a.id < b.id ? -1 : 1)).map((u) => JSON.stringify(u)),
  groups: s.groups.map((g) => ({ ref: g.ref, id: g.id, members: [...g.memberIds].sort() })),
});

describe('Okta incremental reads', () => {
  let env: OktaEnv;
  let stateDir: string;
  const needs = oktaNeeds({ groups: [OKTA_GROUPS.staff, OKTA_GROUPS.managers], manager: true, attributes: ['department', 'status', 'title'], managerAttributes: ['title'] });
  before(async () => {
    env = await startOktaEnv(600);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-okta-cache-'));
  });
  after(async () => {
    await env.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('reads in full the first time, then asks only for what changed', async () => {
    const first = await env.open().readIncremental(needs, { stateDir });
    assert.equal(first.report.mode, 'full');
    assert.equal(first.report.reason, 'no cached snapshot');
    env.sim.requests.length = 0;
    const second = await env.open().readIncremental(needs, { stateDir });
    assert.equal(second.report.mode, 'delta');
    assert.equal(second.report.changes, 0);
    const asked = env.sim.requests.filter((r) => r.path !== '/oauth2/v1/token');
    assert.deepEqual(asked.map((r) => [r.path, /lastUpdated gt|lastMembershipUpdated gt/.test(r.query.filter ?? '')]), [['/api/v1/users', true], ['/api/v1/groups', true]]);
    assert.deepEqual(sorted(second.snapshot), sorted(first.snapshot));
  });

  it('a suspended user, a new member and a new manager: the round equals a full read', async () => {
    const now = new Date().toISOString();
    const org = env.org;
    const suspended = org.users.find((u) => u.status === 'ACTIVE' && u.profile.managerId)!;
    suspended.status = 'SUSPENDED';
    suspended.lastUpdated = now;
    const managers = org.groups.find((g) => g.profile.name === OKTA_GROUPS.managers)!;
    const joiner = org.users.find((u) => !managers.members.includes(u.id))!;
    managers.members.push(joiner.id);
    managers.lastMembershipUpdated = now;
    const moved = org.users[15];
    moved.profile.managerId = org.users[30].profile.login;
    moved.lastUpdated = now;
    const round = await env.open().readIncremental(needs, { stateDir });
    assert.equal(round.report.mode, 'delta');
    assert.equal(round.report.changes, 3, round.report.reason);
    const full = await env.open().read(needs, {});
    assert.deepEqual(sorted(round.snapshot), sorted(full));
    const u = round.snapshot.users.find((x) => x.id === moved.id)!;
    assert.equal(u.managerId, org.users[30].id);
    assert.equal(u.attrs['manager.title'], org.users[30].profile.title);
  });

  it('a group the mapping names by name was renamed: a full read, which finds no group of that name and stops', async () => {
    const staff = env.org.groups.find((g) => g.profile.name === OKTA_GROUPS.staff)!;
    staff.profile.name = 'Customer Staff (old)';
    staff.lastUpdated = new Date().toISOString();
    try {
      await assert.rejects(env.open().readIncremental(needs, { stateDir }), /no group is named "Customer Staff"/);
    } finally {
      staff.profile.name = OKTA_GROUPS.staff;
    }
    // Named back: the cache stands again, and its round equals a full read.
    const again = await env.open().readIncremental(needs, { stateDir });
    assert.equal(again.report.mode, 'delta');
    assert.deepEqual(sorted(again.snapshot), sorted(await env.open().read(needs, {})));
  });
});
