// The one file the report view (webview/reports) and its host (src/extension/reportPanel.ts) both
// import: what each may send the other. Messages from the webview are checked before use.
import type { AccessReport } from '../src/core/reports/access';
import type { LicenceReport } from '../src/core/reports/licences';
import type { OrphanReport } from '../src/core/reports/orphans';

import { DECISIONS, type Decision } from '../src/core/reports/terms';

export type ReportKind = 'access' | 'licences' | 'orphans';
export const REVIEW_DECISIONS = DECISIONS;
export type ReviewChoice = Decision;

export type ReportData = { kind: 'access'; report: AccessReport } | { kind: 'licences'; report: LicenceReport } | { kind: 'orphans'; report: OrphanReport };

export type ReportHostMessage =
  | ({ type: 'report'; generatedAt: string; mapping: string } & ReportData)
  | { type: 'reviewSaved'; file: string }
  | { type: 'error'; message: string };

/** A decision on one access row, by the row's key (kind, Halo id, grant type, grant). */
export interface ReviewMark {
  kind: 'agent' | 'user';
  haloId: number;
  grantType: 'role' | 'team' | 'cab';
  grant: string;
  decision: ReviewChoice;
}

export type ReportViewMessage = { type: 'ready' } | { type: 'saveReview'; marks: ReviewMark[]; apply: boolean };

const MAX_MARKS = 200_000;

/** A message from the webview as the host may act on it, or null when it is not one. */
export function parseReportViewMessage(raw: unknown): ReportViewMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type !== 'saveReview' || typeof m.apply !== 'boolean' || !Array.isArray(m.marks) || m.marks.length > MAX_MARKS) return null;
  const marks: ReviewMark[] = [];
  for (const x of m.marks as unknown[]) {
    const r = x as Record<string, unknown>;
    if (!r || (r.kind !== 'agent' && r.kind !== 'user') || !Number.isInteger(r.haloId) || !['role', 'team', 'cab'].includes(String(r.grantType))) return null;
    if (typeof r.grant !== 'string' || r.grant.length > 500 || !(REVIEW_DECISIONS as readonly unknown[]).includes(r.decision)) return null;
    marks.push({ kind: r.kind, haloId: r.haloId as number, grantType: r.grantType as ReviewMark['grantType'], grant: r.grant, decision: r.decision as ReviewChoice });
  }
  return { type: 'saveReview', marks, apply: m.apply };
}
