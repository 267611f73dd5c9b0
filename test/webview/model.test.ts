// The panel's tree model without a browser: the incremental flattening must give exactly the rows a
// naive walk of the tree gives, through any sequence of filtering, expanding and collapsing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeKey } from '../../src/core/changes';
import { ACTION_FILTERS, Filters, KIND_FILTERS, PlanTree, Row } from '../../webview/src/model';
import { readSavedState } from '../../webview/src/persist';
import { Selection } from '../../webview/src/selection';
import { makePlan, matchesSearch } from './plan-fixture';

const SMALL = { createSite: 6, create: 120, update: 160, reactivate: 20, deactivate: 60, errors: 70, orphans: 12 };

function describeRow(r: Row): string {
  switch (r.type) {
    case 'section':
      return `S:${r.section.id}`;
    case 'rule':
      return `R:${r.group.key}`;
    case 'change':
      return `C:${r.ci}`;
    case 'detail':
      return `D:${r.ci}:${r.pos}`;
    case 'error':
      return `E:${r.ei}`;
    case 'orphan':
      return `O:${r.oi}`;
  }
}

/** The rows by walking the whole tree, as a reference. */
function naive(tree: PlanTree): string[] {
  const out: string[] = [];
  for (const s of tree.visibleSections) {
    out.push(`S:${s.id}`);
    if (!tree.isGroupExpanded(s.key)) continue;
    if (s.id === 'errors' || s.id === 'orphans') {
      for (const i of s.items) out.push(`${s.id === 'errors' ? 'E' : 'O'}:${i}`);
      continue;
    }
    for (const g of s.visibleRules) {
      out.push(`R:${g.key}`);
      if (!tree.isGroupExpanded(g.key)) continue;
      for (const ci of g.items) {
        out.push(`C:${ci}`);
        if (tree.isChangeExpanded(ci)) tree.details(ci).forEach((_, k) => out.push(`D:${ci}:${k + 1}`));
      }
    }
  }
  return out;
}

function check(tree: PlanTree): void {
  const want = naive(tree);
  assert.equal(tree.totalRows, want.length);
  for (let i = 0; i < want.length; i++) {
    const row = tree.rowAt(i)!;
    assert.equal(describeRow(row), want[i], `row ${i}`);
    const parent = tree.parentOf(row);
    if (row.type === 'section') assert.equal(parent, -1);
    else assert.ok(parent >= 0 && parent < i && tree.rowAt(parent)!.level === row.level - 1, `parent of row ${i}`);
    if (row.type === 'change') assert.equal(tree.rowOfChange(row.ci), i);
    if (row.type === 'section' || row.type === 'rule') assert.equal(tree.rowOfKey(tree.rowKey(row)), i);
  }
  assert.equal(tree.rowAt(want.length), null);
}

