// Managers for every source: the manager is a user of the same directory, read in the same list.
import type { DirectoryUser } from '../core/snapshot';

/**
 * `manager.mail` and the like: the manager is a user of the same tenant, read in the same list,
 * so their attributes come from their own record rather than one request per user. Every user
 * gets each name (null without a manager, or one outside the list), so a re-read overwrites all.
 */
export function attachManagerAttributes(users: DirectoryUser[], names: readonly string[]): void {
  if (!names.length) return;
  const byId = new Map(users.map((u) => [u.id, u]));
  for (const u of users) {
    const manager = u.managerId ? byId.get(u.managerId) : undefined;
    for (const n of names) u.attrs[`manager.${n}`] = manager?.attrs[n] ?? null;
  }
}
