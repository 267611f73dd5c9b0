// Reading both sides: every Entra tenant and Halo in parallel, then detail reads only for managed
// Halo records whose list rows lacked what the plan needs. Any failed read fails the whole snapshot.
import { detailsNeeded } from '../core/details';
import { entraNeeds, haloNeeds } from '../core/needs';
import type { EntraSnapshot, HaloSnapshot } from '../core/snapshot';
import { readTenant } from '../entra/reader';
import type { Connections, Log } from './connections';

export interface Snapshots {
  entra: EntraSnapshot;
  halo: HaloSnapshot;
  /** When the snapshots were taken (ISO time). */
  takenAt: string;
}

export interface SnapshotOptions {
  signal?: AbortSignal;
  log?: Log;
  onProgress?: (message: string) => void;
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
  const [entra, halo] = await Promise.all([readEntra(conns, options), conns.halo.readSnapshot(needs)]);
  const ids = detailsNeeded(conns.mapping, entra, halo);
  if (ids.users.length || ids.agents.length) {
    options.onProgress?.(`Reading details of ${ids.users.length + ids.agents.length} Halo records`);
    await conns.halo.readDetails(halo, ids, needs);
  }
  return { entra, halo, takenAt: new Date().toISOString() };
}
