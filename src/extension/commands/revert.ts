// Revert: the inverse of an apply, from its journal, shown in the diff panel, then written through
// the same confirmation as Apply (thresholds over the records in managed scope now, the run lock).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summaryLine } from '../../core/render';
import { loadEngine } from '../lazy';
import { DiffPanel } from '../panel';
import { notify, pick } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { isTrusted } from '../trust';
import type { ApplyOutcome } from './apply';
import { confirmAndWrite } from './apply';
import { readConnected } from './connected';
import { reportFailure } from './failures';

/** `journal`: a journal file (from a caller or the explorer); else the person picks one, newest first. */
export async function revert(svc: Services, session: MappingSession, journal?: string): Promise<ApplyOutcome | undefined> {
  if (!isTrusted()) {
    notify('error', 'Revert is disabled in an untrusted workspace: it would write to Halo with your credentials. Trust the workspace to revert.');
    return undefined;
  }
  const file = journal ?? (await pickJournal(session));
  if (!file) return undefined;
  const name = path.basename(file);
  const { readJournal, revertWith, applyPrepared } = await loadEngine();
  const opened = await readConnected(svc, session, 'Revert', 'Reading the directories and Halo to check the safety thresholds…', (conns) => revertWith(conns, readJournal(file), name));
  if (!opened) return undefined;
  const { conns, value: inverse } = opened;
  try {
    if (!inverse.changes.length) {
      notify('info', `${name} wrote nothing that can be reverted.`);
      return undefined;
    }
    session.showPlan(inverse, `The revert of ${name}, not yet applied: confirm in the dialog, or Refresh Snapshots to see the mapping's plan again.`);
    DiffPanel.createOrShow(svc.panel, session);
    const outcome = await confirmAndWrite(svc, session, conns, {
      what: 'Revert',
      plan: inverse,
      changes: inverse.changes,
      summary: [`The inverse of ${name}: ${summaryLine(inverse)}.`],
      write: (common) => applyPrepared(conns, inverse, common),
    });
    svc.sessions.updateJournalKey();
    // Back to the mapping's own plan, read afresh.
    await session.read().catch((e) => reportFailure(svc, 'Reading the directories and Halo after the revert failed', e, session));
    return outcome;
  } finally {
    conns.close();
  }
}

async function pickJournal(session: MappingSession): Promise<string | undefined> {
  const dir = path.join(session.stateDir, 'journals');
  const files = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ file: path.join(dir, f), mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  if (!files.length) {
    notify('info', `No apply journal to revert for ${session.displayName}: each Apply writes one in ${vscode.workspace.asRelativePath(dir)}.`);
    return undefined;
  }
  const chosen = await pick(
    files.map((f) => ({ label: path.basename(f.file), description: new Date(f.mtime).toLocaleString(), file: f.file })),
    { title: 'Revert which apply?', placeHolder: 'The journal of the apply to undo (newest first)' },
  );
  return chosen?.file;
}
