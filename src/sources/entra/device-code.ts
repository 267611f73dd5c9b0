// Delegated sign-in with MSAL's device code flow: a PublicClientApplication of the mapping's app
// registration (which must allow public client flows). The person signs in on any device; the
// tokens read what that person may read, so they serve plans, never an apply. MSAL's requests go
// through our HttpClient (its networkClient option), trusting the same extra CAs as every read.
import { ICachePlugin, LogLevel, PublicClientApplication } from '@azure/msal-node';
import type { HttpClient } from '../../net/http';
import type { CloudEndpoints } from './connection';
import { MsalNetwork } from './msal-network';
import { delegatedScopes } from './scopes';

export interface DeviceCodeTarget extends CloudEndpoints {
  tenantId: string;
  clientId: string;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  message: string;
}

export interface SignedIn {
  homeAccountId: string;
  account: string;
}

/** The sign-in has to be made again (the refresh token was refused, or no account is cached). */
export class SignInExpiredError extends Error {
  constructor(account: string) {
    super(`The Entra sign-in of ${account} has expired: run "Halo Identity: Sign in to Entra" again.`);
    this.name = 'SignInExpiredError';
  }
}

export class DeviceCodeSignIn {
  private readonly app: PublicClientApplication;

  constructor(
    private readonly target: DeviceCodeTarget,
    http: HttpClient,
    options: { cachePlugin?: ICachePlugin; log?: (message: string) => void } = {},
  ) {
    this.app = new PublicClientApplication({
      auth: { clientId: target.clientId, authority: `${target.loginUrl}/${target.tenantId}`, knownAuthorities: target.custom ? [target.loginUrl] : [] },
      cache: options.cachePlugin ? { cachePlugin: options.cachePlugin } : undefined,
      system: {
        networkClient: new MsalNetwork(http, 60_000),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) options.log?.(`MSAL: ${message}`);
          },
        },
      },
    });
  }

  /** Shows the code through `onCode`, then waits (MSAL polls) until the person signs in, declines or `signal` aborts. */
  async signIn(onCode: (prompt: DeviceCodePrompt) => void, signal?: AbortSignal): Promise<SignedIn & { accessToken: string }> {
    const request = { scopes: delegatedScopes(this.target.graphUrl), cancel: false, deviceCodeCallback: onCode };
    const cancel = () => (request.cancel = true);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await this.app.acquireTokenByDeviceCode(request);
      if (!result?.account) throw new Error('the sign-in returned no account');
      return { homeAccountId: result.account.homeAccountId, account: result.account.username || result.account.name || 'signed-in user', accessToken: result.accessToken };
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** A token for the signed-in account from MSAL's cache, refreshed when due or when `forceRefresh`. */
  async token(signedIn: SignedIn, forceRefresh: boolean): Promise<{ accessToken: string; expiresOn: Date }> {
    const cache = this.app.getTokenCache();
    const account = (await cache.getAccountByHomeId(signedIn.homeAccountId)) ?? (await cache.getAllAccounts())[0];
    if (!account) throw new SignInExpiredError(signedIn.account);
    try {
      const r = await this.app.acquireTokenSilent({ account, scopes: delegatedScopes(this.target.graphUrl), forceRefresh });
      return { accessToken: r.accessToken, expiresOn: r.expiresOn ?? new Date(Date.now() + 30 * 60_000) };
    } catch (e) {
      if ((e as Error).name === 'InteractionRequiredAuthError') throw new SignInExpiredError(signedIn.account);
      throw e;
    }
  }
}
