// An access review's decisions become a plan: each hand-granted role, team or CAB seat marked
// "revoke" is removed in Halo, through the normal confirmation and journal. A grant the mapping
// makes cannot be revoked here (the next plan would grant it again): it is fixed in Entra, and a
// review never writes to Entra.
import { Change, planOf, Plan } from '../changes';
import { nameKey } from '../values';
import type { AccessReport, AccessRow, GrantType } from './access';
import { NOT_GRANTED } from './terms';
import { csv } from './format';

import { DECISIONS, type Decision } from './terms';

export { DECISIONS, type Decision };

export interface ReviewDecision {
  kind: 'agent' | 'user';
  haloId: number;
  grantType: GrantType;
  grant: string;
  decision: Decision;
  reviewer: string;
  decidedAt: string;
  /** Where it is in the review sheet (1-based), for problems. */
  line?: number;
}

export interface ReviewProblem {
  /** 1-based line of the review file, when the problem is one line's. */
  line?: number;
  message: string;
}

/** The access rows as a review sheet: the CSV with empty decision, reviewer and decided_at columns to fill. */
export const REVIEW_HEADER = ['kind', 'halo_id', 'name', 'email', 'grant_type', 'grant', 'provenance', 'decision', 'reviewer', 'decided_at'];

export function reviewSheet(report: AccessReport, decisions: ReadonlyMap<string, ReviewDecision> = new Map()): string {
  const rows = report.rows.filter((r) => r.grantType !== '');
  return csv(
    REVIEW_HEADER,
    rows.map((r) => {
      const d = decisions.get(keyOf(r.kind, r.haloId, r.grantType as GrantType, r.grant));
      return [r.kind, r.haloId, r.name, r.email, r.grantType, r.grant, r.provenance.join('; '), d?.decision ?? '', d?.reviewer ?? '', d?.decidedAt ?? ''];
    }),
  );
}

export function keyOf(kind: string, haloId: number, type: GrantType, grant: string): string {
  return `${kind}\u0000${haloId}\u0000${type}\u0000${nameKey(grant)}`;
}

/** Decisions from a filled-in review sheet. Rows left undecided are left out; a bad row is a positioned problem. */
export function parseReview(text: string): { decisions: ReviewDecision[]; problems: ReviewProblem[] } {
  const records = parseCsv(text);
  const problems: ReviewProblem[] = [];
  const header = records[0]?.cells ?? [];
  const col = (name: string) => header.indexOf(name);
  const missing = ['kind', 'halo_id', 'grant_type', 'grant', 'decision', 'reviewer', 'decided_at'].filter((c) => col(c) < 0);
  if (missing.length) return { decisions: [], problems: [{ line: 1, message: `the review sheet has no ${missing.join(', ')} column: start from "report access --review-sheet"` }] };
  const decisions: ReviewDecision[] = [];
  for (const { line, cells } of records.slice(1)) {
    const get = (name: string) => (cells[col(name)] ?? '').trim();
    const decision = get('decision');
    if (!decision) continue;
    if (!(DECISIONS as readonly string[]).includes(decision)) {
      problems.push({ line, message: `decision "${decision}" is not one of ${DECISIONS.join(', ')}` });
      continue;
    }
    const kind = get('kind');
    const type = get('grant_type');
    const haloId = Number(get('halo_id'));
    if ((kind !== 'agent' && kind !== 'user') || !['role', 'team', 'cab'].includes(type) || !Number.isInteger(haloId)) {
      problems.push({ line, message: 'kind, halo_id or grant_type is not as the report wrote it' });
      continue;
    }
    if (!get('reviewer') || !get('decided_at') || !Number.isFinite(Date.parse(get('decided_at')))) {
      problems.push({ line, message: 'a decision needs the reviewer and decided_at (an ISO date): a review is signed off' });
      continue;
    }
    decisions.push({ kind, haloId, grantType: type as GrantType, grant: get('grant'), decision: decision as Decision, reviewer: get('reviewer'), decidedAt: get('decided_at'), line });
  }
  return { decisions, problems };
}

/**
 * The removals the "revoke" decisions ask for, checked against a fresh access report: a grant no
 * longer held is left out, one the mapping now grants is a problem (fix it in Entra instead).
 */
export function reviewPlan(decisions: ReviewDecision[], fresh: AccessReport): { plan: Plan; problems: ReviewProblem[] } {
  const rows = new Map<string, AccessRow>();
  for (const r of fresh.rows) if (r.grantType) rows.set(keyOf(r.kind, r.haloId, r.grantType, r.grant), r);
  const problems: ReviewProblem[] = [];
  const byRecord = new Map<string, Change>();
  for (const d of decisions) {
    if (d.decision !== 'revoke') continue;
    const row = rows.get(keyOf(d.kind, d.haloId, d.grantType, d.grant));
    if (!row) continue; // no longer held: nothing to remove
    if (row.provenance[0] !== NOT_GRANTED) {
      problems.push({ line: d.line, message: `${d.grantType} "${d.grant}" of ${d.kind} #${d.haloId} is granted by the mapping (${row.provenance.join('; ')}): the next plan would grant it again; fix it in Entra` });
      continue;
    }
    const key = `${d.kind}\u0000${d.haloId}`;
    let change = byRecord.get(key);
    if (!change) {
      change = { action: 'update', kind: d.kind, entraId: null, tenant: null, haloId: d.haloId, name: row.name, rule: null, reason: '', fields: {}, memberships: {} };
      byRecord.set(key, change);
    }
    const what = d.grantType === 'role' ? 'roles' : d.grantType === 'team' ? 'teams' : 'cabs';
    const delta = (change.memberships![what] ??= { add: [], remove: [] });
    delta.remove.push(row.grant);
    change.reason = [change.reason, `access review: revoked by ${d.reviewer} on ${d.decidedAt.slice(0, 10)}`].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join('; ');
  }
  return { plan: planOf([...byRecord.values()]), problems };
}

/** RFC 4180 records with the line each starts on (quoted fields may span lines). */
function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c !== '')) out.push({ line: start, cells: cells.map(unformula) });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c !== '')) out.push({ line: start, cells: cells.map(unformula) });
  return out;
}

/** Undoes the quote the CSV writer puts before a leading =, +, - or @. */
function unformula(cell: string): string {
  return /^'[=+\-@]/.test(cell) ? cell.slice(1) : cell;
}
