// RELIABILITY.md stays in step with the suites: every case the fault and security tests define,
// every bad-input fixture, and every case the last run recorded (test-artifacts/reliability.json)
// must be listed there, and no recorded case may have failed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPORT, ROOT } from './support';

const doc = fs.readFileSync(path.join(ROOT, 'RELIABILITY.md'), 'utf8');

function definedCases(): string[] {
  const ids = new Set<string>();
  for (const dir of ['test/faults', 'test/security']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((x) => x.endsWith('.test.ts'))) {
      const text = fs.readFileSync(path.join(ROOT, dir, f), 'utf8');
      for (const m of text.matchAll(/(?:\bid: |oneApply\(|recovered\(|stopped\()'([a-z0-9-]+)'/g)) ids.add(m[1]);
    }
  }
  return [...ids].sort();
}

test('RELIABILITY.md lists every fault and security case the suites define', () => {
  const ids = definedCases();
  assert.ok(ids.length >= 25, `${ids.length} cases found`);
  assert.deepEqual(ids.filter((id) => !doc.includes(`\`${id}\``)), []);
});

test('RELIABILITY.md lists every bad-input fixture', () => {
  const fixtures = fs.readdirSync(path.join(ROOT, 'test/fixtures/bad')).filter((f) => f.endsWith('.yaml'));
  assert.ok(fixtures.length >= 60, `${fixtures.length} fixtures`);
  assert.deepEqual(fixtures.filter((f) => !doc.includes(`\`${f}\``)), []);
});

test('the last recorded run passed every case and RELIABILITY.md names each', { skip: !fs.existsSync(REPORT) && 'no recorded run yet' }, () => {
  const recorded = JSON.parse(fs.readFileSync(REPORT, 'utf8')) as Record<string, { passed: boolean }>;
  assert.deepEqual(Object.entries(recorded).filter(([, c]) => !c.passed).map(([id]) => id), []);
  assert.deepEqual(Object.keys(recorded).filter((id) => !doc.includes(`\`${id}\``)), []);
  assert.match(doc, /records lost \| 0 \|/);
});
