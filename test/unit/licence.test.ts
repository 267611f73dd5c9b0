// Licence management as Halo's own integration has it: rules and grants that make agents inactive,
// and what a deactivated agent's licence becomes, only as the mapping says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/core/plan';
import { changeBody } from '../../src/halo/bodies';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, mappingFrom } from '../support/snapshots';

const MAPPING = (extra = '') => `${BASE_MAPPING}
agents:
  - { rule: parked, from: { group: Parked }, inactive: true }
  - { rule: desk, from: { group: Staff }, roles: [Technician] }
roles:
  - { group: Suspended, inactive: true }
fields:
  agents: { name: displayName, email: mail }
deprovision: { agents: deactivate${extra} }
`;

describe('licence management', () => {
  const parked = entraUser('Pat Parked');
  const fresh = entraUser('Nell New');
  const suspended = entraUser('Sue Suspended');
  const leaver = entraUser('Lee Leaver', { accountEnabled: false });
  const back = entraUser('Bo Back');
  const dir = entra([parked, fresh, suspended, leaver, back], { Parked: [parked, fresh, back], Staff: [suspended, leaver], Suspended: [suspended] });
  const world = () =>
    halo({
      agents: [
        haloAgent(1, { name: 'Pat Parked', email: String(parked.attrs.mail), licence: 'named' }),
        haloAgent(2, { name: 'Sue Suspended', email: String(suspended.attrs.mail), roles: ['Technician'], licence: 'named' }),
        haloAgent(3, { name: 'Lee Leaver', email: String(leaver.attrs.mail), roles: ['Technician'], licence: 'named' }),
        haloAgent(4, { name: 'Bo Back', email: String(back.attrs.mail), disabled: true, licence: 'concurrent' }),
      ],
    });
  const changes = (extra?: string) =>
    plan(mappingFrom(MAPPING(extra)), dir, world())
      .changes.sort((a, b) => (a.haloId ?? 0) - (b.haloId ?? 0))
      .map((c) => [c.action, c.haloId ?? c.name, c.reason, c.fields.licence]);

  it('an inactive rule or grant deactivates its agents, names itself, never creates or reactivates one', () => {
    assert.deepEqual(changes(), [
      ['deactivate', 1, 'made inactive by rule parked', undefined],
      ['deactivate', 2, 'made inactive by membership of Suspended', undefined],
      ['deactivate', 3, 'disabled in Entra', undefined],
    ]);
  });

  it('agentLicence: concurrent moves the named licence of each agent made inactive, and Halo gets licence_type with the flag', () => {
    const c = changes(', agentLicence: concurrent');
    assert.deepEqual(c.map((x) => x[3]), [{ from: 'named', to: 'concurrent' }, { from: 'named', to: 'concurrent' }, { from: 'named', to: 'concurrent' }]);
    const p = plan(mappingFrom(MAPPING(', agentLicence: concurrent')), dir, world());
    assert.deepEqual(changeBody(p.changes.find((x) => x.haloId === 1)!, { fresh: world() }), { id: 1, isdisabled: true, licence_type: 1 });
  });
});
