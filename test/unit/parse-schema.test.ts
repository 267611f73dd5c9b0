import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { only, problems, withBody } from './mapping-text';

const ROOT = join(__dirname, '../../..');

test('the normative example validates with no errors and no warnings', () => {
  const result = parseMapping(readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8'));
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.mapping);
  assert.equal(result.mapping.users?.[1].siteFrom, 'officeLocation');
  assert.equal(result.mapping.halo.clientSecret, '${env:HALO_CLIENT_SECRET}');
});

test('unknown key: at the key, with a did-you-mean suggestion', () => {
  const d = only(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    client: Contoso', '    site: Head Office', '    roels: [End User]'));
  assert.equal(d.code, 'unknown-key');
  assert.equal(d.message, 'unknown key "roels" in users[0] (did you mean "roles"?)');
  assert.deepEqual(d.range, { start: { line: 15, character: 4 }, end: { line: 15, character: 9 } });
  assert.deepEqual(d.suggestions, ['roles']);
  assert.deepEqual(d.path, ['users', 0, 'roels']);
});

test('unknown key: keys already present are not suggested ("site" for "sites")', () => {
  const d = only(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    client: Contoso', '    site: Head Office', '    sites: x'));
  assert.equal(d.message, 'unknown key "sites" in users[0]');
});

test('unknown key at the top level', () => {
  assert.deepEqual(problems(withBody('agnets: []')), ['11:1: error: unknown key "agnets" at the top level (did you mean "agents"?)']);
});

test('missing key: at the key of the section that lacks it', () => {
  assert.deepEqual(problems('version: 1\nhalo:\n  url: https://contoso.halopsa.com\n  clientSecret: ${env:S}\nentra: []\n'), [
    '2:1: error: missing required key "clientId" in halo',
    '5:8: error: entra must list at least one entry',
  ]);
});

test('missing keys of one section are reported together', () => {
  assert.deepEqual(problems('version: 1\nhalo:\n  url: https://contoso.halopsa.com\nentra: []\n'), [
    '2:1: error: missing required keys "clientId" and "clientSecret" in halo',
    '4:8: error: entra must list at least one entry',
  ]);
});

test('a misspelt key is reported once, as unknown, not also as missing', () => {
  assert.deepEqual(problems(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    clinet: Contoso', '    site: HQ')), [
    '14:5: error: unknown key "clinet" in users[0] (did you mean "client"?)',
  ]);
  assert.deepEqual(problems(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    customer: Contoso', '    site: HQ')), [
    '12:5: error: users[0] needs client or clientFrom',
    '14:5: error: unknown key "customer" in users[0]',
  ]);
});

test('missing key: in a list item, at the item\'s first line', () => {
  const d = only(withBody('agents:', '  - rule: service-desk', '    team: Service Desk'));
  assert.equal(d.message, 'missing required key "from" in agents[0]');
  assert.deepEqual(d.range, { start: { line: 11, character: 4 }, end: { line: 11, character: 22 } });
});

test('missing key at the top level: at the first key', () => {
  assert.deepEqual(problems('# header\nversion: 1\nentra: []\n'), [
    '2:1: error: missing required key "halo" at the top level',
    '3:8: error: entra must list at least one entry',
  ]);
});

test('enum: at the value, listing the allowed values, with did-you-mean', () => {
  const d = only(withBody('agents:', '  - rule: desk', '    from: { group: SG }', '    licence: Named'));
  assert.equal(d.message, 'licence must be one of named, concurrent, unchanged (did you mean "named"?)');
  assert.deepEqual(d.range, { start: { line: 13, character: 13 }, end: { line: 13, character: 18 } });
  assert.deepEqual(d.suggestions, ['named']);
  assert.equal(d.code, 'invalid-value');
});

test('enum inside a list names the entry', () => {
  assert.deepEqual(problems(withBody('match:', '  agents: [email, upn]')), ['12:19: error: match.agents[1] must be one of email, ad, name']);
});

test('const: version', () => {
  assert.deepEqual(problems(withBody().replace('version: 1', 'version: 2')), ['1:10: error: version must be 1, the only format version so far']);
});

test('type: says what was expected and what was found', () => {
  assert.deepEqual(problems(withBody('agents:', '  rule: desk')), ['12:3: error: agents must be a list (found a mapping of keys)']);
  assert.deepEqual(problems(withBody('deprovision:', '  users:')), ['12:3: error: deprovision.users must be text (it is empty)']);
});

test('type: a number where text is expected suggests quotes', () => {
  const d = only(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    client: 1234', '    site: Head Office'));
  assert.equal(d.message, 'client must be text (found a number; put it in quotes)');
  assert.deepEqual(d.range.start, { line: 13, character: 12 });
});

test('type: yes/no where true or false is expected', () => {
  const d = only(withBody('agents:', '  - rule: desk', '    from: { group: SG, includeGuests: yes }'));
  assert.equal(d.message, 'from.includeGuests must be true or false (found text "yes"; write true or false without quotes)');
  assert.deepEqual(d.range.start, { line: 12, character: 38 });
});

test('literal secret: a human message at the value', () => {
  const d = only(withBody().replace('clientSecret: ${env:HALO_CLIENT_SECRET}', 'clientSecret: hunter2'));
  assert.equal(d.code, 'literal-secret');
  assert.equal(d.message, 'clientSecret must be a reference like ${env:HALO_CLIENT_SECRET}; never put the secret itself in this file');
  assert.deepEqual(d.range, { start: { line: 4, character: 16 }, end: { line: 4, character: 23 } });
});

test('literal secret: Entra secret and private key, and a secret that is not text', () => {
  const text = withBody().replace('clientSecret: ${env:ENTRA_CLIENT_SECRET}', 'clientSecret: 12345');
  assert.deepEqual(problems(text), [
    '10:19: error: clientSecret must be a reference like ${env:ENTRA_CLIENT_SECRET}; never put the secret itself in this file',
  ]);
  const cert = withBody().replace(
    'clientSecret: ${env:ENTRA_CLIENT_SECRET}',
    'certificate: { thumbprintSha256: ' + 'ab'.repeat(32) + ', privateKey: "-----BEGIN PRIVATE KEY-----" }',
  );
  const d = only(cert);
  assert.equal(d.message, 'privateKey must be a reference like ${env:ENTRA_PRIVATE_KEY}; never put the key itself in this file');
  assert.equal(d.code, 'literal-secret');
  assert.deepEqual(d.range.start, { line: 9, character: 115 });
});

test('pattern: a schema-supplied message, prefixed with the key', () => {
  assert.deepEqual(problems(withBody().replace('url: https://contoso.halopsa.com', 'url: contoso.halopsa.com')), [
    '3:8: error: halo.url must be a web address starting with https://, such as https://contoso.halopsa.com',
  ]);
});

test('minimum and maximum: the allowed range', () => {
  assert.deepEqual(problems(withBody().replace('halo:\n', 'halo:\n  pageSize: 5000\n  batchSize: 0\n  rateLimit: { requests: 0, windowSeconds: 300 }\n')), [
    '3:13: error: halo.pageSize must be from 1 to 1000',
    '4:14: error: halo.batchSize must be from 1 to 500',
    '5:26: error: halo.rateLimit.requests must be at least 1',
  ]);
});

test('uniqueItems: at the repeated entry', () => {
  assert.deepEqual(problems(withBody('agents:', '  - rule: desk', '    from: { group: SG }', '    roles: [Technician, Lead, Technician]')), [
    '14:31: error: roles lists "Technician" twice',
  ]);
});

test('invalid key names in a map of Halo fields: at the key', () => {
  assert.deepEqual(problems(withBody('fields:', '  users:', '    job title: jobTitle')), [
    '13:5: error: key "job title" in fields.users must be a Halo field name such as title or CFDepartment',
  ]);
});

test('oneOf of required keys: both given is one error at the second key', () => {
  const text = withBody().replace(
    '    clientSecret: ${env:ENTRA_CLIENT_SECRET}',
    '    clientSecret: ${env:ENTRA_CLIENT_SECRET}\n    certificate: { thumbprintSha256: ' + 'ab'.repeat(32) + ', privateKeyFile: key.pem }',
  );
  assert.deepEqual(problems(text), ['11:5: error: entra[0] has both clientSecret and certificate: give only one']);
});

test('oneOf of required keys: neither given is one error at the item', () => {
  const text = withBody().replace('    clientSecret: ${env:ENTRA_CLIENT_SECRET}', '');
  assert.deepEqual(problems(text), ['7:5: error: entra[0] needs clientSecret or certificate']);
  const cert = withBody().replace('    clientSecret: ${env:ENTRA_CLIENT_SECRET}', '    certificate:\n      thumbprintSha256: ' + 'ab'.repeat(32));
  assert.deepEqual(problems(cert), ['10:5: error: entra[0].certificate needs privateKeyFile or privateKey']);
});

test('anyOf of required keys: a user rule needs a site', () => {
  assert.deepEqual(problems(withBody('users:', '  - rule: staff', '    from: { group: All Staff }', '    client: Contoso')), [
    '12:5: error: users[0] needs site or siteFrom',
  ]);
});

test('a union narrows to the branch that fits the value: cloud', () => {
  const text = (cloud: string) => withBody().replace('clientSecret: ${env:ENTRA_CLIENT_SECRET}', `clientSecret: \${env:ENTRA_CLIENT_SECRET}\n    cloud: ${cloud}`);
  assert.deepEqual(problems(text('gobal')), ['11:12: error: cloud must be one of global, usgov, china (did you mean "global"?)']);
  assert.deepEqual(problems(text('{ loginUrl: https://login.example, graphURL: https://graph.example }')), [
    '11:47: error: unknown key "graphURL" in entra[0].cloud (did you mean "graphUrl"?)',
  ]);
  assert.deepEqual(problems(text('[global]')), ['11:12: error: cloud must be global, usgov, china, or { loginUrl, graphUrl }']);
});

test('a union narrows to the branch that fits the value: thresholds', () => {
  const text = (v: string) => withBody('safety:', `  maxChanges: ${v}`);
  assert.deepEqual(problems(text('-1')), ['12:15: error: safety.maxChanges must be at least 0']);
  assert.deepEqual(problems(text('lots')), ['12:15: error: safety.maxChanges must be a whole number such as 10 or a percentage such as "5%"']);
  assert.deepEqual(problems(text('2.5')), ['12:15: error: safety.maxChanges must be a whole number such as 10 or a percentage such as "5%"']);
  assert.deepEqual(problems(text('"5%"')), []);
});

test('nested unions: a field long form with a bad key and a bad when', () => {
  assert.deepEqual(problems(withBody('fields:', '  users:', '    title: { form: jobTitle, when: sometimes }')), [
    '13:14: error: unknown key "form" in fields.users.title (did you mean "from"?)',
    '13:36: error: fields.users.title.when must be one of always, create',
  ]);
  assert.deepEqual(problems(withBody('fields:', '  users:', '    title: { from: [jobTitle, 7] }')), [
    '13:31: error: fields.users.title.from[1] must be text (found a number; put it in quotes)',
  ]);
  assert.deepEqual(problems(withBody('fields:', '  users:', '    title: 7')), [
    '13:12: error: fields.users.title must be an Entra attribute, a list of attributes, or { from, default, when }',
  ]);
});

test('every schema error is reported, not just the first', () => {
  const text = withBody('agents:', '  - rule: desk', '    from: { grop: SG }', '    licence: full', 'deprovision: { users: delete }');
  assert.deepEqual(problems(text), [
    '13:13: error: unknown key "grop" in agents[0].from (did you mean "group"?)',
    '14:14: error: licence must be one of named, concurrent, unchanged',
    '15:23: error: deprovision.users must be one of deactivate, ignore',
  ]);
});

test('schema errors give no mapping', () => {
  assert.equal(parseMapping(withBody('agnets: []')).mapping, null);
});
