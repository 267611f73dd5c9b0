import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { problems, withBody } from './mapping-text';

const FABRIKAM = ['  - name: fabrikam', '    tenantId: fabrikam.onmicrosoft.com', '    clientId: ${env:F_ID}', '    clientSecret: ${env:F_SECRET}'];

test('an unknown tenant name is an error at the value, with did-you-mean', () => {
  const text = withBody('agents:', '  - rule: desk', '    tenant: contosso', '    from: { group: SG }');
  const result = parseMapping(text);
  assert.deepEqual(problems(text), ['13:13: error: unknown tenant "contosso": no entra connection has that name (did you mean "contoso"?)']);
  assert.deepEqual(result.diagnostics[0].suggestions, ['contoso']);
  assert.equal(result.mapping, null);
});

test('with more than one connection every rule and grant must name its tenant', () => {
  const text = withBody(
    ...FABRIKAM,
    'agents:',
    '  - rule: desk',
    '    from: { group: SG }',
    'users:',
    '  - { rule: staff, tenant: fabrikam, from: { group: A }, client: Fabrikam, site: HQ }',
    'roles:',
    '  - noManager: true',
    '    userRoles: [Senior Staff]',
    'cab:',
    '  - { group: SG-CAB, cab: CAB, tenant: contoso }',
  );
  const result = parseMapping(text);
  assert.deepEqual(problems(text), [
    '16:11: error: agents[0] must name its tenant: there is more than one entra connection (contoso, fabrikam)',
    '21:5: error: roles[0] must name its tenant: there is more than one entra connection (contoso, fabrikam)',
  ]);
  // Suggestions replace the text at the range (here the rule name), so there are none.
  assert.equal(result.diagnostics[0].suggestions, undefined);
  assert.equal(result.diagnostics[0].code, 'tenant-required');
});

test('one connection: tenant may be left out', () => {
  assert.deepEqual(problems(withBody('agents:', '  - { rule: desk, from: { group: SG } }')), []);
});

test('duplicate entra connection names: an error on the second', () => {
  const text = withBody(...FABRIKAM.map((l) => l.replace('fabrikam', 'contoso').replace('name: fabrikam', 'name: contoso')));
  assert.deepEqual(problems(text).filter((p) => p.includes('connection name')), [
    '11:11: error: entra connection name "contoso" is already used by entra[0] (line 7)',
  ]);
});

test('site and siteFrom together: an error at siteFrom', () => {
  const text = withBody('users:', '  - rule: staff', '    from: { group: A }', '    client: Contoso', '    site: HQ', '    siteFrom: officeLocation');
  assert.deepEqual(problems(text), [
    '16:5: error: give either site or siteFrom, not both: site places everyone in one site, siteFrom takes each site from an Entra attribute',
  ]);
});

test('createSites or siteDefault without siteFrom: warnings; siteFrom alone is fine', () => {
  const text = withBody('users:', '  - rule: staff', '    from: { group: A }', '    client: Contoso', '    site: HQ', '    createSites: true', '    siteDefault: HQ');
  assert.deepEqual(problems(text), [
    '16:5: warning: createSites has no effect without siteFrom',
    '17:5: warning: siteDefault has no effect without siteFrom',
  ]);
  assert.deepEqual(problems(withBody('users:', '  - { rule: s, from: { group: A }, client: C, siteFrom: officeLocation }')), []);
  assert.deepEqual(problems(withBody('users:', '  - { rule: s, from: { group: A }, client: C, site: HQ, createSites: false }')), []);
});

test('a roles grant needs exactly one of group and noManager', () => {
  const text = withBody(
    'roles:',
    '  - agentRoles: [Administrator]',
    '  - group: SG-Approvers',
    '    noManager: true',
    '    userRoles: [Approver]',
    '  - noManager: false',
    '    userRoles: [Approver]',
  );
  assert.deepEqual(problems(text), [
    '12:5: error: roles[0] must say who gets the roles: give group or noManager: true',
    '14:5: error: roles[1] has both group and noManager: use one per entry',
    '16:5: error: roles[2] must say who gets the roles: give group or noManager: true',
  ]);
});

test('a roles grant that grants nothing is a warning', () => {
  assert.deepEqual(problems(withBody('roles:', '  - group: SG')), ['12:5: warning: roles[0] grants no roles: add agentRoles or userRoles']);
});

test('a protect entry must name a record', () => {
  const text = withBody('protect:', '  - kind: agent', '  - { haloId: 7 }', '  - {}');
  assert.deepEqual(problems(text), [
    '12:5: error: protect[0] must name the record to protect: give email, haloId or entraId',
    '14:5: error: protect[2] must name the record to protect: give email, haloId or entraId',
  ]);
});

test('a percentage threshold over 100% is an error; 100% is allowed', () => {
  const text = withBody('safety:', '  maxDeactivations: 100%', '  maxChanges: 100.5%');
  assert.deepEqual(problems(text), ['13:15: error: maxChanges cannot be over 100%: it is a share of the managed Halo records']);
});

test('fields the tool owns are errors', () => {
  const text = withBody(
    'fields:',
    '  users:',
    '    site_id: officeLocation',
    '    client_id: companyName',
    '    inactive: accountEnabled',
    '    azureoid: id',
    '  agents:',
    '    isdisabled: accountEnabled',
  );
  assert.deepEqual(problems(text), [
    "13:5: error: site_id is written by Halo Identity itself (the rule's site or siteFrom places the user): remove it from fields.users",
    "14:5: error: client_id is written by Halo Identity itself (the rule's client places the user): remove it from fields.users",
    '15:5: error: inactive is written by Halo Identity itself (deprovisioning sets it): remove it from fields.users',
    '16:5: error: azureoid is written by Halo Identity itself (it links the user to the Entra identity): remove it from fields.users',
    '18:5: error: isdisabled is written by Halo Identity itself (deprovisioning sets it): remove it from fields.agents',
  ]);
});

test('custom field names must start with CF in capitals', () => {
  const text = withBody('fields:', '  users:', '    cfDepartment: department', '    CF: department', '    CFCostCentre: employeeOrgData.costCenter');
  const result = parseMapping(text);
  assert.deepEqual(problems(text), [
    '13:5: error: Halo custom field names start with "CF" in capitals (did you mean "CFDepartment"?)',
    '14:5: error: a custom field name needs its name after "CF", such as CFDepartment',
  ]);
  assert.deepEqual(result.diagnostics[0].suggestions, ['CFDepartment']);
});

test('a field name Halo does not list is a warning with did-you-mean', () => {
  const text = withBody('fields:', '  users:', '    email: mail', '    phonenumbr: mobilePhone', '  agents:', '    title: jobTitle');
  const result = parseMapping(text);
  assert.deepEqual(problems(text), [
    '13:5: warning: "email" is the Halo agent field; a Halo user has "emailaddress"',
    '14:5: warning: "phonenumbr" is not a Halo user field (did you mean "phonenumber"?); custom fields go by their Halo name, which starts with CF',
    '16:5: warning: "title" is the Halo user field; a Halo agent has "jobtitle"',
  ]);
  assert.deepEqual(result.diagnostics[1].suggestions?.[0], 'phonenumber');
  assert.ok(result.mapping, 'warnings keep the mapping');
});
