import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LiveNames } from '../../src/core/semantic';
import { CompletionEntry, completeAt } from '../../src/extension/language/completion-logic';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8');

const LIVE: LiveNames = {
  groups: { contoso: ['SG-Halo-Agents', 'All Staff', 'SG-CAB', 'SG-Approvers'], fabrikam: ['FAB-Staff'] },
  agentRoles: ['Technician', 'Administrator'],
  userRoles: ['End User', 'Approver', 'Senior Staff'],
  teams: ['Service Desk', 'Ops: Night', 'Field, North'],
  clients: ['Contoso', 'Fabrikam'],
  sites: [
    { client: 'Contoso', name: 'Head Office' },
    { client: 'Contoso', name: 'Leeds' },
    { client: 'Fabrikam', name: 'Bristol' },
  ],
  cabs: [{ name: 'Change Advisory Board', roles: ['Approver', 'Chair'] }],
};

/** Completions where '§' is, with `live` names (null: none cached). */
function complete(text: string, live: LiveNames | null = LIVE, trigger?: string): { items: CompletionEntry[]; text: string; offset: number } {
  const offset = text.indexOf('§');
  assert.ok(offset >= 0, 'no cursor mark');
  const clean = text.slice(0, offset) + text.slice(offset + 1);
  return { items: completeAt(clean, offset, live ?? undefined, trigger), text: clean, offset };
}

function inExample(needle: string, replacement: string): string {
  assert.ok(EXAMPLE.includes(needle), `example lacks ${needle}`);
  return EXAMPLE.replace(needle, replacement);
}

const labels = (items: CompletionEntry[]) => items.map((i) => i.label);
const byLabel = (items: CompletionEntry[], label: string) => {
  const found = items.find((i) => i.label === label);
  assert.ok(found, `no completion ${label} in ${labels(items).join(', ')}`);
  return found;
};
/** Labels in the order the editor shows them before any filtering. */
const sorted = (items: CompletionEntry[]) => [...items].sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0)).map((i) => i.label);

test('keys of an agent rule: those not there yet, with documentation from the schema', () => {
  const { items, text, offset } = complete(inExample('    team: Service Desk', '    §team: Service Desk'));
  assert.deepEqual(labels(items).sort(), ['inactive', 'source', 'team', 'tenant']);
  const team = byLabel(items, 'team');
  assert.equal(team.insertText, 'team', 'the key keeps its colon and value');
  assert.equal(text.slice(team.start, team.end), 'team');
  assert.ok(team.start === offset);
  assert.match(team.documentation!, /Halo team the agents belong to/);
});

test('keys are sorted required first, and objects and lists get snippets', () => {
  const { items } = complete('users:\n  - rule: x\n    §');
  assert.deepEqual(sorted(items).slice(0, 2), ['from', 'client']);
  assert.equal(byLabel(items, 'from').insertText, 'from:\n  $0');
  assert.equal(byLabel(items, 'from').retrigger, true);
  assert.equal(byLabel(items, 'from').detail, 'mapping (required)');
  assert.equal(byLabel(items, 'roles').insertText, 'roles: [$0]');
  assert.equal(byLabel(items, 'createSites').insertText, 'createSites: ${1|false,true|}');
  assert.equal(byLabel(items, 'site').insertText, 'site: $0', 'no made-up example name for a site');
  const top = complete('version: 1\n§').items;
  assert.deepEqual(sorted(top).slice(0, 2), ['halo', 'entra']);
  assert.equal(byLabel(top, 'agents').insertText, 'agents:\n  - $0');
  assert.equal(byLabel(top, 'halo').insertText, 'halo:\n  $0');
  assert.ok(!labels(top).includes('version'));
});

test('snippets indent nested lines relative to the line the editor indents them by', () => {
  // "  - " starts the item: the key is at column 4 while the line is indented by 2.
  const item = complete('agents:\n  - §').items;
  assert.equal(byLabel(item, 'from').insertText, 'from:\n    $0');
  assert.equal(byLabel(item, 'licence').insertText, 'licence: ${1|unchanged,named,concurrent|}', 'the default first');
  const under = complete('agents:\n  §').items;
  assert.equal(byLabel(under, '- rule').insertText, '- rule: ${1:service-desk}');
  assert.equal(byLabel(under, '- from').insertText, '- from:\n    $0');
  const dash = complete('agents:\n  -§', LIVE, '-').items;
  assert.equal(byLabel(dash, 'from').insertText, ' from:\n    $0');
  const halo = complete('version: 1\nhalo:\n  §').items;
  assert.equal(byLabel(halo, 'rateLimit').insertText, 'rateLimit:\n  $0');
  assert.equal(byLabel(halo, 'clientSecret').insertText, 'clientSecret: ${1:\\${env:HALO_CLIENT_SECRET\\}}');
  assert.equal(byLabel(halo, 'pageSize').insertText, 'pageSize: ${1:1000}');
});

