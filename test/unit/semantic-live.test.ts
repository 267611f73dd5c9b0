import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic, parseMapping } from '../../src/core/parse';
import { LiveNames, checkLiveNames } from '../../src/core/semantic';

const example = parseMapping(readFileSync(join(__dirname, '../../../examples/halo-identity.yaml'), 'utf8'));

/** Everything the example names, as a live Halo and Entra would hold it. */
const LIVE: LiveNames = {
  groups: { contoso: ['SG-Halo-Agents', 'All Staff', 'SG-Halo-Admins', 'SG-Approvers', 'SG-CAB'] },
  agentRoles: ['Technician', 'Administrator'],
  userRoles: ['End User', 'Approver', 'Senior Staff'],
  teams: ['Service Desk', 'Projects'],
  clients: ['Contoso', 'Fabrikam'],
  sites: [
    { client: 'Contoso', name: 'Head Office' },
    { client: 'Fabrikam', name: 'Main' },
  ],
  cabs: [{ name: 'Change Advisory Board', roles: ['Approver', 'Chair'] }],
};

const check = (live: LiveNames) => checkLiveNames(example, live).map(formatDiagnostic);

test('the example against matching live data: nothing to report', () => {
  assert.deepEqual(check(LIVE), []);
});

test('no live data, no checks', () => {
  assert.deepEqual(check({}), []);
});

test('an unknown Entra group is an error at the name, with did-you-mean', () => {
  const live = { ...LIVE, groups: { contoso: ['SG-Halo-Agent', 'All Staff', 'SG-Halo-Admins', 'SG-Approvers', 'SG-CAB'] } };
  const diagnostics = checkLiveNames(example, live);
  assert.deepEqual(diagnostics.map(formatDiagnostic), [
    '28:14: error: Entra group "SG-Halo-Agents" does not exist in tenant contoso (did you mean "SG-Halo-Agent"?)',
  ]);
  assert.equal(diagnostics[0].suggestions?.[0], 'SG-Halo-Agent');
  assert.equal(diagnostics[0].code, 'unknown-group');
  assert.deepEqual(diagnostics[0].path, ['agents', 0, 'from', 'group']);
});

test('groups of another tenant are not consulted', () => {
  assert.deepEqual(check({ groups: { fabrikam: [] } }), []);
});

test('unknown roles, team, client and CAB names are errors with did-you-mean', () => {
  const live: LiveNames = {
    ...LIVE,
    agentRoles: ['Technicians', 'Admin'],
    userRoles: ['End Users', 'Approver', 'Senior Staff'],
    teams: ['Servicedesk'],
    cabs: [{ name: 'Change Advisory Board', roles: ['Approvers'] }],
  };
  assert.deepEqual(check(live), [
    '29:11: error: Halo team "Service Desk" does not exist (did you mean "Servicedesk"?)',
    '30:13: error: Halo agent role "Technician" does not exist (did you mean "Technicians"?)',
    '40:13: error: Halo user role "End User" does not exist (did you mean "End Users"?)',
    '51:18: error: Halo agent role "Administrator" does not exist (did you mean "Admin"?)',
    '60:11: error: CAB role "Approver" does not exist on CAB "Change Advisory Board" (did you mean "Approvers"?)',
  ]);
});

test('a name that differs only in case is a warning suggesting the exact spelling', () => {
  const diagnostics = checkLiveNames(example, { ...LIVE, clients: ['CONTOSO'], sites: [] });
  assert.deepEqual(diagnostics.map(formatDiagnostic), [
    '38:13: warning: Halo client "Contoso" is written "CONTOSO" in Halo',
    '45:13: warning: Halo client "Contoso" is written "CONTOSO" in Halo',
  ]);
  assert.deepEqual(diagnostics[0].suggestions, ['CONTOSO']);
});

test('an unknown site is an error, or a warning when the rule creates sites', () => {
  const text = readFileSync(join(__dirname, '../../../examples/halo-identity.yaml'), 'utf8').replace(
    '    siteFrom: officeLocation                   # one site per distinct value under `client`',
    '    siteFrom: officeLocation\n    siteDefault: Remote',
  );
  const parsed = parseMapping(text);
  assert.ok(parsed.mapping);
  const live = { ...LIVE, sites: [{ client: 'Contoso', name: 'Head Offices' }] };
  assert.deepEqual(checkLiveNames(parsed, live).map(formatDiagnostic), [
    '39:11: error: Halo site "Head Office" does not exist under client "Contoso" (did you mean "Head Offices"?)',
    '47:18: warning: Halo site "Remote" does not exist under client "Contoso" yet',
  ]);
});

test('sites are not checked under a client that does not exist', () => {
  assert.deepEqual(check({ ...LIVE, clients: ['Fabrikam'] }), [
    '38:13: error: Halo client "Contoso" does not exist',
    '45:13: error: Halo client "Contoso" does not exist',
  ]);
});

test('an unknown CAB is an error', () => {
  assert.deepEqual(check({ ...LIVE, cabs: [{ name: 'Emergency CAB', roles: [] }] }), [
    '59:10: error: Halo CAB "Change Advisory Board" does not exist',
  ]);
});

test('group object ids are checked only when the cache holds ids', () => {
  const text = readFileSync(join(__dirname, '../../../examples/halo-identity.yaml'), 'utf8').replace(
    'group: SG-CAB',
    'group: 0b5e3c52-1b1e-4f0e-9d4c-6d2e8e6f1a11',
  );
  const parsed = parseMapping(text);
  assert.deepEqual(checkLiveNames(parsed, LIVE).map(formatDiagnostic), []);
  const withIds = { groups: { contoso: [...LIVE.groups!.contoso, '7d0f7c1a-0000-4000-8000-000000000000'] } };
  assert.deepEqual(checkLiveNames(parsed, withIds).map(formatDiagnostic), [
    '58:12: error: Entra group "0b5e3c52-1b1e-4f0e-9d4c-6d2e8e6f1a11" does not exist in tenant contoso',
  ]);
});

test('a file with schema errors has nothing to check', () => {
  assert.deepEqual(checkLiveNames(parseMapping('version: 2\n'), LIVE), []);
});
