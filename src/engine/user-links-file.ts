// The user links (src/core/user-links.ts) kept in the state folder: Halo user ids, Entra object
// ids and row fingerprints, no names or emails. Only a Halo whose rows lack azureoid needs them.
import { UserLinks, parseUserLinks } from '../core/user-links';
import { readStateJson, writeStateJson } from './state-file';

const FILE = 'user-links.json';

export function readUserLinks(stateDir: string): UserLinks {
  return parseUserLinks(readStateJson(stateDir, FILE));
}

export function writeUserLinks(stateDir: string, links: UserLinks): void {
  writeStateJson(stateDir, FILE, links);
}
