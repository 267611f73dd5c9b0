// Every request to Halo goes through here: the rolling-window limiter, the bearer token (renewed
// once on a 401), and retry with backoff on 429, 5xx and network failures (DESIGN §2a pacing).
// A write that Halo may have processed is retried only when it is idempotent (updates only).
import { AbortedError, HttpClient, HttpRequest, NetworkError, sleep } from '../net/http';
import { HaloGaveUpError, UncertainWriteError, haloErrorMessage } from './errors';
import type { RollingLimiter } from './limiter';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

export const DEFAULT_BACKOFF_MS = [5000, 10000, 20000, 40000, 60000];

export interface HaloCounters {
  /** HTTP requests sent, token and discovery requests included. */
  requests: number;
  /** 429 answers received. */
  throttled: number;
  /** 5xx answers received. */
  serverErrors: number;
  /** Failures below HTTP (refused, reset, timeout, cut-short answer). */
  networkErrors: number;
  /** Requests repeated after a backoff. */
  retries: number;
  /** Tokens obtained. */
  tokens: number;
}

export interface Tally {
  requests: number;
}

/** Supplies bearer tokens; `invalidate` drops one Halo refused so the next call fetches another. */
export interface TokenSource {
  token(): Promise<string>;
  invalidate(token: string): void;
}

export interface SendRequest {
  method: 'GET' | 'POST';
  url: string;
  /** How the endpoint is named in messages, e.g. "GET /api/Users". */
  what: string;
  headers?: Record<string, string>;
  body?: string;
  /** Safe to resend after Halo may have processed it. */
  idempotent: boolean;
  auth?: TokenSource;
  tally?: Tally;
}

export interface SendResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed body of a 2xx answer (undefined for an empty one). */
  json?: unknown;
}

export interface TransportOptions {
  http: HttpClient;
  limiter: RollingLimiter;
  backoffMs?: number[];
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: Log;
}

export class Transport {
  readonly counters: HaloCounters = { requests: 0, throttled: 0, serverErrors: 0, networkErrors: 0, retries: 0, tokens: 0 };
  private readonly backoffMs: number[];

  constructor(private readonly opts: TransportOptions) {
    this.backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  /**
   * Send until Halo gives a definite answer: 2xx (JSON parsed) or a 4xx other than 429 (returned
   * for the caller to judge). Throws UncertainWriteError, HaloGaveUpError or AbortedError.
   */
  async send(req: SendRequest): Promise<SendResult> {
    let retriesDone = 0;
    let renewed = false;
    for (;;) {
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      const token = req.auth ? await req.auth.token() : undefined;
      if (token) headers.authorization = `Bearer ${token}`;
      const release = await this.opts.limiter.acquire(this.opts.signal);
      this.counters.requests++;
      if (req.tally) req.tally.requests++;
      let problem: string;
      let waitMs: number | undefined;
      try {
        const http: HttpRequest = { method: req.method, url: req.url, headers, body: req.body, timeoutMs: this.opts.timeoutMs, signal: this.opts.signal };
        const res = await this.opts.http.request(http).finally(release);
        if (res.status === 401 && req.auth && token && !renewed) {
          // An expired or revoked token: renew once, straight away.
          renewed = true;
          req.auth.invalidate(token);
          this.log('info', `${req.what}: token refused, renewing it`);
          continue;
        }
        if (res.status === 429) {
          this.counters.throttled++;
          problem = `429 ${haloErrorMessage(res.text) || 'Too Many Requests'}`;
          waitMs = retryAfterMs(res.headers['retry-after']);
        } else if (res.status >= 500) {
          this.counters.serverErrors++;
          problem = `${res.status} ${haloErrorMessage(res.text)}`.trim();
          if (!req.idempotent) throw new UncertainWriteError(req.what, problem);
          waitMs = retryAfterMs(res.headers['retry-after']); // a 503 may say when to come back
        } else if (res.status >= 200 && res.status < 300) {
          const parsed = parseJson(res.text);
          if (parsed.ok) return { ...res, json: parsed.value };
          problem = `${res.status} answer was not valid JSON`;
          if (!req.idempotent) throw new UncertainWriteError(req.what, problem);
        } else {
          return res;
        }
      } catch (e) {
        if (e instanceof AbortedError || e instanceof UncertainWriteError) throw e;
        if (!(e instanceof NetworkError)) throw e;
        this.counters.networkErrors++;
        problem = e.message;
        // A refused connection never reached Halo; anything else may have been processed.
        if (!req.idempotent && e.code !== 'ECONNREFUSED') throw new UncertainWriteError(req.what, problem);
      }
      if (retriesDone >= this.backoffMs.length) throw new HaloGaveUpError(req.what, retriesDone + 1, problem);
      const wait = waitMs ?? this.backoffMs[retriesDone];
      retriesDone++;
      this.counters.retries++;
      this.log('warn', `${req.what}: ${problem}; retrying in ${formatSeconds(wait)}`);
      await sleep(wait, this.opts.signal);
    }
  }

  private log(level: LogLevel, message: string): void {
    this.opts.log?.(level, message);
  }
}

/** Retry-After as seconds (fractions allowed) or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
