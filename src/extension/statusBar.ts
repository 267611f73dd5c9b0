// "$(diff) Halo: 12 pending" for the current mapping; click for the diff. Warning colours when
// the plan is blocked by a safety threshold or has errors.
import * as vscode from 'vscode';
import { Command } from './constants';
import type { MappingSession } from './session';
import type { Sessions } from './sessions';

export class PlanStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: Sessions) {
    this.item = vscode.window.createStatusBarItem('haloIdentity.plan', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Halo Identity Plan';
    this.item.command = Command.showDiff;
    this.disposables.push(
      this.item,
      sessions.onDidChangeCurrent(() => this.render()),
      sessions.onDidChangeSession((s) => {
        if (s === sessions.current()) this.render();
      }),
    );
    this.render();
  }

  private render(): void {
    const session = this.sessions.current();
    if (!session) {
      this.item.hide();
      return;
    }
    const { text, tooltip, warn } = describe(session);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function describe(session: MappingSession): { text: string; tooltip: vscode.MarkdownString; warn: boolean } {
  const tip = new vscode.MarkdownString(undefined, true);
  tip.isTrusted = false;
  tip.appendMarkdown(`**Halo Identity** · ${escape(session.displayName)}\n\n`);
  const view = session.planView;
  if (session.busy) {
    tip.appendText(session.busy);
    return { text: '$(sync~spin) Halo: planning…', tooltip: tip, warn: false };
  }
  if (!view) {
    tip.appendText('Not planned yet: click to read the directories and Halo and show the diff.');
    return { text: '$(diff) Halo', tooltip: tip, warn: false };
  }
  const { plan } = view;
  const s = plan.summary;
  tip.appendMarkdown(
    `| create | update | reactivate | deactivate | sites | unchanged |\n|---:|---:|---:|---:|---:|---:|\n| ${s.create} | ${s.update} | ${s.reactivate} | ${s.deactivate} | ${s.createSite} | ${s.unchanged} |\n\n`,
  );
  if (plan.blocked) tip.appendMarkdown(`$(warning) **Over a safety threshold:** ${escape(plan.blocked.reason)}\n\n`);
  if (plan.errors.length) tip.appendMarkdown(`$(error) ${plan.errors.length} identit${plan.errors.length === 1 ? 'y needs' : 'ies need'} attention\n\n`);
  if (view.mappingErrors) tip.appendMarkdown(`$(error) The mapping has ${view.mappingErrors} error${view.mappingErrors === 1 ? '' : 's'}: showing the last valid plan\n\n`);
  if (view.problem) tip.appendMarkdown(`$(error) ${escape(view.problem)}\n\n`);
  if (view.delegated.length) tip.appendMarkdown(`Entra read with a delegated sign-in (${escape(view.delegated.join(', '))}): for planning only\n\n`);
  tip.appendMarkdown(`Snapshots read ${new Date(view.snapshotAt).toLocaleTimeString()}`);
  const pending = plan.changes.length;
  const warn = plan.blocked !== null || plan.errors.length > 0 || view.mappingErrors > 0 || view.problem !== undefined;
  const icon = pending ? '$(diff)' : warn ? '$(warning)' : '$(check)';
  return { text: `${icon} Halo: ${pending ? `${pending} pending` : 'in sync'}`, tooltip: tip, warn };
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
