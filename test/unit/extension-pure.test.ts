// The extension's pure helpers: log redaction, snapshot coverage of an edited mapping, live names
// from snapshots, and the text of a new mapping file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { directoryNeeds, haloNeeds } from '../../src/core/needs';
import { parseMapping } from '../../src/core/parse';
import type { HaloSnapshot } from '../../src/core/snapshot';
import { coverageWarning, systemsOf, uncovered } from '../../src/extension/coverage';
import { liveNamesOf } from '../../src/core/live-names';
import { blankExample } from '../../src/core/new-mapping';
import { Redactor } from '../../src/extension/redactor';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';

test('the redactor masks registered values, bearer tokens, JWTs and private keys', () => {
  const r = new Redactor();
  r.add('s3cr3t-value');
  r.add('abc'); // too short to mask without mangling ordinary text
  r.add('s3cr3t-value-longer');
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJyb2xlcyI6WyJVc2VyLlJlYWQuQWxsIl19.c2lnbmF0dXJl';
  const out = r.apply(
    `secret s3cr3t-value-longer and s3cr3t-value; abc; Authorization: Bearer abc.def-ghi_jkl==; token ${jwt}\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`,
  );
  assert.doesNotMatch(out, /s3cr3t/);
  assert.match(out, /secret \[redacted\] and \[redacted\]; abc;/);
  assert.match(out, /Bearer \[redacted\]/);
  assert.doesNotMatch(out, /eyJ/);
  assert.doesNotMatch(out, /MIIE/);
});

function mappingOf(text: string) {
  const parsed = parseMapping(text);
  assert.ok(parsed.mapping, parsed.diagnostics.map((d) => d.message).join('; '));
  return parsed.mapping;
}

const scopeOf = (text: string) => {
  const m = mappingOf(text);
  return { directories: directoryNeeds(m), halo: haloNeeds(m), systems: systemsOf(m) };
};

test('an edit within what the snapshots hold is covered', () => {
  const before = scopeOf(EXAMPLE_MAPPING);
  const after = scopeOf(EXAMPLE_MAPPING.replace('rule: service-desk', 'rule: front-line'));
  assert.deepEqual(uncovered(before, after), []);
  assert.equal(coverageWarning([]), undefined);
  assert.equal(before.systems, after.systems);
});

test('an edit that needs a new group, attribute or Halo field is named', () => {
  const before = scopeOf(EXAMPLE_MAPPING);
  const after = scopeOf(EXAMPLE_MAPPING.replace('group: SG-Halo-Agents', 'group: SG-Tier2').replace('    jobtitle: jobTitle', '    jobtitle: jobTitle\n    phonenumber: mobilePhone'));
  const missing = uncovered(before, after);
  assert.ok(missing.includes('group "SG-Tier2"'), missing.join('; '));
  assert.ok(missing.some((m) => /attribute.*mobilePhone/.test(m)), missing.join('; '));
  assert.ok(missing.some((m) => /Halo agent field.*phonenumber/.test(m)), missing.join('; '));
  assert.match(coverageWarning(missing) ?? '', /Refresh Snapshots/);
});

test('a snapshot that read roles role by role names a role the edit starts managing', () => {
  const before = { ...scopeOf(EXAMPLE_MAPPING), partialRoles: { agent: ['Administrator', 'Technician'] } };
  const after = scopeOf(EXAMPLE_MAPPING.replace('roles: [Technician]', 'roles: [Technician, Finance Viewer]'));
  assert.deepEqual(uncovered(before, after), ['the Halo members of agent role Finance Viewer']);
  assert.deepEqual(uncovered(scopeOf(EXAMPLE_MAPPING), after), [], 'rows that carried every role cover any role');
});

test('another Halo instance is another system', () => {
  const before = scopeOf(EXAMPLE_MAPPING);
  const after = scopeOf(EXAMPLE_MAPPING.replace('url: https://contoso.halopsa.com ', 'url: https://fabrikam.halopsa.com '));
  assert.notEqual(before.systems, after.systems);
});

test('live names give only the lists the snapshot read in full', () => {
  const mapping = mappingOf(EXAMPLE_MAPPING);
  const halo: HaloSnapshot = {
    users: [], agents: [], clients: [{ id: 1, name: 'Contoso', inactive: false }],
    sites: [{ id: 10, name: 'Head Office', clientId: 1, inactive: false }, { id: 11, name: 'Orphan site', clientId: 99, inactive: false }],
    agentRoles: [{ id: 1, name: 'Technician' }], userRoles: [{ id: 2, name: 'End User' }], teams: [{ id: 3, name: 'Service Desk' }],
    cabs: [{ id: 4, name: 'Change Advisory Board', members: [], roles: ['Approver'] }], stats: { requests: 0, detailReads: 0, warnings: [] },
  };
  const snapshots = { directories: { tenants: [{ tenant: 'contoso', users: [], groups: [{ ref: 'SG-Halo-Agents', id: 'g1', displayName: 'SG-Halo-Agents', memberIds: [] }] }] }, halo, takenAt: '' };
  const read = { ...haloNeeds(mapping), teams: false };
  const names = liveNamesOf(snapshots, read, undefined, mapping);
  assert.equal(names.teams, undefined, 'teams were not read: they must not be checked');
  assert.deepEqual(names.agentRoles, ['Technician']);
  assert.deepEqual(names.sites, [{ client: 'Contoso', name: 'Head Office' }]);
  // Without a full group list, the mapping's own groups count as known (never a false "unknown").
  assert.ok(names.groups?.contoso.includes('All Staff'));
  const listed = liveNamesOf(snapshots, read, { contoso: ['A', 'B'] }, mapping);
  assert.deepEqual(listed.groups?.contoso, ['A', 'B']);
});

test('a new mapping is the example with the instance and tenant left blank', () => {
  const text = blankExample(EXAMPLE_MAPPING);
  const parsed = parseMapping(text);
  assert.ok(parsed.document.errors.length === 0, 'not valid YAML');
  assert.equal(parsed.document.getIn(['halo', 'url']), '');
  assert.equal(parsed.document.getIn(['entra', 0, 'tenantId']), '');
  assert.equal(parsed.document.getIn(['halo', 'authUrl']), undefined);
  assert.equal(parsed.document.getIn(['halo', 'tenant']), undefined);
  assert.doesNotMatch(text, /contoso\.halopsa\.com|72f988bf/);
  // Only the blanks are errors: the rest of the example still validates.
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path.join('.'));
  assert.ok(errors.length >= 2 && errors.every((p) => /^(halo\.url|entra\.0\.tenantId)/.test(p)), errors.join('; '));
});
