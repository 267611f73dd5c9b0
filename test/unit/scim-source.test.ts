// What an IdP pushed, read as directory users: SCIM's attributes by the mapping's names, guests,
// managers and their own attributes, groups by name, id or externalId.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeProblem } from '../../src/core/attributes';
import { directoryNamed } from '../../src/core/directories';
import type { DirectoryNeeds } from '../../src/core/needs';
import { directoryGroups, directoryUsers, valueOf } from '../../src/sources/scim/users';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const alice = { id: 'a', userName: 'alice@x.example', active: true, name: { givenName: 'Alice', familyName: 'Able' }, emails: [{ type: 'home', value: 'alice@home.example' }, { type: 'work', value: 'alice@x.example', primary: true }], phoneNumbers: [{ type: 'mobile', value: '+44 7' }], addresses: [{ type: 'work', locality: 'Leeds', primary: true }], roles: [{ value: 'Agent' }, { value: 'Approver' }], [ENT]: { department: 'IT' }, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { costCode: 'C7' } };
const bob = { id: 'b', userName: 'bob', active: false, userType: 'Guest', displayName: 'Bob B', emails: [{ type: 'work', value: 'bob@x.example' }], [ENT]: { manager: { value: 'a' } } };
const needs = (attributes: string[], managerAttributes: string[] = []): DirectoryNeeds => ({ tenant: 't', attributes, groups: [], manager: true, managerAttributes });

describe('the SCIM source', () => {
  it('reads attributes by the names the mapping uses', () => {
    assert.equal(valueOf(alice, 'emails.work'), 'alice@x.example');
    assert.equal(valueOf(alice, 'emails.home'), 'alice@home.example');
    assert.equal(valueOf(alice, 'emails.primary'), 'alice@x.example');
    assert.equal(valueOf(alice, 'phoneNumbers.mobile'), '+44 7');
    assert.equal(valueOf(alice, 'addresses.locality'), 'Leeds');
    assert.equal(valueOf(alice, 'name.givenName'), 'Alice');
    assert.equal(valueOf(alice, 'department'), 'IT');
    assert.deepEqual(valueOf(alice, 'roles'), ['Agent', 'Approver']);
    assert.equal(valueOf(alice, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:costCode'), 'C7');
    assert.equal(valueOf(alice, 'title'), null);
  });

  it('makes directory users: active, guests, names, emails, and managers with their attributes', () => {
    const [a, b] = directoryUsers([alice, bob], needs(['emails.work', 'department'], ['emails.work', 'department']));
    assert.equal(a.enabled, true);
    assert.equal(b.enabled, false);
    assert.equal(b.guest, true);
    assert.equal(a.name, 'Alice Able');
    assert.equal(b.name, 'Bob B');
    assert.equal(a.email, 'alice@x.example', 'the primary email');
    assert.equal(b.managerId, 'a');
    assert.equal(b.attrs['manager.emails.work'], 'alice@x.example');
    assert.equal(b.attrs['manager.department'], 'IT');
    const [orphan] = directoryUsers([{ ...bob, [ENT]: { manager: { value: 'someone-else' } } }], needs([]));
    assert.equal(orphan.managerId, null, 'a manager the IdP did not push is no manager');
    assert.equal(directoryUsers([{ id: 'n', userName: 'n@x.example' }], needs([]))[0].enabled, true, 'active not asserted is not disabled');
  });

  it('finds the groups rules name by id, externalId or name, never guessing between two', () => {
    const groups = [
      { id: 'g1', externalId: 'obj-1', displayName: 'Staff', memberIds: ['a', 'b', 'gone'] },
      { id: 'g2', externalId: null, displayName: 'Twin', memberIds: [] },
      { id: 'g3', externalId: null, displayName: 'twin', memberIds: [] },
    ];
    const fail = (why: string) => new Error(why);
    const warnings: string[] = [];
    const found = directoryGroups(groups, ['staff', 'obj-1', 'g1', 'Not pushed'], new Set(['a', 'b']), fail, (w) => warnings.push(w));
    assert.deepEqual(found.map((g) => [g.id, g.memberIds]), [['g1', ['a', 'b']], ['g1', ['a', 'b']], ['g1', ['a', 'b']], ['Not pushed', []]]);
    assert.equal(warnings.length, 1);
    assert.throws(() => directoryGroups(groups, ['TWIN'], new Set(), fail), /2 groups pushed are named "TWIN"/);
  });

  it("validates the manager's attributes of an object or a typed list, in every directory", () => {
    const scim = directoryNamed('scim');
    const google = directoryNamed('google');
    assert.ok(scim && google);
    assert.equal(attributeProblem(scim, 'manager.emails.work'), undefined);
    assert.match(attributeProblem(scim, 'manager.emails.wrk')?.message ?? '', /did you mean "manager\.emails\.work"|emails\.work/);
    assert.equal(attributeProblem(google, 'manager.name.fullName'), undefined);
    assert.ok(attributeProblem(scim, 'manager.manager.userName'), 'a manager of a manager is not read');
  });
});
