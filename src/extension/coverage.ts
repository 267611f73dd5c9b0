// Whether snapshots read for one version of the mapping can still plan another: edits re-plan
// from cached snapshots, which hold only the groups, attributes and Halo lists the earlier
// version needed. Anything the edit needs beyond that is named, so the diff is never trusted
// blindly (a group missing from the snapshot would read as a group with no members).
import { connectionsOf } from '../core/directories';
import type { Mapping } from '../core/mapping';
import type { DirectoryNeeds, HaloNeeds } from '../core/needs';

export interface SnapshotScope {
  directories: DirectoryNeeds[];
  halo: HaloNeeds;
  /** The systems read: Halo instance and directory connections (a change means other systems entirely). */
  systems: string;
  /** Roles whose members were read role by role (Halo rows carried no roles); absent: every role was known. */
  partialRoles?: { agent?: string[]; user?: string[] };
}

/** Identifies the systems a mapping reads, before any reference is resolved. */
export function systemsOf(mapping: Mapping): string {
  return JSON.stringify({
    halo: [mapping.halo.url, mapping.halo.authUrl ?? null, mapping.halo.tenant ?? null],
    directories: connectionsOf(mapping).map((c) => [c.directory.key, c.name, systemOf(c.settings)]),
  });
}

/** A connection's settings without its credentials: which system it reads, not how it signs in. */
function systemOf(settings: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(settings).filter(([, v]) => typeof v !== 'string' || !/^\$\{/.test(v)).filter(([k]) => !/secret|key|certificate|password|token/i.test(k)));
}

/** What `now` needs that `read` did not read, in words; empty when the snapshots cover it. */
export function uncovered(read: SnapshotScope, now: SnapshotScope): string[] {
  const out: string[] = [];
  const many = now.directories.length > 1;
  for (const need of now.directories) {
    const had = read.directories.find((e) => e.tenant === need.tenant);
    const where = many ? ` (${need.tenant})` : '';
    if (!had) {
      out.push(`connection "${need.tenant}"`);
      continue;
    }
    for (const g of need.groups) if (!had.groups.includes(g)) out.push(`group "${g}"${where}`);
    const attrs = need.attributes.filter((a) => !had.attributes.includes(a));
    if (attrs.length) out.push(`attribute${attrs.length === 1 ? '' : 's'} ${attrs.join(', ')}${where}`);
    if (need.manager && !had.manager) out.push(`managers${where}`);
  }
  const h = now.halo;
  const r = read.halo;
  const userFields = h.userFields.filter((f) => !r.userFields.includes(f));
  const agentFields = h.agentFields.filter((f) => !r.agentFields.includes(f));
  if (userFields.length) out.push(`Halo user field${userFields.length === 1 ? '' : 's'} ${userFields.join(', ')}`);
  if (agentFields.length) out.push(`Halo agent field${agentFields.length === 1 ? '' : 's'} ${agentFields.join(', ')}`);
  if (h.userRoles && !r.userRoles) out.push('Halo user roles');
  if (h.agentRoles && !r.agentRoles) out.push('Halo agent roles');
  if (h.teams && !r.teams) out.push('Halo teams');
  if (h.cabs && !r.cabs) out.push('Halo CABs');
  // Read role by role, a snapshot knows nothing of the members of a role the edit starts managing.
  for (const [kind, names] of [['agent', h.agentRoleNames], ['user', h.userRoleNames]] as const) {
    const had = read.partialRoles?.[kind];
    if (!had) continue;
    const known = new Set(had.map((n) => n.toLowerCase()));
    const missing = names.filter((n) => !known.has(n.toLowerCase()));
    if (missing.length) out.push(`the Halo members of ${kind} role${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  }
  return out;
}

export function coverageWarning(missing: string[]): string | undefined {
  if (!missing.length) return undefined;
  const shown = missing.slice(0, 6).join('; ') + (missing.length > 6 ? `; and ${missing.length - 6} more` : '');
  return `The cached snapshots were read for an earlier version of the mapping and lack: ${shown}. Until you run Refresh Snapshots, this diff treats them as empty.`;
}
