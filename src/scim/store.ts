// What IdPs push, kept in SQLite (better-sqlite3): users, groups, memberships and the ids the
// bridge gave them, per connection. Every write is one transaction committed (WAL, synchronous
// FULL) before the SCIM answer goes out, so a push answered 2xx survives a crash. Every query is
// scoped to one connection: ids, userName uniqueness and members never cross connections.
// The same file is read (read-only, by src/sources/scim) as a directory source. A user the IdP
// DELETEs stays as a tombstone the SCIM API no longer shows, so the directory read still sees a
// user the IdP ended (disabled) in the groups it was in, and Halo deactivates them rather than
// losing track of them.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ScimError } from './protocol/errors';
import type { GroupIn, Json, Member, UserIn } from './protocol/resources';

export interface StoredUser {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  resource: Json;
  created: string;
  modified: string;
}

export interface StoredGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  resource: Json;
  created: string;
  modified: string;
}

/** Each migration runs once, in order, in a transaction; PRAGMA user_version counts them. */
const MIGRATIONS = [
  `CREATE TABLE users (
     seq INTEGER PRIMARY KEY,
     conn TEXT NOT NULL, id TEXT NOT NULL,
     user_name TEXT NOT NULL, user_name_key TEXT NOT NULL, external_id TEXT,
     active INTEGER NOT NULL, resource TEXT NOT NULL,
     created TEXT NOT NULL, modified TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
     UNIQUE (conn, id), UNIQUE (conn, user_name_key));
   CREATE INDEX users_external ON users (conn, external_id);
   CREATE TABLE groups (
     seq INTEGER PRIMARY KEY,
     conn TEXT NOT NULL, id TEXT NOT NULL,
     display_name TEXT NOT NULL, display_name_key TEXT NOT NULL, external_id TEXT,
     resource TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
     UNIQUE (conn, id));
   CREATE INDEX groups_name ON groups (conn, display_name_key);
   CREATE INDEX groups_external ON groups (conn, external_id);
   CREATE TABLE members (
     conn TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL, display TEXT, type TEXT,
     PRIMARY KEY (conn, group_id, member_id)) WITHOUT ROWID;
   CREATE INDEX members_of ON members (conn, member_id);
   CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO state (key, value) VALUES ('changes', '0');`,
];

type Row = Record<string, unknown>;

function loadDriver(): typeof BetterSqlite3 {
  try {
    // Required on first use: the extension host (Electron) cannot load it, and reads the bridge over HTTPS instead.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (e) {
    throw new Error(`the SCIM store needs the better-sqlite3 package (npm install): ${(e as Error).message}`);
  }
}

const userOf = (r: Row): StoredUser => ({ id: r.id as string, userName: r.user_name as string, externalId: (r.external_id as string) ?? null, active: r.active === 1, resource: JSON.parse(r.resource as string) as Json, created: r.created as string, modified: r.modified as string });
const groupOf = (r: Row): StoredGroup => ({ id: r.id as string, displayName: r.display_name as string, externalId: (r.external_id as string) ?? null, resource: JSON.parse(r.resource as string) as Json, created: r.created as string, modified: r.modified as string });

export class ScimStore {
  private constructor(
    private readonly db: BetterSqlite3.Database,
    readonly file: string,
  ) {}

  /** Opens (creating and migrating) the store the bridge writes. */
  static open(file: string): ScimStore {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // Personal data: the file and its WAL are the bridge's user's alone, whatever the umask.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    const Driver = loadDriver();
    const db = new Driver(file);
    db.pragma('journal_mode = WAL');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const store = new ScimStore(db, file);
    store.migrate();
    return store;
  }

