// OData query handling as Graph's directory endpoints do it: $select, $top, $filter, $expand,
// opaque paging tokens, and Graph's error body.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalProperty, ObjectKind } from './properties';

/** An answer other than 200, in Graph's error shape (MGD concepts/errors.md). */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(requestId: string): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId },
      },
    };
  }
}

export const badRequest = (message: string, code = 'Request_BadRequest') => new GraphError(400, code, message);

/** Page size: 100 unless $top says otherwise, 1 to 999 (documented, incl. the error wording). */
export function pageSize(query: URLSearchParams, fallback = 100): number {
  const top = query.get('$top');
  if (top === null) return fallback;
  const n = Number(top);
  if (!/^\d+$/.test(top) || n < 1 || n > 999) {
    throw badRequest(`Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`);
  }
  return n;
}

/**
 * The properties named by $select, canonically cased, or `defaults` when there is none.
 * An unknown name is a 400, worded as Graph words it.
 */
export function selected(query: URLSearchParams, kind: ObjectKind, defaults: string[], extra: Iterable<string> = [], also: string[] = []): string[] {
  const raw = query.get('$select');
  if (raw === null) return defaults;
  const out: string[] = [];
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (also.includes(name)) {
      out.push(name);
      continue;
    }
    const p = canonicalProperty(kind, name, extra);
    if (!p) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${kind}'.`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export interface Expand {
  property: string;
  select?: string[];
}

/** `$expand=manager` or `$expand=manager($select=id,displayName)`; one relationship only (documented). */
export function expanded(query: URLSearchParams, allowed: string[]): Expand | undefined {
  const raw = query.get('$expand');
  if (raw === null) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(?:\(\s*\$select\s*=\s*([^)]*)\))?\s*$/.exec(raw);
  if (!m) throw badRequest(`Invalid $expand: '${raw}'.`);
  const property = allowed.find((a) => a.toLowerCase() === m[1].toLowerCase());
  if (!property) throw badRequest(`Could not find a property named '${m[1]}' on type 'microsoft.graph.user'.`);
  const select = m[2] === undefined ? undefined : m[2].split(',').map((s) => s.trim()).filter(Boolean);
  return { property, select };
}

// ---- $filter: the small subset the directory supports without advanced-query headers ----------

type Literal = string | number | boolean | null;
type Clause =
  | { op: 'eq'; prop: string; value: Literal }
  | { op: 'in'; prop: string; values: Literal[] }
  | { op: 'startswith'; prop: string; value: string };

export type Predicate = (record: Record<string, unknown>) => boolean;

/**
 * Parse `a eq 'x' and startswith(b,'y') and c in ('p','q')`. String comparisons are
 * case-insensitive, as in the directory. `ne`, `not` and `or` need advanced queries
 * (ConsistencyLevel: eventual) on real Graph; they are not simulated and answer 400.
 */
export function parseFilter(raw: string | null, kind: ObjectKind, filterable: string[]): Predicate | undefined {
  if (raw === null) return undefined;
  const clauses = splitAnd(raw).map((c) => parseClause(c, kind, filterable));
  return (r) => clauses.every((c) => matches(c, r));
}

function splitAnd(raw: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === "'") quoted = !quoted; // '' inside a literal toggles twice: harmless
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && /^\s+and\s+/i.test(raw.slice(i))) {
      parts.push(raw.slice(start, i));
      const m = /^\s+and\s+/i.exec(raw.slice(i))!;
      i += m[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(raw.slice(start));
  return parts.map((p) => p.trim());
}

const LITERAL = String.raw`'(?:[^']|'')*'|true|false|null|-?\d+(?:\.\d+)?`;

function parseClause(text: string, kind: ObjectKind, filterable: string[]): Clause {
  const prop = (name: string) => {
    const p = canonicalProperty(kind, name);
    if (!p) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${kind}'.`);
    if (!filterable.includes(p)) throw badRequest('Unsupported or invalid query filter clause specified for property \'' + p + "' of resource '" + kind + "'.", 'Request_UnsupportedQuery');
    return p;
  };
  let m = new RegExp(String.raw`^(\w+)\s+eq\s+(${LITERAL})$`, 'i').exec(text);
  if (m) return { op: 'eq', prop: prop(m[1]), value: literal(m[2]) };
  m = new RegExp(String.raw`^(\w+)\s+in\s+\(\s*((?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))*)\s*\)$`, 'i').exec(text);
  if (m) return { op: 'in', prop: prop(m[1]), values: (m[2].match(new RegExp(LITERAL, 'gi')) ?? []).map(literal) };
  m = /^startswith\(\s*(\w+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(text);
  if (m) return { op: 'startswith', prop: prop(m[1]), value: String(literal(m[2])) };
  throw badRequest(`Unsupported Query: '${text}'.`, 'Request_UnsupportedQuery');
}

function literal(s: string): Literal {
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null') return null;
  return Number(s);
}

function same(a: unknown, b: Literal): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return (a ?? null) === b;
}

function matches(c: Clause, r: Record<string, unknown>): boolean {
  const v = r[c.prop];
  switch (c.op) {
    case 'eq':
      return same(v, c.value);
    case 'in':
      return c.values.some((x) => same(v, x));
    case 'startswith':
      return typeof v === 'string' && v.toLowerCase().startsWith(c.value.toLowerCase());
  }
}

// ---- opaque tokens ($skiptoken, $deltatoken) -------------------------------------------------

/** Encodes paging state so clients cannot read or forge it (they must follow links verbatim). */
export class OpaqueTokens {
  constructor(private readonly secret: Buffer) {}

  seal(state: object): string {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  open<T>(token: string): T {
    const [body, mac] = token.split('.');
    const ok = body && mac && mac.length === this.mac(body).length && timingSafeEqual(Buffer.from(mac), Buffer.from(this.mac(body)));
    if (!ok) throw badRequest('The $skiptoken or $deltatoken is invalid.', 'Request_BadRequest');
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
  }
}
