// Apply and Apply Selected. Refused in an untrusted workspace and for plans read with a delegated
// Entra sign-in. Otherwise: a fresh read, a modal confirmation with the counts and the safety
// threshold (a second, explicit one when the plan is over it), then the batched writes in a
// cancellable notification, journalled in the state folder; the diff is refreshed afterwards.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Change, changeKey, Plan } from '../../core/changes';
import { countLine, summaryLine } from '../../core/render';
import { hostOf } from '../../core/urls';
import { selectChanges } from '../../core/selection';
import type { Connections } from '../../engine/connections';
import type { ApplyResult } from '../../engine/apply';
import type { ApplyRunOptions, PlanRun } from '../../engine/run';
import { Command } from '../constants';
import { isCancellation } from '../errors';
import { DiffPanel } from '../panel';
import { loadEngine } from '../lazy';
import { withCancellableProgress } from '../progress';
import { confirm, notify } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { isTrusted } from '../trust';
import { reportFailure } from './failures';

export interface ApplyOutcome {
  applied: number;
  failed: number;
  stale: number;
  skipped: number;
  cancelled: boolean;
  /** Changes still in the plan read after the apply (0: Halo matches the mapping). */
  remaining: number | undefined;
  journalFile: string;
}

export const APPLY_BUTTON = 'Apply';
export const CONTINUE_BUTTON = 'Continue…';
export const OVER_THRESHOLD_BUTTON = 'Apply over the threshold';
export const SAVE_BUTTON = 'Save and Apply';

/** Sessions with an apply under way: a second one waits for nothing and is refused. */
const applying = new WeakSet<MappingSession>();

export async function apply(svc: Services, session: MappingSession, keys?: string[]): Promise<ApplyOutcome | undefined> {
  const what = keys ? 'Apply Selected' : 'Apply';
  if (applying.has(session)) {
    notify('warning', `An apply of ${session.displayName} is already under way.`);
    return undefined;
  }
  applying.add(session);
  try {
    return await applyOnce(svc, session, what, keys);
  } finally {
    applying.delete(session);
  }
}

async function applyOnce(svc: Services, session: MappingSession, what: string, keys: string[] | undefined): Promise<ApplyOutcome | undefined> {
  if (!isTrusted()) {
    notify('error', `${what} is disabled in an untrusted workspace: it would write to Halo with your credentials. Trust the workspace to apply.`, {
      'Manage Workspace Trust': () => vscode.commands.executeCommand('workbench.trust.manage'),
    });
    return undefined;
  }
  if (keys && keys.length === 0) {
    notify('info', 'Nothing selected to apply.');
    return undefined;
  }
  if (!(await saved(session))) return undefined;

  let opened: { run: PlanRun; conns: Connections };
  try {
    opened = await withCancellableProgress('Halo Identity', (signal, report) => {
      report.message('Reading the directories and Halo to plan the apply…');
      return session.readOpen({ signal, onProgress: (m) => report.message(m), onDetail: (done, total) => report.fraction(done, total, 'Halo records read one by one') });
    });
  } catch (e) {
    if (!isCancellation(e)) reportFailure(svc, `${what} failed`, e, session);
    return undefined;
  }
  const { run, conns } = opened;
  let outcome: ApplyOutcome | undefined;
  try {
    outcome = await confirmAndApply(svc, session, run, conns, what, keys);
  } finally {
    conns.close();
  }
  if (!outcome) return undefined;
  svc.sessions.updateJournalKey();
  // What is left, read afresh: after a clean apply, nothing.
  const after = await session.read().catch((e) => {
    reportFailure(svc, 'Reading the directories and Halo after the apply failed', e, session);
    return undefined;
  });
  outcome.remaining = after?.plan.changes.length;
  return outcome;
}

async function confirmAndApply(svc: Services, session: MappingSession, run: PlanRun, conns: Connections, what: string, keys: string[] | undefined): Promise<ApplyOutcome | undefined> {
  const { plan } = run;
  const selection = keys ? selectChanges(plan, keys) : undefined;
  const selected = selection ? selection.changes : plan.changes;
  const wanted = selection ? new Set(selected.map(changeKey)) : undefined;
  const gone = selection ? selection.unknown.length : 0;
  if (!selected.length) {
    const errors = plan.errors.length ? ` ${plan.errors.length} identities need attention (see the diff).` : '';
    notify('info', wanted ? `None of the selected changes is still in the plan: Entra or Halo changed since the diff was made.${errors}` : `Nothing to apply: Halo matches the mapping.${errors}`);
    return undefined;
  }
  const { applyWith } = await loadEngine();
  return confirmAndWrite(svc, session, conns, {
    what,
    plan,
    changes: selected,
    summary: [
      wanted ? `${countLine(selected)} (selected in the diff${gone ? `; ${gone} selected change${gone === 1 ? ' is' : 's are'} no longer planned` : ''}).` : `${summaryLine(plan)}.`,
      selection?.needed.length ? `Also applied, as the selected users need them: ${neededLine(selection.needed)}.` : '',
    ],
    write: (common) => applyWith(conns, run, { ...common, only: wanted ? (c: Change) => wanted.has(changeKey(c)) : undefined }),
  });
}

/** A write to Halo as the person sees it: the modal with counts and thresholds, progress with cancel, the outcome. */
export interface ConfirmedWrite {
  what: string;
  /** The plan the changes come from (its thresholds and errors). */
  plan: Plan;
  changes: Change[];
  /** The first lines of the confirmation's detail. */
  summary: string[];
  write: (common: Pick<ApplyRunOptions, 'lock' | 'signal' | 'allowOverThreshold' | 'journalFile' | 'onProgress'>) => Promise<ApplyResult & { journalFile: string }>;
}

