// App-only sign-in with MSAL's ConfidentialClientApplication (client credentials with a secret or a
// certificate). One application object per connection, so MSAL's token cache is reused.
import { AuthenticationResult, ConfidentialClientApplication, Configuration, LogLevel } from '@azure/msal-node';
import { AbortedError, HttpClient } from '../../net/http';
import { cloudEndpoints, CloudEndpoints, ResolvedEntraConnection } from './connection';
import { EntraReadError, Redactor } from './errors';
import { MsalNetwork } from './msal-network';
import type { EntraLog } from './options';

export interface AccessToken {
  accessToken: string;
  expiresOn: Date;
}

export class EntraAuth {
  readonly endpoints: CloudEndpoints;
  readonly redactor = new Redactor();
  private readonly cca: ConfidentialClientApplication | undefined;
  private readonly network: MsalNetwork;
  private inflight: Promise<AccessToken> | undefined;
  private current: AccessToken | undefined;

  constructor(
    private readonly conn: ResolvedEntraConnection,
    readonly http: HttpClient,
    log: EntraLog | undefined,
    timeoutMs = 60_000,
  ) {
    try {
      this.endpoints = cloudEndpoints(conn.cloud);
    } catch (e) {
      throw new EntraReadError(`Entra connection "${conn.name}": ${(e as Error).message}`, { tenant: conn.name, endpoint: 'sign-in' });
    }
    this.network = new MsalNetwork(http, timeoutMs);
    this.redactor.add(conn.clientSecret);
    this.redactor.add(conn.certificate?.privateKey);
    this.cca = conn.delegated ? undefined : new ConfidentialClientApplication(this.configuration(log));
  }

  get scope(): string {
    return `${this.endpoints.graphUrl}/.default`;
  }

  /**
   * A valid access token for Graph. `rejected`: a token Graph refused (401); a different one is
   * fetched, bypassing MSAL's cache. Concurrent callers share one request to the login service.
   */
  async token(signal?: AbortSignal, rejected?: string): Promise<AccessToken> {
    if (!this.inflight) {
      const forceRefresh = rejected !== undefined && this.current?.accessToken === rejected;
      if (!forceRefresh && this.current && this.current.expiresOn.getTime() - Date.now() > 120_000) return this.current;
      this.inflight = this.acquire(forceRefresh).finally(() => (this.inflight = undefined));
    }
    return abortable(this.inflight, signal);
  }

  private async acquire(skipCache: boolean): Promise<AccessToken> {
    this.network.lastFailure = undefined;
    let result: Pick<AuthenticationResult, 'accessToken' | 'expiresOn'> | null;
    try {
      result = this.cca ? await this.cca.acquireTokenByClientCredential({ scopes: [this.scope], skipCache }) : await this.conn.delegated!({ forceRefresh: skipCache });
    } catch (e) {
      throw this.signInError(e);
    }
    if (!result?.accessToken || !result.expiresOn) throw this.signInError(new Error('the login service returned no access token'));
    this.redactor.add(result.accessToken);
    this.current = { accessToken: result.accessToken, expiresOn: result.expiresOn };
    return this.current;
  }

  private configuration(log: EntraLog | undefined): Configuration {
    const { conn, endpoints } = this;
    const cert = conn.certificate;
    if (!conn.clientSecret && !cert) {
      throw new EntraReadError(`Entra connection "${conn.name}" has neither a clientSecret nor a certificate.`, { tenant: conn.name, endpoint: 'sign-in' });
    }
    return {
      auth: {
        clientId: conn.clientId,
        authority: `${endpoints.loginUrl}/${conn.tenantId}`,
        // A custom cloud is not in MSAL's list of Microsoft hosts: name it, or MSAL asks
        // login.microsoftonline.com to validate it (instance discovery) and refuses it.
        knownAuthorities: endpoints.custom ? [endpoints.loginUrl] : [],
        ...(cert
          ? { clientCertificate: { thumbprintSha256: cert.thumbprintSha256.replace(/[^0-9a-fA-F]/g, ''), privateKey: cert.privateKey, ...(cert.x5c ? { x5c: cert.x5c } : {}) } }
          : { clientSecret: conn.clientSecret }),
      },
      system: {
        networkClient: this.network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            if (!containsPii && log) log(level === LogLevel.Error ? 'warn' : 'debug', this.redactor.apply(`MSAL: ${message}`));
          },
        },
      },
    };
  }

  /** What went wrong signing in, in the login service's words plus a hint, never a secret. */
  private signInError(e: unknown): Error {
    if (e instanceof AbortedError || e instanceof EntraReadError) return e;
    const err = e as { errorCode?: string; errorMessage?: string; message?: string };
    const text = String(err.errorMessage || err.message || e);
    const aadsts = /AADSTS(\d+):[^\r\n]*/.exec(text);
    let detail = aadsts ? aadsts[0].trim() : `${err.errorCode ? `${err.errorCode}: ` : ''}${text.split(/\r?\n/)[0]}`;
    if (this.network.lastFailure && !detail.includes(this.network.lastFailure)) detail += ` (${this.network.lastFailure})`;
    const hint = aadsts ? HINTS[aadsts[1]] : undefined;
    const message = `Sign-in to Entra tenant "${this.conn.name}" (${this.conn.tenantId}) at ${this.endpoints.loginUrl} failed: ${detail}${hint ? ` ${hint}` : ''}`;
    return new EntraReadError(this.redactor.apply(message), { tenant: this.conn.name, endpoint: 'sign-in', code: err.errorCode });
  }
}

const HINTS: Record<string, string> = {
  '7000215': 'Check the client secret: use the secret\'s Value (not its ID) and make sure it has not expired.',
  '7000222': 'The client secret has expired: create a new one in the app registration.',
  '700016': 'Check clientId and tenantId: the app is not registered (or not consented) in this tenant.',
  '90002': 'Check tenantId and cloud.',
  '700027': 'Check the certificate: its SHA-256 thumbprint must match a certificate uploaded to the app registration.',
  '500011': 'Check cloud: the Graph endpoint does not match this tenant\'s cloud.',
};

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const byConnection = new WeakMap<ResolvedEntraConnection, EntraAuth>();

/** The EntraAuth for `conn`, made once and reused (same HttpClient). */
export function authFor(conn: ResolvedEntraConnection, http: HttpClient, log?: EntraLog, timeoutMs?: number): EntraAuth {
  const known = byConnection.get(conn);
  if (known && known.http === http) return known;
  const auth = new EntraAuth(conn, http, log, timeoutMs);
  byConnection.set(conn, auth);
  return auth;
}
