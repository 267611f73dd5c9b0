import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuleStats } from '../../src/core/changes';
import { hoverAt } from '../../src/extension/language/hover-logic';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8');

function hover(needle: string, delta: number, rules?: RuleStats[]) {
  const i = EXAMPLE.indexOf(needle);
  assert.ok(i >= 0, `example lacks ${needle}`);
  return hoverAt(EXAMPLE, i + delta, rules);
}

test('a key: its path, description, allowed values and default', () => {
  const h = hover('licence: named', 2)!;
  assert.ok(h);
  assert.equal(EXAMPLE.slice(h.start, h.end), 'licence');
  assert.match(h.markdown, /^\*\*agents\[0\]\.licence\*\*/);
  assert.match(h.markdown, /Halo licence type of the agents/);
  assert.match(h.markdown, /- `concurrent`: A concurrent licence, shared among agents\./);
  assert.match(h.markdown, /Default: `unchanged`/);
});

test('an enum value: what that value means', () => {
  const h = hover('licence: named', 11)!;
  assert.equal(EXAMPLE.slice(h.start, h.end), 'named');
  assert.match(h.markdown, /`named`: A named licence, reserved for this agent\./);
  assert.match(hover('orphans: report', 11)!.markdown, /`report`: List orphans in the plan/);
});

test('keys in flow mappings, list items, nested sections', () => {
  assert.match(hover('officeLocation: Head Office }', 3)!.markdown, /Entra attribute `officeLocation`: Office location/);
  assert.match(hover('maxDeactivations', 3)!.markdown, /Most deactivations one apply may make/);
  assert.equal(hover('thumbprintSha256: ...', 3), undefined, 'inside a comment there is no hover');
  assert.match(hover('CFDepartment', 2)!.markdown, /Halo user field `CFDepartment`/);
  assert.match(hover('    title: jobTitle', 6)!.markdown, /usually filled from `jobTitle`/);
  assert.match(hover('    title: jobTitle', 12)!.markdown, /Entra attribute `jobTitle`: Job title\./);
  assert.match(hover('phonenumber: businessPhones[0]', 16)!.markdown, /Entra attribute `businessPhones`/);
  assert.match(hover('siteFrom: officeLocation', 12)!.markdown, /Entra attribute `officeLocation`/);
  assert.match(hover('version: 1', 1)!.markdown, /Format version of this file/);
});

test('a rule name: what the last plan found for that rule', () => {
  const stats: RuleStats[] = [
    { kind: 'agent', rule: 'service-desk', matched: 42, create: 3, update: 1, reactivate: 0, deactivate: 1 },
    { kind: 'user', rule: 'service-desk', matched: 7, create: 0, update: 0, reactivate: 0, deactivate: 0 },
  ];
  const h = hover('rule: service-desk', 8, stats)!;
  assert.match(h.markdown, /\*\*Last plan:\*\* matches 42 identities · 3 to create · 1 to update · 1 to deactivate/);
  assert.match(hover('rule: service-desk', 1, stats)!.markdown, /matches 42 identities/, 'on the key too');
  assert.match(hover('rule: branch-staff', 8, stats)!.markdown, /this rule was not in it/);
  assert.match(hover('rule: branch-staff', 8)!.markdown, /Dry Run to see what this rule matches/);
  assert.doesNotMatch(hover('team: Service', 2, stats)!.markdown, /Last plan/);
});

test('no hover off keys and values, or on keys the schema does not know', () => {
  assert.equal(hoverAt(EXAMPLE, EXAMPLE.indexOf('# Normative') + 4), undefined);
  assert.equal(hoverAt('nonsense: 1\n', 2), undefined);
  assert.equal(hoverAt('', 0), undefined);
});
