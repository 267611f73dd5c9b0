import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CursorContext, cursorContext, scalarValues, scanYaml, tokenAt } from '../../src/core/yaml-path';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8');

/** Text with the cursor marked by '§', and the offset of that mark. */
function marked(text: string): { text: string; offset: number } {
  const offset = text.indexOf('§');
  assert.ok(offset >= 0, 'no cursor mark');
  return { text: text.slice(0, offset) + text.slice(offset + 1), offset };
}

function at(text: string): CursorContext {
  const m = marked(text);
  return cursorContext(m.text, m.offset);
}

/** The example with the cursor placed `delta` characters into the first `needle`. */
function exampleAt(needle: string, delta: number): CursorContext {
  const i = EXAMPLE.indexOf(needle);
  assert.ok(i >= 0, `example lacks ${needle}`);
  return cursorContext(EXAMPLE, i + delta);
}

test('paths at values across the example', () => {
  const cases: Array<[string, number, (string | number)[]]> = [
    ['url: https://contoso.halopsa.com ', 8, ['halo', 'url']],
    ['scope: all', 8, ['halo', 'scope']],
    ['tenantId: 72f9', 12, ['entra', 0, 'tenantId']],
    ['cloud: global', 9, ['entra', 0, 'cloud']],
    ['users: [azureoid, emailaddress]', 20, ['match', 'users', 1]],
    ['users: [azureoid, emailaddress]', 9, ['match', 'users', 0]],
    ['agents: [email]', 11, ['match', 'agents', 0]],
    ['group: SG-Halo-Agents', 9, ['agents', 0, 'from', 'group']],
    ['team: Service Desk', 8, ['agents', 0, 'team']],
    ['roles: [Technician]', 10, ['agents', 0, 'roles', 0]],
    ['licence: named', 10, ['agents', 0, 'licence']],
    ['rule: head-office-staff', 8, ['users', 0, 'rule']],
    ['userType: Member, officeLocation', 12, ['users', 0, 'from', 'where', 'userType']],
    ['officeLocation: Head Office }', 18, ['users', 0, 'from', 'where', 'officeLocation']],
    ['site: Head Office', 8, ['users', 0, 'site']],
    ['roles: [End User]', 10, ['users', 0, 'roles', 0]],
    ['rule: branch-staff', 8, ['users', 1, 'rule']],
    ['siteFrom: officeLocation', 12, ['users', 1, 'siteFrom']],
    ['createSites: true', 14, ['users', 1, 'createSites']],
    ['group: SG-Halo-Admins', 9, ['roles', 0, 'group']],
    ['agentRoles: [Administrator]', 15, ['roles', 0, 'agentRoles', 0]],
    ['userRoles: [Approver]', 13, ['roles', 1, 'userRoles', 0]],
    ['noManager: true', 12, ['roles', 2, 'noManager']],
    ['userRoles: [Senior Staff]', 13, ['roles', 2, 'userRoles', 0]],
    ['cab: Change Advisory Board', 6, ['cab', 0, 'cab']],
    ['role: Approver', 7, ['cab', 0, 'role']],
    ['CFDepartment: department', 15, ['fields', 'users', 'CFDepartment']],
    ['emailaddress: [mail, userPrincipalName]', 22, ['fields', 'users', 'emailaddress', 1]],
    ['jobtitle: jobTitle', 11, ['fields', 'agents', 'jobtitle']],
    ['orphans: report', 10, ['deprovision', 'orphans']],
    ['email: breakglass@contoso.com', 8, ['protect', 0, 'email']],
    ['maxChanges: 1000', 13, ['safety', 'maxChanges']],
  ];
  for (const [needle, delta, path] of cases) {
    const c = exampleAt(needle, delta);
    assert.equal(c.kind, 'value', needle);
    assert.deepEqual(c.path, path, needle);
  }
});

