// GET requests to Okta's management API: the Authorization header of the connection's sign-in,
// paging by the Link header's rel="next" (followed verbatim, never rebuilt), the X-Rate-Limit-*
// headers honoured before a 429 can happen, and 429, 5xx and dropped connections retried.
// Anything else is a DirectoryReadError: a failed page is never an empty one.
import { HttpResponse, sleep } from '../../net/http';
import { DirectoryReadError } from '../errors';
import { isTransientStatus } from '../retry';
import { jsonOf, retryingGet } from '../retrying-get';
import type { RetryOptions, SourceLog } from '../source';
import type { OktaAuth } from './auth';

export type OktaObject = Record<string, unknown>;

export interface OktaClientOptions {
  tenant: string;
  orgUrl: string;
  auth: OktaAuth;
  http: import('../../net/http').HttpClient;
  signal?: AbortSignal;
  log?: SourceLog;
  retry?: RetryOptions;
  timeoutMs?: number;
}

/** What the last answer of an endpoint family said about its rate limit. */
interface Budget {
  remaining: number;
  /** When the window resets (ms since the epoch). */
  resetAt: number;
}

/** Requests left in a window below which the next waits for its reset: reads run two at a time. */
const RESERVE = 1;
/** Longest wait for a rate-limit window to reset before the read gives up on it. */
const MAX_RESET_WAIT_MS = 120_000;

export class OktaClient {
  /** Requests sent, retries included. */
  requests = 0;
  private readonly budgets = new Map<string, Budget>();
  private readonly origin: string;

  constructor(private readonly opts: OktaClientOptions) {
    this.origin = new URL(opts.orgUrl).origin;
  }

  url(path: string): string {
    return `${this.opts.orgUrl}/api/v1${path}`;
  }

  /** GET one JSON value and the next page's link. */
  get(url: string, signal = this.opts.signal): Promise<{ body: unknown; next?: string }> {
    const endpoint = `GET ${new URL(url).pathname.replace(/\/00[a-zA-Z0-9]{18}(?=\/|$)/g, '/{id}')}`;
    const family = familyOf(url);
    return retryingGet<{ body: unknown; next?: string }>({
      url,
      endpoint,
      http: this.opts.http,
      retry: this.opts.retry,
      timeoutMs: this.opts.timeoutMs,
      signal,
      log: this.opts.log,
      who: `Okta "${this.opts.tenant}"`,
      authorization: (rejected) => this.opts.auth.header(signal, rejected),
      refreshable: this.opts.auth.kind === 'service-app',
      before: () => this.waitForBudget(family, endpoint, signal),
      after: (res) => this.noteBudget(family, res),
      onRequest: () => this.requests++,
      judge: (res) => {
        if (res.status === 200) {
          const parsed = jsonOf(res);
          return 'retry' in parsed ? parsed : { value: { body: parsed.json, next: this.nextLink(res, endpoint, url) } };
        }
        if (isTransientStatus(res.status)) return { retry: `Okta answered ${res.status}${oktaSays(res) ? ` (${oktaSays(res)})` : ''}`, waitMs: res.status === 429 ? resetWaitMs(res) : undefined };
        return { fail: this.fail(endpoint, res) };
      },
      exhausted: (attempts, failure, res) =>
        new DirectoryReadError(this.opts.auth.redactor.apply(`Reading Okta "${this.opts.tenant}" failed: ${endpoint} did not succeed after ${attempts} attempts; last: ${failure}.`), {
          tenant: this.opts.tenant,
          endpoint,
          status: res?.status,
          code: res ? oktaError(res)?.errorCode : undefined,
        }),
    });
  }

  /** Every item of a collection, page by page: each page must be a JSON array of objects. */
  async *pages(url: string, signal = this.opts.signal): AsyncGenerator<OktaObject[]> {
    const seen = new Set<string>();
    let next: string | undefined = url;
    while (next !== undefined) {
      seen.add(next);
      const { body, next: following } = await this.get(next, signal);
      const endpoint = `GET ${new URL(next).pathname}`;
      if (!Array.isArray(body) || !body.every((v) => v && typeof v === 'object' && !Array.isArray(v))) throw this.malformed(endpoint, 'it is not a list of objects');
      if (following !== undefined && seen.has(following)) throw this.malformed(endpoint, 'its next link points back to a page already read');
      yield body as OktaObject[];
      next = following;
    }
  }

