// JSON files in the state folder beside the mapping (.halo-identity/, git-ignored): read leniently
// (a missing or broken file is "nothing remembered"), written whole through a rename.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function readStateJson(stateDir: string, name: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, name), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function writeStateJson(stateDir: string, name: string, data: unknown): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, name);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
