import * as vscode from 'vscode';
import type { Range } from '../../core/diagnostic';

export const LANGUAGE_ID = 'halo-identity';

/** A core range as an editor range, kept inside the document. */
export function toRange(document: vscode.TextDocument, r: Range): vscode.Range {
  return document.validateRange(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
}

export function isMappingDocument(document: vscode.TextDocument): boolean {
  return document.languageId === LANGUAGE_ID;
}
