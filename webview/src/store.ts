// A small observable store for the panel's non-tree state (what the host last said, busy, results).
import type { HostMessage, PanelState } from '../protocol';

export type Applied = Extract<HostMessage, { type: 'applied' }>;

export interface UiState {
  panel: PanelState | null;
  busy: boolean;
  busyMessage: string;
  applied: Applied | null;
  error: string | null;
}

export class Store<T extends object> {
  private listeners: ((state: T) => void)[] = [];
  constructor(private state: T) {}

  get(): T {
    return this.state;
  }

  set(patch: Partial<T>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  subscribe(listener: (state: T) => void): void {
    this.listeners.push(listener);
  }
}

export const initialUiState = (): UiState => ({ panel: null, busy: false, busyMessage: '', applied: null, error: null });
