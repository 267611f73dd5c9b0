import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change } from '../../src/core/changes';
import type { HaloSnapshot } from '../../src/core/snapshot';
import { BodyError, cabBodies, changeBody, siteKey } from '../../src/halo/bodies';
import { cabFromRow } from '../../src/halo/normalise';

const TECH = '03cbebd0-3443-4b7b-8121-9a94ccfc49d1';
const ADMIN = '7d1e2f30-aaaa-4bbb-8ccc-0123456789ab';
const REPORTS = '11111111-2222-4333-8444-555555555555';

function fresh(): HaloSnapshot {
  return {
    users: [
      { id: 101, name: 'Ann', clientId: 1, siteId: 10, inactive: false, azureoid: 'oid-1', roles: ['End User'], fields: {} },
      { id: 102, name: 'Bob', clientId: 1, siteId: 10, inactive: false, azureoid: undefined, roles: undefined, fields: {} },
    ],
    agents: [
      { id: 2, name: 'Jane', disabled: false, isApiAgent: false, team: 'Service Desk', teams: ['Service Desk', 'Projects'], roles: ['Technician', 'Reports'], licence: 'named', fields: {} },
      { id: 3, name: 'Joe', disabled: false, isApiAgent: false, team: null, teams: undefined, roles: undefined, licence: undefined, fields: {} },
    ],
    sites: [{ id: 10, name: 'Head Office', clientId: 1, inactive: false }],
    clients: [{ id: 1, name: 'Contoso', inactive: false }],
    agentRoles: [
      { id: TECH, name: 'Technician' },
      { id: ADMIN, name: 'Administrator' },
      { id: REPORTS, name: 'Reports' },
    ],
    userRoles: [
      { id: 1, name: 'End User' },
      { id: 2, name: 'Approver' },
    ],
    teams: [
      { id: 3, name: 'Service Desk' },
      { id: 4, name: 'Projects' },
      { id: 5, name: 'Tier 2' },
    ],
    cabs: [
      cabFromRow({
        id: 1,
        name: 'Change Advisory Board',
        roles: [{ id: 9, name: 'Approver' }],
        members: [{ id: 1, cab_id: 1, agent_id: 2, type: 1, role_id: 9, role_name: 'Approver' }],
      }),
    ],
    stats: { requests: 0, detailReads: 0, warnings: [] },
  };
}

function change(c: Partial<Change> & Pick<Change, 'action' | 'kind'>): Change {
  return { entraId: 'e-1', tenant: 'contoso', haloId: null, name: 'Someone', rule: 'r', reason: 'because', fields: {}, ...c };
}

