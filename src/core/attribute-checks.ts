// Attribute names checked against the directory they are read from. The schema only says what an
// attribute name looks like, since which names exist depends on the directory: a rule's `where`,
// `siteFrom` and `clientFrom` read its own connection's directory; a field reads every directory of
// the mapping, so its source must exist in at least one. Runs on the raw data, whether or not the
// rest of the file matches the schema, so a misspelt attribute is reported alongside other problems.
import { AttributeProblem, attributeProblem } from './attributes';
import { connectionsOf, Directory } from './directories';
import { Diagnostic, Locator, labelOf, Path, Range, START, where } from './diagnostic';
import type { Mapping } from './mapping';

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function attributeDiagnostics(data: unknown, at: Locator): Diagnostic[] {
  if (!isObject(data)) return [];
  const connections = connectionsOf(data as unknown as Mapping).filter((c) => isObject(c.settings));
  const directories = [...new Set(connections.map((c) => c.directory))];
  if (!directories.length) return [];
  const out: Diagnostic[] = [];
  const report = (problem: AttributeProblem, message: string, range: Range | undefined, path: Path) =>
    out.push({ severity: problem.warning ? 'warning' : 'error', code: 'unknown-attribute', message, range: range ?? at.headRangeOf(path) ?? START, path, ...(problem.suggestions.length ? { suggestions: problem.suggestions } : {}) });

  /** The directory a rule reads: its connection's, or the only one; undefined when that is unclear (reported elsewhere). */
  const directoryOf = (rule: Raw): Directory | undefined => {
    const named = rule.tenant ?? rule.source;
    if (typeof named === 'string') return connections.find((c) => c.name === named)?.directory;
    return directories.length === 1 ? directories[0] : undefined;
  };

  for (const kind of ['agents', 'users'] as const) {
    const rules = data[kind];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      if (!isObject(rule)) return;
      const directory = directoryOf(rule);
      if (!directory) return;
      const from = rule.from;
      if (isObject(from) && isObject(from.where)) {
        const base: Path = [kind, i, 'from', 'where'];
        for (const key of Object.keys(from.where)) {
          const problem = attributeProblem(directory, key);
          if (problem) report(problem, `key "${key}"${where(base)}: ${problem.message}`, at.keyRangeOf([...base, key]), [...base, key]);
        }
      }
      for (const key of ['siteFrom', 'clientFrom']) {
        const value = rule[key];
        const path: Path = [kind, i, key];
        const problem = typeof value === 'string' ? attributeProblem(directory, value) : undefined;
        if (problem) report(problem, `${labelOf(path)}: ${problem.message}`, at.rangeOf(path), path);
      }
    });
  }

  const fields = data.fields;
  if (!isObject(fields)) return out;
  for (const kind of ['users', 'agents'] as const) {
    const specs = fields[kind];
    if (!isObject(specs)) continue;
    for (const [field, spec] of Object.entries(specs)) {
      for (const [source, path] of fieldSourcesAt(spec, ['fields', kind, field])) {
        const problem = fieldProblem(directories, source);
        if (problem) report(problem, `${labelOf(path)}: ${problem.message}`, at.rangeOf(path), path);
      }
    }
  }
  return out;
}

/** The attribute names of a field, each with its path: `attr`, `[a, b]`, or `{ from: … }`. */
function fieldSourcesAt(spec: unknown, path: Path): Array<[string, Path]> {
  if (typeof spec === 'string') return [[spec, path]];
  if (Array.isArray(spec)) return spec.flatMap((s, i): Array<[string, Path]> => (typeof s === 'string' ? [[s, [...path, i]]] : []));
  if (isObject(spec) && spec.from !== undefined) return fieldSourcesAt(spec.from, [...path, 'from']);
  return [];
}

/** A field's source is fine when any directory has it; otherwise each directory's reason. */
function fieldProblem(directories: Directory[], source: string): AttributeProblem | undefined {
  const problems: AttributeProblem[] = [];
  for (const d of directories) {
    const p = attributeProblem(d, source);
    if (!p) return undefined;
    problems.push(p);
  }
  if (problems.length === 1) return problems[0];
  return {
    message: `no directory this mapping reads has "${source}" (${problems.map((p, i) => `${directories[i].label}: ${p.message}`).join('; ')})`,
    suggestions: [...new Set(problems.flatMap((p) => p.suggestions))],
    // Where a directory may have it as its own custom attribute, a warning; else an error.
    ...(problems.some((p) => p.warning) ? { warning: true } : {}),
  };
}
