// Where the cursor is in a YAML mapping file. A file being edited is usually broken ("    fr",
// "licence: " at the end), and a parse then gives no usable tree exactly where completion is
// wanted: the yaml package's Parser reads "rule: x\n    fr" as the value "x fr", and a stray "["
// or quote makes the rest of the file one collection or one string. So the structure is read line
// by line, indentation saying which key or list item contains a line as it does in YAML, and the
// damage of a broken line stays on it. The tokens are the yaml package's Lexer's, which reads
// broken text without throwing: each line's lexed on its own, and a flow collection's ({ }, [ ])
// from its line to where the Lexer closes or abandons it.
import { CST, Lexer } from 'yaml';
import type { Path } from './diagnostic';

export type { Path } from './diagnostic';

export interface CursorContext {
  /**
   * key: a key of the mapping at `path` is being typed. value: the value at `path` is being
   * typed. none: a comment, a block scalar or after a closed flow collection.
   */
  kind: 'key' | 'value' | 'none';
  path: Path;
  /** The text typed so far: from `start` to the cursor, without an opening quote. */
  word: string;
  /** Offset where the word starts (after an opening quote). */
  start: number;
  /** Offset where the token under the cursor ends: `start`..`end` is what a completion replaces. */
  end: number;
  /** Set inside a flow collection: the innermost one's type. */
  flow?: 'map' | 'seq';
  /** The value is quoted with this character. */
  quote?: '"' | "'";
  /** A value right after "- ": a new list item, which may also start a mapping. */
  itemStart: boolean;
  /** Column where the key (or the item's content) starts. */
  keyColumn: number;
  /** Leading spaces of the cursor's line: editors indent inserted lines by this much. */
  lineIndent: number;
  /** A key that already has its colon: only the name is to be replaced. */
  colonFollows: boolean;
  /** The cursor is right after "key:" or "-" with no space yet. */
  needsSpace: boolean;
  /** For keys: the keys already in that mapping, the one being typed excepted. */
  presentKeys: string[];
}

/** The key or scalar value at an offset, for hovers. */
export interface TokenAt {
  part: 'key' | 'value';
  /** The key's path; for a value, the path of the key (or list item) it belongs to. */
  path: Path;
  start: number;
  end: number;
  text: string;
}

/** A scalar value of the file with its path: a key's inline value or a list item. */
export interface ScalarAt {
  path: Path;
  value: string;
  start: number;
  end: number;
}

export interface YamlScan {
  context: CursorContext;
  token?: TokenAt;
  values: ScalarAt[];
}

/** The cursor context at `offset`. */
export function cursorContext(text: string, offset: number): CursorContext {
  return scanYaml(text, offset).context;
}

/** The key or value under `offset`, if any. */
export function tokenAt(text: string, offset: number): TokenAt | undefined {
  return scanYaml(text, offset).token;
}

/** The inline scalar values of the file, with their paths. */
export function scalarValues(text: string): ScalarAt[] {
  return scanYaml(text, text.length).values;
}

/** Whether `a` and `b` name the same place. */
export function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface Lexeme {
  /** CST.tokenType's name; 'scalar' for a plain scalar, 'flow-error-end' where a flow collection is abandoned. */
  type: string;
  /** Offsets from the start of what was lexed. */
  start: number;
  end: number;
}

const { BOM, DOCUMENT, FLOW_END, SCALAR, tokenType } = CST;

/** The yaml Lexer's tokens for `src`, spaces and newlines included, as they come (for a flow collection over lines). */
function* lex(src: string): Generator<Lexeme> {
  let pos = 0;
  let plain = false;
  for (const source of new Lexer().lex(src)) {
    if (source === SCALAR) plain = true;
    else if (source === FLOW_END) yield { type: 'flow-error-end', start: pos, end: pos };
    else if (source !== DOCUMENT) {
      yield { type: plain ? 'scalar' : (tokenType(source) ?? 'scalar'), start: pos, end: pos + source.length };
      plain = false;
      pos += source.length;
    }
  }
}

