// The plan as a tree (action → rule → identity → field lines, then errors and orphans), flattened on
// demand: a row index resolves through cached group arrays, so expanding or collapsing a node adjusts
// a few counters instead of rebuilding a 100 000-entry row list.
import type { Action, Change, Plan } from '../../src/core/changes';
import { ACTIONS, changeKey } from '../../src/core/changes';
import { formatValue } from '../../src/core/render';

export type ActionFilter = 'all' | Action | 'errors' | 'orphans';
export type KindFilter = 'all' | 'agent' | 'user' | 'site';

export interface Filters {
  action: ActionFilter;
  kind: KindFilter;
  query: string;
}

export const ACTION_FILTERS: ActionFilter[] = ['all', ...ACTIONS, 'errors', 'orphans'];
export const KIND_FILTERS: KindFilter[] = ['all', 'agent', 'user', 'site'];

export type SectionId = Action | 'errors' | 'orphans';

export interface Section {
  type: 'section';
  key: string;
  id: SectionId;
  /** Action sections: their rule groups. */
  rules: RuleGroup[];
  /** Errors/orphans sections: indices into plan.errors / plan.orphans that pass the filters. */
  items: Int32Array;
  /** Items before filtering. */
  total: number;
  /** Rule groups with items after filtering (action sections). */
  visibleRules: RuleGroup[];
  /** Rows below the header when expanded. */
  bodyRows: number;
}

export interface RuleGroup {
  type: 'rule';
  key: string;
  section: Section;
  action: Action;
  kind: Change['kind'];
  rule: string | null;
  /** Change indices of this group, in plan order. */
  all: Int32Array;
  /** The ones that pass the filters. */
  items: Int32Array;
  /** How many of `items` are expanded. */
  expandedInside: number;
  /** Row offset of items[k] inside the body, when some are expanded (built lazily). */
  prefix: Int32Array | null;
  /** Rows below the header when expanded. */
  bodyRows: number;
}

export type DetailLine =
  | { type: 'field'; field: string; from: string | null; to: string }
  | { type: 'membership'; what: string; add: string[]; remove: string[]; why: Record<string, string> };

export type Row =
  | { type: 'section'; level: 1; section: Section; pos: number; size: number }
  | { type: 'rule'; level: 2; group: RuleGroup; pos: number; size: number }
  | { type: 'change'; level: 3; group: RuleGroup; ci: number; pos: number; size: number }
  | { type: 'detail'; level: 4; group: RuleGroup; ci: number; line: DetailLine; pos: number; size: number; parentRow: number }
  | { type: 'error'; level: 2; section: Section; ei: number; pos: number; size: number }
  | { type: 'orphan'; level: 2; section: Section; oi: number; pos: number; size: number };

const SECTION_ORDER: SectionId[] = ['errors', ...ACTIONS, 'orphans'];
const LONG_LIST = 50;

const lc = (v: unknown): string => (v === null || v === undefined ? '' : String(v).toLowerCase());

/**
 * Which strings the search box looks in: name, email-like field values, Entra id, Halo id. Joined
 * from an array so each is one flat string (a concatenation rope would be flattened by the first
 * search instead).
 */
function haystack(c: Change): string {
  const parts = [lc(c.name), lc(c.entraId), `#${c.haloId ?? ''}`];
  const fields = c.fields && typeof c.fields === 'object' ? c.fields : {};
  for (const f of Object.values(fields)) {
    if (!f) continue;
    if (typeof f.to === 'string' && f.to.includes('@')) parts.push(f.to.toLowerCase());
    if (typeof f.from === 'string' && f.from.includes('@')) parts.push(f.from.toLowerCase());
  }
  return parts.join('\n');
}

/** Every term must occur (so "ada contoso" finds Ada at contoso.com). */
export function queryTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

function matchesAll(hay: string, terms: string[]): boolean {
  for (const t of terms) if (!hay.includes(t)) return false;
  return true;
}

export function revealKind(kind: Change['kind']): 'agent' | 'user' {
  // Sites are created by user rules (siteFrom), so their rule is a user rule.
  return kind === 'agent' ? 'agent' : 'user';
}

export class PlanTree {
  readonly plan: Plan;
  readonly sections: Section[] = [];
  visibleSections: Section[] = [];
  totalRows = 0;

