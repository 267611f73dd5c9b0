// RELIABILITY.md stays in step with the suites: every case the fault and security tests define,
// every bad-input fixture, and every case the last run recorded (test-artifacts/reliability.json)
// must be listed there, no recorded case may have failed, and its totals table must be the one
// computed from that file. `npm test` clears the file first; this folder sorts after faults/ and
// security/, so node --test runs it after them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MODE_NAMES } from '../../src/sim/halo/modes';
import { REPORT, ROOT } from '../faults/support';
import { END, START, rowOf, totalsTable } from './totals';

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

test('the last run recorded every case, each passed, and RELIABILITY.md names each and shows its totals', () => {
  assert.ok(fs.existsSync(REPORT), `${REPORT} is missing: run the fault and security suites first (npm test does)`);
  const recorded = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
  const expected = [...definedCases(), ...MODE_NAMES.flatMap((m) => [`mode-${m}-converge`, `mode-${m}-timeout-create`, `mode-${m}-400-create`])];
  assert.deepEqual(expected.filter((id) => !(id in recorded)), [], 'cases the suites define but the last run did not record (did one fail, or not run?)');
  assert.deepEqual(Object.entries(recorded as Record<string, { passed: boolean }>).filter(([, c]) => !c.passed).map(([id]) => id), []);
  assert.deepEqual(Object.keys(recorded).filter((id) => !doc.includes(`\`${id}\``)), []);
  const shown = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
  assert.equal(shown, totalsTable(recorded), 'RELIABILITY.md totals differ from the last run: npm run reliability rewrites them');
  // Each case's row shows the faults that run injected (its observed text may name ports, so only the count is compared).
  const stale = Object.values(recorded as Record<string, { id: string; faultsInjected: number }>).filter((c) => {
    const row = rowOf(doc, c.id);
    return row !== undefined && row.split(/(?<!\\)\|/).at(-2)?.trim() !== String(c.faultsInjected);
  });
  assert.deepEqual(stale.map((c) => c.id), [], 'case rows whose fault count differs from the last run: npm run reliability rewrites them');
});
