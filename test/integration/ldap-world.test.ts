// An on-premises directory feeding Halo beside the Entra tenant: a real OpenLDAP slapd (2 100
// people, nested groups, a size limit that forces paging) and the Graph and Halo simulators, one
// plan over LDAPS and HTTPS, applied and converged (its failures: test/faults/ldap.test.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { applyWith, planWith } from '../../src/engine/run';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';
import { generateWorld } from '../../src/sim/world';
import { SimEnv, startSimEnv } from '../support/sim-env';
import { BASE_DN, GROUPS, READER_DN, Slapd, startSlapd } from '../support/slapd';

/** The example plus `ldap: branch`, whose staff group feeds Fabrikam. */
function ldapMapping(slapd: Slapd): string {
  const doc = parseDocument(EXAMPLE_MAPPING);
  doc.set('ldap', doc.createNode([{ name: 'branch', url: slapd.ldapsUrl, bindDn: READER_DN, bindPassword: '${env:LDAP_BIND_PASSWORD}', baseDn: BASE_DN, disabledFilter: '(employeeType=leaver)', pageSize: slapd.sizeLimit }]));
  for (const section of ['agents', 'users', 'roles', 'cab']) for (const item of (doc.get(section) as YAMLSeq<YAMLMap>).items) item.set('tenant', 'contoso');
  (doc.get('users') as YAMLSeq).add(doc.createNode({ rule: 'branch-office', source: 'branch', from: { group: GROUPS.staff }, client: 'Fabrikam', site: 'Fabrikam HQ' }));
  doc.setIn(['fields', 'users', 'name'], doc.createNode(['displayName', 'cn'], { flow: true }));
  doc.setIn(['fields', 'users', 'firstname'], doc.createNode(['givenName'], { flow: true }));
  doc.setIn(['fields', 'users', 'surname'], doc.createNode(['surname', 'sn'], { flow: true }));
  doc.setIn(['fields', 'users', 'phonenumber'], doc.createNode(['businessPhones[0]', 'telephoneNumber'], { flow: true }));
  doc.setIn(['fields', 'users', 'title'], 'title');
  doc.deleteIn(['safety', 'maxChanges']);
  doc.setIn(['safety', 'maxDeactivations'], '20%');
  return doc.toString();
}

describe('engine: an Entra tenant and an OpenLDAP directory feeding one Halo', () => {
  let slapd: Slapd;
  let env: SimEnv;
  before(async () => {
    slapd = await startSlapd({ users: 2100, sizeLimit: 500 });
    env = await startSimEnv({ world: generateWorld({ users: 300, seed: 51, anomalies: false }), mapping: ldapMapping(slapd) });
    env.sims.env.LDAP_BIND_PASSWORD = slapd.password;
    // The directory's certificate is trusted the way a mapping trusts any: tls.caFiles.
    fs.writeFileSync(path.join(env.dir, 'branch-ca.pem'), slapd.ca);
    const doc = parseDocument(fs.readFileSync(env.file, 'utf8'));
    (doc.getIn(['tls', 'caFiles']) as YAMLSeq).add('branch-ca.pem');
    fs.writeFileSync(env.file, doc.toString());
  });
  after(async () => {
    await env?.close();
    await slapd?.stop();
  });

  it('plans both, creates the branch staff under Fabrikam without azureoid, applies and converges', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const branch = run.snapshots.directories.tenants.find((t) => t.tenant === 'branch')!;
      assert.equal(branch.users.length, slapd.users.length);
      const creates = run.plan.changes.filter((c) => c.rule === 'branch-office' && c.action === 'create');
      const staff = new Set(slapd.members[GROUPS.staff]);
      const expected = slapd.users.filter((u) => staff.has(u.uid) && !u.leaver).map((u) => u.mail).sort();
      assert.deepEqual(creates.map((c) => String(c.fields.emailaddress.to)).sort(), expected);
      assert.ok(creates.every((c) => c.tenant === 'branch' && c.fields.site_id.to === 20 && !('azureoid' in c.fields)));
      const result = await applyWith(conns, run, { allowOverThreshold: true, planIsCurrent: true });
      assert.deepEqual({ failed: result.failed, stale: result.stale }, { failed: 0, stale: 0 });
      const again = await planWith(conns);
      assert.equal(again.plan.changes.length, 0, JSON.stringify(again.plan.changes.slice(0, 3), null, 1));
      const fabrikam = env.sims.world.halo.users.filter((u) => u.client_id === 2 && !u.inactive).map((u) => String(u.emailaddress)).filter((e) => e.endsWith('@branch.example'));
      assert.deepEqual(fabrikam.sort(), expected);
    } finally {
      conns.close();
    }
  });
});

