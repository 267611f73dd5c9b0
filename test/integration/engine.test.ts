// The engine end to end over real HTTP(S) against the simulators: plan, apply, converge, and what
// happens when reads fail, Halo throttles, records change under the plan, or the user cancels.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BlockedError } from '../../src/engine/apply';
import { readJournal } from '../../src/engine/journal';
import { applyWith, planWith } from '../../src/engine/run';
import type { HaloRecord } from '../../src/sim/state';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const lenient = exampleWith([
  [['safety', 'maxDeactivations'], '20%'],
  [['safety', 'maxChanges'], undefined],
]);

function contosoEmails(users: HaloRecord[]): string[] {
  return users.filter((u) => u.client_id === 1 && u.emailaddress).map((u) => String(u.emailaddress).toLowerCase());
}

describe('engine: a 2 000-user tenant converges', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 2000, seed: 7 }, mapping: exampleWith([...[[['halo', 'pageSize'], 250] as [string[], unknown]], [['safety', 'maxDeactivations'], '20%'], [['safety', 'maxChanges'], undefined]]) });
  });
  after(() => env.close());

  it('plans, applies, and then plans zero changes, touching nothing outside scope', async () => {
    const world = env.sims.world;
    const untouched = JSON.stringify({
      api: world.halo.agents.find((a) => a.isapiagent),
      fabrikam: world.halo.users.filter((u) => u.client_id === 2),
      breakglass: world.halo.users.find((u) => u.emailaddress === 'breakglass@contoso.com'),
      localAdmin: world.halo.agents.find((a) => a.email === 'admin@contoso-it.local'),
    });
    const conns = await env.connect();
    try {
      const first = await planWith(conns);
      const s = first.plan.summary;
      assert.ok(s.create > 100 && s.update > 100 && s.deactivate > 5 && s.reactivate > 5 && s.createSite === 2, JSON.stringify(s));
      assert.ok(first.plan.orphans.length >= 10);
      const pages = env.sims.requests.halo.filter((r) => r.method === 'GET' && /\/api\/users$/i.test(r.path)).length;
      assert.ok(pages >= 6, `Halo users read in pages of 250: ${pages}`);
      const graphPages = env.sims.requests.graph.filter((r) => /\/v1\.0\/users$/.test(r.path)).length;
      assert.ok(graphPages >= 3, `Graph users read in pages of 999: ${graphPages}`);

      // Applied straight after its plan, as `apply --yes` does: the plan's read is the fresh read.
      const readsBefore = env.sims.requests.halo.filter((r) => r.method === 'GET').length;
      const result = await applyWith(conns, first, { planIsCurrent: true });
      assert.deepEqual({ failed: result.failed, stale: result.stale, skipped: result.skipped }, { failed: 0, stale: 0, skipped: 0 });
      assert.equal(result.applied, first.plan.changes.length);
      // No second read of Halo: only the bulk reads of what was created (its POST answers name one record each).
      const applyReads = env.sims.requests.halo.filter((r) => r.method === 'GET').slice(readsBefore);
      assert.ok(applyReads.every((r) => /^\/api\/(users|site|agent|fieldinfo)$/i.test(r.path) && (r.path.toLowerCase() !== '/api/users' || r.query.orderdesc === 'true')), JSON.stringify(applyReads.map((r) => [r.path, r.query])));
      const created = first.plan.changes.filter((c) => c.action === 'create' && c.kind === 'user').length;
      assert.ok(applyReads.filter((r) => /users$/i.test(r.path)).length <= Math.ceil(created / 250) + 1, `users re-read in pages of what was created: ${applyReads.length}`);

      const second = await planWith(conns);
      assert.equal(second.plan.changes.length, 0, JSON.stringify(second.plan.changes.slice(0, 3), null, 1));
      assert.equal(second.plan.summary.unchanged, s.unchanged + s.create + s.update + s.reactivate);

      const emails = contosoEmails(world.halo.users);
      assert.equal(new Set(emails).size, emails.length, 'no duplicate contacts');
      assert.equal(
        JSON.stringify({
          api: world.halo.agents.find((a) => a.isapiagent),
          fabrikam: world.halo.users.filter((u) => u.client_id === 2),
          breakglass: world.halo.users.find((u) => u.emailaddress === 'breakglass@contoso.com'),
          localAdmin: world.halo.agents.find((a) => a.email === 'admin@contoso-it.local'),
        }),
        untouched,
      );
      const journal = readJournal(result.journalFile);
      assert.equal(journal.filter((j) => j.type === 'change' && j.result === 'ok').length, result.applied);
      assert.ok(journal.filter((j) => j.type === 'batch').length >= 8);
      assert.equal(journal.at(-1)?.type, 'end');
    } finally {
      conns.close();
    }
  });
});

