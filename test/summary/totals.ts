// RELIABILITY.md's totals, computed from what the last run of the fault and security suites
// recorded (test-artifacts/reliability.json): never typed by hand.
import type { CaseRecord } from '../faults/support';

export const START = '<!-- totals:start -->';
export const END = '<!-- totals:end -->';

const sum = (xs: CaseRecord[], key: string) => xs.reduce((n, c) => n + (typeof c[key] === 'number' ? (c[key] as number) : 0), 0);
const having = (xs: CaseRecord[], key: string) => xs.filter((c) => typeof c[key] === 'number');

export function totalsTable(records: Record<string, CaseRecord>): string {
  const all = Object.values(records);
  const areas = new Map<string, number>();
  for (const c of all) areas.set(c.area, (areas.get(c.area) ?? 0) + 1);
  const kills = having(all, 'kills');
  const input = all.filter((c) => typeof c.inputs === 'number');
  const dup = having(all, 'duplicates');
  const secrets = having(all, 'found');
  const rows: Array<[string, string]> = [
    ['cases recorded', `${all.length} (${[...areas].sort(([a], [b]) => a.localeCompare(b)).map(([a, n]) => `${a} ${n}`).join(', ')})`],
    ['cases passed', `${all.filter((c) => c.passed).length} of ${all.length}`],
    ['faults injected', String(sum(all, 'faultsInjected'))],
    ['SIGKILLs survived (converged after a second apply)', `${sum(kills, 'converged')} of ${sum(kills, 'kills')}`],
    ['bad inputs rejected with a positioned error', `${sum(input, 'rejected')} of ${sum(input, 'inputs')} (${sum(input, 'warningOnly')} warning-only by design)`],
    [`duplicate records created (counted in ${dup.length} cases)`, String(sum(dup, 'duplicates'))],
    [`records lost or differing after a kill (counted in ${having(all, 'lost').length} cases)`, String(sum(all, 'lost'))],
    [`secrets or tokens found in artefacts (${sum(secrets, 'artefacts')} searched)`, String(sum(secrets, 'found'))],
  ];
  return [START, '| | count |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), END].join('\n');
}

const cell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** A case's row in RELIABILITY.md's per-area tables: what it injected and observed, from the run. */
export function caseRow(c: CaseRecord): string {
  return `| \`${c.id}\` | ${cell(c.input)} | ${cell(c.expected)} | ${cell(c.observed)} | ${c.faultsInjected} |`;
}

/** The rows of `doc` that belong to `id` (a case table row starts with its id in backticks). */
export function rowOf(doc: string, id: string): string | undefined {
  return doc.split('\n').find((l) => l.startsWith(`| \`${id}\` | `) && l.split(/(?<!\\)\|/).length === 7);
}

/** `doc` with every recorded case's row rewritten from the run. */
export function withCaseRows(doc: string, records: Record<string, CaseRecord>): string {
  return doc
    .split('\n')
    .map((line) => {
      const id = /^\| `([a-z0-9-]+)` \| /.exec(line)?.[1];
      return id && records[id] && line.split(/(?<!\\)\|/).length === 7 ? caseRow(records[id]) : line;
    })
    .join('\n');
}
