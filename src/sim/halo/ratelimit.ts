// Halo's rolling request window [V: "Rate Limit Reached - 300 Requests per rolling 5 minute window"].
// Kept per caller. Only admitted requests are counted [U: whether refused ones count is unknown].

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export class RollingWindow {
  private readonly seen = new Map<string, number[]>();

  constructor(private readonly limit: RateLimit) {}

  /** Records the request and returns true when it is within the limit. */
  admit(key: string, now = Date.now()): boolean {
    const list = this.seen.get(key) ?? [];
    while (list.length && list[0] <= now - this.limit.windowMs) list.shift();
    if (list.length >= this.limit.requests) {
      this.seen.set(key, list);
      return false;
    }
    list.push(now);
    this.seen.set(key, list);
    return true;
  }

  /** The observed wording, with this window's numbers. */
  message(): string {
    return `Rate Limit Reached - ${this.limit.requests} Requests per rolling ${describeWindow(this.limit.windowMs)} window`;
  }
}

function describeWindow(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute`;
  if (ms % 1000 === 0) return `${ms / 1000} second`;
  return `${ms} millisecond`;
}
