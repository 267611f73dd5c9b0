// Groups the mapping names (by DN, or by cn / name) and their users, transitively. Active
// Directory: one search for the users whose memberOf holds the group in its chain, the matching
// rule LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941) [V MS-ADTS]. Elsewhere: the groups'
// member / uniqueMember values, followed through nested groups here, each group once.
import type { DirectoryGroup } from '../../core/snapshot';
import type { LdapSession } from './session';
import type { LdapConnection } from './settings';
import { dnKey, userFilterOf } from './users';

const IN_CHAIN = '1.2.840.113556.1.4.1941';

export function groupFilterOf(conn: LdapConnection, session: LdapSession): string {
  return conn.groupFilter ?? (session.kind === 'active-directory' ? '(objectClass=group)' : '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))');
}

/** An LDAP filter value with its special characters escaped (RFC 4515). */
export function escapeValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

interface GroupEntry {
  dn: string;
  name: string;
  members: string[];
}

export class GroupReader {
  private all: Map<string, GroupEntry> | undefined;

  constructor(
    private readonly session: LdapSession,
    private readonly conn: LdapConnection,
  ) {}

  /** Every group under the groups DN with its member values (OpenLDAP's nesting is followed from these). */
  private async groups(signal?: AbortSignal): Promise<Map<string, GroupEntry>> {
    if (!this.all) {
      const entries = await this.session.search(this.conn.groupsDn ?? this.conn.baseDn, { filter: groupFilterOf(this.conn, this.session), attributes: ['cn', 'name', 'member', 'uniqueMember'], pageSize: this.conn.pageSize ?? 500 }, signal);
      const list = (v: unknown) => ([] as unknown[]).concat(v ?? []).map(String);
      this.all = new Map(entries.map((e) => [dnKey(e.dn), { dn: e.dn, name: String(list(e.cn)[0] ?? list(e.name)[0] ?? e.dn), members: [...list(e.member), ...list(e.uniqueMember)] }]));
    }
    return this.all;
  }

  /** The group a reference names: a DN, else exactly one group whose cn is the name. */
  async resolve(ref: string, signal?: AbortSignal): Promise<{ dn: string; name: string }> {
    if (this.session.kind === 'active-directory') {
      if (ref.includes('=')) {
        const e = await this.session.entry(ref, ['cn']);
        if (e) return { dn: e.dn, name: String(([] as unknown[]).concat(e.cn ?? ref)[0]) };
        throw this.session.fail(`no group has the DN ${ref}`);
      }
      const found = await this.session.search(this.conn.groupsDn ?? this.conn.baseDn, { filter: `(&${groupFilterOf(this.conn, this.session)}(cn=${escapeValue(ref)}))`, attributes: ['cn'], pageSize: 2 }, signal);
      return this.one(ref, found.map((e) => ({ dn: e.dn, name: String(([] as unknown[]).concat(e.cn ?? ref)[0]) })));
    }
    const all = await this.groups(signal);
    const byDn = all.get(dnKey(ref));
    if (byDn) return byDn;
    if (ref.includes('=')) throw this.session.fail(`no group has the DN ${ref}`);
    return this.one(ref, [...all.values()].filter((g) => g.name.toLowerCase() === ref.toLowerCase()));
  }

  private one(ref: string, found: Array<{ dn: string; name: string }>): { dn: string; name: string } {
    const exact = found.filter((g) => g.name === ref);
    const candidates = exact.length ? exact : found;
    if (candidates.length > 1) throw this.session.fail(`${candidates.length} groups are named "${ref}" (${candidates.map((g) => g.dn).join('; ')}): name the group by its DN`);
    if (!candidates.length) throw this.session.fail(`no group is named "${ref}"`);
    return candidates[0];
  }

  /** The group and the ids of its users, members of nested groups included. */
  async read(ref: string, byDn: Map<string, string>, signal?: AbortSignal): Promise<DirectoryGroup> {
    const { dn, name } = await this.resolve(ref, signal);
    const ids = new Set<string>();
    if (this.session.kind === 'active-directory') {
      const filter = `(&${userFilterOf(this.conn, this.session)}(memberOf:${IN_CHAIN}:=${escapeValue(dn)}))`;
      for (const e of await this.session.search(this.conn.usersDn ?? this.conn.baseDn, { filter, attributes: ['1.1'], pageSize: this.conn.pageSize ?? 500 }, signal)) {
        const id = byDn.get(dnKey(e.dn));
        if (id) ids.add(id);
      }
    } else {
      const all = await this.groups(signal);
      const visited = new Set([dnKey(dn)]);
      const queue = [dnKey(dn)];
      while (queue.length) {
        for (const m of all.get(queue.shift()!)?.members ?? []) {
          const key = dnKey(m);
          const id = byDn.get(key);
          if (id) ids.add(id);
          else if (all.has(key) && !visited.has(key)) {
            visited.add(key);
            queue.push(key);
          }
          // Anything else (an entry outside the users read, a placeholder member) is no user to provision.
        }
      }
    }
    return { ref, id: dn, displayName: name, memberIds: [...ids] };
  }

  /** Direct members of groups and of the groups below them, for reports' group paths. */
  async trees(groups: readonly DirectoryGroup[], byDn: Map<string, string>, signal?: AbortSignal) {
    const all = await this.groups(signal);
    const tree = new Map<string, { name: string; users: Set<string>; groups: string[] }>();
    const queue = groups.map((g) => dnKey(g.id));
    while (queue.length) {
      const key = queue.shift()!;
      const g = all.get(key);
      if (!g || tree.has(g.dn)) continue;
      const users = new Set<string>();
      const subgroups: string[] = [];
      for (const m of g.members) {
        const id = byDn.get(dnKey(m));
        if (id) users.add(id);
        else if (all.has(dnKey(m))) {
          subgroups.push(all.get(dnKey(m))!.dn);
          queue.push(dnKey(m));
        }
      }
      tree.set(g.dn, { name: g.name, users, groups: subgroups });
    }
    return tree;
  }
}
