// clientFrom: an MSP whose customers share one Entra tenant takes each user's Halo client from an
// attribute, with clientDefault; clients are never created, and managed scope is the clients named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/core/plan';
import { only, withBody } from './mapping-text';
import { BASE_MAPPING, entra, entraUser, halo, haloUser, mappingFrom } from '../support/snapshots';

const MAPPING = `${BASE_MAPPING}
users:
  - { rule: customers, from: { all: true }, clientFrom: companyName, clientDefault: Contoso, siteFrom: officeLocation }
fields:
  users: { name: displayName, emailaddress: mail }
deprovision: { users: deactivate, orphans: report }
`;

describe('clientFrom', () => {
  const world = () =>
    halo({
      clients: [
        { id: 1, name: 'Contoso', inactive: false },
        { id: 2, name: 'Fabrikam', inactive: false },
        { id: 3, name: 'Tailspin', inactive: false },
      ],
      sites: [
        { id: 10, name: 'Head Office', clientId: 1, inactive: false },
        { id: 20, name: 'Head Office', clientId: 2, inactive: false },
        { id: 30, name: 'Head Office', clientId: 3, inactive: false },
      ],
      users: [
        haloUser(200, { name: 'Fab Orphan', clientId: 2, siteId: 20, email: 'orphan@fabrikam.example' }),
        haloUser(300, { name: 'Tailspin Person', clientId: 3, siteId: 30, email: 'someone@tailspin.example' }),
      ],
    });
  const at = (company: string | null, name: string) => entraUser(name, { attrs: { companyName: company, officeLocation: 'Head Office' } });
  const users = [at('Fabrikam', 'Fay Fab'), at('Fabrikm', 'Typo Tom'), at(null, 'No Company'), at('contoso', 'Cass Case')];
  const p = () => plan(mappingFrom(MAPPING), entra(users, {}), world());

  it('places each user under the client their attribute names, clientDefault when it is empty', () => {
    const created = new Map(p().changes.filter((c) => c.action === 'create').map((c) => [c.name, c.site?.clientName]));
    assert.deepEqual(Object.fromEntries(created), { 'Fay Fab': 'Fabrikam', 'No Company': 'Contoso', 'Cass Case': 'Contoso' });
  });

  it('a value naming no client is that user\'s error with a did-you-mean; no client is created', () => {
    assert.deepEqual(p().errors.map((e) => [e.name, e.message]), [['Typo Tom', 'companyName "Fabrikm" names no Halo client (did you mean "Fabrikam"?); clients are never created']]);
  });

  it('manages only the clients named: an orphan under Fabrikam is reported, Tailspin is untouched', () => {
    assert.deepEqual(p().orphans.map((o) => o.haloId), [200]);
    assert.ok(!p().changes.some((c) => c.haloId === 300));
  });

  it('client and clientFrom together, or clientDefault alone, are flagged', () => {
    const head = ['users:', '  - rule: r', '    from: { all: true }', '    site: Head Office'];
    assert.equal(only(withBody(...head, '    client: Contoso', '    clientFrom: companyName')).code, 'client-conflict');
    assert.equal(only(withBody(...head, '    client: Contoso', '    clientDefault: Contoso')).code, 'client-default-unused');
    assert.match(only(withBody(...head)).message, /client|clientFrom/);
  });
});
