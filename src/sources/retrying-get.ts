// One GET as every HTTP directory reads: a bearer of the source's sign-in, tried again on what is
// transient (as the source judges it), one fresh sign-in on a 401, and a clear error otherwise.
// A source supplies how it signs in, how it reads an answer, and its words for a failure.
import { HttpClient, HttpResponse, NetworkError, sleep } from '../net/http';
import type { DirectoryReadError } from './errors';
import { backoffMs } from './retry';
import type { RetryOptions, SourceLog } from './source';

/** What a source makes of an answer: the value, a retry (with its wait, if the answer names one), or a failure. */
export type Verdict<T> = { value: T } | { retry: string; waitMs?: number } | { fail: DirectoryReadError };

export interface RetryingGet<T> {
  url: string;
  /** `GET /api/v1/users`, for messages. */
  endpoint: string;
  http: HttpClient;
  retry?: RetryOptions;
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: SourceLog;
  /** Who is reading, for the log: `Okta "customers"`. */
  who: string;
  /** The Authorization header; `rejected` is one the server refused with a 401. */
  authorization(rejected?: string): Promise<string>;
  /** Whether a 401 may be met with a fresh sign-in (once). */
  refreshable: boolean;
  /** Before each attempt (a rate-limit wait), and after each answer (what it said of the limits). */
  before?(): Promise<void>;
  after?(res: HttpResponse): void;
  judge(res: HttpResponse): Verdict<T>;
  /** The error when every attempt failed; `res` is the last answer, if there was one. */
  exhausted(attempts: number, failure: string, res: HttpResponse | undefined): DirectoryReadError;
  /** Counts each request sent. */
  onRequest?(): void;
}

export async function retryingGet<T>(g: RetryingGet<T>): Promise<T> {
  const maxAttempts = Math.max(1, g.retry?.maxAttempts ?? 6);
  const baseDelayMs = g.retry?.baseDelayMs ?? 1000;
  let rejected: string | undefined;
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    await g.before?.();
    const authorization = await g.authorization(rejected);
    let res: HttpResponse | undefined;
    let failure = '';
    let waitMs: number | undefined;
    try {
      g.onRequest?.();
      res = await g.http.request({ method: 'GET', url: g.url, headers: { authorization, accept: 'application/json' }, timeoutMs: g.timeoutMs ?? g.retry?.timeoutMs, signal: g.signal });
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      failure = e.message;
    }
    if (res) {
      g.after?.(res);
      if (res.status === 401 && !refreshed && g.refreshable) {
        // The token may have lapsed early: one new one, and this attempt does not count.
        refreshed = true;
        rejected = authorization;
        attempt--;
        continue;
      }
      const verdict = g.judge(res);
      if ('value' in verdict) return verdict.value;
      if ('fail' in verdict) throw verdict.fail;
      failure = verdict.retry;
      waitMs = verdict.waitMs;
    }
    if (attempt >= maxAttempts) throw g.exhausted(attempt, failure, res);
    const delay = waitMs ?? backoffMs(attempt, baseDelayMs);
    g.log?.('warn', `${g.who}: ${g.endpoint}: ${failure}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${maxAttempts}).`);
    await sleep(delay, g.signal);
  }
}

/** A 200's body as JSON, or the retry a cut-off body calls for. */
export function jsonOf(res: HttpResponse): { json: unknown } | { retry: string } {
  try {
    return { json: JSON.parse(res.text) as unknown };
  } catch {
    // Cut short: as transient as a dropped connection.
    return { retry: 'the answer was not complete JSON' };
  }
}
