import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextAgentLinks, parseAgentLinks } from '../../src/core/agent-links';
import { plan } from '../../src/core/plan';
import { planJson, renderMarkdown, renderText } from '../../src/core/render';
import { PlanInputError } from '../../src/core/scope';
import { BASE_MAPPING, entra, entraUser, halo, haloAgent, haloUser, mappingFrom } from '../support/snapshots';

const USERS = `${BASE_MAPPING}
users:
  - rule: head-office
    from: { group: All Staff, where: { officeLocation: Head Office } }
    client: Contoso
    site: Head Office
  - rule: branches
    from: { group: All Staff }
    client: Contoso
    siteFrom: officeLocation
    createSites: true
fields:
  users:
    name: displayName
    emailaddress: [mail, userPrincipalName]
    title: { from: jobTitle, default: Staff }
    CFDepartment: { from: department, when: create }
deprovision: { users: deactivate }
`;

describe('plan: rules and selection', () => {
  it('first matching rule wins and places users on the rule site or the siteFrom site', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Analyst' } });
    const ben = entraUser('Ben Leeds', { attrs: { officeLocation: 'Leeds' } });
    const p = plan(mappingFrom(USERS), entra([ada, ben], { 'All Staff': [ada, ben] }), halo());
    const byName = Object.fromEntries(p.changes.map((c) => [c.name, c]));
    assert.equal(byName['Ada Head'].rule, 'head-office');
    assert.equal(byName['Ada Head'].fields.site_id.to, 10);
    assert.equal(byName['Ben Leeds'].rule, 'branches');
    assert.equal(byName['Ben Leeds'].fields.site_id.to, 11);
    assert.equal(byName['Ben Leeds'].fields.title.to, 'Staff', 'default used when the source is empty');
    assert.match(byName['Ada Head'].reason, /in All Staff; rule head-office; not in Halo yet/);
    assert.deepEqual(p.rules.map((r) => [r.rule, r.matched, r.create]), [['head-office', 1, 1], ['branches', 1, 1]]);
  });

  it('excludes guests unless the rule asks for them, and non-members entirely', () => {
    const guest = entraUser('Gus Guest', { userType: 'Guest', attrs: { officeLocation: 'Leeds' } });
    const outsider = entraUser('Otto Side', { attrs: { officeLocation: 'Leeds' } });
    let p = plan(mappingFrom(USERS), entra([guest, outsider], { 'All Staff': [guest] }), halo());
    assert.equal(p.changes.length, 0);
    const withGuests = USERS.replace('from: { group: All Staff }', 'from: { group: All Staff, includeGuests: true }');
    p = plan(mappingFrom(withGuests), entra([guest, outsider], { 'All Staff': [guest] }), halo());
    assert.deepEqual(p.changes.map((c) => c.name), ['Gus Guest']);
  });

  it('creates a site once for many users and reports an identity with no office as an error', () => {
    const a = entraUser('A One', { attrs: { officeLocation: 'Bristol' } });
    const b = entraUser('B Two', { attrs: { officeLocation: 'bristol' } });
    const c = entraUser('C Three', { attrs: { officeLocation: null } });
    const p = plan(mappingFrom(USERS), entra([a, b, c], { 'All Staff': [a, b, c] }), halo());
    const sites = p.changes.filter((x) => x.action === 'createSite');
    assert.equal(sites.length, 1);
    assert.equal(sites[0].name, 'Bristol');
    assert.equal(p.changes[0].action, 'createSite', 'sites come first');
    assert.equal(p.summary.create, 2);
    assert.equal(p.errors.length, 1);
    assert.match(p.errors[0].message, /officeLocation is empty in Entra and rule branches has no siteDefault/);
  });

  it('uses siteDefault for an empty siteFrom attribute', () => {
    const c = entraUser('C Three', { attrs: { officeLocation: '' } });
    const m = USERS.replace('createSites: true', 'createSites: true\n    siteDefault: Head Office');
    const p = plan(mappingFrom(m), entra([c], { 'All Staff': [c] }), halo());
    assert.equal(p.errors.length, 0);
    assert.equal(p.changes[0].fields.site_id.to, 10);
  });
});

