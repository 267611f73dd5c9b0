// `halo-identity report access|licences|orphans [FILE]`: the access review, licence hygiene and
// orphans as CSV, JSON or Markdown. A report reads, never writes; it exits 0 with its file, or 2
// with --fail-on when there is something to act on, so a scheduled pipeline can open a ticket.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { formatAccess, formatLicences, formatOrphans, ReportFormat } from '../core/reports/format';
import { connect } from '../engine/connections';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { accessOf, licencesOf, orphansOf, readForReports } from '../engine/reports';
import type { Io } from './main';
import { Progress } from './progress';

const KINDS = ['access', 'licences', 'orphans'] as const;
const FORMATS: ReportFormat[] = ['csv', 'json', 'md'];
const FAIL_ON = ['idle', 'orphans', 'ungranted'] as const;

export async function runReport(args: string[], io: Io): Promise<number> {
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
    if (kind === 'access') {
      const r = accessOf(conns, read, values.all);
      text = formatAccess(r, format, at);
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