test('a partial key mid-edit completes, replacing what was typed', () => {
  const { items, text } = complete('agents:\n  - rule: x\n    fr§');
  const from = byLabel(items, 'from');
  assert.equal(text.slice(from.start, from.end), 'fr');
  assert.ok(!labels(items).includes('rule'));
});

test('closed values: enums, booleans, const; the default preselected', () => {
  const licence = complete(inExample('licence: named', 'licence: §named')).items;
  assert.deepEqual(labels(licence), ['named', 'concurrent', 'unchanged']);
  assert.equal(byLabel(licence, 'unchanged').preselect, true);
  assert.equal(byLabel(licence, 'unchanged').detail, 'default');
  assert.equal(byLabel(licence, 'named').documentation, 'A named licence, reserved for this agent.');
  const { items: deprov, text, offset } = complete(inExample('  users: deactivate', '  users: deac§tivate'));
  assert.deepEqual(labels(deprov), ['deactivate', 'ignore']);
  assert.equal(text.slice(deprov[0].start, offset), 'deac');
  assert.equal(text.slice(deprov[0].start, deprov[0].end), 'deactivate');
  assert.deepEqual(labels(complete('users:\n  - createSites: §').items), ['true', 'false']);
  assert.deepEqual(labels(complete('version: §').items), ['1']);
  assert.deepEqual(labels(complete('entra:\n  - name: a\n    cloud: §').items), ['global', 'usgov', 'china']);
});

test('a value right after the colon gets its space', () => {
  const items = complete('agents:\n  - rule: x\n    licence:§', LIVE, ':').items;
  assert.equal(byLabel(items, 'named').insertText, ' named');
});

test('list items: what the list holds already is not offered again', () => {
  const match = complete(inExample('users: [azureoid, emailaddress]', 'users: [azureoid, emailaddress, §]')).items;
  assert.deepEqual(labels(match), ['login', 'email2', 'email3']);
  const roles = complete(inExample('roles: [Technician]', 'roles: [Technician, §]')).items;
  assert.deepEqual(labels(roles), ['Administrator']);
});

test('Entra groups, from the rule\'s tenant', () => {
  const one = complete(inExample('group: SG-Halo-Agents', 'group: SG-§')).items;
  assert.deepEqual(labels(one), ['All Staff', 'SG-Approvers', 'SG-CAB', 'SG-Halo-Agents']);
  assert.equal(one[0].detail, 'Entra group · contoso');
  const two = 'entra:\n  - name: contoso\n  - name: fabrikam\nusers:\n  - rule: x\n    tenant: fabrikam\n    from:\n      groups: [§]\n';
  assert.deepEqual(labels(complete(two).items), ['FAB-Staff']);
  const either = 'entra:\n  - name: contoso\n  - name: fabrikam\nroles:\n  - group: §\n';
  assert.equal(complete(either).items.length, 5);
  assert.deepEqual(labels(complete(inExample('  - group: SG-CAB', '  - group: §')).items).length, 4);
  assert.deepEqual(complete(inExample('group: SG-Halo-Agents', 'group: §'), null).items, [], 'nothing without live names');
});

test('Halo roles, teams, clients, sites, CABs and CAB roles where each belongs', () => {
  assert.deepEqual(labels(complete(inExample('agentRoles: [Administrator]', 'agentRoles: [§]')).items), ['Administrator', 'Technician']);
  assert.deepEqual(labels(complete(inExample('userRoles: [Approver]', 'userRoles: [§]')).items), ['Approver', 'End User', 'Senior Staff']);
  assert.deepEqual(labels(complete(inExample('roles: [End User]', 'roles: [§]')).items), ['Approver', 'End User', 'Senior Staff']);
  assert.deepEqual(labels(complete('agents:\n  - roles:\n      - §').items), ['Administrator', 'Technician']);
  assert.deepEqual(labels(complete(inExample('team: Service Desk', 'team: §')).items), ['Field, North', 'Ops: Night', 'Service Desk']);
  assert.deepEqual(labels(complete(inExample('    client: Contoso\n    site:', '    client: §\n    site:')).items), ['Contoso', 'Fabrikam']);
  assert.deepEqual(labels(complete(inExample('site: Head Office', 'site: §')).items), ['Head Office', 'Leeds']);
  assert.deepEqual(labels(complete('users:\n  - client: Fabrikam\n    siteDefault: §').items), ['Bristol']);
  assert.deepEqual(labels(complete('users:\n  - client: Unknown\n    site: §').items), ['Bristol', 'Head Office', 'Leeds']);
  assert.deepEqual(labels(complete(inExample('cab: Change Advisory Board', 'cab: §')).items), ['Change Advisory Board']);
  assert.deepEqual(labels(complete(inExample('role: Approver', 'role: §')).items), ['Approver', 'Chair']);
});

