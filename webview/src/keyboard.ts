// Keyboard behaviour of the tree (the WAI-ARIA tree pattern, one focusable element with
// aria-activedescendant), independent of how rows are drawn.

export interface TreeNav {
  readonly count: number;
  readonly pageSize: number;
  readonly active: number;
  setActive(index: number): void;
  isExpandable(index: number): boolean;
  isExpanded(index: number): boolean;
  setExpanded(index: number, expanded: boolean): void;
  parentOf(index: number): number;
  toggleSelected(index: number): void;
  /** Opens the mapping rule behind a row; false when the row has none. */
  openRule(index: number): boolean;
}

/** Handles a key on the tree; true when it was ours (the caller then prevents the default). */
export function handleTreeKey(e: KeyboardEvent, nav: TreeNav): boolean {
  if (e.altKey || e.ctrlKey || e.metaKey || nav.count === 0) return false;
  const i = Math.min(Math.max(nav.active, 0), nav.count - 1);
  const go = (to: number) => nav.setActive(Math.min(Math.max(to, 0), nav.count - 1));
  switch (e.key) {
    case 'ArrowDown':
      go(i + 1);
      return true;
    case 'ArrowUp':
      go(i - 1);
      return true;
    case 'Home':
      go(0);
      return true;
    case 'End':
      go(nav.count - 1);
      return true;
    case 'PageDown':
      go(i + nav.pageSize - 1);
      return true;
    case 'PageUp':
      go(i - nav.pageSize + 1);
      return true;
    case 'ArrowRight':
      if (nav.isExpandable(i)) {
        if (!nav.isExpanded(i)) nav.setExpanded(i, true);
        else go(i + 1);
      }
      return true;
    case 'ArrowLeft':
      if (nav.isExpandable(i) && nav.isExpanded(i)) nav.setExpanded(i, false);
      else {
        const p = nav.parentOf(i);
        if (p >= 0) go(p);
      }
      return true;
    case ' ':
      if (e.shiftKey) return false;
      nav.toggleSelected(i);
      return true;
    case 'Enter':
      if (e.shiftKey) return nav.openRule(i);
      if (nav.isExpandable(i)) nav.setExpanded(i, !nav.isExpanded(i));
      return true;
    default:
      return false;
  }
}
