// userType and creationType: mappable as fields and usable in `where`, read from Graph by $select.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directoryNeeds } from '../../src/core/needs';
import { plan } from '../../src/core/plan';
import { userSelect } from '../../src/sources/entra/users';
import { BASE_MAPPING, entra, entraUser, halo, mappingFrom } from '../support/snapshots';

const MAPPING = `${BASE_MAPPING}
users:
  - { rule: invited, from: { all: true, includeGuests: true, where: { creationType: Invitation } }, client: Contoso, site: Head Office }
  - { rule: members, from: { all: true, where: { userType: Member } }, client: Contoso, site: Head Office }
fields:
  users: { name: displayName, emailaddress: mail, CFUserType: userType, CFCreation: creationType }
`;

describe('userType and creationType', () => {
  const guest = entraUser('Gail Guest', { userType: 'Guest', attrs: { creationType: 'Invitation' } });
  const member = entraUser('Mo Member', { attrs: { creationType: null } });
  const local = entraUser('Lou Local', { userType: 'Guest', attrs: { creationType: 'LocalAccount' } });
  const created = () => plan(mappingFrom(MAPPING), entra([guest, member, local], {}), halo({})).changes.filter((c) => c.action === 'create');

  it('select in where: the invited guest by creationType, the member by userType, the other guest by neither', () => {
    assert.deepEqual(created().map((c) => [c.name, c.rule]).sort(), [['Gail Guest', 'invited'], ['Mo Member', 'members']]);
  });

  it('are written as fields, an empty creationType as no value', () => {
    const byName = new Map(created().map((c) => [c.name, c.fields]));
    assert.deepEqual(byName.get('Gail Guest')?.CFUserType, { from: null, to: 'Guest' });
    assert.deepEqual(byName.get('Gail Guest')?.CFCreation, { from: null, to: 'Invitation' });
    assert.deepEqual(byName.get('Mo Member')?.CFUserType, { from: null, to: 'Member' });
    assert.equal(byName.get('Mo Member')?.CFCreation, undefined);
  });

  it('are read with $select', () => {
    const select = userSelect(directoryNeeds(mappingFrom(MAPPING))[0]);
    assert.ok(select.includes('userType') && select.includes('creationType'), select.join(','));
  });
});
