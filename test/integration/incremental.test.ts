// Incremental sync over real HTTP against the simulators: the Entra snapshot cached in the state
// folder and refreshed with delta queries must plan exactly as a full read does, after every kind
// of change an admin makes in Entra, and fall back to a full read whenever it cannot be trusted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planJson } from '../../src/core/render';
import type { Connections } from '../../src/engine/connections';
import { entraCachePath, readTenantIncremental } from '../../src/sources/entra/cache';
import { applyWith, planWith, PlanRun } from '../../src/engine/run';
import { directoryNeeds } from '../../src/core/needs';
import type { SimTenant } from '../../src/sim/graph/directory';
import type { GraphUser } from '../../src/sim/state';
import { entraOf, exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const lenient = exampleWith([
  [['safety', 'maxDeactivations'], '20%'],
  [['safety', 'maxChanges'], undefined],
]);

/** An incremental plan and a full one, made back to back on the same state. */
async function both(conns: Connections): Promise<{ inc: PlanRun; full: PlanRun }> {
  const inc = await planWith(conns, { incremental: true });
  const full = await planWith(conns);
  return { inc, full };
}

function graphRequests(env: SimEnv): number {
  return env.sims.requests.graph.filter((r) => r.path.startsWith('/v1.0/')).length;
}

describe('incremental sync: a cached Entra snapshot kept current with delta queries', () => {
  let env: SimEnv;
  let conns: Connections;
  let dir: SimTenant;
  const byName = (name: string) => dir.data.groups.find((g) => g.displayName === name)!;

  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 400, seed: 11 }, mapping: lenient });
    conns = await env.connect();
    dir = env.sims.graph.tenants[0];
  });
  after(async () => {
    conns.close();
    await env.close();
  });

  it('reads in full the first time, caches the snapshot privately, and plans as a full read does', async () => {
    const { inc, full } = await both(conns);
    assert.equal(inc.snapshots.directoryReads?.[0].mode, 'full');
    assert.match(inc.snapshots.directoryReads![0].reason, /no cached snapshot/);
    assert.equal(planJson(inc.plan), planJson(full.plan));
    assert.ok(inc.plan.changes.length > 50);

    const file = entraCachePath(conns.stateDir, 'contoso');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of Object.values(env.sims.env)) assert.ok(!text.includes(secret), 'no credential in the cache');
    assert.ok(!/bearer|access_token|client_secret/i.test(text));

    const result = await applyWith(conns, full, {});
    assert.equal(result.failed + result.stale, 0);
  });

  it('after users are added, disabled, deleted and edited, and memberships change (nested groups too), plans byte-identically to a full read', async () => {
    const members = dir.data.users.filter((u) => u.userType === 'Member' && u.accountEnabled);
    const dept = byName('Dept-Finance');
    const agents = byName('SG-Halo-Agents');
    const tier1 = byName('SG-Tier1');

    // A new starter in a department group: a user through All Staff's nesting.
    const starter: GraphUser = {
      id: '0a0a0a0a-1111-4222-8333-444455556666', displayName: 'Nina Newstart', givenName: 'Nina', surname: 'Newstart',
      mail: 'nina.newstart@contoso.com', userPrincipalName: 'nina.newstart@contoso.com', jobTitle: 'Analyst', department: 'Finance',
      officeLocation: 'Leeds', businessPhones: [], employeeId: '999001', companyName: 'Contoso',
    };
    dir.addUser(starter);
    dir.addMember(dept.id, starter.id);
    // Disabled, deleted (soft and for good), an attribute changed, a manager gone.
    dir.disableUser(members[30].id);
    dir.deleteUser(members[31].id);
    dir.deleteUser(members[32].id, { permanent: true });
    dir.updateUser(members[33].id, { jobTitle: 'Principal Engineer', officeLocation: 'Glasgow' });
    dir.setManager(members[34].id, null);
    // Memberships: out of a department (so out of All Staff), into a nested agent tier.
    const leaver = dept.members.find((m) => members.some((u) => u.id === m) && m !== starter.id)!;
    dir.removeMember(dept.id, leaver);
    const promoted = members.find((u) => !dir.transitiveMembers(agents.id).includes(u.id) && u.id !== leaver)!;
    dir.addMember(tier1.id, promoted.id);
    // A whole new group nested into the agents group: its members become agents.
    const contractors = members.slice(60, 63).map((u) => u.id);
    dir.addGroup({ id: '0b0b0b0b-1111-4222-8333-444455556666', displayName: 'SG-Contract-Engineers', members: contractors });
    dir.addMember(agents.id, '0b0b0b0b-1111-4222-8333-444455556666');

    const before = graphRequests(env);
    const inc = await planWith(conns, { incremental: true });
    const incRequests = graphRequests(env) - before;
    const full = await planWith(conns);
    const read = inc.snapshots.directoryReads![0];
    assert.equal(read.mode, 'delta', read.reason);
    assert.match(read.reason, /newly nested group/);
    assert.ok(incRequests <= 6, `a handful of Graph requests, not a re-read: ${incRequests}`);
    assert.equal(planJson(inc.plan), planJson(full.plan));

    const names = (p: PlanRun, action: string, kind: string) => p.plan.changes.filter((c) => c.action === action && c.kind === kind).map((c) => c.entraId);
    assert.ok(names(inc, 'create', 'user').includes(starter.id), 'the starter is created');
    assert.ok(names(inc, 'create', 'agent').includes(contractors[0]) || names(inc, 'update', 'agent').includes(contractors[0]), 'the nested group makes agents');
    assert.ok(inc.plan.changes.some((c) => c.entraId === members[30].id && c.action === 'deactivate'), 'the disabled user is deactivated');
  });

  it('with nothing changed, the refresh is two requests and the plan is unchanged', async () => {
    const { inc, full } = await both(conns);
    assert.equal(inc.snapshots.directoryReads![0].mode, 'delta');
    assert.equal(inc.snapshots.directoryReads![0].requests, 2);
    assert.equal(inc.snapshots.directoryReads![0].changes, 0);
    assert.equal(planJson(inc.plan), planJson(full.plan));
  });

  it('falls back to a full read when Graph answers 410 Gone for the delta token', async () => {
    dir.updateUser(dir.data.users[40].id, { department: 'Legal' });
    env.sims.graph.invalidateDeltaTokens();
    const { inc, full } = await both(conns);
    const read = inc.snapshots.directoryReads![0];
    assert.equal(read.mode, 'full');
    assert.match(read.reason, /410/);
    assert.equal(planJson(inc.plan), planJson(full.plan));
    // And the new tokens work.
    const again = await planWith(conns, { incremental: true });
    assert.equal(again.snapshots.directoryReads![0].mode, 'delta');
  });

  it('reads in full when the tokens are older than 7 days, or the mapping needs other attributes', async () => {
    const conn = entraOf(conns);
    const [needs] = directoryNeeds(conns.mapping);
    const opts = { http: conns.http, stateDir: conns.stateDir };
    const old = await readTenantIncremental(conn, needs, { ...opts, now: () => Date.now() + 8 * 86_400_000 });
    assert.equal(old.report.mode, 'full');
    assert.match(old.report.reason, /7 days/);
    const wider = await readTenantIncremental(conn, { ...needs, attributes: [...needs.attributes, 'employeeId'].sort() }, opts);
    assert.equal(wider.report.mode, 'full');
    assert.match(wider.report.reason, /attributes or groups changed/);
    assert.ok(wider.snapshot.users.every((u) => 'employeeId' in u.attrs));
  });

  it('a second group taking the name of a group the mapping names forces a full read, which refuses the ambiguity', async () => {
    await planWith(conns, { incremental: true });
    dir.addGroup({ id: '0c0c0c0c-1111-4222-8333-444455556666', displayName: 'SG-Halo-Agents', members: [] });
    await assert.rejects(planWith(conns, { incremental: true }), /2 groups named "SG-Halo-Agents"/);
  });
});

describe('incremental sync from the command line', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 150, seed: 12 }, mapping: lenient });
  });
  after(() => env.close());

  const CLI = path.resolve(__dirname, '../../../dist/cli.js');
  const run = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env.sims.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });

  it('plan --incremental caches the snapshot, then refreshes it, with the same plan JSON as a full read', async () => {
    const out = (name: string) => path.join(env.dir, name);
    for (const [args, json] of [[['--incremental'], 'first.json'], [['--incremental'], 'second.json'], [[], 'full.json']] as const) {
      const res = await run(['plan', env.file, ...args, '--json', out(json)]);
      assert.equal(res.code, 0, res.stderr);
    }
    assert.ok(fs.existsSync(entraCachePath(path.join(env.dir, '.halo-identity'), 'contoso')));
    const full = fs.readFileSync(out('full.json'), 'utf8');
    assert.equal(fs.readFileSync(out('first.json'), 'utf8'), full);
    assert.equal(fs.readFileSync(out('second.json'), 'utf8'), full);
    const deltas = env.sims.requests.graph.filter((r) => r.path.endsWith('/delta')).length;
    assert.ok(deltas >= 4, `the second run read deltas: ${deltas}`);
  });
});