describe('engine: failures never become deletions', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 300, seed: 3 }, mapping: lenient });
  });
  after(() => env.close());

  it('a failed Entra read stops the plan and nothing is written', async () => {
    env.sims.faults.graph.add({ path: /\/transitiveMembers$/, kind: 'status', status: 503, times: Infinity });
    const conns = await env.connect();
    try {
      await assert.rejects(planWith(conns), /503|Graph|transitiveMembers|Entra/i);
      assert.equal(env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length, 0);
    } finally {
      conns.close();
      env.sims.faults.graph.clear();
    }
  });

  it('recovers from Halo 429s and 5xx while applying, and refuses a threshold breach', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const strict = { ...run, plan: { ...run.plan, blocked: { reason: 'test', limit: 'maxDeactivations' as const, value: 1 } } };
      await assert.rejects(applyWith(conns, strict, {}), BlockedError);
      assert.equal(env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length, 0, 'a blocked plan writes nothing');

      env.sims.faults.halo.add({ method: 'POST', path: /\/api\/users$/i, kind: 'status', status: 429, times: 2 });
      env.sims.faults.halo.add({ method: 'POST', path: /\/api\/agent$/i, kind: 'status', status: 503, times: 1 });
      env.sims.faults.halo.add({ method: 'GET', path: /\/api\/site$/i, kind: 'status', status: 500, times: 1 });
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed, 0);
      assert.equal(result.applied, run.plan.changes.length);
      assert.ok(env.sims.faults.halo.fired.length >= 3, JSON.stringify(env.sims.faults.halo.fired));
      assert.equal((await planWith(conns)).plan.changes.length, 0);
    } finally {
      conns.close();
    }
  });
});

describe('engine: stale plans, uncertain writes, token expiry and cancel', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 400, seed: 5 }, mapping: exampleWith([[['halo', 'batchSize'], 10], [['safety', 'maxDeactivations'], '20%'], [['safety', 'maxChanges'], undefined]]) });
  });
  after(() => env.close());

  it('refuses a change whose record was edited in Halo after the plan', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const target = run.plan.changes.find((c) => c.action === 'update' && c.kind === 'user' && c.fields.title)!;
      const record = env.sims.world.halo.users.find((u) => u.id === target.haloId)!;
      record.title = 'Edited in Halo meanwhile';
      const result = await applyWith(conns, run, { only: (c) => c === target || c.action === 'createSite' });
      assert.equal(result.stale, 1);
      assert.match(result.problems[0].message, /title changed in Halo since the plan/);
      assert.equal(record.title, 'Edited in Halo meanwhile', 'the edit in Halo is kept');
    } finally {
      conns.close();
    }
  });

  it('does not duplicate creates when the connection breaks after Halo saved them', async () => {
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const creates = run.plan.changes.filter((c) => c.action === 'create' && c.kind === 'user').length;
      assert.ok(creates > 10);
      const before = env.sims.world.halo.users.length;
      env.sims.faults.halo.add({ method: 'POST', path: /\/api\/users$/i, kind: 'reset', afterProcessing: true, times: 1 });
      const result = await applyWith(conns, run, { only: (c) => c.action === 'create' || c.action === 'createSite' });
      assert.equal(result.failed, 0);
      assert.equal(env.sims.world.halo.users.length, before + creates, 'each create landed exactly once');
      const emails = contosoEmails(env.sims.world.halo.users);
      assert.equal(new Set(emails).size, emails.length);
      assert.ok(readJournal(result.journalFile).some((j) => j.type === 'note' && /uncertain write/.test(String(j.message))));
    } finally {
      conns.close();
    }
  });

  it('cancels between batches with a consistent journal, and a second apply finishes the job', async () => {
    const controller = new AbortController();
    const conns = await env.connect({ signal: controller.signal });
    try {
      const run = await planWith(conns);
      assert.ok(run.plan.changes.length > 20);
      let batches = 0;
      const result = await applyWith(conns, run, {
        signal: controller.signal,
        onProgress: (p) => {
          if (/^(Updating|Creating|Reactivating|Deactivating) \d/.test(p.message) && ++batches === 2) controller.abort();
        },
      });
      assert.equal(result.cancelled, true);
      assert.ok(result.applied > 0 && result.skipped > 0, JSON.stringify(result));
      const journal = readJournal(result.journalFile);
      assert.equal(journal.at(-1)?.type, 'end');
      assert.equal(journal.at(-1)?.cancelled, true);
    } finally {
      conns.close();
    }
    const again = await env.connect();
    try {
      env.sims.faults.halo.add({ path: /\/api\//i, kind: 'expireToken', skip: 3, times: 1 });
      const run = await planWith(again);
      const result = await applyWith(again, run, {});
      assert.equal(result.failed + result.stale, 0);
      assert.ok(env.sims.faults.halo.fired.some((f) => f.kind === 'expireToken'), 'the token expired mid-run and was renewed');
      assert.equal((await planWith(again)).plan.changes.length, 0);
      assert.ok(fs.existsSync(result.journalFile));
    } finally {
      again.close();
    }
  });

  it('sends full batches: changes that only touch a CAB leave no gap in them', async () => {
    const world = env.sims.world;
    const cab = world.halo.cabs[0];
    const members = new Set((cab.members as Array<{ agent_id: number }>).map((m) => m.agent_id));
    cab.members = [];
    // Agents outside the CAB drift by name: they are sent; those in it change only their CAB seat.
    for (const a of world.halo.agents) if (!a.isapiagent && !members.has(Number(a.id))) a.name = `${String(a.name)} (old)`;
    const conns = await env.connect();
    try {
      const run = await planWith(conns);
      const updates = run.plan.changes.filter((c) => c.action === 'update' && c.kind === 'agent');
      const cabOnly = updates.filter((c) => c.memberships?.cabs && !Object.keys(c.fields).length);
      assert.ok(cabOnly.length > 0 && updates.length - cabOnly.length > 10, `${updates.length} agent updates, ${cabOnly.length} CAB only`);
      const result = await applyWith(conns, run, {});
      assert.equal(result.failed + result.stale, 0);
      const batches = readJournal(result.journalFile).filter((j) => j.type === 'batch' && j.action === 'update' && j.kind === 'agent');
      const sent = updates.length - cabOnly.length;
      assert.deepEqual(batches.map((b) => b.count), Array.from({ length: Math.ceil(sent / 10) }, (_, i) => Math.min(10, sent - i * 10)));
      assert.equal((await planWith(conns)).plan.changes.length, 0);
    } finally {
      conns.close();
    }
  });
});

