// GET requests to Graph with the app's token: retries for throttling and transient failures,
// one token refresh on 401, paging through @odata.nextLink. Anything else is an EntraReadError.
import { HttpResponse, NetworkError, sleep } from '../../net/http';
import type { EntraAuth } from './auth';
import { EntraReadError } from './errors';
import { describeUrl } from './msal-network';
import type { EntraLog, RetryOptions } from './options';
import { backoffMs, isTransientStatus, retryAfterMs } from '../retry';

export interface GraphClientOptions {
  /** Connection name, for messages. */
  tenant: string;
  auth: EntraAuth;
  signal?: AbortSignal;
  log?: EntraLog;
  retry?: RetryOptions;
  timeoutMs?: number;
}

export type GraphObject = Record<string, unknown>;

export interface GraphPage {
  value: GraphObject[];
  nextLink?: string;
  deltaLink?: string;
}

export class GraphClient {
  /** Requests sent, retries included. */
  requests = 0;
  private readonly origin: string;

  constructor(private readonly opts: GraphClientOptions) {
    this.origin = new URL(opts.auth.endpoints.graphUrl).origin;
  }

  /** `https://graph…/v1.0` + `path`. */
  url(path: string): string {
    return `${this.opts.auth.endpoints.graphUrl}/v1.0${path}`;
  }

  /** GET one JSON object. `signal`, when given, replaces the client's own (it must include it). */
  async get(url: string, signal?: AbortSignal): Promise<GraphObject> {
    const { auth, log } = this.opts;
    const endpoint = `GET ${new URL(url).pathname}`;
    const maxAttempts = Math.max(1, this.opts.retry?.maxAttempts ?? 6);
    const baseDelayMs = this.opts.retry?.baseDelayMs ?? 1000;
    const sig = signal ?? this.opts.signal;
    let rejected: string | undefined;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const { accessToken } = await auth.token(sig, rejected);
      let res: HttpResponse | undefined;
      let failure = '';
      let waitMs: number | undefined;
      try {
        this.requests++;
        res = await auth.http.request({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
          timeoutMs: this.opts.timeoutMs ?? this.opts.retry?.timeoutMs,
          signal: sig,
        });
      } catch (e) {
        if (!(e instanceof NetworkError)) throw e;
        failure = e.message;
      }
      if (res?.status === 200) {
        try {
          const body = JSON.parse(res.text) as unknown;
          if (body && typeof body === 'object' && !Array.isArray(body)) return body as GraphObject;
        } catch {
          // A body cut short: as transient as a dropped connection.
        }
        failure = 'the answer was not complete JSON';
      } else if (res?.status === 401 && !refreshed) {
        // The token may have expired or been revoked early: fetch a new one, once.
        refreshed = true;
        rejected = accessToken;
        attempt--;
        continue;
      } else if (res && isTransientStatus(res.status)) {
        failure = `Graph answered ${res.status}${graphSays(res) ? ` (${graphSays(res)})` : ''}`;
        if (res.status === 429) waitMs = retryAfterMs(res.headers['retry-after']);
      } else if (res) {
        throw this.fail(endpoint, res, attempt);
      }
      // Without an answer, `failure` already says what happened on the wire.
      if (attempt >= maxAttempts) {
        throw new EntraReadError(auth.redactor.apply(`Reading Entra tenant "${this.opts.tenant}" failed: ${endpoint} did not succeed after ${attempt} attempts; last: ${failure}.`), {
          tenant: this.opts.tenant,
          endpoint,
          status: res?.status,
          code: res ? graphError(res)?.code : undefined,
        });
      }
      const delay = waitMs ?? backoffMs(attempt, baseDelayMs);
      log?.('warn', `Entra "${this.opts.tenant}": ${endpoint}: ${failure}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${maxAttempts}).`);
      await sleep(delay, sig);
    }
  }

  /** GET a collection page, checking its shape. */
  async page(url: string, signal?: AbortSignal): Promise<GraphPage> {
    const body = await this.get(url, signal);
    const endpoint = `GET ${new URL(url).pathname}`;
    const next = body['@odata.nextLink'];
    const delta = body['@odata.deltaLink'];
    const value = body.value;
    if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) throw this.malformed(endpoint, 'it has no list of objects in "value"');
    if (next !== undefined && typeof next !== 'string') throw this.malformed(endpoint, '@odata.nextLink is not a link');
    if (delta !== undefined && typeof delta !== 'string') throw this.malformed(endpoint, '@odata.deltaLink is not a link');
    for (const link of [next, delta]) {
      // The token goes only to Graph's own host.
      if (typeof link === 'string' && !this.sameOrigin(link)) throw this.malformed(endpoint, `a paging link points to another host (${describeUrl(link)})`);
    }
    if (next === url) throw this.malformed(endpoint, '@odata.nextLink points back to the same page');
    return { value: value as GraphObject[], nextLink: next as string | undefined, deltaLink: delta as string | undefined };
  }

  /** Every page of a collection, following @odata.nextLink verbatim (never rebuilt). */
  async *pages(url: string, signal?: AbortSignal): AsyncGenerator<GraphPage> {
    let next: string | undefined = url;
    while (next !== undefined) {
      const p: GraphPage = await this.page(next, signal);
      yield p;
      next = p.nextLink;
    }
  }

  malformed(endpoint: string, why: string): EntraReadError {
    return new EntraReadError(`Reading Entra tenant "${this.opts.tenant}" failed: ${endpoint} returned a malformed page (${why}); nothing was read from this tenant.`, {
      tenant: this.opts.tenant,
      endpoint,
    });
  }

  private fail(endpoint: string, res: HttpResponse, attempts: number): EntraReadError {
    const said = graphSays(res);
    const err = graphError(res);
    const hint = res.status === 403 ? ' Grant the app the application permissions User.Read.All and GroupMember.Read.All, with admin consent.' : res.status === 401 ? ' Graph refused the app\'s access token even after a fresh sign-in.' : '';
    const message = `Reading Entra tenant "${this.opts.tenant}" failed: ${endpoint} answered ${res.status}${said ? `: ${said}` : ''}.${hint}${attempts > 1 ? ` (${attempts} attempts)` : ''}`;
    return new EntraReadError(this.opts.auth.redactor.apply(message), { tenant: this.opts.tenant, endpoint, status: res.status, code: err?.code, location: res.headers.location });
  }

  private sameOrigin(link: string): boolean {
    try {
      return new URL(link).origin === this.origin;
    } catch {
      return false;
    }
  }
}

function graphError(res: HttpResponse): { code?: string; message?: string } | undefined {
  try {
    const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
    if (body && typeof body.error === 'object' && body.error) {
      return { code: typeof body.error.code === 'string' ? body.error.code : undefined, message: typeof body.error.message === 'string' ? body.error.message : undefined };
    }
  } catch {
    // not Graph's error shape
  }
  return undefined;
}

/** "Code: message" from Graph's error body, short. */
function graphSays(res: HttpResponse): string {
  const e = graphError(res);
  if (!e) return '';
  return [e.code, e.message].filter(Boolean).join(': ').slice(0, 500);
}
