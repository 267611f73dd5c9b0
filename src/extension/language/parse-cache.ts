// One parse per document version, shared by diagnostics, quick fixes, CodeLens and the outline.
// The parser (with its compiled schema) is loaded on first use, not when the extension starts.
import type * as vscode from 'vscode';
import type { ParsedMapping } from '../../core/parse';

type ParseModule = typeof import('../../core/parse');
let parser: ParseModule | undefined;

function parseMapping(text: string): ParsedMapping {
  parser ??= require('../../core/parse') as ParseModule;
  return parser.parseMapping(text);
}

export class ParseCache {
  private readonly entries = new Map<string, { version: number; parsed: ParsedMapping }>();

  get(document: vscode.TextDocument): ParsedMapping {
    const key = document.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === document.version) return hit.parsed;
    const parsed = parseMapping(document.getText());
    this.entries.set(key, { version: document.version, parsed });
    return parsed;
  }

  delete(uri: vscode.Uri): void {
    this.entries.delete(uri.toString());
  }

  clear(): void {
    this.entries.clear();
  }
}
