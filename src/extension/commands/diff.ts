// Show Diff, Refresh Snapshots, Dry Run: read the directories and Halo, plan, show the plan in the panel
// (and, for Dry Run, write it beside the mapping for review).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { planJson, renderMarkdown, summaryLine } from '../../core/render';
import type { PlanRun } from '../../engine/run';
import { config } from '../config';
import { isCancellation } from '../errors';
import { DiffPanel } from '../panel';
import { withCancellableProgress } from '../progress';
import { notify } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { reportFailure } from './failures';

/**
 * Reads both sides with a cancellable notification; undefined when cancelled or failed (reported).
 * `incremental`: Entra from its cached snapshot brought up to date with delta queries.
 */
export async function readWithProgress(svc: Services, session: MappingSession, incremental = false): Promise<PlanRun | undefined> {
  try {
    return await withCancellableProgress('Halo Identity', (signal, report) => {
      report.message('Reading the directories and Halo…');
      return session.read({ signal, incremental, onProgress: (m) => report.message(m), onDetail: (done, total) => report.fraction(done, total, 'Halo records read one by one') });
    });
  } catch (e) {
    if (!isCancellation(e)) reportFailure(svc, 'Planning failed', e, session);
    return undefined;
  }
}

export async function showDiff(svc: Services, uri?: vscode.Uri): Promise<void> {
  const session = svc.sessions.require(uri);
  DiffPanel.createOrShow(svc.panel, session);
  if (!session.planView && !session.busy) await readWithProgress(svc, session);
}

/** Refresh Snapshots reads Entra incrementally (delta queries on the cache beside the mapping); `full` re-reads it all. */
export async function refreshSnapshots(svc: Services, uri?: vscode.Uri, options: { full?: boolean } = {}): Promise<void> {
  const session = svc.sessions.require(uri);
  await readWithProgress(svc, session, !options.full);
}

export interface DryRunResult {
  json: string;
  markdown: string;
  changes: number;
  errors: number;
  blocked: boolean;
}

export async function dryRun(svc: Services, uri?: vscode.Uri): Promise<DryRunResult | undefined> {
  const session = svc.sessions.require(uri);
  const dirty = vscode.workspace.textDocuments.some((d) => d.uri.toString() === session.uri.toString() && d.isDirty);
  const run = await readWithProgress(svc, session);
  if (!run) return undefined;
  DiffPanel.createOrShow(svc.panel, session);
  const { json, markdown } = planFiles(session);
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, planJson(run.plan));
  fs.writeFileSync(markdown, renderMarkdown(run.plan));
  svc.log.info(`Dry run of ${session.displayName}: wrote ${json} and ${markdown}.`);
  const p = run.plan;
  const notes = [p.blocked ? ` Blocked: ${p.blocked.reason}.` : '', p.errors.length ? ` ${p.errors.length} identities need attention.` : '', dirty ? ' (Planned from the unsaved editor text.)' : ''].join('');
  notify(p.blocked || p.errors.length ? 'warning' : 'info', `Dry run: ${summaryLine(p)}.${notes} Plan written to ${vscode.workspace.asRelativePath(markdown)}.`, {
    'Open Markdown': () => vscode.window.showTextDocument(vscode.Uri.file(markdown), { preview: true }),
    'Open JSON': () => vscode.window.showTextDocument(vscode.Uri.file(json), { preview: true }),
  });
  return { json, markdown, changes: p.changes.length, errors: p.errors.length, blocked: p.blocked !== null };
}

/** halo-identity.yaml → halo-identity.plan.json and .plan.md, beside it or in the output folder. */
export function planFiles(session: MappingSession): { json: string; markdown: string } {
  const base = path.basename(session.file).replace(/\.ya?ml$/i, '');
  const setting = config.planOutputFolder(session.uri);
  const root = vscode.workspace.getWorkspaceFolder(session.uri)?.uri.fsPath ?? path.dirname(session.file);
  const dir = setting ? path.resolve(root, setting) : path.dirname(session.file);
  return { json: path.join(dir, `${base}.plan.json`), markdown: path.join(dir, `${base}.plan.md`) };
}
