// The reports' arithmetic and provenance, from snapshots: the group path of each grant, several
// entries granting one role, hand grants, a group gone from the snapshot; idle days and cost;
// orphan suggestions; CSV that a spreadsheet cannot turn into a formula.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessReport, NOT_GRANTED } from '../../src/core/reports/access';
import { csv, formatAccess, formatLicences, formatOrphans } from '../../src/core/reports/format';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { groupPath } from '../../src/core/reports/group-paths';
import { licenceReport } from '../../src/core/reports/licences';
import { orphanReport } from '../../src/core/reports/orphans';
import { parseReview, reviewPlan } from '../../src/core/reports/review';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, mappingFrom } from '../support/snapshots';

const MAPPING = `${BASE_MAPPING}
agents:
  - { rule: service-desk, from: { group: SG-Halo-Agents }, roles: [Technician], team: Service Desk }
roles:
  - { group: SG-Halo-Admins, agentRoles: [Technician, Administrator] }
  - { group: SG-Gone, agentRoles: [Finance Viewer] }
fields:
  agents: { name: displayName, email: mail }
`;

describe('access review provenance', () => {
  const ann = entraUser('Ann Tier');
  const bob = entraUser('Bob Admin');
  const dir = entra([ann, bob], { 'SG-Halo-Agents': [ann, bob], 'SG-Halo-Admins': [bob] });
  dir.tenants[0].groups.find((g) => g.ref === 'SG-Halo-Agents')!.id = 'agents';
  const tree = new Map([
    ['agents', { name: 'SG-Halo-Agents', users: new Set([bob.id]), groups: ['tier2'] }],
    ['tier2', { name: 'SG-Tier2', users: new Set([ann.id]), groups: [] }],
  ]);
  const world = halo({
    agents: [
      haloAgent(1, { name: 'Ann Tier', email: String(ann.attrs.mail), roles: ['Technician', 'Finance Viewer'], teams: ['Service Desk'] }),
      haloAgent(2, { name: 'Bob Admin', email: String(bob.attrs.mail), roles: ['Administrator', 'Technician'], teams: [] }),
      haloAgent(3, { name: 'Nobody', email: 'nobody@contoso.com', roles: ['Administrator'] }),
    ],
  });
  const report = accessReport({ mapping: mappingFrom(MAPPING), directories: dir, halo: world, trees: new Map([['contoso', tree]]) });
  const of = (id: number, grant: string) => report.rows.find((r) => r.haloId === id && r.grant === grant)?.provenance;

  it('names the nested group path to the rule that grants a role, and every entry that grants it', () => {
    assert.deepEqual(of(1, 'Technician'), ['SG-Tier2 ⊂ SG-Halo-Agents → rule service-desk']);
    assert.deepEqual(of(1, 'Service Desk'), ['SG-Tier2 ⊂ SG-Halo-Agents → rule service-desk']);
    assert.deepEqual(of(2, 'Technician'), ['SG-Halo-Agents → rule service-desk', 'SG-Halo-Admins → roles[0]']);
    assert.deepEqual(of(2, 'Administrator'), ['SG-Halo-Admins → roles[0]']);
  });

  it('a role held without an entry granting it, or through a group the snapshot does not have, is not granted by the mapping', () => {
    assert.deepEqual(of(1, 'Finance Viewer'), [NOT_GRANTED]);
    // An active agent no identity claims is an orphan in managed scope: everything it holds is by hand.
    assert.deepEqual(report.rows.filter((r) => r.haloId === 3).map((r) => [r.grant, r.provenance, r.entra]), [['Administrator', [NOT_GRANTED], null]]);
    assert.equal(report.ungranted, 2);
  });

  it('is sorted and the same for the same inputs; without the trees, the named group alone', () => {
    const again = accessReport({ mapping: mappingFrom(MAPPING), directories: dir, halo: world, trees: new Map([['contoso', tree]]) });
    assert.deepEqual(again, report);
    const flat = accessReport({ mapping: mappingFrom(MAPPING), directories: dir, halo: world });
    assert.deepEqual(flat.rows.find((r) => r.haloId === 1 && r.grant === 'Technician')?.provenance, ['SG-Halo-Agents → rule service-desk']);
  });

  it('group paths: breadth first, the shortest chain', () => {
    assert.deepEqual(groupPath(tree, 'agents', ann.id), ['SG-Tier2', 'SG-Halo-Agents']);
    assert.equal(groupPath(tree, 'agents', 'someone-else'), undefined);
  });
});

