// `halo-identity report access|licences|orphans [FILE]`: the access review, licence hygiene and
// orphans as CSV, JSON or Markdown. A report reads, never writes; it exits 0 with its file, or 2
// with --fail-on when there is something to act on, so a scheduled pipeline can open a ticket.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { renderText, summaryLine } from '../core/render';
import type { AccessReport } from '../core/reports/access';
import { formatAccess, formatLicences, formatOrphans, ReportFormat } from '../core/reports/format';
import { parseReview, reviewPlan, reviewSheet } from '../core/reports/review';
import { connect, Connections } from '../engine/connections';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { accessOf, licencesOf, orphansOf, readForReports, type ReportRead } from '../engine/reports';
import { applyPrepared, gatePrepared } from '../engine/run';
import type { Io } from './main';
import { Progress } from './progress';

const KINDS = ['access', 'licences', 'orphans'] as const;
const FORMATS: ReportFormat[] = ['csv', 'json', 'md'];
const FAIL_ON = ['idle', 'orphans', 'ungranted'] as const;

export async function runReport(args: string[], io: Io, confirm: (what: string) => Promise<boolean>): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'md' },
      out: { type: 'string' },
      all: { type: 'boolean' },
      'idle-days': { type: 'string' },
      'licence-cost': { type: 'string' },
      'fail-on': { type: 'string', multiple: true },
      'no-group-paths': { type: 'boolean' },
      'review-sheet': { type: 'boolean' },
      'apply-review': { type: 'string' },
      yes: { type: 'boolean' },
    },
  });
  const [kind, file] = positionals;
  if (!KINDS.includes(kind as (typeof KINDS)[number])) throw new Error(`report needs one of ${KINDS.join(', ')}: halo-identity report access [FILE]`);
  const format = values.format as ReportFormat;
  if (!FORMATS.includes(format)) throw new Error(`--format takes ${FORMATS.join(', ')}, not "${values.format}"`);
  const failOn = values['fail-on'] ?? [];
  for (const f of failOn) if (!FAIL_ON.includes(f as (typeof FAIL_ON)[number])) throw new Error(`--fail-on takes ${FAIL_ON.join(', ')}, not "${f}"`);
  const idleDays = count(values['idle-days'], '--idle-days');
  const cost = count(values['licence-cost'], '--licence-cost');

  const m = readMappingFile(file ?? 'halo-identity.yaml');
  const conns = await connect(validMapping(m), { baseDir: m.baseDir });
  const progress = new Progress(io.stderr);
  try {
    const read = await readForReports(conns, { groupPaths: kind === 'access' && !values['no-group-paths'], onProgress: (s) => progress.step(s) });
    progress.clear();
    const at = read.snapshots.takenAt;
    let text: string;
    let found: Record<(typeof FAIL_ON)[number], number> = { idle: 0, orphans: 0, ungranted: 0 };
    if (kind === 'access' && values['apply-review']) {
      return await applyReview(conns, read, accessOf(conns, read, values.all), values['apply-review'], values.yes === true, io, confirm);
    }
    if (kind === 'access') {
      const r = accessOf(conns, read, values.all);
      text = values['review-sheet'] ? reviewSheet(r) : formatAccess(r, format, at);
      found = { ...found, ungranted: r.ungranted };
    } else if (kind === 'licences') {
      const r = licencesOf(conns, read, { idleDays, costPerNamed: cost });
      text = formatLicences(r, format, at);
      found = { ...found, idle: r.idle + r.namedHeldByGone };
    } else {
      const r = orphansOf(conns, read);
      text = formatOrphans(r, format, at);
      found = { ...found, orphans: r.rows.length };
    }
    if (values.out) {
      fs.writeFileSync(values.out, text);
      io.stderr.write(`Wrote ${values.out}.\n`);
    } else io.stdout.write(text);
    const hits = failOn.filter((f) => found[f as (typeof FAIL_ON)[number]] > 0);
    for (const f of hits) io.stderr.write(`--fail-on ${f}: ${found[f as (typeof FAIL_ON)[number]]} found.\n`);
    return hits.length ? 2 : 0;
  } finally {
    progress.clear();
    conns.close();
  }
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} takes a number, not "${value}"`);
  return n;
}

/** `report access --apply-review FILE`: the sheet's revoke decisions as a plan, shown, confirmed, applied. */
async function applyReview(conns: Connections, read: ReportRead, fresh: AccessReport, file: string, yes: boolean, io: Io, confirm: (what: string) => Promise<boolean>): Promise<number> {
  const { decisions, problems } = parseReview(fs.readFileSync(file, 'utf8'));
  const { plan, problems: stale } = reviewPlan(decisions, fresh);
  for (const p of [...problems, ...stale]) io.stderr.write(`${file}${p.line ? `:${p.line}` : ''}: error: ${p.message}\n`);
  if (problems.length || stale.length) {
    io.stderr.write('The review has problems; nothing was written.\n');
    return 1;
  }
  io.stdout.write(renderText(plan));
  if (!plan.changes.length) {
    io.stderr.write('Nothing to revoke: every revoke decision is already carried out.\n');
    return 0;
  }
  // The thresholds over the read the review was checked against: no second read.
  const gated = await gatePrepared(conns, plan, read.snapshots);
  if (gated.blocked) {
    io.stderr.write(`Review refused: ${gated.blocked.reason}.\n`);
    return 1;
  }
  if (!yes && !(await confirm(`revoke ${decisions.filter((d) => d.decision === 'revoke').length} grants (${summaryLine(gated)}) in Halo`))) return 1;
  const result = await applyPrepared(conns, gated, { lock: { what: 'halo-identity report access --apply-review' } });
  io.stdout.write(`\nReview: ${result.applied} applied, ${result.failed} failed, ${result.stale} stale.\nJournal: ${result.journalFile}\n`);
  for (const p of result.problems) io.stdout.write(`  ! ${p.action} ${p.kind} "${p.name}": ${p.message}\n`);
  return result.failed || result.stale || result.skipped ? 1 : 0;
}
