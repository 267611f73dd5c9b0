// Halo's authorisation server: where it is (configured, discovered from /api/authinfo, or the
// self-hosted default {url}/auth) and a cached client-credentials token (halo-api.md §1).
import { AbortedError, assertSecureUrl } from '../net/http';
import { HaloAuthError, HaloGaveUpError, haloErrorMessage } from './errors';
import type { Log, TokenSource, Transport } from './transport';

export interface AuthOptions {
  url: string;
  authUrl?: string;
  tenant?: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  log?: Log;
}

interface Cached {
  token: string;
  /** When to stop using it: shortly before Halo's expiry. */
  renewAt: number;
  scope: string;
}

export class HaloAuth implements TokenSource {
  private endpoint?: Promise<string>;
  private cached?: Cached;
  private pending?: Promise<Cached>;

  constructor(
    private readonly transport: Transport,
    private readonly opts: AuthOptions,
  ) {}

  async token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.token;
    // One token request at a time, however many reads run in parallel.
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    this.cached = await this.pending;
    return this.cached.token;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  /** The scope Halo granted with the current token ('' before the first token). */
  get grantedScope(): string {
    return this.cached?.scope ?? '';
  }

  /** The token endpoint, with ?tenant= when there is a tenant. */
  tokenUrl(): Promise<string> {
    this.endpoint ??= this.discover();
    return this.endpoint;
  }

  private async discover(): Promise<string> {
    let authUrl = this.opts.authUrl;
    let tenant = this.opts.tenant;
    if (!authUrl) {
      const found = await this.authInfo();
      authUrl = found?.authUrl ?? `${this.opts.url}/auth`;
      tenant ??= found?.tenant;
    }
    assertSecureUrl(authUrl, 'Halo auth URL');
    const base = authUrl.replace(/\/+$/, '');
    return `${base}/token${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`;
  }

  /** GET {url}/api/authinfo (no token) → auth_url and tenant_id; undefined when unavailable. */
  private async authInfo(): Promise<{ authUrl: string; tenant?: string } | undefined> {
    const what = 'GET /api/authinfo';
    try {
      const res = await this.transport.send({ method: 'GET', url: `${this.opts.url}/api/authinfo`, what, idempotent: true });
      const body = res.json as { auth_url?: unknown; tenant_id?: unknown } | undefined;
      if (res.status === 200 && typeof body?.auth_url === 'string' && body.auth_url) {
        const tenant = typeof body.tenant_id === 'string' && body.tenant_id ? body.tenant_id : undefined;
        this.opts.log?.('debug', `Halo auth server discovered: ${body.auth_url}`);
        return { authUrl: body.auth_url, tenant };
      }
      this.opts.log?.('info', `${what} answered ${res.status}; using ${this.opts.url}/auth`);
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      if (!(e instanceof HaloGaveUpError)) throw e;
      this.opts.log?.('info', `${what} failed (${e.problem}); using ${this.opts.url}/auth`);
    }
    return undefined;
  }

  private async fetchToken(): Promise<Cached> {
    const url = await this.tokenUrl();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
      scope: this.opts.scope,
    });
    const where = url.replace(/\?.*$/, '');
    const res = await this.transport.send({
      method: 'POST',
      url,
      what: `POST ${where}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      idempotent: true, // asking for a token twice does no harm
    });
    const body = res.json as { access_token?: unknown; expires_in?: unknown; scope?: unknown } | undefined;
    if (res.status !== 200 || typeof body?.access_token !== 'string' || !body.access_token) {
      const said = haloErrorMessage(res.text) || `status ${res.status}`;
      throw new HaloAuthError(`Halo refused a token for client id ${this.opts.clientId} at ${where}: ${said}`);
    }
    this.transport.counters.tokens++;
    // [U] Lifetime is whatever expires_in says; clients assume 3600 s when it is missing.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const margin = Math.min(60, lifetime * 0.1);
    return { token: body.access_token, renewAt: Date.now() + (lifetime - margin) * 1000, scope: typeof body.scope === 'string' ? body.scope : this.opts.scope };
  }
}
