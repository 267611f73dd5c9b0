// extensionTestsPath of the untrusted run: code-server started with workspace trust on and a fresh
// profile, so the folder really is untrusted (no test hook decides it).
import * as path from 'node:path';
import { runSuites } from '../suite/index';

export function run(): Promise<void> {
  return runSuites(path.join(__dirname));
}
