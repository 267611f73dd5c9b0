// The reports' read: the same list reads as a plan (no per-record read), plus what the reports
// alone need: each agent's lastlogindate column and Entra's last sign-in (when the token may read
// it), and for the access review the nested groups under the groups the mapping names.
import { readAgentLinks } from './agent-links-file';
import type { Mapping } from '../core/mapping';
import { accessReport, AccessReport } from '../core/reports/access';
import type { GroupTree } from '../core/reports/group-paths';
import { HALO_LAST_LOGIN, LAST_SIGN_IN, licenceReport, LicenceReport } from '../core/reports/licences';
import { orphanReport, OrphanReport } from '../core/reports/orphans';
import { readGroupTrees } from '../entra';
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
  return { ...mapping, fields: { ...mapping.fields, agents: { [HALO_LAST_LOGIN]: LAST_SIGN_IN, ...mapping.fields?.agents } } };
}

export async function readForReports(conns: Connections, opts: { groupPaths?: boolean; signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<ReportRead> {
  const snapshots = await takeSnapshots({ ...conns, mapping: readingMapping(conns.mapping) }, { signal: opts.signal, onProgress: opts.onProgress });
  if (!opts.groupPaths) return { snapshots };
  opts.onProgress?.('Reading the nested groups under the groups the mapping names');
  const trees = new Map<string, GroupTree>();
  for (const conn of conns.entra) {
    const tenant = snapshots.entra.tenants.find((t) => t.tenant === conn.name);
    if (tenant) trees.set(conn.name, await readGroupTrees(conn, tenant.groups, { http: conns.http, signal: opts.signal, retry: conns.entraRetry }));
  }
  return { snapshots, trees };
}

export function accessOf(conns: Connections, read: ReportRead, all = false): AccessReport {
  return accessReport({ mapping: conns.mapping, entra: read.snapshots.entra, halo: read.snapshots.halo, trees: read.trees, all });
}

export function licencesOf(conns: Connections, read: ReportRead, opts: { now?: Date; idleDays?: number; costPerNamed?: number } = {}): LicenceReport {
  return licenceReport({
    mapping: conns.mapping,
    entra: read.snapshots.entra,
    halo: read.snapshots.halo,
    now: opts.now ?? new Date(read.snapshots.takenAt),
    idleDays: opts.idleDays,
    costPerNamed: opts.costPerNamed,
    agentLinks: readAgentLinks(conns.stateDir),
  });
}

export function orphansOf(conns: Connections, read: ReportRead): OrphanReport {
  return orphanReport(conns.mapping, read.snapshots.entra, read.snapshots.halo);
}
