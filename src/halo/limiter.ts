// Client-side rolling-window limiter: waits before sending rather than collecting 429s.
// A request occupies a slot from the moment it is sent, and its timestamp is taken when its
// answer arrives: that is never earlier than when Halo counted it, so once the timestamp has left
// our window it has left Halo's too, whatever the network delay.
// With a state file the window is shared: every process reading the same Halo appends its answers
// to one log (one line each, O_APPEND) and counts everyone's, so two runs at once share the limit
// instead of each spending all of it.
import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AbortedError } from '../net/http';

export interface LimiterOptions {
  requests: number;
  windowSeconds: number;
  /** Log of the window's answers (one timestamp a line), shared by every run against this Halo. */
  statePath?: string;
  log?: (level: 'warn', message: string) => void;
}

interface Waiter {
  wake: () => void;
}

export class RollingLimiter {
  private readonly windowMs: number;
  private done: number[] = [];
  private inFlight = 0;
  private waiters: Waiter[] = [];
  private warned = false;
  /** Size and change time of the log when last read: it is re-read only when another run wrote to it. */
  private seen = '';

  constructor(private readonly opts: LimiterOptions) {
    if (!(opts.requests >= 1) || !(opts.windowSeconds > 0)) throw new Error('halo.rateLimit needs requests ≥ 1 and windowSeconds > 0');
    this.windowMs = opts.windowSeconds * 1000;
    this.refresh();
  }

  /** Wait for a free slot; the returned function must be called when the answer (or failure) arrives. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      this.refresh();
      const now = Date.now();
      this.prune(now);
      if (this.done.length + this.inFlight < this.opts.requests) {
        this.inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.inFlight--;
          const t = Date.now();
          this.done.push(t);
          this.save(t);
          this.wakeAll();
        };
      }
      // Full: wait for the oldest finished request to leave the window, or for one in flight to finish.
      const waitMs = this.done.length ? this.done[0] + this.windowMs - now + 1 : undefined;
      await this.wait(waitMs, signal);
    }
  }

  /** Requests counted in the current window (finished and in flight). */
  get used(): number {
    this.refresh();
    this.prune(Date.now());
    return this.done.length + this.inFlight;
  }

  private prune(now: number): void {
    let i = 0;
    while (i < this.done.length && this.done[i] <= now - this.windowMs) i++;
    if (i) this.done.splice(0, i);
  }

  private wait(ms: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = {
        wake: () => {
          cleanup();
          resolve();
        },
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortedError());
      };
      this.waiters.push(waiter);
      if (ms !== undefined) timer = setTimeout(waiter.wake, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }

  /** Takes in what other runs appended since the last look (everything, the first time). */
  private refresh(): void {
    const path = this.opts.statePath;
    if (!path) return;
    const stamp = stampOf(statSync(path, { throwIfNoEntry: false }));
    if (stamp === this.seen) return;
    this.seen = stamp;
    this.done = this.load(path);
  }

  private load(path: string): number[] {
    try {
      const now = Date.now();
      return readFileSync(path, 'utf8')
        .split('\n')
        .map(Number)
        .filter((t) => Number.isFinite(t) && t > now - this.windowMs && t <= now + 1000)
        .sort((a, b) => a - b);
    } catch {
      return []; // no log yet, or unreadable: start with an empty window
    }
  }

  /** Appends one answer; now and then rewrites the log to the current window, so it stays small. */
  private save(t: number): void {
    const path = this.opts.statePath;
    if (!path) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const line = `${t}\n`;
      const before = statSync(path, { throwIfNoEntry: false });
      const known = this.seen === stampOf(before);
      appendFileSync(path, line);
      const after = statSync(path);
      if (after.size > 64 * (this.opts.requests + 64)) {
        // A line another run appends between the read and the rename is lost: it errs towards
        // fewer requests counted, which Halo's own 429 (retried with backoff) then corrects.
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, this.load(path).map((x) => `${x}\n`).join(''));
        renameSync(tmp, path);
        this.seen = '';
      } else {
        // Only our line was added since we last read the log: no need to read it again.
        this.seen = known && after.size === (before?.size ?? 0) + line.length ? stampOf(after) : '';
      }
    } catch (e) {
      if (!this.warned) this.opts.log?.('warn', `cannot save the Halo rate-limit window to ${path}: ${(e as Error).message}`);
      this.warned = true;
    }
  }
}

function stampOf(st: { size: number; mtimeMs: number } | undefined): string {
  return st ? `${st.size}/${st.mtimeMs}` : '';
}
