// SCIM filters (RFC 7644 §3.4.2.2, Figure 1): parsed into a tree and matched against resources.
// Ours rather than a library's: the npm parsers either reject `emails[type eq "work"].value eq
// "x"` (Entra's documented matching attribute) or flatten it into an `and` that is not tied to
// one email, and reject the unquoted values some clients send (scim.md §4). Attribute names and
// operators are case-insensitive; string values compare case-insensitively unless the attribute
// is caseExact (id, externalId, meta.version: RFC 7643 §4.1, §3.1).
import { badRequest } from './errors';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Value = string | number | boolean | null;

/** `urn:…:User:manager.value` → schema `urn:…:User`, attr `manager`, sub `value`. */
export interface AttrPath {
  schema?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: Value }
  | { kind: 'present'; path: AttrPath }
  /** `emails[type eq "work"]`, optionally followed by `.value eq "x"` (Entra's form). */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter; then?: { sub: string; op: CompareOp | 'pr'; value: Value } };

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);
const CASE_EXACT = new Set(['id', 'externalid', 'meta.version']);
/** The dateTime attributes of the core schemas (RFC 7643 §3.1): compared chronologically. */
const DATE_TIME = new Set(['meta.created', 'meta.lastmodified']);
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
/** Longer than any IdP's filter: a hostile one is refused before it is parsed. */
const MAX_FILTER = 4096;

type Token = { t: 'word' | 'string' | '(' | ')' | '[' | ']'; v: string; at: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c, v: c, at: i++ });
    } else if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) throw invalid(`the string starting at character ${start + 1} is not closed`);
      const raw = text.slice(start, ++i);
      try {
        out.push({ t: 'string', v: JSON.parse(raw) as string, at: start });
      } catch {
        throw invalid(`the string at character ${start + 1} has a bad escape`);
      }
    } else {
      const start = i;
      while (i < text.length && !/[\s()[\]"]/.test(text[i])) i++;
      out.push({ t: 'word', v: text.slice(start, i), at: start });
    }
  }
  return out;
}

function invalid(detail: string) {
  return badRequest('invalidFilter', `filter: ${detail}`);
}

export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER) throw invalid(`longer than ${MAX_FILTER} characters`);
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const word = (w: string) => peek()?.t === 'word' && peek().v.toLowerCase() === w;
  const expect = (t: Token['t']) => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== t) throw invalid(`expected "${t}" ${tok ? `at character ${tok.at + 1}` : 'at the end'}`);
  };

  // Precedence (RFC 7644 §3.4.2.2): not, then and, then or.
  const orExpr = (): Filter => {
    let left = andExpr();
    while (word('or')) {
      pos++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Filter => {
    let left = unary();
    while (word('and')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    if (++depth > 32) throw invalid('nested too deeply');
    try {
      if (word('not')) {
        pos++;
        expect('(');
        const filter = orExpr();
        expect(')');
        return { kind: 'not', filter };
      }
      if (peek()?.t === '(') {
        pos++;
        const f = orExpr();
        expect(')');
        return f;
      }
      return attrExpr();
    } finally {
      depth--;
    }
  };
  const attrExpr = (): Filter => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== 'word') throw invalid(tok ? `expected an attribute at character ${tok.at + 1}` : 'expected an attribute at the end');
    if (peek()?.t === '[') {
      pos++;
      const path = attrPath(tok.v);
      if (path.sub) throw invalid(`"${tok.v}[…]": a value filter follows the attribute itself`);
      const filter = orExpr();
      expect(']');
      const next = peek();
      if (next?.t === 'word' && next.v.startsWith('.')) {
        pos++;
        const sub = next.v.slice(1);
        const [op, value] = operator();
        return { kind: 'valuePath', path, filter, then: { sub, op, value } };
      }
      return { kind: 'valuePath', path, filter };
    }
    const path = attrPath(tok.v);
    const [op, value] = operator();
    return op === 'pr' ? { kind: 'present', path } : { kind: 'compare', path, op, value };
  };
  const operator = (): [CompareOp | 'pr', Value] => {
    const tok = tokens[pos++];
    const op = tok?.t === 'word' ? tok.v.toLowerCase() : '';
    if (!OPS.has(op)) throw invalid(tok ? `"${tok.v}" at character ${tok.at + 1} is no operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)` : 'an operator is missing at the end');
    if (op === 'pr') return ['pr', null];
    return [op as CompareOp, compValue()];
  };
  const compValue = (): Value => {
    const tok = tokens[pos++];
    if (!tok) throw invalid('a value is missing at the end');
    if (tok.t === 'string') return tok.v;
    if (tok.t !== 'word') throw invalid(`expected a value at character ${tok.at + 1}`);
    const w = tok.v.toLowerCase();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(tok.v)) return Number(tok.v);
    // An unquoted word: not the grammar's, but sent by some clients (scim.md §4); read as text.
    return tok.v;
  };

  const f = orExpr();
  if (pos < tokens.length) throw invalid(`unexpected "${tokens[pos].v}" at character ${tokens[pos].at + 1}`);
  return f;
}

/** `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`. */
export function attrPath(text: string): AttrPath {
  let schema: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const i = text.lastIndexOf(':');
    schema = text.slice(0, i);
    rest = text.slice(i + 1);
  }
  if (!/^[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(rest)) throw invalid(`"${text}" is no attribute path`);
  const [attr, sub] = rest.split('.');
  return { schema, attr, sub };
}

