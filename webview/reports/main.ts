// The report view: one report at a time (access review, licences, orphans) as a summary, a chart
// and a virtualised, keyboard-navigable table. In the access review a reviewer marks each grant
// keep, revoke or fix in Entra, and saves the review (or saves and applies it) through the host.
import type { AccessReport, AccessRow } from '../../src/core/reports/access';
import { NOT_GRANTED } from '../../src/core/reports/terms';
import type { LicenceReport } from '../../src/core/reports/licences';
import type { OrphanReport } from '../../src/core/reports/orphans';
import { parseReportViewMessage, REVIEW_DECISIONS, ReportHostMessage, ReportViewMessage, ReviewChoice, ReviewMark } from '../report-protocol';
import { VirtualList } from '../src/virtual-list';
import { barChart } from './charts';
import './main.css';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
// Defined by VS Code in webviews (and by the test harness); outside them posts go nowhere.
const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
const api: VsCodeApi = typeof acquire === 'function' ? acquire() : { postMessage: () => undefined };
const post = (m: ReportViewMessage) => {
  // What the host will parse is what we send: a bad message is a bug here, not there.
  if (!parseReportViewMessage(m)) throw new Error('report view: an invalid message');
  api.postMessage(m);
};

const ROW_HEIGHT = 24;
const app = document.getElementById('app')!;

type Cell = string | number | null;
interface Table {
  columns: string[];
  rows: Cell[][];
  /** Access review only: the row's grant, for review marks. */
  grants?: AccessRow[];
}

let table: Table = { columns: [], rows: [] };
let shown: number[] = [];
let active = 0;
const marks = new Map<string, ReviewChoice>();
const markKey = (r: AccessRow) => `${r.kind}\u0000${r.haloId}\u0000${r.grantType}\u0000${r.grant.toLowerCase()}`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(m: Extract<ReportHostMessage, { type: 'report' }>): void {
  app.replaceChildren();
  const header = el('header', 'report-header');
  const h1 = el('h1', undefined, m.kind === 'access' ? 'Access review' : m.kind === 'licences' ? 'Licences' : 'Orphans');
  header.append(h1, el('p', 'summary', `${summaryOf(m)} · ${m.mapping} · read ${new Date(m.generatedAt).toLocaleString()}`));
  const canvasBox = el('div', 'chart');
  const canvas = el('canvas');
  canvas.id = 'chart';
  canvasBox.append(canvas);
  const controls = el('div', 'controls');
  const search = el('input', 'search');
  search.type = 'search';
  search.placeholder = 'Filter: name, email, grant, provenance…';
  search.setAttribute('aria-label', 'Filter the rows');
  controls.append(search);
  let only: HTMLSelectElement | undefined;
  let type: HTMLSelectElement | undefined;
  if (m.kind === 'access') {
    type = el('select', 'type');
    type.setAttribute('aria-label', 'Which kind of grant');
    for (const [v, t] of [['', 'Roles, teams and CABs'], ['role', 'Roles'], ['team', 'Teams'], ['cab', 'CABs']]) type.append(new Option(t, v));
    only = el('select', 'only');
    only.setAttribute('aria-label', 'Which grants');
    for (const [v, t] of [['all', 'All grants'], ['hand', 'Not granted by the mapping'], ['mapping', 'Granted by the mapping']]) only.append(new Option(t, v));
    const save = el('button', 'save', 'Save review');
    const apply = el('button', 'apply', 'Save and apply revokes');
    save.addEventListener('click', () => saveReview(false));
    apply.addEventListener('click', () => saveReview(true));
    controls.append(type, only, save, apply);
  }
  const scroller = el('div', 'table');
  scroller.tabIndex = 0;
  scroller.setAttribute('role', 'grid');
  scroller.setAttribute('aria-label', `${h1.textContent} rows`);
  const head = el('div', 'row head');
  app.append(header, canvasBox, controls, head, scroller);

  table = tableOf(m);
  for (const c of table.columns) head.append(el('span', 'cell', c));
  if (table.grants) head.append(el('span', 'cell decision', 'decision'));
  const list = new VirtualList(scroller, {
    rowHeight: ROW_HEIGHT,
    overscan: 10,
    createRow: () => {
      const row = el('div', 'row');
      row.setAttribute('role', 'row');
      return row;
    },
    renderRow: (row, index) => fillRow(row, shown[index], index),
  });
  const apply = () => {
    const q = search.value.trim().toLowerCase();
    const which = only?.value ?? 'all';
    const kind = type?.value ?? '';
    shown = [];
    if (!q && which === 'all' && !kind) shown = table.rows.map((_, i) => i);
    else table.rows.forEach((r, i) => {
      const g = table.grants?.[i];
      if (which !== 'all' && g && (g.provenance[0] === NOT_GRANTED) !== (which === 'hand')) return;
      if (kind && g && g.grantType !== kind) return;
      if (q && !r.some((c) => c !== null && String(c).toLowerCase().includes(q))) return;
      shown.push(i);
    });
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.setCount(shown.length);
    list.render();
  };
  search.addEventListener('input', apply);
  only?.addEventListener('change', apply);
  type?.addEventListener('change', apply);
  scroller.addEventListener('keydown', (e) => {
    const page = list.pageSize;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      active = Math.max(0, Math.min(shown.length - 1, active + moves[e.key]));
      list.reveal(active);
      list.render();
      e.preventDefault();
    } else if (table.grants && ['1', '2', '3'].includes(e.key) && shown.length) {
      mark(shown[active], REVIEW_DECISIONS[Number(e.key) - 1]);
      list.render();
      e.preventDefault();
    }
  });
  scroller.addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    if (select.dataset.row !== undefined) mark(Number(select.dataset.row), select.value as ReviewChoice);
  });
  apply();
  // The table is the first paint; the chart follows in the next frame.
  requestAnimationFrame(() => drawChart(canvas, m));
}

