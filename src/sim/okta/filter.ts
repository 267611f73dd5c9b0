// Okta's list expressions as its documents describe them (directory-sources.md, "Users" and
// "Groups"): `filter` takes eq on a few fields (lastUpdated also gt ge lt le) joined by and / or,
// no not; `search` takes eq, sw and co (co only on names, email and login). Anything else is an
// error, as Okta answers E0000031 for a filter it cannot parse [I].

export type Item = Record<string, unknown>;
type Test = (item: Item) => boolean;

export class ExpressionError extends Error {}

interface Rules {
  /** Fields the expression may name, and the operators each takes. */
  fields: (field: string) => readonly string[] | undefined;
  /** What a field names in an item (`profile.login` → item.profile.login). */
  valueOf: (item: Item, field: string) => unknown;
}

export function compile(expression: string, rules: Rules): Test {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const primary = (): Test => {
    if (peek() === '(') {
      next();
      const t = or();
      if (next() !== ')') throw new ExpressionError('a bracket is not closed');
      return t;
    }
    const field = next();
    const op = next()?.toLowerCase();
    const literal = next();
    if (!field || !op || literal === undefined) throw new ExpressionError('an expression is cut short');
    const ops = rules.fields(field);
    if (!ops) throw new ExpressionError(`${field} cannot be used here`);
    if (!ops.includes(op)) throw new ExpressionError(`${field} does not take ${op}`);
    const want = unquote(literal);
    return (item) => {
      const have = rules.valueOf(item, field);
      if (have === null || have === undefined) return false;
      const h = String(have);
      switch (op) {
        case 'eq':
          return h === want || (typeof have === 'boolean' && String(have) === want);
        case 'sw':
          return h.toLowerCase().startsWith(want.toLowerCase());
        case 'co':
          return h.toLowerCase().includes(want.toLowerCase());
        case 'gt':
          return h > want;
        case 'ge':
          return h >= want;
        case 'lt':
          return h < want;
        case 'le':
          return h <= want;
        default:
          return false;
      }
    };
  };
  const and = (): Test => {
    let left = primary();
    while (peek()?.toLowerCase() === 'and') {
      next();
      const l = left;
      const r = primary();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const or = (): Test => {
    let left = and();
    while (peek()?.toLowerCase() === 'or') {
      next();
      const l = left;
      const r = and();
      left = (x) => l(x) || r(x);
    }
    return left;
  };
  const test = or();
  if (i !== tokens.length) throw new ExpressionError(`unexpected "${tokens[i]}"`);
  return test;
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|([()])|([^\s()"]+))/y;
  let at = 0;
  for (let m = re.exec(s); m && m[0] !== ''; m = re.exec(s)) {
    out.push(m[1] ?? m[2] ?? m[3]);
    at = re.lastIndex;
  }
  if (s.slice(at).trim()) throw new ExpressionError('an expression could not be read');
  return out;
}

function unquote(t: string): string {
  return t.startsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

export function pathValue(item: Item, field: string): unknown {
  return field.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Item)[k] : undefined), item);
}