test('paths at keys across the example, with the keys already there', () => {
  const version = exampleAt('version: 1', 3);
  assert.equal(version.kind, 'key');
  assert.deepEqual(version.path, []);
  assert.equal(version.word, 'ver');
  assert.equal(version.colonFollows, true);
  assert.ok(version.presentKeys.includes('halo') && version.presentKeys.includes('safety'));
  assert.ok(!version.presentKeys.includes('version'), 'the key being typed is not counted as present');

  const tenantId = exampleAt('tenantId:', 0);
  assert.deepEqual([tenantId.kind, tenantId.path], ['key', ['entra', 0]]);
  assert.deepEqual(tenantId.presentKeys, ['name', 'clientId', 'clientSecret', 'cloud']);

  const team = exampleAt('    team: Service Desk', 4);
  assert.deepEqual([team.kind, team.path], ['key', ['agents', 0]]);
  assert.deepEqual(team.presentKeys, ['rule', 'from', 'roles', 'licence']);

  const where = exampleAt('officeLocation: Head Office }', 3);
  assert.deepEqual([where.kind, where.path, where.flow], ['key', ['users', 0, 'from', 'where'], 'map']);
  assert.deepEqual(where.presentKeys, ['userType']);
  assert.equal(where.colonFollows, true);

  const field = exampleAt('    CFDepartment', 6);
  assert.deepEqual([field.kind, field.path], ['key', ['fields', 'users']]);
  assert.equal(field.word, 'CF');
});

test('a comment is no place for completion', () => {
  assert.equal(exampleAt('# transitive membership', 5).kind, 'none');
  assert.equal(exampleAt('# Normative example', 3).kind, 'none');
  assert.equal(exampleAt('# named | concurrent', 4).kind, 'none');
});

test('a partial key under a list item, as typed mid-edit', () => {
  const c = at('agents:\n  - rule: x\n    fr§');
  assert.equal(c.kind, 'key');
  assert.deepEqual(c.path, ['agents', 0]);
  assert.equal(c.word, 'fr');
  assert.equal(c.keyColumn, 4);
  assert.deepEqual(c.presentKeys, ['rule']);
  // Without a parent key the item is in a top-level list.
  assert.deepEqual(at('  - rule: x\n    fr§').path, [0]);
});

test('an empty value at the end of the file', () => {
  const c = at('agents:\n  - rule: x\n    licence: §');
  assert.deepEqual([c.kind, c.path, c.word], ['value', ['agents', 0, 'licence'], '']);
  assert.equal(c.needsSpace, false);
  const top = at('licence: §');
  assert.deepEqual([top.kind, top.path], ['value', ['licence']]);
  const noSpace = at('agents:\n  - rule: x\n    licence:§');
  assert.deepEqual([noSpace.kind, noSpace.path, noSpace.needsSpace], ['value', ['agents', 0, 'licence'], true]);
});

test('the word typed and the range it replaces', () => {
  const m = marked('team: Serv§ice Desk   # a team\n');
  const c = cursorContext(m.text, m.offset);
  assert.equal(c.word, 'Serv');
  assert.equal(m.text.slice(c.start, c.end), 'Service Desk');
  const q = marked('team: "Serv§ice Desk"\n');
  const qc = cursorContext(q.text, q.offset);
  assert.equal(qc.quote, '"');
  assert.equal(q.text.slice(qc.start, qc.end), 'Service Desk');
  assert.equal(at('team: "Service Desk"§').kind, 'none');
  const key = marked('    lic§ence: named');
  const kc = cursorContext(key.text, key.offset);
  assert.equal(key.text.slice(kc.start, kc.end), 'licence');
});

test('blank lines: the container follows the cursor column', () => {
  const text = 'agents:\n  - rule: x\n    from:\n      group: a\n§\n    team: t\n  - rule: y\n';
  const m = marked(text);
  const col = (n: number) => cursorContext(m.text.slice(0, m.offset) + ' '.repeat(n) + m.text.slice(m.offset), m.offset + n);
  assert.deepEqual(col(0).path, []);
  assert.deepEqual(col(2).path, ['agents']);
  const item = col(4);
  assert.deepEqual(item.path, ['agents', 0]);
  assert.deepEqual(item.presentKeys, ['rule', 'from', 'team'], 'keys after the cursor count too');
  assert.deepEqual(col(6).path, ['agents', 0, 'from']);
  assert.deepEqual(col(6).presentKeys, ['group']);
});

