// Which changes are selected for "Apply selected": a flag per change of the current plan, carried
// across re-plans by change key (keys that vanished are dropped).
import type { PlanTree, RuleGroup, Section } from './model';

export class Selection {
  private flags: Uint8Array;
  private n = 0;
  /** Bumped on every change, so cached group states know when to recount. */
  version = 0;
  private groupCache = new WeakMap<object, { version: number; filter: unknown; selected: number; total: number }>();

  constructor(private tree: PlanTree, keys: Iterable<string> = []) {
    this.flags = new Uint8Array(tree.plan.changes.length);
    for (const k of keys) {
      const ci = tree.indexOfKey(k);
      if (ci >= 0 && !this.flags[ci]) {
        this.flags[ci] = 1;
        this.n++;
      }
    }
  }

  get count(): number {
    return this.n;
  }

  has(ci: number): boolean {
    return this.flags[ci] === 1;
  }

  set(ci: number, on: boolean): void {
    if (this.has(ci) === on) return;
    this.flags[ci] = on ? 1 : 0;
    this.n += on ? 1 : -1;
    this.version++;
  }

  toggle(ci: number): void {
    this.set(ci, !this.has(ci));
  }

  clear(): void {
    this.flags.fill(0);
    this.n = 0;
    this.version++;
  }

  /** Keys of every selected change, in plan order (hidden by filters or not). */
  keys(): string[] {
    const out: string[] = [];
    if (!this.n) return out;
    for (let i = 0; i < this.flags.length; i++) if (this.flags[i]) out.push(this.tree.keyOf(i));
    return out;
  }

  /** Selected changes that the current filters hide. */
  hiddenCount(): number {
    if (!this.n) return 0;
    let shown = 0;
    for (const s of this.tree.visibleSections) for (const g of s.visibleRules) shown += this.countIn(g).selected;
    return this.n - shown;
  }

  /** Selected and total visible changes under a section or rule group. */
  countIn(node: Section | RuleGroup): { selected: number; total: number } {
    const filter = this.tree.getFilters();
    const cached = this.groupCache.get(node);
    if (cached && cached.version === this.version && cached.filter === filter) return cached;
    let selected = 0;
    let total = 0;
    const groups = node.type === 'rule' ? [node] : node.visibleRules;
    for (const g of groups) {
      total += g.items.length;
      for (let i = 0; i < g.items.length; i++) selected += this.flags[g.items[i]];
    }
    const entry = { version: this.version, filter, selected, total };
    this.groupCache.set(node, entry);
    return entry;
  }

  /** A group's checkbox: selects all its visible changes, or clears them when all are selected. */
  toggleGroup(node: Section | RuleGroup): void {
    const { selected, total } = this.countIn(node);
    const on = selected < total;
    const groups = node.type === 'rule' ? [node] : node.visibleRules;
    for (const g of groups) for (let i = 0; i < g.items.length; i++) this.set(g.items[i], on);
    this.version++;
  }
}
