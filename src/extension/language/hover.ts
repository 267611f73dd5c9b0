import * as vscode from 'vscode';
import type { LanguageDeps } from './deps';
import { hoverAt } from './hover-logic';

export class MappingHover implements vscode.HoverProvider {
  constructor(private readonly deps: LanguageDeps) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const found = hoverAt(document.getText(), document.offsetAt(position), this.deps.lastPlan(document.uri)?.rules);
      if (!found) return undefined;
      return new vscode.Hover(new vscode.MarkdownString(found.markdown), new vscode.Range(document.positionAt(found.start), document.positionAt(found.end)));
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
      return undefined;
    }
  }
}
