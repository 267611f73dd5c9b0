// Okta pieces without a network: what each user status means, the client assertion we sign, and
// the mapping language with an okta: list beside entra:.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { directoryNeeds } from '../../src/core/needs';
import { HttpClient } from '../../src/net/http';
import { mixedMapping } from '../../src/sim/example-mixed';
import { OktaAuth } from '../../src/sources/okta/auth';
import { isEnabledStatus } from '../../src/sources/okta/users';

describe('Okta user status', () => {
  it('active, provisioned, staged, recovery, password expired and locked out are enabled; suspended and deprovisioned are not', () => {
    for (const s of ['ACTIVE', 'PROVISIONED', 'STAGED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']) assert.equal(isEnabledStatus(s), true, s);
    for (const s of ['SUSPENDED', 'DEPROVISIONED']) assert.equal(isEnabledStatus(s), false, s);
  });
  it('a status Okta does not document is not guessed', () => {
    assert.equal(isEnabledStatus('ARCHIVED'), undefined);
    assert.equal(isEnabledStatus('active'), undefined, 'statuses are upper case');
  });
});

describe('Okta client assertion (private_key_jwt)', () => {
  for (const [type, alg, opts] of [['rsa', 'RS256', { modulusLength: 2048 }], ['ec', 'ES256', { namedCurve: 'P-256' }]] as const) {
    it(`${alg}: iss = sub = client id, aud = the token URL, at most an hour, signed by the key`, () => {
      const { privateKey, publicKey } = generateKeyPairSync(type as 'rsa', opts as { modulusLength: number });
      const http = new HttpClient();
      const auth = new OktaAuth({ name: 'c', orgUrl: 'https://fabrikam.okta.com', credential: { kind: 'service-app', clientId: '0oa123', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId: 'k1' } }, http);
      const jwt = auth.assertion(1_700_000_000_000);
      const [h, c, s] = jwt.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
      assert.deepEqual(header, { alg, typ: 'JWT', kid: 'k1' });
      assert.equal(claims.iss, '0oa123');
      assert.equal(claims.sub, '0oa123');
      assert.equal(claims.aud, 'https://fabrikam.okta.com/oauth2/v1/token');
      assert.ok(claims.exp - claims.iat <= 3600 && claims.exp > claims.iat);
      assert.equal(typeof claims.jti, 'string');
      const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
      assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(s, 'base64url')));
      assert.notEqual(auth.assertion(), auth.assertion(), 'a fresh jti each time');
      http.close();
    });
  }
});

describe('okta: in the mapping', () => {
  const mixed = mixedMapping();
  it('the mixed example validates, and each connection is asked only for its own attributes', () => {
    const parsed = parseMapping(mixed);
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const [entra, okta] = directoryNeeds(parsed.mapping!);
    assert.equal(entra.tenant, 'contoso');
    assert.equal(okta.tenant, 'customers');
    assert.ok(entra.attributes.includes('givenName') && !entra.attributes.includes('firstName'), entra.attributes.join());
    assert.ok(okta.attributes.includes('firstName') && okta.attributes.includes('email'), okta.attributes.join());
    assert.deepEqual(okta.groups, ['Customer Approvers', 'Customer Staff']);
    // Okta groups do not nest: validation says so, once per group, and only for the Okta rules.
    const flat = parsed.diagnostics.filter((d) => d.code === 'flat-groups');
    assert.deepEqual(flat.map((d) => [d.severity, d.message]), [
      ['info', 'Okta groups do not nest: "Customer Staff" selects its own members only, not the members of groups inside it'],
      ['info', 'Okta groups do not nest: "Customer Approvers" selects its own members only, not the members of groups inside it'],
    ]);
  });

  it('a field whose source no directory of the file documents is flagged, naming both (a warning: Okta may have it as a custom attribute)', () => {
    const bad = mixed.replace(/^( *)phonenumber: .*$/m, (line, indent) => `${line}\n${indent}mobilenumber: mobilePhon`);
    const d = parseMapping(bad).diagnostics.find((x) => x.code === 'unknown-attribute');
    assert.ok(d, 'no unknown-attribute diagnostic');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /no directory this mapping reads has "mobilePhon" \(Entra: Entra users have no attribute "mobilePhon" in Graph's metadata \(did you mean "mobilePhone"\?\); Okta: .*custom attribute/);
    assert.ok(d.suggestions?.includes('mobilePhone'));
  });

  it('tenant and source are one key: both at once is an error, a source naming no connection too', () => {
    const both = parseMapping(mixed.replace('source: customers\n    from:', 'source: customers\n    tenant: customers\n    from:'));
    assert.ok(both.diagnostics.some((d) => d.code === 'tenant-and-source'), both.diagnostics.map((d) => d.message).join('\n'));
    const unknown = parseMapping(mixed.replace('source: customers\n    from:', 'source: custmers\n    from:'));
    assert.ok(unknown.diagnostics.some((d) => d.code === 'unknown-tenant' && /unknown source "custmers": no entra, okta or google connection has that name \(did you mean "customers"\?\)/.test(d.message)), unknown.diagnostics.map((d) => d.message).join('\n'));
  });

  it('a connection name is unique across directory lists', () => {
    const clash = parseMapping(mixed.replace('name: customers', 'name: contoso'));
    assert.ok(clash.diagnostics.some((d) => d.code === 'duplicate-connection' && /okta connection name "contoso" is already used by entra\[0\]/.test(d.message)));
  });
});
