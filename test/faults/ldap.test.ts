// An on-premises directory misbehaving while a plan reads it beside the Entra tenant: a real
// OpenLDAP slapd frozen mid-read, down, refusing the bind, or refusing a page larger than its limit.
// Each stops the plan with a clear error, nothing reaches Halo's API and Halo is unchanged: a
// directory that answers with fewer users than it has is never read as having fewer.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { planWith } from '../../src/engine/run';
import { generateWorld } from '../../src/sim/world';
import { BASE_DN, GROUPS, READER_DN, Slapd, startSlapd } from '../support/slapd';
import { FaultEnv, LENIENT, mappingWith, projection, record, startFaultEnv } from './support';

function withLdap(base: string, slapd: Slapd, settings: Record<string, unknown> = {}): string {
  const doc = parseDocument(base);
  doc.set('ldap', doc.createNode([{ name: 'branch', url: slapd.ldapsUrl, bindDn: READER_DN, bindPassword: '${env:LDAP_BIND_PASSWORD}', baseDn: BASE_DN, pageSize: slapd.sizeLimit, ...settings }]));
  for (const section of ['agents', 'users', 'roles', 'cab']) for (const item of (doc.get(section) as YAMLSeq<YAMLMap>).items) item.set('tenant', 'contoso');
  (doc.get('users') as YAMLSeq).add(doc.createNode({ rule: 'branch-office', source: 'branch', from: { group: GROUPS.staff }, client: 'Fabrikam', site: 'Fabrikam HQ' }));
  return doc.toString();
}

describe('faults: LDAP (a real slapd, 2 100 people, pages of 500), while planning', () => {
  let slapd: Slapd;
  let env: FaultEnv;
  let halo: string;

  before(async () => {
    slapd = await startSlapd({ users: 2100, sizeLimit: 500 });
    env = await startFaultEnv({ world: generateWorld({ users: 200, seed: 61, anomalies: false }), mapping: withLdap(mappingWith(LENIENT), slapd) });
    env.sims.env.LDAP_BIND_PASSWORD = slapd.password;
    fs.writeFileSync(path.join(env.dir, 'branch-ca.pem'), slapd.ca);
    const doc = parseDocument(fs.readFileSync(env.file, 'utf8'));
    (doc.getIn(['tls', 'caFiles']) as YAMLSeq).add('branch-ca.pem');
    fs.writeFileSync(env.file, doc.toString());
    // The fault-free plan reads the directory: every case below must stop where this one succeeds.
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      assert.ok(run.plan.changes.some((c) => c.tenant === 'branch'));
    } finally {
      conns.close();
    }
    halo = JSON.stringify(projection(env.sims.world.halo));
  });
  after(async () => {
    await env?.close();
    await slapd?.stop();
  });

  /** Plans with the mapping's ldap entry changed, during `fault`; the plan must stop. */
  async function stoppedBy(id: string, input: string, fault: { during?: () => () => void; settings?: Record<string, unknown>; password?: string }, message: RegExp): Promise<void> {
    const file = env.file;
    const original = fs.readFileSync(file, 'utf8');
    if (fault.settings) {
      const doc = parseDocument(original);
      for (const [k, v] of Object.entries(fault.settings)) doc.setIn(['ldap', 0, k], v);
      fs.writeFileSync(file, doc.toString());
    }
    const writes = env.haloWrites();
    if (fault.password) env.sims.env.LDAP_BIND_PASSWORD = fault.password;
    const conns = await env.connect({ graphTimeoutMs: 1500 });
    const undo = fault.during?.();
    let error: Error | undefined;
    try {
      await planWith(conns);
    } catch (e) {
      error = e as Error;
    } finally {
      undo?.();
      conns.close();
      fs.writeFileSync(file, original);
      env.sims.env.LDAP_BIND_PASSWORD = slapd.password;
    }
    assert.ok(error, 'the plan stops');
    assert.match(error.message, message);
    assert.ok(!error.message.includes(slapd.password), 'the password is never in a message');
    assert.equal(env.haloWrites() - writes, 0, 'nothing was written to Halo');
    assert.equal(JSON.stringify(projection(env.sims.world.halo)), halo, 'Halo is unchanged');
    record({ id, area: 'ldap', input, expected: 'stops with a clear error; nothing written', observed: `stopped: ${error.message.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1').slice(0, 160)}`, faultsInjected: 1, passed: true });
  }

  const pid = () => Number(fs.readFileSync(path.join(slapd.dir, 'slapd.pid'), 'utf8'));

  it('the server freezes while the users are read: the read times out and stops', async () => {
    await stoppedBy('ldap-server-frozen-mid-read', 'slapd stopped (SIGSTOP) 150 ms into the plan, for the rest of it (client timeout 1.5 s)', {
      during: () => {
        const t = setTimeout(() => process.kill(pid(), 'SIGSTOP'), 150);
        return () => {
          clearTimeout(t);
          process.kill(pid(), 'SIGCONT');
        };
      },
    }, /Reading LDAP "branch" failed/);
  });

  it('nothing listens where the directory was: stops', async () => {
    await stoppedBy('ldap-server-down', 'ldap[].url points at a port where nothing listens', { settings: { url: 'ldaps://127.0.0.1:9' } }, /Reading LDAP "branch" failed: could not connect and bind to 127\.0\.0\.1:9/);
  });

  it('the bind is refused: stops, saying so', async () => {
    await stoppedBy('ldap-bind-refused', 'the bind password is wrong', { password: 'wrong-password' }, /refused the bind as cn=reader,dc=example,dc=org \(invalid credentials\)/);
  });

  it('a page larger than the server allows: the server refuses it, and the read stops rather than take the first 500', async () => {
    await stoppedBy('ldap-page-over-size-limit', 'pageSize 1 000 against a server limit of 500 a page', { settings: { pageSize: 1000 } }, /Reading LDAP "branch" failed: the search of .* failed/);
  });
});