function fillRow(row: HTMLElement, i: number, index: number): void {
  row.replaceChildren();
  row.id = `r${index}`;
  row.classList.toggle('active', index === active);
  if (index === active) row.parentElement?.parentElement?.parentElement?.setAttribute('aria-activedescendant', row.id);
  const g = table.grants?.[i];
  row.classList.toggle('hand', g?.provenance[0] === NOT_GRANTED);
  for (const c of table.rows[i]) {
    const cell = el('span', 'cell', c === null ? '' : String(c));
    cell.setAttribute('role', 'gridcell');
    row.append(cell);
  }
  if (g) {
    const select = el('select', 'decision');
    select.dataset.row = String(i);
    select.setAttribute('aria-label', `Decision for ${g.grant} of ${g.name}`);
    select.append(new Option('—', ''));
    for (const d of REVIEW_DECISIONS) select.append(new Option(d, d));
    select.value = marks.get(markKey(g)) ?? '';
    row.append(select);
  }
}

function mark(i: number, decision: ReviewChoice): void {
  const g = table.grants?.[i];
  if (g) marks.set(markKey(g), decision);
}

function saveReview(apply: boolean): void {
  const out: ReviewMark[] = [];
  for (const g of table.grants ?? []) {
    const d = marks.get(markKey(g));
    if (d && g.grantType) out.push({ kind: g.kind, haloId: g.haloId, grantType: g.grantType, grant: g.grant, decision: d });
  }
  post({ type: 'saveReview', marks: out, apply });
}

