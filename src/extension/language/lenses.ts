import * as vscode from 'vscode';
import { toRange } from './convert';
import type { LanguageDeps } from './deps';
import { ruleHeads } from './outline-logic';
import type { ParseCache } from './parse-cache';
import { ruleLensTitle } from './rule-stats';
import { connectionsOf, directoryLabel, tenantOf } from '../../core/directories';
import type { Mapping } from '../../core/mapping';

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
    const lenses = [new vscode.CodeLens(top, { title: '$(debug-alt) Dry Run', tooltip: 'Plan against the directories and Halo without changing anything', command: 'haloIdentity.dryRun', arguments: [document.uri] })];
    if (vscode.workspace.isTrusted) {
      lenses.push(new vscode.CodeLens(top, { title: '$(cloud-upload) Apply', tooltip: 'Apply this mapping to Halo, after a confirmation', command: 'haloIdentity.apply', arguments: [document.uri] }));
    }
    try {
      const rules = this.deps.lastPlan(document.uri)?.rules;
      const parsed = this.cache.get(document);
      for (const head of ruleHeads(parsed)) {
        lenses.push(
          new vscode.CodeLens(toRange(document, head.range), {
            title: ruleLensTitle(rules, head.kind, head.rule, readsFrom(parsed.typed, head.kind, head.rule)),
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

/** Where a rule's identities come from, when the file reads more than one connection: `Okta (customers)`. */
function readsFrom(mapping: Mapping | null, kind: 'agent' | 'user', name: string): string | undefined {
  if (!mapping || connectionsOf(mapping).length < 2) return undefined;
  const rule = (kind === 'agent' ? mapping.agents : mapping.users)?.find((r) => r.rule === name);
  if (!rule) return undefined;
  const tenant = tenantOf(mapping, rule);
  return `${directoryLabel(mapping, tenant)} (${tenant})`;
}