test('a list under its key at the same column', () => {
  const c = at('agents:\n- rule: x\n- rule: y\n  te§\nusers:\n- rule: z\n');
  assert.deepEqual([c.kind, c.path, c.presentKeys], ['key', ['agents', 1], ['rule']]);
  assert.deepEqual(at('agents:\n- rule: x\nusers:\n- rule: y\n  §').path, ['users', 0]);
});

test('a new list item: a value that may also start a mapping', () => {
  const c = at('agents:\n  - rule: x\n  - §');
  assert.deepEqual([c.kind, c.path, c.itemStart, c.keyColumn, c.lineIndent], ['value', ['agents', 1], true, 4, 2]);
  const typed = at('agents:\n  - rule: x\n  - fr§');
  assert.deepEqual([typed.kind, typed.path, typed.word, typed.itemStart], ['value', ['agents', 1], 'fr', true]);
  const dash = at('agents:\n  -§');
  assert.deepEqual([dash.path, dash.needsSpace, dash.keyColumn], [['agents', 0], true, 4]);
  const nested = at('a:\n  - - x\n    - §');
  assert.deepEqual(nested.path, ['a', 0, 1]);
  const block = at('roles:\n  - Technician\n  - §');
  assert.deepEqual(block.path, ['roles', 1]);
});

test('flow collections: keys, values, items and nesting', () => {
  assert.deepEqual(at('roles: [Technician, §]').path, ['roles', 1]);
  assert.deepEqual(at('roles: [Technician,§]').path, ['roles', 1]);
  assert.deepEqual(at('roles: [§Technician]').path, ['roles', 0]);
  const v = at('where: { userType: M§ }');
  assert.deepEqual([v.kind, v.path, v.word, v.flow], ['value', ['where', 'userType'], 'M', 'map']);
  const k = at('where: { userType: Member, off§ }');
  assert.deepEqual([k.kind, k.path, k.word, k.presentKeys], ['key', ['where'], 'off', ['userType']]);
  const gap = at('where: { userType: Member, § }');
  assert.deepEqual([gap.kind, gap.path, gap.presentKeys], ['key', ['where'], ['userType']]);
  assert.deepEqual(at('a: [{ b: [x, §] }]').path, ['a', 0, 'b', 1]);
  assert.deepEqual(at('a: { b: { c: § } }').path, ['a', 'b', 'c']);
  assert.equal(at('roles: [a] §').kind, 'none');
  const q = at('roles: ["End Us§"]');
  assert.deepEqual([q.word, q.quote], ['End Us', '"']);
});

test('flow collections: unclosed, and spread over lines', () => {
  const unclosed = at('match:\n  users: [azureoid, §');
  assert.deepEqual([unclosed.kind, unclosed.path], ['value', ['match', 'users', 1]]);
  // An unclosed collection ends at the next line that is not indented deeper than its key.
  const after = at('agents:\n  - rule: x\n    roles: [Tech\n    lic§');
  assert.deepEqual([after.kind, after.path, after.word], ['key', ['agents', 0], 'lic']);
  const multi = at('where: {\n  userType: Member,\n  off§\n}\nnext: 1\n');
  assert.deepEqual([multi.kind, multi.path, multi.presentKeys], ['key', ['where'], ['userType']]);
  assert.deepEqual(at('where: {\n  userType: Member\n}\nnext: §').path, ['next']);
});

test('block scalars are text, not structure', () => {
  const text = 'notes: |\n  agents:\n    - rule: x\n  §\nnext: 1\n';
  assert.equal(at(text).kind, 'none');
  assert.deepEqual(at('notes: >-\n  some text\nnext: §').path, ['next']);
  const values = scalarValues('notes: |\n  rule: fake\nrule: real\n');
  assert.deepEqual(values.map((v) => v.value), ['real']);
});

