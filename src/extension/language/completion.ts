import * as vscode from 'vscode';
import { CompletionEntry, CompletionKind, completeAt } from './completion-logic';
import type { LanguageDeps } from './deps';

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  field: vscode.CompletionItemKind.Field,
  attribute: vscode.CompletionItemKind.Field,
  enum: vscode.CompletionItemKind.EnumMember,
  value: vscode.CompletionItemKind.Value,
  name: vscode.CompletionItemKind.Reference,
  snippet: vscode.CompletionItemKind.Snippet,
};

export const TRIGGER_CHARACTERS = [':', ' ', '-'];

export class MappingCompletions implements vscode.CompletionItemProvider {
  constructor(private readonly deps: LanguageDeps) {}

  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): vscode.CompletionItem[] {
    try {
      const trigger = context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter ? context.triggerCharacter : undefined;
      const entries = completeAt(document.getText(), document.offsetAt(position), this.deps.liveNames(document.uri), trigger);
      return entries.map((e) => toItem(e, document, position));
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
      return [];
    }
  }
}

function toItem(e: CompletionEntry, document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem {
  const item = new vscode.CompletionItem(e.label, KINDS[e.kind]);
  item.detail = e.detail;
  if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
  item.insertText = e.snippet ? new vscode.SnippetString(e.insertText) : e.insertText;
  let range = new vscode.Range(document.positionAt(e.start), document.positionAt(e.end));
  // The editor rejects a range that spans lines or leaves out the cursor.
  if (!range.isSingleLine || !range.contains(position)) range = new vscode.Range(position, position);
  item.range = range;
  item.sortText = e.sortText;
  if (e.filterText !== undefined) item.filterText = e.filterText;
  if (e.preselect) item.preselect = true;
  if (e.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };
  return item;
}
