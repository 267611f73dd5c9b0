// Delegated Entra sign-in for planning from the editor without the app's secret: MSAL's device
// code flow (src/sources/entra/device-code.ts) or VS Code's own Microsoft account. Such tokens read what
// the signed-in person may read, so they serve plans and diffs only; Apply insists on the app's
// own credentials. The MSAL token cache is kept in SecretStorage; which tenants are signed in, in
// global state.
import * as vscode from 'vscode';
import type { ICachePlugin } from '@azure/msal-node';
import type { DelegatedTokenSource } from '../sources/entra/connection';
import type { DeviceCodeSignIn, DeviceCodeTarget } from '../sources/entra/device-code';
import { delegatedScopes } from '../sources/entra/scopes';
import type { HttpClient } from '../net/http';
import type { SignInProvider } from '../sources';
import { loadEngine } from './lazy';
import type { Logger } from './log';
import { notify } from './prompts';
import type { SecretStore } from './secretStore';

export type DelegatedMethod = 'device-code' | 'vscode';

interface SignInRecord extends DeviceCodeTarget {
  method: DelegatedMethod;
  homeAccountId?: string;
  account: string;
}

export type DelegatedTarget = DeviceCodeTarget;

const STATE_KEY = 'haloIdentity.delegatedSignIns';
const keyOf = (tenantId: string, clientId: string) => `${tenantId.toLowerCase()}|${clientId.toLowerCase()}`;

export class DelegatedSignIns {
  /** One MSAL application per tenant and app, made again when the HTTP client (its trusted CAs) changes. */
  private readonly apps = new Map<string, { http: HttpClient; app: DeviceCodeSignIn }>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {}

  private records(): Record<string, SignInRecord> {
    return this.state.get<Record<string, SignInRecord>>(STATE_KEY, {});
  }

  /** Who is signed in for a tenant and app, if anyone. */
  describe(tenantId: string, clientId: string): string | undefined {
    const r = this.records()[keyOf(tenantId, clientId)];
    return r ? `${r.account} (${r.method === 'device-code' ? 'device code' : 'VS Code account'})` : undefined;
  }

  /** The engine's sign-in hook: tokens for an Entra connection whose own credentials are absent. */
  readonly tokensFor: SignInProvider = (request) => {
    if (request.source !== 'entra') return undefined;
    const { tenantId, clientId } = request.settings;
    return typeof tenantId === 'string' && typeof clientId === 'string' ? this.sourceFor({ name: request.name, tenantId, clientId, http: request.http }) : undefined;
  };

  private sourceFor(conn: { name: string; tenantId: string; clientId: string; http: HttpClient }): DelegatedTokenSource | undefined {
    const key = keyOf(conn.tenantId, conn.clientId);
    const record = this.records()[key];
    if (!record) return undefined;
    this.log.info(`Entra "${conn.name}": no app credentials; reading with the delegated sign-in of ${record.account}.`);
    return async ({ forceRefresh }) => {
      const token =
        record.method === 'vscode'
          ? await this.vscodeToken(record, false)
          : await (await this.app(key, record, conn.http)).token({ homeAccountId: record.homeAccountId ?? '', account: record.account }, forceRefresh);
      this.log.secret(token.accessToken);
      return token;
    };
  }

  async signIn(method: DelegatedMethod, target: DelegatedTarget, http: HttpClient, cancel: vscode.CancellationToken): Promise<string> {
    const key = keyOf(target.tenantId, target.clientId);
    let record: SignInRecord;
    if (method === 'device-code') {
      const app = await this.app(key, target, http);
      const aborted = new AbortController();
      const sub = cancel.onCancellationRequested(() => aborted.abort());
      try {
        const result = await app.signIn((r) => {
          this.log.info(`Device code sign-in: open ${r.verificationUri} and enter the code shown in the notification.`);
          notify('info', `To sign in to Entra, open ${r.verificationUri} and enter the code ${r.userCode}.`, {
            'Copy & Open': async () => {
              await vscode.env.clipboard.writeText(r.userCode);
              await vscode.env.openExternal(vscode.Uri.parse(r.verificationUri));
            },
          });
        }, aborted.signal);
        this.log.secret(result.accessToken);
        record = { ...target, method, homeAccountId: result.homeAccountId, account: result.account };
      } finally {
        sub.dispose();
      }
    } else {
      if (target.custom || !/login\.microsoftonline\.com$/.test(new URL(target.loginUrl).host)) {
        throw new Error("VS Code's Microsoft account signs in to the global cloud only; use the device code for this tenant.");
      }
      record = { ...target, method, account: '' };
      const session = await this.vscodeSession(record, true);
      record.account = session.account.label;
    }
    await this.state.update(STATE_KEY, { ...this.records(), [key]: record });
    this.log.info(`Signed in to Entra tenant ${target.tenantId} as ${record.account} (delegated, for planning only).`);
    return record.account;
  }

  private async app(key: string, target: DelegatedTarget, http: HttpClient): Promise<DeviceCodeSignIn> {
    const known = this.apps.get(key);
    if (known?.http === http) return known.app;
    const { DeviceCodeSignIn: SignIn } = await loadEngine();
    const secrets = this.secrets;
    const cachePlugin: ICachePlugin = {
      async beforeCacheAccess(ctx) {
        const saved = await secrets.getInternal(`msal:${key}`);
        if (saved) ctx.tokenCache.deserialize(saved);
      },
      async afterCacheAccess(ctx) {
        if (ctx.cacheHasChanged) await secrets.storeInternal(`msal:${key}`, ctx.tokenCache.serialize());
      },
    };
    const app = new SignIn(target, http, { cachePlugin, log: (m) => this.log.debug(m) });
    this.apps.set(key, { http, app });
    return app;
  }

  private vscodeScopes(record: SignInRecord): string[] {
    return [`VSCODE_CLIENT_ID:${record.clientId}`, `VSCODE_TENANT:${record.tenantId}`, ...delegatedScopes('https://graph.microsoft.com')];
  }

  private async vscodeSession(record: SignInRecord, interactive: boolean): Promise<vscode.AuthenticationSession> {
    const scopes = this.vscodeScopes(record);
    const session = interactive ? await vscode.authentication.getSession('microsoft', scopes, { createIfNone: true }) : await vscode.authentication.getSession('microsoft', scopes, { silent: true });
    if (!session) throw new Error(`The VS Code Microsoft account sign-in for tenant ${record.tenantId} has ended: run "Halo Identity: Sign in to Entra" again.`);
    return session;
  }

  private async vscodeToken(record: SignInRecord, interactive: boolean): Promise<{ accessToken: string; expiresOn: Date }> {
    const session = await this.vscodeSession(record, interactive);
    return { accessToken: session.accessToken, expiresOn: jwtExpiry(session.accessToken) ?? new Date(Date.now() + 30 * 60_000) };
  }
}

function jwtExpiry(token: string): Date | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
