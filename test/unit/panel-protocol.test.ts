import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change, Plan } from '../../src/core/changes';
import { FIRST_PART, PanelState, parseHostMessage, parseWebviewMessage, stateMessages } from '../../webview/protocol';

function state(n: number): PanelState {
  const changes = Array.from({ length: n }, (_, i): Change => ({ action: 'create', kind: 'user', entraId: `e${i}`, tenant: 't', haloId: null, name: `U${i}`, rule: 'r', reason: '', fields: {} }));
  const plan: Plan = { version: 1, summary: { create: n, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: 0 }, changes, orphans: [], errors: [], blocked: null, warnings: [], rules: [] };
  return { plan, mappingFile: 'm.yaml', snapshotAt: 'a', plannedAt: 'b', canApply: true, mappingErrors: 0 };
}

describe('panel protocol', () => {
  it('sends a small plan whole and a large one as a first part and the rest, losing nothing', () => {
    assert.deepEqual(stateMessages(state(10)).map((m) => m.type), ['state']);
    const [head, rest] = stateMessages(state(FIRST_PART + 500));
    assert.ok(head.type === 'state' && rest.type === 'moreChanges');
    assert.equal(head.state.plan.changes.length, FIRST_PART);
    assert.equal(head.state.pendingChanges, 500);
    assert.equal(head.state.plan.summary.create, FIRST_PART + 500, 'the counts are of the whole plan');
    assert.equal(rest.changes.length, 500);
    assert.equal(rest.changes[0].entraId, `e${FIRST_PART}`);
    for (const m of [head, rest]) assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify(m))), m);
  });

  it('drops malformed messages on both sides', () => {
    assert.equal(parseHostMessage({ type: 'moreChanges', plannedAt: 'b', changes: 'x', done: true }), null);
    assert.equal(parseHostMessage({ type: 'state', state: { plan: { version: 2 } } }), null);
    assert.equal(parseWebviewMessage({ type: 'applySelected', keys: [1] }), null);
    assert.equal(parseWebviewMessage({ type: 'revealRule', kind: 'group', rule: 'x' }), null);
    assert.equal(parseWebviewMessage({ type: 'eval', code: 'x' }), null);
    assert.deepEqual(parseWebviewMessage({ type: 'applySelected', keys: ['a'] }), { type: 'applySelected', keys: ['a'] });
  });
});
