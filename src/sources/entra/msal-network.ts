// MSAL's network module (its documented `system.networkClient` option) over our HttpClient, so
// that MSAL's requests trust the same extra CAs as ours. msal-node 7 uses global fetch and has no
// agent option; this keeps TLS verification on without touching process-wide settings.
import { AuthError, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { AbortedError, HttpClient } from '../../net/http';

export class MsalNetwork implements INetworkModule {
  /** What went wrong on the last failed call (MSAL swallows some failures, e.g. discovery's). */
  lastFailure: string | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly timeoutMs: number,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const where = `${method} ${describeUrl(url)}`;
    let res;
    try {
      res = await this.http.request({
        method,
        url,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        timeoutMs: timeout ?? this.timeoutMs,
      });
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      this.lastFailure = `${where}: ${(e as Error).message}`;
      throw new AuthError('network_error', this.lastFailure);
    }
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T };
    } catch {
      this.lastFailure = `${where} answered HTTP ${res.status} with a body that is not JSON`;
      throw new AuthError('network_error', this.lastFailure);
    }
  }
}

/** Scheme, host and path only: query strings are left out of messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
