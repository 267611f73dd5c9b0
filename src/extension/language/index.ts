// Language features for mapping files from our own providers: no other extension is needed.
// Registration does no parsing; the first parse happens when a mapping file is shown.
import * as vscode from 'vscode';
import { MappingCompletions, TRIGGER_CHARACTERS } from './completion';
import { LANGUAGE_ID } from './convert';
import type { LanguageDeps } from './deps';
import { MappingDiagnostics, MappingQuickFixes } from './diagnostics';
import { MappingHover } from './hover';
import { MappingLenses } from './lenses';
import { ParseCache } from './parse-cache';
import { MappingSymbols } from './symbols';

export type { LanguageDeps, LanguageLog } from './deps';
export { LANGUAGE_ID } from './convert';

export function registerLanguageFeatures(context: vscode.ExtensionContext, deps: LanguageDeps): vscode.Disposable {
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  const cache = new ParseCache();
  const lenses = new MappingLenses(cache, deps);
  const all = vscode.Disposable.from(
    new MappingDiagnostics(cache, deps),
    lenses,
    vscode.languages.registerCompletionItemProvider(selector, new MappingCompletions(deps), ...TRIGGER_CHARACTERS),
    vscode.languages.registerHoverProvider(selector, new MappingHover(deps)),
    vscode.languages.registerCodeActionsProvider(selector, new MappingQuickFixes(cache, deps), { providedCodeActionKinds: MappingQuickFixes.kinds }),
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerDocumentSymbolProvider(selector, new MappingSymbols(cache, deps), { label: 'Halo Identity' }),
    { dispose: () => cache.clear() },
  );
  context.subscriptions.push(all);
  return all;
}