  private keys: (string | undefined)[];
  private keyIndex: Map<string, number> | null = null;
  private search: string[] | null = null;
  private errorSearch: string[] | null = null;
  private orphanSearch: string[] | null = null;
  /** 1 where the change's identity row is expanded. */
  private expanded: Uint8Array;
  private expandedCount = 0;
  /** Sections and rule groups the user opened or closed (otherwise groupDefault decides). */
  private groupOverrides = new Map<string, boolean>();
  private groupDefaults = new Map<string, boolean>();
  private detailCache = new Map<number, DetailLine[]>();
  private terms: string[] = [];
  private filters: Filters = { action: 'all', kind: 'all', query: '' };

  constructor(plan: Plan) {
    this.plan = plan;
    const n = plan.changes.length;
    this.keys = new Array<string | undefined>(n);
    this.expanded = new Uint8Array(n);
    this.build();
    this.applyFilters(this.filters);
  }

  // ───────────── identity of changes ─────────────

  keyOf(ci: number): string {
    return (this.keys[ci] ??= changeKey(this.plan.changes[ci]));
  }

  indexOfKey(key: string): number {
    if (!this.keyIndex) {
      this.keyIndex = new Map();
      for (let i = 0; i < this.plan.changes.length; i++) this.keyIndex.set(this.keyOf(i), i);
    }
    return this.keyIndex.get(key) ?? -1;
  }

  // ───────────── building and filtering ─────────────

