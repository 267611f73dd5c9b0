// Halo users carry their Entra link in `azureoid`, but an older Halo leaves it out of its list
// rows (halo-api.md §1a): reading it costs one detail read per user. The engine remembers each
// link it read or wrote, with a fingerprint of the list row it went with, and trusts a remembered
// link only while that user's row is unchanged. A changed or new row is read again; a link is
// never guessed.
import type { HaloUser } from './snapshot';

export interface UserLink {
  azureoid: string | null;
  /** Fingerprint of the list row the link was read with; null when written by an apply (the next row read is taken). */
  row: string | null;
}

export type UserLinks = Record<string, UserLink>;

/** FNV-1a over what a list row says of the user, links aside (empty values aside too: other rows decide whether they are listed). */
export function rowFingerprint(u: HaloUser): string {
  const fields = Object.keys(u.fields).filter((k) => k !== 'azureoid' && u.fields[k] !== null && u.fields[k] !== undefined).sort().map((k) => [k, u.fields[k]]);
  const text = JSON.stringify([u.name, u.clientId, u.siteId, u.inactive, u.roles ?? null, fields]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/** Fills `azureoid` of users whose rows lack it from remembered links that still fit; returns how many. */
export function recallUserLinks(users: HaloUser[], links: UserLinks): number {
  let n = 0;
  for (const u of users) {
    if (u.azureoid !== undefined) continue;
    const l = links[u.id];
    if (!l || (l.row !== null && l.row !== rowFingerprint(u))) continue;
    u.azureoid = l.azureoid;
    n++;
  }
  return n;
}

/** The links to remember after a read: every user whose link is known, with the row it was read with. */
export function nextUserLinks(users: HaloUser[], rows: ReadonlyMap<number, string>): UserLinks {
  const out: UserLinks = {};
  for (const u of users) {
    const row = rows.get(u.id);
    if (u.azureoid !== undefined && row !== undefined) out[u.id] = { azureoid: u.azureoid, row };
  }
  return out;
}

/** After an apply: the links it wrote (the next row read of each user is taken as it stands). */
export function writtenUserLinks(links: UserLinks, written: Array<{ haloId: number; azureoid: string | null }>): UserLinks {
  const out = { ...links };
  for (const w of written) out[w.haloId] = { azureoid: w.azureoid, row: null };
  return out;
}

export function parseUserLinks(data: unknown): UserLinks {
  const out: UserLinks = {};
  if (!data || typeof data !== 'object' || Array.isArray(data)) return out;
  for (const [id, l] of Object.entries(data as Record<string, unknown>)) {
    const v = l as UserLink;
    if (!/^\d+$/.test(id) || !v || typeof v !== 'object') continue;
    if ((typeof v.azureoid === 'string' || v.azureoid === null) && (typeof v.row === 'string' || v.row === null)) out[id] = { azureoid: v.azureoid, row: v.row };
  }
  return out;
}
