// `protect.kind` with `email` or `entraId` (not only `haloId`): protecting one record of an
// identity, agent or user, leaves the other managed as usual.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/core/plan';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, haloUser, mappingFrom } from '../support/snapshots';

const MAPPING = (protect: string) => `${BASE_MAPPING}
agents:
  - { rule: desk, from: { group: Staff }, roles: [Technician] }
users:
  - { rule: staff, from: { group: Staff }, client: Contoso, site: Head Office }
fields:
  agents: { name: displayName, email: mail, jobtitle: jobTitle }
  users: { name: displayName, emailaddress: mail, title: jobTitle }
deprovision: { users: deactivate, agents: deactivate }
protect:
  - ${protect}
`;

describe('protect.kind', () => {
  const ann = entraUser('Ann Both', { attrs: { jobTitle: 'New Title' } });
  const mail = String(ann.attrs.mail);
  const world = () =>
    halo({
      agents: [haloAgent(5, { name: 'Ann Both', email: mail, roles: ['Technician'], fields: { jobtitle: 'Old Title' } })],
      users: [haloUser(100, { name: 'Ann Both', email: mail, azureoid: ann.id, fields: { title: 'Old Title' } })],
    });
  const dir = entra([ann], { Staff: [ann] });
  const kinds = (protect: string) => plan(mappingFrom(MAPPING(protect)), dir, world()).changes.map((c) => `${c.kind}:${c.action}`).sort();

  it('without kind, protects both records of the identity', () => {
    assert.deepEqual(kinds(`{ email: ${mail} }`), []);
    assert.deepEqual(kinds(`{ entraId: ${ann.id} }`), []);
  });

  it('with kind: agent, by email or Entra id, freezes the agent and still updates the user', () => {
    assert.deepEqual(kinds(`{ email: ${mail}, kind: agent }`), ['user:update']);
    assert.deepEqual(kinds(`{ entraId: ${ann.id}, kind: agent }`), ['user:update']);
  });

  it('with kind: user, by email or Entra id, freezes the user and still updates the agent', () => {
    assert.deepEqual(kinds(`{ email: ${mail}, kind: user }`), ['agent:update']);
    assert.deepEqual(kinds(`{ entraId: ${ann.id}, kind: user }`), ['agent:update']);
  });

  it('protects a user record found by email only (no link yet) when the identity is protected by Entra id', () => {
    const h = world();
    h.users[0].azureoid = null;
    const changes = plan(mappingFrom(MAPPING(`{ entraId: ${ann.id}, kind: user }`)), dir, h).changes;
    assert.deepEqual(changes.map((c) => `${c.kind}:${c.action}`), ['agent:update'], 'the user record is neither linked, updated nor deactivated');
  });

  it('nothing protected: both records are updated', () => {
    assert.deepEqual(kinds(`{ email: someone.else@contoso.com }`), ['agent:update', 'user:update']);
  });
});
