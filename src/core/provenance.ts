// Which mapping entries grant a role, team or CAB seat to an identity, and through which Entra
// groups: for the plan's membership changes and the access review alike, one wording.
import type { Identity } from './desired';
import type { Mapping } from './mapping';
import { directoryLabel, tenantOf } from './directories';
import { formatPath, groupPath, GroupTree } from './reports/group-paths';
import type { DirectorySnapshot } from './snapshot';
import { nameKey } from './values';

export type GrantType = 'role' | 'team' | 'cab';

/** Which mapping entries grant a role, team or CAB seat to an identity, and through which groups. */
export class GrantSources {
  /** Per tenant and named group: its object id and transitive user members, made on first use. */
  private readonly groups = new Map<string, Map<string, { id: string; members: Set<string> } | null>>();

  constructor(
    private readonly mapping: Mapping,
    private readonly directories: DirectorySnapshot,
    private readonly trees?: ReadonlyMap<string, GroupTree>,
  ) {}

  private group(tenant: string, ref: string): { id: string; members: Set<string> } | null {
    let byRef = this.groups.get(tenant);
    if (!byRef) this.groups.set(tenant, (byRef = new Map()));
    if (!byRef.has(ref)) {
      const g = this.directories.tenants.find((t) => t.tenant === tenant)?.groups.find((x) => x.ref === ref);
      byRef.set(ref, g ? { id: g.id, members: new Set(g.memberIds) } : null);
    }
    return byRef.get(ref)!;
  }

  of(kind: 'agent' | 'user', type: GrantType, name: string, id: Identity): string[] {
    const key = nameKey(name);
    const out: string[] = [];
    const rule = kind === 'agent' ? id.agent : id.userRule;
    if (rule) {
      const r = rule.rule as { rule: string; roles?: string[]; team?: string };
      const grants = type === 'role' ? (r.roles ?? []).some((x) => nameKey(x) === key) : type === 'team' && r.team !== undefined && nameKey(r.team) === key;
      if (grants) out.push(`${this.via(id, rule.because)} → rule ${r.rule}`);
    }
    const mine = <T extends { tenant?: string; source?: string }>(x: T) => tenantOf(this.mapping, x) === id.tenant;
    if (type === 'role') {
      (this.mapping.roles ?? []).forEach((g, i) => {
        if (!mine(g) || !((kind === 'agent' ? g.agentRoles : g.userRoles) ?? []).some((x) => nameKey(x) === key)) return;
        if (g.group !== undefined && this.member(id, g.group)) out.push(`${this.via(id, `in ${g.group}`)} → roles[${i}]`);
        if (g.noManager && id.user.managerId === null) out.push(`no manager in ${directoryLabel(this.mapping, id.tenant)} → roles[${i}]`);
      });
    }
    if (type === 'cab') {
      (this.mapping.cab ?? []).forEach((c, i) => {
        const members = c.members === 'users' ? 'user' : 'agent';
        if (mine(c) && members === kind && nameKey(c.cab) === key && this.member(id, c.group)) out.push(`${this.via(id, `in ${c.group}`)} → cab[${i}]`);
      });
    }
    return out;
  }

  private member(id: Identity, ref: string): boolean {
    return this.group(id.tenant, ref)?.members.has(id.user.id) ?? false;
  }

  /** "in SG-Halo-Agents" → the nested path when the trees were read; other reasons as they are. */
  private via(id: Identity, because: string): string {
    if (!because.startsWith('in ')) return because;
    const ref = because.slice(3);
    const gid = this.group(id.tenant, ref)?.id;
    const tree = this.trees?.get(id.tenant);
    const chain = tree && gid !== undefined ? groupPath(tree, gid, id.user.id) : undefined;
    return chain ? formatPath(chain) : ref;
  }
}
