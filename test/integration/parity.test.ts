// What Halo's own Entra integration does, through the engine against the simulators (documented
// default mode): CAB roles kept in step with the mapping; applying part of a plan; last sign-in;
// the manager; clients from an attribute; licence management.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { changeKey } from '../../src/core/changes';
import { renderText } from '../../src/core/render';
import { selectChanges } from '../../src/core/selection';
import { applyWith, planWith } from '../../src/engine/run';
import { PlanInputError } from '../../src/core/scope';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const lenient = exampleWith([
  [['safety', 'maxDeactivations'], '20%'],
  [['safety', 'maxChanges'], undefined],
]);

describe('parity: a CAB member whose CAB role drifted', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping: lenient });
  });
  after(() => env.close());

  it('is an update from → to, applied, after which the plan is empty', async () => {
    const conns = await env.connect();
    try {
      await applyWith(conns, await planWith(conns), {});
      assert.equal((await planWith(conns)).plan.changes.length, 0);
      const cab = env.sims.world.halo.cabs[0];
      const members = cab.members as Array<{ agent_id: number; role_id: number | null; role_name: string | null }>;
      const drifted = members[0];
      Object.assign(drifted, { role_id: 2, role_name: 'Chair' });
      const run = await planWith(conns);
      assert.deepEqual(
        run.plan.changes.map((c) => [c.action, c.kind, c.haloId, c.memberships?.cabs]),
        [['update', 'agent', drifted.agent_id, { add: [], remove: [], role: [{ cab: 'Change Advisory Board', from: 'Chair', to: 'Approver' }] }]],
      );
      assert.match(renderText(run.plan), /CAB role on Change Advisory Board: "Chair" → "Approver"/);
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed + result.stale, 0, JSON.stringify(result.problems));
      const now = env.sims.world.halo.cabs[0].members as typeof members;
      const seat = now.find((m) => m.agent_id === drifted.agent_id)!;
      assert.deepEqual([seat.role_id, seat.role_name], [1, 'Approver']);
      assert.equal(now.length, members.length, 'no seat added or lost');
      assert.equal((await planWith(conns)).plan.changes.length, 0);
    } finally {
      conns.close();
    }
  });
});

describe('parity: applying a selected user whose new site is not selected', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping: lenient });
  });
  after(() => env.close());

  it('pulls in the site creation it depends on; on its own the user could not be written', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const user = run.plan.changes.find((c) => c.action === 'create' && c.kind === 'user' && c.site?.id === null)!;
      assert.ok(user, 'a user to create in a site to create');
      const alone = await applyWith(conns, run, { only: (c) => changeKey(c) === changeKey(user) });
      assert.equal(alone.applied, 0, 'without its site the user cannot be placed');
      assert.equal(alone.failed, 1);

      const again = await planWith(conns);
      const picked = again.plan.changes.find((c) => changeKey(c) === changeKey(user))!;
      const selection = selectChanges(again.plan, [changeKey(picked), 'create|user|contoso|no-such-id||']);
      assert.deepEqual(selection.needed.map((c) => [c.action, c.name]), [['createSite', picked.site!.name]]);
      assert.deepEqual(selection.unknown, ['create|user|contoso|no-such-id||']);
      assert.deepEqual(selection.changes.map((c) => c.action), ['createSite', 'create'].filter((a) => selection.changes.some((c) => c.action === a)));
      const keys = new Set(selection.changes.map(changeKey));
      const result = await applyWith(conns, again, { only: (c) => keys.has(changeKey(c)) });
      assert.deepEqual([result.applied, result.failed, result.stale], [2, 0, 0], JSON.stringify(result.problems));
      const site = env.sims.world.halo.sites.find((s) => String(s.name) === picked.site!.name)!;
      assert.ok(site, 'the site was created');
      assert.ok(env.sims.world.halo.users.some((u) => u.azureoid === picked.entraId && u.site_id === site.id), 'the user sits in it');
    } finally {
      conns.close();
    }
  });
});