/** A line's tokens, lexed on its own, without spaces, the byte order mark and a block scalar's (empty) body. */
function lexLine(line: string): Lexeme[] {
  const out: Lexeme[] = [];
  let pos = 0;
  let plain = false;
  for (const source of new Lexer().lex(line)) {
    if (source === SCALAR) plain = true;
    else if (source !== DOCUMENT && source !== FLOW_END) {
      const type = plain ? 'scalar' : tokenType(source);
      if (source && type !== 'space' && type !== 'byte-order-mark') out.push({ type: type ?? 'scalar', start: pos, end: pos + source.length });
      plain = false;
      pos += source.length;
    }
  }
  return out;
}

/**
 * The lines' tokens of the last scan. A line's tokens depend on its text alone, and between two
 * scans the user has typed a character or two: the lines before and after the change are the same,
 * and only the changed ones are lexed again.
 */
let last: { text: string; toks: Lexeme[][] } = { text: '', toks: [] };

/** The longest common prefix (`back` false) or suffix of `a` and `b`, no longer than `n`, compared a block at a time. */
function common(a: string, b: string, n: number, back: boolean): number {
  let i = 0;
  for (let step = 1 << 16; step >= 1; step >>= 4) {
    while (i + step <= n && (back ? a.slice(a.length - i - step, a.length - i) === b.slice(b.length - i - step, b.length - i) : a.slice(i, i + step) === b.slice(i, i + step))) i += step;
  }
  return i;
}

/** The tokens of line `n` of `text` (from `start` to `end`, the next line at `next`), the last scan's where the line is unchanged. */
function lineReader(text: string): { toks: Lexeme[][]; get(n: number, start: number, end: number, next: number): Lexeme[] } {
  const prev = last;
  const same = prev.text === text;
  const max = Math.min(text.length, prev.text.length);
  const prefix = same ? text.length : common(prev.text, text, max, false);
  const suffix = same ? 0 : common(prev.text, text, max - prefix, true);
  const tail = text.length - suffix;
  const newlines = (t: string, from: number, to: number) => {
    let k = 0;
    for (let i = t.indexOf('\n', from); i >= 0 && i < to; i = t.indexOf('\n', i + 1)) k++;
    return k;
  };
  const lineShift = same ? 0 : newlines(prev.text, prefix, prev.text.length - suffix) - newlines(text, prefix, tail);
  const toks: Lexeme[][] = [];
  return {
    toks,
    get(n, start, end, next) {
      const old = same || next <= prefix ? prev.toks[n] : start > tail ? prev.toks[n + lineShift] : undefined;
      return (toks[n] = old ?? lexLine(text.slice(start, end)));
    },
  };
}

interface Tok {
  start: number;
  end: number;
  text: string;
  quote?: '"' | "'";
  /** A quoted token whose closing quote was found. */
  closed?: boolean;
  /** A value starting with [ or {: its extent is found by the flow scan. */
  flow?: boolean;
  /** A block scalar indicator (| or >): the value is on the following lines. */
  block?: boolean;
}

const SPACE = (c: string | undefined) => c === ' ' || c === '\t';

function skipSpaces(text: string, p: number, end: number): number {
  while (p < end && SPACE(text[p])) p++;
  return p;
}

const isQuoted = (t: Lexeme) => t.type === 'single-quoted-scalar' || t.type === 'double-quoted-scalar';

/** A quoted scalar at `base` + its offsets: its text unescaped by the yaml package when it is closed, as typed when not. */
function quoted(text: string, t: Lexeme, base: number): Tok {
  const s = text.slice(base + t.start, base + t.end);
  const q = s[0] as '"' | "'";
  let closed: boolean;
  if (q === "'") {
    // The Lexer closes at the first quote not doubled: a closed scalar ends in an odd run of them.
    let n = 0;
    while (s.length - 1 - n > 0 && s[s.length - 1 - n] === "'") n++;
    closed = n % 2 === 1;
  } else {
    let n = 0;
    while (s[s.length - 2 - n] === '\\') n++;
    closed = s.length > 1 && s.endsWith('"') && n % 2 === 0;
  }
  const value = closed ? CST.resolveAsScalar({ type: t.type as 'scalar', offset: 0, indent: 0, source: s }, true, () => undefined)?.value : undefined;
  return { start: base + t.start, end: base + t.end, text: value ?? s.slice(1), quote: q, closed };
}

// ---------------------------------------------------------------------------------------------
// Lines