  /** Opens an existing store for reading alone (a directory read, while the bridge writes). */
  static openReadOnly(file: string): ScimStore {
    if (!fs.existsSync(file)) throw new Error(`the SCIM store ${file} does not exist (has the bridge run with this store?)`);
    const Driver = loadDriver();
    const db = new Driver(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new Error(`the SCIM store ${file} is of a newer version (${version}) than this Halo Identity knows (${MIGRATIONS.length})`);
    if (version < MIGRATIONS.length) throw new Error(`the SCIM store ${file} is of an older version (${version}): start the bridge once to migrate it`);
    return new ScimStore(db, file);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new Error(`the SCIM store ${this.file} is of a newer version (${version}) than this Halo Identity knows (${MIGRATIONS.length})`);
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` as one transaction that counts as a change (what the syncer watches). */
  write<T>(fn: () => T): T {
    return this.db.transaction(() => {
      const out = fn();
      this.db.prepare(`UPDATE state SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changes'`).run();
      return out;
    })();
  }

  /** How many writes the store has taken: a syncer that saw this number has seen everything before it. */
  changes(): number {
    return Number((this.db.prepare(`SELECT value FROM state WHERE key = 'changes'`).get() as Row).value);
  }

  getState(key: string): string | undefined {
    return (this.db.prepare(`SELECT value FROM state WHERE key = ?`).get(key) as Row | undefined)?.value as string | undefined;
  }

  setState(key: string, value: string): void {
    this.db.prepare(`INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
  }

  // Users

  /** 409 when a live user has the name; a tombstone of that name gives way to the new user. */
  private uniqueUserName(conn: string, userName: string, except?: string): void {
    const row = this.db.prepare(`SELECT id FROM users WHERE conn = ? AND user_name_key = ? AND deleted = 0`).get(conn, userName.toLowerCase()) as Row | undefined;
    if (row && row.id !== except) throw new ScimError(409, 'uniqueness', `a user with userName "${userName}" already exists`);
    for (const t of this.db.prepare(`SELECT id FROM users WHERE conn = ? AND user_name_key = ? AND deleted = 1`).all(conn, userName.toLowerCase()) as Row[]) {
      this.db.prepare(`DELETE FROM members WHERE conn = ? AND member_id = ?`).run(conn, t.id);
      this.db.prepare(`DELETE FROM users WHERE conn = ? AND id = ?`).run(conn, t.id);
    }
  }

  createUser(conn: string, u: UserIn, now = new Date().toISOString()): StoredUser {
    return this.write(() => {
      this.uniqueUserName(conn, u.userName);
      const id = randomUUID();
      this.db
        .prepare(`INSERT INTO users (conn, id, user_name, user_name_key, external_id, active, resource, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(conn, id, u.userName, u.userName.toLowerCase(), u.externalId, u.active ? 1 : 0, JSON.stringify(u.resource), now, now);
      return { id, userName: u.userName, externalId: u.externalId, active: u.active, resource: u.resource, created: now, modified: now };
    });
  }

  getUser(conn: string, id: string): StoredUser | undefined {
    const r = this.db.prepare(`SELECT * FROM users WHERE conn = ? AND id = ? AND deleted = 0`).get(conn, id) as Row | undefined;
    return r && userOf(r);
  }

  /** Users whose indexed attribute equals `value` (userName case-insensitively), or every user. */
  users(conn: string, eq?: { attr: string; value: string }): StoredUser[] {
    if (!eq) return (this.db.prepare(`SELECT * FROM users WHERE conn = ? AND deleted = 0 ORDER BY seq`).all(conn) as Row[]).map(userOf);
    const column = { userName: 'user_name_key', externalId: 'external_id', id: 'id' }[eq.attr];
    if (!column) throw new Error(`no index on ${eq.attr}`);
    const value = eq.attr === 'userName' ? eq.value.toLowerCase() : eq.value;
    return (this.db.prepare(`SELECT * FROM users WHERE conn = ? AND ${column} = ? AND deleted = 0 ORDER BY seq`).all(conn, value) as Row[]).map(userOf);
  }

  /** One page of the connection's users in a stable order (RFC 7644 §3.4.2.4; Okta requires it). */
  userPage(conn: string, offset: number, limit: number): StoredUser[] {
    return (this.db.prepare(`SELECT * FROM users WHERE conn = ? AND deleted = 0 ORDER BY seq LIMIT ? OFFSET ?`).all(conn, limit, offset) as Row[]).map(userOf);
  }

  userCount(conn: string): number {
    return Number((this.db.prepare(`SELECT count(*) AS n FROM users WHERE conn = ? AND deleted = 0`).get(conn) as Row).n);
  }

  /** Users the IdP deleted, still known to the directory read (as disabled). */
  deletedUsers(conn: string): StoredUser[] {
    return (this.db.prepare(`SELECT * FROM users WHERE conn = ? AND deleted = 1 ORDER BY seq`).all(conn) as Row[]).map(userOf);
  }

  replaceUser(conn: string, id: string, u: UserIn, now = new Date().toISOString()): StoredUser | undefined {
    return this.write(() => {
      const current = this.getUser(conn, id);
      if (!current) return undefined;
      this.uniqueUserName(conn, u.userName, id);
      this.db
        .prepare(`UPDATE users SET user_name = ?, user_name_key = ?, external_id = ?, active = ?, resource = ?, modified = ? WHERE conn = ? AND id = ?`)
        .run(u.userName, u.userName.toLowerCase(), u.externalId, u.active ? 1 : 0, JSON.stringify(u.resource), now, conn, id);
      return { ...current, userName: u.userName, externalId: u.externalId, active: u.active, resource: u.resource, modified: now };
    });
  }

  /** Ends the user: a tombstone, kept in its groups for the directory read alone; false when there was none. */
  deleteUser(conn: string, id: string, now = new Date().toISOString()): boolean {
    return this.write(() => this.db.prepare(`UPDATE users SET deleted = 1, active = 0, modified = ? WHERE conn = ? AND id = ? AND deleted = 0`).run(now, conn, id).changes > 0);
  }

  // Groups

  /** Members must be users or groups of the same connection: another connection's ids are refused. */
  private checkMembers(conn: string, members: readonly Member[]): void {
    const user = this.db.prepare(`SELECT 1 FROM users WHERE conn = ? AND id = ? AND deleted = 0`);
    const group = this.db.prepare(`SELECT 1 FROM groups WHERE conn = ? AND id = ?`);
    const unknown = members.filter((m) => !user.get(conn, m.value) && !group.get(conn, m.value)).map((m) => m.value);
    if (unknown.length) throw new ScimError(400, 'invalidValue', `no user or group has the id${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).map((v) => `"${v}"`).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
  }

  private addMembers(conn: string, groupId: string, members: readonly Member[]): void {
    this.checkMembers(conn, members);
    const insert = this.db.prepare(`INSERT INTO members (conn, group_id, member_id, display, type) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET display = coalesce(excluded.display, display), type = coalesce(excluded.type, type)`);
    for (const m of members) insert.run(conn, groupId, m.value, m.display ?? null, m.type ?? null);
  }

  createGroup(conn: string, g: GroupIn, now = new Date().toISOString()): StoredGroup {
    return this.write(() => {
      const id = randomUUID();
      this.db
        .prepare(`INSERT INTO groups (conn, id, display_name, display_name_key, external_id, resource, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(conn, id, g.displayName, g.displayName.toLowerCase(), g.externalId, JSON.stringify(g.resource), now, now);
      this.addMembers(conn, id, g.members ?? []);
      return { id, displayName: g.displayName, externalId: g.externalId, resource: g.resource, created: now, modified: now };
    });
  }

  getGroup(conn: string, id: string): StoredGroup | undefined {
    const r = this.db.prepare(`SELECT * FROM groups WHERE conn = ? AND id = ?`).get(conn, id) as Row | undefined;
    return r && groupOf(r);
  }

  groups(conn: string, eq?: { attr: string; value: string }): StoredGroup[] {
    if (!eq) return (this.db.prepare(`SELECT * FROM groups WHERE conn = ? ORDER BY seq`).all(conn) as Row[]).map(groupOf);
    const column = { displayName: 'display_name_key', externalId: 'external_id', id: 'id' }[eq.attr];
    if (!column) throw new Error(`no index on ${eq.attr}`);
    const value = eq.attr === 'displayName' ? eq.value.toLowerCase() : eq.value;
    return (this.db.prepare(`SELECT * FROM groups WHERE conn = ? AND ${column} = ? ORDER BY seq`).all(conn, value) as Row[]).map(groupOf);
  }

  groupPage(conn: string, offset: number, limit: number): StoredGroup[] {
    return (this.db.prepare(`SELECT * FROM groups WHERE conn = ? ORDER BY seq LIMIT ? OFFSET ?`).all(conn, limit, offset) as Row[]).map(groupOf);
  }

  members(conn: string, groupId: string): Member[] {
    const live = `NOT EXISTS (SELECT 1 FROM users u WHERE u.conn = m.conn AND u.id = m.member_id AND u.deleted = 1)`;
    return (this.db.prepare(`SELECT member_id, display, type FROM members m WHERE conn = ? AND group_id = ? AND ${live} ORDER BY member_id`).all(conn, groupId) as Row[]).map((r) => ({
      value: r.member_id as string,
      ...(r.display ? { display: r.display as string } : {}),
      ...(r.type ? { type: r.type as string } : {}),
    }));
  }

  /** The groups a user (or group) is a direct member of. */
  groupsOf(conn: string, memberId: string): Array<{ id: string; displayName: string }> {
    return (this.db.prepare(`SELECT g.id, g.display_name FROM members m JOIN groups g ON g.conn = m.conn AND g.id = m.group_id WHERE m.conn = ? AND m.member_id = ? ORDER BY g.seq`).all(conn, memberId) as Row[]).map((r) => ({ id: r.id as string, displayName: r.display_name as string }));
  }

  /** Every membership of the connection, for a directory read. */
  allMembers(conn: string): Array<{ groupId: string; memberId: string }> {
    return (this.db.prepare(`SELECT group_id, member_id FROM members WHERE conn = ?`).all(conn) as Row[]).map((r) => ({ groupId: r.group_id as string, memberId: r.member_id as string }));
  }

  /** Replaces the group's attributes, and its members when given (`members` undefined: kept). */
  replaceGroup(conn: string, id: string, g: GroupIn, now = new Date().toISOString()): StoredGroup | undefined {
    return this.write(() => {
      const current = this.getGroup(conn, id);
      if (!current) return undefined;
      this.db.prepare(`UPDATE groups SET display_name = ?, display_name_key = ?, external_id = ?, resource = ?, modified = ? WHERE conn = ? AND id = ?`).run(g.displayName, g.displayName.toLowerCase(), g.externalId, JSON.stringify(g.resource), now, conn, id);
      if (g.members) {
        this.db.prepare(`DELETE FROM members WHERE conn = ? AND group_id = ?`).run(conn, id);
        this.addMembers(conn, id, g.members);
      }
      return { ...current, displayName: g.displayName, externalId: g.externalId, resource: g.resource, modified: now };
    });
  }

  /** One PATCH of a group: its new attributes (if any) and membership changes, in one transaction. */
  patchGroup(conn: string, id: string, g: GroupIn | undefined, changes: ReadonlyArray<{ add?: Member[]; remove?: string[]; set?: Member[]; removeAll?: true }>, now = new Date().toISOString()): StoredGroup | undefined {
    return this.write(() => {
      const current = this.getGroup(conn, id);
      if (!current) return undefined;
      const next = g ? { displayName: g.displayName, externalId: g.externalId, resource: g.resource } : current;
      this.db.prepare(`UPDATE groups SET display_name = ?, display_name_key = ?, external_id = ?, resource = ?, modified = ? WHERE conn = ? AND id = ?`).run(next.displayName, next.displayName.toLowerCase(), next.externalId, JSON.stringify(next.resource), now, conn, id);
      const remove = this.db.prepare(`DELETE FROM members WHERE conn = ? AND group_id = ? AND member_id = ?`);
      for (const c of changes) {
        if (c.removeAll || c.set) this.db.prepare(`DELETE FROM members WHERE conn = ? AND group_id = ?`).run(conn, id);
        if (c.set) this.addMembers(conn, id, c.set);
        if (c.add) this.addMembers(conn, id, c.add);
        for (const m of c.remove ?? []) remove.run(conn, id, m);
      }
      return { ...current, ...next, modified: now };
    });
  }

  deleteGroup(conn: string, id: string): boolean {
    return this.write(() => {
      const n = this.db.prepare(`DELETE FROM groups WHERE conn = ? AND id = ?`).run(conn, id).changes;
      if (n) {
        this.db.prepare(`DELETE FROM members WHERE conn = ? AND group_id = ?`).run(conn, id);
        this.db.prepare(`DELETE FROM members WHERE conn = ? AND member_id = ?`).run(conn, id);
      }
      return n > 0;
    });
  }

  /** Everything one connection pushed, read in one transaction (a directory read sees no half-done PATCH). */
  snapshot(conn: string): { users: StoredUser[]; groups: { list: StoredGroup[]; members: Array<{ groupId: string; memberId: string }> } } {
    return this.db.transaction(() => ({ users: [...this.users(conn), ...this.deletedUsers(conn)], groups: { list: this.groups(conn), members: this.allMembers(conn) } }))();
  }

  counts(conn: string): { users: number; groups: number; memberships: number } {
    const n = (sql: string) => Number((this.db.prepare(sql).get(conn) as Row).n);
    return { users: n(`SELECT count(*) AS n FROM users WHERE conn = ? AND deleted = 0`), groups: n(`SELECT count(*) AS n FROM groups WHERE conn = ?`), memberships: n(`SELECT count(*) AS n FROM members WHERE conn = ?`) };
  }
}
