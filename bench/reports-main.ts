// Reports read Halo with list reads only (issue "Access reviews, licence hygiene and orphans"):
// Halo requests of each report's read ÷ the list-read floor of one full read (DESIGN §9), at 1k
// and 10k in the documented mode, with the time each report takes. Written to bench/results.json
// and the "Reports" section of BENCHMARKS.md; `npm run bench` runs it, `npm run bench:reports` alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accessOf, licencesOf, orphansOf, readForReports } from '../src/engine/reports';
import { Host } from './host';
import { median, round } from './lib';
import { floorOf } from './requests';
import { openReportPage, REPORT_KINDS } from '../test/webview/report-page';
import { webviewAvailable } from './webview';
import { benchMapping } from './tenant';

const ROOT = path.join(__dirname, '../..');
const START = '<!-- reports:start -->';
const END = '<!-- reports:end -->';
const RUNS = 3;

interface ReportRun {
  users: number;
  report: 'access' | 'licences' | 'orphans';
  requests: number;
  floor: number;
  detailReads: number;
  graphRequests: number;
  seconds: number;
}

async function reportRuns(users: number): Promise<ReportRun[]> {
  const host = await Host.start({ users, mapping: benchMapping([[['halo', 'rateLimit'], { requests: 1_000_000, windowSeconds: 1 }]]) });
  const conns = await host.connect();
  const out: ReportRun[] = [];
  try {
    for (const report of ['access', 'licences', 'orphans'] as const) {
      await host.counts(true);
      const started = process.hrtime.bigint();
      const read = await readForReports(conns, { groupPaths: report === 'access' });
      if (report === 'access') accessOf(conns, read);
      else if (report === 'licences') licencesOf(conns, read, { costPerNamed: 40 });
      else orphansOf(conns, read);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const c = await host.counts(true);
      const floor = floorOf({ version: 1, summary: { create: 0, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: 0 }, changes: [], orphans: [], errors: [], blocked: null, warnings: [], rules: [] }, conns.mapping, read.snapshots.halo, conns.halo.pageSize, conns.halo.batchSize).listPages;
      out.push({
        users, report, floor, seconds,
        requests: c.halo.total - c.halo.tokens,
        detailReads: (c.halo.byRoute['GET /api/Users/{id}'] ?? 0) + (c.halo.byRoute['GET /api/Agent/{id}'] ?? 0),
        graphRequests: c.graph.total - (c.graph.byRoute['POST /{id}/oauth2/v2.0/token'] ?? 0),
      });
    }
  } finally {
    conns.close();
    await host.stop();
  }
  return out;
}

/** The report view at 10k agents: first paint (the table) and the chart, each report on a fresh page, RUNS times. */
async function viewPaints(): Promise<Record<string, { paint: number[]; chart: number[] }>> {
  const out: Record<string, { paint: number[]; chart: number[] }> = {};
  for (const kind of REPORT_KINDS) out[kind] = { paint: [], chart: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const kind of REPORT_KINDS) {
      const view = await openReportPage();
      try {
        const t = await view.show(kind);
        out[kind].paint.push(t.paint);
        out[kind].chart.push(t.chart);
      } finally {
        await view.close();
      }
    }
  }
  return out;
}

export async function benchReports(quick: boolean): Promise<void> {
  const runs: ReportRun[][] = [];
  for (const users of quick ? [1000] : [1000, 10_000]) for (let i = 0; i < RUNS; i++) runs.push(await reportRuns(users));
  const flat = runs.flat();
  const keys = [...new Set(flat.map((r) => `${r.users}/${r.report}`))];
  const rows = keys.map((k) => {
    const same = flat.filter((r) => `${r.users}/${r.report}` === k);
    const first = same[0];
    return { ...first, seconds: median(same.map((r) => r.seconds)), ratio: Math.round((first.requests / first.floor) * 100) / 100, secondsRange: [Math.min(...same.map((r) => r.seconds)), Math.max(...same.map((r) => r.seconds))] };
  });
  const missing = webviewAvailable();
  const paints = missing ? undefined : await viewPaints();
  const resultsFile = path.join(ROOT, 'bench', 'results.json');
  const figures = (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Array<{ name: string }>).filter((f) => !f.name.startsWith('reports.'));
  for (const [kind, t] of Object.entries(paints ?? {})) {
    figures.push({ name: `reports.view.${kind}.first_paint.10k`, unit: 'ms', median: round(median(t.paint)), min: round(Math.min(...t.paint)), max: round(Math.max(...t.paint)), chartMs: round(median(t.chart)), runs: RUNS, withinBudget: median(t.paint) <= 100, budget: { kind: 'maximum', value: 100 } } as { name: string });
  }
  for (const r of rows) {
    figures.push({ name: `reports.${r.report}.halo_requests.${r.users / 1000}k`, unit: 'requests ÷ list-read floor', value: r.ratio, requests: r.requests, floor: r.floor, detailReads: r.detailReads, withinBudget: r.ratio <= 1.1 && r.detailReads === 0, budget: { kind: 'maximum', value: 1.1 } } as { name: string });
  }
  fs.writeFileSync(resultsFile, JSON.stringify(figures, null, 2) + '\n');
  const lines = [
    START,
    '## Reports',
    '',
    `Halo requests (token requests aside) of each report's read, ÷ the list-read floor of one full read of Halo in the documented mode (list pages at the configured page size, FieldInfo, one filtered list per managed role); budget ≤ 1.1 ×, and no per-record read. The access review also reads the nested groups under the groups the mapping names from Graph (one request and its pages per group in each tree). Time: the read and the report, median of ${RUNS} runs (min–max), in-process simulators, no latency.`,
    '',
    '| identities | report | Halo requests (floor) | ÷ floor | per-record reads | Graph requests | time | within budget |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.users.toLocaleString('en-GB')} | ${r.report} | ${r.requests} (${r.floor}) | ${r.ratio} | ${r.detailReads} | ${r.graphRequests} | ${round(r.seconds)} s (${round(r.secondsRange[0])}–${round(r.secondsRange[1])}) | ${r.ratio <= 1.1 && r.detailReads === 0 ? 'yes' : '**no**'} |`),
    '',
    paints
      ? `**The report view** (dist/webview/reports.js in headless Chromium under the strict CSP, 10 000 agents, each report on a fresh page, ${RUNS} runs): first paint = from posting the report to the frame its first rows are in; chart = to the frame its chart is drawn. Budget: the panel's first paint, ≤ 100 ms.`
      : `**The report view**: not measured (${missing}).`,
    '',
    ...(paints
      ? ['| report | first paint | chart drawn | within budget |', '| --- | --- | --- | --- |', ...Object.entries(paints).map(([k, t]) => `| ${k} | ${round(median(t.paint))} ms (${round(Math.min(...t.paint))}–${round(Math.max(...t.paint))}) | ${round(median(t.chart))} ms | ${median(t.paint) <= 100 ? 'yes' : '**no**'} |`)]
      : []),
    END,
  ];
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  const section = lines.join('\n');
  fs.writeFileSync(file, doc.includes(START) ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
  process.stderr.write(`reports: ${rows.filter((r) => r.ratio <= 1.1 && r.detailReads === 0).length}/${rows.length} within budget\n`);
}

if (require.main === module) {
  benchReports(process.argv.includes('--quick')).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
