// How many users each Entra tenant returned last time, beside the mapping, for the partial-read
// guard (src/core/partial-read.ts). Counts only: no identity data.
import type { ReadHistory } from '../core/partial-read';
import { readStateJson, writeStateJson } from './state-file';

const FILE = 'entra-reads.json';

export function readHistory(stateDir: string): ReadHistory {
  const data = readStateJson(stateDir, FILE);
  return data && typeof data === 'object' ? (data as ReadHistory) : {};
}

export function writeHistory(stateDir: string, history: ReadHistory): void {
  writeStateJson(stateDir, FILE, history);
}