type Entry =
  | { t: 'item'; col: number; pos: number }
  | { t: 'key'; col: number; key: Tok; colon: number; value?: Tok }
  | { t: 'scalar'; col: number; tok: Tok };

interface Line {
  start: number;
  end: number;
  indent: number;
  entries: Entry[];
  /** Offset of a comment's '#'. */
  comment?: number;
  toks: Lexeme[];
}

/** The value starting at token `i` of the line at `base`, and where a trailing comment starts. */
function readValue(text: string, toks: Lexeme[], i: number, base: number, end: number): { value?: Tok; comment?: number } {
  // Anchors and tags before a value say nothing about its place.
  while (toks[i]?.type === 'anchor' || toks[i]?.type === 'tag') i++;
  const t = toks[i];
  if (!t) return {};
  const start = base + t.start;
  const next = toks[i + 1];
  switch (t.type) {
    case 'comment':
      return { comment: start };
    case 'flow-seq-start':
    case 'flow-map-start':
      return { value: { start, end: start, text: '', flow: true } };
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return { value: quoted(text, t, base), comment: next?.type === 'comment' ? base + next.start : undefined };
    case 'block-scalar-header':
      if (/^[|>][-+0-9]*$/.test(text.slice(start, base + t.end)) && (!next || next.type === 'comment')) return { value: { start, end: start + 1, text: '', block: true } };
      // Not a header after all: the Lexer took the rest of the line as one token.
      toks = [t, ...lexLine(text.slice(base + t.end, end)).map((x) => ({ ...x, start: x.start + t.end, end: x.end + t.end }))];
      i = 0;
  }
  // A plain value: the rest of the line up to a comment.
  const c = toks.find((x, j) => j > i && x.type === 'comment');
  const comment = c && base + c.start;
  let v = comment ?? end;
  while (v > start && SPACE(text[v - 1])) v--;
  return { value: { start, end: v, text: text.slice(start, v) }, comment };
}

