// The editor's secret store for `${secret:NAME}` references (and as the fallback for
// `${env:NAME}` when the environment lacks it, so one mapping serves CI and the editor).
// Every value read or stored is registered with the log's redactor before it can go anywhere.
import * as vscode from 'vscode';
import type { SecretLookup } from '../engine/connections';
import type { Logger } from './log';

/** User secrets live under this prefix; the extension's own entries (token caches) under another. */
const USER = 'secret:';
const INTERNAL = 'internal:';

export class SecretStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the reference name of a user secret that changed (in this window or another). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(USER)) this.changed.fire(e.key.slice(USER.length));
    });
  }

  async get(name: string): Promise<string | undefined> {
    const value = await this.secrets.get(USER + name);
    this.log.secret(value);
    return value || undefined;
  }

  async store(name: string, value: string): Promise<void> {
    this.log.secret(value);
    await this.secrets.store(USER + name, value);
    this.log.info(`Stored secret ${name} in VS Code's secret storage.`);
  }

  getInternal(key: string): Thenable<string | undefined> {
    return this.secrets.get(INTERNAL + key);
  }

  storeInternal(key: string, value: string): Thenable<void> {
    return this.secrets.store(INTERNAL + key, value);
  }

  deleteInternal(key: string): Thenable<void> {
    return this.secrets.delete(INTERNAL + key);
  }

  /** Resolves references for the engine: environment first for `env:`, then this store. */
  lookup(): SecretLookup {
    return async (kind, name) => {
      if (kind === 'env') {
        const fromEnv = process.env[name];
        if (fromEnv) {
          this.log.secret(fromEnv);
          return fromEnv;
        }
      }
      return this.get(name);
    };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
