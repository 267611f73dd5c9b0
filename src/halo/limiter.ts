// Client-side rolling-window limiter: waits before sending rather than collecting 429s.
// A request occupies a slot from the moment it is sent, and its timestamp is taken when its
// answer arrives: that is never earlier than when Halo counted it, so once the timestamp has left
// our window it has left Halo's too, whatever the network delay.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AbortedError } from '../net/http';

export interface LimiterOptions {
  requests: number;
  windowSeconds: number;
  /** JSON file holding the window's timestamps, so that back-to-back runs share one window. */
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

  constructor(private readonly opts: LimiterOptions) {
    if (!(opts.requests >= 1) || !(opts.windowSeconds > 0)) throw new Error('halo.rateLimit needs requests ≥ 1 and windowSeconds > 0');
    this.windowMs = opts.windowSeconds * 1000;
    if (opts.statePath) this.done = this.load(opts.statePath);
  }

  /** Wait for a free slot; the returned function must be called when the answer (or failure) arrives. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      const now = Date.now();
      this.prune(now);
      if (this.done.length + this.inFlight < this.opts.requests) {
        this.inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.done.push(Date.now());
          this.save();
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

  private load(path: string): number[] {
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as { timestamps?: unknown };
      const now = Date.now();
      return Array.isArray(data.timestamps)
        ? (data.timestamps.filter((t) => typeof t === 'number' && t > now - this.windowMs && t <= now) as number[]).sort((a, b) => a - b)
        : [];
    } catch {
      return []; // no file yet, or unreadable: start with an empty window
    }
  }

  private save(): void {
    const path = this.opts.statePath;
    if (!path) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ windowSeconds: this.opts.windowSeconds, timestamps: this.done }) + '\n');
      renameSync(tmp, path);
    } catch (e) {
      if (!this.warned) this.opts.log?.('warn', `cannot save the Halo rate-limit window to ${path}: ${(e as Error).message}`);
      this.warned = true;
    }
  }
}
