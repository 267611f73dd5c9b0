// Options shared by the Entra reader's entry points.
import type { HttpClient } from '../../net/http';

export type EntraLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type EntraLog = (level: EntraLogLevel, msg: string) => void;

export interface RetryOptions {
  /** Tries per request, the first included (default 6). */
  maxAttempts?: number;
  /** First backoff delay when the answer names none; doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Per-attempt timeout; a timed-out attempt is retried (default: the reader's timeoutMs, 60 s). */
  timeoutMs?: number;
}

export interface EntraReadOptions {
  /** Carries the extra trusted CAs (mapping `tls.caFiles`) for Graph and for MSAL. */
  http: HttpClient;
  signal?: AbortSignal;
  log?: EntraLog;
  retry?: RetryOptions;
  /** Objects per Graph page, 1 to 999 (default 999, the most Graph allows). */
  pageSize?: number;
  /** Reads in flight at once (default 4). */
  concurrency?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
}
