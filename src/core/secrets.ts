// Secret references: `${env:NAME}` (environment variable) and `${secret:NAME}` (VS Code
// SecretStorage). The mapping file holds only references; whoever runs the engine resolves them
// through an injected lookup, so nothing here reads the environment.

export type ReferenceKind = 'env' | 'secret';

export interface Reference {
  kind: ReferenceKind;
  name: string;
}

export type ReferencePath = (string | number)[];

/** Environment variable names as shells accept them. */
export const ENV_NAME_PATTERN = '[A-Za-z_][A-Za-z0-9_]*';
/** SecretStorage keys are free-form; dots and dashes allow names such as `halo.clientSecret`. */
export const SECRET_NAME_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_.-]*';
/**
 * A whole string that is one reference. The schema's secret patterns repeat this source
 * (JSON cannot import it); a unit test keeps the two identical.
 */
export const REFERENCE_PATTERN = `^\\$\\{(?:env:${ENV_NAME_PATTERN}|secret:${SECRET_NAME_PATTERN})\\}$`;

const REFERENCE = /^\$\{(env|secret):([^}]*)\}$/;
const ENV_NAME = new RegExp(`^${ENV_NAME_PATTERN}$`);
const SECRET_NAME = new RegExp(`^${SECRET_NAME_PATTERN}$`);

/** The reference a string is, or undefined when it is anything else (a literal, a malformed reference). */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== 'string') return undefined;
  const m = REFERENCE.exec(value);
  if (!m) return undefined;
  const kind = m[1] as ReferenceKind;
  const name = m[2];
  return (kind === 'env' ? ENV_NAME : SECRET_NAME).test(name) ? { kind, name } : undefined;
}

export function isReference(value: unknown): value is string {
  return parseReference(value) !== undefined;
}

export function formatReference(ref: Reference): string {
  return `\${${ref.kind}:${ref.name}}`;
}

/** Every reference in a mapping (or any plain value), in document order. */
export function listReferences(value: unknown): Array<{ path: ReferencePath; kind: ReferenceKind; name: string }> {
  const out: Array<{ path: ReferencePath; kind: ReferenceKind; name: string }> = [];
  walk(value, [], (v, path) => {
    const ref = parseReference(v);
    if (ref) out.push({ path, ...ref });
    return v;
  });
  return out;
}

/**
 * A deep copy of `value` in which every string that is exactly a reference is replaced by what
 * `lookup` returns. References the lookup cannot resolve stay as they are and are listed in
 * `missing`, so the caller can name every absent variable at once.
 */
export function resolveReferences<T>(
  value: T,
  lookup: (kind: ReferenceKind, name: string) => string | undefined,
): { value: T; missing: Array<{ kind: ReferenceKind; name: string; path: ReferencePath }> } {
  const missing: Array<{ kind: ReferenceKind; name: string; path: ReferencePath }> = [];
  const resolved = walk(value, [], (v, path) => {
    const ref = parseReference(v);
    if (!ref) return v;
    const found = lookup(ref.kind, ref.name);
    if (found === undefined) {
      missing.push({ ...ref, path });
      return v;
    }
    return found;
  });
  return { value: resolved as T, missing };
}

function walk(value: unknown, path: ReferencePath, onString: (v: string, path: ReferencePath) => unknown): unknown {
  if (typeof value === 'string') return onString(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], onString));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k], onString);
    return out;
  }
  return value;
}
