// Where the cursor is in a YAML mapping file, read from the text line by line rather than from a
// parse: a file being edited is usually broken ("    fr", "licence: " at the end), and a YAML
// parser then gives no usable tree exactly where completion is wanted. Indentation alone says
// which key or list item contains a line; flow collections ({ }, [ ]) are scanned token by token.
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
// Lines

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
}

const SPACE = (c: string | undefined) => c === ' ' || c === '\t';

function skipSpaces(text: string, p: number, end: number): number {
  while (p < end && SPACE(text[p])) p++;
  return p;
}

function readQuoted(text: string, p: number, end: number): Tok {
  const q = text[p] as '"' | "'";
  let i = p + 1;
  while (i < end) {
    const c = text[i];
    if (q === '"' && c === '\\') i += 2;
    else if (c === q) {
      if (q === "'" && text[i + 1] === "'") i += 2;
      else return { start: p, end: i + 1, text: unquote(text.slice(p, i + 1)), quote: q, closed: true };
    } else i++;
  }
  return { start: p, end, text: text.slice(p + 1, end), quote: q, closed: false };
}

function unquote(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** A block mapping key at `p`: plain or quoted, followed by ':' and a space or the line end. */
function readKey(text: string, p: number, end: number): { key: Tok; colon: number } | undefined {
  const c = text[p];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, p, end);
    if (!q.closed) return undefined;
    const j = skipSpaces(text, q.end, end);
    if (text[j] === ':' && (j + 1 >= end || SPACE(text[j + 1]))) return { key: q, colon: j };
    return undefined;
  }
  if ('[]{}#&*!|>%@`,?'.includes(c)) return undefined;
  for (let j = p; j < end; j++) {
    if (text[j] === '#' && SPACE(text[j - 1])) return undefined;
    if (text[j] === ':' && (j + 1 >= end || SPACE(text[j + 1]))) {
      let e = j;
      while (e > p && SPACE(text[e - 1])) e--;
      if (e === p) return undefined;
      return { key: { start: p, end: e, text: text.slice(p, e) }, colon: j };
    }
  }
  return undefined;
}