describe('parity: last sign-in from signInActivity', () => {
  const mapping = exampleWith([
    [['safety', 'maxDeactivations'], '20%'],
    [['safety', 'maxChanges'], undefined],
    [['fields', 'users', 'CFLastSignIn'], 'signInActivity.lastSignInDateTime'],
  ]);
  const usersSelect = (env: SimEnv) => (env.sims.requests.graph.find((r) => r.path === '/v1.0/users') as unknown as { query: Record<string, string> }).query.$select;
  const start = async (graphRoles?: string[]) => {
    const env = await startSimEnv({ worldOptions: { users: 200, seed: 11 }, mapping, graphRoles });
    env.sims.world.halo.customFields!.push({ id: 202, name: 'CFLastSignIn' });
    env.sims.world.graph[0].users.forEach((u, i) => (u.signInActivity = { lastSignInDateTime: `2026-11-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z` }));
    return env;
  };

  it('without AuditLog.Read.All: no 403, the field is left as it is in Halo and the plan says why', async () => {
    const env = await start();
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      assert.ok(run.plan.changes.length > 0);
      assert.ok(run.plan.changes.every((c) => !('CFLastSignIn' in c.fields)));
      assert.ok(run.plan.warnings.some((w) => /would not give signInActivity\.lastSignInDateTime .*CFLastSignIn left as they are in Halo/.test(w)), run.plan.warnings.join(' | '));
      assert.doesNotMatch(usersSelect(env), /signInActivity/);
      // A rule that selects by it cannot be decided: the plan stops instead of reading it as empty.
      const m = structuredClone(conns.mapping);
      m.users![0].from.where = { ...(m.users![0].from.where ?? {}), 'signInActivity.lastSignInDateTime': '2026-11-01T08:00:00Z' };
      await assert.rejects(planWith({ ...conns, mapping: m }), (e: unknown) => e instanceof PlanInputError && /uses signInActivity\.lastSignInDateTime, which Entra "contoso" would not give/.test(e.problems.join()));
    } finally {
      conns.close();
      await env.close();
    }
  });

  it('with AuditLog.Read.All: written on create, read in the same list request', async () => {
    const env = await start(['User.Read.All', 'GroupMember.Read.All', 'AuditLog.Read.All']);
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const created = run.plan.changes.filter((c) => c.action === 'create' && c.kind === 'user');
      assert.ok(created.length > 0 && created.every((c) => typeof c.fields.CFLastSignIn?.to === 'string'));
      assert.match(usersSelect(env), /signInActivity/);
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed + result.stale, 0, JSON.stringify(result.problems.slice(0, 2)));
      assert.equal((await planWith(conns)).plan.changes.length, 0);
    } finally {
      conns.close();
      await env.close();
    }
  });
});

describe('parity: the manager, for users and agents', () => {
  let env: SimEnv;
  before(async () => {
    const mapping = exampleWith([
      [['safety', 'maxDeactivations'], '20%'],
      [['safety', 'maxChanges'], undefined],
      // A custom field comes with the user list; manager_email is not among its columns, so it
      // would cost a detail read per user at every plan.
      [['fields', 'users', 'CFManager'], 'manager.mail'],
      [['fields', 'agents', 'linemanager'], 'manager.agent'],
    ]);
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping });
    env.sims.world.halo.customFields!.push({ id: 203, name: 'CFManager' });
  });
  after(() => env.close());

  it('reads the manager with the user list (no request per user), writes the manager\'s mail and linemanager, then converges', async () => {
    const conns = await env.connect();
    try {
      const tenant = env.sims.world.graph[0];
      const mailOf = new Map(tenant.users.map((u) => [u.id, u.mail ?? null]));
      const first = await planWith(conns);
      const written = first.plan.changes.filter((c) => c.kind === 'user' && c.fields.CFManager);
      assert.ok(written.length > 20, `${written.length} users get their manager's mail`);
      for (const c of written) assert.equal(c.fields.CFManager.to, mailOf.get(tenant.managers[c.entraId!]) ?? null, c.name);
      await applyWith(conns, first, {});
      // An agent whose manager's agent was created by that apply gets its linemanager now.
      const second = await planWith(conns);
      assert.ok(second.plan.changes.every((c) => c.kind === 'agent' && Object.keys(c.fields).join() === 'linemanager'), JSON.stringify(second.plan.changes.slice(0, 2)));
      await applyWith(conns, second, {});
      const graphBefore = env.sims.requests.graph.length;
      const run = await planWith(conns);
      const userReads = env.sims.requests.graph.slice(graphBefore).filter((r) => r.path.startsWith('/v1.0/users'));
      assert.ok(userReads.length > 0 && userReads.every((r) => r.path === '/v1.0/users'), 'only list pages, never /users/{id}');
      assert.equal(run.plan.changes.length, 0, JSON.stringify(run.plan.changes.slice(0, 3)));
      const agentByMail = new Map(env.sims.world.halo.agents.map((a) => [String(a.email).toLowerCase(), a]));
      const lower = (id: string | undefined) => String((id && mailOf.get(id)) ?? '').toLowerCase();
      const reporting = tenant.users.filter((u) => agentByMail.has(lower(u.id)) && agentByMail.has(lower(tenant.managers[u.id])) && !agentByMail.get(lower(u.id))!.isapiagent);
      assert.ok(reporting.length > 0, 'some agents report to another agent');
      for (const u of reporting) {
        const agent = agentByMail.get(lower(u.id))!;
        if (agent.isdisabled) continue;
        assert.equal(agent.linemanager, agentByMail.get(lower(tenant.managers[u.id]))!.id, String(agent.name));
      }
    } finally {
      conns.close();
    }
  });
});

