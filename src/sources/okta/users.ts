// Every user of an Okta org, deactivated ones included: a list with no query leaves DEPROVISIONED
// users out, so they are read with filter=status eq "DEPROVISIONED" as well (directory-sources.md,
// "Users"). Each becomes a directory user with the profile attributes the mapping reads.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryUser } from '../../core/snapshot';
import { attachManagerAttributes } from '../managers';
import type { OktaClient, OktaObject } from './client';

/** Users per page: Okta's default and documented recommendation for the users list. */
export const USERS_PAGE = 200;

/** Okta's user statuses [V OAS enum]; the mapping of each to Halo is the issue's (and DESIGN §10's) reading [I]. */
const ENABLED = new Set(['ACTIVE', 'PROVISIONED', 'STAGED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']);
const DISABLED = new Set(['SUSPENDED', 'DEPROVISIONED']);
/** Transitional: never drives a decision, so the user counts as what it is becoming (active) [I]. */
const TRANSITIONAL = new Set(['ACTIVATING']);

/** Attributes read from the user object itself rather than its profile. */
const TOP_LEVEL = new Set(['id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'transitioningToStatus', 'type.id']);

export function isEnabledStatus(status: string): boolean | undefined {
  if (ENABLED.has(status) || TRANSITIONAL.has(status)) return true;
  if (DISABLED.has(status)) return false;
  return undefined;
}

/** What names a user's manager as Okta has it, kept by incremental reads to resolve managers again. */
export type ManagerRef = { managerId: string | null; employeeNumber: string | null };

export async function readUsers(client: OktaClient, needs: DirectoryNeeds, signal?: AbortSignal, onManagerRef?: (id: string, ref: ManagerRef) => void): Promise<DirectoryUser[]> {
  const byId = new Map<string, DirectoryUser>();
  const numbers = new Map<string, string>();
  const lists = [client.url(`/users?limit=${USERS_PAGE}`), client.url(`/users?${new URLSearchParams({ filter: 'status eq "DEPROVISIONED"', limit: String(USERS_PAGE) })}`)];
  for (const url of lists) {
    for await (const page of client.pages(url, signal)) {
      // A user seen in both lists changed while they were read: the later read is the newer state.
      for (const raw of page) {
        const user = toDirectoryUser(client, raw, needs);
        byId.set(user.id, user);
        const profile = (raw.profile ?? {}) as { employeeNumber?: unknown; managerId?: unknown };
        const n = typeof profile.employeeNumber === 'string' && profile.employeeNumber ? profile.employeeNumber : null;
        if (needs.manager && n) numbers.set(n, user.id);
        onManagerRef?.(user.id, { managerId: typeof profile.managerId === 'string' ? profile.managerId : null, employeeNumber: n });
      }
    }
  }
  const users = [...byId.values()];
  if (needs.manager) resolveManagers(users, byId, numbers);
  attachManagerAttributes(users, needs.managerAttributes);
  return users;
}

export function toDirectoryUser(client: OktaClient, raw: OktaObject, needs: DirectoryNeeds): DirectoryUser {
  const id = raw.id;
  if (typeof id !== 'string' || !id) throw client.malformed('GET /api/v1/users', 'a user has no id');
  const status = raw.status;
  const enabled = typeof status === 'string' ? isEnabledStatus(status) : undefined;
  // Never guess: an unknown state read as "disabled" would deprovision the person.
  if (enabled === undefined) throw client.malformed('GET /api/v1/users', `user ${id} has no status Halo Identity knows (${JSON.stringify(status)})`);
  const profile = (raw.profile && typeof raw.profile === 'object' ? raw.profile : {}) as Record<string, unknown>;
  const attrs: Record<string, unknown> = { status, login: profile.login ?? null, email: profile.email ?? null, displayName: profile.displayName ?? null };
  for (const a of needs.attributes) attrs[a] = valueOf(raw, profile, a);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const full = [text(profile.firstName), text(profile.lastName)].filter(Boolean).join(' ');
  const user: DirectoryUser = { id, enabled, guest: false, name: text(profile.displayName) ?? (full || null), email: text(profile.email), login: text(profile.login), attrs };
  if (needs.manager) user.managerId = text(profile.managerId);
  return user;
}

function valueOf(raw: OktaObject, profile: Record<string, unknown>, attribute: string): unknown {
  const name = attribute.replace(/\[\d+\]$/, '');
  if (TOP_LEVEL.has(name)) return name === 'type.id' ? ((raw.type as { id?: unknown } | undefined)?.id ?? null) : (raw[name] ?? null);
  return profile[name] ?? null;
}

/**
 * Okta's managerId is free text the org fills [V OAS UserProfile]: an Okta user id, a login or an
 * employee number are what orgs put there [I]. Resolved in that order; anything else is no manager.
 */
export function resolveManagers(users: DirectoryUser[], byId: Map<string, DirectoryUser>, byNumber: Map<string, string>): void {
  const byLogin = new Map<string, string>();
  for (const u of users) if (u.login) byLogin.set(u.login.toLowerCase(), u.id);
  for (const u of users) {
    const m = u.managerId;
    if (!m) continue;
    u.managerId = byId.has(m) ? m : (byLogin.get(m.toLowerCase()) ?? byNumber.get(m) ?? null);
  }
}