describe('engine: an agent whose Entra account is deleted loses access', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping: lenient });
  });
  after(() => env.close());

  it('is deactivated at the next plan, from the link remembered beside the mapping', async () => {
    const conns = await env.connect();
    try {
      await applyWith(conns, await planWith(conns), {});
      const tenant = env.sims.world.graph[0];
      const agentGroup = tenant.groups.find((g) => g.displayName === 'SG-Halo-Agents')!;
      const haloAgents = env.sims.world.halo.agents;
      const gone = tenant.users.find((u) => agentGroup.members.includes(u.id) && haloAgents.some((a) => !a.isdisabled && String(a.email).toLowerCase() === String(u.mail).toLowerCase()))!;
      assert.ok(gone, 'an active agent from SG-Halo-Agents');
      const agent = haloAgents.find((a) => String(a.email).toLowerCase() === String(gone.mail).toLowerCase())!;
      const links = fs.readFileSync(`${conns.stateDir}/agent-links.json`, 'utf8');
      assert.ok(links.includes(gone.id) && !links.includes('@'), 'ids only, no emails or names');

      // Hard-deleted: gone from /users and from every group.
      tenant.users.splice(tenant.users.indexOf(gone), 1);
      for (const g of tenant.groups) g.members = g.members.filter((m) => m !== gone.id);
      const run = await planWith(conns);
      // (Their Halo user, and the users they managed, change too: only agents are looked at here.)
      const agentChanges = run.plan.changes.filter((c) => c.kind === 'agent');
      assert.deepEqual(agentChanges.map((c) => [c.action, c.haloId, c.reason]), [['deactivate', agent.id, 'deleted in Entra (matched at an earlier plan)']]);
      await applyWith(conns, run, {});
      assert.equal(agent.isdisabled, true);
      assert.equal((await planWith(conns)).plan.changes.length, 0);
      assert.ok(!fs.readFileSync(`${conns.stateDir}/agent-links.json`, 'utf8').includes(gone.id), 'a deactivated agent is no longer remembered');
    } finally {
      conns.close();
    }
  });
});
