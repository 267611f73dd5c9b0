// A large, realistic plan for the panel tests: every action and kind, agent and user rules, field
// and membership changes, per-identity errors, orphans, a block and warnings. Deterministic.
import type { Action, Change, FieldChange, Memberships, Orphan, Plan, PlanError, RuleStats } from '../../src/core/changes';
import { ACTIONS } from '../../src/core/changes';
import { rng } from '../../src/sim/world';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Tim', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'John', 'Hedy', 'Edsger', 'Annie', 'Niklaus', 'Sophie', 'Guido', 'Shafi', 'Bjarne', 'Mary', 'Donald', 'Joan', 'Yukihiro', 'Adele', 'Leslie', 'Ruth', 'Vint', 'Evelyn'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Berners-Lee', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'McCarthy', 'Lamarr', 'Dijkstra', 'Easley', 'Wirth', 'Wilson', 'van Rossum', 'Goldwasser', 'Stroustrup', 'Keller', 'Knuth', 'Clarke', 'Matsumoto', 'Goldberg', 'Lamport', 'Teitelbaum', 'Cerf', 'Boyd', 'Okafor', 'Nakamura', 'Fernández', 'Kowalski', 'Haddad', 'Ó Briain'];
const TITLES = ['Service Desk Analyst', 'Engineer', 'Team Lead', 'Accountant', 'Sales Manager', 'Technician', 'Project Manager', 'HR Partner', 'Consultant', 'Buyer'];
const OFFICES = ['Head Office', 'Leeds', 'Manchester', 'Dublin', 'Glasgow', 'Cardiff', 'Bristol', 'Belfast'];
const ROLES = ['Service Desk', 'Tier 2', 'Change Approver', 'Asset Manager', 'Reporting'];
const TEAMS = ['1st Line', '2nd Line', 'Projects', 'Field Engineers'];

export const AGENT_RULES = ['service-desk', 'tier2', 'field-engineers'];
export const USER_RULES = ['contoso-staff', 'fabrikam-staff', 'contractors', 'branches'];


const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len);
const guid = (i: number): string => `${hex(i * 2654435761, 8)}-${hex(i, 4)}-4${hex(i * 7, 3)}-a${hex(i * 13, 3)}-${hex(i * 31337, 12)}`;

export interface FixtureCounts {
  createSite: number;
  create: number;
  update: number;
  reactivate: number;
  deactivate: number;
  errors: number;
  orphans: number;
}

export const BIG: FixtureCounts = { createSite: 200, create: 30_000, update: 45_000, reactivate: 4_800, deactivate: 20_000, errors: 500, orphans: 800 };

