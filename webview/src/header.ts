// The panel's header: title and actions, summary counts, banners (blocked, mapping errors,
// warnings, host errors, apply results) and the filter bar.
import type { Summary } from '../../src/core/changes';
import { ACTION_OPTIONS, KIND_OPTIONS } from './filters';
import type { ActionFilter, Filters, KindFilter } from './model';
import type { UiState } from './store';
import { badge, Badge, button, Button, dropdown, Dropdown, progressRing, textField, TextField } from './toolkit';

export interface HeaderEvents {
  refresh(): void;
  applySelected(): void;
  openJournal(): void;
  setAction(action: ActionFilter): void;
  setKind(kind: KindFilter): void;
  setQuery(query: string): void;
}

export interface SelectionInfo {
  selected: number;
  hidden: number;
  shown: number;
  total: number;
}

type CountKey = keyof Summary | 'errors' | 'orphans';

const COUNTS: { key: CountKey; label: string }[] = [
  { key: 'create', label: 'Create' },
  { key: 'update', label: 'Update' },
  { key: 'reactivate', label: 'Reactivate' },
  { key: 'deactivate', label: 'Deactivate' },
  { key: 'createSite', label: 'Sites' },
  { key: 'unchanged', label: 'Unchanged' },
  { key: 'errors', label: 'Errors' },
  { key: 'orphans', label: 'Orphans' },
];

const fmt = (n: number): string => n.toLocaleString('en-US');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

export class Header {
  readonly el: HTMLElement;
  private file = el('span', 'file');
  private when = el('span', 'when');
  private busyBox = el('span', 'busy');
  private busyText = el('span', 'busy-text');
  private refreshBtn: Button;
  private applyBtn: Button;
  private applyNote = el('div', 'apply-note');
  private counts = new Map<CountKey, Badge>();
  private blocked = el('div', 'banner banner-blocked');
  private mappingErrors = el('div', 'banner banner-warning');
  private hostError = el('div', 'banner banner-error');
  private warnings = el('ul', 'warnings');
  private result = el('div', 'result');
  private resultText = el('span', 'result-text');
  private journalBtn: Button;
  private search: TextField;
  private action: Dropdown<ActionFilter>;
  private kind: Dropdown<KindFilter>;
  private matchInfo = el('span', 'match-info');

  constructor(events: HeaderEvents, filters: Filters) {
    this.el = el('header', 'top');

    const titleRow = el('div', 'title-row');
    const title = el('div', 'title');
    title.append(el('h1', 'h', 'Halo Identity plan'), this.file, this.when);
    const actions = el('div', 'actions');
    this.busyBox.append(progressRing('Working'), this.busyText);
    this.busyBox.setAttribute('role', 'status');
    this.busyBox.hidden = true;
    this.refreshBtn = button('Refresh', { id: 'refresh', secondary: true, title: 'Read Entra and Halo again and re-plan', onClick: () => events.refresh() });
    this.applyBtn = button('Apply selected (0)', { id: 'apply-selected', title: 'Apply the selected changes to Halo', onClick: () => events.applySelected() });
    actions.append(this.busyBox, this.refreshBtn.el, this.applyBtn.el);
    titleRow.append(title, actions);

    const counts = el('div', 'counts');
    counts.setAttribute('role', 'group');
    counts.setAttribute('aria-label', 'Summary');
    for (const c of COUNTS) {
      const item = el('span', `count-item count-${c.key}`);
      item.dataset.count = c.key;
      const b = badge('0');
      this.counts.set(c.key, b);
      item.append(el('span', 'count-label', c.label), b.el);
      counts.append(item);
    }

    this.blocked.setAttribute('role', 'alert');
    this.hostError.setAttribute('role', 'alert');
    this.result.setAttribute('role', 'status');
    this.journalBtn = button('Open journal', { id: 'open-journal', secondary: true, onClick: () => events.openJournal() });
    this.result.append(this.resultText, this.journalBtn.el);
    for (const b of [this.blocked, this.mappingErrors, this.hostError, this.warnings, this.result, this.applyNote]) b.hidden = true;

    const bar = el('div', 'filters');
    this.search = textField({ id: 'search', placeholder: 'Search name, email, directory id, Halo id', ariaLabel: 'Search changes', value: filters.query, onInput: (v) => events.setQuery(v) });
    this.action = dropdown({ id: 'filter-action', ariaLabel: 'Filter by action', options: ACTION_OPTIONS, value: filters.action, onChange: (v) => events.setAction(v) });
    this.kind = dropdown({ id: 'filter-kind', ariaLabel: 'Filter by kind', options: KIND_OPTIONS, value: filters.kind, onChange: (v) => events.setKind(v) });
    this.matchInfo.setAttribute('aria-live', 'polite');
    bar.append(this.search.el, this.action.el, this.kind.el, this.matchInfo);

    this.el.append(titleRow, counts, this.blocked, this.mappingErrors, this.hostError, this.warnings, this.result, this.applyNote, bar);
  }

