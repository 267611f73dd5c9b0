// `demo --scim`: the SCIM bridge end to end on this machine. Simulated IdPs (Entra's provisioning
// service and an Okta app) push people and groups to a real bridge over HTTP; the bridge keeps
// them in its store and plans and applies them to the Halo simulator with the mapping's rules.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summaryLine } from '../core/render';
import { connect } from '../engine/connections';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { planWith } from '../engine/run';
import { startBridge } from '../scim/bridge';
import { startSimulators, writeSimulatorFiles } from '../sim';
import { ENTRA_CLIENT_ID, SCIM_ENV, SCIM_GROUPS, scimMapping } from '../sim/example-scim';
import { EntraProvisioning, OktaProvisioning, people, ScimClient } from '../sim/scim-idp';
import { withLocalStore } from '../scim/sync';
import type { Io } from './main';

export async function runScimDemo(options: { users: number; keep?: string }, io: Io): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const sims = await startSimulators({ worldOptions: { users: 120, seed: 1 } });
  const dir = options.keep ? path.resolve(options.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-scim-demo-'));
  const env = { ...sims.env, ...SCIM_ENV };
  const lookup = (kind: string, name: string) => (kind === 'env' ? env[name] : undefined);
  const m = readMappingFile(writeSimulatorFiles(sims, dir, scimMapping()));
  const mapping = validMapping(m);
  const log = (level: string, message: string) => level !== 'info' && io.stderr.write(`${level}: ${message}\n`);
  const bridge = await startBridge({ mapping, baseDir: m.baseDir, lookup, listen: { host: '127.0.0.1', port: 0 }, quietMs: 3_600_000, maxWaitMs: 3_600_000, log });
  try {
    out(`Halo Identity SCIM demo: the bridge at ${bridge.url}/scim/v2, the Halo simulator, and two simulated IdPs pushing to the bridge.\n`);
    out(`Mapping: the normative example plus scim: connections for Entra's provisioning service and an Okta app (${m.file})\n\n`);
    const base = `${bridge.url}/scim/v2`;
    // Entra with OAuth 2.0 client credentials: an access token from the bridge's token endpoint.
    const token = await fetch(`${bridge.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ENTRA_CLIENT_ID, client_secret: SCIM_ENV.SCIM_ENTRA_CLIENT_SECRET }) });
    const access = ((await token.json()) as { access_token: string }).access_token;
    const entra = new EntraProvisioning(new ScimClient(base, () => `Bearer ${access}`));
    const probes = await entra.testConnection();
    out(`Entra Test Connection: ${probes.map((p) => `HTTP ${p.status}, ${p.body.totalResults} found`).join('; ')}\n`);
    const staff = people(options.users, 'staff');
    const desk = staff.slice(0, Math.max(1, Math.round(staff.length / 10)));
    const approvers = staff.slice(-Math.max(1, Math.round(staff.length / 20)));
    for (const u of staff) await entra.provision(u);
    for (const [id, name, members] of [['staff', SCIM_GROUPS.staff, staff], ['desk', SCIM_GROUPS.agents, desk], ['approvers', SCIM_GROUPS.approvers, approvers]] as const) {
      await entra.group(id, name);
      for (let i = 0; i < members.length; i += 50) await entra.addMembers(id, members.slice(i, i + 50));
    }
    const okta = new OktaProvisioning(new ScimClient(base, () => `Bearer ${SCIM_ENV.SCIM_OKTA_TOKEN}`));
    const customers = people(Math.max(2, Math.round(options.users / 4)), 'customer', 'customer.example');
    for (const u of customers) await okta.provision(u);
    await okta.pushGroup(SCIM_GROUPS.staff, customers);
    out(`Entra (OAuth client credentials) pushed ${staff.length} users and 3 groups in ${entra.client.requests} requests; Okta (a bearer token) pushed ${customers.length} users and a group in ${okta.client.requests} requests.\n\n`);

    const cycle = async (what: string) => {
      await bridge.sync?.run();
      const s = bridge.sync?.status();
      out(`${what}: ${s?.state === 'idle' ? `${s.lastSync?.changes ?? 0} changes planned, ${s.lastSync?.applied ?? 0} applied to Halo` : `${s?.state}: ${s?.held?.reason ?? s?.failure?.message}`}${s?.lastSync?.journal && options.keep ? ` (journal ${s.lastSync.journal})` : ''}\n`);
      return s?.state === 'idle';
    };
    let ok = await cycle('Bridge sync');
    const leavers = staff.slice(1, 3);
    for (const u of leavers) await entra.disable(u);
    out(`\nEntra disabled ${leavers.length} people (PATCH active "False", as Entra sends it).\n`);
    ok = (await cycle('Bridge sync')) && ok;

    // What `halo-identity plan` shows from the store now: nothing left to do.
    const conns = await connect(withLocalStore(mapping, bridge.store.file), { baseDir: m.baseDir, lookup });
    try {
      const after = await planWith(conns);
      out(`\nplan, reading the bridge's store: ${summaryLine(after.plan)}.\n`);
      const converged = after.plan.changes.length === 0;
      out(converged ? 'Converged: Halo matches what the IdPs pushed, under the mapping\'s rules.\n' : 'Not converged: the plan still has changes.\n');
      return ok && converged ? 0 : 1;
    } finally {
      conns.close();
    }
  } finally {
    await bridge.stop();
    await sims.stop();
    if (!options.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}
