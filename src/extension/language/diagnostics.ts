import * as vscode from 'vscode';
import type { Severity } from '../../core/diagnostic';
import { LANGUAGE_ID, isMappingDocument, toRange } from './convert';
import type { LanguageDeps } from './deps';
import { MappingProblem, mappingProblems, quickFixes } from './diagnostics-logic';
import type { ParseCache } from './parse-cache';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

const SOURCE = 'Halo Identity';

/** Problems of every open mapping file, checked on open and shortly after each edit. */
export class MappingDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly cache: ParseCache,
    private readonly deps: LanguageDeps,
    private readonly delayMs = 150,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document, this.delayMs);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // Unknown-name checks depend on the live names; without their own event, they are taken
      // to change with the plan (both come from a snapshot read).
      (deps.onDidChangeLiveNames ?? deps.onDidChangePlan)(() => this.scheduleAll()),
    );
    this.scheduleAll();
  }

  /** Check `document` after `delay` ms; a later edit cancels the run pending for an earlier one. */
  schedule(document: vscode.TextDocument, delay: number): void {
    if (!isMappingDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    const version = document.version;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed && document.version === version && isMappingDocument(document)) this.validate(document);
      }, delay),
    );
  }

  private scheduleAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  validate(document: vscode.TextDocument): void {
    try {
      const started = Date.now();
      const problems = mappingProblems(this.cache.get(document), this.deps.liveNames(document.uri));
      this.collection.set(document.uri, problems.map((p) => toDiagnostic(p, document)));
      this.deps.log.debug(`checked ${document.uri.fsPath} in ${Date.now() - started} ms: ${problems.length} problem(s)`);
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
    }
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
    this.cache.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(p: MappingProblem, document: vscode.TextDocument): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(document, p.range), p.message, SEVERITY[p.severity]);
  d.code = p.code;
  d.source = SOURCE;
  const related = p.related.filter((r) => r.line >= 0 && r.line < document.lineCount);
  if (related.length) {
    d.relatedInformation = related.map((r) => {
      const line = document.lineAt(r.line);
      const range = new vscode.Range(r.line, line.firstNonWhitespaceCharacterIndex, r.line, line.range.end.character);
      return new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, range), r.message);
    });
  }
  if (p.unnecessary) d.tags = [vscode.DiagnosticTag.Unnecessary];
  return d;
}

/** "Change to 'X'" for problems that carry did-you-mean suggestions. */
export class MappingQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly cache: ParseCache,
    private readonly deps: LanguageDeps,
  ) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    try {
      // From the current text rather than the published diagnostics, which may lag an edit.
      const problems = mappingProblems(this.cache.get(document), this.deps.liveNames(document.uri));
      const actions: vscode.CodeAction[] = [];
      for (const p of problems) {
        if (!p.suggestions?.length) continue;
        const r = toRange(document, p.range);
        if (!r.intersection(range)) continue;
        const published = context.diagnostics.filter((d) => d.range.isEqual(r) && d.message === p.message);
        for (const fix of quickFixes(p, document.getText(r))) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(document.uri, r, fix.newText);
          action.isPreferred = fix.preferred;
          if (published.length) action.diagnostics = published;
          actions.push(action);
        }
      }
      return actions;
    } catch (e) {
      this.deps.log.error(e instanceof Error ? e : String(e));
      return [];
    }
  }
}
