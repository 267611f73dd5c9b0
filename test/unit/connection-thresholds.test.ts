// With several directory connections, a share of deactivations is a limit for each connection as
// well as for the plan: one directory whose read went wrong cannot hide inside the others' total.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan } from '../../src/core/plan';
import type { DirectorySnapshot } from '../../src/core/snapshot';
import { entraUser, halo, haloUser, mappingFrom } from '../support/snapshots';

const MAPPING = (share: string) => `
version: 1
halo: { url: https://h.example, clientId: x, clientSecret: '\${env:S}' }
entra:
  - { name: contoso, tenantId: t1, clientId: c, clientSecret: '\${env:E}' }
  - { name: fabrikam, tenantId: t2, clientId: c, clientSecret: '\${env:F}' }
users:
  - { rule: contoso-staff, tenant: contoso, from: { all: true }, client: Contoso, site: Head Office }
  - { rule: fabrikam-staff, tenant: fabrikam, from: { all: true }, client: Fabrikam, site: Fabrikam HQ }
deprovision: { users: deactivate }
safety: { maxDeactivations: '${share}' }
`;

function world() {
  const staff = Array.from({ length: 50 }, (_, i) => entraUser(`Staff ${i}`));
  const customers = Array.from({ length: 5 }, (_, i) => entraUser(`Customer ${i}`, { accountEnabled: i >= 3 }));
  const directories: DirectorySnapshot = { tenants: [{ tenant: 'contoso', users: staff, groups: [] }, { tenant: 'fabrikam', users: customers, groups: [] }] };
  const users = [
    ...staff.map((u, i) => haloUser(100 + i, { azureoid: u.id, email: String(u.attrs.mail), name: u.name!, clientId: 1, siteId: 10 })),
    ...customers.map((u, i) => haloUser(200 + i, { azureoid: u.id, email: String(u.attrs.mail), name: u.name!, clientId: 2, siteId: 20 })),
  ];
  return { directories, halo: halo({ users }) };
}

test('3 of one connection\'s 5 records deactivated: blocked by that connection, though 3 of 55 is within 20 %', () => {
  const w = world();
  const p = plan(mappingFrom(MAPPING('20%')), w.directories, w.halo);
  assert.equal(p.summary.deactivate, 3);
  assert.deepEqual(p.blocked, { reason: '3 deactivations from Entra "fabrikam" exceed safety.maxDeactivations for one connection (20% = 1 of its 5 managed records)', limit: 'maxDeactivations', value: 3 });
});

test('within the share for every connection: not blocked; an absolute number stays a limit of the plan alone', () => {
  const w = world();
  assert.equal(plan(mappingFrom(MAPPING('60%')), w.directories, w.halo).blocked, null);
  const absolute = MAPPING('20%').replace("maxDeactivations: '20%'", 'maxDeactivations: 5');
  assert.equal(plan(mappingFrom(absolute), w.directories, w.halo).blocked, null);
});
