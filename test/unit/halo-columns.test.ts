// What a missing key in a Halo list row means (src/halo/normalise.ts), and which records still
// need a detail read after it (src/core/details.ts, detailsNeeded).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailsNeeded } from '../../src/core/details';
import { agentFromRow, columnsOf, detailColumns, userFromRow } from '../../src/halo/normalise';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, haloUser, mappingFrom } from '../support/snapshots';

const documented = new Set(['title', 'emailaddress']);
const lookups = { userRoles: new Map([['1', 'End User'], ['2', 'Approver']]) };

describe('Halo list rows: a missing key', () => {
  it('is empty when other rows of the read carry it (null fields are left out), unknown when none does', () => {
    const rows = [
      { id: 1, name: 'A', azureoid: 'oid-a', role_ids: [1], phonenumber: '+44', customfields: [{ id: 7, name: 'CFDepartment', value: 'Sales' }] },
      { id: 2, name: 'B' },
    ];
    const cols = columnsOf(rows, documented, ['CFDepartment']);
    const b = userFromRow(rows[1], lookups, cols);
    assert.equal(b.azureoid, null, 'azureoid carried by another row: this one has no link');
    assert.deepEqual(b.roles, [], 'role_ids carried by another row: no roles');
    assert.equal(b.fields.phonenumber, null);
    assert.equal(b.fields.CFDepartment, null, 'the read carried custom fields: this one is empty');
    assert.equal(b.fields.title, null, 'a documented column no row carries is empty');
    assert.ok(!('department' in b.fields), 'an undocumented column no row carries stays unknown');
    assert.deepEqual(userFromRow(rows[0], lookups, cols).roles, ['End User']);
  });

  it('leaves links, roles and custom fields unknown when no row carries them (an older Halo)', () => {
    const rows = [{ id: 1, name: 'A', emailaddress: 'a@x' }, { id: 2, name: 'B' }];
    const u = userFromRow(rows[1], lookups, columnsOf(rows, new Set(['azureoid', 'emailaddress']), ['CFDepartment']));
    assert.equal(u.azureoid, undefined, 'never assumed empty, even though the newer document lists it');
    assert.equal(u.roles, undefined);
    assert.ok(!('CFDepartment' in u.fields));
    assert.equal(u.fields.emailaddress, null);
  });

  it('reads "" as empty, and agent teams and roles by the same rule', () => {
    const rows = [{ id: 1, name: 'A', email: '', teams: [{ team_id: 3, team_name: 'Service Desk' }] }, { id: 2, name: 'B' }];
    const cols = columnsOf(rows, new Set(), []);
    const [a, b] = rows.map((r) => agentFromRow(r, {}, cols));
    assert.equal(a.fields.email, null);
    assert.deepEqual(b.teams, [], 'teams carried by another row: none');
    assert.equal(b.roles, undefined, 'no row carries roles: unknown');
  });

  it('takes a detail record as the whole truth about itself', () => {
    const row = { id: 5, name: 'D' };
    const u = userFromRow(row, lookups, detailColumns(row, ['CFDepartment']));
    assert.equal(u.azureoid, null);
    assert.equal(u.fields.CFDepartment, null);
  });
});

describe('detailsNeeded', () => {
  const mapping = mappingFrom(`${BASE_MAPPING}
agents:
  - { rule: a, from: { group: Agents }, roles: [Technician] }
users:
  - { rule: u, from: { group: Staff }, client: Contoso, site: Head Office }
fields:
  users: { title: jobTitle, CFDepartment: department }
  agents: { email: mail }
`);
  const ann = entraUser('Ann Agent');
  const bob = entraUser('Bob Staff');
  const dir = entra([ann, bob], { Agents: [ann], Staff: [bob] });

  it('asks for nothing when the rows told everything', () => {
    const h = halo({
      users: [haloUser(100, { azureoid: bob.id, fields: { title: 'x', CFDepartment: 'y' } })],
      agents: [haloAgent(1, { email: String(ann.attrs.mail) })],
    });
    assert.deepEqual(detailsNeeded(mapping, dir, h), { users: [], agents: [] });
  });

  it('asks for managed users whose link, roles or mapped fields are unknown, and only those', () => {
    const unknownLink = haloUser(100, { azureoid: undefined, fields: { title: 'x', CFDepartment: 'y' } });
    const unknownField = haloUser(101, { azureoid: null, fields: { title: 'x' } });
    const outOfScope = haloUser(102, { clientId: 2, siteId: 20, azureoid: undefined, fields: {} });
    const h = halo({ users: [unknownLink, unknownField, outOfScope] });
    assert.deepEqual(detailsNeeded(mapping, dir, h).users, [100, 101]);
  });

  it('asks for agents a directory identity could match whose roles are unknown, never API agents or strangers', () => {
    const agents = [
      haloAgent(1, { email: String(ann.attrs.mail).toUpperCase() }),
      haloAgent(2, { email: 'stranger@contoso.com' }),
      haloAgent(3, { email: String(ann.attrs.mail), isApiAgent: true }),
    ];
    for (const a of agents) a.roles = undefined;
    const h = halo({ agents });
    assert.deepEqual(detailsNeeded(mapping, dir, h).agents, [1]);
  });
});

describe('Halo simulator modes from the command line', () => {
  it('combines named modes and settings, and refuses what it does not know', async () => {
    const { parseModes, DOCUMENTED } = await import('../../src/sim/halo/modes');
    assert.deepEqual(parseModes(undefined), DOCUMENTED);
    assert.deepEqual(parseModes('older-rows+post-empty'), { ...DOCUMENTED, userRows: 'older', postAnswer: 'empty' });
    assert.equal(parseModes('emptyValues=null').emptyValues, 'null');
    assert.throws(() => parseModes('oldest-rows'), /Unknown Halo simulator mode "oldest-rows"/);
    assert.throws(() => parseModes('postAnswer=maybe'), /takes single, array, empty/);
  });
});
