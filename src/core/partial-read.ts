// A suspected partial read: Entra answering with far fewer users than last time is far more
// likely a failing directory or a wrong filter than a company that halved overnight. Applying
// such a plan would deactivate people who still work there, so it is blocked like a threshold.
import type { Blocked } from './changes';
import type { EntraSnapshot } from './snapshot';

/** Users per tenant at the last plan that was not blocked by this check. */
export type ReadHistory = Record<string, { users: number; at: string }>;

export const DEFAULT_MIN_ENTRA_USERS = '50%';

export function partialReadBlock(entra: EntraSnapshot, history: ReadHistory, minShare: string = DEFAULT_MIN_ENTRA_USERS): Blocked | null {
  const share = Number(minShare.replace('%', '')) / 100;
  if (!(share > 0)) return null;
  for (const t of entra.tenants) {
    const last = history[t.tenant];
    if (!last || last.users === 0) continue;
    if (t.users.length < last.users * share) {
      return {
        reason: `Entra tenant "${t.tenant}" returned ${t.users.length} users, under ${minShare} of the ${last.users} it returned on ${last.at.slice(0, 10)}: a partial read is suspected (safety.minEntraUsers)`,
        limit: 'minEntraUsers',
        value: t.users.length,
      };
    }
  }
  return null;
}

/** The history after a read that was not blocked. */
export function recordRead(entra: EntraSnapshot, history: ReadHistory, at: string): ReadHistory {
  const next = { ...history };
  for (const t of entra.tenants) next[t.tenant] = { users: t.users.length, at };
  return next;
}