  private build(): void {
    const { plan } = this;
    const bySection = new Map<SectionId, Section>();
    for (const id of SECTION_ORDER) {
      const s: Section = { type: 'section', key: `s:${id}`, id, rules: [], items: new Int32Array(0), total: 0, visibleRules: [], bodyRows: 0 };
      bySection.set(id, s);
      this.sections.push(s);
    }
    // Rule groups in mapping order (plan.rules), then any others in order of appearance.
    const ruleOrder = new Map<string, number>();
    (plan.rules ?? []).forEach((r, i) => ruleOrder.set(`${r.kind}|${r.rule}`, i));
    const groups = new Map<string, { action: Action; kind: Change['kind']; rule: string | null; list: number[] }>();
    const changes = plan.changes;
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      const gk = `${c.action}|${c.kind}|${c.rule ?? ''}`;
      let g = groups.get(gk);
      if (!g) groups.set(gk, (g = { action: c.action, kind: c.kind, rule: c.rule ?? null, list: [] }));
      g.list.push(i);
    }
    const ordered = [...groups.entries()].map(([key, g], appearance) => ({ key, g, appearance }));
    const rank = (x: (typeof ordered)[number]) => (x.g.rule === null ? 2e9 : ruleOrder.get(`${revealKind(x.g.kind)}|${x.g.rule}`) ?? 1e9 + x.appearance);
    ordered.sort((a, b) => rank(a) - rank(b) || a.appearance - b.appearance);
    for (const { key, g } of ordered) {
      const section = bySection.get(g.action);
      if (!section) continue;
      const all = Int32Array.from(g.list);
      section.rules.push({ type: 'rule', key: `r:${key}`, section, action: g.action, kind: g.kind, rule: g.rule, all, items: all, expandedInside: 0, prefix: null, bodyRows: all.length });
      section.total += all.length;
    }
    bySection.get('errors')!.total = plan.errors.length;
    bySection.get('orphans')!.total = plan.orphans.length;
    // Long error and orphan lists start closed, so the changes are in view; short ones start open.
    for (const id of ['errors', 'orphans'] as const) {
      const s = bySection.get(id)!;
      this.groupDefaults.set(s.key, s.total <= LONG_LIST);
    }
  }

  private ensureSearch(): void {
    if (this.search) return;
    const { plan } = this;
    this.search = plan.changes.map(haystack);
    this.errorSearch = plan.errors.map((e) => [lc(e.name), lc(e.entraId), `#${e.haloId ?? ''}`, lc(e.message)].join('\n'));
    this.orphanSearch = plan.orphans.map((o) => [lc(o.name), `#${o.haloId}`].join('\n'));
  }

  /** Builds the search strings now (called when the panel is idle after first paint). */
  prepareSearch(): void {
    this.ensureSearch();
  }

  getFilters(): Filters {
    return this.filters;
  }

  applyFilters(filters: Filters): void {
    this.filters = { ...filters };
    const { action, kind } = filters;
    this.terms = queryTerms(filters.query);
    const terms = this.terms;
    if (terms.length) this.ensureSearch();
    for (const s of this.sections) {
      if (s.id === 'errors' || s.id === 'orphans') {
        const wanted = action === 'all' || action === s.id;
        const list = s.id === 'errors' ? this.plan.errors : this.plan.orphans;
        const hay = s.id === 'errors' ? this.errorSearch : this.orphanSearch;
        const out: number[] = [];
        if (wanted) {
          for (let i = 0; i < list.length; i++) {
            const k = list[i].kind;
            if (kind !== 'all' && k !== kind) continue;
            if (terms.length && !matchesAll(hay![i], terms)) continue;
            out.push(i);
          }
        }
        s.items = Int32Array.from(out);
        continue;
      }
      for (const g of s.rules) {
        const wanted = (action === 'all' || action === g.action) && (kind === 'all' || kind === g.kind);
        if (!wanted) g.items = new Int32Array(0);
        else if (!terms.length) g.items = g.all;
        else {
          const search = this.search!;
          const out = new Int32Array(g.all.length);
          let n = 0;
          for (let i = 0; i < g.all.length; i++) {
            const ci = g.all[i];
            if (matchesAll(search[ci], terms)) out[n++] = ci;
          }
          g.items = out.subarray(0, n);
        }
        this.recountGroup(g);
      }
    }
    this.recount();
  }

  private recountGroup(g: RuleGroup): void {
    let inside = 0;
    let rows = g.items.length;
    if (this.expandedCount > 0) {
      for (let i = 0; i < g.items.length; i++) {
        const ci = g.items[i];
        if (this.expanded[ci]) {
          inside++;
          rows += this.details(ci).length;
        }
      }
    }
    g.expandedInside = inside;
    g.bodyRows = rows;
    g.prefix = null;
  }

  /** Recomputes section sizes and the total from the groups' cached counts. */
  private recount(): void {
    let total = 0;
    this.visibleSections = [];
    for (const s of this.sections) {
      if (s.id === 'errors' || s.id === 'orphans') {
        s.bodyRows = s.items.length;
        if (!s.items.length) continue;
      } else {
        s.visibleRules = s.rules.filter((g) => g.items.length > 0);
        if (!s.visibleRules.length) continue;
        let body = 0;
        for (const g of s.visibleRules) body += this.groupRows(g);
        s.bodyRows = body;
      }
      this.visibleSections.push(s);
      total += this.sectionRows(s);
    }
    this.totalRows = total;
  }

  visibleCount(s: Section): number {
    if (s.id === 'errors' || s.id === 'orphans') return s.items.length;
    let n = 0;
    for (const g of s.rules) n += g.items.length;
    return n;
  }

  // ───────────── expansion ─────────────

  isGroupExpanded(key: string): boolean {
    return this.groupOverrides.get(key) ?? this.groupDefaults.get(key) ?? true;
  }

  isChangeExpanded(ci: number): boolean {
    return this.expanded[ci] === 1;
  }

  private sectionRows(s: Section): number {
    return 1 + (this.isGroupExpanded(s.key) ? s.bodyRows : 0);
  }

  private groupRows(g: RuleGroup): number {
    return 1 + (this.isGroupExpanded(g.key) ? g.bodyRows : 0);
  }

  setGroupExpanded(key: string, expanded: boolean): void {
    if (expanded === this.isGroupExpanded(key)) return;
    this.groupOverrides.set(key, expanded);
    this.recount();
  }

  setChangeExpanded(ci: number, expanded: boolean): void {
    if (this.isChangeExpanded(ci) === expanded || (expanded && !this.details(ci).length)) return;
    this.expanded[ci] = expanded ? 1 : 0;
    this.expandedCount += expanded ? 1 : -1;
    // Only the group holding the change (if it is shown) changes shape.
    const c = this.plan.changes[ci];
    const section = this.sections.find((s) => s.id === c.action);
    const g = section?.rules.find((r) => r.action === c.action && r.kind === c.kind && r.rule === (c.rule ?? null));
    if (g && indexIn(g.items, ci) >= 0) {
      const d = this.details(ci).length;
      g.bodyRows += expanded ? d : -d;
      g.expandedInside += expanded ? 1 : -1;
      g.prefix = null;
    }
    this.recount();
  }

  /**
   * Expansion the user chose, for saving: groups closed, and groups and identities opened (group
   * keys start with "s:" or "r:", which no change key does).
   */
  expansionState(): { collapsed: string[]; expanded: string[] } {
    const collapsed: string[] = [];
    const expanded: string[] = [];
    for (const [k, open] of this.groupOverrides) (open ? expanded : collapsed).push(k);
    if (this.expandedCount) for (let i = 0; i < this.expanded.length; i++) if (this.expanded[i]) expanded.push(this.keyOf(i));
    return { collapsed, expanded };
  }

  /** Restores saved expansion; keys no longer in the plan are forgotten. */
  restoreExpansion(collapsed: Iterable<string>, expanded: Iterable<string>): void {
    const groupKeys = new Set<string>();
    for (const s of this.sections) {
      groupKeys.add(s.key);
      for (const g of s.rules) groupKeys.add(g.key);
    }
    this.groupOverrides.clear();
    for (const k of collapsed) if (groupKeys.has(k)) this.groupOverrides.set(k, false);
    this.expanded.fill(0);
    this.expandedCount = 0;
    for (const k of expanded) {
      if (isGroupKey(k)) {
        if (groupKeys.has(k)) this.groupOverrides.set(k, true);
        continue;
      }
      const ci = this.indexOfKey(k);
      if (ci >= 0 && !this.expanded[ci] && this.details(ci).length) {
        this.expanded[ci] = 1;
        this.expandedCount++;
      }
    }
    this.applyFilters(this.filters);
  }

  // ───────────── details ─────────────

  details(ci: number): DetailLine[] {
    let d = this.detailCache.get(ci);
    if (!d) {
      d = detailLines(this.plan.changes[ci]);
      this.detailCache.set(ci, d);
    }
    return d;
  }

  // ───────────── flattening ─────────────

  /** The row at a flat index (0 ≤ i < totalRows). */
  rowAt(index: number): Row | null {
    if (index < 0 || index >= this.totalRows) return null;
    let i = index;
    const secs = this.visibleSections;
    for (let si = 0; si < secs.length; si++) {
      const s = secs[si];
      const rows = this.sectionRows(s);
      if (i >= rows) {
        i -= rows;
        continue;
      }
      if (i === 0) return { type: 'section', level: 1, section: s, pos: si + 1, size: secs.length };
      i -= 1;
      if (s.id === 'errors') return { type: 'error', level: 2, section: s, ei: s.items[i], pos: i + 1, size: s.items.length };
      if (s.id === 'orphans') return { type: 'orphan', level: 2, section: s, oi: s.items[i], pos: i + 1, size: s.items.length };
      const groups = s.visibleRules;
      for (let gi = 0; gi < groups.length; gi++) {
        const g = groups[gi];
        const gr = this.groupRows(g);
        if (i >= gr) {
          i -= gr;
          continue;
        }
        if (i === 0) return { type: 'rule', level: 2, group: g, pos: gi + 1, size: groups.length };
        return this.rowInGroup(g, i - 1, index);
      }
    }
    return null;
  }

  private rowInGroup(g: RuleGroup, j: number, flat: number): Row {
    if (!g.expandedInside) return { type: 'change', level: 3, group: g, ci: g.items[j], pos: j + 1, size: g.items.length };
    const prefix = this.prefixOf(g);
    // Largest k with prefix[k] ≤ j.
    let lo = 0;
    let hi = g.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (prefix[mid] <= j) lo = mid;
      else hi = mid - 1;
    }
    const ci = g.items[lo];
    const sub = j - prefix[lo];
    if (sub === 0) return { type: 'change', level: 3, group: g, ci, pos: lo + 1, size: g.items.length };
    const lines = this.details(ci);
    return { type: 'detail', level: 4, group: g, ci, line: lines[sub - 1], pos: sub, size: lines.length, parentRow: flat - sub };
  }

  private prefixOf(g: RuleGroup): Int32Array {
    if (g.prefix) return g.prefix;
    const p = new Int32Array(g.items.length);
    let off = 0;
    for (let k = 0; k < g.items.length; k++) {
      p[k] = off;
      const ci = g.items[k];
      off += 1 + (this.expanded[ci] ? this.details(ci).length : 0);
    }
    return (g.prefix = p);
  }

  /** Flat index of a section or rule header (−1 when not shown). */
  rowOfGroup(node: Section | RuleGroup): number {
    let i = 0;
    const target = node.type === 'section' ? node : node.section;
    for (const s of this.visibleSections) {
      if (s !== target) {
        i += this.sectionRows(s);
        continue;
      }
      if (node.type === 'section') return i;
      if (!this.isGroupExpanded(s.key)) return -1;
      i += 1;
      for (const g of s.visibleRules) {
        if (g === node) return i;
        i += this.groupRows(g);
      }
      return -1;
    }
    return -1;
  }

  /** Flat index of a change's row (−1 when filtered out or inside a collapsed group). */
  rowOfChange(ci: number): number {
    const c = this.plan.changes[ci];
    const s = this.sections.find((x) => x.id === c.action);
    const g = s?.visibleRules.find((r) => r.kind === c.kind && r.rule === (c.rule ?? null));
    if (!g || !this.isGroupExpanded(g.key)) return -1;
    const k = indexIn(g.items, ci);
    const head = this.rowOfGroup(g);
    if (k < 0 || head < 0) return -1;
    return head + 1 + (g.expandedInside ? this.prefixOf(g)[k] : k);
  }

  /** Flat index of a row's parent, or −1 at the top level. */
  parentOf(row: Row): number {
    switch (row.type) {
      case 'section':
        return -1;
      case 'rule':
      case 'error':
      case 'orphan':
        return this.rowOfGroup(row.type === 'rule' ? row.group.section : row.section);
      case 'change':
        return this.rowOfGroup(row.group);
      case 'detail':
        return row.parentRow;
    }
  }

  /** A stable key for a row, to keep focus on "the same thing" across re-plans. */
  rowKey(row: Row): string {
    switch (row.type) {
      case 'section':
        return row.section.key;
      case 'rule':
        return row.group.key;
      case 'change':
        return `c:${this.keyOf(row.ci)}`;
      case 'detail':
        return `c:${this.keyOf(row.ci)}`;
      case 'error':
        return `e:${row.ei}`;
      case 'orphan':
        return `o:${this.plan.orphans[row.oi].kind}|${this.plan.orphans[row.oi].haloId}`;
    }
  }

  /** Flat index of a row key from rowKey (−1 when not shown). */
  rowOfKey(key: string): number {
    if (key.startsWith('c:')) {
      const ci = this.indexOfKey(key.slice(2));
      return ci >= 0 ? this.rowOfChange(ci) : -1;
    }
    for (const s of this.visibleSections) {
      if (s.key === key) return this.rowOfGroup(s);
      for (const g of s.visibleRules) if (g.key === key) return this.rowOfGroup(g);
    }
    return -1;
  }
}

