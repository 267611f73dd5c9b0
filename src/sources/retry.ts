// When to try a Graph request again, and how long to wait first.
// Documented (MGD concepts/throttling.md): 429 carries Retry-After in seconds, possibly fractional
// ("2.128"); without it, back off exponentially. 5xx and dropped connections are transient.

const MAX_WAIT_MS = 300_000;
const MAX_BACKOFF_MS = 30_000;

/** Retry-After as milliseconds: seconds (fractional allowed) or an HTTP date; undefined if absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(0, seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(MAX_WAIT_MS, Math.max(0, date - now));
}

/** Exponential backoff with jitter: base, 2×base, 4×base… (±25 %), capped at 30 s. */
export function backoffMs(attempt: number, baseDelayMs: number): number {
  const raw = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.75 + Math.random() * 0.5));
}

export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