export function makePlan(counts: FixtureCounts = BIG, seed = 42): Plan {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const changes: Change[] = [];
  let n = 0;
  const person = () => {
    n++;
    const first = FIRST[n % FIRST.length];
    const last = LAST[Math.floor(n / FIRST.length) % LAST.length];
    const name = `${first} ${last}${n > FIRST.length * LAST.length ? ` ${Math.floor(n / (FIRST.length * LAST.length)) + 1}` : ''}`;
    const domain = n % 3 === 0 ? 'fabrikam.com' : 'contoso.com';
    const email = `${first}.${last}.${n}@${domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    return { name, email, entraId: guid(n), tenant: domain === 'contoso.com' ? 'contoso' : 'fabrikam', haloId: 1000 + n };
  };
  const kindOf = (): 'agent' | 'user' => (r() < 0.1 ? 'agent' : 'user');
  const ruleOf = (kind: 'agent' | 'user') => (kind === 'agent' ? pick(AGENT_RULES) : pick(USER_RULES));
  const memberships = (): Memberships | undefined => {
    if (r() < 0.6) return undefined;
    const add = r() < 0.7 ? [pick(ROLES)] : [];
    const remove = r() < 0.5 ? [pick(ROLES)].filter((x) => !add.includes(x)) : [];
    const m: Memberships = {};
    if (add.length || remove.length) m.roles = { add, remove };
    if (r() < 0.3) m.teams = { add: [pick(TEAMS)], remove: [] };
    return Object.keys(m).length ? m : undefined;
  };

  for (let i = 0; i < counts.createSite; i++) {
    const office = `${pick(OFFICES)} ${i + 1}`;
    changes.push({ action: 'createSite', kind: 'site', entraId: null, tenant: null, haloId: null, name: office, rule: 'branches', reason: `officeLocation "${office}" has no site under Contoso; rule branches creates sites`, fields: { client_id: { from: null, to: 12 }, name: { from: null, to: office } }, site: { clientId: 12, clientName: 'Contoso', name: office, id: null } });
  }
  for (let i = 0; i < counts.create; i++) {
    const p = person();
    const kind = kindOf();
    const rule = ruleOf(kind);
    const fields: Record<string, FieldChange> =
      kind === 'agent'
        ? { email: { from: null, to: p.email }, name: { from: null, to: p.name }, team: { from: null, to: pick(TEAMS) }, licence: { from: null, to: 'named' } }
        : { azureoid: { from: null, to: p.entraId }, emailaddress: { from: null, to: p.email }, name: { from: null, to: p.name }, site_id: { from: null, to: 40 + (i % 8) }, title: { from: null, to: pick(TITLES) } };
    const c: Change = { action: 'create', kind, entraId: p.entraId, tenant: p.tenant, haloId: null, name: p.name, rule, reason: `in SG-Halo-${kind === 'agent' ? 'Agents' : 'Users'}; rule ${rule}; new`, fields };
    if (kind === 'user') c.site = { clientId: 12, clientName: 'Contoso', name: pick(OFFICES), id: 40 + (i % 8) };
    const m = kind === 'agent' ? memberships() : undefined;
    if (m) c.memberships = m;
    changes.push(c);
  }
  for (let i = 0; i < counts.update; i++) {
    const p = person();
    const kind = kindOf();
    const rule = ruleOf(kind);
    const fields: Record<string, FieldChange> = {};
    const roll = r();
    if (roll < 0.4) fields.title = { from: pick(TITLES), to: pick(TITLES) };
    if (roll > 0.3 && roll < 0.6) fields[kind === 'agent' ? 'email' : 'emailaddress'] = { from: p.email.replace('@', '.old@'), to: p.email };
    if (roll > 0.5) fields.phonenumber = { from: r() < 0.3 ? null : `+44 20 7946 ${hex(i, 4)}`, to: `+44 20 7946 ${String(i % 10000).padStart(4, '0')}` };
    if (r() < 0.1) fields.CFDepartment = { from: 'Sales', to: 'Customer Success' };
    const m = memberships();
    if (!Object.keys(fields).length && !m) fields.title = { from: null, to: pick(TITLES) };
    const what = [...Object.keys(fields).sort(), ...Object.keys(m ?? {}).sort()].join(', ');
    const c: Change = { action: 'update', kind, entraId: p.entraId, tenant: p.tenant, haloId: p.haloId, name: p.name, rule, reason: `in SG-Halo-${kind === 'agent' ? 'Agents' : 'Users'}; rule ${rule}; ${what} changed`, fields };
    if (m) c.memberships = m;
    changes.push(c);
  }
  for (let i = 0; i < counts.reactivate; i++) {
    const p = person();
    const kind = kindOf();
    const rule = ruleOf(kind);
    const flag = kind === 'user' ? 'inactive' : 'isdisabled';
    changes.push({ action: 'reactivate', kind, entraId: p.entraId, tenant: p.tenant, haloId: p.haloId, name: p.name, rule, reason: `in SG-Halo-Users; rule ${rule}; inactive in Halo`, fields: { [flag]: { from: true, to: false }, title: { from: pick(TITLES), to: pick(TITLES) } } });
  }
  for (let i = 0; i < counts.deactivate; i++) {
    const p = person();
    const kind = kindOf();
    const flag = kind === 'user' ? 'inactive' : 'isdisabled';
    const why = i % 3 === 0 ? 'disabled in Entra' : i % 3 === 1 ? 'no rule selects this identity any more' : 'orphan: no Entra identity claims this record';
    const orphan = i % 3 === 2;
    changes.push({ action: 'deactivate', kind, entraId: orphan ? null : p.entraId, tenant: orphan ? null : p.tenant, haloId: p.haloId, name: p.name, rule: i % 3 === 0 ? ruleOf(kind) : null, reason: why, fields: { [flag]: { from: false, to: true } } });
  }
  const order = (a: Change, b: Change): number => {
    const d = ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action);
    if (d) return d;
    for (const [x, y] of [[a.kind, b.kind], [a.name, b.name], [a.entraId ?? '', b.entraId ?? ''], [String(a.haloId ?? ''), String(b.haloId ?? '')]]) if (x !== y) return x < y ? -1 : 1;
    return 0;
  };
  changes.sort(order);

  const errors: PlanError[] = [];
  for (let i = 0; i < counts.errors; i++) {
    const p = person();
    const kind = kindOf();
    errors.push(
      i % 2
        ? { entraId: p.entraId, tenant: p.tenant, kind, name: p.name, rule: ruleOf(kind), message: `two Halo ${kind}s match ${p.email} (#${p.haloId}, #${p.haloId + 50000}); fix one of them` }
        : { entraId: p.entraId, tenant: p.tenant, kind: 'user', name: p.name, rule: 'branches', message: 'officeLocation is empty and rule branches has no siteDefault' },
    );
  }
  const orphans: Orphan[] = [];
  for (let i = 0; i < counts.orphans; i++) {
    const p = person();
    orphans.push({ kind: i % 5 === 0 ? 'agent' : 'user', haloId: 200_000 + i, name: p.name });
  }

  const summary = { create: 0, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: 12_345 };
  for (const c of changes) summary[c.action]++;
  const rules: RuleStats[] = [];
  for (const [kind, list] of [['agent', AGENT_RULES], ['user', USER_RULES]] as const) {
    for (const rule of list) {
      const mine = changes.filter((c) => c.rule === rule && (c.kind === kind || (kind === 'user' && c.kind === 'site')));
      const k = (a: Action) => mine.filter((c) => c.action === a).length;
      rules.push({ kind, rule, matched: mine.length + 100, create: k('create'), update: k('update'), reactivate: k('reactivate'), deactivate: k('deactivate') });
    }
  }
  return {
    version: 1,
    summary,
    changes,
    orphans,
    errors,
    blocked: counts.deactivate > 1000 ? { reason: `${summary.deactivate} deactivations exceed safety.maxDeactivations (5% = 6000 of 120000 managed records)`, limit: 'maxDeactivations', value: summary.deactivate } : null,
    warnings: ['Halo list rows lack azureoid: read details of 1,204 managed users (counted in the statistics).'],
    rules,
  };
}

/** What the panel's search should find, by the rules it documents: name, email-like field values, Entra id, Halo id. */
export function matchesSearch(c: Change, query: string): boolean {
  const hay = [c.name, c.entraId ?? '', String(c.haloId ?? ''), `#${c.haloId ?? ''}`];
  for (const f of Object.values(c.fields)) for (const v of [f.from, f.to]) if (typeof v === 'string' && v.includes('@')) hay.push(v);
  const text = hay.join('\n').toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((t) => text.includes(t));
}
