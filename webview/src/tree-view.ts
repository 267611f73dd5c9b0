// The diff tree: one focusable role="tree" element over a virtual list of rows, wired to the tree
// model, the selection and the keyboard.
import type { Plan } from '../../src/core/changes';
import { handleTreeKey, TreeNav } from './keyboard';
import { Filters, PlanTree, revealKind, Row } from './model';
import { createRowElement, isExpandable, isExpanded, renderRow, ROW_HEIGHT } from './rows';
import { Selection } from './selection';
import { VirtualList } from './virtual-list';

export interface TreeViewEvents {
  /** Selection changed (the apply button and saved state follow). */
  selectionChanged(): void;
  /** Expansion, focus or scroll changed (saved state follows). */
  viewChanged(): void;
  revealRule(kind: 'agent' | 'user', rule: string): void;
}

/** What to carry into a new plan: from saved state, or from the tree being replaced. */
export interface ViewMemory {
  collapsed: string[];
  expanded: string[];
  selected: string[];
  active: string | null;
  scrollTop: number;
}

const OVERSCAN = 10;

export class TreeView implements TreeNav {
  readonly el: HTMLElement;
  readonly empty: HTMLElement;
  tree: PlanTree | null = null;
  selection: Selection | null = null;
  private list: VirtualList;
  private activeIndex = 0;
  private filters: Filters;

