// The diff panel shows what the SCIM bridge would apply: a bridge runs beside the editor (the CLI,
// on the Node it was built for), a simulated Entra pushes to it, and the editor reads what was
// pushed through the bridge's own SCIM API (scim[].url), as an admin's editor reads a deployed one.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import type { TestApi } from '../../../src/extension/extension';
import { startSimulators, writeSimulatorFiles, type Simulators } from '../../../src/sim';
import { SCIM_ENV, SCIM_GROUPS, scimMapping } from '../../../src/sim/example-scim';
import { EntraProvisioning, people, ScimClient } from '../../../src/sim/scim-idp';
import { activate, waitFor, workspaceFolder } from './helpers';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

suite('the SCIM bridge in the editor', () => {
  let api: TestApi;
  let sims: Simulators;
  let bridge: ChildProcess | undefined;
  let mapping: vscode.Uri;
  let stderr = '';
  const pushed = people(4, 'editor');

  suiteSetup(async () => {
    api = await activate();
    sims = await startSimulators({ worldOptions: { users: 40, seed: 5 } });
    const dir = path.join(workspaceFolder().fsPath, 'scim-bridge');
    fs.mkdirSync(dir, { recursive: true });
    const file = writeSimulatorFiles(sims, dir, scimMapping());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    for (const i of [0, 1]) doc.setIn(['scim', i, 'url'], url);
    fs.writeFileSync(file, doc.toString());
    mapping = vscode.Uri.file(file);
    // The editor resolves ${env:…} from its environment when no secret of that name is stored.
    Object.assign(process.env, sims.env, SCIM_ENV);
    const root = process.env.HALO_IDENTITY_TEST_ROOT as string;
    bridge = spawn(process.env.HALO_IDENTITY_TEST_NODE || 'node', [path.join(root, 'dist', 'cli.js'), 'scim', 'serve', file, '--listen', `127.0.0.1:${port}`, '--no-sync'], { env: { ...process.env, ...SCIM_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    bridge.stderr?.on('data', (d) => (stderr += d));
    await waitFor(`the bridge at ${url}`, async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${stderr}`);
    });
    const entra = new EntraProvisioning(new ScimClient(`${url}/scim/v2`, () => `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`));
    for (const u of pushed) await entra.provision(u);
    await entra.group('staff', SCIM_GROUPS.staff);
    await entra.addMembers('staff', pushed);
  });

  suiteTeardown(async () => {
    bridge?.kill('SIGTERM');
    await sims?.stop();
  });

  test('Show Diff plans what the IdP pushed, read through the bridge', async () => {
    await vscode.commands.executeCommand('haloIdentity.showDiff', mapping);
    const plan = await waitFor('a plan of the SCIM mapping', () => api.lastPlan(mapping));
    const text = JSON.stringify(plan);
    for (const u of pushed) assert.ok(text.includes(u.mail), `the plan creates ${u.mail}: ${api.planInfo(mapping)?.problem ?? ''}`);
    const creates = plan.changes.filter((c) => c.action === 'create' && JSON.stringify(c).includes('@fabrikam.example'));
    assert.equal(creates.length, pushed.length, 'one create per person pushed');
  });
});
