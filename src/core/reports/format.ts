// The reports as files: CSV (RFC 4180, one row per line, for spreadsheets and auditors), JSON
// (everything, for pipelines) and Markdown (for a person or a ticket). Deterministic for the same
// inputs, apart from the report's own date.
import type { AccessReport, AccessRow } from './access';
import type { LicenceReport, LicenceRow } from './licences';
import type { OrphanReport } from './orphans';

export type ReportFormat = 'csv' | 'json' | 'md';

type Cell = string | number | boolean | null | undefined;

export function csv(header: string[], rows: Cell[][]): string {
  const quote = (v: Cell) => {
    const s = v === null || v === undefined ? '' : String(v);
    // A leading =, +, - or @ would be a formula in a spreadsheet: prefixed so it stays text.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

function mdTable(header: string[], rows: Cell[][]): string {
  const esc = (v: Cell) => (v === null || v === undefined ? '' : String(v)).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const ACCESS_HEADER = ['kind', 'halo_id', 'name', 'email', 'client', 'site', 'active', 'entra', 'grant_type', 'grant', 'provenance'];
const accessCells = (r: AccessRow): Cell[] => [r.kind, r.haloId, r.name, r.email, r.client, r.site, r.active, r.entra, r.grantType, r.grant, r.provenance.join('; ')];

export function formatAccess(report: AccessReport, format: ReportFormat, generatedAt: string): string {
  if (format === 'json') return JSON.stringify({ report: 'access', generatedAt, ...report }, null, 2) + '\n';
  if (format === 'csv') return csv(ACCESS_HEADER, report.rows.map(accessCells));
  const lines = [`# Access review`, '', `${generatedAt}: ${report.records} records, ${report.grants} grants, ${report.ungranted} not granted by the mapping.`];
  for (const kind of ['agent', 'user'] as const) {
    const rows = report.rows.filter((r) => r.kind === kind);
    if (!rows.length) continue;
    lines.push('', `## ${kind === 'agent' ? 'Agents' : 'Users'}`);
    let last = -1;
    for (const r of rows) {
      if (r.haloId !== last) {
        last = r.haloId;
        const where = [r.client, r.site].filter(Boolean).join(' / ');
        lines.push('', `### ${r.name} #${r.haloId}${r.active ? '' : ' (inactive)'}`, '', `${r.email ?? 'no email'}${where ? ` · ${where}` : ''} · Entra: ${r.entra ?? 'no identity'}`, '');
      }
      lines.push(r.grantType ? `- ${r.grantType} **${r.grant}**: ${r.provenance.join('; ')}` : '- holds no role, team or CAB seat');
    }
  }
  return lines.join('\n') + '\n';
}

export function formatLicences(report: LicenceReport, format: ReportFormat, generatedAt: string): string {
  if (format === 'json') return JSON.stringify({ report: 'licences', generatedAt, ...report }, null, 2) + '\n';
  const header = ['halo_id', 'name', 'email', 'licence', 'active', 'api_agent', 'last_login_halo', 'last_sign_in_entra', 'idle_days', 'entra', 'flags'];
  const cellsOf = (r: LicenceRow): Cell[] => [r.haloId, r.name, r.email, r.licence, r.active, r.apiAgent, r.lastLoginHalo, r.lastSignInEntra, r.idleDays, r.entra, r.flags.join('; ')];
  if (format === 'csv') return csv(header, report.rows.map(cellsOf));
  const c = report.cost;
  const lines = [
    '# Licences',
    '',
    `${generatedAt}: ${report.named} named and ${plural(report.concurrent, 'concurrent licence')} held by active agents; ${report.idle} idle for more than ${report.idleDaysLimit} days (or never signed in); ${plural(report.namedHeldByGone, 'named licence')} held by agents disabled or deleted in Entra; ${plural(report.apiAgents, 'API agent')} listed apart.`,
  ];
  if (c) lines.push('', `Named licences at ${c.perNamed} a month each: ${c.named} a month in all; ${c.idleNamed} a month held by idle agents; ${c.recoverable} a month recoverable (idle, or gone from Entra).`);
  const people = report.rows.filter((r) => !r.apiAgent);
  const api = report.rows.filter((r) => r.apiAgent);
  lines.push('', '## Agents', '', mdTable(header, people.map(cellsOf)));
  if (api.length) lines.push('', '## API agents', '', mdTable(header, api.map(cellsOf)));
  return lines.join('\n') + '\n';
}

export function formatOrphans(report: OrphanReport, format: ReportFormat, generatedAt: string): string {
  if (format === 'json') return JSON.stringify({ report: 'orphans', generatedAt, ...report }, null, 2) + '\n';
  const header = ['kind', 'halo_id', 'name', 'email', 'client', 'site', 'suggestions'];
  const cells = report.rows.map((r): Cell[] => [r.kind, r.haloId, r.name, r.email, r.client, r.site, r.suggestions.join('; ')]);
  if (format === 'csv') return csv(header, cells);
  return [
    '# Orphans',
    '',
    `${generatedAt}: ${plural(report.agents, 'agent')} and ${plural(report.users, 'user')} in managed scope that no Entra identity claims. Suggestions are for checking by hand; nothing is matched from them.`,
    '',
    mdTable(header, cells),
  ].join('\n') + '\n';
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