describe('licence report', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 19);
  const busy = entraUser('Busy Bee');
  const idle = entraUser('Idle Ivy', { attrs: { 'signInActivity.lastSignInDateTime': ago(3) + 'Z' } });
  const gone = entraUser('Gone Gus', { accountEnabled: false });
  const dir = entra([busy, idle, gone], { 'SG-Halo-Agents': [busy, idle, gone] });
  const world = halo({
    agents: [
      haloAgent(1, { name: 'API', isApiAgent: true, licence: 'named' }),
      haloAgent(2, { name: 'Busy Bee', email: String(busy.attrs.mail), licence: 'named', fields: { lastlogindate: ago(2) } }),
      haloAgent(3, { name: 'Idle Ivy', email: String(idle.attrs.mail), licence: 'named', fields: { lastlogindate: ago(90) } }),
      haloAgent(4, { name: 'Gone Gus', email: String(gone.attrs.mail), licence: 'named', fields: { lastlogindate: ago(45) } }),
      haloAgent(5, { name: 'Never Ned', email: 'ned@contoso.com', licence: 'concurrent', fields: { lastlogindate: '1900-01-01T00:00:00' } }),
    ],
  });
  const r = licenceReport({ mapping: mappingFrom(MAPPING), directories: dir, halo: world, now, idleDays: 30, costPerNamed: 45 });
  const row = (id: number) => r.rows.find((x) => x.haloId === id)!;

  it('idle days from the later of Halo and Entra; never is never, not 1900', () => {
    assert.equal(row(2).idleDays, 2);
    assert.equal(row(3).idleDays, 3, 'Entra saw a sign-in three days ago');
    assert.equal(row(4).idleDays, 45);
    assert.deepEqual([row(5).idleDays, row(5).lastLoginHalo, row(5).flags], [null, null, ['never signed in']]);
  });

  it('flags a named licence held by an agent disabled in Entra, lists API agents apart, and prices it', () => {
    assert.deepEqual(row(4).flags, ['idle 45 days', 'named licence, disabled in Entra']);
    assert.equal(r.rows.at(-1)!.apiAgent, true);
    assert.deepEqual([r.named, r.concurrent, r.idle, r.namedHeldByGone, r.apiAgents], [3, 1, 2, 1, 1]);
    assert.deepEqual(r.cost, { perNamed: 45, named: 135, idleNamed: 45, recoverable: 45 });
  });
});

describe('orphan report', () => {
  it('suggests near-miss emails and same names, and matches nothing', () => {
    const jane = entraUser('Jane Doe');
    const mapping = mappingFrom(`${BASE_MAPPING}
agents:
  - { rule: desk, from: { group: Staff } }
fields:
  agents: { name: displayName, email: mail }
`);
    const world = halo({ agents: [haloAgent(7, { name: 'Jane Doe', email: 'jnae.doe@contoso.com' }), haloAgent(8, { name: 'J. Doe', email: 'jane.doe@fabrikam.com' })] });
    const r = orphanReport(mapping, entra([jane], { Staff: [] }), world);
    assert.deepEqual(r.rows.map((x) => [x.haloId, x.suggestions]), [
      [7, ['jane.doe@contoso.com (email differs by one letter)']],
      [8, ['jane.doe@contoso.com (same name, other domain)']],
    ]);
    assert.deepEqual(r.byClient, { agents: 2 });
  });
});

describe('report CSV', () => {
  it('quotes what needs it and keeps formulas out of spreadsheets', () => {
    assert.equal(csv(['a', 'b'], [['x,y', '=HYPERLINK("evil")'], ['line\nbreak', null]]), 'a,b\r\n"x,y","\'=HYPERLINK(""evil"")"\r\n"line\nbreak",\r\n');
  });
});

