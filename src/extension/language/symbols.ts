import * as vscode from 'vscode';
import type { LanguageDeps } from './deps';
import { OutlineKind, OutlineNode, outline } from './outline-logic';
import type { ParseCache } from './parse-cache';

const KINDS: Record<OutlineKind, vscode.SymbolKind> = {
  section: vscode.SymbolKind.Namespace,
  rule: vscode.SymbolKind.Function,
  entry: vscode.SymbolKind.Object,
  key: vscode.SymbolKind.Property,
  field: vscode.SymbolKind.Field,
};

export class MappingSymbols implements vscode.DocumentSymbolProvider {
  constructor(
    private readonly cache: ParseCache,
    private readonly deps: LanguageDeps,
  ) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    try {
      return outline(this.cache.get(document).document).map((n) => toSymbol(n, document));
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
      return [];
    }
  }
}

function toSymbol(n: OutlineNode, document: vscode.TextDocument): vscode.DocumentSymbol {
  const range = new vscode.Range(document.positionAt(n.start), document.positionAt(n.end));
  const selection = new vscode.Range(document.positionAt(n.selectionStart), document.positionAt(n.selectionEnd));
  // A symbol's name must not be empty, and its selection must lie inside its range.
  const symbol = new vscode.DocumentSymbol(n.name || '(unnamed)', n.detail, KINDS[n.kind], range, range.contains(selection) ? selection : range);
  symbol.children = n.children.map((c) => toSymbol(c, document));
  return symbol;
}
