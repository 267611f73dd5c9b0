// Small, positioned edits of a mapping file (a reference here, a credential block there), made
// through the editor so they can be undone; a file without unsaved changes is saved after.
import * as vscode from 'vscode';
import type { ParsedMapping, Path, Range } from '../core/parse';

export interface MappingEdit {
  range: Range;
  text: string;
}

const toRange = (r: Range) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

export async function applyMappingEdits(uri: vscode.Uri, edits: MappingEdit[]): Promise<boolean> {
  if (!edits.length) return true;
  const doc = await vscode.workspace.openTextDocument(uri);
  const wasDirty = doc.isDirty;
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, toRange(e.range), e.text);
  const ok = await vscode.workspace.applyEdit(edit);
  if (ok && !wasDirty) await doc.save();
  return ok;
}

/** Replaces the scalar at `path`. */
export function scalarEdit(parsed: ParsedMapping, path: Path, text: string): MappingEdit | undefined {
  const range = parsed.rangeOf(path);
  return range ? { range, text } : undefined;
}

/**
 * Replaces the entry at `path` (key and value, block values included) with `key: value` lines;
 * `lines` after the first are indented relative to the key.
 */
export function entryEdit(parsed: ParsedMapping, path: Path, lines: string[]): MappingEdit | undefined {
  const key = parsed.keyRangeOf(path);
  const value = parsed.rangeOf(path);
  if (!key || !value) return undefined;
  const indent = ' '.repeat(key.start.character);
  const text = lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n') + (value.end.character === 0 ? '\n' : '');
  return { range: { start: key.start, end: value.end }, text };
}

/** Inserts `key: value` after the entry at `after` (same indentation). */
export function insertAfterEdit(parsed: ParsedMapping, after: Path, lines: string[]): MappingEdit | undefined {
  const key = parsed.keyRangeOf(after);
  const value = parsed.rangeOf(after);
  if (!key || !value) return undefined;
  const indent = ' '.repeat(key.start.character);
  const body = lines.map((l) => indent + l).join('\n');
  if (value.end.character === 0) return { range: { start: value.end, end: value.end }, text: `${body}\n` };
  // The value ends mid-line (a trailing comment may follow): insert after the whole line.
  const at = { line: value.end.line + 1, character: 0 };
  return { range: { start: at, end: at }, text: `${body}\n` };
}
