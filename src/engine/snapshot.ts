// Reading both sides: every Entra tenant and Halo in parallel, then detail reads only for managed
// Halo records whose list rows lacked what the plan needs. Any failed read fails the whole snapshot.
import { detailsNeeded } from '../core/details';
import { entraNeeds, haloNeeds } from '../core/needs';
import type { EntraSnapshot, HaloSnapshot } from '../core/snapshot';
import { nextUserLinks, recallUserLinks, rowFingerprint } from '../core/user-links';
import { readTenant } from '../entra/reader';
import type { Connections, Log } from './connections';
import { EntraReadReport, readEntraIncremental } from './entra-cache';
import { readUserLinks, writeUserLinks } from './user-links-file';

export interface Snapshots {
  entra: EntraSnapshot;
  halo: HaloSnapshot;
  /** When the snapshots were taken (ISO time). */
  takenAt: string;
  /** With `incremental`: how each Entra tenant was read (from its cache with delta queries, or in full). */
  entraReads?: EntraReadReport[];
}

export interface SnapshotOptions {
  signal?: AbortSignal;
  log?: Log;
  onProgress?: (message: string) => void;
  /** Detail reads done of those announced (a progress bar's count). */
  onDetail?: (done: number, total: number) => void;
  /**
   * Bring a cached Entra snapshot (in the state folder) up to date with Graph delta queries
   * instead of reading every user and group again; a full read when that cannot be trusted.
   */
  incremental?: boolean;
}

export async function readEntra(conns: Connections, options: SnapshotOptions = {}): Promise<EntraSnapshot> {
  const needs = entraNeeds(conns.mapping);
  const tenants = await Promise.all(
    conns.entra.map((conn) => {
      const need = needs.find((n) => n.tenant === conn.name)!;
      return readTenant(conn, need, { http: conns.http, signal: options.signal, log: options.log, retry: conns.entraRetry });
    }),
  );
  return { tenants };
}

export async function takeSnapshots(conns: Connections, options: SnapshotOptions = {}): Promise<Snapshots> {
  options.onProgress?.('Reading Entra and Halo');
  const needs = haloNeeds(conns.mapping);
  let entraReads: EntraReadReport[] | undefined;
  const readEntraSide = options.incremental
    ? readEntraIncremental(conns, options).then((r) => {
        entraReads = r.reports;
        return r.entra;
      })
    : readEntra(conns, options);
  const [entra, halo] = await Promise.all([readEntraSide, conns.halo.readSnapshot(needs)]);
  // A Halo whose rows leave the link out: links remembered with unchanged rows stand, the rest are read.
  const unlinked = halo.users.some((u) => u.azureoid === undefined);
  const rows = unlinked ? new Map(halo.users.map((u) => [u.id, rowFingerprint(u)])) : undefined;
  if (unlinked) recallUserLinks(halo.users, readUserLinks(conns.stateDir));
  const ids = detailsNeeded(conns.mapping, entra, halo);
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
  return { entra, halo, takenAt: new Date().toISOString(), ...(entraReads ? { entraReads } : {}) };
}
