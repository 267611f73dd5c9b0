// An MSP's mapping: its own tenant's staff into one Halo client, a customer tenant's staff into
// another, read and applied in one plan.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyWith, planWith } from '../../src/engine/run';
import { generateWorld } from '../../src/sim/world';
import { SimEnv, startSimEnv } from '../support/sim-env';

const MAPPING = `version: 1
halo:
  url: https://placeholder.example
  clientId: \${env:HALO_CLIENT_ID}
  clientSecret: \${env:HALO_CLIENT_SECRET}
entra:
  - name: contoso
    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
    clientId: \${env:ENTRA_CLIENT_ID}
    clientSecret: \${env:ENTRA_CLIENT_SECRET}
  - name: fabrikam
    tenantId: 11111111-2222-4333-8444-555555555555
    clientId: \${env:FABRIKAM_CLIENT_ID}
    clientSecret: \${env:FABRIKAM_CLIENT_SECRET}
agents:
  - rule: msp-engineers
    tenant: contoso
    from: { group: SG-Halo-Agents }
    team: Service Desk
users:
  - rule: contoso-staff
    tenant: contoso
    from: { group: All Staff }
    client: Contoso
    site: Head Office
  - rule: fabrikam-staff
    tenant: fabrikam
    from: { group: All Staff }
    client: Fabrikam
    site: Fabrikam HQ
fields:
  users: { name: displayName, emailaddress: [mail, userPrincipalName] }
  agents: { name: displayName, email: [mail, userPrincipalName] }
deprovision: { users: deactivate, agents: deactivate, orphans: report }
`;

describe('engine: several Entra tenants in one mapping', () => {
  let env: SimEnv;
  before(async () => {
    const world = generateWorld({ users: 200, seed: 21, anomalies: false });
    const customer = generateWorld({ users: 120, seed: 22, anomalies: false, tenantId: '11111111-2222-4333-8444-555555555555', domain: 'fabrikam.example' });
    world.graph.push(customer.graph[0]);
    env = await startSimEnv({ world, mapping: MAPPING });
    env.sims.env.FABRIKAM_CLIENT_ID = customer.graph[0].clientId;
    env.sims.env.FABRIKAM_CLIENT_SECRET = customer.graph[0].clientSecret;
  });
  after(() => env.close());

  it('reads both tenants, places each in its client, applies and converges', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      assert.deepEqual(run.snapshots.directories.tenants.map((t) => t.tenant), ['contoso', 'fabrikam']);
      const byRule = (rule: string) => run.plan.changes.filter((c) => c.rule === rule && c.action === 'create');
      assert.ok(byRule('fabrikam-staff').length > 50);
      assert.ok(byRule('fabrikam-staff').every((c) => c.tenant === 'fabrikam' && c.fields.site_id.to === 20 && /fabrikam\.example$/.test(String(c.fields.emailaddress.to))));
      assert.ok(byRule('contoso-staff').every((c) => c.tenant === 'contoso' && c.fields.site_id.to === 10));
      // The customer's three existing contacts are in scope now, and no Entra identity claims them.
      assert.equal(run.plan.orphans.filter((o) => /Fabrikam Contact/.test(o.name)).length, 3);
      const result = await applyWith(conns, run, { allowOverThreshold: true });
      assert.equal(result.failed, 0);
      const again = await planWith(conns);
      assert.equal(again.plan.changes.length, 0);
      const fabrikamUsers = env.sims.world.halo.users.filter((u) => u.client_id === 2 && !u.inactive);
      assert.ok(fabrikamUsers.length > 50);
      assert.ok(fabrikamUsers.filter((u) => u.azureoid).every((u) => env.sims.world.graph[1].users.some((g) => g.id === u.azureoid)), 'linked to the customer tenant');
    } finally {
      conns.close();
    }
  });
});
