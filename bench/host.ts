// The parent's side of a simulator host: start one for a tenant size, connect to it the way the
// CLI does, count the requests it received.
import * as fs from 'node:fs';
import { connect, Connections } from '../src/engine/connections';
import { readMappingFile, validMapping } from '../src/engine/mapping-file';
import { Child, tempDir } from './lib';
import type { HostReady, RequestCounts } from './sim-host';
import { benchMapping } from './tenant';
import type { HaloModes } from '../src/sim/halo/modes';

export interface HostOptions {
  users: number;
  /** Added by both simulators to every answer. */
  latencyMs?: number;
  /** Halo's limit, enforced by the simulator (429 beyond it). */
  haloRateLimit?: { requests: number; windowMs: number } | null;
  /** The mapping text (default: the bench mapping). */
  mapping?: string;
  /** How the Halo simulator answers (DESIGN §6a); documented when absent. */
  haloModes?: Partial<HaloModes>;
}

export class Host {
  private constructor(
    readonly child: Child,
    readonly dir: string,
    readonly ready: HostReady,
  ) {}

  static async start(o: HostOptions): Promise<Host> {
    const profile = process.env.HALO_BENCH_PROFILE_HOST ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HALO_BENCH_PROFILE_HOST}`] : [];
    const child = Child.start('sim-host.js', [], ['--max-old-space-size=4096', ...profile]);
    const dir = tempDir(`n${o.users}`);
    const ready = await child.call<HostReady>('start', { users: o.users, latencyMs: o.latencyMs ?? 0, haloRateLimit: o.haloRateLimit ?? null, dir, mapping: o.mapping ?? benchMapping(), haloModes: o.haloModes });
    return new Host(child, dir, ready);
  }

  get file(): string {
    return this.ready.file;
  }

  async connect(): Promise<Connections> {
    const m = readMappingFile(this.file);
    return connect(validMapping(m), { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? this.ready.env[name] : undefined) });
  }

  /** Requests received so far; `reset` starts the count again. */
  counts(reset = false): Promise<RequestCounts> {
    return this.child.call<RequestCounts>('counts', { reset });
  }

  mutate(n: number): Promise<{ users: number; memberships: number }> {
    return this.child.call('mutate', { n });
  }

  invalidateDelta(): Promise<void> {
    return this.child.call('invalidateDelta');
  }

  async stop(): Promise<void> {
    await this.child.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
