import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { directoryNamed } from '../../src/core/directories';
import { covers } from '../../src/core/semantic';

const ENTRA = directoryNamed('entra');
import { problems, withBody } from './mapping-text';

const userRule = (name: string, from: string, place = 'site: Head Office') => [`  - rule: ${name}`, `    from: ${from}`, '    client: Contoso', `    ${place}`];

test('a rule after a broader rule of the same tenant is shadowed: an error on the later rule, naming the earlier', () => {
  const text = withBody(
    'users:',
    ...userRule('everyone', '{ groups: [All Staff, Contractors] }'),
    ...userRule('sales', '{ group: All Staff, where: { department: Sales } }'),
  );
  const result = parseMapping(text);
  assert.deepEqual(problems(text), [
    '16:11: error: rule "sales" can never match: rule "everyone" (line 12) comes first and selects everyone this rule selects',
  ]);
  assert.equal(result.diagnostics[0].code, 'shadowed-rule');
  assert.deepEqual(result.diagnostics[0].path, ['users', 1, 'rule']);
  // An error: no mapping to plan with, but the typed mapping for editor features.
  assert.equal(result.mapping, null);
  assert.ok(result.typed);
});

test("the example's narrower-first pair (head-office-staff, then branch-staff) is not shadowed", () => {
  const text = withBody(
    'users:',
    ...userRule('head-office-staff', '{ group: All Staff, where: { userType: Member, officeLocation: Head Office } }'),
    ...userRule('branch-staff', '{ group: All Staff, where: { userType: Member } }', 'siteFrom: officeLocation'),
  );
  assert.deepEqual(problems(text), []);
});

test('the reverse order, broader first, is shadowed', () => {
  const text = withBody(
    'users:',
    ...userRule('branch-staff', '{ group: All Staff, where: { userType: Member } }', 'siteFrom: officeLocation'),
    ...userRule('head-office-staff', '{ group: All Staff, where: { userType: Member, officeLocation: Head Office } }'),
  );
  assert.deepEqual(problems(text), [
    '16:11: error: rule "head-office-staff" can never match: rule "branch-staff" (line 12) comes first and selects everyone this rule selects',
  ]);
});

test('shadowing is judged per kind and per tenant', () => {
  const two = withBody(
    '  - name: fabrikam',
    '    tenantId: fabrikam.onmicrosoft.com',
    '    clientId: ${env:F_ID}',
    '    clientSecret: ${env:F_SECRET}',
    'agents:',
    '  - { rule: a, tenant: contoso, from: { all: true } }',
    '  - { rule: b, tenant: fabrikam, from: { group: SG } }',
    'users:',
    '  - { rule: c, tenant: contoso, from: { group: SG }, client: Contoso, site: HQ }',
  );
  assert.deepEqual(problems(two), []);
});

test('all: true shadows any later rule without guests', () => {
  const text = withBody('agents:', '  - { rule: a, from: { all: true } }', '  - { rule: b, from: { group: SG } }');
  assert.deepEqual(problems(text), ['13:13: error: rule "b" can never match: rule "a" (line 12) comes first and selects everyone this rule selects']);
});

test('only the first shadowing rule is named', () => {
  const text = withBody('agents:', '  - { rule: a, from: { group: SG } }', '  - { rule: b, from: { group: SG } }', '  - { rule: c, from: { group: SG } }');
  assert.deepEqual(problems(text), [
    '13:13: error: rule "b" can never match: rule "a" (line 12) comes first and selects everyone this rule selects',
    '14:13: error: rule "c" can never match: rule "a" (line 12) comes first and selects everyone this rule selects',
  ]);
});