/** The key of `obj` equal to `name` but for case (SCIM names are case-insensitive). */
export function keyOf(obj: Record<string, unknown>, name: string): string | undefined {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function child(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const k = keyOf(obj as Record<string, unknown>, name);
  return k === undefined ? undefined : (obj as Record<string, unknown>)[k];
}

const flat = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** The base an attribute path starts from: the resource, or its extension object. */
function base(resource: Record<string, unknown>, path: AttrPath): unknown {
  if (!path.schema || /^urn:ietf:params:scim:schemas:core:2\.0:/i.test(path.schema)) return resource;
  return child(resource, path.schema);
}

function valuesAt(resource: Record<string, unknown>, path: AttrPath): unknown[] {
  const top = flat(child(base(resource, path), path.attr));
  return path.sub === undefined ? top : top.flatMap((e) => flat(child(e, path.sub as string)));
}

function caseExact(path: AttrPath, sub?: string): boolean {
  return CASE_EXACT.has([path.attr, sub ?? path.sub].filter(Boolean).join('.').toLowerCase());
}

function compare(actual: unknown, op: CompareOp, expected: Value, exact: boolean, dateTime = false): boolean {
  // RFC 7644 §3.4.2.2: "for DateTime types, it is a chronological comparison" (not the text's:
  // 2015-10-10T14:38:21-07:00 is later than 2015-10-10T20:00:00Z).
  if (dateTime && typeof actual === 'string' && typeof expected === 'string' && ISO_DATE_TIME.test(actual) && ISO_DATE_TIME.test(expected) && !['co', 'sw', 'ew'].includes(op)) {
    return compare(Date.parse(actual), op, Date.parse(expected), true);
  }
  if (expected === null) return op === 'eq' ? actual === null || actual === undefined : op === 'ne' ? actual !== null && actual !== undefined : false;
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const a = String(actual).toLowerCase();
    const e = String(expected).toLowerCase();
    return op === 'eq' ? a === e : op === 'ne' ? a !== e : false;
  }
  if (typeof actual === 'number' && typeof expected === 'number') {
    return { eq: actual === expected, ne: actual !== expected, gt: actual > expected, ge: actual >= expected, lt: actual < expected, le: actual <= expected, co: false, sw: false, ew: false }[op];
  }
  if (typeof actual !== 'string' && typeof actual !== 'number') return false;
  const a = exact ? String(actual) : String(actual).toLowerCase();
  const e = exact ? String(expected) : String(expected).toLowerCase();
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

export function matches(resource: Record<string, unknown>, f: Filter): boolean {
  switch (f.kind) {
    case 'and':
      return matches(resource, f.left) && matches(resource, f.right);
    case 'or':
      return matches(resource, f.left) || matches(resource, f.right);
    case 'not':
      return !matches(resource, f.filter);
    case 'present':
      return valuesAt(resource, f.path).some(present);
    case 'compare': {
      const values = valuesAt(resource, f.path);
      if (f.value === null) {
        // Unassigned and null are one state (RFC 7643 §2.5): "eq null" holds for a missing
        // attribute, and "ne null" only for an assigned one.
        const assigned = values.some((v) => v !== null && v !== undefined);
        return f.op === 'eq' ? !assigned : f.op === 'ne' ? assigned : false;
      }
      const exact = caseExact(f.path);
      const dateTime = DATE_TIME.has([f.path.attr, f.path.sub].filter(Boolean).join('.').toLowerCase());
      // ne holds when no value equals (a missing attribute is "not equal").
      if (f.op === 'ne') return !values.some((v) => compare(v, 'eq', f.value, exact, dateTime));
      return values.some((v) => compare(v, f.op, f.value, exact, dateTime));
    }
    case 'valuePath': {
      const elements = flat(child(base(resource, f.path), f.path.attr));
      return elements.some((e) => {
        const element = e && typeof e === 'object' ? (e as Record<string, unknown>) : { value: e };
        if (!matches(element, f.filter)) return false;
        if (!f.then) return true;
        const v = child(element, f.then.sub);
        if (f.then.op === 'pr') return present(v);
        const exact = caseExact(f.path, f.then.sub);
        return f.then.op === 'ne' ? !compare(v, 'eq', f.then.value, exact) : compare(v, f.then.op, f.then.value, exact);
      });
    }
  }
}

/**
 * An equality the store can answer from an index (`userName eq "x"`, `externalId eq "y"`,
 * `id eq "z"`, `displayName eq "g"`): from the filter itself or one leg of a top-level `and`.
 * The full filter is still matched against what the index returns.
 */
export function indexedEquality(f: Filter, indexed: readonly string[]): { attr: string; value: string } | undefined {
  if (f.kind === 'compare' && f.op === 'eq' && !f.path.sub && typeof f.value === 'string' && (!f.path.schema || /core:2\.0:/i.test(f.path.schema))) {
    const attr = indexed.find((a) => a.toLowerCase() === f.path.attr.toLowerCase());
    if (attr) return { attr, value: f.value };
  }
  if (f.kind === 'and') return indexedEquality(f.left, indexed) ?? indexedEquality(f.right, indexed);
  return undefined;
}

/** The names a filter compares, for the audit line (values are personal data and stay out). */
export function describeFilter(f: Filter): string {
  const p = (a: AttrPath) => [a.attr, a.sub].filter(Boolean).join('.');
  switch (f.kind) {
    case 'and':
    case 'or':
      return `${describeFilter(f.left)} ${f.kind} ${describeFilter(f.right)}`;
    case 'not':
      return `not (${describeFilter(f.filter)})`;
    case 'present':
      return `${p(f.path)} pr`;
    case 'compare':
      return `${p(f.path)} ${f.op} …`;
    case 'valuePath':
      return `${p(f.path)}[${describeFilter(f.filter)}]${f.then ? `.${f.then.sub} ${f.then.op}${f.then.op === 'pr' ? '' : ' …'}` : ''}`;
  }
}
