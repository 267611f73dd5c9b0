// Partial responses: the `fields` parameter of Google APIs, such as
// `nextPageToken,users(id,name/fullName,organizations(title))` (a comma list; `a/b` a sub-field;
// `a(b,c)` sub-fields of each element of a or of object a) [I for the exact grammar].

type Selector = Map<string, Selector | null>;

export class FieldsError extends Error {}

export function parseFields(text: string): Selector {
  let i = 0;
  const name = (): string => {
    const start = i;
    while (i < text.length && /[A-Za-z0-9_*]/.test(text[i])) i++;
    if (i === start) throw new FieldsError(`a field name is missing at ${start}`);
    return text.slice(start, i);
  };
  /** One item: `a`, `a/b…` (a sub-path) or `a(…)` (sub-fields). */
  const item = (): [string, Selector | null] => {
    const n = name();
    if (text[i] === '/') {
      i++;
      return [n, new Map([item()])];
    }
    if (text[i] !== '(') return [n, null];
    i++;
    const sub = list();
    if (text[i++] !== ')') throw new FieldsError('a bracket is not closed');
    return [n, sub];
  };
  const list = (): Selector => {
    const out: Selector = new Map();
    for (;;) {
      const [n, sub] = item();
      out.set(n, merge(out.get(n), sub));
      if (text[i] !== ',') return out;
      i++;
    }
  };
  const out = list();
  if (i !== text.length) throw new FieldsError(`unexpected "${text[i]}" at ${i}`);
  return out;
}

function merge(a: Selector | null | undefined, b: Selector | null): Selector | null {
  if (a === undefined) return b;
  if (a === null || b === null) return null;
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, merge(out.get(k), v));
  return out;
}

/** `value` with only the selected fields. */
export function select(value: unknown, selector: Selector): unknown {
  if (Array.isArray(value)) return value.map((v) => select(v, selector));
  if (!value || typeof value !== 'object') return value;
  if (selector.has('*')) return value;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of selector) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out[k] = sub ? select(v, sub) : v;
  }
  return out;
}
