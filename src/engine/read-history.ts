// How many users each Entra tenant returned last time, beside the mapping, for the partial-read
// guard (src/core/partial-read.ts). Counts only: no identity data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReadHistory } from '../core/partial-read';

const FILE = 'entra-reads.json';

export function readHistory(stateDir: string): ReadHistory {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(stateDir, FILE), 'utf8')) as unknown;
    return data && typeof data === 'object' ? (data as ReadHistory) : {};
  } catch {
    return {};
  }
}

export function writeHistory(stateDir: string, history: ReadHistory): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(history, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