/** The value starting at or after `p` on this line, and where a trailing comment starts. */
function readValue(text: string, p: number, end: number): { value?: Tok; comment?: number } {
  p = skipSpaces(text, p, end);
  // Anchors and tags before a value say nothing about its place.
  while (p < end && (text[p] === '&' || text[p] === '!')) {
    while (p < end && !SPACE(text[p])) p++;
    p = skipSpaces(text, p, end);
  }
  if (p >= end) return {};
  const c = text[p];
  if (c === '#') return { comment: p };
  if (c === '[' || c === '{') return { value: { start: p, end: p, text: '', flow: true } };
  if ((c === '|' || c === '>') && /^[|>][-+0-9]*[ \t]*(#.*)?$/.test(text.slice(p, end))) {
    return { value: { start: p, end: p + 1, text: '', block: true } };
  }
  if (c === '"' || c === "'") {
    const q = readQuoted(text, p, end);
    const after = skipSpaces(text, q.end, end);
    return { value: q, comment: text[after] === '#' ? after : undefined };
  }
  let e = p;
  let comment: number | undefined;
  for (; e < end; e++) {
    if (text[e] === '#' && SPACE(text[e - 1])) {
      comment = e;
      break;
    }
  }
  let v = e;
  while (v > p && SPACE(text[v - 1])) v--;
  return { value: { start: p, end: v, text: text.slice(p, v) }, comment };
}

function parseLine(text: string, start: number, end: number): Line {
  let p = skipSpaces(text, start, end);
  const line: Line = { start, end, indent: p - start, entries: [] };
  if (p >= end) return line;
  if (text[p] === '#') {
    line.comment = p;
    return line;
  }
  if (p === start && /^(---|\.\.\.)(\s|$)/.test(text.slice(p, Math.min(end, p + 4)))) return line;
  for (;;) {
    if (text[p] === '-' && (p + 1 >= end || SPACE(text[p + 1]))) {
      line.entries.push({ t: 'item', col: p - start, pos: p });
      p = skipSpaces(text, p + 1, end);
      if (p >= end) return line;
      if (text[p] === '#') {
        line.comment = p;
        return line;
      }
      continue;
    }
    const key = readKey(text, p, end);
    if (key) {
      const { value, comment } = readValue(text, key.colon + 1, end);
      line.entries.push({ t: 'key', col: p - start, key: key.key, colon: key.colon, value });
      line.comment = comment;
      return line;
    }
    const { value, comment } = readValue(text, p, end);
    if (value) line.entries.push({ t: 'scalar', col: p - start, tok: value });
    line.comment = comment;
    return line;
  }
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
    const line = parseLine(text, lineStart, end);
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
          skipUntil = scanFlow(text, v.start, e.col, path, offset, values, pending, (t) => (token = t));
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
        skipUntil = scanFlow(text, tok.start, e.col, path, offset, values, pending, (t) => (token = t));
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

const FLOW_STOP = ',[]{}';

/**
 * Scan the flow collection opening at `start`, recording its scalars and, when the cursor is in
 * it, the cursor context. Returns where it ends: after its closing bracket, or, when unclosed,
 * at the first line indented no deeper than its owner (`ownerCol`), as YAML requires.
 */
function scanFlow(
  text: string,
  start: number,
  ownerCol: number,
  basePath: Path,
  offset: number,
  values: ScalarAt[],
  pending: Pending,
  onToken: (t: TokenAt) => void,
): number {
  const stack: FlowFrame[] = [];
  let i = start;
  let prevEnd = start;
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
  const gap = () => {
    if (pending.context || offset < prevEnd || offset > i) return;
    const c = contextHere('', offset, offset);
    if (c) pending.context = c;
  };

  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      if (stack.length === 0) return i;
      // An unclosed collection ends where a line is indented no deeper than its owner.
      let p = i + 1;
      let ind = 0;
      while (text[p] === ' ') {
        p++;
        ind++;
      }
      const c = text[p];
      const blank = p >= text.length || c === '\n' || c === '\r' || c === '#';
      if (!blank && ind <= ownerCol && c !== ']' && c !== '}') {
        gap();
        return i;
      }
      i++;
      continue;
    }
    if (SPACE(ch) || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      gap();
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === '[' || ch === '{') {
      if (top) gap();
      const path = !top ? basePath : top.type === 'seq' ? [...top.path, top.index] : top.afterColon && top.key !== undefined ? [...top.path, top.key] : top.path;
      stack.push({ type: ch === '[' ? 'seq' : 'map', path, index: 0, afterColon: false, keys: [] });
      i++;
      prevEnd = i;
      continue;
    }
    if (!top) return i;
    if (ch === ']' || ch === '}') {
      gap();
      stack.pop();
      i++;
      prevEnd = i;
      if (!stack.length) return i;
      continue;
    }
    if (ch === ',') {
      gap();
      if (top.type === 'seq') top.index++;
      else {
        top.key = undefined;
        top.afterColon = false;
      }
      i++;
      prevEnd = i;
      continue;
    }
    if (ch === ':' && top.type === 'map' && !top.afterColon && (i + 1 >= text.length || /[\s,\]}]/.test(text[i + 1]))) {
      gap();
      top.afterColon = true;
      i++;
      prevEnd = i;
      continue;
    }

    // A scalar.
    let tok: Tok;
    if (ch === '"' || ch === "'") {
      tok = readQuoted(text, i, text.length);
    } else {
      let e = i;
      for (; e < text.length; e++) {
        const c = text[e];
        if (c === '\n' || FLOW_STOP.includes(c)) break;
        if (c === ':' && (e + 1 >= text.length || /[\s,\]}]/.test(text[e + 1]))) break;
        if (c === '#' && SPACE(text[e - 1])) break;
      }
      let v = e;
      while (v > i && (SPACE(text[v - 1]) || text[v - 1] === '\r')) v--;
      tok = { start: i, end: v, text: text.slice(i, v) };
      if (e === i) {
        i++;
        prevEnd = i;
        continue;
      }
    }
    if (offset < tok.start) gap();
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
    i = tok.end;
    prevEnd = i;
  }
  gap();
  return text.length;
}