function tableOf(m: Extract<ReportHostMessage, { type: 'report' }>): Table {
  if (m.kind === 'access') {
    const grants = m.report.rows.filter((r) => r.grantType !== '');
    return { columns: ['kind', 'name', 'email', 'client / site', 'grant', 'provenance'], rows: grants.map((r) => [r.kind, `${r.name} #${r.haloId}`, r.email, [r.client, r.site].filter(Boolean).join(' / ') || null, `${r.grantType} ${r.grant}`, r.provenance.join('; ')]), grants };
  }
  if (m.kind === 'licences') {
    return { columns: ['name', 'email', 'licence', 'last login (Halo)', 'last sign-in (Entra)', 'idle days', 'Entra', 'flags'], rows: m.report.rows.map((r) => [`${r.name} #${r.haloId}${r.apiAgent ? ' (API)' : ''}`, r.email, r.licence, day(r.lastLoginHalo), day(r.lastSignInEntra), r.idleDays, r.entra, r.flags.join('; ')]) };
  }
  return { columns: ['kind', 'name', 'email', 'client / site', 'suggestions'], rows: m.report.rows.map((r) => [r.kind, `${r.name} #${r.haloId}`, r.email, [r.client, r.site].filter(Boolean).join(' / ') || null, r.suggestions.join('; ')]) };
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

function summaryOf(m: Extract<ReportHostMessage, { type: 'report' }>): string {
  if (m.kind === 'access') return `${m.report.records} records, ${m.report.grants} grants, ${m.report.ungranted} not granted by the mapping`;
  if (m.kind === 'licences') {
    const r: LicenceReport = m.report;
    const cost = r.cost ? `; ${r.cost.recoverable} a month recoverable` : '';
    return `${r.named} named, ${r.concurrent} concurrent; ${r.idle} idle over ${r.idleDaysLimit} days; ${r.namedHeldByGone} named held by people gone from Entra${cost}`;
  }
  return `${m.report.agents} agents and ${m.report.users} users no Entra identity claims`;
}

function drawChart(canvas: HTMLCanvasElement, m: Extract<ReportHostMessage, { type: 'report' }>): void {
  if (m.kind === 'access') {
    const r: AccessReport = m.report;
    const byGrant = new Map<string, { mapping: number; hand: number }>();
    for (const row of r.rows) {
      if (!row.grantType) continue;
      const k = `${row.grantType} ${row.grant}`;
      const c = byGrant.get(k) ?? { mapping: 0, hand: 0 };
      c[row.provenance[0] === NOT_GRANTED ? 'hand' : 'mapping']++;
      byGrant.set(k, c);
    }
    const labels = [...byGrant.keys()].sort((a, b) => byGrant.get(b)!.mapping + byGrant.get(b)!.hand - (byGrant.get(a)!.mapping + byGrant.get(a)!.hand)).slice(0, 20);
    barChart(canvas, { title: 'Grants per role, team and CAB, by provenance', labels, stacked: true, horizontal: true, series: [
      { label: 'granted by the mapping', data: labels.map((l) => byGrant.get(l)!.mapping), colour: '--vscode-charts-blue' },
      { label: 'not granted by the mapping', data: labels.map((l) => byGrant.get(l)!.hand), colour: '--vscode-charts-orange' },
    ] });
  } else if (m.kind === 'licences') {
    const r: LicenceReport = m.report;
    const bins = ['0–7', '8–14', '15–30', '31–60', '61–90', '91+', 'never'];
    const bin = (d: number | null) => (d === null ? 6 : d <= 7 ? 0 : d <= 14 ? 1 : d <= 30 ? 2 : d <= 60 ? 3 : d <= 90 ? 4 : 5);
    const counts = (licence: string) => bins.map((_, i) => r.rows.filter((x) => !x.apiAgent && x.active && x.licence === licence && bin(x.idleDays) === i).length);
    barChart(canvas, { title: 'Days since the last sign-in of active agents', labels: bins, stacked: true, series: [
      { label: 'named', data: counts('named'), colour: '--vscode-charts-blue' },
      { label: 'concurrent', data: counts('concurrent'), colour: '--vscode-charts-green' },
    ] });
  } else {
    const r: OrphanReport = m.report;
    const labels = Object.keys(r.byClient).sort();
    barChart(canvas, { title: 'Orphans per client', labels, series: [{ label: 'orphans', data: labels.map((l) => r.byClient[l]), colour: '--vscode-charts-red' }] });
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as ReportHostMessage;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'report' && (m.kind === 'access' || m.kind === 'licences' || m.kind === 'orphans')) {
    marks.clear();
    active = 0;
    render(m);
  } else if (m.type === 'reviewSaved' && typeof m.file === 'string') {
    app.querySelector('.summary')?.append(` · review saved to ${m.file}`);
  } else if (m.type === 'error' && typeof m.message === 'string') {
    const p = el('p', 'error', m.message);
    p.setAttribute('role', 'alert');
    app.prepend(p);
  }
});
post({ type: 'ready' });
