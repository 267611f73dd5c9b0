// A suspected partial read: a directory connection answering with far fewer users than last time
// is far more likely a failing directory or a wrong filter than a company that halved overnight. Applying
// such a plan would deactivate people who still work there, so it is blocked like a threshold.
import type { Blocked } from './changes';
import type { DirectorySnapshot } from './snapshot';

/** Users per tenant at the last plan that was not blocked by this check. */
export type ReadHistory = Record<string, { users: number; at: string }>;

export const DEFAULT_MIN_ENTRA_USERS = '50%';

/** Checked per connection; `label` names a connection's directory in the reason ("Entra"). */
export function partialReadBlock(directories: DirectorySnapshot, history: ReadHistory, minShare: string = DEFAULT_MIN_ENTRA_USERS, label: (tenant: string) => string = () => 'Entra'): Blocked | null {
  const share = Number(minShare.replace('%', '')) / 100;
  if (!(share > 0)) return null;
  for (const t of directories.tenants) {
    const last = history[t.tenant];
    if (!last || last.users === 0) continue;
    if (t.users.length < last.users * share) {
      return {
        reason: `${label(t.tenant)} tenant "${t.tenant}" returned ${t.users.length} users, under ${minShare} of the ${last.users} it returned on ${last.at.slice(0, 10)}: a partial read is suspected (safety.minEntraUsers)`,
        limit: 'minEntraUsers',
        value: t.users.length,
      };
    }
  }
  return null;
}

/** The history after a read that was not blocked. */
export function recordRead(directories: DirectorySnapshot, history: ReadHistory, at: string): ReadHistory {
  const next = { ...history };
  for (const t of directories.tenants) next[t.tenant] = { users: t.users.length, at };
  return next;
}
