// LDAP / Active Directory as a directory source: a mapping's `ldap:` entry opened into a live
// connection. Each read is one session: bind, users, groups, unbind. All or nothing.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant } from '../../core/snapshot';
import type { AccessCheck, DirectoryConnection, DirectorySource, OpenContext, ReadOptions } from '../source';
import { groupFilterOf, GroupReader } from './groups';
import { LdapSession } from './session';
import type { LdapConnection } from './settings';
import { readUsers } from './users';

export const ldapSource: DirectorySource = {
  key: 'ldap',
  open(settings, context) {
    return new LdapDirectory(settings as unknown as LdapConnection, context);
  },
};

export class LdapDirectory implements DirectoryConnection {
  readonly source = 'ldap';
  readonly personal = false;
  readonly name: string;
  /** The last read's session, for its counts (searches, pages). */
  last: LdapSession | undefined;

  constructor(
    readonly conn: LdapConnection,
    private readonly context: OpenContext,
  ) {
    this.name = conn.name;
  }

  private async session<T>(fn: (s: LdapSession) => Promise<T>): Promise<T> {
    const s = new LdapSession(this.conn, this.context.ca ?? [], this.context.retry?.timeoutMs);
    this.last = s;
    await s.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  read(needs: DirectoryNeeds, o: ReadOptions): Promise<DirectoryTenant> {
    if (needs.tenant !== this.name) throw new Error(`needs for tenant "${needs.tenant}" given to connection "${this.name}"`);
    return this.session(async (s) => {
      const started = Date.now();
      const { users, byDn } = await readUsers(s, this.conn, needs, o.signal);
      const groups = new GroupReader(s, this.conn);
      const read: DirectoryGroup[] = [];
      for (const ref of [...new Set(needs.groups)]) read.push(await groups.read(ref, byDn, o.signal));
      o.log?.('info', `LDAP "${this.name}" (${s.kind}): read ${users.length} users and ${read.length} groups in ${((Date.now() - started) / 1000).toFixed(1)} s (${s.searches} searches, ${s.pages} pages).`);
      return { tenant: this.name, users, groups: read };
    });
  }

  async checkAccess(needs: DirectoryNeeds, o: ReadOptions): Promise<AccessCheck> {
    try {
      return await this.session(async (s) => {
        void needs;
        const users = await s.search(this.conn.usersDn ?? this.conn.baseDn, { filter: '(objectClass=*)', attributes: ['1.1'], sizeLimit: 1, pageSize: 1 }, o.signal).catch(() => []);
        return { ok: true, detail: `bound as ${this.conn.bindDn} (${s.kind}); ${users.length ? 'may search the users DN' : 'the users DN answered no entry'}`, missing: [], fix: '', granted: [] };
      });
    } catch (e) {
      return { ok: false, detail: e instanceof Error ? e.message : String(e), missing: [], fix: 'Check ldap[].url (ldaps://, or startTls: true), that the server\'s certificate is trusted (tls.caFiles), ldap[].bindDn and its password.', granted: [] };
    }
  }

  groupNames(o: ReadOptions) {
    return this.session(async (s) => {
      const entries = await s.search(this.conn.groupsDn ?? this.conn.baseDn, { filter: groupFilterOf(this.conn, s), attributes: ['cn'], pageSize: this.conn.pageSize ?? 500 }, o.signal);
      return entries.map((e) => ({ id: e.dn, displayName: String(([] as unknown[]).concat(e.cn ?? e.dn)[0]) }));
    });
  }

  groupTrees(groups: readonly DirectoryGroup[], o: ReadOptions) {
    return this.session(async (s) => {
      const { byDn } = await readUsers(s, this.conn, { tenant: this.name, attributes: [], groups: [], manager: false, managerAttributes: [] }, o.signal);
      return new GroupReader(s, this.conn).trees(groups, byDn, o.signal);
    });
  }
}