describe('parity: each user\'s client from an Entra attribute (clientFrom)', () => {
  let env: SimEnv;
  before(async () => {
    // One tenant, two customers: a third of the staff work for Fabrikam, a few name a client Halo lacks.
    const mapping = exampleWith([
      [['safety', 'maxDeactivations'], '20%'],
      [['safety', 'maxChanges'], undefined],
      [['users'], [{ rule: 'customers', from: { all: true }, clientFrom: 'companyName', clientDefault: 'Contoso', siteFrom: 'officeLocation', createSites: true }]],
    ]);
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping });
    env.sims.world.graph[0].users.forEach((u, i) => (u.companyName = i % 3 === 1 ? 'Fabrikam' : i % 50 === 7 ? 'Northwind' : u.companyName));
  });
  after(() => env.close());

  it('places users under their own client, never creates one, and converges', async () => {
    const conns = await env.connect();
    try {
      const clientsBefore = env.sims.world.halo.clients.length;
      const run = await planWith(conns);
      const created = run.plan.changes.filter((c) => c.action === 'create' && c.kind === 'user');
      assert.ok(created.some((c) => c.site?.clientName === 'Fabrikam') && created.some((c) => c.site?.clientName === 'Contoso'));
      const unknown = run.plan.errors.filter((e) => /"Northwind" names no Halo client/.test(e.message));
      assert.ok(unknown.length > 0, 'a client Halo lacks is that user\'s error');
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed + result.stale, 0, JSON.stringify(result.problems.slice(0, 2)));
      assert.equal(env.sims.world.halo.clients.length, clientsBefore, 'no client created');
      // Disabled accounts are deactivated where they are, not moved.
      const fabrikamIds = new Set(env.sims.world.graph[0].users.filter((u) => u.companyName === 'Fabrikam' && u.accountEnabled && u.userType !== 'Guest').map((u) => u.id));
      const placed = env.sims.world.halo.users.filter((u) => fabrikamIds.has(String(u.azureoid)));
      assert.ok(placed.length > 0 && placed.every((u) => u.client_id === 2), 'Fabrikam staff sit under Fabrikam');
      const again = await planWith(conns);
      assert.equal(again.plan.changes.length, 0, JSON.stringify(again.plan.changes.slice(0, 2)));
    } finally {
      conns.close();
    }
  });
});

describe('parity: licence management (rules that make agents inactive)', () => {
  let env: SimEnv;
  before(async () => {
    const mapping = exampleWith([
      [['safety', 'maxDeactivations'], '50%'],
      [['safety', 'maxChanges'], undefined],
      [['deprovision', 'agentLicence'], 'concurrent'],
    ]);
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping });
    const m = parseDocument(fs.readFileSync(env.file, 'utf8'));
    (m.get('agents') as { items: unknown[] }).items.unshift(m.createNode({ rule: 'admins-parked', from: { group: 'SG-Halo-Admins' }, inactive: true }));
    fs.writeFileSync(env.file, m.toString());
  });
  after(() => env.close());

  it('deactivates the agents the rule selects, frees their named licence, names the rule, and converges', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const parked = run.plan.changes.filter((c) => c.reason === 'made inactive by rule admins-parked');
      assert.ok(parked.length > 0, 'some admins are active agents in Halo');
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed + result.stale, 0, JSON.stringify(result.problems.slice(0, 2)));
      for (const c of parked) {
        const agent = env.sims.world.halo.agents.find((a) => a.id === c.haloId)!;
        assert.equal(agent.isdisabled, true);
        if (c.fields.licence) assert.equal(agent.licence_type, 1, 'concurrent');
      }
      assert.ok(parked.some((c) => c.fields.licence), 'a named licence was freed');
      assert.equal((await planWith(conns)).plan.changes.length, 0);
    } finally {
      conns.close();
    }
  });
});
