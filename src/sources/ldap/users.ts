// Every user under the users DN (a paged search at the connection's page size), with the
// attributes the mapping reads. Active Directory: objectGUID is the stable id (a DN changes with a
// move or a rename), bit 2 of userAccountControl (ACCOUNTDISABLE) disables [V MS-ADTS]. Elsewhere:
// entryUUID (RFC 4530), and `disabledFilter` says who is disabled. `manager` holds a DN: resolved
// to the manager's entry among the users read.
import { directoryNamed } from '../../core/directories';
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryUser } from '../../core/snapshot';
import { attachManagerAttributes } from '../managers';
import type { LdapEntry, LdapSession } from './session';
import type { LdapConnection } from './settings';

const ACCOUNTDISABLE = 0x2;
/** Attributes the catalogue knows as multi-valued: always a list, however many values an entry has. */
const LISTS = new Set(Object.entries(directoryNamed('ldap')?.catalogue.properties ?? {}).filter(([, p]) => p.collection).map(([n]) => n));

export function userFilterOf(conn: LdapConnection, session: LdapSession): string {
  return conn.userFilter ?? (session.kind === 'active-directory' ? '(&(objectCategory=person)(objectClass=user))' : '(objectClass=inetOrgPerson)');
}

/** A DN compared without case or spaces around separators (as both servers compare them) [I]. */
export function dnKey(dn: string): string {
  return dn.toLowerCase().replace(/\s*([,=+])\s*/g, '$1').trim();
}

export interface UserRead {
  users: DirectoryUser[];
  /** DN key → user id, to resolve members and managers. */
  byDn: Map<string, string>;
}

export async function readUsers(session: LdapSession, conn: LdapConnection, needs: DirectoryNeeds, signal?: AbortSignal): Promise<UserRead> {
  const ad = session.kind === 'active-directory';
  const idAttr = ad ? 'objectGUID' : 'entryUUID';
  const naming = ['displayName', 'cn', 'mail', ad ? 'userPrincipalName' : 'uid'];
  const attributes = [...new Set([idAttr, ...naming, ...(ad ? ['userAccountControl'] : []), ...(needs.manager ? ['manager'] : []), ...needs.attributes.map((a) => a.replace(/\[\d+\]$/, '')).filter((a) => a !== 'dn')])];
  const base = conn.usersDn ?? conn.baseDn;
  const filter = userFilterOf(conn, session);
  const pageSize = conn.pageSize ?? 500;
  const entries = await session.search(base, { filter, attributes, pageSize, explicitBufferAttributes: ad ? ['objectGUID'] : [] }, signal);
  const disabled = conn.disabledFilter ? new Set((await session.search(base, { filter: `(&${filter}${conn.disabledFilter})`, attributes: ['1.1'], pageSize }, signal)).map((e) => dnKey(e.dn))) : new Set<string>();
  const byDn = new Map<string, string>();
  const users = entries.map((e) => {
    const user = toDirectoryUser(session, e, needs, ad, disabled);
    byDn.set(dnKey(e.dn), user.id);
    return user;
  });
  if (needs.manager) for (const u of users) u.managerId = u.managerId ? (byDn.get(dnKey(u.managerId)) ?? null) : null;
  attachManagerAttributes(users, needs.managerAttributes);
  return { users, byDn };
}

function toDirectoryUser(session: LdapSession, e: LdapEntry, needs: DirectoryNeeds, ad: boolean, disabled: Set<string>): DirectoryUser {
  const id = ad ? guidOf(e.objectGUID) : first(e.entryUUID);
  // Never guess an identity: an entry without its stable id cannot be matched again next time.
  if (!id) throw session.fail(`the user ${e.dn} has no ${ad ? 'objectGUID' : 'entryUUID'}`);
  const attrs: Record<string, unknown> = {};
  for (const a of needs.attributes) {
    const name = a.replace(/\[\d+\]$/, '');
    attrs[name] = name === 'dn' ? e.dn : valueOf(e, name);
  }
  const uac = Number(first(e.userAccountControl));
  if (ad && !Number.isFinite(uac)) throw session.fail(`the user ${e.dn} has no userAccountControl`);
  const enabled = !(ad && uac & ACCOUNTDISABLE) && !disabled.has(dnKey(e.dn));
  const user: DirectoryUser = {
    id,
    enabled,
    guest: false,
    name: first(e.displayName) ?? first(e.cn) ?? null,
    email: first(e.mail) ?? null,
    login: first(ad ? e.userPrincipalName : e.uid) ?? null,
    attrs,
  };
  if (needs.manager) user.managerId = first(e.manager) ?? null;
  return user;
}

/** An attribute's value: one value as text, several as a list (indexed by the mapping as attr[n]). */
function valueOf(e: LdapEntry, name: string): unknown {
  const v = e[name];
  if (v === undefined) return null;
  const values = (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  if (name === 'lastLogonTimestamp') return fileTime(values[0]);
  return LISTS.has(name) || values.length > 1 ? values : (values[0] ?? null);
}

function first(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined || x === null || x === '' ? undefined : Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}

/** objectGUID's 16 bytes as Active Directory writes the GUID: the first three groups little-endian. */
export function guidOf(v: unknown): string | undefined {
  const b = Array.isArray(v) ? v[0] : v;
  if (!Buffer.isBuffer(b) || b.length !== 16) return undefined;
  const h = (i: number, n: number, le: boolean) => {
    const bytes = [...b.subarray(i, i + n)];
    return (le ? bytes.reverse() : bytes).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 2, true)}-${h(6, 2, true)}-${h(8, 2, false)}-${h(10, 6, false)}`;
}

/** Active Directory's FILETIME (100 ns since 1601) as an ISO time; 0 and "never" as null. */
function fileTime(v: string | undefined): string | null {
  const n = Number(v);
  if (!v || !Number.isFinite(n) || n <= 0 || n >= 9e18) return null;
  return new Date(n / 10_000 - 11_644_473_600_000).toISOString();
}
