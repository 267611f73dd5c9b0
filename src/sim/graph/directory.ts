// A live simulated tenant: the GraphTenant data plus the change history that delta queries read.
// Tests change the directory through these methods so that delta can report what changed.
import type { GraphDevice, GraphGroup, GraphTenant, GraphUser } from '../state';
import type { ObjectKind } from './properties';

export type RemovalReason = 'changed' | 'deleted';

/** One change to a group's direct membership. */
export interface MemberChange {
  version: number;
  groupId: string;
  memberId: string;
  removed: boolean;
}

export class SimTenant {
  private version = 1;
  private readonly users = new Map<string, GraphUser>();
  private readonly groups = new Map<string, GraphGroup>();
  private readonly devices = new Map<string, GraphDevice>();
  /** Version of each object's last change (1 for what the tenant started with). */
  private readonly changed = new Map<string, number>();
  private readonly removed = new Map<string, { kind: 'user' | 'group'; version: number; reason: RemovalReason }>();
  private readonly memberLog: MemberChange[] = [];
  private extensions: string[] | undefined;
  /** Each page of a transitiveMembers listing asks again; the answer only changes with the version. */
  private readonly transitive = new Map<string, { version: number; ids: string[] }>();

  constructor(readonly data: GraphTenant) {
    for (const u of data.users) this.users.set(u.id, u);
    for (const g of data.groups) this.groups.set(g.id, g);
    for (const d of data.devices) this.devices.set(d.id, d);
  }

  get tenantId(): string {
    return this.data.tenantId;
  }

  /** The current change counter; a delta round reports changes after the counter it started from. */
  get currentVersion(): number {
    return this.version;
  }

  user(id: string): GraphUser | undefined {
    return this.users.get(id);
  }

  group(id: string): GraphGroup | undefined {
    return this.groups.get(id);
  }

  kindOf(id: string): ObjectKind | undefined {
    if (this.users.has(id)) return 'user';
    if (this.groups.has(id)) return 'group';
    if (this.devices.has(id)) return 'device';
    return undefined;
  }

  object(id: string): Record<string, unknown> | undefined {
    const o: object | undefined = this.users.get(id) ?? this.groups.get(id) ?? this.devices.get(id);
    return o as Record<string, unknown> | undefined;
  }

  managerOf(userId: string): string | undefined {
    const m = this.data.managers[userId];
    return m && this.users.has(m) ? m : undefined;
  }

  /** Property names that some user carries beyond the catalogue (directory extensions). */
  extraUserProperties(): string[] {
    if (!this.extensions) {
      const seen = new Set<string>();
      for (const u of this.data.users) for (const k of Object.keys(u)) if (k.startsWith('extension_')) seen.add(k);
      this.extensions = [...seen];
    }
    return this.extensions;
  }

