// Every user of a Google Workspace customer (users.list, customer=my_customer, 500 a page: the most
// Google allows), asking with `fields=` for what the mapping reads and with projection=full only
// when it reads custom schemas. Suspended and archived users are disabled. Lists of objects
// (organizations, phones, emails, relations…) are read as the value of the primary entry, else the
// first: `organizations.department`, or of the entry of that type: `phones.mobile`.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryUser } from '../../core/snapshot';
import { attachManagerAttributes } from '../managers';
import type { GoogleClient, GoogleObject } from './client';

/** users.list's maxResults, at most 500 [V GDISC]. */
export const USERS_PAGE = 500;

/** Lists of typed entries (`type`: work, mobile, manager…), read by type. */
const BY_TYPE = new Set(['phones', 'emails', 'relations', 'externalIds']);
/** Lists of records with `primary`, read as the primary one (else the first). */
const PRIMARY = new Set(['organizations', 'locations', 'addresses']);

const CUSTOM = /^customSchemas\.([^.]+)\.([^.]+)$/;

/** The top-level user fields a read must ask for (`fields=users(…)`). */
export function userFields(needs: DirectoryNeeds): string[] {
  const roots = new Set(['id', 'primaryEmail', 'name', 'suspended', 'archived', ...(needs.manager ? ['relations', 'aliases'] : [])]);
  for (const a of needs.attributes) roots.add(a.split(/[.[]/, 1)[0]);
  return [...roots].sort();
}

export async function readUsers(client: GoogleClient, customer: string, needs: DirectoryNeeds, signal?: AbortSignal): Promise<DirectoryUser[]> {
  const custom = needs.attributes.some((a) => CUSTOM.test(a));
  const url = client.url('/users', { customer, maxResults: USERS_PAGE, projection: custom ? 'full' : undefined, fields: `nextPageToken,users(${userFields(needs).join(',')})` });
  const users: DirectoryUser[] = [];
  const byEmail = new Map<string, string>();
  for await (const page of client.pages(url, 'users', signal)) {
    for (const raw of page) {
      const user = toDirectoryUser(client, raw, needs);
      users.push(user);
      for (const e of [raw.primaryEmail, ...(Array.isArray(raw.aliases) ? raw.aliases : [])]) if (typeof e === 'string') byEmail.set(e.toLowerCase(), user.id);
    }
  }
  if (needs.manager) for (const u of users) u.managerId = u.managerId ? (byEmail.get(u.managerId.toLowerCase()) ?? null) : null;
  attachManagerAttributes(users, needs.managerAttributes);
  return users;
}

export function toDirectoryUser(client: GoogleClient, raw: GoogleObject, needs: DirectoryNeeds): DirectoryUser {
  const id = raw.id;
  if (typeof id !== 'string' || !id) throw client.malformed('GET /users', 'a user has no id');
  // Never guess: a user whose state is not given cannot be called enabled or disabled.
  if (typeof raw.suspended !== 'boolean') throw client.malformed('GET /users', `user ${id} has no suspended value`);
  const archived = raw.archived === true;
  const attrs: Record<string, unknown> = {};
  for (const a of needs.attributes) attrs[a] = valueOf(raw, a);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const name = (raw.name ?? {}) as Record<string, unknown>;
  const email = text(raw.primaryEmail);
  const user: DirectoryUser = { id, enabled: !raw.suspended && !archived, guest: false, name: text(name.fullName) ?? ([text(name.givenName), text(name.familyName)].filter(Boolean).join(' ') || null), email, login: email, attrs };
  if (needs.manager) user.managerId = text(valueOf(raw, 'relations.manager'));
  return user;
}

/** A user field as the mapping names it. */
export function valueOf(raw: GoogleObject, attribute: string): unknown {
  const custom = CUSTOM.exec(attribute);
  if (custom) return ((raw.customSchemas as Record<string, Record<string, unknown>> | undefined)?.[custom[1]]?.[custom[2]]) ?? null;
  const m = /^([^.[]+)(?:\.([^.[]+))?(\[\d+\])?$/.exec(attribute);
  if (!m) return null;
  const [, root, sub] = m;
  const v = raw[root];
  if (sub === undefined) return v ?? null;
  if (Array.isArray(v)) {
    const entries = v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
    if (BY_TYPE.has(root)) {
      const typed = sub === 'primary' ? entries.find((x) => x.primary === true) : entries.find((x) => x.type === sub);
      return typed ? (typed.value ?? typed.address ?? null) : null;
    }
    if (PRIMARY.has(root)) return (entries.find((x) => x.primary === true) ?? entries[0])?.[sub] ?? null;
    return null;
  }
  return v && typeof v === 'object' ? ((v as Record<string, unknown>)[sub] ?? null) : null;
}
