import * as vscode from 'vscode';
import { toRange } from './convert';
import type { LanguageDeps } from './deps';
import { ruleHeads } from './outline-logic';
import type { ParseCache } from './parse-cache';
import { ruleLensTitle } from './rule-stats';

/** Dry Run and Apply above the file; above each rule, what the last plan found for it. */
export class MappingLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly cache: ParseCache,
    private readonly deps: LanguageDeps,
  ) {
    this.disposables = [
      this.changed,
      deps.onDidChangePlan(() => this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '$(debug-alt) Dry Run', tooltip: 'Plan against Entra and Halo without changing anything', command: 'haloIdentity.dryRun', arguments: [document.uri] })];
    if (vscode.workspace.isTrusted) {
      lenses.push(new vscode.CodeLens(top, { title: '$(cloud-upload) Apply', tooltip: 'Apply this mapping to Halo, after a confirmation', command: 'haloIdentity.apply', arguments: [document.uri] }));
    }
    try {
      const rules = this.deps.lastPlan(document.uri)?.rules;
      for (const head of ruleHeads(this.cache.get(document))) {
        lenses.push(
          new vscode.CodeLens(toRange(document, head.range), {
            title: ruleLensTitle(rules, head.kind, head.rule),
            tooltip: `Show the changes of rule ${head.rule} in the diff`,
            command: 'haloIdentity.showDiff',
            arguments: [document.uri, { kind: head.kind, rule: head.rule }],
          }),
        );
      }
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
