// Filter state: action and kind apply at once, the search text after a short pause in typing.
import type { Action } from '../../src/core/changes';
import type { ActionFilter, Filters, KindFilter } from './model';

export const ACTION_LABEL: Record<Action, string> = { createSite: 'Sites to create', create: 'To create', update: 'To update', reactivate: 'To reactivate', deactivate: 'To deactivate' };

export const ACTION_OPTIONS: { value: ActionFilter; label: string }[] = [
  { value: 'all', label: 'All actions' },
  { value: 'create', label: 'Create' },
  { value: 'update', label: 'Update' },
  { value: 'reactivate', label: 'Reactivate' },
  { value: 'deactivate', label: 'Deactivate' },
  { value: 'createSite', label: 'Create site' },
  { value: 'errors', label: 'Errors' },
  { value: 'orphans', label: 'Orphans' },
];

export const KIND_OPTIONS: { value: KindFilter; label: string }[] = [
  { value: 'all', label: 'All kinds' },
  { value: 'agent', label: 'Agents' },
  { value: 'user', label: 'Users' },
  { value: 'site', label: 'Sites' },
];

export const SEARCH_DEBOUNCE_MS = 150;

export class FilterController {
  private current: Filters;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(initial: Filters, private onChange: (filters: Filters) => void) {
    this.current = { ...initial };
  }

  get value(): Filters {
    return this.current;
  }

  setAction(action: ActionFilter): void {
    this.update({ action });
  }

  setKind(kind: KindFilter): void {
    this.update({ kind });
  }

  setQuery(query: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update({ query }), SEARCH_DEBOUNCE_MS);
  }

  private update(patch: Partial<Filters>): void {
    const next = { ...this.current, ...patch };
    if (next.action === this.current.action && next.kind === this.current.kind && next.query === this.current.query) return;
    this.current = next;
    this.onChange(next);
  }
}
