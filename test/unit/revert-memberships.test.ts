// Revert of membership changes from a journal: roles, teams and CAB seats swap sides, and a CAB
// role that was changed goes back to the one it was (a seat that had none cannot be asked for).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revertPlan } from '../../src/core/revert';

describe('revert of memberships', () => {
  it('swaps added and removed, and puts CAB roles back', () => {
    const entry = {
      type: 'change', action: 'update', kind: 'agent', haloId: 7, entraId: 'e7', name: 'Ann', before: {}, after: {}, result: 'ok',
      memberships: {
        roles: { add: ['Technician'], remove: ['Administrator'], why: { Technician: 'SG-Halo-Agents → rule desk' } },
        cabs: { add: [], remove: [], role: [{ cab: 'Change Advisory Board', from: 'Chair', to: 'Approver' }, { cab: 'Other CAB', from: null, to: 'Approver' }] },
      },
    };
    const plan = revertPlan([entry], 'apply-1.jsonl');
    assert.deepEqual(plan.changes.map((c) => [c.action, c.haloId, c.memberships]), [
      ['update', 7, { roles: { add: ['Administrator'], remove: ['Technician'] }, cabs: { add: [], remove: [], role: [{ cab: 'Change Advisory Board', from: 'Approver', to: 'Chair' }] } }],
    ]);
  });
});