test('covers: groups', () => {
  assert.equal(covers({ group: 'A' }, { group: 'a' }), true, 'group names compare without case');
  assert.equal(covers({ group: 'A' }, { group: 'B' }), false);
  assert.equal(covers({ groups: ['A', 'B'] }, { group: 'B' }), true);
  assert.equal(covers({ groups: ['A', 'B'] }, { groups: ['B', 'A'] }), true);
  assert.equal(covers({ groups: ['A', 'B'] }, { groups: ['A', 'C'] }), false);
  assert.equal(covers({ group: 'A' }, { groups: ['A', 'B'] }), false, 'a member of B alone is not in A');
  assert.equal(covers({ group: 'A' }, { groups: ['A'] }), true);
  assert.equal(covers({ group: 'A', groups: ['B'] }, { group: 'A' }), false, 'the earlier needs B too');
  assert.equal(covers({ group: 'A' }, { group: 'A', groups: ['B'] }), true);
  assert.equal(covers({ all: true }, { group: 'A' }), true);
  assert.equal(covers({ group: 'A' }, { all: true }), false);
  assert.equal(covers({ where: { department: 'Sales' } }, { group: 'A', where: { department: 'Sales' } }), true);
});

test('covers: where values must be equal, exactly', () => {
  assert.equal(covers({ group: 'A', where: { department: 'Sales' } }, { group: 'A', where: { department: 'sales' } }), false);
  assert.equal(covers({ group: 'A', where: { department: 'Sales' } }, { group: 'A' }), false);
  assert.equal(covers({ group: 'A' }, { group: 'A', where: { department: 'Sales' } }), true);
  assert.equal(covers({ group: 'A', where: { n: 1 } }, { group: 'A', where: { n: 1, x: true } }), true);
});

test('covers: guests', () => {
  assert.equal(covers({ group: 'A' }, { group: 'A', includeGuests: true }), false, 'the later rule also takes guests');
  assert.equal(covers({ group: 'A', includeGuests: true }, { group: 'A' }), true);
  assert.equal(covers({ group: 'A' }, { group: 'A', where: { userType: 'Guest' } }, ENTRA), false);
  assert.equal(covers({ group: 'A', includeGuests: true }, { group: 'A', where: { userType: 'Guest' } }, ENTRA), true);
  assert.equal(covers({ group: 'A', where: { userType: 'Guest' } }, { group: 'A', includeGuests: true }, ENTRA), false);
});

test('from that selects no one is an error at the from key', () => {
  for (const from of ['{}', '{ includeGuests: true }', '{ all: false }']) {
    const text = withBody('agents:', '  - rule: desk', `    from: ${from}`);
    assert.deepEqual(problems(text), ['13:5: error: from selects no one: give group, groups, where or all: true'], from);
    assert.equal(parseMapping(text).mapping, null);
  }
});

test('duplicate rule names: an error on the second, per kind', () => {
  const text = withBody(
    'agents:',
    '  - { rule: staff, from: { group: A } }',
    '  - { rule: staff, from: { group: B } }',
    'users:',
    '  - { rule: staff, from: { group: C }, client: Contoso, site: HQ }',
  );
  const result = parseMapping(text);
  assert.deepEqual(problems(text), ['13:13: error: rule name "staff" is already used by agents[0] (line 12)']);
  assert.equal(result.diagnostics[0].code, 'duplicate-rule');
});

test('where userType differing only in case is a warning with the exact value to use', () => {
  const text = withBody('agents:', '  - rule: desk', '    from: { group: SG, where: { userType: member } }');
  const result = parseMapping(text);
  assert.deepEqual(problems(text), ['13:43: warning: userType is compared exactly: "member" will not match Entra\'s "Member"']);
  assert.deepEqual(result.diagnostics[0].suggestions, ['Member']);
  assert.equal(result.diagnostics[0].code, 'where-case');
});

test('where userType that Entra never has is a warning', () => {
  assert.deepEqual(problems(withBody('agents:', '  - rule: desk', '    from: { group: SG, where: { userType: Guests } }')), [
    '13:43: warning: userType in Entra is either Member or Guest, so "Guests" matches no one (did you mean "Guest"?)',
  ]);
  assert.deepEqual(problems(withBody('agents:', '  - rule: desk', '    from: { group: SG, where: { userType: Guest } }')), []);
});
