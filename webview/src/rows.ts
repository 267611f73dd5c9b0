// Drawing one tree row into a pooled element: text only (textContent, never HTML from the plan),
// ARIA attributes for the tree pattern, and classes the stylesheet themes with --vscode-* colours.
import type { Action, Change } from '../../src/core/changes';
import { ACTION_LABEL } from './filters';
import type { DetailLine, PlanTree, Row, Section } from './model';
import type { Selection } from './selection';

const SYMBOL: Record<Action, string> = { createSite: '+', create: '+', update: '~', reactivate: '^', deactivate: '−' };

export const ROW_HEIGHT = 22;

const fmt = (n: number): string => n.toLocaleString('en-US');

function span(cls: string, text?: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  if (text !== undefined) s.textContent = text;
  return s;
}

export function createRowElement(): HTMLElement {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'treeitem');
  return el;
}

function sectionTitle(s: Section): string {
  if (s.id === 'errors') return 'Errors';
  if (s.id === 'orphans') return 'Orphans';
  return ACTION_LABEL[s.id];
}

function firstEmail(c: Change): string | null {
  for (const f of Object.values(c.fields ?? {})) {
    if (f && typeof f.to === 'string' && f.to.includes('@')) return f.to;
  }
  for (const f of Object.values(c.fields ?? {})) {
    if (f && typeof f.from === 'string' && f.from.includes('@')) return f.from;
  }
  return null;
}

function checkbox(state: 'on' | 'off' | 'mixed'): HTMLSpanElement {
  const s = span(`check check-${state}`);
  s.setAttribute('aria-hidden', 'true');
  return s;
}

function detailContent(line: DetailLine): HTMLElement[] {
  if (line.type === 'field') {
    const parts = [span('field-name', `${line.field}:`)];
    if (line.from !== null) parts.push(span('val removed', line.from), span('arrow', '→'));
    parts.push(span('val inserted', line.to));
    return parts;
  }
  const parts = [span('field-name', `${line.what}:`)];
  for (const a of line.add) {
    parts.push(span('val inserted', `+${a}`));
    // What grants it, as the access review words it.
    if (typeof line.why[a] === 'string' && line.why[a]) parts.push(span('why', `(${line.why[a]})`));
  }
  for (const r of line.remove) parts.push(span('val removed', `-${r}`));
  return parts;
}

export interface RowContext {
  tree: PlanTree;
  selection: Selection;
  active: number;
  filtered: boolean;
  /** Connection name → the directory it reads ("Okta"). */
  directories?: Record<string, string>;
}

/** Whether a row can be expanded or collapsed. */
export function isExpandable(tree: PlanTree, row: Row): boolean {
  if (row.type === 'section' || row.type === 'rule') return true;
  if (row.type === 'change') return tree.details(row.ci).length > 0;
  return false;
}

export function isExpanded(tree: PlanTree, row: Row): boolean {
  if (row.type === 'section') return tree.isGroupExpanded(row.section.key);
  if (row.type === 'rule') return tree.isGroupExpanded(row.group.key);
  if (row.type === 'change') return tree.isChangeExpanded(row.ci);
  return false;
}

