// Problems and quick fixes for a mapping file, without vscode: the parser's diagnostics plus,
// when Entra and Halo names are cached, unknown names with did-you-mean suggestions.
import { Diagnostic, compareDiagnostics } from '../../core/diagnostic';
import type { ParsedMapping } from '../../core/parse';
import { LiveNames, checkLiveNames } from '../../core/semantic';
import { escapeInQuotes, formatScalar } from './scalar';

export interface MappingProblem extends Diagnostic {
  /** Other lines the message points at ("(line 24)"), zero-based. */
  related: Array<{ line: number; message: string }>;
  /** Text that has no effect: shown faded. */
  unnecessary: boolean;
}

const UNNECESSARY = new Set(['shadowed-rule', 'create-sites-unused', 'site-default-unused']);

const RELATED: Record<string, string> = {
  'duplicate-rule': 'the rule that first uses this name',
  'duplicate-connection': 'the connection that first uses this name',
  'shadowed-rule': 'the earlier rule that selects everyone this one does',
};

export function mappingProblems(parsed: ParsedMapping, live?: LiveNames): MappingProblem[] {
  const all = [...parsed.diagnostics];
  if (live && parsed.typed) all.push(...checkLiveNames(parsed, live));
  all.sort(compareDiagnostics);
  return all.map((d) => ({
    ...d,
    related: [...d.message.matchAll(/\(line (\d+)\)/g)].map((m) => ({ line: Number(m[1]) - 1, message: RELATED[d.code] ?? 'referred to here' })),
    unnecessary: UNNECESSARY.has(d.code),
  }));
}

export interface QuickFix {
  title: string;
  /** Replaces the diagnostic's range. */
  newText: string;
  preferred: boolean;
}

/** "Change to 'X'" for each suggestion, written the way the current text is (quoted or not). */
export function quickFixes(d: Pick<Diagnostic, 'suggestions'>, currentText: string): QuickFix[] {
  const suggestions = d.suggestions ?? [];
  const q = currentText[0];
  return suggestions.map((s) => ({
    title: `Change to '${s}'`,
    newText: (q === '"' || q === "'") && currentText.length > 1 && currentText.endsWith(q) ? `${q}${escapeInQuotes(s, q)}${q}` : formatScalar(s, true),
    preferred: suggestions.length === 1,
  }));
}
