// Reading both sides: every directory connection and Halo in parallel, then detail reads only for
// managed Halo records whose list rows lacked what the plan needs. Any failed read fails the whole snapshot.
import { detailsNeeded } from '../core/details';
import { directoryLabel } from '../core/directories';
import { directoryNeeds, haloNeeds } from '../core/needs';
import type { DirectorySnapshot, HaloSnapshot } from '../core/snapshot';
import { nextUserLinks, recallUserLinks, rowFingerprint } from '../core/user-links';
import type { ReadReport } from '../sources';
import type { Connections, Log } from './connections';
import { readUserLinks, writeUserLinks } from './user-links-file';

export interface Snapshots {
  directories: DirectorySnapshot;
  halo: HaloSnapshot;
  /** When the snapshots were taken (ISO time). */
  takenAt: string;
  /** With `incremental`: how each connection was read (brought up to date from its cache, or in full). */
  directoryReads?: ReadReport[];
}

export interface SnapshotOptions {
  signal?: AbortSignal;
  log?: Log;
  onProgress?: (message: string) => void;
  /** Detail reads done of those announced (a progress bar's count). */
  onDetail?: (done: number, total: number) => void;
  /**
   * Bring each connection's cached snapshot (in the state folder) up to date the way its API
   * allows (Graph delta queries…) instead of reading every user and group again; a full read
   * where the source has no such way or the cache cannot be trusted.
   */
  incremental?: boolean;
}

/** Every directory connection of the mapping, read in parallel; `reports` only for incremental reads. */
export async function readDirectories(conns: Connections, options: SnapshotOptions = {}): Promise<{ snapshot: DirectorySnapshot; reports?: ReadReport[] }> {
  const needs = directoryNeeds(conns.mapping);
  const opts = { signal: options.signal, log: options.log };
  const reads = await Promise.all(
    conns.directories.map(async (conn) => {
      const need = needs.find((n) => n.tenant === conn.name)!;
      if (options.incremental && conn.readIncremental) return conn.readIncremental(need, { ...opts, stateDir: conns.stateDir });
      const snapshot = await conn.read(need, opts);
      return { snapshot, report: options.incremental ? { tenant: conn.name, mode: 'full' as const, reason: 'this directory is always read in full', requests: 0, changes: 0 } : undefined };
    }),
  );
  const reports = reads.map((r) => r.report).filter((r): r is ReadReport => r !== undefined);
  return { snapshot: { tenants: reads.map((r) => r.snapshot) }, ...(options.incremental ? { reports } : {}) };
}

export async function takeSnapshots(conns: Connections, options: SnapshotOptions = {}): Promise<Snapshots> {
  const label = directoryLabel(conns.mapping);
  options.onProgress?.(`Reading ${label === 'directory' ? 'the directories' : label} and Halo`);
  const needs = haloNeeds(conns.mapping);
  const [read, halo] = await Promise.all([readDirectories(conns, options), conns.halo.readSnapshot(needs)]);
  const directories = read.snapshot;
  // A Halo whose rows leave the link out: links remembered with unchanged rows stand, the rest are read.
  const unlinked = halo.users.some((u) => u.azureoid === undefined);
  const rows = unlinked ? new Map(halo.users.map((u) => [u.id, rowFingerprint(u)])) : undefined;
  if (unlinked) recallUserLinks(halo.users, readUserLinks(conns.stateDir));
  const ids = detailsNeeded(conns.mapping, directories, halo);
  const reads = ids.users.length + ids.agents.length;
  if (reads) {
    // Announced before it starts: at Halo's documented pace this is the slow part of a first sync.
    const rate = conns.mapping.halo.rateLimit ?? { requests: 300, windowSeconds: 300 };
    const minutes = Math.ceil((reads / rate.requests) * rate.windowSeconds / 60);
    const announce = `Halo's list rows lack what the plan needs for ${reads} records: reading their details one by one (${reads} requests${reads > rate.requests ? `, about ${minutes} min at ${rate.requests} per ${rate.windowSeconds} s` : ''})`;
    options.log?.('warn', announce);
    options.onProgress?.(announce);
    await conns.halo.readDetails(halo, ids, needs, (done) => options.onDetail?.(done, reads));
  }
  if (rows) writeUserLinks(conns.stateDir, nextUserLinks(halo.users, rows));
  return { directories, halo, takenAt: new Date().toISOString(), ...(read.reports ? { directoryReads: read.reports } : {}) };
}
