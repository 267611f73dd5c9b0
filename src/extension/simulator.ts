// The built-in simulators of Entra and Halo, run inside the extension host for a demo without
// credentials. Their mapping and certificate go into the workspace (halo-identity-sim/), and the
// session for that mapping resolves its references from the simulators' own made-up credentials.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SecretLookup } from '../engine/connections';
import type { Simulators } from '../sim';
import { ContextKey, SIMULATOR_FOLDER } from './constants';
import { loadSimulator } from './lazy';
import type { Logger } from './log';

interface Running {
  sims: Simulators;
  mapping: vscode.Uri;
  dir: string;
  temporary: boolean;
}

export class SimulatorHost implements vscode.Disposable {
  private running: Running | undefined;
  private starting: Promise<vscode.Uri> | undefined;
  private readonly changed = new vscode.EventEmitter<{ running: boolean; mapping: vscode.Uri }>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Logger) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  get mappingUri(): vscode.Uri | undefined {
    return this.running?.mapping;
  }

  isSimulatorMapping(uri: vscode.Uri): boolean {
    return this.running !== undefined && samePath(this.running.mapping, uri);
  }

  /** The simulators' credentials, for their own mapping only. */
  lookupFor(uri: vscode.Uri): SecretLookup | undefined {
    const r = this.running;
    if (!r || !samePath(r.mapping, uri)) return undefined;
    return (kind, name) => {
      const value = kind === 'env' ? r.sims.env[name] : undefined;
      this.log.secret(value);
      return value;
    };
  }

  /** Starts the simulators (or returns the running ones' mapping). */
  start(users: number): Promise<vscode.Uri> {
    if (this.running) return Promise.resolve(this.running.mapping);
    this.starting ??= this.doStart(users).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(users: number): Promise<vscode.Uri> {
    const { startSimulators, writeSimulatorFiles } = await loadSimulator();
    const sims = await startSimulators({ worldOptions: { users, seed: 1 } });
    const folder = vscode.workspace.workspaceFolders?.[0];
    const temporary = !folder || folder.uri.scheme !== 'file';
    const dir = temporary ? fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-sim-')) : path.join(folder.uri.fsPath, SIMULATOR_FOLDER);
    try {
      const file = writeSimulatorFiles(sims, dir);
      // The folder holds throwaway files (a certificate, URLs with random ports): keep it out of git.
      fs.writeFileSync(path.join(dir, '.gitignore'), '*\n');
      this.running = { sims, mapping: vscode.Uri.file(file), dir, temporary };
    } catch (e) {
      await sims.stop();
      throw e;
    }
    this.log.info(`Simulators started with ${users} Entra users: Halo ${sims.haloUrl}, Graph ${sims.graphUrl}; mapping ${this.running.mapping.fsPath}`);
    await vscode.commands.executeCommand('setContext', ContextKey.simulatorRunning, true);
    this.changed.fire({ running: true, mapping: this.running.mapping });
    return this.running.mapping;
  }

  async stop(): Promise<boolean> {
    const r = this.running;
    if (!r) return false;
    this.running = undefined;
    await r.sims.stop();
    if (r.temporary) fs.rmSync(r.dir, { recursive: true, force: true });
    this.log.info('Simulators stopped.');
    // Not awaited: during shutdown the command service may already be gone.
    void Promise.resolve(vscode.commands.executeCommand('setContext', ContextKey.simulatorRunning, false)).catch(() => undefined);
    this.changed.fire({ running: false, mapping: r.mapping });
    return true;
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}

export function samePath(a: vscode.Uri, b: vscode.Uri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.scheme !== 'file') return a.toString() === b.toString();
  const norm = (p: string) => (process.platform === 'win32' ? path.normalize(p).toLowerCase() : path.normalize(p));
  return norm(a.fsPath) === norm(b.fsPath);
}
