// The one message protocol between the extension host and the diff panel, imported by both sides.
// Everything crossing the boundary is checked on receipt: a webview is untrusted input.
import type { Plan } from '../src/core/changes';

export const PROTOCOL_VERSION = 1;

/** What the panel shows: the plan plus where it came from. */
export interface PanelState {
  plan: Plan;
  mappingFile: string;
  /** ISO time the snapshots behind the plan were read. */
  snapshotAt: string;
  /** ISO time the plan was computed (re-plans from cached snapshots update this only). */
  plannedAt: string;
  /** Whether Apply is allowed here (trusted workspace, a live connection, not blocked or overridden). */
  canApply: boolean;
  /** The mapping has errors: the plan shown is the last good one. */
  mappingErrors: number;
  /** Changes still to come in a `moreChanges` message (a large plan is sent in two parts). */
  pendingChanges?: number;
  /** Which directory each connection (a change's `tenant`) reads: "Entra", "Okta". */
  directories?: Record<string, string>;
}

export type HostMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'busy'; busy: boolean; message?: string }
  | { type: 'applied'; applied: number; failed: number; stale: number; cancelled: boolean; journalFile: string | null }
  | { type: 'error'; message: string }
  | { type: 'moreChanges'; plannedAt: string; changes: Plan['changes']; done: boolean };

/** Changes in the first message of a large plan: enough to fill the panel at once. */
export const FIRST_PART = 2000;

/**
 * The messages that carry a panel state. Copying a message into the webview costs time in
 * proportion to its size (about 40 MB for 100 000 changes), so a large plan goes as a first part
 * that paints at once and the rest behind it.
 */
export function stateMessages(state: PanelState, first = FIRST_PART): HostMessage[] {
  const changes = state.plan.changes;
  if (changes.length <= first) return [{ type: 'state', state }];
  return [
    { type: 'state', state: { ...state, plan: { ...state.plan, changes: changes.slice(0, first) }, pendingChanges: changes.length - first } },
    { type: 'moreChanges', plannedAt: state.plannedAt, changes: changes.slice(first), done: true },
  ];
}

export type WebviewMessage =
  | { type: 'ready'; version: number }
  | { type: 'applySelected'; keys: string[] }
  | { type: 'refresh' }
  | { type: 'openJournal' }
  | { type: 'revealRule'; kind: 'agent' | 'user'; rule: string };

const isString = (v: unknown): v is string => typeof v === 'string';
const MAX_KEYS = 200_000;

/** Validates a message from the webview; anything else is dropped by the host. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return typeof m.version === 'number' ? { type: 'ready', version: m.version } : null;
    case 'applySelected':
      return Array.isArray(m.keys) && m.keys.length <= MAX_KEYS && m.keys.every(isString) ? { type: 'applySelected', keys: m.keys } : null;
    case 'refresh':
    case 'openJournal':
      return { type: m.type };
    case 'revealRule':
      return (m.kind === 'agent' || m.kind === 'user') && isString(m.rule) && m.rule.length < 500 ? { type: 'revealRule', kind: m.kind, rule: m.rule } : null;
    default:
      return null;
  }
}

/** Validates a message from the host (the webview trusts nothing it did not check either). */
export function parseHostMessage(raw: unknown): HostMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'state': {
      const s = m.state as Record<string, unknown> | undefined;
      const plan = s?.plan as Record<string, unknown> | undefined;
      const directories = s?.directories;
      const labels = directories === undefined || (typeof directories === 'object' && directories !== null && Object.values(directories).every(isString));
      const ok = s && plan && plan.version === 1 && Array.isArray(plan.changes) && Array.isArray(plan.errors) && Array.isArray(plan.orphans) && isString(s.mappingFile) && labels;
      return ok ? (m as HostMessage) : null;
    }
    case 'busy':
      return typeof m.busy === 'boolean' ? (m as HostMessage) : null;
    case 'applied':
      return typeof m.applied === 'number' && typeof m.failed === 'number' ? (m as HostMessage) : null;
    case 'error':
      return isString(m.message) ? (m as HostMessage) : null;
    case 'moreChanges':
      return isString(m.plannedAt) && Array.isArray(m.changes) && typeof m.done === 'boolean' ? (m as HostMessage) : null;
    default:
      return null;
  }
}