function parseLine(text: string, start: number, end: number, toks: Lexeme[]): Line {
  // A byte order mark is no part of the first line's text.
  const p = skipSpaces(text, start === 0 && text[0] === BOM ? 1 : start, end);
  const line: Line = { start, end, indent: p - start, entries: [], toks };
  if (!toks.length || toks[0].type === 'doc-start' || toks[0].type === 'doc-end') return line;
  let k = 0;
  for (; toks[k]?.type === 'seq-item-ind'; k++) line.entries.push({ t: 'item', col: toks[k].start, pos: start + toks[k].start });
  const t = toks[k];
  if (!t) return line;
  if (t.type === 'comment') {
    line.comment = start + t.start;
    return line;
  }
  // A block mapping key: plain (not starting with a reserved character) or quoted and closed.
  const colon = toks[k + 1];
  let key: Tok | undefined;
  if (colon?.type === 'map-value-ind') {
    if (t.type === 'scalar' && !'%@`,?'.includes(text[start + t.start])) key = { start: start + t.start, end: start + t.end, text: text.slice(start + t.start, start + t.end) };
    else if (isQuoted(t)) key = quoted(text, t, start);
  }
  if (key && (!key.quote || key.closed)) {
    const { value, comment } = readValue(text, toks, k + 2, start, end);
    line.entries.push({ t: 'key', col: t.start, key, colon: start + colon.start, value });
    line.comment = comment;
    return line;
  }
  const { value, comment } = readValue(text, toks, k, start, end);
  if (value) line.entries.push({ t: 'scalar', col: t.start, tok: value });
  line.comment = comment;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Block structure

interface Frame {
  col: number;
  seg: string | number | null;
  kind: 'root' | 'key' | 'item';
  /** A key with no inline value: a list under it may start at its own column. */
  opener: boolean;
  items: number;
  keys: Array<{ key: string; line: number }>;
}

function frame(col: number, seg: string | number | null, kind: Frame['kind'], opener = false): Frame {
  return { col, seg, kind, opener, items: 0, keys: [] };
}

/** Index in `stack` of the frame that contains an entry of `kind` at column `col`. */
function containerIndex(stack: Frame[], col: number, kind: 'key' | 'item'): number {
  let i = stack.length - 1;
  while (i > 0) {
    const f = stack[i];
    if (f.col > col) i--;
    else if (f.col === col && !(f.kind === 'key' && f.opener && kind === 'item')) i--;
    else break;
  }
  return i;
}

function pathOf(stack: Frame[], upTo = stack.length - 1): Path {
  const out: Path = [];
  for (let i = 1; i <= upTo; i++) out.push(stack[i].seg as string | number);
  return out;
}

interface Pending {
  context?: CursorContext;
  /** Filled in when the scan ends: the keys of the mapping the cursor is in. */
  keysOf?: () => string[];
}

export function scanYaml(text: string, offset: number): YamlScan {
  offset = Math.max(0, Math.min(offset, text.length));
  const stack: Frame[] = [frame(-1, null, 'root')];
  const values: ScalarAt[] = [];
  const pending: Pending = {};
  let token: TokenAt | undefined;
  const lines = lineReader(text);
  let skipUntil = -1;
  let blockCol: number | undefined;
  let blockPath: Path = [];

  const base = (start: number, lineIndent: number, keyColumn: number): Omit<CursorContext, 'kind' | 'path'> => ({
    word: '',
    start,
    end: start,
    itemStart: false,
    keyColumn,
    lineIndent,
    colonFollows: false,
    needsSpace: false,
    presentKeys: [],
  });
  const setContext = (c: CursorContext, keysOf?: () => string[]) => {
    if (pending.context) return;
    pending.context = c;
    pending.keysOf = keysOf;
  };
  const keysExcept = (f: Frame, line: number) => () => f.keys.filter((k) => k.line !== line).map((k) => k.key);

  let lineNo = 0;
  for (let start = 0; start <= text.length; lineNo++) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
    const next = nl + 1;
    const onCursor = offset >= start && offset <= end;
    const lineStart = start;
    start = next;

    if (lineStart < skipUntil) {
      if (onCursor) setContext({ kind: 'none', path: [], ...base(offset, 0, 0) });
      continue;
    }
    const line = parseLine(text, lineStart, end, lines.get(lineNo, lineStart, end, next));
    if (blockCol !== undefined) {
      if (!line.entries.length && line.comment === undefined) {
        if (onCursor) setContext({ kind: 'none', path: blockPath, ...base(offset, line.indent, line.indent) });
        continue;
      }
      if (line.indent > blockCol) {
        if (onCursor) setContext({ kind: 'none', path: blockPath, ...base(offset, line.indent, line.indent) });
        continue;
      }
      blockCol = undefined;
    }

    const cc = offset - lineStart;
    if (onCursor && line.comment !== undefined && offset > line.comment) {
      setContext({ kind: 'none', path: pathOf(stack), ...base(offset, line.indent, line.indent) });
    }
    const first = line.entries[0];
    if (onCursor && (!first || cc < first.col)) {
      // A blank line or the indentation: a key is about to be typed at the cursor's column.
      const i = containerIndex(stack, cc, 'key');
      setContext({ kind: 'key', path: pathOf(stack, i), ...base(offset, line.indent, cc), end: offset }, keysExcept(stack[i], lineNo));
    }
    if (!first) continue;

    if (first.t !== 'scalar') stack.length = containerIndex(stack, first.col, first.t) + 1;
    else if (onCursor && cc >= first.col) {
      // A word alone at the start of a line: a key being typed.
      const i = containerIndex(stack, first.col, 'key');
      const tok = first.tok;
      setContext(
        { kind: 'key', path: pathOf(stack, i), ...base(tok.start, line.indent, first.col), word: text.slice(tok.start, offset), end: Math.max(tok.end, offset) },
        keysExcept(stack[i], lineNo),
      );
    }

    for (let k = 0; k < line.entries.length; k++) {
      const e = line.entries[k];
      const parent = stack[stack.length - 1];
      const after = line.entries[k + 1];
      if (e.t === 'item') {
        const f = frame(e.col, parent.items++, 'item');
        stack.push(f);
        const contentStart = after ? lineStart + after.col : end + 1;
        if (onCursor && offset > e.pos && offset < contentStart) {
          const c: CursorContext = {
            kind: 'value',
            path: pathOf(stack),
            ...base(offset, line.indent, after ? after.col : e.col + 2),
            itemStart: true,
            needsSpace: offset === e.pos + 1 && !SPACE(text[offset]),
          };
          if (c.needsSpace) c.keyColumn = e.col + 2;
          setContext(c, keysExcept(f, lineNo));
        }
        continue;
      }
      if (e.t === 'key') {
        parent.keys.push({ key: e.key.text, line: lineNo });
        const f = frame(e.col, e.key.text, 'key', !e.value);
        stack.push(f);
        const path = pathOf(stack);
        if (offset >= e.key.start && offset <= e.key.end) token = { part: 'key', path, start: e.key.start, end: e.key.end, text: e.key.text };
        if (onCursor && offset >= e.key.start && offset <= e.colon) {
          const quoted = e.key.quote ? 1 : 0;
          const ws = Math.min(e.key.start + quoted, offset);
          setContext(
            {
              kind: 'key',
              path: path.slice(0, -1),
              ...base(ws, line.indent, e.col),
              word: text.slice(ws, offset),
              end: Math.max(e.key.end - (e.key.closed ? quoted : 0), offset),
              colonFollows: true,
            },
            keysExcept(parent, lineNo),
          );
        }
        const v = e.value;
        if (v?.flow) {
          skipUntil = scanFlow(text, line, v.start, path, offset, values, pending, (t) => (token = t));
          if (onCursor && offset > e.colon && offset < v.start) setContext({ kind: 'value', path, ...base(offset, line.indent, e.col) });
        } else {
          if (v?.block) {
            blockCol = e.col;
            blockPath = path;
          } else if (v) {
            values.push({ path, value: v.text, start: v.start, end: v.end });
            if (offset >= v.start && offset <= v.end) token = { part: 'value', path, start: v.start, end: v.end, text: v.text };
          }
          if (onCursor && offset > e.colon) {
            if (v?.block) setContext({ kind: 'none', path, ...base(offset, line.indent, e.col) });
            else setContext(valueContext(text, offset, path, v, e.colon, line.indent, e.col));
          }
        }
        continue;
      }
      // A scalar after "- ": the item's value.
      const tok = e.tok;
      if (k === 0) continue;
      const path = pathOf(stack);
      const item = stack[stack.length - 1];
      if (tok.flow) {
        skipUntil = scanFlow(text, line, tok.start, path, offset, values, pending, (t) => (token = t));
        continue;
      }
      if (tok.block) {
        blockCol = stack[stack.length - 1].col;
        blockPath = path;
        if (onCursor && offset > tok.start) setContext({ kind: 'none', path, ...base(offset, line.indent, e.col) });
        continue;
      }
      values.push({ path, value: tok.text, start: tok.start, end: tok.end });
      if (offset >= tok.start && offset <= tok.end) token = { part: 'value', path, start: tok.start, end: tok.end, text: tok.text };
      if (onCursor && offset >= tok.start) {
        const c = valueContext(text, offset, path, tok, tok.start - 1, line.indent, e.col);
        c.itemStart = true;
        setContext(c, keysExcept(item, lineNo));
      }
    }
    if (onCursor) setContext({ kind: 'none', path: pathOf(stack), ...base(offset, line.indent, line.indent) });
  }

  last = { text, toks: lines.toks };
  const context = pending.context ?? { kind: 'none', path: [], ...base(offset, 0, 0) };
  if (pending.keysOf) context.presentKeys = pending.keysOf();
  return { context, token, values };
}

