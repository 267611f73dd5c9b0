import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuleStats } from '../../src/core/changes';
import { parseMapping } from '../../src/core/parse';
import { mappingProblems, quickFixes } from '../../src/extension/language/diagnostics-logic';
import { outline, ruleHeads } from '../../src/extension/language/outline-logic';
import { describeRuleStats, ruleLensTitle } from '../../src/extension/language/rule-stats';
import { formatScalar, needsQuotes } from '../../src/extension/language/scalar';
import { withBody } from './mapping-text';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8');
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length - 1;

test('rule heads: one per agent and user rule, on its first line', () => {
  const heads = ruleHeads(parseMapping(EXAMPLE));
  assert.deepEqual(
    heads.map((h) => [h.kind, h.index, h.rule, h.range.start.line]),
    [
      ['agent', 0, 'service-desk', lineOf(EXAMPLE, 'rule: service-desk')],
      ['user', 0, 'head-office-staff', lineOf(EXAMPLE, 'rule: head-office-staff')],
      ['user', 1, 'branch-staff', lineOf(EXAMPLE, 'rule: branch-staff')],
    ],
  );
  assert.equal(heads[0].range.start.character, 4);
});

test('rule heads survive a broken file', () => {
  const text = 'agents:\n  - rule: a\n    team: [unclosed\n  - rule: b\nusers:\n  - rule: c\n    from: { group: x\n';
  const heads = ruleHeads(parseMapping(text));
  assert.ok(heads.some((h) => h.rule === 'a'));
  assert.deepEqual(ruleHeads(parseMapping('')), []);
  assert.deepEqual(ruleHeads(parseMapping('- a\n- b\n')), []);
});

test('lens titles: from the plan\'s rule statistics', () => {
  const stats: RuleStats[] = [
    { kind: 'agent', rule: 'service-desk', matched: 42, create: 3, update: 1, reactivate: 0, deactivate: 1 },
    { kind: 'user', rule: 'staff', matched: 1, create: 0, update: 0, reactivate: 0, deactivate: 0 },
    { kind: 'user', rule: 'back', matched: 5, create: 0, update: 0, reactivate: 2, deactivate: 0 },
  ];
  assert.equal(ruleLensTitle(stats, 'agent', 'service-desk'), 'matches 42 identities · 3 to create · 1 to update · 1 to deactivate');
  assert.equal(ruleLensTitle(stats, 'user', 'staff'), 'matches 1 identity · no changes');
  assert.equal(describeRuleStats(stats[2]), 'matches 5 identities · 2 to reactivate');
  assert.equal(ruleLensTitle(stats, 'user', 'service-desk'), 'not in the last plan · Dry Run to see matches');
  assert.equal(ruleLensTitle(undefined, 'agent', 'service-desk'), 'Dry Run to see matches');
});

test('outline: sections, rules by name, entries, keys', () => {
  const nodes = outline(parseMapping(EXAMPLE).document);
  assert.deepEqual(
    nodes.map((n) => n.name),
    ['version', 'halo', 'entra', 'match', 'agents', 'users', 'roles', 'cab', 'fields', 'deprovision', 'protect', 'safety'],
  );
  const section = (name: string) => nodes.find((n) => n.name === name)!;
  assert.deepEqual(section('agents').children.map((c) => [c.name, c.kind, c.detail]), [['service-desk', 'rule', 'agent rule']]);
  assert.deepEqual(section('users').children.map((c) => c.name), ['head-office-staff', 'branch-staff']);
  assert.deepEqual(section('roles').children.map((c) => c.name), ['SG-Halo-Admins', 'SG-Approvers', 'no manager']);
  assert.deepEqual(section('cab').children.map((c) => c.name), ['SG-CAB → Change Advisory Board']);
  assert.deepEqual(section('entra').children.map((c) => c.name), ['contoso']);
  assert.deepEqual(section('protect').children.map((c) => c.name), ['breakglass@contoso.com']);
  assert.deepEqual(section('fields').children.map((c) => c.name), ['users', 'agents']);
  assert.ok(section('fields').children[0].children.some((c) => c.name === 'CFDepartment' && c.kind === 'field'));
  assert.equal(section('version').detail, '1');
  for (const n of nodes) {
    assert.ok(n.start <= n.selectionStart && n.selectionEnd <= n.end, n.name);
    for (const c of n.children) assert.ok(c.start <= c.selectionStart && c.selectionEnd <= c.end && n.start <= c.start && c.end <= n.end, c.name);
  }
  assert.equal(EXAMPLE.slice(section('agents').children[0].selectionStart, section('agents').children[0].selectionEnd), 'rule');
});

