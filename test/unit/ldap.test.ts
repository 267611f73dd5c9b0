// LDAP pieces that need no server: Active Directory's objectGUID and filters (no Active Directory
// runs here: its matching rule and attributes are checked as the strings and bytes they are), DN
// comparison, filter escaping, and ldap: in the mapping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { withBody } from './mapping-text';
import { escapeValue } from '../../src/sources/ldap/groups';
import { dnKey, guidOf } from '../../src/sources/ldap/users';

describe('LDAP values', () => {
  it('objectGUID as Active Directory writes it: the first three groups little-endian', () => {
    // The GUID {3F2504E0-4F89-41D3-9A0C-0305E82C3301} is stored as these 16 bytes [V MS-DTYP 2.3.4.1].
    const bytes = Buffer.from('E004253F894FD3419A0C0305E82C3301', 'hex');
    assert.equal(guidOf(bytes), '3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    assert.equal(guidOf([bytes]), '3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    assert.equal(guidOf(Buffer.alloc(4)), undefined, 'not 16 bytes: no id, never a guess');
  });
  it('filter values escaped (RFC 4515), DNs compared without case or spacing', () => {
    assert.equal(escapeValue('Sales (EMEA)*\\'), 'Sales \\28EMEA\\29\\2a\\5c');
    assert.equal(dnKey('CN=Ada Lovelace, OU=People ,DC=Corp,DC=Example'), 'cn=ada lovelace,ou=people,dc=corp,dc=example');
  });
});

describe('ldap: in the mapping', () => {
  const file = withBody(
    'ldap:',
    '  - name: branch',
    '    url: ldaps://dc1.corp.example',
    '    bindDn: CN=halo-reader,OU=Service,DC=corp,DC=example',
    '    bindPassword: ${env:LDAP_BIND_PASSWORD}',
    '    baseDn: DC=corp,DC=example',
    'users:',
    '  - rule: branch',
    '    source: branch',
    '    from: { group: Branch Staff, where: { department: Sales } }',
    '    client: Contoso',
    '    site: Head Office',
  );
  it('validates beside entra:, and a password written into the file is refused', () => {
    const parsed = parseMapping(file);
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const literal = parseMapping(file.replace('${env:LDAP_BIND_PASSWORD}', 'hunter2'));
    assert.ok(literal.diagnostics.some((d) => d.severity === 'error' && /bindPassword must be a reference like \$\{env:LDAP_BIND_PASSWORD\}/.test(d.message)));
  });
});
