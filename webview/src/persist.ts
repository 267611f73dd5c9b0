// What the panel keeps across hide/show and reload through VS Code's getState/setState.
// Read back strictly: anything malformed (an older shape, a hand-edited state) is ignored.
import { ACTION_FILTERS, ActionFilter, Filters, KIND_FILTERS, KindFilter } from './model';

export interface SavedState {
  v: 1;
  filters: Filters;
  /** Sections and rule groups the user closed. */
  collapsed: string[];
  /** Sections and rule groups the user opened, and change keys whose identity row is open. */
  expanded: string[];
  /** Change keys selected for apply. */
  selected: string[];
  scrollTop: number;
  /** Row key of the focused row. */
  active: string | null;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function readSavedState(raw: unknown): SavedState | null {
  if (!raw || typeof raw !== 'object') return null;
  const s = raw as Record<string, unknown>;
  const f = s.filters as Record<string, unknown> | undefined;
  if (s.v !== 1 || !f || typeof f !== 'object') return null;
  if (!ACTION_FILTERS.includes(f.action as ActionFilter) || !KIND_FILTERS.includes(f.kind as KindFilter) || typeof f.query !== 'string') return null;
  if (!strings(s.collapsed) || !strings(s.expanded) || !strings(s.selected)) return null;
  if (typeof s.scrollTop !== 'number' || !Number.isFinite(s.scrollTop) || s.scrollTop < 0) return null;
  if (s.active !== null && typeof s.active !== 'string') return null;
  return {
    v: 1,
    filters: { action: f.action as ActionFilter, kind: f.kind as KindFilter, query: f.query.slice(0, 500) },
    collapsed: s.collapsed,
    expanded: s.expanded,
    selected: s.selected,
    scrollTop: s.scrollTop,
    active: s.active,
  };
}