test('names YAML would misread are quoted; inside quotes they are escaped', () => {
  const block = complete(inExample('team: Service Desk', 'team: §')).items;
  assert.equal(byLabel(block, 'Ops: Night').insertText, '"Ops: Night"');
  assert.equal(byLabel(block, 'Field, North').insertText, 'Field, North');
  const flow = complete('agents:\n  - team: { x: § }').items;
  assert.equal(flow.length, 0);
  const teams = complete('agents:\n  - team: "§"').items;
  assert.equal(byLabel(teams, 'Ops: Night').insertText, 'Ops: Night');
  const live: LiveNames = { agentRoles: ['A, B', 'Say "hi"'] };
  const roles = complete('agents:\n  - roles: [§]', live).items;
  assert.equal(byLabel(roles, 'A, B').insertText, '"A, B"');
  assert.equal(byLabel(roles, 'Say "hi"').insertText, 'Say "hi"');
  const single = complete("agents:\n  - roles: ['§']", { agentRoles: ["O'Neil"] }).items;
  assert.equal(single[0].insertText, "O''Neil");
});

test('tenant names come from the file\'s entra connections', () => {
  const text = 'entra:\n  - name: contoso\n  - name: fabrikam\nagents:\n  - rule: x\n    tenant: §\n';
  assert.deepEqual(labels(complete(text, null).items), ['contoso', 'fabrikam']);
});

test('Entra attributes: siteFrom, where keys and values, field sources', () => {
  const siteFrom = labels(complete(inExample('siteFrom: officeLocation', 'siteFrom: §')).items);
  assert.ok(siteFrom.includes('officeLocation') && siteFrom.includes('department'));
  const whereKeys = complete(inExample('where: { userType: Member }', 'where: { userType: Member, § }')).items;
  assert.ok(labels(whereKeys).includes('department'));
  assert.ok(!labels(whereKeys).includes('userType'), 'present keys are left out');
  assert.equal(byLabel(whereKeys, 'accountEnabled').insertText, 'accountEnabled: ${1|true,false|}');
  const blockWhere = complete('users:\n  - from:\n      where:\n        §').items;
  assert.equal(byLabel(blockWhere, 'department').insertText, 'department: $0');
  assert.deepEqual(labels(complete(inExample('userType: Member, officeLocation', 'userType: §, officeLocation')).items), ['Member', 'Guest']);
  assert.deepEqual(complete('users:\n  - from:\n      where: { department: § }').items, [], 'no true/false for a text attribute');
  const sources = labels(complete(inExample('title: jobTitle', 'title: §')).items);
  assert.ok(sources.includes('jobTitle') && sources.includes('businessPhones[0]'));
  assert.ok(labels(complete(inExample('emailaddress: [mail, userPrincipalName]', 'emailaddress: [mail, §]')).items).includes('userPrincipalName'));
  assert.ok(labels(complete('fields:\n  users:\n    x:\n      from: §').items).includes('mail'));
  assert.deepEqual(labels(complete('fields:\n  users:\n    x:\n      when: §').items), ['always', 'create']);
});

test('Halo field names as keys under fields.users and fields.agents', () => {
  const users = complete(inExample('    CFDepartment: department', '    CFDepartment: department\n    §')).items;
  const names = labels(users);
  assert.ok(names.includes('mobilenumber') && names.includes('login'));
  for (const taken of ['name', 'emailaddress', 'title']) assert.ok(!names.includes(taken), `${taken} is already mapped`);
  for (const owned of ['azureoid', 'site_id', 'inactive']) assert.ok(!names.includes(owned), `${owned} is written by the tool`);
  assert.equal(sorted(users)[0], 'mobilenumber', 'common fields first');
  assert.equal(byLabel(users, 'mobilenumber').insertText, 'mobilenumber: ${1:mobilePhone}');
  assert.ok(names.includes('CF…'));
  const agents = labels(complete('fields:\n  agents:\n    §').items);
  assert.ok(agents.includes('jobtitle') && !agents.includes('isdisabled') && !agents.includes('emailaddress'));
});

test('a space, dash or colon opens completion for values only', () => {
  assert.deepEqual(complete('agents:\n  - rule: x\n    §', LIVE, ' ').items, []);
  assert.ok(complete('agents:\n  - rule: x\n    §').items.length > 0);
  assert.ok(complete('agents:\n  - rule: x\n    licence: §', LIVE, ' ').items.length > 0);
  assert.ok(complete('agents:\n  - §', LIVE, ' ').items.length > 0);
});

test('no completions in comments or block scalars', () => {
  assert.deepEqual(complete(inExample('# transitive membership', '# trans§itive membership')).items, []);
  assert.deepEqual(complete('notes: |\n  some §\n').items, []);
});

test('every offset of the example completes without throwing, inside the line', () => {
  for (let offset = 0; offset <= EXAMPLE.length; offset += 3) {
    for (const e of completeAt(EXAMPLE, offset, LIVE)) {
      assert.ok(e.start <= offset && offset <= e.end, `${e.label} at ${offset}`);
      assert.ok(!EXAMPLE.slice(e.start, e.end).includes('\n'), `${e.label} spans lines at ${offset}`);
    }
  }
});
