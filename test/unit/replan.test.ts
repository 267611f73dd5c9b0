// replan() against plan(): byte-identical plan JSON (or the same error) after random one-line edits
// of every mapping the planner tests plan, of the example mapping over generated worlds, and of the
// bench's tenant, chained as an editor chains them and each also from the unedited plan.
//
// The planner tests' fixtures are taken as they run: plan() is wrapped while their files load here,
// so every (mapping, snapshots) they plan is planned again below with edits (their own assertions run
// as usual, on the real plan()).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { editedMapping, worldOptions } from '../../bench/tenant';
import type { AgentRule, Mapping, UserRule } from '../../src/core/mapping';
import { parseMapping } from '../../src/core/parse';
import * as planModule from '../../src/core/plan';
import type { Plan } from '../../src/core/changes';
import { PlanState, planAndKeep, replan, whatHolds } from '../../src/core/replan';
import { planJson } from '../../src/core/render';
import type { DirectorySnapshot, HaloSnapshot } from '../../src/core/snapshot';
import { takeSnapshots } from '../../src/engine/snapshot';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';
import { mixedMapping, mixedWorld } from '../../src/sim/example-mixed';
import { generateWorld, rng } from '../../src/sim/world';
import { SimEnv, startSimEnv } from '../support/sim-env';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, mappingFrom } from '../support/snapshots';

interface Fixture {
  name: string;
  mapping: Mapping;
  directories: DirectorySnapshot;
  halo: HaloSnapshot;
  options: planModule.PlanOptions;
}

const realPlan = planModule.plan;
const captured: Fixture[] = [];
const writable = planModule as unknown as { plan: typeof planModule.plan };
writable.plan = (mapping, directories, halo, options = {}) => {
  captured.push({ name: `planner test fixture #${captured.length + 1}`, mapping: structuredClone(mapping), directories, halo, options: { agentLinks: options.agentLinks } });
  return realPlan(mapping, directories, halo, options);
};
for (const f of ['plan', 'client-from', 'manager', 'licence', 'user-type', 'agent-orphans', 'protect-kind', 'connection-thresholds']) require(`./${f}.test`);

