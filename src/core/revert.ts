// The inverse of an apply, from its journal: a plan to review before applying it. Nothing is ever
// deleted, so a created record is deactivated and a created site is left (reported).
import type { Action, Change, ChangeKind, FieldChange, Memberships, Plan } from './changes';
import { planOf } from './changes';

/** A journal line of type "change", as src/engine/journal.ts writes it. */
export interface JournalChange {
  time?: string;
  type: 'change';
  action: Action;
  kind: ChangeKind;
  haloId: number | null;
  entraId: string | null;
  tenant?: string | null;
  name: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  memberships?: Memberships | null;
  result: string;
}

const FLAG: Record<'user' | 'agent', string> = { user: 'inactive', agent: 'isdisabled' };

export function isJournalChange(e: unknown): e is JournalChange {
  const x = e as Partial<JournalChange> | null;
  return !!x && x.type === 'change' && typeof x.action === 'string' && typeof x.kind === 'string' && typeof x.before === 'object' && typeof x.after === 'object';
}

export function revertPlan(entries: unknown[], journalName: string): Plan {
  const changes: Change[] = [];
  const warnings: string[] = [];
  const applied = entries.filter(isJournalChange).filter((e) => e.result === 'ok');
  for (const e of applied) {
    const reason = `revert of ${e.action} in ${journalName}${e.time ? ` (${e.time})` : ''}`;
    const base = { entraId: e.entraId, tenant: e.tenant ?? null, haloId: e.haloId, name: e.name, rule: null, reason };
    if (e.kind === 'site') {
      warnings.push(`Site "${e.name}" was created by that apply; sites are never deleted, so it stays.`);
      continue;
    }
    if (e.haloId === null) {
      warnings.push(`${e.kind} "${e.name}": the journal has no Halo id, so its ${e.action} cannot be reverted.`);
      continue;
    }
    const flag = FLAG[e.kind];
    const restored = inverseFields(e, flag);
    const memberships = inverseMemberships(e.memberships ?? undefined);
    switch (e.action) {
      case 'create':
        changes.push({ ...base, action: 'deactivate', kind: e.kind, fields: { [flag]: { from: false, to: true } } });
        break;
      case 'deactivate':
        changes.push({ ...base, action: 'reactivate', kind: e.kind, fields: { ...restored, [flag]: { from: true, to: false } } });
        break;
      case 'reactivate':
        if (Object.keys(restored).length || memberships) changes.push(withMemberships({ ...base, action: 'update', kind: e.kind, fields: restored }, memberships));
        changes.push({ ...base, action: 'deactivate', kind: e.kind, fields: { [flag]: { from: false, to: true } } });
        break;
      case 'update':
        changes.push(withMemberships({ ...base, action: 'update', kind: e.kind, fields: restored }, memberships));
        break;
      default:
        break;
    }
  }
  return planOf(changes, warnings);
}

/** Every field the apply wrote goes back to its value before, except the record's own flag. */
function inverseFields(e: JournalChange, flag: string): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const k of Object.keys(e.after).sort()) if (k !== flag) out[k] = { from: e.after[k], to: e.before[k] ?? null };
  return out;
}

function inverseMemberships(m: Memberships | undefined): Memberships | undefined {
  if (!m) return undefined;
  const out: Memberships = {};
  for (const key of ['roles', 'teams', 'cabs'] as const) {
    const d = m[key];
    if (d && (d.add.length || d.remove.length)) out[key] = { add: [...d.remove], remove: [...d.add] };
  }
  // A CAB role is put back only where the seat had one; a seat without a role cannot be asked for.
  const role = (m.cabs?.role ?? []).filter((r) => r.from !== null).map((r) => ({ cab: r.cab, from: r.to, to: r.from as string }));
  if (role.length) out.cabs = { ...(out.cabs ?? { add: [], remove: [] }), role };
  return Object.keys(out).length ? out : undefined;
}

function withMemberships(c: Change, m: Memberships | undefined): Change {
  if (m) c.memberships = m;
  return c;
}
