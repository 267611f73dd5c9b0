// The reports' read: the same list reads as a plan (no per-record read), plus what the reports
// alone need: each agent's lastlogindate column and the directory's last sign-in (when the
// credentials may read it), and for the access review the nested groups under the groups the mapping names.
import { readAgentLinks } from './agent-links-file';
import type { Mapping } from '../core/mapping';
import { accessReport, AccessReport } from '../core/reports/access';
import type { GroupTree } from '../core/reports/group-paths';
import { connectionsOf } from '../core/directories';
import { HALO_LAST_LOGIN, licenceReport, LicenceReport } from '../core/reports/licences';
import { orphanReport, OrphanReport } from '../core/reports/orphans';
import type { Connections } from './connections';
import { takeSnapshots, Snapshots } from './snapshot';

export interface ReportRead {
  snapshots: Snapshots;
  trees?: Map<string, GroupTree>;
}

/**
 * The mapping as the report reads with it: its own fields and attributes, and the agent column
 * and Entra attribute the licence report shows. Planning still uses the mapping itself.
 */
function readingMapping(mapping: Mapping): Mapping {
  const signIns = [...new Set(connectionsOf(mapping).flatMap((c) => c.directory.catalogue.lastSignIn ?? []))];
  const lastSignIn = signIns.length === 1 ? signIns[0] : signIns;
  return signIns.length ? { ...mapping, fields: { ...mapping.fields, agents: { [HALO_LAST_LOGIN]: lastSignIn, ...mapping.fields?.agents } } } : mapping;
}

export async function readForReports(conns: Connections, opts: { groupPaths?: boolean; signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<ReportRead> {
  const snapshots = await takeSnapshots({ ...conns, mapping: readingMapping(conns.mapping) }, { signal: opts.signal, onProgress: opts.onProgress });
  if (!opts.groupPaths) return { snapshots };
  opts.onProgress?.('Reading the nested groups under the groups the mapping names');
  const trees = new Map<string, GroupTree>();
  for (const conn of conns.directories) {
    const tenant = snapshots.directories.tenants.find((t) => t.tenant === conn.name);
    if (tenant) trees.set(conn.name, await conn.groupTrees(tenant.groups, { signal: opts.signal }));
  }
  return { snapshots, trees };
}

export function accessOf(conns: Connections, read: ReportRead, all = false): AccessReport {
  return accessReport({ mapping: conns.mapping, directories: read.snapshots.directories, halo: read.snapshots.halo, trees: read.trees, all });
}

export function licencesOf(conns: Connections, read: ReportRead, opts: { now?: Date; idleDays?: number; costPerNamed?: number } = {}): LicenceReport {
  return licenceReport({
    mapping: conns.mapping,
    directories: read.snapshots.directories,
    halo: read.snapshots.halo,
    now: opts.now ?? new Date(read.snapshots.takenAt),
    idleDays: opts.idleDays,
    costPerNamed: opts.costPerNamed,
    agentLinks: readAgentLinks(conns.stateDir),
  });
}

export function orphansOf(conns: Connections, read: ReportRead): OrphanReport {
  return orphanReport(conns.mapping, read.snapshots.directories, read.snapshots.halo);
}