export function renderRow(el: HTMLElement, index: number, row: Row, ctx: RowContext): void {
  const { tree, selection } = ctx;
  el.id = `row-${index}`;
  el.dataset.index = String(index);
  el.setAttribute('aria-level', String(row.level));
  el.setAttribute('aria-setsize', String(row.size));
  el.setAttribute('aria-posinset', String(row.pos));
  const expandable = isExpandable(tree, row);
  if (expandable) el.setAttribute('aria-expanded', String(isExpanded(tree, row)));
  else el.removeAttribute('aria-expanded');

  const kids: HTMLElement[] = [];
  const twistie = span(expandable ? (isExpanded(tree, row) ? 'twistie open' : 'twistie closed') : 'twistie');
  twistie.setAttribute('aria-hidden', 'true');
  kids.push(twistie);
  let cls = `row lvl${row.level} t-${row.type}`;
  let selected: boolean | null = null;
  let title = '';

  switch (row.type) {
    case 'section': {
      const s = row.section;
      cls += ` sec-${s.id}`;
      if (s.id !== 'errors' && s.id !== 'orphans') {
        const { selected: n, total } = selection.countIn(s);
        kids.push(checkbox(n === 0 ? 'off' : n === total ? 'on' : 'mixed'));
        selected = total > 0 && n === total;
        kids.push(span(`sym sym-${s.id}`, SYMBOL[s.id]));
      } else {
        kids.push(span(`sym sym-${s.id}`, s.id === 'errors' ? '!' : '?'));
      }
      kids.push(span('label', sectionTitle(s)));
      const shown = tree.visibleCount(s);
      kids.push(span('count', ctx.filtered && shown !== s.total ? `${fmt(shown)} of ${fmt(s.total)}` : fmt(s.total)));
      if (s.id === 'orphans') kids.push(span('desc', 'active records in managed scope that no directory identity claims'));
      if (s.id === 'errors') kids.push(span('desc', 'these identities are left alone until fixed'));
      break;
    }
    case 'rule': {
      const g = row.group;
      const { selected: n, total } = selection.countIn(g);
      kids.push(checkbox(n === 0 ? 'off' : n === total ? 'on' : 'mixed'));
      selected = n === total;
      kids.push(span('label', g.rule === null ? 'no rule' : `rule ${g.rule}`));
      kids.push(span('tag', g.kind === 'site' ? 'sites' : `${g.kind}s`));
      kids.push(span('count', fmt(g.items.length)));
      if (g.rule !== null) {
        const open = span('open-rule', 'open rule');
        open.title = 'Open this rule in the mapping (Shift+Enter)';
        kids.push(open);
      }
      break;
    }
    case 'change': {
      const c = tree.plan.changes[row.ci];
      const on = selection.has(row.ci);
      selected = on;
      kids.push(checkbox(on ? 'on' : 'off'));
      kids.push(span(`sym sym-${c.action}`, SYMBOL[c.action]));
      kids.push(span('label', c.name || '(no name)'));
      if (c.kind === 'site') kids.push(span('tag', c.site ? `site under ${c.site.clientName}` : 'site'));
      else kids.push(span('tag', c.kind));
      if (c.haloId !== null && c.haloId !== undefined) kids.push(span('id', `#${c.haloId}`));
      // With several connections, where the identity comes from is part of the row.
      if (c.tenant && ctx.directories && Object.keys(ctx.directories).length > 1) kids.push(span('tag source', `${ctx.directories[c.tenant] ?? 'directory'} · ${c.tenant}`));
      const email = firstEmail(c);
      if (email && email !== c.name) kids.push(span('email', email));
      kids.push(span('desc', c.reason));
      const from = (c.tenant && ctx.directories?.[c.tenant]) || 'directory';
      title = `${c.reason}${c.entraId ? `\n${from} id ${c.entraId}` : ''}${c.tenant ? ` (${c.tenant})` : ''}`;
      break;
    }
    case 'detail':
      kids.push(...detailContent(row.line));
      break;
    case 'error': {
      const e = tree.plan.errors[row.ei];
      kids.push(span('sym sym-errors', '!'));
      kids.push(span('label', e.name ?? e.entraId ?? '(unknown identity)'));
      if (e.kind) kids.push(span('tag', e.rule ? `${e.kind}, rule ${e.rule}` : e.kind));
      if (e.haloId !== null && e.haloId !== undefined) kids.push(span('id', `#${e.haloId}`));
      kids.push(span('desc error-message', e.message));
      title = e.message;
      break;
    }
    case 'orphan': {
      const o = tree.plan.orphans[row.oi];
      kids.push(span('sym sym-orphans', '?'));
      kids.push(span('label', o.name || '(no name)'));
      kids.push(span('tag', o.kind));
      kids.push(span('id', `#${o.haloId}`));
      break;
    }
  }

  if (selected === null) el.removeAttribute('aria-selected');
  else el.setAttribute('aria-selected', String(selected));
  if (selected) cls += ' selected';
  if (index === ctx.active) cls += ' active';
  el.className = cls;
  el.title = title;
  el.replaceChildren(...kids);
}
