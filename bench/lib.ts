// What every benchmark shares: figures (median and spread), timing, the machine, child processes.
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository: results and BENCHMARKS.md are written there, dist/ is read from there. */
export const ROOT = process.env.HALO_BENCH_ROOT ?? path.resolve(__dirname, '..', '..');

/** One line of bench/results.json. */
export interface Figure {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  budget: number | null;
}

/** A figure with what BENCHMARKS.md says about it (not written to results.json). */
export interface Measured extends Figure {
  runs: number;
  /** Measured, estimated from measured parts, or computed from other figures. */
  how: 'measured' | 'estimated' | 'derived';
  /** Budgets are maxima unless this says the figure must reach at least the budget. */
  atLeast?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function figure(name: string, unit: string, samples: number[], budget: number | null = null, extra: Partial<Measured> = {}): Measured {
  if (!samples.length) throw new Error(`no samples for ${name}`);
  return { name, unit, median: round(median(samples)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), budget, runs: samples.length, how: 'measured', ...extra };
}

export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return Number(x.toFixed(digits));
}

/** Milliseconds since `t0` (from process.hrtime.bigint()). */
export function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function now(): bigint {
  return process.hrtime.bigint();
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews timings. */
  load: { start: number; end: number };
}

export function machine(startLoad: number): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() has it
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    load: { start: startLoad, end: os.loadavg()[0] },
  };
}

/** A forked bench process answering requests by id over IPC. */
export class Child {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | null = null;

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    proc.on('exit', (code, signal) => {
      this.exited = new Error(`bench child ${path.basename(String(proc.spawnargs[1] ?? ''))} exited (${code ?? signal})`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  static start(script: string, args: string[] = [], execArgv: string[] = []): Child {
    return new Child(fork(path.join(__dirname, script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  call<T>(type: string, payload: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, type, ...payload });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.call('stop').catch(() => undefined);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (!this.exited) this.proc.kill();
  }
}

/** The child side: answer each request with its handler's result. */
export function serve(handlers: Record<string, (msg: Record<string, unknown>) => unknown>): void {
  process.on('message', async (msg: { id: number; type: string } & Record<string, unknown>) => {
    try {
      const handler = handlers[msg.type];
      if (!handler) throw new Error(`unknown request ${msg.type}`);
      const result = await handler(msg);
      process.send!({ id: msg.id, ok: true, result });
      if (msg.type === 'stop') setImmediate(() => process.exit(0));
    } catch (e) {
      process.send!({ id: msg.id, ok: false, error: (e as Error).stack ?? String(e) });
    }
  });
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `halo-bench-${prefix}-`));
}