test('outline of broken and odd files', () => {
  assert.deepEqual(outline(parseMapping('').document), []);
  assert.deepEqual(outline(parseMapping('- a\n').document), []);
  const partial = outline(parseMapping('version: 1\nhalo:\n  url: [\nagents:\n').document);
  assert.ok(partial.length >= 1);
});

test('problems: the parser\'s, plus unknown live names when they are cached', () => {
  const text = withBody('agents:', '  - rule: desk', '    from: { group: SG-Halo-Agnets }', '    team: Servce Desk');
  const parsed = parseMapping(text);
  assert.deepEqual(mappingProblems(parsed), []);
  const problems = mappingProblems(parsed, { teams: ['Service Desk'], groups: { contoso: ['SG-Halo-Agents'] } });
  assert.deepEqual(
    problems.map((p) => [p.code, p.range.start.line, p.suggestions]),
    [
      ['unknown-group', 12, ['SG-Halo-Agents']],
      ['unknown-team', 13, ['Service Desk']],
    ],
  );
});

test('problems point at the other lines their messages name', () => {
  const text = withBody('agents:', '  - rule: desk', '    from: { group: A }', '  - rule: desk', '    from: { group: B }');
  const dup = mappingProblems(parseMapping(text)).find((p) => p.code === 'duplicate-rule')!;
  assert.ok(dup);
  assert.deepEqual(dup.related, [{ line: 11, message: 'the rule that first uses this name' }]);
  const shadow = withBody('agents:', '  - rule: a', '    from: { group: G }', '  - rule: b', '    from: { group: G }');
  const s = mappingProblems(parseMapping(shadow)).find((p) => p.code === 'shadowed-rule')!;
  assert.equal(s.unnecessary, true);
  assert.equal(s.related[0].line, 11);
});

test('a wrong enum value: positioned, with a did-you-mean quick fix', () => {
  const text = EXAMPLE.replace('licence: named', 'licence: nmaed');
  const problems = mappingProblems(parseMapping(text));
  assert.equal(problems.length, 1);
  const p = problems[0];
  assert.equal(p.code, 'invalid-value');
  assert.equal(p.range.start.line, lineOf(text, 'licence: nmaed'));
  assert.equal(p.range.start.character, 13);
  assert.deepEqual(quickFixes(p, 'nmaed'), [{ title: "Change to 'named'", newText: 'named', preferred: true }]);
});

test('quick fixes keep the quotes that were there and quote what needs it', () => {
  assert.deepEqual(quickFixes({ suggestions: ['Service Desk'] }, '"Servce Desk"')[0].newText, '"Service Desk"');
  assert.deepEqual(quickFixes({ suggestions: ["O'Neil"] }, "'ONeil'")[0].newText, "'O''Neil'");
  assert.deepEqual(quickFixes({ suggestions: ['Ops: Night'] }, 'Ops Night')[0].newText, '"Ops: Night"');
  const two = quickFixes({ suggestions: ['a1', 'a2'] }, 'a');
  assert.deepEqual(two.map((f) => f.preferred), [false, false]);
  assert.deepEqual(quickFixes({}, 'x'), []);
});

test('scalars YAML would read as something else are quoted', () => {
  for (const v of ['true', 'No', '1', '1.5', '-1', '~', 'null', '', ' x', 'a: b', 'a #b', '#x', '- x', '*x', '&x', '!x', '[x', '{x', '"x', "'x", '%x', '@x', '`x', 'x:']) {
    assert.ok(needsQuotes(v), v);
  }
  for (const v of ['Service Desk', 'SG-Halo-Agents', 'x:y', 'a-1', 'Head Office', 'O\'Neil', 'a#b']) assert.ok(!needsQuotes(v), v);
  assert.ok(needsQuotes('A, B', true) && !needsQuotes('A, B'));
  assert.equal(formatScalar('say "hi": now'), '"say \\"hi\\": now"');
});
