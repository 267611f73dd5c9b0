// A token endpoint's POST, for the sources that sign their own assertions (Okta's private_key_jwt,
// Google's JWT bearer grant): transient failures (429, 5xx, a dropped connection) are tried again,
// each time with a fresh body, since an assertion's jti or iat must not be replayed.
import { HttpClient, HttpResponse, NetworkError, sleep } from '../net/http';
import type { DirectoryReadError } from './errors';
import { backoffMs, isTransientStatus } from './retry';
import type { RetryOptions } from './source';

export interface TokenAnswer {
  res: HttpResponse;
  /** The answer as JSON ({} when it is not). */
  body: Record<string, unknown>;
  /** Tries made, the last included. */
  attempts: number;
}

export async function postTokenRequest(http: HttpClient, url: string, form: () => URLSearchParams, retry: RetryOptions, signal: AbortSignal | undefined, fail: (why: string) => DirectoryReadError): Promise<TokenAnswer> {
  const attempts = Math.max(1, retry.maxAttempts ?? 6);
  for (let attempt = 1; ; attempt++) {
    let res: HttpResponse | undefined;
    try {
      res = await http.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form().toString(), timeoutMs: retry.timeoutMs ?? 60_000, signal });
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      if (attempt >= attempts) throw fail(`${e.message} (${attempt} attempts).`);
    }
    if (res && (!isTransientStatus(res.status) || attempt >= attempts)) {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(res.text) as Record<string, unknown>;
      } catch {
        // not JSON: the caller says what is missing
      }
      return { res, body: body && typeof body === 'object' ? body : {}, attempts: attempt };
    }
    await sleep(backoffMs(attempt, retry.baseDelayMs ?? 1000), signal);
  }
}

/** "code: description" of an OAuth error answer (RFC 6749 §5.2). */
export function oauthSays(body: Record<string, unknown>): { code: string | undefined; said: string } {
  const code = typeof body.error === 'string' ? body.error : undefined;
  return { code, said: [code, typeof body.error_description === 'string' ? body.error_description : undefined].filter(Boolean).join(': ') };
}
