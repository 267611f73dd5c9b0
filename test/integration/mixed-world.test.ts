// Three directories feeding one Halo: the MSP's own staff from Entra, a customer's from Okta and a
// partner's from Google Workspace, read in one plan over real HTTPS (MSAL for Entra,
// private_key_jwt for Okta, a service account's JWT bearer grant for Google), applied and
// converged, with the Halo state checked against every directory afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyWith, planWith } from '../../src/engine/run';
import { GOOGLE_CONNECTION, mixedMapping, mixedWorld, OKTA_CONNECTION } from '../../src/sim/example-mixed';
import { GOOGLE_GROUPS } from '../../src/sim/google/world';
import { OKTA_GROUPS } from '../../src/sim/okta/world';
import { SimEnv, startSimEnv } from '../support/sim-env';

describe('engine: an Entra tenant, an Okta org and a Google Workspace feeding one Halo', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ world: mixedWorld({ users: 1500, seed: 31, customers: 700, partners: 400 }), mapping: mixedMapping() });
  });
  after(() => env.close());

  it('plans both, places each in its client, applies, converges, and links only Entra users by azureoid', async () => {
    const org = env.sims.world.okta![0];
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const identities = run.snapshots.directories.tenants.reduce((n, t) => n + t.users.length, 0);
      assert.ok(identities >= 2000, `${identities} identities`);
      assert.deepEqual(run.snapshots.directories.tenants.map((t) => t.tenant), ['contoso', OKTA_CONNECTION, GOOGLE_CONNECTION]);
      const customers = run.plan.changes.filter((c) => c.rule === 'customer-staff');
      const creates = customers.filter((c) => c.action === 'create');
      assert.ok(creates.length > 100, `${creates.length} Okta creates`);
      assert.ok(creates.every((c) => c.tenant === OKTA_CONNECTION && c.fields.site_id.to === 20 && !('azureoid' in c.fields)), 'an Okta user got an azureoid or another site');
      assert.ok(customers.some((c) => c.action === 'update' && c.fields.title), 'the stale titles of existing contacts are updated');
      // Existing contacts whose Okta account is suspended or deactivated: deactivated, matched by email.
      const off = run.plan.changes.filter((c) => c.action === 'deactivate' && c.tenant === OKTA_CONNECTION);
      assert.ok(off.length > 3 && off.every((c) => /disabled in Okta/.test(c.reason)), JSON.stringify(off.slice(0, 2)));
      assert.ok(run.plan.orphans.some((o) => o.name === 'Gone Contact'), 'a contact Okta no longer has is an orphan');

      const result = await applyWith(conns, run, { allowOverThreshold: true, planIsCurrent: true });
      assert.deepEqual({ failed: result.failed, stale: result.stale }, { failed: 0, stale: 0 });
      const again = await planWith(conns);
      assert.equal(again.plan.changes.length, 0, JSON.stringify(again.plan.changes.slice(0, 3), null, 1));

      const partners = run.plan.changes.filter((c) => c.rule === 'partner-staff' && c.action === 'create');
      assert.ok(partners.length > 50 && partners.every((c) => c.tenant === GOOGLE_CONNECTION && !('azureoid' in c.fields) && c.fields.name.to), `${partners.length} Google creates`);

      // Halo now holds, under Fabrikam, exactly the enabled members of the Okta and Google staff groups (and the orphans left alone).
      const staff = new Set(org.groups.find((g) => g.profile.name === OKTA_GROUPS.staff)!.members);
      const enabled = new Set(org.users.filter((u) => staff.has(u.id) && !['SUSPENDED', 'DEPROVISIONED'].includes(u.status)).map((u) => String(u.profile.email).toLowerCase()));
      const google = env.sims.world.google![0];
      const groups = new Map(google.groups.map((g) => [g.id, g]));
      const inStaff = new Set<string>();
      const walk = (id: string) => groups.get(id)!.members.forEach((m) => (m.type === 'GROUP' ? walk(m.id) : m.type === 'USER' && inStaff.add(m.id)));
      walk(google.groups.find((g) => g.name === GOOGLE_GROUPS.staff)!.id);
      for (const u of google.users) if (inStaff.has(u.id) && !u.suspended && !u.archived) enabled.add(u.primaryEmail.toLowerCase());
      const fabrikam = env.sims.world.halo.users.filter((u) => u.client_id === 2 && !u.inactive);
      const orphans = new Set(run.plan.orphans.map((o) => o.haloId));
      const active = new Set(fabrikam.filter((u) => !orphans.has(u.id)).map((u) => String(u.emailaddress).toLowerCase()));
      assert.deepEqual([...active].sort(), [...enabled].sort());
      assert.ok(fabrikam.every((u) => !u.azureoid), 'a Fabrikam user was linked by azureoid');
      // The Entra side links as it always did: every active Contoso user it manages carries its Entra object id.
      const contoso = env.sims.world.halo.users.filter((u) => u.client_id === 1 && !u.inactive && !orphans.has(u.id) && u.emailaddress !== 'breakglass@contoso.com');
      assert.ok(contoso.length > 500 && contoso.every((u) => typeof u.azureoid === 'string'), 'a managed Contoso user has no azureoid');
      assert.ok(env.sims.requests.okta.every((r) => r.status !== 429));
    } finally {
      conns.close();
    }
  });
});
