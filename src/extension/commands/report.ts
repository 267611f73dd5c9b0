// Show Report: the access review, licence hygiene and orphans in the report view. In the access
// review a reviewer's marks are saved beside the mapping as the signed-off review sheet (reviewer,
// time, decision per grant), and its revokes can be applied through the same confirmation as Apply.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summaryLine } from '../../core/render';
import type { AccessReport } from '../../core/reports/access';
import type { ReviewDecision } from '../../core/reports/review';
import type { ReportData, ReportKind, ReviewMark } from '../../../webview/report-protocol';
import { isCancellation } from '../errors';
import { loadEngine } from '../lazy';
import { withCancellableProgress } from '../progress';
import { input, notify, pick } from '../prompts';
import { DiffPanel } from '../panel';
import { ReportPanel } from '../reportPanel';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { type ApplyOutcome, confirmAndWrite } from './apply';
import { readConnected } from './connected';
import { reportFailure } from './failures';

const TITLES: Record<ReportKind, string> = { access: 'Access review', licences: 'Licences', orphans: 'Orphans' };

export async function showReport(svc: Services, session: MappingSession, kind?: ReportKind): Promise<ReportData | undefined> {
  const chosen = kind ?? (await pick((Object.keys(TITLES) as ReportKind[]).map((k) => ({ label: TITLES[k], report: k })), { title: 'Which report?' }))?.report;
  if (!chosen) return undefined;
  let data: ReportData;
  let generatedAt: string;
  try {
    ({ data, generatedAt } = await withCancellableProgress(`Halo Identity: ${TITLES[chosen]}`, async (signal, report) => {
      report.message('Reading the directories and Halo…');
      const conns = await session.connect(await session.load(), signal);
      try {
        const { readForReports, accessOf, licencesOf, orphansOf } = await loadEngine();
        const read = await readForReports(conns, { groupPaths: chosen === 'access', signal, onProgress: (m) => report.message(m) });
        const d: ReportData = chosen === 'access' ? { kind: 'access', report: accessOf(conns, read) } : chosen === 'licences' ? { kind: 'licences', report: licencesOf(conns, read) } : { kind: 'orphans', report: orphansOf(conns, read) };
        return { data: d, generatedAt: read.snapshots.takenAt };
      } finally {
        conns.close();
      }
    }));
  } catch (e) {
    if (!isCancellation(e)) reportFailure(svc, `${TITLES[chosen]} failed`, e, session);
    return undefined;
  }
  ReportPanel.show({ extensionUri: svc.context.extensionUri, log: svc.log, saveReview: (marks, apply) => saveReview(svc, session, data, marks, apply) }, { type: 'report', generatedAt, mapping: session.displayName, ...data });
  return data;
}

/** Writes the signed-off sheet beside the mapping; with `apply`, removes what it revokes (confirmed, journalled). */
export async function saveReview(svc: Services, session: MappingSession, data: ReportData, marks: ReviewMark[], apply: boolean): Promise<{ file: string; outcome?: ApplyOutcome } | undefined> {
  if (data.kind !== 'access') return undefined;
  const reviewer = await input({ prompt: 'Reviewer (saved with each decision)', value: userName() });
  if (!reviewer) return undefined;
  const { keyOf, reviewSheet } = await loadEngine();
  const decidedAt = new Date().toISOString();
  const decisions: ReviewDecision[] = marks.map((m) => ({ ...m, reviewer, decidedAt }));
  const byKey = new Map(decisions.map((d) => [keyOf(d.kind, d.haloId, d.grantType, d.grant), d]));
  const file = path.join(path.dirname(session.file), `halo-identity.access-review-${decidedAt.slice(0, 19).replace(/[:T]/g, '-')}.csv`);
  fs.writeFileSync(file, reviewSheet(data.report, byKey));
  svc.log.info(`Access review by ${reviewer}: ${decisions.length} decisions saved to ${file}.`);
  ReportPanel.current?.post({ type: 'reviewSaved', file: vscode.workspace.asRelativePath(file) });
  if (!apply) {
    notify('info', `Access review saved: ${vscode.workspace.asRelativePath(file)}.`);
    return { file };
  }
  return { file, outcome: await applyReview(svc, session, decisions) };
}

async function applyReview(svc: Services, session: MappingSession, decisions: ReviewDecision[]): Promise<ApplyOutcome | undefined> {
  const { readForReports, accessOf, gatePrepared, applyPrepared, reviewPlan } = await loadEngine();
  const opened = await readConnected(svc, session, 'Applying the access review', 'Reading Halo again to check the review against it…', async (conns, signal) => {
    const read = await readForReports(conns, { signal });
    const fresh: AccessReport = accessOf(conns, read);
    const { plan, problems } = reviewPlan(decisions, fresh);
    return { plan: problems.length ? plan : await gatePrepared(conns, plan, read.snapshots), problems };
  });
  if (!opened) return undefined;
  const { conns, value: { plan, problems } } = opened;
  try {
    if (problems.length) {
      for (const p of problems) svc.log.warn(`Access review: ${p.message}`);
      notify('error', `The access review was saved but not applied: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more, in the log)` : ''}.`, { 'Show Log': () => svc.log.show() });
      return undefined;
    }
    if (!plan.changes.length) {
      notify('info', 'Nothing to revoke: the review marks no grant made by hand that Halo still holds.');
      return undefined;
    }
    // The revokes as a plan in the diff panel while the person decides.
    session.showPlan(plan, 'The revokes of the access review, not yet applied: confirm in the dialog, or Refresh Snapshots to see the mapping\'s plan again.');
    DiffPanel.createOrShow(svc.panel, session);
    const outcome = await confirmAndWrite(svc, session, conns, {
      what: 'Apply Access Review',
      plan,
      changes: plan.changes,
      summary: [`Revokes of the access review: ${summaryLine(plan)}.`],
      write: (common) => applyPrepared(conns, plan, common),
    });
    svc.sessions.updateJournalKey();
    // Back to the mapping's own plan, read afresh.
    await session.read().catch((e) => reportFailure(svc, 'Reading the directories and Halo after the review failed', e, session));
    return outcome;
  } finally {
    conns.close();
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
