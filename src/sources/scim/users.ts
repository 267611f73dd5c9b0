// What an IdP pushed, as the planner's directory users: SCIM resources (RFC 7643 §4.1, §4.3) read
// the same way whether they come from the bridge's store or through a bridge's own SCIM API.
// Multi-valued attributes are read as one value: `emails.work` (by type), `emails.primary`,
// `addresses.locality` (the primary address, else the first); `roles` is the list of role values.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryUser } from '../../core/snapshot';
import { attachManagerAttributes } from '../managers';

type Json = Record<string, unknown>;

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTERPRISE_ATTRIBUTES = new Set(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
/** Lists of typed entries, read by type (`phoneNumbers.mobile`) or as the primary one. */
const BY_TYPE = new Set(['emails', 'phoneNumbers', 'ims', 'photos']);

/** A group as both readers give it: its ids, name and the ids of its members. */
export interface ScimGroup {
  id: string;
  externalId: string | null;
  displayName: string;
  memberIds: string[];
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
const entries = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === 'object') : []);

export function valueOf(user: Json, attribute: string): unknown {
  const name = attribute.replace(/\[\d+\]$/, '');
  if (/^urn:/i.test(name)) {
    const i = name.lastIndexOf(':');
    return ((user[name.slice(0, i)] as Json | undefined)?.[name.slice(i + 1)]) ?? null;
  }
  if (ENTERPRISE_ATTRIBUTES.has(name)) {
    const v = (user[ENTERPRISE] as Json | undefined)?.[name];
    return name === 'manager' ? (text((v as Json | undefined)?.value) ?? null) : (v ?? null);
  }
  if (name === 'roles') return entries(user.roles).map((r) => r.value).filter((v) => typeof v === 'string');
  const [root, sub] = name.split('.');
  const v = user[root];
  if (sub === undefined) return v ?? null;
  if (Array.isArray(v)) {
    const list = entries(v);
    if (BY_TYPE.has(root)) {
      const e = sub === 'primary' ? list.find((x) => x.primary === true) : list.find((x) => typeof x.type === 'string' && x.type.toLowerCase() === sub.toLowerCase());
      return e?.value ?? null;
    }
    return (list.find((x) => x.primary === true) ?? list[0])?.[sub] ?? null;
  }
  return v && typeof v === 'object' ? ((v as Json)[sub] ?? null) : null;
}

/** The address to match a Halo record by: the primary email, else the work one, else the first; else a userName that is one. */
function emailOf(user: Json): string | null {
  const list = entries(user.emails);
  const e = list.find((x) => x.primary === true) ?? list.find((x) => x.type === 'work') ?? list[0];
  return text(e?.value) ?? (typeof user.userName === 'string' && user.userName.includes('@') ? user.userName : null);
}

export function toDirectoryUser(user: Json, needs: DirectoryNeeds): DirectoryUser {
  const id = String(user.id);
  const attrs: Json = {};
  for (const a of needs.attributes) attrs[a] = valueOf(user, a);
  const name = (user.name ?? {}) as Json;
  const full = [text(name.givenName), text(name.familyName)].filter(Boolean).join(' ');
  const out: DirectoryUser = {
    id,
    // Not asserted is not "disabled": only active false disables (SCIM leaves active optional).
    enabled: user.active !== false,
    guest: typeof user.userType === 'string' && user.userType.toLowerCase() === 'guest',
    name: text(user.displayName) ?? text(name.formatted) ?? (full || null),
    email: emailOf(user),
    login: text(user.userName),
    attrs,
  };
  if (needs.manager) out.managerId = text(valueOf(user, 'manager'));
  return out;
}

export function directoryUsers(resources: Json[], needs: DirectoryNeeds): DirectoryUser[] {
  const users = resources.map((r) => toDirectoryUser(r, needs));
  if (needs.manager) {
    // A manager is a user the same IdP pushed; any other id is no manager.
    const ids = new Set(users.map((u) => u.id));
    for (const u of users) if (u.managerId && !ids.has(u.managerId)) u.managerId = null;
  }
  attachManagerAttributes(users, needs.managerAttributes);
  return users;
}

/**
 * The group a reference names among those pushed: by id, by the IdP's externalId (Entra sends the
 * group's object id), or by displayName (case-insensitive); never a guess between two.
 */
export function resolveGroup(groups: readonly ScimGroup[], ref: string): { group: ScimGroup } | { ambiguous: string } | undefined {
  const byId = groups.filter((g) => g.id === ref || g.externalId === ref);
  if (byId.length === 1) return { group: byId[0] };
  const named = groups.filter((g) => g.displayName === ref);
  const folded = named.length ? named : groups.filter((g) => g.displayName.toLowerCase() === ref.toLowerCase());
  if (folded.length > 1) return { ambiguous: `${folded.length} groups pushed are named "${ref}" (${folded.map((g) => g.id).join(', ')}): name the group by its id or externalId` };
  return folded.length ? { group: folded[0] } : undefined;
}

/**
 * The mapping's groups with their user members (SCIM groups pushed by IdPs do not nest). A group
 * the IdP has not pushed (or deleted) has no members as far as the IdP asserts anything: with a
 * push there is nothing else to read. Two pushed groups of one name are an error, never a guess.
 */
export function directoryGroups(groups: readonly ScimGroup[], refs: readonly string[], userIds: ReadonlySet<string>, fail: (why: string) => Error, warn?: (message: string) => void): DirectoryGroup[] {
  return [...new Set(refs)].map((ref) => {
    const found = resolveGroup(groups, ref);
    if (!found) {
      warn?.(`no group pushed is named "${ref}" or has that id: read as a group with no members.`);
      return { ref, id: ref, displayName: ref, memberIds: [] };
    }
    if ('ambiguous' in found) throw fail(found.ambiguous);
    const g = found.group;
    return { ref, id: g.id, displayName: g.displayName, memberIds: g.memberIds.filter((m) => userIds.has(m)) };
  });
}
