// Agent orphans: active, non-API, unprotected agents that no Entra identity claims are reported,
// and deactivated only with `deprovision.orphans: deactivate`, as user orphans are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/core/plan';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, mappingFrom } from '../support/snapshots';

const MAPPING = (orphans: string) => `${BASE_MAPPING}
agents:
  - { rule: desk, from: { group: Staff }, roles: [Technician] }
fields:
  agents: { name: displayName, email: mail }
deprovision: { agents: deactivate, orphans: ${orphans} }
protect:
  - { email: keep@contoso-it.local }
`;

describe('agent orphans', () => {
  const ann = entraUser('Ann Desk');
  const world = () =>
    halo({
      agents: [
        haloAgent(1, { name: 'API', email: 'api@contoso.com', isApiAgent: true }),
        haloAgent(2, { name: 'Ann Desk', email: String(ann.attrs.mail), roles: ['Technician'] }),
        haloAgent(3, { name: 'Old Contractor', email: 'old@contractor.example' }),
        haloAgent(4, { name: 'Break Glass', email: 'keep@contoso-it.local' }),
        haloAgent(5, { name: 'Gone Already', email: 'gone@contoso.com', disabled: true }),
      ],
    });
  const dir = entra([ann], { Staff: [ann] });

  it('are reported: only the active, non-API, unprotected agent no identity claims', () => {
    const p = plan(mappingFrom(MAPPING('report')), dir, world());
    assert.deepEqual(p.orphans, [{ kind: 'agent', haloId: 3, name: 'Old Contractor' }]);
    assert.deepEqual(p.changes, []);
  });

  it('are deactivated with orphans: deactivate, and nothing else is', () => {
    const p = plan(mappingFrom(MAPPING('deactivate')), dir, world());
    assert.deepEqual(p.changes.map((c) => [c.action, c.kind, c.haloId, c.reason, c.fields]), [
      ['deactivate', 'agent', 3, 'orphan: no Entra identity claims this record', { isdisabled: { from: false, to: true } }],
    ]);
  });
});
