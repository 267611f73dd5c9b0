// The diff panel app: restores its view state, listens to the host, then says it is ready.
import './main.css';
import type { HostMessage } from '../protocol';
import { FilterController } from './filters';
import { Header, SelectionInfo } from './header';
import { connect, getSavedState, post, saveState } from './messaging';
import type { Filters } from './model';
import { readSavedState, SavedState } from './persist';
import { initialUiState, Store } from './store';
import { registerToolkit } from './toolkit';
import { TreeView, ViewMemory } from './tree-view';

const SAVE_DELAY_MS = 200;

function start(): void {
  registerToolkit();
  const root = document.getElementById('app') ?? document.body;
  const saved = readSavedState(getSavedState());
  const store = new Store(initialUiState());
  /** Saved view state still to be applied to the first plan. */
  let pending: SavedState | null = saved;

  const filters = new FilterController(saved?.filters ?? { action: 'all', kind: 'all', query: '' }, (f: Filters) => {
    performance.mark('halo:filter-start');
    view.setFilters(f);
    performance.mark('halo:filter-end');
    performance.measure('halo:filter', 'halo:filter-start', 'halo:filter-end');
    updateHeader();
    persistSoon();
  });

  const view = new TreeView(
    {
      selectionChanged: () => {
        updateHeader();
        persistSoon();
      },
      viewChanged: () => persistSoon(),
      revealRule: (kind, rule) => post({ type: 'revealRule', kind, rule }),
    },
    filters.value,
  );

  const header = new Header(
    {
      refresh: () => post({ type: 'refresh' }),
      applySelected: () => {
        const keys = view.selection?.keys() ?? [];
        const panel = store.get().panel;
        if (keys.length && panel?.canApply && !store.get().busy) post({ type: 'applySelected', keys });
      },
      openJournal: () => post({ type: 'openJournal' }),
      setAction: (a) => filters.setAction(a),
      setKind: (k) => filters.setKind(k),
      setQuery: (q) => filters.setQuery(q),
    },
    filters.value,
  );

  const main = document.createElement('main');
  main.className = 'body';
  main.append(view.el, view.empty);
  root.replaceChildren(header.el, main);

  function selectionInfo(): SelectionInfo {
    const tree = view.tree;
    const sel = view.selection;
    if (!tree || !sel) return { selected: 0, hidden: 0, shown: 0, total: 0 };
    let shown = 0;
    for (const s of tree.visibleSections) shown += s.id === 'errors' || s.id === 'orphans' ? 0 : tree.visibleCount(s);
    return { selected: sel.count, hidden: sel.hiddenCount(), shown, total: tree.plan.changes.length };
  }

  function updateHeader(): void {
    header.update(store.get(), selectionInfo());
  }
  store.subscribe(updateHeader);

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  function persistSoon(): void {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(persistNow, SAVE_DELAY_MS);
  }
  function persistNow(): void {
    clearTimeout(saveTimer);
    const memory: ViewMemory | null = view.memory() ?? pending;
    const state: SavedState = {
      v: 1,
      filters: filters.value,
      collapsed: memory?.collapsed ?? [],
      expanded: memory?.expanded ?? [],
      selected: memory?.selected ?? [],
      scrollTop: memory?.scrollTop ?? 0,
      active: memory?.active ?? null,
    };
    saveState(state);
  }
  // A hidden panel may be discarded without warning: save what is pending first.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') persistNow();
  });
  window.addEventListener('pagehide', persistNow);

  function onState(m: Extract<HostMessage, { type: 'state' }>): void {
    // Marks for the first-paint budget: received (message decoded) → rendered (next frame).
    performance.mark('halo:state-received');
    const memory = view.memory() ?? pending;
    pending = null;
    // Only part of a large plan is here yet: what refers to the rest is applied when it arrives.
    awaiting = m.state.pendingChanges ? memory : null;
    view.directories = m.state.directories ?? {};
    view.setPlan(m.state.plan, memory);
    store.set({ panel: m.state, error: null });
    requestAnimationFrame(() => performance.mark('halo:state-rendered'));
    persistSoon();
    // Search strings are built while the panel is idle, so the first search does not pay for them.
    const tree = view.tree;
    const idle = (window as { requestIdleCallback?: (cb: () => void) => number }).requestIdleCallback;
    if (tree) (idle ?? ((cb: () => void) => setTimeout(cb, 50)))(() => tree.prepareSearch());
  }

  let awaiting: ViewMemory | null = null;

  /** What was remembered before the first part, plus what the user did since; the scroll position is the remembered one. */
  function combine(before: ViewMemory | null, now: ViewMemory | null): ViewMemory | null {
    if (!before || !now) return now ?? before;
    const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
    return { collapsed: union(before.collapsed, now.collapsed), expanded: union(before.expanded, now.expanded), selected: union(before.selected, now.selected), active: before.active ?? now.active, scrollTop: before.scrollTop || now.scrollTop };
  }

  /** The rest of a large plan: the tree is rebuilt once, keeping what the user opened and chose. */
  function onMoreChanges(m: Extract<HostMessage, { type: 'moreChanges' }>): void {
    const panel = store.get().panel;
    if (!panel || panel.plannedAt !== m.plannedAt) return;
    const plan = { ...panel.plan, changes: panel.plan.changes.concat(m.changes) };
    const pendingChanges = m.done ? 0 : Math.max(0, (panel.pendingChanges ?? 0) - m.changes.length);
    view.setPlan(plan, combine(awaiting, view.memory()));
    if (m.done) awaiting = null;
    store.set({ panel: { ...panel, plan, pendingChanges } });
    requestAnimationFrame(() => performance.mark('halo:more-rendered'));
    persistSoon();
  }

  connect((m) => {
    switch (m.type) {
      case 'state':
        onState(m);
        break;
      case 'moreChanges':
        onMoreChanges(m);
        break;
      case 'busy':
        store.set({ busy: m.busy, busyMessage: m.busy ? (typeof m.message === 'string' ? m.message : 'Working…') : '' });
        break;
      case 'applied':
        store.set({ applied: m, busy: false, busyMessage: '' });
        break;
      case 'error':
        store.set({ error: m.message });
        break;
    }
  });
  updateHeader();
}

start();