  malformed(endpoint: string, why: string): DirectoryReadError {
    return new DirectoryReadError(`Reading Okta "${this.opts.tenant}" failed: ${endpoint} returned a malformed page (${why}); nothing was read from this org.`, { tenant: this.opts.tenant, endpoint });
  }

  /** rel="next" of the Link header(s), checked to stay on the org's own host (the token goes nowhere else). */
  private nextLink(res: HttpResponse, endpoint: string, url: string): string | undefined {
    const header = res.headers.link;
    if (!header) return undefined;
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(header);
    if (!m) return undefined;
    let next: URL;
    try {
      next = new URL(m[1], url);
    } catch {
      throw this.malformed(endpoint, 'its next link is not a web address');
    }
    if (next.origin !== this.origin) throw this.malformed(endpoint, `its next link points to another host (${next.host})`);
    return next.toString();
  }

  /** Before a request: when the family's window is spent, wait for its reset rather than cause a 429. */
  private async waitForBudget(family: string, endpoint: string, signal?: AbortSignal): Promise<void> {
    const b = this.budgets.get(family);
    if (!b || b.remaining > RESERVE) return;
    const wait = b.resetAt - Date.now();
    if (wait <= 0) return;
    if (wait > MAX_RESET_WAIT_MS) throw new DirectoryReadError(`Reading Okta "${this.opts.tenant}" stopped: the rate limit of ${endpoint} is spent until ${new Date(b.resetAt).toISOString()}.`, { tenant: this.opts.tenant, endpoint, status: 429 });
    this.opts.log?.('info', `Okta "${this.opts.tenant}": the rate limit of ${endpoint} is spent; waiting ${(wait / 1000).toFixed(1)} s for its window to reset.`);
    await sleep(wait + 50, signal);
    b.remaining = Number.POSITIVE_INFINITY;
  }

  private noteBudget(family: string, res: HttpResponse): void {
    const remaining = Number(res.headers['x-rate-limit-remaining']);
    const reset = Number(res.headers['x-rate-limit-reset']);
    if (res.headers['x-rate-limit-remaining'] === undefined || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    this.budgets.set(family, { remaining, resetAt: reset * 1000 });
  }

  private fail(endpoint: string, res: HttpResponse): DirectoryReadError {
    const said = oktaSays(res);
    const code = oktaError(res)?.errorCode;
    const hint =
      res.status === 403
        ? this.opts.auth.kind === 'service-app'
          ? ' The service app needs the scopes okta.users.read and okta.groups.read and an admin role that may read users and groups (Read-only Administrator).'
          : ' The API token acts with its admin\'s rights: that admin needs to be allowed to read users and groups.'
        : res.status === 401
          ? ' Okta refused the credentials: check okta[].apiToken, or the service app and its key.'
          : '';
    return new DirectoryReadError(this.opts.auth.redactor.apply(`Reading Okta "${this.opts.tenant}" failed: ${endpoint} answered ${res.status}${said ? `: ${said}` : ''}.${hint}`), {
      tenant: this.opts.tenant,
      endpoint,
      status: res.status,
      code,
    });
  }
}

/** Rate limits are per endpoint family: /api/v1/users… and /api/v1/groups… (members included) [I]. */
function familyOf(url: string): string {
  return new URL(url).pathname.split('/').slice(0, 4).join('/');
}

/** How long a 429 says to wait: until X-Rate-Limit-Reset (epoch seconds), at least a moment. */
function resetWaitMs(res: HttpResponse, now = Date.now()): number | undefined {
  const reset = Number(res.headers['x-rate-limit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.min(MAX_RESET_WAIT_MS, Math.max(250, reset * 1000 - now + 50));
}

function oktaError(res: HttpResponse): { errorCode?: string; errorSummary?: string } | undefined {
  try {
    const body = JSON.parse(res.text) as { errorCode?: unknown; errorSummary?: unknown };
    if (body && typeof body === 'object') return { errorCode: typeof body.errorCode === 'string' ? body.errorCode : undefined, errorSummary: typeof body.errorSummary === 'string' ? body.errorSummary : undefined };
  } catch {
    // not Okta's error shape
  }
  return undefined;
}

function oktaSays(res: HttpResponse): string {
  const e = oktaError(res);
  return e ? [e.errorCode, e.errorSummary].filter(Boolean).join(': ').slice(0, 500) : '';
}
