// The vscode layer: the built extension's in-host suites (test/vscode/suite) in a real VS Code.
// @vscode/test-electron's runTests drives it as usual; its "VS Code executable" is test/vscode/shim.js,
// which runs code-server in headless Chromium (no desktop VS Code can be installed here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { copyFixture, harness, root, shimPath } from './harness';

async function main(): Promise<number> {
  const trusted = await layer('suite', false);
  // The same extension in a folder VS Code itself does not trust: workspace trust on, fresh profile.
  const untrusted = await layer('untrusted', true);
  return trusted || untrusted;
}

async function layer(suiteDir: string, untrusted: boolean): Promise<number> {
  const started = Date.now();
  const name = untrusted ? 'vscode layer (untrusted workspace)' : 'vscode layer';
  if (untrusted) process.env.HALO_VSCODE_UNTRUSTED = '1';
  else delete process.env.HALO_VSCODE_UNTRUSTED;
  harness.checkSetup();
  const bundle = path.join(root, 'dist', 'extension.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  const suite = path.join(root, 'out', 'test', 'vscode', suiteDir, 'index.js');
  if (!fs.existsSync(suite)) throw new Error(`${suite} is missing: run \`npm run compile-tests\` first`);
  // runTests spawns the shim directly; a checkout or an archive may have dropped its executable bit.
  fs.chmodSync(shimPath, 0o755);

  // A fresh profile and a fresh copy of the fixture folder each run: no state from an earlier run
  // decides a result, and the suites' files (simulator folder, plans, journals) stay out of the repo.
  const run = harness.scratch('run');
  const workspace = path.join(run, 'workspace');
  copyFixture(path.join(root, 'test', 'vscode', 'workspace'), workspace);
  const extensionTestsEnv: Record<string, string> = {
    HALO_IDENTITY_TEST_ROOT: root,
    // The extension host runs on code-server's Node; the SCIM bridge (a native SQLite module) on this one.
    HALO_IDENTITY_TEST_NODE: process.execPath,
    ...(process.env.HALO_VSCODE_GREP ? { HALO_VSCODE_GREP: process.env.HALO_VSCODE_GREP } : {}),
  };
  try {
    await runTests({
      vscodeExecutablePath: shimPath,
      extensionDevelopmentPath: root,
      extensionTestsPath: suite,
      extensionTestsEnv: { ...extensionTestsEnv, HALO_VSCODE_ENV_KEYS: Object.keys(extensionTestsEnv).join(',') },
      launchArgs: [
        workspace,
        `--user-data-dir=${path.join(run, 'user-data')}`,
        `--extensions-dir=${path.join(run, 'extensions')}`,
      ],
    });
    console.log(`${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    console.error(`${name}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${(e as Error).message}`);
    return 1;
  } finally {
    if (process.env.HALO_VSCODE_KEEP) console.log(`${name}: kept ${run}`);
    else fs.rmSync(run, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().then(code => { process.exitCode = code; }, e => {
  console.error(`vscode layer: ${(e as Error).message}`);
  process.exitCode = 1;
});
