// Rules and sections of a parsed mapping file, without vscode: where each rule's CodeLens goes
// and the document outline. Works on whatever the YAML parser recovered from a broken file.
import { Document, Node, Pair, isMap, isScalar, isSeq } from 'yaml';
import type { Range } from '../../core/diagnostic';
import type { ParsedMapping } from '../../core/parse';
import type { RuleKind } from './rule-stats';

export interface RuleHead {
  kind: RuleKind;
  /** The rule's list: `agents` or `users`. */
  section: 'agents' | 'users';
  index: number;
  rule: string;
  /** The rule's first line (`- rule: service-desk`). */
  range: Range;
}

/** Every agent and user rule that has a name, where its lens goes. */
export function ruleHeads(parsed: ParsedMapping): RuleHead[] {
  const out: RuleHead[] = [];
  for (const section of ['agents', 'users'] as const) {
    const seq = parsed.document.get(section, true);
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, index) => {
      if (!isMap(item)) return;
      const rule = item.get('rule');
      if (typeof rule !== 'string' && typeof rule !== 'number') return;
      const range = parsed.headRangeOf([section, index]);
      if (range) out.push({ kind: section === 'agents' ? 'agent' : 'user', section, index, rule: String(rule), range });
    });
  }
  return out;
}

export type OutlineKind = 'section' | 'rule' | 'entry' | 'key' | 'field';

export interface OutlineNode {
  name: string;
  detail: string;
  kind: OutlineKind;
  /** Offsets of the whole node and of the part that names it. */
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineNode[];
}

const ITEM_DETAIL: Record<string, string> = {
  agents: 'agent rule',
  users: 'user rule',
  entra: 'Entra connection',
  roles: 'role grant',
  cab: 'CAB membership',
  protect: 'protected record',
};

function span(node: unknown): [number, number] | undefined {
  const r = (node as Node | null)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && typeof node.value !== 'object' ? String(node.value) : undefined;
}

/** How a list item is called in the outline: its rule, name, group or email. */
function itemName(section: string, item: unknown, index: number): string {
  if (isMap(item)) {
    for (const key of ['rule', 'name', 'group', 'email', 'entraId', 'haloId']) {
      const v = item.get(key);
      if (typeof v === 'string' || typeof v === 'number') return section === 'cab' && key === 'group' ? `${v} → ${item.get('cab') ?? ''}`.trim() : String(v);
    }
    if (item.get('noManager') === true) return 'no manager';
  }
  return scalarText(item) ?? `[${index}]`;
}

function pairNode(pair: Pair, kind: OutlineKind, depth: number, section: string): OutlineNode | undefined {
  const key = scalarText(pair.key);
  const keySpan = span(pair.key);
  if (!key || !keySpan) return undefined;
  const valueSpan = span(pair.value);
  const end = Math.max(keySpan[1], valueSpan?.[1] ?? keySpan[1]);
  const node: OutlineNode = {
    name: key,
    detail: scalarText(pair.value) ?? '',
    kind,
    start: keySpan[0],
    end,
    selectionStart: keySpan[0],
    selectionEnd: keySpan[1],
    children: [],
  };
  const value = pair.value;
  if (isSeq(value) && depth === 0) {
    value.items.forEach((item, i) => {
      const s = span(item);
      if (!s) return;
      const first = isMap(item) ? item.items[0] : undefined;
      const sel = (first && span(first.key)) || s;
      node.children.push({
        name: itemName(key, item, i),
        detail: ITEM_DETAIL[key] ?? '',
        kind: key === 'agents' || key === 'users' ? 'rule' : 'entry',
        start: s[0],
        end: s[1],
        selectionStart: sel[0],
        selectionEnd: Math.min(sel[1], s[1]),
        children: [],
      });
    });
  } else if (isMap(value) && depth < 2) {
    const childKind: OutlineKind = section === 'fields' && depth === 1 ? 'field' : 'key';
    for (const p of value.items) {
      const child = pairNode(p as Pair, childKind, depth + 1, section);
      if (child) node.children.push(child);
    }
  }
  return node;
}

/** Top-level sections with their rules, entries and keys. */
export function outline(document: Document.Parsed): OutlineNode[] {
  const contents = document.contents;
  if (!isMap(contents)) return [];
  const out: OutlineNode[] = [];
  for (const pair of contents.items) {
    const key = scalarText(pair.key);
    const node = pairNode(pair as Pair, 'section', 0, key ?? '');
    if (node) out.push(node);
  }
  return out;
}