describe('plan: matching', () => {
  it('matches by azureoid first, then by email (case-insensitively), writing the link', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Staff' } });
    const ben = entraUser('Ben Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Staff' } });
    const h = halo({
      users: [
        haloUser(100, { name: 'Ada Head', azureoid: ada.id, email: 'someone.else@contoso.com', fields: { title: 'Staff' } }),
        haloUser(101, { name: 'Ben Head', email: 'BEN.HEAD@contoso.com', fields: { title: 'Staff' } }),
      ],
    });
    const p = plan(mappingFrom(USERS), entra([ada, ben], { 'All Staff': [ada, ben] }), h);
    const ada100 = p.changes.find((c) => c.haloId === 100)!;
    assert.deepEqual(ada100.fields.emailaddress, { from: 'someone.else@contoso.com', to: 'ada.head@contoso.com' });
    assert.equal(ada100.fields.azureoid, undefined, 'already linked');
    const ben101 = p.changes.find((c) => c.haloId === 101)!;
    assert.deepEqual(Object.keys(ben101.fields), ['azureoid'], 'email differs only in case: not a change');
    assert.equal(ben101.fields.azureoid.to, ben.id);
    assert.equal(p.summary.create, 0);
  });

  it('reports ambiguity instead of guessing', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office' } });
    const h = halo({ users: [haloUser(100, { email: ada.attrs.mail as string }), haloUser(101, { email: ada.attrs.mail as string })] });
    const p = plan(mappingFrom(USERS), entra([ada], { 'All Staff': [ada] }), h);
    assert.equal(p.changes.length, 0);
    assert.match(p.errors[0].message, /ambiguous: Halo records #100, #101/);
  });

  it('does not relink a record linked to another Entra object', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office' } });
    const h = halo({ users: [haloUser(100, { email: ada.attrs.mail as string, azureoid: 'aaaaaaaa-0000-4000-8000-000000000000' })] });
    const p = plan(mappingFrom(USERS), entra([ada], { 'All Staff': [ada] }), h);
    assert.equal(p.summary.create, 0);
    assert.match(p.errors[0].message, /linked to another Entra object/);
  });

  it('never moves or duplicates a match outside managed scope', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office' } });
    const h = halo({ users: [haloUser(300, { email: ada.attrs.mail as string, clientId: 2, siteId: 20 })] });
    const p = plan(mappingFrom(USERS), entra([ada], { 'All Staff': [ada] }), h);
    assert.equal(p.changes.length, 0);
    assert.match(p.errors[0].message, /outside this mapping's clients and sites/);
  });

  it('treats an unreadable link as unknown, never as missing', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office' } });
    const h = halo({ users: [haloUser(100, { email: ada.attrs.mail as string, azureoid: undefined })] });
    const p = plan(mappingFrom(USERS), entra([ada], { 'All Staff': [ada] }), h);
    assert.equal(p.changes.length, 0);
    assert.match(p.errors[0].message, /azureoid\) could not be read/);
  });
});