describe('changeBody', () => {
  it('creates a user in a site created earlier in the apply, with custom fields and roles', () => {
    const body = changeBody(
      change({
        action: 'create',
        kind: 'user',
        name: 'New Person',
        fields: { emailaddress: { from: null, to: 'new@contoso.com' }, azureoid: { from: null, to: 'oid-9' }, CFDepartment: { from: null, to: 'Finance' } },
        memberships: { roles: { add: ['Approver'], remove: [] } },
        site: { clientId: 1, clientName: 'Contoso', name: 'Leeds', id: null },
      }),
      { fresh: fresh(), createdSites: new Map([[siteKey(1, 'leeds'), 55]]) },
    );
    assert.deepEqual(body, {
      emailaddress: 'new@contoso.com',
      azureoid: 'oid-9',
      customfields: [{ name: 'CFDepartment', value: 'Finance' }],
      name: 'New Person',
      site_id: 55,
      roles: [{ id: 2 }],
    });
  });

  it('refuses a user create whose site was not created', () => {
    assert.throws(
      () => changeBody(change({ action: 'create', kind: 'user', site: { clientId: 1, clientName: 'Contoso', name: 'Leeds', id: null } }), { fresh: fresh() }),
      BodyError,
    );
  });

  it('merges agent roles and teams, keeping the memberships the change does not name', () => {
    const body = changeBody(
      change({
        action: 'update',
        kind: 'agent',
        haloId: 2,
        fields: { jobtitle: { from: 'A', to: 'B' }, licence: { from: 'named', to: 'concurrent' } },
        memberships: { roles: { add: ['Administrator'], remove: ['Technician'] }, teams: { add: ['Tier 2'], remove: ['Service Desk'] } },
      }),
      { fresh: fresh() },
    );
    assert.deepEqual(body, {
      id: 2,
      jobtitle: 'B',
      licence_type: 1,
      roles: [{ id: REPORTS }, { id: ADMIN }],
      teams: [
        { team_id: 4, team_name: 'Projects' },
        { team_id: 5, team_name: 'Tier 2' },
      ],
    });
  });

  it('refuses to change memberships it does not know', () => {
    const c = change({ action: 'update', kind: 'agent', haloId: 3, memberships: { roles: { add: ['Administrator'], remove: [] } } });
    assert.throws(() => changeBody(c, { fresh: fresh() }), /not known/);
    const u = change({ action: 'update', kind: 'user', haloId: 102, memberships: { roles: { add: ['Approver'], remove: [] } } });
    assert.throws(() => changeBody(u, { fresh: fresh() }), /not known/);
  });

  it('refuses unknown role names', () => {
    const c = change({ action: 'update', kind: 'agent', haloId: 2, memberships: { roles: { add: ['Wizard'], remove: [] } } });
    assert.throws(() => changeBody(c, { fresh: fresh() }), /agent role "Wizard"/);
  });

  it('deactivates with the flag only, plus the link when the change carries it', () => {
    const agent = changeBody(change({ action: 'deactivate', kind: 'agent', haloId: 2, fields: { jobtitle: { from: 'A', to: 'B' } } }), { fresh: fresh() });
    assert.deepEqual(agent, { id: 2, isdisabled: true });
    const user = changeBody(change({ action: 'deactivate', kind: 'user', haloId: 101, fields: { azureoid: { from: null, to: 'oid-1' }, title: { from: 'x', to: 'y' } } }), { fresh: fresh() });
    assert.deepEqual(user, { id: 101, inactive: true, azureoid: 'oid-1' });
  });

  it('reactivates with the flag cleared and the field changes', () => {
    const body = changeBody(change({ action: 'reactivate', kind: 'user', haloId: 101, fields: { title: { from: 'x', to: null } } }), { fresh: fresh() });
    assert.deepEqual(body, { id: 101, title: null, inactive: false });
  });

  it('creates sites under their client', () => {
    const body = changeBody(change({ action: 'createSite', kind: 'site', name: 'Leeds', site: { clientId: 1, clientName: 'Contoso', name: 'Leeds', id: null } }), { fresh: fresh() });
    assert.deepEqual(body, { name: 'Leeds', client_id: 1 });
  });
});

describe('cabBodies', () => {
  it('groups adds and removes per CAB, keeping the other members as Halo returned them', () => {
    const { bodies, errors } = cabBodies(
      [
        change({ action: 'update', kind: 'agent', haloId: 3, memberships: { cabs: { add: ['Change Advisory Board'], remove: [] } } }),
        change({ action: 'create', kind: 'user', haloId: null, name: 'Newbie', memberships: { cabs: { add: ['change advisory board'], remove: [] } } }),
        change({ action: 'update', kind: 'agent', haloId: 9, memberships: { cabs: { add: [], remove: ['Change Advisory Board'] } } }),
      ],
      fresh(),
      { roleOf: () => 'Approver', idOf: (c) => (c.name === 'Newbie' ? 501 : c.haloId) },
    );
    assert.deepEqual(errors, []);
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].changes.length, 3);
    assert.deepEqual(bodies[0].body, {
      id: 1,
      members: [
        { id: 1, cab_id: 1, agent_id: 2, type: 1, role_id: 9, role_name: 'Approver' },
        { agent_id: 3, type: 1, role_id: 9 },
        { user_id: 501, type: 2, role_id: 9 },
      ],
    });
  });

  it('removes members and reports unknown CABs and records without ids', () => {
    const { bodies, errors } = cabBodies(
      [
        change({ action: 'update', kind: 'agent', haloId: 2, memberships: { cabs: { add: [], remove: ['Change Advisory Board'] } } }),
        change({ action: 'update', kind: 'agent', haloId: 2, name: 'Jane', memberships: { cabs: { add: ['Security Board'], remove: [] } } }),
        change({ action: 'create', kind: 'agent', haloId: null, name: 'Nobody', memberships: { cabs: { add: ['Change Advisory Board'], remove: [] } } }),
      ],
      fresh(),
    );
    assert.deepEqual(bodies[0].body.members, []);
    assert.deepEqual(errors.map((e) => e.message), ['agent "Nobody" has no Halo id yet, so it cannot join a CAB', 'CAB "Security Board" does not exist in Halo']);
  });
});
