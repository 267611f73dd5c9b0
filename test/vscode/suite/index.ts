// extensionTestsPath module: runs inside VS Code's extension host (code-server's, on Node 24) and
// runs every compiled suite/*.test.js with mocha's TDD interface.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  return runSuites(__dirname);
}

/** Every compiled *.test.js in `dir`, in one mocha run; throws when one fails or none ran. */
export async function runSuites(dir: string): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: 'spec',
    color: false,
    // A real workbench on a 2-core CI machine: opening editors and webviews takes seconds, not ms.
    timeout: Number(process.env.HALO_VSCODE_TEST_TIMEOUT_MS || 60_000),
    slow: 5_000,
  });
  if (process.env.HALO_VSCODE_GREP) mocha.grep(process.env.HALO_VSCODE_GREP);

  const files = fs.readdirSync(dir).filter(f => f.endsWith('.test.js')).sort();
  // The smoke suite first: when activation itself is broken, its failure is the one to read.
  files.sort((a, b) => Number(b === 'smoke.test.js') - Number(a === 'smoke.test.js'));
  for (const f of files) mocha.addFile(path.join(dir, f));

  const { passed, failed } = await new Promise<{ passed: number; failed: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 }));
    } catch (e) {
      reject(e);
    }
  });
  // The line CI's log reader counts.
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} test(s) failed in the VS Code extension host`);
  if (passed === 0) throw new Error(`no tests ran (files: ${files.join(', ') || 'none'})`);
}