  update(ui: UiState, sel: SelectionInfo): void {
    const panel = ui.panel;
    const plan = panel?.plan;
    this.file.textContent = panel ? panel.mappingFile : '';
    this.when.textContent = panel ? `planned ${time(panel.plannedAt)} · snapshots read ${time(panel.snapshotAt)}` : '';
    if (plan) {
      const s = plan.summary;
      const n: Record<CountKey, number> = { ...s, errors: plan.errors.length, orphans: plan.orphans.length };
      for (const [k, b] of this.counts) {
        b.setText(fmt(n[k] ?? 0));
        b.el.parentElement!.classList.toggle('zero', !n[k]);
      }
    }

    this.busyBox.hidden = !ui.busy;
    this.busyText.textContent = ui.busyMessage;

    this.blocked.hidden = !plan?.blocked;
    if (plan?.blocked) this.blocked.textContent = `Blocked: ${plan.blocked.reason}. Apply refuses this plan unless the threshold is explicitly overridden.`;
    this.mappingErrors.hidden = !panel?.mappingErrors;
    if (panel?.mappingErrors) this.mappingErrors.textContent = `The mapping has ${panel.mappingErrors} error${panel.mappingErrors === 1 ? '' : 's'}: this is the plan of the last valid mapping.`;
    this.hostError.hidden = !ui.error;
    this.hostError.textContent = ui.error ?? '';

    const warnings = plan?.warnings ?? [];
    this.warnings.hidden = !warnings.length;
    if (this.warnings.childElementCount !== warnings.length || warnings.some((w, i) => this.warnings.children[i]?.textContent !== `Warning: ${w}`)) {
      this.warnings.replaceChildren(...warnings.map((w) => el('li', 'warning', `Warning: ${w}`)));
    }

    const a = ui.applied;
    this.result.hidden = !a;
    if (a) {
      const parts = [`Applied ${fmt(a.applied)}`, `failed ${fmt(a.failed)}`];
      if (a.stale) parts.push(`stale ${fmt(a.stale)} (changed in Halo since the plan)`);
      this.resultText.textContent = `${parts.join(', ')}${a.cancelled ? '; cancelled before the end' : ''}.`;
      this.result.classList.toggle('failed', a.failed > 0);
      this.journalBtn.el.hidden = !a.journalFile;
    }

    this.applyBtn.setLabel(`Apply selected (${fmt(sel.selected)})`);
    const why = !panel ? 'Waiting for the plan.' : ui.busy ? '' : !panel.canApply ? this.whyNoApply(ui) : '';
    this.applyBtn.setDisabled(!panel || ui.busy || !panel.canApply || sel.selected === 0);
    this.refreshBtn.setDisabled(ui.busy);
    const notes: string[] = [];
    if (why && panel) notes.push(why);
    if (sel.hidden) notes.push(`${fmt(sel.hidden)} selected change${sel.hidden === 1 ? ' is' : 's are'} hidden by the filters and will be applied too.`);
    this.applyNote.hidden = !notes.length;
    this.applyNote.textContent = notes.join(' ');
    this.applyNote.classList.toggle('disabled-reason', !!why);

    const loading = panel?.pendingChanges ? ` (loading ${fmt(panel.pendingChanges)} more…)` : '';
    this.matchInfo.textContent = plan ? (sel.shown === sel.total ? `${fmt(sel.total)} changes` : `${fmt(sel.shown)} of ${fmt(sel.total)} changes`) + loading : '';
  }

  private whyNoApply(ui: UiState): string {
    const p = ui.panel!;
    if (p.plan.blocked) return `Apply is disabled: the plan is blocked by safety.${p.plan.blocked.limit}.`;
    if (p.mappingErrors) return 'Apply is disabled: fix the mapping errors first.';
    return 'Apply is disabled here: the workspace is not trusted or there is no live connection to Entra and Halo.';
  }
}