  constructor(private events: TreeViewEvents, filters: Filters) {
    this.filters = filters;
    this.el = document.createElement('div');
    this.el.className = 'tree';
    this.el.id = 'tree';
    this.el.tabIndex = 0;
    this.el.setAttribute('role', 'tree');
    this.el.setAttribute('aria-label', 'Planned changes');
    this.el.setAttribute('aria-multiselectable', 'true');
    this.empty = document.createElement('div');
    this.empty.className = 'empty';
    this.empty.setAttribute('role', 'status');
    this.empty.textContent = 'Waiting for the plan…';
    this.list = new VirtualList(this.el, {
      rowHeight: ROW_HEIGHT,
      overscan: OVERSCAN,
      createRow: createRowElement,
      renderRow: (el, i) => this.fillRow(el, i),
      onRendered: () => this.syncActiveDescendant(),
    });
    this.el.addEventListener('keydown', (e) => {
      if (handleTreeKey(e, this)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    this.el.addEventListener('click', (e) => this.onClick(e));
    this.el.addEventListener('dblclick', (e) => {
      const i = this.indexFromEvent(e);
      if (i >= 0 && !(e.target as HTMLElement).closest('.check,.twistie,.open-rule') && this.isExpandable(i)) this.setExpanded(i, !this.isExpanded(i));
    });
    this.el.addEventListener('focus', () => {
      // Focus lands on the tree, not a row. Never scroll on focus (a click is about to pick its own
      // row): if the active row was scrolled out of view, the first row in view becomes active.
      if (!this.count) return;
      const first = this.list.firstVisible();
      const last = first + this.list.pageSize - 1;
      this.setActive(this.activeIndex >= first && this.activeIndex <= last ? this.activeIndex : first);
    });
    this.el.addEventListener('scroll', () => this.events.viewChanged(), { passive: true });
  }

  // ───────────── plan and filters ─────────────

  /** Which directory each connection reads ("Okta"), for rows' titles. */
  directories: Record<string, string> = {};

  /** Shows a plan, carrying over expansion, selection, focus and scroll by key. */
  setPlan(plan: Plan, memory: ViewMemory | null): void {
    const tree = new PlanTree(plan);
    tree.applyFilters(this.filters);
    if (memory && (memory.collapsed.length || memory.expanded.length)) tree.restoreExpansion(memory.collapsed, memory.expanded);
    this.tree = tree;
    this.selection = new Selection(tree, memory?.selected ?? []);
    this.list.setCount(tree.totalRows);
    if (memory) this.el.scrollTop = memory.scrollTop;
    const at = memory?.active ? tree.rowOfKey(memory.active) : -1;
    this.activeIndex = at >= 0 ? at : Math.min(this.activeIndex, Math.max(0, tree.totalRows - 1));
    this.updateEmpty();
    this.list.render();
  }

  setFilters(filters: Filters): void {
    this.filters = filters;
    const tree = this.tree;
    if (!tree) return;
    const activeKey = this.activeKey();
    tree.applyFilters(filters);
    this.afterReshape(activeKey);
  }

  /** What to remember of this view (for setState and for the next plan). */
  memory(): ViewMemory | null {
    if (!this.tree || !this.selection) return null;
    const { collapsed, expanded } = this.tree.expansionState();
    return { collapsed, expanded, selected: this.selection.keys(), active: this.activeKey(), scrollTop: this.el.scrollTop };
  }

  private activeKey(): string | null {
    const row = this.tree?.rowAt(this.activeIndex);
    return row && this.tree ? this.tree.rowKey(row) : null;
  }

  /** After rows were added or removed: keep focus on the same thing where it is still shown. */
  private afterReshape(activeKey: string | null): void {
    const tree = this.tree!;
    this.list.setCount(tree.totalRows);
    const at = activeKey ? tree.rowOfKey(activeKey) : -1;
    this.activeIndex = at >= 0 ? at : Math.min(this.activeIndex, Math.max(0, tree.totalRows - 1));
    this.updateEmpty();
    this.list.render();
    this.events.viewChanged();
  }

  private updateEmpty(): void {
    const tree = this.tree;
    if (!tree) return;
    const none = tree.totalRows === 0;
    this.empty.hidden = !none;
    if (none) {
      const f = this.filters;
      const filtering = f.action !== 'all' || f.kind !== 'all' || f.query.trim() !== '';
      this.empty.textContent = filtering ? 'Nothing matches the filters.' : 'No changes. Halo matches the mapping.';
    }
  }

  refresh(): void {
    this.list.render();
  }

  focus(): void {
    this.el.focus();
  }

  // ───────────── rows ─────────────

  private fillRow(el: HTMLElement, index: number): void {
    const tree = this.tree;
    const row = tree?.rowAt(index);
    if (!tree || !row || !this.selection) {
      el.replaceChildren();
      return;
    }
    const f = this.filters;
    renderRow(el, index, row, { tree, selection: this.selection, active: this.activeIndex, filtered: f.action !== 'all' || f.kind !== 'all' || f.query.trim() !== '', directories: this.directories });
  }

  private syncActiveDescendant(): void {
    const el = this.list.elementAt(this.activeIndex);
    if (el && this.count) this.el.setAttribute('aria-activedescendant', el.id);
    else this.el.removeAttribute('aria-activedescendant');
  }

  private row(index: number): Row | null {
    return this.tree?.rowAt(index) ?? null;
  }

  private indexFromEvent(e: Event): number {
    const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.row');
    if (!rowEl || !this.el.contains(rowEl)) return -1;
    return this.list.indexOf(rowEl);
  }

  private onClick(e: MouseEvent): void {
    const i = this.indexFromEvent(e);
    if (i < 0) return;
    const target = e.target as HTMLElement;
    this.setActive(i);
    if (target.closest('.twistie')) {
      if (this.isExpandable(i)) this.setExpanded(i, !this.isExpanded(i));
    } else if (target.closest('.check')) {
      this.toggleSelected(i);
    } else if (target.closest('.open-rule')) {
      this.openRule(i);
    }
  }

  // ───────────── TreeNav ─────────────

  get count(): number {
    return this.tree?.totalRows ?? 0;
  }

  get pageSize(): number {
    return this.list.pageSize;
  }

  get active(): number {
    return this.activeIndex;
  }

  setActive(index: number): void {
    if (!this.count) return;
    const i = Math.min(Math.max(index, 0), this.count - 1);
    const prev = this.activeIndex;
    this.activeIndex = i;
    // Rendered now, not on the next frame, so aria-activedescendant always names a row in the DOM.
    if (this.list.reveal(i)) this.list.render();
    else {
      this.list.elementAt(prev)?.classList.remove('active');
      this.list.elementAt(i)?.classList.add('active');
      this.syncActiveDescendant();
    }
    if (prev !== i) this.events.viewChanged();
  }

  isExpandable(index: number): boolean {
    const row = this.row(index);
    return !!row && !!this.tree && isExpandable(this.tree, row);
  }

  isExpanded(index: number): boolean {
    const row = this.row(index);
    return !!row && !!this.tree && isExpanded(this.tree, row);
  }

  setExpanded(index: number, expanded: boolean): void {
    const tree = this.tree;
    const row = this.row(index);
    if (!tree || !row) return;
    // The toggled row keeps its index (only rows below it move), so focus stays put.
    if (row.type === 'section') tree.setGroupExpanded(row.section.key, expanded);
    else if (row.type === 'rule') tree.setGroupExpanded(row.group.key, expanded);
    else if (row.type === 'change') tree.setChangeExpanded(row.ci, expanded);
    else return;
    this.list.setCount(tree.totalRows);
    this.activeIndex = index;
    this.list.render();
    this.events.viewChanged();
  }

  parentOf(index: number): number {
    const row = this.row(index);
    return row && this.tree ? this.tree.parentOf(row) : -1;
  }

  toggleSelected(index: number): void {
    const row = this.row(index);
    const sel = this.selection;
    if (!row || !sel) return;
    if (row.type === 'change') sel.toggle(row.ci);
    else if (row.type === 'rule') sel.toggleGroup(row.group);
    else if (row.type === 'section' && row.section.id !== 'errors' && row.section.id !== 'orphans') sel.toggleGroup(row.section);
    else if (row.type === 'detail') sel.toggle(row.ci);
    else return;
    this.list.render();
    this.events.selectionChanged();
  }

  openRule(index: number): boolean {
    const row = this.row(index);
    if (!row || !this.tree) return false;
    const g = row.type === 'rule' || row.type === 'change' || row.type === 'detail' ? row.group : null;
    if (!g || g.rule === null) return false;
    this.events.revealRule(revealKind(g.kind), g.rule);
    return true;
  }
}
