// Problems found in a mapping file, positioned like LSP (zero-based line and UTF-16 character);
// the CLI adds one to each when it prints them.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export type Path = (string | number)[];

export interface Diagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** Where in the mapping the problem is, as keys and list indexes (empty: the file as a whole). */
  path: Path;
  /** Stable identifier of the kind of problem, such as `unknown-key` or `shadowed-rule`. */
  code: string;
  /** Replacements for the text at `range`, best first, for quick fixes. */
  suggestions?: string[];
}

/** How semantic checks find source ranges; implemented by the parsed document. */
export interface Locator {
  /** The value at `path` (its key when the value is empty). */
  rangeOf(path: Path): Range | undefined;
  /** The key at `path`, when its last step is a mapping key. */
  keyRangeOf(path: Path): Range | undefined;
  /** A short range standing for the whole node at `path`: its key, or an item's first line. */
  headRangeOf(path: Path): Range | undefined;
}

export const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** `users[1].from.where`, the way an administrator would point at it. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** `LINE:COL: severity: message`, one-based, as the CLI prints after the file name. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}

/** Document order, then errors before warnings, then message: output is deterministic. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const rank = { error: 0, warning: 1, info: 2 };
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    rank[a.severity] - rank[b.severity] ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** How a value is named in a message: from its list item down (`from.where.userType`), or whole. */
export function labelOf(path: Path): string {
  for (let i = path.length - 2; i >= 0; i--) if (typeof path[i] === 'number') return formatPath(path.slice(i + 1));
  return formatPath(path);
}

export function where(path: Path): string {
  return path.length ? ` in ${formatPath(path)}` : ' at the top level';
}
