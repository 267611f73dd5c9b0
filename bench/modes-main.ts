// `npm run bench` (after run.js): Halo requests per simulator mode at 1k and 10k, written to
// bench/modes.json and to the "Every simulator mode" section of BENCHMARKS.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allModes } from './modes';

const ROOT = path.join(__dirname, '../..');
const START = '<!-- modes:start -->';
const END = '<!-- modes:end -->';
const r2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const sizes = process.argv.includes('--quick') ? [1000, 10_000] : [1000, 10_000];
  const runs = await allModes(sizes, (m) => process.stderr.write(`${m}\n`));
  const results = runs.map((r) => ({
    ...r,
    budgets: {
      plan: { max: 1.1, ratio: r2(r.plan / (r.planFloor + (r.mode === 'older-rows' ? r.detailReads : 0))), note: r.mode === 'older-rows' ? 'floor + the announced detail reads of the first plan' : 'floor' },
      apply: { max: 1.1, ratio: r2(r.apply / r.applyFloor) },
      replan: { max: 1.1, ratio: r2(r.replan / r.replanFloor) },
      naive: { min: r.users >= 10_000 ? 20 : null, ratio: r2(r.naive / (r.plan - (r.mode === 'older-rows' ? r.detailReads : 0) + r.apply)), note: r.mode === 'older-rows' ? 'the first plan\'s announced detail reads aside (a later run makes none)' : undefined },
      halo429: { max: 0, value: r.halo429 },
    },
  }));
  const within = (x: (typeof results)[number]) => x.budgets.plan.ratio <= 1.1 && x.budgets.apply.ratio <= 1.1 && x.budgets.replan.ratio <= 1.1 && (x.budgets.naive.min === null || x.budgets.naive.ratio >= 20) && x.halo429 === 0;
  fs.writeFileSync(path.join(ROOT, 'bench', 'modes.json'), JSON.stringify(results, null, 2) + '\n');
  const lines = [START, '## Every simulator mode (DESIGN §6a)', '', 'Halo requests (token requests aside) of the first plan, the apply straight after it and the re-plan, each ÷ its floor in that mode: list pages at the page size (FieldInfo included), one filtered list per managed role where the rows carry no role data, Σ ceil(n / batch) of writes, and where the POST answer does not carry the saved records the pages of one re-read of what was created. In `older-rows` the first plan adds one announced detail read per managed user whose row lacks the link; the ratio shown is against floor + those reads, and the re-plan is against the floor alone. Naive = one search per identity in scope + one POST per change, ÷ our plan + apply (in `older-rows` without the first plan’s announced detail reads, which a later run never makes). Budgets: ≤ 1.1 × floor, naive ≥ 20 × at 10k, 0 429s. In-process simulators, no latency; counts do not depend on the machine.', ''];
  for (const mode of [...new Set(results.map((r) => r.mode))]) {
    lines.push(`### \`${mode}\``, '', '| identities | plan (floor) | detail reads | apply (floor) | re-plan (floor) | plan ÷ floor | apply ÷ floor | re-plan ÷ floor | naive ÷ ours | 429s | within budget |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results.filter((x) => x.mode === mode)) {
      lines.push(`| ${r.users} | ${r.plan} (${r.planFloor}) | ${r.detailReads} | ${r.apply} (${r.applyFloor}) | ${r.replan} (${r.replanFloor}) | ${r.budgets.plan.ratio} | ${r.budgets.apply.ratio} | ${r.budgets.replan.ratio} | ${r.budgets.naive.ratio} | ${r.halo429} | ${within(r) ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  lines.push(END);
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  const section = lines.join('\n');
  fs.writeFileSync(file, doc.includes(START) ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
  process.stderr.write(`wrote bench/modes.json and BENCHMARKS.md (${results.filter(within).length}/${results.length} within budget)\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
