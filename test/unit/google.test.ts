// Google Workspace pieces without a network: how a user's list fields are read, the JWT the
// service account signs, the simulator's partial-response grammar, and google: in the mapping.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { HttpClient } from '../../src/net/http';
import { mixedMapping } from '../../src/sim/example-mixed';
import { parseFields, select } from '../../src/sim/google/fields';
import { GOOGLE_SCOPES, GoogleAuth } from '../../src/sources/google/auth';
import { userFields, valueOf } from '../../src/sources/google/users';

const user = {
  id: '1',
  primaryEmail: 'ari@partners.example',
  name: { fullName: 'Ari Ash', givenName: 'Ari' },
  organizations: [{ title: 'Old', department: 'X' }, { title: 'Lead', department: 'Sales', primary: true }],
  phones: [{ value: '+44 1', type: 'work' }, { value: '+44 2', type: 'mobile' }],
  relations: [{ value: 'boss@partners.example', type: 'manager' }],
  locations: [{ buildingId: 'B1' }],
  customSchemas: { HR: { costCode: 'CC-1' } },
  aliases: ['a@partners.example', 'b@partners.example'],
};

describe('Google user fields', () => {
  it('objects by their fields, lists of records as the primary (else the first), typed lists by type', () => {
    assert.equal(valueOf(user, 'name.fullName'), 'Ari Ash');
    assert.equal(valueOf(user, 'organizations.title'), 'Lead');
    assert.equal(valueOf(user, 'organizations.department'), 'Sales');
    assert.equal(valueOf(user, 'locations.buildingId'), 'B1');
    assert.equal(valueOf(user, 'phones.mobile'), '+44 2');
    assert.equal(valueOf(user, 'phones.home'), null);
    assert.equal(valueOf(user, 'relations.manager'), 'boss@partners.example');
    assert.equal(valueOf(user, 'customSchemas.HR.costCode'), 'CC-1');
    assert.equal(valueOf(user, 'customSchemas.HR.missing'), null);
    assert.deepEqual(valueOf(user, 'aliases'), ['a@partners.example', 'b@partners.example']);
  });
  it('asks only for the top-level fields the mapping reads', () => {
    assert.deepEqual(userFields({ tenant: 't', attributes: ['organizations.title', 'customSchemas.HR.costCode'], groups: [], manager: true, managerAttributes: [] }), ['aliases', 'archived', 'customSchemas', 'id', 'name', 'organizations', 'primaryEmail', 'relations', 'suspended']);
  });
});

describe('Google service account assertion (RFC 7523)', () => {
  it('RS256 with the key id; iss the service account, sub the administrator, aud the token URL, the two scopes, an hour', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const http = new HttpClient();
    const key = { client_email: 'sync@p.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), private_key_id: 'abc' };
    const auth = new GoogleAuth({ name: 'p', subject: 'admin@p.example', key, customer: 'my_customer', apiUrl: 'https://admin.googleapis.com', tokenUrl: 'https://oauth2.googleapis.com/token' }, http);
    const [h, c, s] = auth.assertion(1_700_000_000_000).split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'RS256', typ: 'JWT', kid: 'abc' });
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
    assert.deepEqual(claims, { iss: key.client_email, scope: GOOGLE_SCOPES.join(' '), aud: 'https://oauth2.googleapis.com/token', iat: 1_700_000_000, exp: 1_700_003_600, sub: 'admin@p.example' });
    assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(s, 'base64url')));
    http.close();
  });
});

describe('the Google simulator\'s fields parameter', () => {
  it('selects nested fields, sub-paths and lists', () => {
    const sel = parseFields('nextPageToken,users(id,name/fullName,organizations(title))');
    const out = select({ kind: 'k', nextPageToken: 't', users: [user] }, sel) as { users: Array<Record<string, unknown>> };
    assert.deepEqual(out, { nextPageToken: 't', users: [{ id: '1', name: { fullName: 'Ari Ash' }, organizations: [{ title: 'Old' }, { title: 'Lead' }] }] });
    assert.throws(() => parseFields('users(id'), /bracket/);
  });
});

describe('google: in the mapping', () => {
  it('the mixed example validates with three directories; Google attributes are checked for Google rules', () => {
    const mixed = mixedMapping();
    assert.deepEqual(parseMapping(mixed).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const bad = mixed.replace('rule: partner-staff', 'rule: partner-staff\n    siteFrom: orgUnitPth').replace(/(rule: partner-staff[\s\S]*?)site: Fabrikam HQ\n/, '$1createSites: true\n');
    const d = parseMapping(bad).diagnostics.find((x) => x.code === 'unknown-attribute');
    assert.ok(d, parseMapping(bad).diagnostics.map((x) => x.message).join('\n'));
    assert.match(d.message, /Google Workspace users have no attribute "orgUnitPth" in the Directory API's user resource \(did you mean "orgUnitPath"\?\)/);
  });
});