describe('plan: deprovisioning, orphans and protection', () => {
  const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Staff' } });
  const gone = entraUser('Gone Away', { attrs: { officeLocation: 'Head Office' }, accountEnabled: false });
  const left = entraUser('Left Group', { attrs: { officeLocation: 'Head Office' } });
  const records = () => [
    haloUser(100, { name: 'Ada Head', azureoid: ada.id, email: ada.attrs.mail as string, fields: { title: 'Staff' } }),
    haloUser(101, { name: 'Gone Away', azureoid: gone.id, email: gone.attrs.mail as string }),
    haloUser(102, { name: 'Left Group', azureoid: left.id, email: left.attrs.mail as string }),
    haloUser(103, { name: 'Deleted Person', azureoid: 'dddddddd-0000-4000-8000-000000000000' }),
    haloUser(104, { name: 'Nobody', email: 'nobody@contoso.com' }),
    haloUser(105, { name: 'Already Inactive', azureoid: 'eeeeeeee-0000-4000-8000-000000000000', inactive: true }),
    haloUser(106, { name: 'Break Glass', email: 'breakglass@contoso.com' }),
    haloUser(300, { name: 'Fabrikam Person', clientId: 2, siteId: 20, azureoid: 'ffffffff-0000-4000-8000-000000000000' }),
  ];

  it('deactivates disabled, unselected and deleted identities; reports orphans; leaves protected and out-of-scope alone', () => {
    const m = `${USERS}\nprotect:\n  - email: breakglass@contoso.com\n`;
    const p = plan(mappingFrom(m), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    const deact = Object.fromEntries(p.changes.filter((c) => c.action === 'deactivate').map((c) => [c.haloId, c.reason]));
    assert.deepEqual(deact, { 101: 'disabled in Entra', 102: 'no user rule selects them any more', 103: 'deleted in Entra' });
    assert.deepEqual(p.orphans, [{ kind: 'user', haloId: 104, name: 'Nobody' }]);
    assert.equal(p.summary.unchanged, 1);
    for (const c of p.changes) assert.deepEqual(Object.keys(c.fields), ['inactive'], 'a deactivation writes only the flag');
    assert.ok(!p.changes.some((c) => [105, 106, 300].includes(c.haloId!)));
  });

  it('deactivates orphans only when asked, and ignores deprovisioning when told to', () => {
    let m = USERS.replace('deprovision: { users: deactivate }', 'deprovision: { users: ignore, orphans: deactivate }');
    const p = plan(mappingFrom(m), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    assert.deepEqual(p.changes.map((c) => [c.haloId, c.action]), [[106, 'deactivate'], [104, 'deactivate']], 'unprotected orphans, ordered by name');
    m = USERS.replace('deprovision: { users: deactivate }', 'protect: [{ haloId: 106 }]\ndeprovision: { users: ignore, orphans: deactivate }');
    const p2 = plan(mappingFrom(m), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    assert.deepEqual(p2.changes.map((c) => c.haloId), [104]);
  });

  it('produces nothing for a disabled identity with no Halo record', () => {
    const p = plan(mappingFrom(USERS), entra([gone], { 'All Staff': [gone] }), halo());
    assert.equal(p.changes.length, 0);
  });

  it('blocks on thresholds, by count and by share of managed records', () => {
    let p = plan(mappingFrom(`${USERS}\nsafety: { maxDeactivations: 2 }\n`), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    assert.deepEqual({ limit: p.blocked?.limit, value: p.blocked?.value }, { limit: 'maxDeactivations', value: 3 });
    p = plan(mappingFrom(`${USERS}\nsafety: { maxDeactivations: '50%' }\n`), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    assert.equal(p.blocked, null, '3 of 6 managed records is within 50 %');
    p = plan(mappingFrom(`${USERS}\nsafety: { maxChanges: 1 }\n`), entra([ada, gone, left], { 'All Staff': [ada, gone] }), halo({ users: records() }));
    assert.equal(p.blocked?.limit, 'maxChanges');
  });
});

describe('plan: fields and memberships', () => {
  it('reactivates with field changes, writes create-only fields only on create, compares emails case-insensitively', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Lead', department: 'Ops' } });
    const ben = entraUser('Ben New', { attrs: { officeLocation: 'Head Office', department: 'Sales' } });
    const h = halo({ users: [haloUser(100, { name: 'Ada Head', azureoid: ada.id, email: 'ADA.HEAD@CONTOSO.COM', inactive: true, fields: { title: 'Old', CFDepartment: 'x' } })] });
    const p = plan(mappingFrom(USERS), entra([ada, ben], { 'All Staff': [ada, ben] }), h);
    const re = p.changes.find((c) => c.action === 'reactivate')!;
    assert.deepEqual(re.fields, { inactive: { from: true, to: false }, title: { from: 'Old', to: 'Lead' } });
    const cr = p.changes.find((c) => c.action === 'create')!;
    assert.equal(cr.fields.CFDepartment.to, 'Sales');
  });

  it('grants and removes only managed roles, teams and CABs', () => {
    const m = `${BASE_MAPPING}
agents:
  - rule: desk
    from: { group: Agents }
    team: Service Desk
    roles: [Technician]
    licence: named
roles:
  - group: Admins
    agentRoles: [Administrator]
cab:
  - group: CAB
    cab: Change Advisory Board
    role: Approver
fields:
  agents: { name: displayName, email: mail, jobtitle: jobTitle }
`;
    const amy = entraUser('Amy Agent', { attrs: { jobTitle: 'Engineer' } });
    const bob = entraUser('Bob Agent', { attrs: { jobTitle: 'Engineer' } });
    const api = entraUser('Api Person');
    const h = halo({
      agents: [
        haloAgent(5, { name: 'Amy Agent', email: amy.attrs.mail as string, team: 'Projects', teams: ['Projects'], roles: ['Administrator', 'Finance Viewer'], licence: 'named', fields: { jobtitle: 'Engineer' } }),
        haloAgent(6, { name: 'Bob Agent', email: bob.attrs.mail as string, team: 'Service Desk', teams: ['Service Desk'], roles: ['Technician'], licence: 'concurrent', fields: { jobtitle: 'Engineer' } }),
        haloAgent(1, { name: 'API', email: api.attrs.mail as string, isApiAgent: true }),
      ],
      cabs: [{ id: 1, name: 'Change Advisory Board', roles: ['Approver'], members: [{ agentId: 6, userId: null, role: 'Approver' }] }],
    });
    const p = plan(mappingFrom(m), entra([amy, bob, api], { Agents: [amy, bob, api], Admins: [bob], CAB: [amy] }), h);
    const amyC = p.changes.find((c) => c.haloId === 5)!;
    // Each name added says what grants it, in the access review's words.
    assert.deepEqual(amyC.memberships, {
      roles: { add: ['Technician'], remove: ['Administrator'], why: { Technician: 'Agents → rule desk' } },
      teams: { add: ['Service Desk'], remove: [], why: { 'Service Desk': 'Agents → rule desk' } },
      cabs: { add: ['Change Advisory Board'], remove: [], why: { 'Change Advisory Board': 'CAB → cab[0]' } },
    });
    assert.deepEqual(amyC.fields.team, { from: 'Projects', to: 'Service Desk' });
    const bobC = p.changes.find((c) => c.haloId === 6)!;
    assert.deepEqual(bobC.memberships, { roles: { add: ['Administrator'], remove: [], why: { Administrator: 'Admins → roles[0]' } }, cabs: { add: [], remove: ['Change Advisory Board'] } });
    assert.deepEqual(bobC.fields.licence, { from: 'concurrent', to: 'named' });
    assert.ok(!p.changes.some((c) => c.haloId === 1), 'API agents are never touched');
    assert.match(p.errors.find((e) => e.name === 'Api Person')!.message, /API agent #1/);
    assert.equal(p.summary.create, 0);
  });

  it('deactivates an agent that leaves every agent rule, keeping its roles', () => {
    const m = `${BASE_MAPPING}\nagents:\n  - rule: desk\n    from: { group: Agents }\n    roles: [Technician]\ndeprovision: { agents: deactivate }\n`;
    const amy = entraUser('Amy Agent');
    const h = halo({ agents: [haloAgent(5, { name: 'Amy Agent', email: amy.attrs.mail as string, roles: ['Technician'] })] });
    const p = plan(mappingFrom(m), entra([amy], { Agents: [] }), h);
    assert.equal(p.changes.length, 1);
    assert.deepEqual(p.changes[0].fields, { isdisabled: { from: false, to: true } });
    assert.equal(p.changes[0].memberships, undefined);
  });

  it('deactivates an agent whose Entra account, matched at an earlier plan, is deleted', () => {
    const m = (deprovision: string) => `${BASE_MAPPING}\nagents:\n  - rule: desk\n    from: { group: Agents }\ndeprovision: { agents: ${deprovision} }\nprotect:\n  - { email: kept@contoso.com, kind: agent }\n`;
    const amy = entraUser('Amy Agent');
    const cy = entraUser('Cy Renamed');
    const dee = entraUser('Dee Double');
    const h = halo({
      agents: [
        haloAgent(5, { name: 'Amy Agent', email: amy.attrs.mail as string }),
        haloAgent(6, { name: 'Bo Gone', email: 'bo@contoso.com' }),
        haloAgent(7, { name: 'Cy Agent', email: 'cy.old@contoso.com' }),
        haloAgent(8, { name: 'Kept', email: 'kept@contoso.com' }),
        haloAgent(9, { name: 'Api', email: 'api@contoso.com', isApiAgent: true }),
        haloAgent(10, { name: 'Done', email: 'done@contoso.com', disabled: true }),
        haloAgent(12, { name: 'Dee One', email: dee.attrs.mail as string }),
        haloAgent(13, { name: 'Dee Two', email: dee.attrs.mail as string }),
      ],
    });
    const links = [
      { haloId: 5, tenant: 'contoso', entraId: 'someone-else' }, // matched again by email: the new match wins
      { haloId: 6, tenant: 'contoso', entraId: 'deleted-bo' },
      { haloId: 7, tenant: 'contoso', entraId: cy.id }, // still in Entra, its email changed: not deleted
      { haloId: 8, tenant: 'contoso', entraId: 'deleted-kept' },
      { haloId: 9, tenant: 'contoso', entraId: 'deleted-api' },
      { haloId: 10, tenant: 'contoso', entraId: 'deleted-done' },
      { haloId: 11, tenant: 'contoso', entraId: 'deleted-gone-from-halo' },
      { haloId: 6, tenant: 'other-tenant', entraId: 'not-read' },
      { haloId: 12, tenant: 'contoso', entraId: 'deleted-dee' }, // Dee matches 12 and 13: in doubt
    ];
    const snapshot = entra([amy, cy, dee], { Agents: [amy, dee] });
    const matched: Array<{ haloId: number; entraId: string }> = [];
    const p = plan(mappingFrom(m('deactivate')), snapshot, h, { agentLinks: links, onAgentMatch: (l) => matched.push(l) });
    assert.deepEqual(p.changes.map((c) => [c.action, c.haloId, c.entraId, c.reason]), [['deactivate', 6, 'deleted-bo', 'deleted in Entra (matched at an earlier plan)']]);
    assert.deepEqual(matched.map((l) => [l.haloId, l.entraId]), [[5, amy.id]]);
    assert.equal(plan(mappingFrom(m('ignore')), snapshot, h, { agentLinks: links }).changes.length, 0, 'deprovision: ignore leaves it');
    assert.equal(plan(mappingFrom(m('deactivate')), snapshot, h).changes.length, 0, 'nothing remembered, nothing known');
  });
});

describe('agent links', () => {
  it('remembers this plan\'s matches and earlier links of agents still active', () => {
    const h = halo({ agents: [haloAgent(1), haloAgent(2), haloAgent(3, { disabled: true })] });
    const previous = [
      { haloId: 1, tenant: 't', entraId: 'old' },
      { haloId: 2, tenant: 't', entraId: 'two' },
      { haloId: 3, tenant: 't', entraId: 'three' },
      { haloId: 4, tenant: 't', entraId: 'four' },
    ];
    assert.deepEqual(nextAgentLinks(previous, [{ haloId: 1, tenant: 't', entraId: 'new' }], h), [
      { haloId: 1, tenant: 't', entraId: 'new' },
      { haloId: 2, tenant: 't', entraId: 'two' },
    ]);
  });

  it('reads back only well-formed links', () => {
    assert.deepEqual(parseAgentLinks({ haloId: 1 }), []);
    assert.deepEqual(parseAgentLinks([{ haloId: 1, tenant: 't', entraId: 'e' }, { haloId: '2', tenant: 't', entraId: 'e' }, null]), [{ haloId: 1, tenant: 't', entraId: 'e' }]);
  });
});

describe('plan: inputs, determinism and rendering', () => {
  it('stops on names Halo does not have', () => {
    const m = USERS.replace('client: Contoso\n    site: Head Office', 'client: Contosso\n    site: Head Office');
    assert.throws(() => plan(mappingFrom(m), entra([], {}), halo()), (e: unknown) => e instanceof PlanInputError && /no client named "Contosso"/.test(e.message));
  });

  it('is deterministic whatever the input order', () => {
    const people = ['Ada Head', 'Ben Leeds', 'Cat Bristol', 'Dan Head'].map((name, i) => entraUser(name, { attrs: { officeLocation: ['Head Office', 'Leeds', 'Bristol', 'Head Office'][i] } }));
    const records = [haloUser(100, { name: 'Ada Head', azureoid: people[0].id }), haloUser(104, { name: 'Orphan' })];
    const a = planJson(plan(mappingFrom(USERS), entra(people, { 'All Staff': people }), halo({ users: records })));
    const b = planJson(plan(mappingFrom(USERS), entra([...people].reverse(), { 'All Staff': [...people].reverse() }), halo({ users: [...records].reverse() })));
    assert.equal(a, b);
  });

  it('renders text and markdown grouped by action with from → to', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office', jobTitle: 'Lead' } });
    const h = halo({ users: [haloUser(100, { name: 'Ada Head', azureoid: ada.id, email: ada.attrs.mail as string, fields: { title: 'Old' } })] });
    const p = plan(mappingFrom(USERS), entra([ada], { 'All Staff': [ada] }), h);
    const text = renderText(p);
    assert.match(text, /Plan: 0 to create, 1 to update/);
    assert.match(text, /~ user "Ada Head" #100 {2}\[rule head-office\]/);
    assert.match(text, /title: "Old" → "Lead"/);
    assert.match(renderMarkdown(p), /## To update \(1\)/);
  });
});

describe('plan: doubt never deactivates', () => {
  it('holds the records of an ambiguous match out of orphan deactivation', () => {
    const ada = entraUser('Ada Head', { attrs: { officeLocation: 'Head Office' } });
    const m = USERS.replace('deprovision: { users: deactivate }', 'deprovision: { users: deactivate, orphans: deactivate }');
    const h = halo({ users: [haloUser(100, { email: ada.attrs.mail as string }), haloUser(101, { email: ada.attrs.mail as string }), haloUser(102, { name: 'Real Orphan' })] });
    const p = plan(mappingFrom(m), entra([ada], { 'All Staff': [ada] }), h);
    assert.equal(p.errors.length, 1);
    assert.deepEqual(p.changes.map((c) => c.haloId), [102]);
    assert.deepEqual(p.orphans.map((o) => o.haloId), [102]);
  });
});
