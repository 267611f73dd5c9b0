// The Entra manager in Halo: a user's manager as one of the manager's attributes (manager_email:
// manager.mail), an agent's linemanager as the Halo agent id of the manager's agent record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directoryNeeds } from '../../src/core/needs';
import { plan } from '../../src/core/plan';
import { userSelect } from '../../src/sources/entra/users';
import { only, problems, withBody } from './mapping-text';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, mappingFrom } from '../support/snapshots';

const MAPPING = `${BASE_MAPPING}
agents:
  - { rule: desk, from: { group: Staff }, roles: [Technician] }
fields:
  agents: { name: displayName, email: mail, linemanager: manager.agent, CFManagerName: manager.displayName }
`;

describe('manager', () => {
  const boss = entraUser('Bea Boss');
  const lead = entraUser('Lee Lead', { managerId: boss.id });
  const ann = entraUser('Ann Desk', { managerId: lead.id, attrs: { 'manager.displayName': 'Lee Lead' } });
  lead.attrs['manager.displayName'] = 'Bea Boss';
  const dir = entra([ann, lead, boss], { Staff: [ann, lead] });

  it('linemanager is the Halo id of the manager\'s agent, matched later in the list or not at all', () => {
    const p = plan(mappingFrom(MAPPING), dir, halo({
      agents: [
        haloAgent(7, { name: 'Ann Desk', email: String(ann.attrs.mail), roles: ['Technician'], fields: { linemanager: null } }),
        haloAgent(9, { name: 'Lee Lead', email: String(lead.attrs.mail), roles: ['Technician'], fields: { linemanager: 3 } }),
      ],
    }));
    const byId = new Map(p.changes.map((c) => [c.haloId, c.fields]));
    assert.deepEqual(byId.get(7)?.linemanager, { from: null, to: 9 });
    // Lee's manager has no agent record: cleared, as an empty source clears any field.
    assert.deepEqual(byId.get(9)?.linemanager, { from: 3, to: null });
    assert.deepEqual(byId.get(7)?.CFManagerName, { from: null, to: 'Lee Lead' });
  });

  it('reads the manager with the users ($expand=manager, their attributes in the same $select), never per user', () => {
    const needs = directoryNeeds(mappingFrom(MAPPING))[0];
    assert.equal(needs.manager, true);
    assert.deepEqual(needs.managerAttributes, ['displayName']);
    assert.ok(!userSelect(needs).some((p) => p.startsWith('manager')), userSelect(needs).join(','));
  });

  it('manager alone, manager.agent for a user, or a manager attribute Graph lacks are positioned errors', () => {
    const rule = ['users:', '  - { rule: s, from: { group: Staff }, client: Contoso, site: Head Office }', 'fields:', '  users:'];
    assert.match(only(withBody(...rule, '    manager_email: manager')).message, /write manager\.mail, manager\.displayName or manager\.id/);
    assert.equal(only(withBody(...rule, '    manager_email: manager.agent')).code, 'manager-agent');
    assert.deepEqual(only(withBody(...rule, '    manager_email: manager.mial')).suggestions, ['manager.mail']);
    assert.deepEqual(problems(withBody(...rule, '    manager_email: manager.mail')), []);
  });
});
