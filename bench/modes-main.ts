// Halo requests per simulator mode at 1k and 10k (and 100k, modelled, in the full run), written to
// bench/modes.json, bench/results.json and the "Every simulator mode" section of BENCHMARKS.md.
// `npm run bench` runs it after everything else; `npm run bench:modes` runs it alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allModes, modeFloor, modeRun } from './modes';

const ROOT = path.join(__dirname, '../..');
const START = '<!-- modes:start -->';
const END = '<!-- modes:end -->';
const r2 = (n: number) => Math.round(n * 100) / 100;

export async function benchModes(quick: boolean): Promise<void> {
  const runs = await allModes([1000, 10_000], (m) => process.stderr.write(`${m}\n`));
  // 100k: the documented mode measured; every other mode modelled as its own floor at 100k plus the
  // overhead over the floor it showed at 10k (and, in older-rows, its first plan's detail reads scaled).
  if (!quick) {
    process.stderr.write('modes: documented at 100000 identities (measured)\n');
    const big = await modeRun('documented', 100_000, true);
    for (const mode of [...new Set(runs.map((r) => r.mode))]) {
      if (mode === 'documented') {
        runs.push(big.run);
        continue;
      }
      const at10k = runs.find((r) => r.mode === mode && r.users === 10_000)!;
      const f = modeFloor(mode, big.plan, big.mapping, big.halo, big.pageSize, big.batchSize);
      // The re-plan reads the Halo the apply grew: the documented re-plan's floor, plus this mode's extra reads.
      const replanFloor = big.run.replanFloor + (f.read - big.run.planFloor);
      runs.push({
        mode, users: 100_000, modelled: true,
        planFloor: f.read, plan: f.read + (at10k.plan - at10k.detailReads - at10k.planFloor), detailReads: Math.round(at10k.detailReads * (big.run.users / at10k.users)),
        applyFloor: f.apply, apply: f.apply + (at10k.apply - at10k.applyFloor),
        replanFloor, replan: replanFloor + (at10k.replan - at10k.replanFloor), replanDetailReads: 0,
        naive: big.run.naive, halo429: 0,
      });
      const last = runs[runs.length - 1];
      last.plan += last.detailReads;
    }
  }
  const results = runs.map((r) => ({
    ...r,
    budgets: {
      plan: { max: 1.1, ratio: r2(r.plan / (r.planFloor + (r.mode === 'older-rows' ? r.detailReads : 0))), note: r.mode === 'older-rows' ? 'floor + the announced detail reads of the first plan' : 'floor' },
      apply: { max: 1.1, ratio: r2(r.apply / r.applyFloor) },
      replan: { max: 1.1, ratio: r2(r.replan / r.replanFloor) },
      naive: { min: r.users >= 10_000 ? 20 : null, ratio: r2(r.naive / (r.plan - (r.mode === 'older-rows' ? r.detailReads : 0) + r.apply)), note: r.mode === 'older-rows' ? "the first plan's announced detail reads aside (a later run makes none)" : undefined },
      halo429: { max: 0, value: r.halo429 },
    },
  }));
  const within = (x: (typeof results)[number]) => x.budgets.plan.ratio <= 1.1 && x.budgets.apply.ratio <= 1.1 && x.budgets.replan.ratio <= 1.1 && (x.budgets.naive.min === null || x.budgets.naive.ratio >= 20) && x.halo429 === 0;
  fs.writeFileSync(path.join(ROOT, 'bench', 'modes.json'), JSON.stringify(results, null, 2) + '\n');
  // bench/results.json: one entry per mode, each budget saying whether it is a maximum or a minimum.
  const resultsFile = path.join(ROOT, 'bench', 'results.json');
  const figures = (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Array<{ name: string }>).filter((f) => !f.name.startsWith('halo_modes.'));
  for (const mode of [...new Set(results.map((r) => r.mode))]) {
    const rows = results.filter((r) => r.mode === mode);
    figures.push({
      name: `halo_modes.${mode}`,
      unit: 'requests ÷ floor',
      withinBudget: rows.every(within),
      budgets: [
        { of: 'plan ÷ floor (older-rows: floor + announced detail reads)', kind: 'maximum', value: 1.1 },
        { of: 'apply ÷ floor', kind: 'maximum', value: 1.1 },
        { of: 're-plan ÷ floor', kind: 'maximum', value: 1.1 },
        { of: 'naive ÷ ours at 10k and above', kind: 'minimum', value: 20 },
        { of: '429 answers', kind: 'maximum', value: 0 },
      ],
      sizes: Object.fromEntries(rows.map((r) => [r.users, { modelled: Boolean(r.modelled), plan: r.budgets.plan.ratio, apply: r.budgets.apply.ratio, replan: r.budgets.replan.ratio, naive: r.budgets.naive.ratio, halo429: r.halo429, detailReads: r.detailReads }])),
    } as { name: string });
  }
  fs.writeFileSync(resultsFile, JSON.stringify(figures, null, 2) + '\n');
  const lines = [START, '## Every simulator mode (DESIGN §6a)', '', 'At 100k the documented mode is measured and every other mode modelled: its floor computed from the 100k plan, plus the overhead over its floor it showed at 10k. Halo requests (token requests aside) of the first plan, the apply straight after it and the re-plan, each ÷ its floor in that mode: list pages at the page size (FieldInfo included), one filtered list per managed role where the rows carry no role data, Σ ceil(n / batch) of writes, and where the POST answer does not carry the saved records the pages of one re-read of what was created. In `older-rows` the first plan adds one announced detail read per managed user whose row lacks the link; the ratio shown is against floor + those reads, and the re-plan is against the floor alone. Naive = one search per identity in scope + one POST per change, ÷ our plan + apply (in `older-rows` without the first plan’s announced detail reads, which a later run never makes). Budgets: ≤ 1.1 × floor, naive ≥ 20 × at 10k, 0 429s. In-process simulators, no latency; counts do not depend on the machine.', ''];
  for (const mode of [...new Set(results.map((r) => r.mode))]) {
    lines.push(`### \`${mode}\``, '', '| identities | plan (floor) | detail reads | apply (floor) | re-plan (floor) | plan ÷ floor | apply ÷ floor | re-plan ÷ floor | naive ÷ ours | 429s | within budget |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results.filter((x) => x.mode === mode)) {
      lines.push(`| ${r.users}${r.modelled ? ' (modelled)' : ''} | ${r.plan} (${r.planFloor}) | ${r.detailReads} | ${r.apply} (${r.applyFloor}) | ${r.replan} (${r.replanFloor}) | ${r.budgets.plan.ratio} | ${r.budgets.apply.ratio} | ${r.budgets.replan.ratio} | ${r.budgets.naive.ratio} | ${r.halo429} | ${within(r) ? 'yes' : '**no**'} |`);
    }
    lines.push('');
  }
  lines.push(END);
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  const section = lines.join('\n');
  fs.writeFileSync(file, doc.includes(START) ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
  process.stderr.write(`wrote bench/modes.json, bench/results.json and BENCHMARKS.md (${results.filter(within).length}/${results.length} within budget)\n`);
}

if (require.main === module) {
  benchModes(process.argv.includes('--quick')).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
