// A child process that hosts both simulators for one benchmark tenant, so that the client under
// test runs in its own process, as it would against the real services, and the simulators' work
// is neither timed with the client nor competing for its event loop.
import * as path from 'node:path';
import { startSimulators, Simulators, writeSimulatorFiles } from '../src/sim';
import type { HaloModes } from '../src/sim/halo/modes';
import type { SimTenant } from '../src/sim/graph/directory';
import { generateWorld } from '../src/sim/world';
import { serve } from './lib';
import { worldOptions } from './tenant';

let sims: Simulators | undefined;
let mutations = 0;

export interface HostStart {
  users: number;
  latencyMs: number;
  haloRateLimit: { requests: number; windowMs: number } | null;
  dir: string;
  mapping: string;
  /** How the Halo simulator answers (DESIGN §6a); documented when absent. */
  haloModes?: Partial<HaloModes>;
}

export interface HostReady {
  file: string;
  env: Record<string, string>;
  world: { entraUsers: number; groups: number; haloUsers: number; haloAgents: number };
}

export interface RequestCounts {
  graph: { total: number; byRoute: Record<string, number>; throttled: number };
  halo: { total: number; tokens: number; gets: number; posts: number; throttled: number; byRoute: Record<string, number> };
}

function route(p: string): string {
  return p.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}').replace(/\/\d+$/, '/{id}');
}

serve({
  async start(msg) {
    const o = msg as unknown as HostStart;
    const world = generateWorld(worldOptions(o.users));
    sims = await startSimulators({ world, latencyMs: o.latencyMs, haloRateLimit: o.haloRateLimit, haloModes: o.haloModes });
    const file = writeSimulatorFiles(sims, o.dir, o.mapping);
    const ready: HostReady = {
      file: path.resolve(file),
      env: sims.env,
      world: { entraUsers: world.graph[0].users.length, groups: world.graph[0].groups.length, haloUsers: world.halo.users.length, haloAgents: world.halo.agents.length },
    };
    return ready;
  },

  counts(msg) {
    const s = sims!;
    const graph = s.requests.graph.filter((r) => r.path.startsWith('/v1.0/'));
    const halo = s.requests.halo;
    const tally = (rs: Array<{ method: string; path: string }>) => {
      const out: Record<string, number> = {};
      for (const r of rs) {
        const k = `${r.method} ${route(r.path)}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const counts: RequestCounts = {
      graph: { total: graph.length, byRoute: tally(graph), throttled: graph.filter((r) => r.status === 429).length },
      halo: {
        total: halo.length,
        tokens: halo.filter((r) => /\/auth\/token$|\/api\/authinfo$/i.test(r.path)).length,
        gets: halo.filter((r) => r.method === 'GET' && r.path.startsWith('/api/')).length,
        posts: halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length,
        throttled: halo.filter((r) => r.status === 429).length,
        byRoute: tally(halo),
      },
    };
    if (msg.reset) {
      s.requests.graph.length = 0;
      s.requests.halo.length = 0;
    }
    return counts;
  },

  /**
   * An admin's day in Entra: attributes edited on `n` users, a starter added to a department
   * group, a leaver disabled and another deleted, one person moved into a nested agent tier and
   * one out of a department group. Different people each call.
   */
  mutate(msg) {
    const n = Number(msg.n ?? 10);
    const t: SimTenant = sims!.graph.tenants[0];
    const k = ++mutations;
    const members = t.data.users.filter((u) => u.userType === 'Member' && u.accountEnabled);
    const pick = (i: number) => members[(k * 7919 + i * 104_729) % members.length];
    const group = (name: string) => t.data.groups.find((g) => g.displayName === name)!;
    for (let i = 0; i < n; i++) t.updateUser(pick(i).id, { jobTitle: `Title ${k}.${i}` });
    const id = `${(0x10000000 + k).toString(16)}-0000-4000-8000-${String(k).padStart(12, '0')}`;
    t.addUser({ id, displayName: `Starter ${k}`, givenName: 'Starter', surname: String(k), mail: `starter.${k}@contoso.com`, userPrincipalName: `starter.${k}@contoso.com`, jobTitle: 'Analyst', department: 'Sales', officeLocation: 'Leeds', businessPhones: [], companyName: 'Contoso' });
    t.addMember(group('Dept-Sales').id, id);
    t.disableUser(pick(n + 1).id);
    t.deleteUser(pick(n + 2).id);
    t.addMember(group('SG-Tier1').id, pick(n + 3).id);
    const dept = group('Dept-Engineering');
    const out = dept.members.find((m) => t.kindOf(m) === 'user');
    if (out) t.removeMember(dept.id, out);
    return { users: n + 4, memberships: 3 };
  },

  invalidateDelta() {
    sims!.graph.invalidateDeltaTokens();
    return true;
  },

  async stop() {
    await sims?.stop();
    sims = undefined;
    return true;
  },
});