describe('access review sheet', () => {
  const head = 'kind,halo_id,name,email,grant_type,grant,provenance,decision,reviewer,decided_at';
  it('reads decisions, leaves undecided rows out, and names the line of each bad one', () => {
    const text = [
      head,
      'agent,1,Ann,"a@x, b",role,Finance Viewer,not granted by the mapping,revoke,Rita,2026-12-01T10:00:00Z',
      'agent,1,Ann,a@x,role,Technician,"SG-Tier2 ⊂ SG-Halo-Agents → rule service-desk",,,',
      'agent,2,Bob,b@x,role,Administrator,x,delete,Rita,2026-12-01',
      'agent,2,Bob,b@x,role,Technician,x,keep,,',
    ].join('\r\n');
    const { decisions, problems } = parseReview(text);
    assert.deepEqual(decisions.map((d) => [d.haloId, d.grant, d.decision, d.line]), [[1, 'Finance Viewer', 'revoke', 2]]);
    assert.deepEqual(problems, [
      { line: 4, message: 'decision "delete" is not one of keep, revoke, fix in Entra' },
      { line: 5, message: 'a decision needs the reviewer and decided_at (an ISO date): a review is signed off' },
    ]);
  });

  it('revokes only hand grants still held, one change per record', () => {
    const ann = entraUser('Ann Tier');
    const dir = entra([ann], { 'SG-Halo-Agents': [ann] });
    const world = halo({ agents: [haloAgent(1, { name: 'Ann Tier', email: String(ann.attrs.mail), roles: ['Technician', 'Finance Viewer', 'Administrator'], teams: ['Service Desk'] })] });
    const fresh = accessReport({ mapping: mappingFrom(MAPPING), directories: dir, halo: world });
    const d = (grant: string, decision: 'revoke' | 'keep') => ({ kind: 'agent' as const, haloId: 1, grantType: 'role' as const, grant, decision, reviewer: 'Rita', decidedAt: '2026-12-01T10:00:00Z', line: 2 });
    const { plan, problems } = reviewPlan([d('Finance Viewer', 'revoke'), d('Administrator', 'revoke'), d('Technician', 'revoke'), d('Gone Role', 'revoke')], fresh);
    assert.deepEqual(plan.changes.map((c) => [c.action, c.haloId, c.memberships]), [['update', 1, { roles: { add: [], remove: ['Finance Viewer', 'Administrator'] } }]]);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /role "Technician" of agent #1 is granted by the mapping .* fix it in Entra/);
  });
});

describe('report files (golden, small and reviewed: test/fixtures/reports)', () => {
  const dir = path.resolve(__dirname, '../../../test/fixtures/reports');
  const at = '2026-12-01T10:00:00.000Z';
  const ann = entraUser('Ann Golden', { id: '00000000-0000-4000-8000-00000000a001' });
  const bob = entraUser('Bob Golden', { id: '00000000-0000-4000-8000-00000000b002', accountEnabled: false });
  const dir2 = entra([ann, bob], { 'SG-Halo-Agents': [ann, bob], 'SG-Halo-Admins': [bob] });
  const world = halo({
    agents: [
      haloAgent(1, { name: 'Ann Golden', email: String(ann.attrs.mail), roles: ['Technician', 'Finance Viewer'], teams: ['Service Desk'], licence: 'named', fields: { lastlogindate: '2026-11-28T09:00:00' } }),
      haloAgent(2, { name: 'Bob Golden', email: String(bob.attrs.mail), roles: ['Administrator'], licence: 'named', fields: { lastlogindate: '2026-09-01T09:00:00' } }),
      haloAgent(3, { name: 'Old Contractor', email: 'ann.golden@contractor.example', roles: ['Technician'], licence: 'concurrent' }),
    ],
  });
  const mapping = mappingFrom(MAPPING);
  const files: Record<string, string> = {
    'access.csv': formatAccess(accessReport({ mapping, directories: dir2, halo: world, all: true }), 'csv', at),
    'access.md': formatAccess(accessReport({ mapping, directories: dir2, halo: world, all: true }), 'md', at),
    'licences.csv': formatLicences(licenceReport({ mapping, directories: dir2, halo: world, now: new Date(at), costPerNamed: 40 }), 'csv', at),
    'licences.md': formatLicences(licenceReport({ mapping, directories: dir2, halo: world, now: new Date(at), costPerNamed: 40 }), 'md', at),
    'orphans.md': formatOrphans(orphanReport(mapping, dir2, world), 'md', at),
  };
  for (const [name, text] of Object.entries(files)) {
    it(name, () => {
      const file = path.join(dir, name);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
      assert.equal(text, fs.readFileSync(file, 'utf8'), `${name} differs: review the change, then UPDATE_GOLDEN=1 rewrites it`);
    });
  }
});