export async function confirmAndWrite(svc: Services, session: MappingSession, conns: Connections, w: ConfirmedWrite): Promise<ApplyOutcome | undefined> {
  const { what, plan } = w;
  const delegated = conns.directories.filter((e) => e.personal).map((e) => e.name);
  if (delegated.length) {
    notify('error', `${what} refused: Entra "${delegated.join('", "')}" was read with a delegated sign-in, which is for planning only. Apply needs the app registration's client secret or certificate, so what is applied does not depend on what one person's account can see.`, {
      'Sign in to Entra': () => vscode.commands.executeCommand(Command.signInEntra),
    });
    return undefined;
  }
  const { defaultJournalPath } = await loadEngine();
  const journalFile = defaultJournalPath(conns.stateDir);
  const detail = [
    ...w.summary,
    `Halo: ${hostOf(conns.mapping.halo.url)}`,
    thresholdLine(plan, conns),
    plan.errors.length ? `${plan.errors.length} identit${plan.errors.length === 1 ? 'y has' : 'ies have'} plan errors and will be left alone.` : '',
    `Journal: ${vscode.workspace.asRelativePath(journalFile)}`,
  ].filter(Boolean).join('\n');
  const n = w.changes.length;
  const first = await confirm('warning', `${what}: write ${n} change${n === 1 ? '' : 's'} to Halo?`, detail, plan.blocked ? CONTINUE_BUTTON : APPLY_BUTTON);
  if (!first) return undefined;
  if (plan.blocked) {
    const second = await confirm(
      'warning',
      'This plan is over a safety threshold.',
      `${plan.blocked.reason}.\n\nThe threshold exists to stop mass changes caused by a mistake in the mapping or in Entra. Apply only if you have checked the plan in the diff.`,
      OVER_THRESHOLD_BUTTON,
    );
    if (second !== OVER_THRESHOLD_BUTTON) return undefined;
    svc.log.warn(`${what}: applying over the threshold (${plan.blocked.reason}) on explicit confirmation.`);
  }

  let result;
  session.setBusy(`${what}: writing to Halo…`);
  try {
    result = await withCancellableProgress(`Halo Identity: ${what}`, (signal, report) =>
      w.write({ lock: { what: `VS Code: ${what}` }, signal, allowOverThreshold: plan.blocked !== null, journalFile, onProgress: (p) => report.fraction(p.done, p.total, p.message) }),
    );
  } catch (e) {
    reportFailure(svc, `${what} failed`, e, session);
    svc.sessions.updateJournalKey();
    return undefined;
  } finally {
    session.setBusy(undefined);
  }
  const outcome: ApplyOutcome = { applied: result.applied, failed: result.failed, stale: result.stale, skipped: result.skipped, cancelled: result.cancelled, remaining: undefined, journalFile: result.journalFile };
  for (const p of result.problems) svc.log.warn(`${what}: ${p.action} ${p.kind} "${p.name}": ${p.message}`);
  svc.log.info(`${what}: ${result.applied} applied, ${result.failed} failed, ${result.stale} stale, ${result.skipped} not attempted${result.cancelled ? ', cancelled' : ''}. Journal ${result.journalFile}`);
  if (DiffPanel.currentPanel?.boundSession === session) {
    DiffPanel.currentPanel.post({ type: 'applied', applied: result.applied, failed: result.failed, stale: result.stale, cancelled: result.cancelled, journalFile: vscode.workspace.asRelativePath(result.journalFile) });
  }
  const clean = !result.failed && !result.stale && !result.skipped && !result.cancelled;
  const parts = [`${result.applied} applied`];
  if (result.failed) parts.push(`${result.failed} failed`);
  if (result.stale) parts.push(`${result.stale} stale (changed in Halo since the plan)`);
  if (result.skipped) parts.push(`${result.skipped} not attempted`);
  const stopped = result.cancelled ? ' Cancelled between batches.' : result.stoppedBy ? ` Stopped: ${result.stoppedBy}` : '';
  const actions: Record<string, () => unknown> = {
    'Open Journal': () => vscode.window.showTextDocument(vscode.Uri.file(result.journalFile), { preview: true }),
  };
  if (!clean) actions['Show Log'] = () => svc.log.show();
  notify(clean ? 'info' : 'warning', `${what}: ${parts.join(', ')}.${stopped}`, actions);
  return outcome;
}

/** Apply works from the file as saved: the one that is reviewed and committed. */
async function saved(session: MappingSession): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === session.uri.toString());
  if (!doc?.isDirty) return true;
  const answer = await confirm('warning', `${path.basename(session.file)} has unsaved changes.`, 'Apply uses the mapping as saved, the file that is reviewed and committed.', SAVE_BUTTON);
  if (answer !== SAVE_BUTTON) return false;
  return doc.save();
}

function thresholdLine(plan: Plan, conns: Connections): string {
  if (plan.blocked) return `Over the safety threshold: ${plan.blocked.reason}.`;
  const s = conns.mapping.safety;
  const limits = [s?.maxDeactivations !== undefined ? `maxDeactivations ${s.maxDeactivations}` : '', s?.maxChanges !== undefined ? `maxChanges ${s.maxChanges}` : ''].filter(Boolean);
  return limits.length ? `Within the safety thresholds (${limits.join(', ')}).` : 'No safety thresholds set (safety.maxDeactivations, safety.maxChanges).';
}


/** `sites "Bristol", "Glasgow" to create`. */
function neededLine(needed: Change[]): string {
  return `${needed.length === 1 ? 'site' : 'sites'} ${needed.map((c) => `"${c.name}"`).join(', ')} to create`;
}
