// Reading both sides: every Entra tenant and Halo in parallel, then detail reads only for managed
// Halo records whose list rows lacked what the plan needs. Any failed read fails the whole snapshot.
import { detailsNeeded } from '../core/details';
import { entraNeeds, haloNeeds } from '../core/needs';
import type { EntraSnapshot, HaloSnapshot } from '../core/snapshot';
import { readTenant } from '../entra/reader';
import type { Connections, Log } from './connections';
import { EntraReadReport, readEntraIncremental } from './entra-cache';

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
  const ids = detailsNeeded(conns.mapping, entra, halo);
  if (ids.users.length || ids.agents.length) {
    options.onProgress?.(`Reading details of ${ids.users.length + ids.agents.length} Halo records`);
    await conns.halo.readDetails(halo, ids, needs);
  }
  return { entra, halo, takenAt: new Date().toISOString(), ...(entraReads ? { entraReads } : {}) };
}