function rng(seed: number): () => number {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('PlanTree', () => {
  it('flattens like a naive walk through random filtering, expanding and collapsing', () => {
    const plan = makePlan(SMALL, 7);
    const tree = new PlanTree(plan);
    check(tree);
    const r = rng(3);
    const queries = ['', '', 'okafor', 'contoso', '#10', 'ada l', 'fabrikam.com', 'zzz-nothing'];
    for (let step = 0; step < 300; step++) {
      const op = r();
      if (op < 0.15) {
        tree.applyFilters({ action: ACTION_FILTERS[Math.floor(r() * ACTION_FILTERS.length)], kind: KIND_FILTERS[Math.floor(r() * KIND_FILTERS.length)], query: queries[Math.floor(r() * queries.length)] });
      } else if (op < 0.35) {
        const groups = tree.sections.flatMap((s) => [s.key, ...s.rules.map((g) => g.key)]);
        const k = groups[Math.floor(r() * groups.length)];
        tree.setGroupExpanded(k, !tree.isGroupExpanded(k));
      } else {
        const ci = Math.floor(r() * plan.changes.length);
        tree.setChangeExpanded(ci, !tree.isChangeExpanded(ci));
      }
      check(tree);
    }
  });

  it('filters by action, kind and search like the documented rules', () => {
    const plan = makePlan(SMALL, 11);
    const tree = new PlanTree(plan);
    const cases: Filters[] = [
      { action: 'update', kind: 'all', query: '' },
      { action: 'all', kind: 'agent', query: '' },
      { action: 'deactivate', kind: 'user', query: '' },
      { action: 'all', kind: 'all', query: 'OKAFOR' },
      { action: 'all', kind: 'all', query: plan.changes[5].entraId ?? 'x' },
      { action: 'create', kind: 'all', query: 'fabrikam.com ada' },
      { action: 'errors', kind: 'all', query: '' },
    ];
    for (const f of cases) {
      tree.applyFilters(f);
      const shown = tree.visibleSections.flatMap((s) => s.visibleRules.flatMap((g) => [...g.items])).sort((a, b) => a - b);
      const want = plan.changes
        .map((c, i) => ({ c, i }))
        .filter(({ c }) => (f.action === 'all' || f.action === c.action) && (f.kind === 'all' || f.kind === c.kind) && matchesSearch(c, f.query))
        .map(({ i }) => i);
      assert.deepEqual(shown, want, JSON.stringify(f));
      const errors = tree.sections.find((s) => s.id === 'errors')!;
      if (f.action !== 'all' && f.action !== 'errors') assert.equal(errors.items.length, 0);
      if (f.action === 'errors') assert.equal(errors.items.length, plan.errors.length);
    }
  });

  it('opens short error lists and closes long ones by default; remembers choices by key', () => {
    const long = new PlanTree(makePlan(SMALL, 1));
    assert.equal(long.isGroupExpanded('s:errors'), false);
    assert.equal(long.isGroupExpanded('s:orphans'), true);
    long.setGroupExpanded('s:errors', true);
    const ci = 10;
    long.setChangeExpanded(ci, true);
    const saved = long.expansionState();
    assert.ok(saved.expanded.includes('s:errors') && saved.expanded.includes(changeKey(long.plan.changes[ci])));

    const again = new PlanTree(makePlan(SMALL, 1));
    again.restoreExpansion(saved.collapsed, [...saved.expanded, 'create|user|gone|x||']);
    assert.equal(again.isGroupExpanded('s:errors'), true);
    assert.equal(again.isChangeExpanded(ci), true);
    check(again);
  });
});

describe('Selection', () => {
  it('selects a group’s visible changes, and keeps keys across plans only while they exist', () => {
    const plan = makePlan(SMALL, 5);
    const tree = new PlanTree(plan);
    tree.applyFilters({ action: 'update', kind: 'agent', query: '' });
    const sel = new Selection(tree);
    const section = tree.visibleSections.find((s) => s.id === 'update')!;
    sel.toggleGroup(section);
    const agentsUpdating = plan.changes.filter((c) => c.action === 'update' && c.kind === 'agent');
    assert.deepEqual(sel.keys().sort(), agentsUpdating.map(changeKey).sort());
    assert.deepEqual(sel.countIn(section), { ...sel.countIn(section), selected: agentsUpdating.length, total: agentsUpdating.length });
    tree.applyFilters({ action: 'all', kind: 'all', query: '' });
    assert.equal(sel.hiddenCount(), 0);
    tree.applyFilters({ action: 'create', kind: 'all', query: '' });
    assert.equal(sel.hiddenCount(), agentsUpdating.length);
    tree.applyFilters({ action: 'update', kind: 'agent', query: '' });
    sel.toggleGroup(section);
    assert.equal(sel.count, 0);

    sel.toggleGroup(section);
    const next = { ...plan, changes: plan.changes.filter((c) => c !== agentsUpdating[0]) };
    const kept = new Selection(new PlanTree(next), sel.keys());
    assert.equal(kept.count, agentsUpdating.length - 1);
    assert.ok(!kept.keys().includes(changeKey(agentsUpdating[0])));
  });
});

describe('saved state', () => {
  const good = { v: 1, filters: { action: 'update', kind: 'agent', query: 'ada' }, collapsed: ['s:create'], expanded: [], selected: ['a|b'], scrollTop: 220, active: null };
  it('reads back what the panel saved', () => {
    assert.deepEqual(readSavedState(good), good);
  });
  it('ignores anything malformed', () => {
    for (const bad of [undefined, null, 'x', { ...good, v: 2 }, { ...good, filters: { ...good.filters, action: 'drop' } }, { ...good, filters: { ...good.filters, kind: 'robot' } }, { ...good, selected: [1] }, { ...good, scrollTop: -1 }, { ...good, scrollTop: Number.NaN }, { ...good, active: 3 }, { ...good, collapsed: 'x' }]) {
      assert.equal(readSavedState(bad), null, JSON.stringify(bad));
    }
  });
});
