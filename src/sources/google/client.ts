// GET requests to the Directory API: the service account's bearer token, `pageToken` paging until
// no `nextPageToken`, and backoff on what Google documents as retryable (403 userRateLimitExceeded
// or quotaExceeded, 429, 5xx) and on dropped connections (directory-sources.md, "Quotas and
// errors"). Anything else is a DirectoryReadError: a failed page is never an empty one.
import type { HttpClient, HttpResponse } from '../../net/http';
import { DirectoryReadError } from '../errors';
import { isTransientStatus, retryAfterMs } from '../retry';
import { jsonOf, retryingGet } from '../retrying-get';
import type { RetryOptions, SourceLog } from '../source';
import type { GoogleAuth } from './auth';

export type GoogleObject = Record<string, unknown>;

const RATE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded']);

export interface GoogleClientOptions {
  tenant: string;
  apiUrl: string;
  auth: GoogleAuth;
  http: HttpClient;
  signal?: AbortSignal;
  log?: SourceLog;
  retry?: RetryOptions;
}

export class GoogleClient {
  requests = 0;

  constructor(private readonly opts: GoogleClientOptions) {}

  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, String(v)]])));
    return `${this.opts.apiUrl}/admin/directory/v1${path}${q.size ? `?${q}` : ''}`;
  }

  get(url: string, signal = this.opts.signal): Promise<GoogleObject> {
    const endpoint = `GET ${new URL(url).pathname.replace(/^\/admin\/directory\/v1/, '').replace(/\/groups\/[^/]+/, '/groups/{key}')}`;
    return retryingGet<GoogleObject>({
      url,
      endpoint,
      http: this.opts.http,
      retry: this.opts.retry,
      signal,
      log: this.opts.log,
      who: `Google Workspace "${this.opts.tenant}"`,
      authorization: async (rejected) => `Bearer ${await this.opts.auth.token(signal, rejected?.replace(/^Bearer /, ''))}`,
      refreshable: true,
      onRequest: () => this.requests++,
      judge: (res) => {
        if (res.status === 200) {
          const parsed = jsonOf(res);
          if ('retry' in parsed) return parsed;
          const body = parsed.json;
          return body && typeof body === 'object' && !Array.isArray(body) ? { value: body as GoogleObject } : { retry: 'the answer was not a JSON object' };
        }
        if (isTransientStatus(res.status) || (res.status === 403 && RATE_REASONS.has(reasonOf(res) ?? ''))) {
          return { retry: `Google answered ${res.status}${googleSays(res) ? ` (${googleSays(res)})` : ''}`, waitMs: retryAfterMs(res.headers['retry-after']) };
        }
        return { fail: this.fail(endpoint, res) };
      },
      exhausted: (attempts, failure, res) =>
        new DirectoryReadError(this.opts.auth.redactor.apply(`Reading Google Workspace "${this.opts.tenant}" failed: ${endpoint} did not succeed after ${attempts} attempts; last: ${failure}.`), { tenant: this.opts.tenant, endpoint, status: res?.status, code: res ? reasonOf(res) : undefined }),
    });
  }

  /** Every item of a list under `field`, page by page, following nextPageToken. */
  async *pages(url: string, field: string, signal = this.opts.signal): AsyncGenerator<GoogleObject[]> {
    const seen = new Set<string>();
    let next: string | undefined = url;
    while (next !== undefined) {
      const body = await this.get(next, signal);
      const endpoint = `GET ${new URL(url).pathname.replace(/^\/admin\/directory\/v1/, '')}`;
      const items = body[field];
      // A page with nothing in it leaves the list out altogether [V GDISC: absent when empty].
      if (items !== undefined && (!Array.isArray(items) || !items.every((v) => v && typeof v === 'object' && !Array.isArray(v)))) throw this.malformed(endpoint, `"${field}" is not a list of objects`);
      const token = body.nextPageToken;
      if (token !== undefined && (typeof token !== 'string' || !token)) throw this.malformed(endpoint, 'nextPageToken is not a token');
      yield (items ?? []) as GoogleObject[];
      if (token === undefined) return;
      if (seen.has(token)) throw this.malformed(endpoint, 'a nextPageToken came back twice');
      seen.add(token);
      const n = new URL(url);
      n.searchParams.set('pageToken', token);
      next = n.toString();
    }
  }

  malformed(endpoint: string, why: string): DirectoryReadError {
    return new DirectoryReadError(`Reading Google Workspace "${this.opts.tenant}" failed: ${endpoint} returned a malformed page (${why}); nothing was read from this customer.`, { tenant: this.opts.tenant, endpoint });
  }

  private fail(endpoint: string, res: HttpResponse): DirectoryReadError {
    const said = googleSays(res);
    const hint =
      res.status === 403
        ? ' The subject must be an administrator allowed to read users and groups, and the service account must be allowed the scopes admin.directory.user.readonly and admin.directory.group.readonly (domain-wide delegation).'
        : res.status === 404
          ? ''
          : res.status === 401
            ? ' Google refused the service account\'s token even after a fresh sign-in.'
            : '';
    return new DirectoryReadError(this.opts.auth.redactor.apply(`Reading Google Workspace "${this.opts.tenant}" failed: ${endpoint} answered ${res.status}${said ? `: ${said}` : ''}.${hint}`), { tenant: this.opts.tenant, endpoint, status: res.status, code: reasonOf(res) });
  }
}

function googleError(res: HttpResponse): { message?: string; reason?: string } | undefined {
  try {
    const body = JSON.parse(res.text) as { error?: { message?: unknown; errors?: Array<{ reason?: unknown }> } };
    const e = body?.error;
    if (!e || typeof e !== 'object') return undefined;
    const reason = Array.isArray(e.errors) && typeof e.errors[0]?.reason === 'string' ? e.errors[0].reason : undefined;
    return { message: typeof e.message === 'string' ? e.message : undefined, reason };
  } catch {
    return undefined;
  }
}

function reasonOf(res: HttpResponse): string | undefined {
  return googleError(res)?.reason;
}

function googleSays(res: HttpResponse): string {
  const e = googleError(res);
  return e ? [e.reason, e.message].filter(Boolean).join(': ').slice(0, 500) : '';
}