/** Typing a block value (after "key:" or "- "), given its token if there is one yet. */
function valueContext(text: string, offset: number, path: Path, v: Tok | undefined, colon: number, lineIndent: number, keyColumn: number): CursorContext {
  const c: CursorContext = {
    kind: 'value',
    path,
    word: '',
    start: offset,
    end: offset,
    itemStart: false,
    keyColumn,
    lineIndent,
    colonFollows: false,
    needsSpace: !v && offset === colon + 1 && !SPACE(text[offset]),
    presentKeys: [],
  };
  if (!v || offset < v.start) {
    if (v) c.end = v.end;
    return c;
  }
  if (v.quote) {
    c.quote = v.quote;
    c.start = Math.min(v.start + 1, offset);
    c.end = Math.max(v.closed ? v.end - 1 : v.end, offset);
    if (v.closed && offset >= v.end) {
      // After the closing quote: nothing more belongs to this value.
      return { ...c, kind: 'none' };
    }
  } else {
    c.start = v.start;
    c.end = Math.max(v.end, offset);
  }
  c.word = text.slice(c.start, offset);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Flow collections

interface FlowFrame {
  type: 'map' | 'seq';
  path: Path;
  index: number;
  key?: string;
  afterColon: boolean;
  keys: Array<{ key: string; start: number }>;
}

/** The tokens of the flow collection opening at token `i` of `line`: the line's own when it closes there. */
function flowTokens(text: string, line: Line, i: number): Iterable<Lexeme> {
  let depth = 0;
  for (let j = i; j < line.toks.length; j++) {
    const type = line.toks[j].type;
    if (type === 'flow-seq-start' || type === 'flow-map-start') depth++;
    else if ((type === 'flow-seq-end' || type === 'flow-map-end') && --depth === 0) return line.toks.slice(i, j + 1);
  }
  return overLines(text, line, line.toks[i].start);
}

/** Lexed from the line's start, for the Lexer to know the owner's indentation. */
function* overLines(text: string, line: Line, start: number): Generator<Lexeme> {
  for (const t of lex(text.slice(line.start))) if (t.start >= start) yield t;
}

/**
 * Scan the flow collection opening at `start` on `line`, recording its scalars and, when the
 * cursor is in it, the cursor context. Returns where it ends: after its closing bracket or, when
 * unclosed, before the first line the Lexer finds indented no deeper than its owner, as YAML
 * requires.
 */
function scanFlow(
  text: string,
  line: Line,
  start: number,
  basePath: Path,
  offset: number,
  values: ScalarAt[],
  pending: Pending,
  onToken: (t: TokenAt) => void,
): number {
  const stack: FlowFrame[] = [];
  const base = line.start;
  let prevEnd = start;
  let newline = start;
  const lineStartOf = (p: number) => text.lastIndexOf('\n', p - 1) + 1;
  const indentAt = (ls: number) => {
    let p = ls;
    while (text[p] === ' ') p++;
    return p - ls;
  };

  const contextHere = (word: string, wStart: number, wEnd: number, quote?: '"' | "'", excludeKeyAt?: number): CursorContext | undefined => {
    const top = stack[stack.length - 1];
    if (!top) return undefined;
    const ls = lineStartOf(offset);
    const common = {
      word,
      start: wStart,
      end: wEnd,
      flow: top.type,
      quote,
      itemStart: false,
      keyColumn: wStart - ls,
      lineIndent: indentAt(ls),
      colonFollows: false,
      needsSpace: false,
      presentKeys: [] as string[],
    };
    if (top.type === 'seq') return { kind: 'value', path: [...top.path, top.index], ...common };
    if (top.afterColon && top.key !== undefined) return { kind: 'value', path: [...top.path, top.key], ...common };
    const f = top;
    pending.keysOf = () => f.keys.filter((k) => k.start !== excludeKeyAt).map((k) => k.key);
    return { kind: 'key', path: top.path, ...common, colonFollows: text[skipSpaces(text, wEnd, text.length)] === ':' };
  };
  /** The cursor between the last token and the one at `i`. */
  const gap = (i: number) => {
    if (pending.context || offset < prevEnd || offset > i) return;
    const c = contextHere('', offset, offset);
    if (c) pending.context = c;
  };

  const scalar = (tok: Tok) => {
    const top = stack[stack.length - 1];
    if (offset < tok.start) gap(tok.start);
    const isKey = top.type === 'map' && !top.afterColon;
    if (isKey) {
      top.key = tok.text;
      top.keys.push({ key: tok.text, start: tok.start });
    }
    const path = top.type === 'seq' ? [...top.path, top.index] : isKey ? [...top.path, tok.text] : top.key !== undefined ? [...top.path, top.key] : top.path;
    if (!isKey) values.push({ path, value: tok.text, start: tok.start, end: tok.end });
    if (offset >= tok.start && offset <= tok.end) onToken({ part: isKey ? 'key' : 'value', path, start: tok.start, end: tok.end, text: tok.text });
    if (!pending.context && offset >= tok.start && offset <= tok.end) {
      const q = tok.quote ? 1 : 0;
      if (q && tok.closed && offset === tok.end) {
        pending.context = { ...contextHere('', offset, offset)!, kind: 'none' };
      } else {
        const ws = Math.min(tok.start + q, offset);
        const we = Math.max(tok.closed ? tok.end - q : tok.end, offset);
        const c = contextHere(text.slice(ws, offset), ws, we, tok.quote, isKey ? tok.start : undefined);
        if (c) pending.context = c;
      }
    }
    prevEnd = tok.end;
  };

  /** A plain scalar (or an alias) from `s` to `e`: one the Lexer continued over lines is a scalar per line. */
  const plain = (s: number, e: number) => {
    while (s < e) {
      let nl = text.indexOf('\n', s);
      if (nl < 0 || nl > e) nl = e;
      let a = s;
      let b = nl;
      while (a < b && (SPACE(text[a]) || text[a] === '\r')) a++;
      while (b > a && (SPACE(text[b - 1]) || text[b - 1] === '\r')) b--;
      if (b > a) scalar({ start: a, end: b, text: text.slice(a, b) });
      s = nl + 1;
    }
  };
  // '-' and '?' are block indicators, errors here: with what follows them on the line, they are text typed.
  let typed: number | undefined;
  let typedEnd = 0;
  const flush = () => {
    if (typed !== undefined) scalar({ start: typed, end: typedEnd, text: text.slice(typed, typedEnd) });
    typed = undefined;
  };

  for (const t of flowTokens(text, line, line.toks.findIndex((x) => base + x.start === start))) {
    const top = stack[stack.length - 1];
    const tStart = base + t.start;
    const tEnd = base + t.end;
    if (t.type === 'space') continue;
    if (t.type === 'seq-item-ind' || t.type === 'explicit-key-ind') {
      typed ??= tStart;
      typedEnd = tEnd;
      continue;
    }
    if (typed !== undefined && t.type === 'scalar') {
      // The first line of the scalar is typed text with the indicators.
      const nl = text.indexOf('\n', tStart);
      const first = nl < 0 || nl > tEnd ? tEnd : nl;
      typedEnd = first;
      while (typedEnd > tStart && (SPACE(text[typedEnd - 1]) || text[typedEnd - 1] === '\r')) typedEnd--;
      flush();
      plain(first, tEnd);
      continue;
    }
    flush();
    switch (t.type) {
      // Anchors and tags say nothing about a place.
      case 'anchor':
      case 'tag':
        continue;
      case 'newline':
        newline = tEnd - 1;
        continue;
      case 'flow-error-end': {
        // Unclosed, and a line not indented deeper than the owner: the collection ended before it.
        const end = tStart >= text.length ? text.length : newline;
        gap(end);
        return end;
      }
      case 'comment':
        gap(tStart);
        continue;
      case 'flow-seq-start':
      case 'flow-map-start': {
        if (top) gap(tStart);
        const path = !top ? basePath : top.type === 'seq' ? [...top.path, top.index] : top.afterColon && top.key !== undefined ? [...top.path, top.key] : top.path;
        stack.push({ type: t.type === 'flow-seq-start' ? 'seq' : 'map', path, index: 0, afterColon: false, keys: [] });
        prevEnd = tEnd;
        continue;
      }
    }
    if (!top) return tStart;
    switch (t.type) {
      case 'flow-seq-end':
      case 'flow-map-end':
        gap(tStart);
        stack.pop();
        prevEnd = tEnd;
        if (!stack.length) return tEnd;
        continue;
      case 'comma':
        gap(tStart);
        if (top.type === 'seq') top.index++;
        else {
          top.key = undefined;
          top.afterColon = false;
        }
        prevEnd = tEnd;
        continue;
      case 'map-value-ind':
        // A colon in a list or after a map's value separates nothing.
        if (top.type === 'map' && !top.afterColon) {
          gap(tStart);
          top.afterColon = true;
        }
        prevEnd = tEnd;
        continue;
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
        scalar(quoted(text, t, base));
        continue;
      default:
        plain(tStart, tEnd);
    }
  }
  flush();
  gap(text.length);
  return text.length;
}
