// PATCH as the IdPs send it (scim.md §2.2–§2.3 for Entra, §3 for Okta), read by patch.ts and
// normalised by resources.ts into what the bridge keeps: every quirk one case, first on the
// functions, then (members, renames, ids) through the service over a real store.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../../src/scim/protocol/errors';
import { Operation, operationsOf, patchResource, PATCH_SCHEMA, selectMembers, splitGroupOperations } from '../../src/scim/protocol/patch';
import { groupIn, Json, membersIn, userIn, USER_SCHEMA } from '../../src/scim/protocol/resources';
import { ScimService } from '../../src/scim/service';
import { ScimStore } from '../../src/scim/store';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A user as Entra creates it (scim.md §2.2 item 2), as the bridge keeps it. */
const stored = () =>
  userIn({
    schemas: [USER_SCHEMA, ENT],
    externalId: 'entra-object-id',
    userName: 'amir.khan@contoso.com',
    active: true,
    emails: [
      { type: 'home', value: 'amir@home.example' },
      { primary: true, type: 'work', value: 'amir.khan@contoso.com' },
    ],
    meta: { resourceType: 'User' },
    name: { formatted: 'Amir Khan', familyName: 'Khan', givenName: 'Amir' },
    title: 'Engineer',
    roles: [],
    [ENT]: { department: 'Sales', employeeNumber: '0042' },
  }).resource;

const body = (Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
/** The user after a PATCH, as the store would keep it. */
const patched = (ops: unknown[], from: Json = stored()) => userIn(patchResource(from, operationsOf(body(ops))));
const ent = (r: Json) => r[ENT] as Json | undefined;

function refused(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ScimError, String(e));
    return e;
  }
  assert.fail('accepted');
}