const isGroupKey = (k: string): boolean => k.startsWith('s:') || k.startsWith('r:');

/** Position of ci in a group's items (items are in ascending plan order). */
function indexIn(items: Int32Array, ci: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = items[mid];
    if (v === ci) return mid;
    if (v < ci) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The lines under an identity: `field: from → to` (just `to` on create) and membership deltas. */
export function detailLines(c: Change): DetailLine[] {
  const out: DetailLine[] = [];
  const creating = c.action === 'create' || c.action === 'createSite';
  const fields = c.fields && typeof c.fields === 'object' ? c.fields : {};
  for (const [field, f] of Object.entries(fields)) {
    if (!f || typeof f !== 'object') continue;
    let to = formatValue(f.to);
    if (field === 'site_id' && c.site) to = c.site.id === null ? `new site "${c.site.name}"` : `${to} (${c.site.name})`;
    out.push({ type: 'field', field, from: creating ? null : formatValue(f.from), to });
  }
  for (const [what, d] of Object.entries(c.memberships ?? {})) {
    if (!d || (!d.add?.length && !d.remove?.length)) continue;
    const why = d.why && typeof d.why === 'object' ? (d.why as Record<string, string>) : {};
    out.push({ type: 'membership', what, add: d.add ?? [], remove: d.remove ?? [], why });
  }
  const roles = c.memberships?.cabs?.role;
  for (const r of Array.isArray(roles) ? roles : []) out.push({ type: 'field', field: `CAB role on ${r.cab}`, from: formatValue(r.from), to: formatValue(r.to) });
  return out;
}