  /** Users, groups and devices reachable from `groupId`, nested groups flattened, each once. */
  transitiveMembers(groupId: string): string[] {
    const cached = this.transitive.get(groupId);
    if (cached?.version === this.version) return cached.ids;
    const out: string[] = [];
    const seen = new Set<string>([groupId]);
    const queue = [...(this.groups.get(groupId)?.members ?? [])];
    // An index, not shift(): shift is linear on large arrays, so a 100 000-member group went quadratic.
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      if (seen.has(id) || !this.kindOf(id)) continue;
      seen.add(id);
      out.push(id);
      const nested = this.groups.get(id);
      if (nested) queue.push(...nested.members);
    }
    this.transitive.set(groupId, { version: this.version, ids: out });
    return out;
  }

  // ---- changes, as an admin would make them in Entra --------------------------------------

  addUser(user: GraphUser): GraphUser {
    if (this.object(user.id)) throw new Error(`object ${user.id} already exists`);
    const u = { accountEnabled: true, userType: 'Member', ...user };
    this.data.users.push(u);
    this.users.set(u.id, u);
    this.removed.delete(u.id);
    this.touch(u.id);
    return u;
  }

  updateUser(id: string, patch: Record<string, unknown>): void {
    const u = this.mustUser(id);
    Object.assign(u, patch, { id });
    this.touch(id);
  }

  disableUser(id: string): void {
    this.updateUser(id, { accountEnabled: false });
  }

  setManager(userId: string, managerId: string | null): void {
    this.mustUser(userId);
    if (managerId === null) delete this.data.managers[userId];
    else this.data.managers[userId] = this.mustUser(managerId).id;
    this.touch(userId);
  }

  /**
   * Delete a user. Soft (default) is what Entra does first (delta reason "changed", restorable);
   * `permanent` is the hard delete (reason "deleted"). The user leaves every group either way,
   * a simplification: Entra keeps a soft-deleted user's memberships until the hard delete.
   */
  deleteUser(id: string, options: { permanent?: boolean } = {}): void {
    this.mustUser(id);
    this.version++;
    for (const g of this.data.groups) if (g.members.includes(id)) this.logMember(g, id, true);
    this.data.users.splice(this.data.users.findIndex((u) => u.id === id), 1);
    this.users.delete(id);
    this.changed.delete(id);
    delete this.data.managers[id];
    for (const [uid, mid] of Object.entries(this.data.managers)) if (mid === id) delete this.data.managers[uid];
    this.removed.set(id, { kind: 'user', version: this.version, reason: options.permanent ? 'deleted' : 'changed' });
  }

  addGroup(group: GraphGroup): GraphGroup {
    if (this.object(group.id)) throw new Error(`object ${group.id} already exists`);
    this.data.groups.push(group);
    this.groups.set(group.id, group);
    this.touch(group.id);
    for (const m of group.members) this.memberLog.push({ version: this.version, groupId: group.id, memberId: m, removed: false });
    return group;
  }

  addMember(groupId: string, memberId: string): void {
    const g = this.mustGroup(groupId);
    if (!this.kindOf(memberId)) throw new Error(`no object ${memberId} in tenant ${this.tenantId}`);
    if (g.members.includes(memberId)) return;
    this.version++;
    this.logMember(g, memberId, false);
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.mustGroup(groupId);
    if (!g.members.includes(memberId)) return;
    this.version++;
    this.logMember(g, memberId, true);
  }

  // ---- what delta reads ----------------------------------------------------------------

  /** Ids of live objects of `kind` changed after `since` (all of them when since is 0), in directory order. */
  changedSince(kind: 'user' | 'group', since: number): string[] {
    const list = kind === 'user' ? this.data.users : this.data.groups;
    return list.filter((o) => since === 0 || (this.changed.get(o.id) ?? 1) > since).map((o) => o.id);
  }

  /** Objects of `kind` removed after `since`, with Graph's reason. */
  removedSince(kind: 'user' | 'group', since: number): Array<{ id: string; reason: RemovalReason }> {
    if (since === 0) return [];
    const out: Array<{ id: string; reason: RemovalReason }> = [];
    for (const [id, r] of this.removed) if (r.kind === kind && r.version > since) out.push({ id, reason: r.reason });
    return out;
  }

  /** Direct-membership changes of `groupId` after `since`, the last one per member. */
  memberChangesSince(groupId: string, since: number): Array<{ memberId: string; removed: boolean }> {
    const last = new Map<string, boolean>();
    for (const c of this.memberLog) if (c.groupId === groupId && c.version > since) last.set(c.memberId, c.removed);
    return [...last].map(([memberId, removed]) => ({ memberId, removed }));
  }

  private logMember(g: GraphGroup, memberId: string, removed: boolean): void {
    if (removed) g.members.splice(g.members.indexOf(memberId), 1);
    else g.members.push(memberId);
    this.memberLog.push({ version: this.version, groupId: g.id, memberId, removed });
    this.changed.set(g.id, this.version);
  }

  private touch(id: string): void {
    this.extensions = undefined;
    this.version++;
    this.changed.set(id, this.version);
  }

  private mustUser(id: string): GraphUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id} in tenant ${this.tenantId}`);
    return u;
  }

  private mustGroup(id: string): GraphGroup {
    const g = this.groups.get(id);
    if (!g) throw new Error(`no group ${id} in tenant ${this.tenantId}`);
    return g;
  }
}