describe('SCIM PATCH: the PatchOp body', () => {
  it('ops in any case ("Replace", "Add", "Remove"), keys in any case, schemas optional but checked', () => {
    const ops = operationsOf(body([{ op: 'Replace', path: 'title', value: 'x' }, { Op: 'ADD', Path: ' displayName ', Value: 'y' }, { op: 'Remove', path: 'nickName' }]));
    assert.deepEqual(ops, [
      { op: 'replace', path: 'title', value: 'x' },
      { op: 'add', path: 'displayName', value: 'y' },
      { op: 'remove', path: 'nickName', value: undefined },
    ]);
    assert.equal(operationsOf({ Operations: [{ op: 'add', path: 'title', value: 'x' }] }).length, 1);
    assert.equal(refused(() => operationsOf({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', path: 'title', value: 'x' }] })).scimType, 'invalidSyntax');
    assert.equal(refused(() => operationsOf(body([]))).scimType, 'invalidSyntax');
    assert.equal(refused(() => operationsOf(body([{ op: 'merge', path: 'title', value: 'x' }]))).scimType, 'invalidSyntax');
    assert.equal(refused(() => operationsOf(body([{ op: 'add', path: 'title' }]))).scimType, 'invalidValue');
    assert.equal(refused(() => operationsOf(body([{ op: 'replace', value: 'not an object' }]))).scimType, 'invalidValue');
    assert.equal(refused(() => operationsOf(body([{ op: 'add', path: '', value: 'x' }]))).scimType, 'invalidPath');
    assert.equal(refused(() => operationsOf(body(Array.from({ length: 1001 }, () => ({ op: 'remove', path: 'title' }))))).status, 413);
  });
});

describe('SCIM PATCH: Entra user updates (scim.md §2.2, §2.3)', () => {
  it('disable: "False" as a string (the default mapping), false as a boolean (aadOptscim062020); "True" re-enables', () => {
    const off = patched([{ op: 'Replace', path: 'active', value: 'False' }]);
    assert.equal(off.active, false);
    assert.equal(off.resource.active, false, 'stored as a boolean, not the truthy string');
    assert.equal(patched([{ op: 'replace', path: 'active', value: false }]).active, false);
    const on = patched([{ op: 'Replace', path: 'active', value: 'True' }], off.resource);
    assert.deepEqual([on.active, on.resource.active], [true, true]);
  });

  it('emails[type eq "work"].value changes the work email only, and adds one when there is none', () => {
    const u = patched([{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'amir@fabrikam.com' }]).resource;
    assert.deepEqual(u.emails, [
      { value: 'amir@home.example', type: 'home' },
      { value: 'amir@fabrikam.com', type: 'work', primary: true },
    ]);
    const none = { ...stored(), emails: [{ type: 'home', value: 'amir@home.example' }] };
    const added = patched([{ op: 'Add', path: 'emails[type eq "work"].value', value: 'amir@fabrikam.com' }], none).resource;
    assert.deepEqual(added.emails, [
      { value: 'amir@home.example', type: 'home' },
      { value: 'amir@fabrikam.com', type: 'work' },
    ]);
  });

  it('name.familyName and userName by path; the enterprise and custom extensions by URN path', () => {
    const u = patched([
      { op: 'Replace', path: 'name.familyName', value: 'Khan-Ali' },
      { op: 'Replace', path: 'userName', value: 'amir.khanali@contoso.com' },
      { op: 'Replace', path: `${ENT}:department`, value: 'Marketing' },
      { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:costCenter', value: 'CC-7' },
    ]);
    assert.equal(u.userName, 'amir.khanali@contoso.com');
    assert.deepEqual(u.resource.name, { formatted: 'Amir Khan', familyName: 'Khan-Ali', givenName: 'Amir' });
    assert.equal(ent(u.resource)?.department, 'Marketing');
    assert.deepEqual(u.resource['urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'], { costCenter: 'CC-7' });
    assert.ok((u.resource.schemas as string[]).includes('urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'));
  });

  it('a path-less replace of several attributes, with dotted and URN keys (aadOptscim062020)', () => {
    const u = patched([
      {
        op: 'replace',
        value: {
          'name.givenName': 'Amira',
          'name.familyName': 'Khan',
          displayName: 'Amira Khan',
          [`${ENT}:employeeNumber`]: '0099',
          'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Lead',
          active: 'False',
        },
      },
    ]);
    assert.deepEqual(u.resource.name, { formatted: 'Amir Khan', familyName: 'Khan', givenName: 'Amira' });
    assert.equal(u.resource.displayName, 'Amira Khan');
    assert.equal(u.resource.title, 'Lead');
    assert.deepEqual(ent(u.resource), { department: 'Sales', employeeNumber: '0099' });
    assert.equal(u.active, false);
    assert.equal(u.userName, 'amir.khan@contoso.com', 'what the value does not name is kept');
  });

  it('manager: a bare id, [{$ref, value}], or {value}; an empty one or a remove clears it', () => {
    const path = `${ENT}:manager`;
    assert.deepEqual(ent(patched([{ op: 'Add', path, value: 'boss-1' }]).resource)?.manager, { value: 'boss-1' });
    assert.deepEqual(ent(patched([{ op: 'Add', path, value: [{ $ref: null, value: 'boss-2' }] }]).resource)?.manager, { value: 'boss-2' });
    assert.deepEqual(ent(patched([{ op: 'Replace', path, value: { value: 'boss-3' } }]).resource)?.manager, { value: 'boss-3' });
    const managed = patched([{ op: 'Add', path, value: 'boss-1' }]).resource;
    for (const clear of [{ op: 'Replace', path, value: '' }, { op: 'Replace', path, value: { value: '' } }, { op: 'Remove', path }, { op: 'Add', path, value: [] }]) {
      assert.equal(ent(patched([clear], managed).resource)?.manager, undefined, JSON.stringify(clear));
    }
    // Removing a manager there is none of is no error.
    assert.equal(ent(patched([{ op: 'Remove', path }]).resource)?.manager, undefined);
    // The same three forms in a created user's body.
    for (const manager of ['boss-4', [{ $ref: 'https://x/Users/boss-4', value: 'boss-4' }], { value: 'boss-4' }]) {
      assert.deepEqual(ent(userIn({ userName: 'm@contoso.com', [ENT]: { manager } }).resource)?.manager, { value: 'boss-4' }, JSON.stringify(manager));
    }
  });

  it('an empty string clears the attribute, by path and as a key of a path-less replace', () => {
    assert.equal(patched([{ op: 'Replace', path: 'title', value: '' }]).resource.title, undefined);
    const u = patched([{ op: 'replace', value: { title: '', [`${ENT}:department`]: '', 'name.givenName': 'Amira' } }]).resource;
    assert.equal(u.title, undefined);
    assert.equal('title' in u, false);
    assert.deepEqual(ent(u), { employeeNumber: '0042' });
    assert.equal((u.name as Json).givenName, 'Amira');
    // Only empty keys: the operation is removals alone.
    assert.equal(patched([{ op: 'replace', value: { title: '' } }]).resource.title, undefined);
    // A required attribute cannot be cleared.
    assert.equal(refused(() => patched([{ op: 'Replace', path: 'userName', value: '' }])).scimType, 'invalidValue');
  });

  it('AppRole: SingleAppRoleAssignment\'s roles[primary eq "True"].value replaces the primary role, never adds a second', () => {
    const first = patched([{ op: 'Add', path: 'roles[primary eq "True"].value', value: 'User' }]).resource;
    assert.deepEqual(first.roles, [{ value: 'User', primary: true }]);
    const second = patched([{ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Admin' }], first).resource;
    assert.deepEqual(second.roles, [{ value: 'Admin', primary: true }]);
    // The POST form, with Entra's role type (RFC 7643 §4.1.2 names no canonical types for roles).
    const created = userIn({ userName: 'r@contoso.com', roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }] }).resource;
    assert.deepEqual(created.roles, [{ value: 'Admin', type: 'WindowsAzureActiveDirectoryRole', primary: true }]);
  });

  it('AppRole: a JSON-encoded string value, whole or per role (AppRoleAssignmentsComplex), is read as the roles it encodes', () => {
    const whole = patched([{ op: 'Add', path: 'roles', value: JSON.stringify([{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Reader' }]) }]).resource;
    assert.deepEqual(whole.roles, [{ value: 'Reader', type: 'WindowsAzureActiveDirectoryRole', primary: false }]);
    const each = patched([{ op: 'Add', path: 'roles', value: [{ value: JSON.stringify({ id: '06b07648-ecfe-589f-9d2f-6325724a46ee', value: '25', displayName: 'Role1234' }) }] }]).resource;
    assert.deepEqual(each.roles, [{ value: '25', display: 'Role1234' }]);
    // The Assertive variant replaces them all.
    const replaced = patched([{ op: 'replace', path: 'roles', value: [{ value: JSON.stringify({ id: 'r2', value: 'Writer', displayName: 'Writer' }) }] }], each).resource;
    assert.deepEqual(replaced.roles, [{ value: 'Writer', display: 'Writer' }]);
    // A role value that merely looks like JSON is kept as sent.
    assert.deepEqual(patched([{ op: 'Add', path: 'roles', value: [{ value: '{not json' }] }]).resource.roles, [{ value: '{not json' }]);
  });

  it('ids, meta and passwords are never the client\'s: dropped from what is kept', () => {
    const u = patched([{ op: 'replace', value: { id: 'chosen-by-client', active: false, password: 'hunter2' } }]).resource;
    assert.deepEqual(['id' in u, 'password' in u, 'meta' in u, u.active], [false, false, false, false]);
    const created = userIn({ id: 'x', userName: 'n@contoso.com', password: 'p', meta: { created: '2019-01-01' }, groups: [] }).resource;
    assert.deepEqual(Object.keys(created).sort(), ['schemas', 'userName']);
  });

  it('Entra\'s older create body: nulls dropped, an enterprise URN in another case, string booleans', () => {
    const u = userIn({
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:Enterprise:2.0:User'],
      userName: 'old@contoso.com',
      active: 'True',
      title: null,
      addresses: null,
      emails: [{ primary: 'true', type: 'work', value: 'old@contoso.com' }, null],
      'urn:ietf:params:scim:schemas:extension:Enterprise:2.0:User': { department: 'Ops', manager: null },
    });
    assert.equal(u.active, true);
    assert.deepEqual(u.resource, {
      schemas: [USER_SCHEMA, ENT],
      userName: 'old@contoso.com',
      active: true,
      emails: [{ value: 'old@contoso.com', type: 'work', primary: true }],
      [ENT]: { department: 'Ops' },
    });
  });
});

describe('SCIM PATCH: Okta (scim.md §3)', () => {
  it('deactivate and reactivate with a path-less replace of {active}', () => {
    const off = patched([{ op: 'replace', value: { active: false } }]);
    assert.deepEqual([off.active, off.resource.active, off.userName], [false, false, 'amir.khan@contoso.com']);
    assert.equal(patched([{ op: 'replace', value: { active: true } }], off.resource).active, true);
  });

  it('a group rename {id, displayName} changes the name; the id is dropped, not applied', () => {
    const { members, others } = splitGroupOperations(operationsOf(body([{ op: 'replace', value: { id: 'okta-sends-the-id', displayName: 'Renamed' } }])));
    assert.deepEqual(members, []);
    assert.deepEqual(others, [{ op: 'replace', path: undefined, value: { displayName: 'Renamed' } }]);
    const g = groupIn(patchResource({ schemas: [GROUP], displayName: 'Old', externalId: 'okta-group' }, others));
    assert.deepEqual(g.resource, { schemas: [GROUP], externalId: 'okta-group', displayName: 'Renamed' });
  });
});

describe('SCIM PATCH: group membership operations', () => {
  const split = (ops: unknown[]) => splitGroupOperations(operationsOf(body(ops)));

  it('Entra: add and remove by value arrays ($ref null), rename alongside', () => {
    assert.deepEqual(split([{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2', display: 'Two' }] }]).members, [{ kind: 'add', members: [{ value: 'u1' }, { value: 'u2', display: 'Two' }] }]);
    assert.deepEqual(split([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }]).members, [{ kind: 'remove', ids: ['u1'] }]);
    const both = split([{ op: 'Replace', path: 'displayName', value: 'Sales EMEA' }, { op: 'Add', path: 'members', value: [{ value: 'u3' }] }]);
    assert.deepEqual(both.others, [{ op: 'replace', path: 'displayName', value: 'Sales EMEA' }]);
    assert.deepEqual(both.members, [{ kind: 'add', members: [{ value: 'u3' }] }]);
  });

  it('aadOptscim062020 and Okta: remove by members[value eq "…"]; remove with no value removes every member', () => {
    const byFilter = split([{ op: 'remove', path: 'members[value eq "u1"]' }]);
    assert.deepEqual(byFilter.members, [{ kind: 'removeWhere', filter: 'value eq "u1"' }]);
    assert.deepEqual(selectMembers([{ value: 'u1' }, { value: 'u2' }], 'value eq "u1"'), ['u1']);
    assert.deepEqual(selectMembers([{ value: 'u1' }, { value: 'u2' }], 'value eq "u1" or value eq "u2"'), ['u1', 'u2']);
    assert.deepEqual(split([{ op: 'Remove', path: 'members' }]).members, [{ kind: 'removeAll' }]);
    // Okta's full replace, and a path-less value with members.
    assert.deepEqual(split([{ op: 'replace', path: 'members', value: [{ value: 'u9' }] }]).members, [{ kind: 'set', members: [{ value: 'u9' }] }]);
    assert.deepEqual(split([{ op: 'add', value: { members: [{ value: 'u8' }] } }]).members, [{ kind: 'add', members: [{ value: 'u8' }] }]);
  });

  it('refuses what cannot name a member: a member filter on add, a member sub-attribute path, a member without value', () => {
    assert.equal(refused(() => split([{ op: 'add', path: 'members[value eq "u1"]', value: [{ value: 'u1' }] }])).scimType, 'invalidPath');
    assert.equal(refused(() => split([{ op: 'replace', path: 'members.display', value: 'x' }])).scimType, 'invalidPath');
    assert.equal(refused(() => split([{ op: 'remove', path: 'members[value eq ]' }])).scimType, 'invalidFilter');
    assert.equal(refused(() => membersIn([{ display: 'no value' }])).scimType, 'invalidValue');
    assert.deepEqual(membersIn('bare-id'), [{ value: 'bare-id' }]);
    assert.deepEqual(membersIn([{ value: 'u1', displayName: 'new User' }]), [{ value: 'u1', display: 'new User' }]);
  });
});

describe('SCIM PATCH through the service and the store', () => {
  let dir: string;
  let store: ScimStore;
  let service: ScimService;
  const base = 'https://bridge.example/scim/v2';
  const call = (method: string, segments: string[], b?: unknown, query = '') => service.handle('entra', { method, segments, query: new URLSearchParams(query), body: b, base });
  const memberIds = (groupId: string) => store.members('entra', groupId).map((m) => m.value).sort();
  let u1: string, u2: string, u3: string, groupId: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-scim-patch-'));
    store = ScimStore.open(path.join(dir, 'scim.db'));
    service = new ScimService(store);
    const create = (userName: string) => (call('POST', ['Users'], { userName, active: true }).body as Json).id as string;
    [u1, u2, u3] = ['one@contoso.com', 'two@contoso.com', 'three@contoso.com'].map(create);
    const g = call('POST', ['Groups'], { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: 'entra-group', displayName: 'Sales' });
    assert.equal(g.status, 201);
    assert.deepEqual((g.body as Json).members, [], 'Entra expects members: [] back (scim.md §2.2 item 8)');
    groupId = (g.body as Json).id as string;
  });
  after(() => {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds by value array, removes by value array and by members[value eq], removes all: 204 each', () => {
    const patch = (ops: unknown[]) => call('PATCH', ['Groups', groupId], body(ops));
    assert.equal(patch([{ op: 'Add', path: 'members', value: [{ $ref: null, value: u1 }, { $ref: null, value: u2 }, { value: u3 }] }]).status, 204);
    assert.deepEqual(memberIds(groupId), [u1, u2, u3].sort());
    // Entra's removal carries the member to remove: the others stay (entra-docs#949).
    assert.equal(patch([{ op: 'Remove', path: 'members', value: [{ value: u1 }] }]).status, 204);
    assert.deepEqual(memberIds(groupId), [u2, u3].sort());
    assert.equal(patch([{ op: 'remove', path: `members[value eq "${u2}"]` }]).status, 204);
    assert.deepEqual(memberIds(groupId), [u3]);
    // A bare string naming a real id is a member too.
    assert.equal(patch([{ op: 'add', path: 'members', value: u1 }]).status, 204);
    assert.deepEqual(memberIds(groupId), [u1, u3].sort());
    assert.equal(patch([{ op: 'Remove', path: 'members' }]).status, 204);
    assert.deepEqual(memberIds(groupId), []);
    // An id that is no user or group of the connection is refused, and nothing of the request is applied.
    const refusedAdd = refused(() => patch([{ op: 'Add', path: 'members', value: [{ value: u1 }, { value: 'not-a-user' }] }]));
    assert.deepEqual([refusedAdd.status, refusedAdd.scimType], [400, 'invalidValue']);
    assert.deepEqual(memberIds(groupId), []);
  });

  it("Okta's rename {id, displayName} renames the group and keeps its id", () => {
    assert.equal(call('PATCH', ['Groups', groupId], body([{ op: 'replace', value: { id: 'okta-id', displayName: 'Sales (renamed)' } }])).status, 204);
    const g = call('GET', ['Groups', groupId]).body as Json;
    assert.deepEqual([g.id, g.displayName, g.externalId], [groupId, 'Sales (renamed)', 'entra-group']);
    assert.equal(store.getGroup('entra', 'okta-id'), undefined);
    const found = call('GET', ['Groups'], undefined, `filter=${encodeURIComponent('displayName eq "sales (RENAMED)"')}`).body as Json;
    assert.deepEqual([found.totalResults, (found.Resources as Json[])[0].id], [1, groupId], 'found by its new name');
  });

  it('a user PATCH answers 200 with the user; "False" disables it in the store, and a path-less id is ignored', () => {
    const r = call('PATCH', ['Users', u1], body([{ op: 'Replace', path: 'active', value: 'False' }, { op: 'replace', value: { id: 'other', displayName: 'One' } }]));
    assert.equal(r.status, 200);
    assert.deepEqual([(r.body as Json).id, (r.body as Json).active, (r.body as Json).displayName], [u1, false, 'One']);
    const kept = store.getUser('entra', u1);
    assert.deepEqual([kept?.active, kept?.resource.active], [false, false]);
    assert.equal(store.getUser('entra', 'other'), undefined);
  });

  it('Okta\'s path-less {active: false} disables the user it names', () => {
    assert.equal(call('PATCH', ['Users', u2], body([{ op: 'replace', value: { active: false } }])).status, 200);
    assert.equal(store.getUser('entra', u2)?.active, false);
    const ops: Operation[] = operationsOf(body([{ op: 'replace', value: { active: true } }]));
    assert.equal(call('PATCH', ['Users', u2], { Operations: ops }).status, 200);
    assert.equal(store.getUser('entra', u2)?.active, true);
  });
});