/** The plan JSON, or the error plan() threw: what the two planners must agree on. */
function outcome(f: () => Plan): string {
  try {
    return planJson(f());
  } catch (e) {
    return `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** replan(), with the state it gives (undefined when it threw). */
function replanned(state: PlanState, mapping: Mapping): { text: string; state: PlanState | undefined } {
  try {
    const s = replan(state, mapping);
    return { text: planJson(s.plan), state: s };
  } catch (e) {
    return { text: `threw ${(e as Error).name}: ${(e as Error).message}`, state: undefined };
  }
}

// ───────────────────────────── random one-line edits ─────────────────────────────

type Edit = { what: string; apply: (m: Mapping) => void };

interface Names {
  groups: string[];
  attributes: string[];
  values: Array<[string, unknown]>;
  agentRoles: string[];
  userRoles: string[];
  teams: string[];
  sites: string[];
  clients: string[];
  cabs: Array<{ name: string; roles: string[] }>;
  emails: string[];
}

function namesOf(d: DirectorySnapshot, h: HaloSnapshot): Names {
  const users = d.tenants.flatMap((t) => t.users);
  const attributes = [...new Set(users.slice(0, 200).flatMap((u) => Object.keys(u.attrs)))].sort();
  const values: Array<[string, unknown]> = [];
  for (const u of users.slice(0, 50)) for (const [k, v] of Object.entries(u.attrs)) if (typeof v === 'string' || typeof v === 'boolean') values.push([k, v]);
  return {
    groups: [...new Set(d.tenants.flatMap((t) => t.groups.map((g) => g.ref)))].slice(0, 40),
    attributes: attributes.length ? attributes : ['displayName'],
    values: values.length ? values : [['displayName', 'x']],
    agentRoles: h.agentRoles.map((r) => r.name),
    userRoles: h.userRoles.map((r) => r.name),
    teams: h.teams.map((t) => t.name),
    sites: h.sites.map((s) => s.name),
    clients: h.clients.map((c) => c.name),
    cabs: h.cabs.map((c) => ({ name: c.name, roles: c.roles })),
    emails: users.slice(0, 30).flatMap((u) => (u.email ? [u.email] : [])),
  };
}

// With fields the plan itself sets (a user's site and link, an agent's team and licence, the flags a
// reactivation clears): mapped as well, they must come out as plan() makes them.
const USER_FIELDS = ['name', 'firstname', 'surname', 'emailaddress', 'title', 'phonenumber', 'CFDepartment', 'login', 'CFOffice', 'site_id', 'azureoid', 'inactive'];
const AGENT_FIELDS = ['name', 'firstname', 'surname', 'email', 'jobtitle', 'linemanager', 'ad', 'CFCostCentre', 'team', 'licence', 'isdisabled'];

function randomEdit(r: () => number, m: Mapping, n: Names): Edit {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const source = (kind: 'users' | 'agents'): unknown => {
    const a = pick(n.attributes);
    const roll = r();
    if (kind === 'agents' && roll < 0.08) return 'manager.agent';
    if (roll < 0.55) return a;
    if (roll < 0.7) return [a, pick(n.attributes)];
    if (roll < 0.8) return { from: a, default: 'n/a' };
    if (roll < 0.9) return { from: a, when: 'create' };
    return chance(0.5) ? 'noSuchAttribute' : `${a}[0]`;
  };
  const rules = (kind: 'agents' | 'users', x: Mapping = m) => (x[kind] ?? []) as Array<AgentRule | UserRule>;
  const ops: Array<() => Edit | null> = [
    () => {
      const kind = chance(0.6) ? 'users' : 'agents';
      const field = pick(kind === 'users' ? USER_FIELDS : AGENT_FIELDS);
      const spec = source(kind);
      return { what: `fields.${kind}.${field}: ${JSON.stringify(spec)}`, apply: (x) => void (((x.fields ??= {})[kind] ??= {})[field] = spec as never) };
    },
    () => {
      const kind = chance(0.6) ? 'users' : 'agents';
      const fields = Object.keys(m.fields?.[kind] ?? {});
      if (!fields.length) return null;
      const field = pick(fields);
      return { what: `fields.${kind}.${field} removed`, apply: (x) => void delete x.fields![kind]![field] };
    },
    () => {
      const kind = chance(0.5) ? 'users' : 'agents';
      const list = rules(kind);
      if (!list.length) return null;
      const k = Math.floor(r() * list.length);
      const names = kind === 'agents' ? n.agentRoles : n.userRoles;
      const role = chance(0.05) ? 'No Such Role' : pick(names.length ? names : ['No Such Role']);
      const had = list[k].roles ?? [];
      if (had.length && chance(0.4)) return { what: `${kind}[${k}].roles minus ${had[0]}`, apply: (x) => void (rules(kind, x)[k].roles = had.slice(1)) };
      return { what: `${kind}[${k}].roles plus ${role}`, apply: (x) => void (rules(kind, x)[k].roles = [...(rules(kind, x)[k].roles ?? []), role]) };
    },
    () => {
      const list = rules('agents') as AgentRule[];
      if (!list.length) return null;
      const k = Math.floor(r() * list.length);
      const roll = r();
      if (roll < 0.35) {
        const team = chance(0.05) ? 'No Such Team' : pick(n.teams.length ? n.teams : ['No Such Team']);
        return { what: `agents[${k}].team: ${team}`, apply: (x) => void ((x.agents![k] as AgentRule).team = team) };
      }
      if (roll < 0.45) return { what: `agents[${k}].team removed`, apply: (x) => void delete (x.agents![k] as AgentRule).team };
      if (roll < 0.8) {
        const licence = pick(['named', 'concurrent', 'unchanged'] as const);
        return { what: `agents[${k}].licence: ${licence}`, apply: (x) => void ((x.agents![k] as AgentRule).licence = licence) };
      }
      return { what: `agents[${k}].inactive toggled`, apply: (x) => void ((x.agents![k] as AgentRule).inactive = !(x.agents![k] as AgentRule).inactive) };
    },
    () => {
      const list = rules('users') as UserRule[];
      if (!list.length) return null;
      const k = Math.floor(r() * list.length);
      const rule = list[k];
      const roll = r();
      if (roll < 0.35 && rule.site !== undefined) {
        const site = pick(n.sites.length ? n.sites : ['Nowhere']);
        return { what: `users[${k}].site: ${site}`, apply: (x) => void ((x.users![k] as UserRule).site = site) };
      }
      if (roll < 0.55 && rule.client !== undefined) {
        const client = pick(n.clients.length ? n.clients : ['Nobody']);
        return { what: `users[${k}].client: ${client}`, apply: (x) => void ((x.users![k] as UserRule).client = client) };
      }
      if (roll < 0.7 && rule.siteFrom !== undefined) return { what: `users[${k}].createSites toggled`, apply: (x) => void ((x.users![k] as UserRule).createSites = !(x.users![k] as UserRule).createSites) };
      if (roll < 0.85 && rule.siteFrom !== undefined) {
        const site = pick(n.sites.length ? n.sites : ['Nowhere']);
        return { what: `users[${k}].siteDefault: ${site}`, apply: (x) => void ((x.users![k] as UserRule).siteDefault = site) };
      }
      return { what: `users[${k}].rule renamed`, apply: (x) => void ((x.users![k] as UserRule).rule = `${rule.rule}-renamed`) };
    },
    () => {
      const kind = chance(0.5) ? 'users' : 'agents';
      const list = rules(kind);
      if (!list.length) return null;
      const k = Math.floor(r() * list.length);
      const roll = r();
      if (roll < 0.3) return { what: `${kind}[${k}] renamed`, apply: (x) => void (rules(kind, x)[k].rule = `${list[k].rule}2`) };
      if (roll < 0.55) {
        const [attr, value] = pick(n.values);
        return { what: `${kind}[${k}].from.where: { ${attr}: ${value} }`, apply: (x) => void (rules(kind, x)[k].from = { ...rules(kind, x)[k].from, where: { [attr]: value as string } }) };
      }
      if (roll < 0.65) return { what: `${kind}[${k}].from.where removed`, apply: (x) => void delete rules(kind, x)[k].from.where };
      if (roll < 0.85 && n.groups.length) {
        const group = pick(n.groups);
        return { what: `${kind}[${k}].from.group: ${group}`, apply: (x) => void (rules(kind, x)[k].from = { ...rules(kind, x)[k].from, group }) };
      }
      if (list.length > 1) {
        const j = (k + 1) % list.length;
        return { what: `${kind}[${k}] and [${j}] swapped`, apply: (x) => void ([rules(kind, x)[k], rules(kind, x)[j]] = [rules(kind, x)[j], rules(kind, x)[k]]) };
      }
      return { what: `${kind}[${k}].from.includeGuests toggled`, apply: (x) => void (rules(kind, x)[k].from = { ...rules(kind, x)[k].from, includeGuests: !rules(kind, x)[k].from.includeGuests }) };
    },
    () => {
      const grants = m.roles ?? [];
      const roll = r();
      if (!grants.length || roll < 0.15) {
        const group = pick(n.groups.length ? n.groups : ['SG-None']);
        const grant = chance(0.5) ? { group, userRoles: [pick(n.userRoles.length ? n.userRoles : ['x'])] } : { group, agentRoles: [pick(n.agentRoles.length ? n.agentRoles : ['x'])] };
        return { what: `roles[] plus ${JSON.stringify(grant)}`, apply: (x) => void (x.roles = [...(x.roles ?? []), grant]) };
      }
      const k = Math.floor(r() * grants.length);
      if (roll < 0.25) return { what: `roles[${k}] removed`, apply: (x) => void x.roles!.splice(k, 1) };
      if (roll < 0.5) {
        const role = pick(n.agentRoles.length ? n.agentRoles : ['x']);
        return { what: `roles[${k}].agentRoles plus ${role}`, apply: (x) => void (x.roles![k].agentRoles = [...(x.roles![k].agentRoles ?? []), role]) };
      }
      if (roll < 0.75) {
        const role = pick(n.userRoles.length ? n.userRoles : ['x']);
        return { what: `roles[${k}].userRoles: [${role}]`, apply: (x) => void (x.roles![k].userRoles = [role]) };
      }
      if (roll < 0.85) return { what: `roles[${k}].inactive toggled`, apply: (x) => void (x.roles![k].inactive = !x.roles![k].inactive) };
      const group = pick(n.groups.length ? n.groups : ['SG-None']);
      return { what: `roles[${k}].group: ${group}`, apply: (x) => void (x.roles![k] = { ...x.roles![k], group, noManager: undefined }) };
    },
    () => {
      const cabs = m.cab ?? [];
      if (!n.cabs.length) return null;
      const roll = r();
      if (!cabs.length || roll < 0.2) {
        const cab = pick(n.cabs);
        const entry = { group: pick(n.groups.length ? n.groups : ['SG-None']), cab: cab.name, ...(cab.roles.length && chance(0.5) ? { role: pick(cab.roles) } : {}) };
        return { what: `cab[] plus ${JSON.stringify(entry)}`, apply: (x) => void (x.cab = [...(x.cab ?? []), entry]) };
      }
      const k = Math.floor(r() * cabs.length);
      if (roll < 0.35) return { what: `cab[${k}] removed`, apply: (x) => void x.cab!.splice(k, 1) };
      if (roll < 0.6) {
        const roles = n.cabs.find((c) => c.name.toLowerCase() === cabs[k].cab.toLowerCase())?.roles ?? [];
        if (!roles.length) return null;
        const role = pick(roles);
        return { what: `cab[${k}].role: ${role}`, apply: (x) => void (x.cab![k].role = role) };
      }
      if (roll < 0.8) return { what: `cab[${k}].members toggled`, apply: (x) => void (x.cab![k].members = x.cab![k].members === 'users' ? 'agents' : 'users') };
      return { what: `cab[${k}].group changed`, apply: (x) => void (x.cab![k].group = pick(n.groups.length ? n.groups : ['SG-None'])) };
    },
    () => {
      if (chance(0.6)) {
        const keys = [...(m.match?.users ?? ['azureoid', 'emailaddress'])];
        const order = chance(0.5) ? keys.reverse() : chance(0.5) ? keys.slice(1) : [...keys, pick(['login', 'email2'] as const)];
        return { what: `match.users: [${order.join(', ')}]`, apply: (x) => void (x.match = { ...x.match, users: [...new Set(order)] as never }) };
      }
      const keys = [...(m.match?.agents ?? ['email'])];
      const order = keys.length > 1 ? keys.reverse() : [...keys, pick(['name', 'ad'] as const)];
      return { what: `match.agents: [${order.join(', ')}]`, apply: (x) => void (x.match = { ...x.match, agents: [...new Set(order)] as never }) };
    },
    () => {
      const which = chance(0.6) ? 'maxDeactivations' : 'maxChanges';
      const roll = r();
      const value = roll < 0.3 ? Math.floor(r() * 20) : roll < 0.8 ? `${1 + Math.floor(r() * 60)}%` : undefined;
      return { what: `safety.${which}: ${value ?? 'removed'}`, apply: (x) => void (value === undefined ? delete (x.safety ??= {})[which] : ((x.safety ??= {})[which] = value)) };
    },
    () => {
      const which = pick(['users', 'agents', 'orphans', 'agentLicence'] as const);
      const values = { users: ['deactivate', 'ignore'], agents: ['deactivate', 'ignore'], orphans: ['report', 'deactivate'], agentLicence: ['unchanged', 'concurrent'] }[which];
      const value = pick(values);
      return { what: `deprovision.${which}: ${value}`, apply: (x) => void (((x.deprovision ??= {}) as Record<string, string>)[which] = value) };
    },
    () => {
      if (chance(0.5) && m.protect?.length) return { what: 'protect[0] removed', apply: (x) => void x.protect!.splice(0, 1) };
      const email = pick(n.emails.length ? n.emails : ['nobody@example.com']);
      return { what: `protect plus ${email}`, apply: (x) => void (x.protect = [...(x.protect ?? []), { email }]) };
    },
    () => ({ what: 'nothing (the same mapping again)', apply: () => undefined }),
  ];
  // Field sources, rules' roles, team and licence, grants and thresholds: the commonest edits, drawn most.
  const weights = [6, 2, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1];
  const total = weights.reduce((a, b) => a + b, 0);
  for (;;) {
    let x = r() * total;
    let k = 0;
    while (x >= weights[k]) x -= weights[k++];
    const e = ops[k]();
    if (e) return e;
  }
}

/**
 * `edits` random edits of the fixture's mapping: each planned by replan() from the unedited plan and
 * in a chain (each from the one before, as an editor goes), against plan() of the edited mapping.
 */
/** How the edits checked went: re-planned from outcomes only, by every decision again, afresh, or refused by both. */
const tally = { outcomesOnly: 0, decisions: 0, afresh: 0, refused: 0 };
const tallied = () => `${tally.outcomesOnly} outcomes only, ${tally.decisions} every decision again, ${tally.afresh} afresh (protect), ${tally.refused} refused by both planners`;

function checkEdits(f: Fixture, seed: number, edits: number): number {
  const r = rng(seed);
  const names = namesOf(f.directories, f.halo);
  let start: PlanState;
  try {
    start = planAndKeep(f.mapping, f.directories, f.halo, f.options);
  } catch {
    return 0; // a fixture plan() refuses: nothing to re-plan from
  }
  assert.equal(planJson(start.plan), outcome(() => realPlan(f.mapping, f.directories, f.halo, f.options)), `${f.name}: planAndKeep() differs from plan()`);
  let chain: PlanState = start;
  let mapping = f.mapping;
  let checked = 0;
  for (let k = 0; k < edits; k++) {
    const edit = randomEdit(r, mapping, names);
    const next = structuredClone(mapping);
    edit.apply(next);
    const want = outcome(() => realPlan(next, f.directories, f.halo, f.options));
    const holds = whatHolds(mapping, next);
    if (want.startsWith('threw')) tally.refused++;
    else if (!holds) tally.afresh++;
    else if (holds.outcomesOnly) tally.outcomesOnly++;
    else tally.decisions++;
    const fromStart = replanned(start, next);
    assert.equal(fromStart.text, want, `${f.name}, edit ${k + 1} (${edit.what}), from the unedited plan`);
    const chained = replanned(chain, next);
    assert.equal(chained.text, want, `${f.name}, edit ${k + 1} (${edit.what}), chained`);
    checked += 2;
    // As the editor: a mapping that cannot be planned leaves the last plan (and its state) in place.
    if (chained.state) {
      chain = chained.state;
      mapping = next;
    }
  }
  return checked;
}

// ───────────────────────────── the tests ─────────────────────────────

describe('replan: byte-identical to plan() after an edit', () => {
  it('on every mapping the planner tests plan, under random one-line edits', (t) => {
    assert.ok(captured.length >= 40, `only ${captured.length} plan() calls captured`);
    let checked = 0;
    captured.forEach((f, k) => (checked += checkEdits(f, 1000 + k, 6)));
    assert.ok(checked >= 400, `only ${checked} re-plans checked`);
    t.diagnostic(`${captured.length} fixtures, ${checked} re-plans checked (${tallied()})`);
  });

  it("a CAB's role set by one cab[] entry, changed: the seats another entry grants change their role too", () => {
    const m = mappingFrom(`${BASE_MAPPING}
agents:
  - rule: desk
    from: { group: Agents }
cab:
  - { group: Leads, cab: Change Advisory Board, role: Approver }
  - { group: Members, cab: Change Advisory Board }
fields:
  agents: { name: displayName, email: mail }
`);
    const amy = entraUser('Amy Lead');
    const bob = entraUser('Bob Member');
    const dir = entra([amy, bob], { Agents: [amy, bob], Leads: [amy], Members: [bob] });
    const h = halo({
      agents: [haloAgent(5, { name: 'Amy Lead', email: amy.attrs.mail as string }), haloAgent(6, { name: 'Bob Member', email: bob.attrs.mail as string })],
      cabs: [{ id: 1, name: 'Change Advisory Board', roles: ['Approver', 'Member'], members: [{ agentId: 5, userId: null, role: 'Member' }, { agentId: 6, userId: null, role: 'Member' }] }],
    });
    const state = planAndKeep(m, dir, h);
    assert.equal(state.plan.changes.filter((c) => c.memberships?.cabs?.role).length, 2, 'both seats get the role Approver');
    const edited = structuredClone(m);
    edited.cab![0].role = 'Member';
    assert.equal(planJson(replan(state, edited).plan), planJson(realPlan(edited, dir, h)));
    assert.equal(replan(state, edited).plan.changes.length, 0, 'both seats already have the role Member');
  });

  describe('on generated worlds', () => {
    const envs: SimEnv[] = [];
    const worlds: Fixture[] = [];
    before(async () => {
      const add = async (name: string, env: SimEnv) => {
        envs.push(env);
        const conns = await env.connect();
        try {
          const snaps = await takeSnapshots(conns);
          worlds.push({ name, mapping: conns.mapping, directories: snaps.directories, halo: snaps.halo, options: {} });
        } finally {
          conns.close();
        }
      };
      const example = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'halo-identity.yaml'), 'utf8');
      await add('the normative example over an 800-user world', await startSimEnv({ worldOptions: { users: 800, seed: 7 }, mapping: example, haloModes: {} }));
      await add('the bench tenant at 2 000 users', await startSimEnv({ worldOptions: worldOptions(2000), mapping: EXAMPLE_MAPPING, haloModes: {} }));
      await add('Entra, Okta and Google feeding one Halo', await startSimEnv({ world: mixedWorld({ users: 600, seed: 31, customers: 200, partners: 150 }), mapping: mixedMapping(), haloModes: {} }));
      const twoTenants = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'plans', 'two-tenants.yaml'), 'utf8');
      const world = generateWorld({ users: 300, seed: 21 });
      const customer = generateWorld({ users: 150, seed: 22, tenantId: '11111111-2222-4333-8444-555555555555', domain: 'fabrikam.example' });
      world.graph.push(customer.graph[0]);
      const env = await startSimEnv({ world, mapping: twoTenants, haloModes: {} });
      env.sims.env.FABRIKAM_CLIENT_ID = customer.graph[0].clientId;
      env.sims.env.FABRIKAM_CLIENT_SECRET = customer.graph[0].clientSecret;
      await add('two Entra tenants feeding two clients', env);
    });
    after(() => Promise.all(envs.map((e) => e.close())));

    it('under random one-line edits', (t) => {
      let checked = 0;
      worlds.forEach((f, k) => (checked += checkEdits(f, 77 + k, 40)));
      assert.ok(checked >= 300, `only ${checked} re-plans checked`);
      t.diagnostic(`${worlds.length} worlds, ${checked} re-plans checked (so far in this file: ${tallied()})`);
    });

    it("the bench's edit, from the text as the editor parses it, re-plans outcomes only and takes every other part of the last plan", () => {
      const f = worlds[1];
      const text = EXAMPLE_MAPPING;
      let state = planAndKeep(parseMapping(text).mapping!, f.directories, f.halo);
      let last = parseMapping(text).mapping!;
      let same = 0;
      let remade = 0;
      for (let i = 0; i < 4; i++) {
        const edited = parseMapping(editedMapping(text, i)).mapping!;
        assert.equal(whatHolds(last, edited)?.outcomesOnly, true, 'a field source edit changes outcomes only');
        const next = replan(state, edited);
        assert.equal(planJson(next.plan), planJson(realPlan(edited, f.directories, f.halo)));
        // Nothing but outcomes worked out again: the same identities, matches, decisions and slots.
        assert.equal(next.memo.identities, state.memo.identities);
        assert.equal(next.memo.found, state.memo.found);
        assert.equal(next.memo.fixed, state.memo.fixed);
        assert.ok(next.memo.slots.refs.every((r, k) => r === state.memo.slots.refs[k]));
        // Agents have no title: each agent's change is the very same object as before.
        const agents = (s: PlanState) => s.plan.changes.filter((c) => c.kind === 'agent' && c.action !== 'deactivate');
        assert.ok(agents(next).length > 0 && agents(next).every((c, k) => c === agents(state)[k]));
        // A user's change is the previous object where the title came out the same, and otherwise
        // a new one around the previous one's memberships (only the fields were worked out again).
        const before = new Map(state.plan.changes.filter((c) => c.kind === 'user').map((c) => [`${c.entraId} ${c.haloId}`, c]));
        for (const c of next.plan.changes.filter((x) => x.kind === 'user' && x.action !== 'deactivate')) {
          const was = before.get(`${c.entraId} ${c.haloId}`);
          if (!was || was.action !== c.action) continue;
          if (JSON.stringify(was) === JSON.stringify(c)) {
            assert.equal(c, was, `${c.name}: an unchanged change is the previous object`);
            same++;
          } else {
            assert.equal(c.memberships, was.memberships, `${c.name}: the memberships are the previous change's`);
            remade++;
          }
        }
        state = next;
        last = edited;
      }
      assert.ok(same > 0 && remade > 0, `both kinds of user change seen (${same} kept, ${remade} remade)`);
    });
  });
});