test('CRLF line ends, document markers, anchors and quoted keys', () => {
  const crlf = at('agents:\r\n  - rule: x\r\n    licence: §\r\n');
  assert.deepEqual([crlf.kind, crlf.path], ['value', ['agents', 0, 'licence']]);
  const crlfKey = at('agents:\r\n  - rule: x\r\n    te§\r\n    roles: [a]\r\n');
  assert.deepEqual([crlfKey.path, crlfKey.presentKeys], [['agents', 0], ['rule', 'roles']]);
  assert.deepEqual(at('---\nversion: 1\nhalo:\n  §').path, ['halo']);
  assert.deepEqual(at('base: &b\n  team: x\nother: *b\nhalo:\n  url: §').path, ['halo', 'url']);
  assert.deepEqual(at('"halo":\n  "url": §').path, ['halo', 'url']);
  assert.deepEqual(at('halo:\n  url: x # comment\n  §').presentKeys, ['url']);
});

test('tokenAt: the key or value under the cursor, for hovers', () => {
  const key = tokenAt(EXAMPLE, EXAMPLE.indexOf('licence: named') + 2);
  assert.deepEqual(key && { part: key.part, path: key.path, text: key.text }, { part: 'key', path: ['agents', 0, 'licence'], text: 'licence' });
  const value = tokenAt(EXAMPLE, EXAMPLE.indexOf('licence: named') + 11);
  assert.deepEqual(value && { part: value.part, path: value.path, text: value.text }, { part: 'value', path: ['agents', 0, 'licence'], text: 'named' });
  const flowKey = tokenAt(EXAMPLE, EXAMPLE.indexOf('officeLocation: Head') + 1);
  assert.deepEqual(flowKey && [flowKey.part, flowKey.path], ['key', ['users', 0, 'from', 'where', 'officeLocation']]);
  const item = tokenAt(EXAMPLE, EXAMPLE.indexOf('[Administrator]') + 3);
  assert.deepEqual(item && [item.part, item.path, item.text], ['value', ['roles', 0, 'agentRoles', 0], 'Administrator']);
  assert.equal(tokenAt(EXAMPLE, EXAMPLE.indexOf('# transitive') + 3), undefined);
});

test('scalarValues: inline values with their paths', () => {
  const values = scalarValues(EXAMPLE);
  const find = (path: (string | number)[]) => values.find((v) => JSON.stringify(v.path) === JSON.stringify(path))?.value;
  assert.equal(find(['entra', 0, 'name']), 'contoso');
  assert.equal(find(['agents', 0, 'rule']), 'service-desk');
  assert.equal(find(['users', 1, 'client']), 'Contoso');
  assert.equal(find(['users', 0, 'from', 'where', 'officeLocation']), 'Head Office');
  assert.equal(find(['fields', 'users', 'emailaddress', 1]), 'userPrincipalName');
  assert.equal(find(['halo', 'clientSecret']), '${env:HALO_CLIENT_SECRET}');
});

test('every offset of the example and of the bad fixtures gives a sane context', () => {
  const dir = join(ROOT, 'test/fixtures/bad');
  const texts = [EXAMPLE, ...readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(dir, f), 'utf8'))];
  // Truncations too: a file cut anywhere is what a user has while typing.
  texts.push(EXAMPLE.slice(0, 1500), EXAMPLE.slice(0, 1234) + '\n    ', '{ a: [b, { c', '- - - ', ':', '"', "'a", '[', '}', '#', '- |\n  x');
  for (const text of texts) {
    for (let offset = 0; offset <= text.length; offset++) {
      const { context: c } = scanYaml(text, offset);
      if (c.kind === 'none') continue;
      assert.ok(c.start <= offset && offset <= c.end, `range ${c.start}-${c.end} leaves out ${offset} in ${JSON.stringify(text.slice(0, 40))}`);
      assert.equal(c.word, text.slice(c.start, offset));
      assert.ok(c.path.every((s) => typeof s === 'number' || typeof s === 'string'));
    }
  }
});
