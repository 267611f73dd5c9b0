// `validate --live`: the names the mapping refers to, read from each directory (every group) and Halo (roles,
// teams, clients, sites, CABs), or from a file an earlier read saved. Names only: no person's data.
import * as fs from 'node:fs';
import { liveNamesOf } from '../core/live-names';
import { directoryNeeds, haloNeeds } from '../core/needs';
import type { LiveNames } from '../core/semantic';
import type { Connections } from './connections';

export async function readLiveNames(conns: Connections, signal?: AbortSignal): Promise<LiveNames> {
  const needs = haloNeeds(conns.mapping);
  // Records are not needed, only the lists of names: the users and agents lists are left unread.
  const halo = await conns.halo.readNames(needs);
  const groups: Record<string, string[]> = {};
  const permissions: Record<string, string[]> = {};
  const wanted = directoryNeeds(conns.mapping);
  for (const conn of conns.directories) {
    const all = await conn.groupNames({ signal });
    if (all) groups[conn.name] = [...new Set(all.flatMap((g) => [g.displayName, g.id]))].sort();
    const access = await conn.checkAccess(wanted.find((n) => n.tenant === conn.name)!, { signal });
    if (access.granted.length) permissions[conn.name] = access.granted;
  }
  const directories = { tenants: conns.directories.map((c) => ({ tenant: c.name, users: [], groups: [] })) };
  return { ...liveNamesOf({ directories, halo }, needs, groups, conns.mapping), permissions };
}

export function saveLiveNames(file: string, live: LiveNames): void {
  fs.writeFileSync(file, JSON.stringify({ halo_identity_live_names: 1, ...live }, null, 2) + '\n');
}

export function loadLiveNames(file: string): LiveNames {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as LiveNames & { halo_identity_live_names?: number };
  if (data.halo_identity_live_names !== 1) throw new Error(`${file} is not a names file written by "halo-identity validate --live --save-names"`);
  delete data.halo_identity_live_names;
  return data;
}
