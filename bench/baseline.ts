// The baseline: the one-request-per-user pattern of public Halo sync scripts, against the same
// simulators. Read Entra; for each identity in scope, GET /api/Users?search=<email> (or
// /api/Agent?search=<email>), then POST one record per change. What to change is taken from our
// own plan, made beforehand and not timed, so both sides do exactly the same writes: only the
// request pattern differs. Requests go `concurrency` at a time, which flatters the baseline (the
// scripts send one at a time).
import type { Change } from '../src/core/changes';
import { desiredIdentities } from '../src/core/desired';
import { resolveScope } from '../src/core/scope';
import { readDirectories } from '../src/engine/snapshot';
import { planWith } from '../src/engine/run';
import { HaloAuth } from '../src/halo/auth';
import { cabBodies, changeBody, siteKey } from '../src/halo/bodies';
import { RollingLimiter } from '../src/halo/limiter';
import { Transport } from '../src/halo/transport';
import { postBatch, WriteKind } from '../src/halo/writer';
import { HttpClient } from '../src/net/http';
import { Host } from './host';
import { msSince, now } from './lib';
import { LATENCY_MS } from './sync';
import { benchMapping } from './tenant';

export interface BaselineRun {
  users: number;
  ms: number;
  /** Halo requests, token requests aside. */
  halo: number;
  searches: number;
  posts: number;
  graph: number;
  changes: number;
  /** Changes a plan still finds after the baseline ran (0: it did the whole job). */
  residual: number;
}

export async function baselineRun(users: number, concurrency: number): Promise<BaselineRun> {
  const host = await Host.start({ users, latencyMs: LATENCY_MS, mapping: benchMapping([[['halo', 'rateLimit'], { requests: 1_000_000, windowSeconds: 1 }]]) });
  const conns = await host.connect();
  const http = new HttpClient();
  try {
    const oracle = await planWith(conns);
    if (oracle.plan.blocked) throw new Error(`baseline oracle plan blocked: ${oracle.plan.blocked.reason}`);
    const fresh = oracle.snapshots.halo;
    // The oracle's own set-up, not counted: whole role sets for the records whose roles change (a
    // naive client reads each record in full with its search anyway).
    for (const kind of ['agent', 'user'] as const) {
      const ids = oracle.plan.changes.filter((c) => c.kind === kind && c.haloId !== null && c.memberships?.roles).map((c) => c.haloId!);
      await conns.halo.completeRoles(fresh, kind, ids);
    }
    const mapping = conns.mapping;
    const env = host.ready.env;
    const transport = new Transport({ http, limiter: new RollingLimiter({ requests: 1_000_000_000, windowSeconds: 1 }) });
    const base = mapping.halo.url.replace(/\/+$/, '');
    const auth = new HaloAuth(transport, { url: base, authUrl: mapping.halo.authUrl, tenant: mapping.halo.tenant, clientId: env.HALO_CLIENT_ID, clientSecret: env.HALO_CLIENT_SECRET, scope: 'all' });
    const api = { post: (path: string, body: unknown[], idempotent: boolean) => transport.send({ method: 'POST', url: `${base}/api${path}`, what: `POST /api${path}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), idempotent, auth }) };
    const post = async (kind: WriteKind, body: Record<string, unknown>) => {
      const [r] = await postBatch(api, kind, [body]);
      if (!r.ok) throw new Error(`baseline POST ${kind} refused: ${r.message}`);
      if (r.id !== null) return r.id;
      // An answer without the record: the naive client searches for what it just created.
      const path = kind === 'site' ? '/Site' : kind === 'agent' ? '/Agent' : '/Users';
      const q = kind === 'site' ? `search=${encodeURIComponent(String(body.name))}&client_id=${body.client_id}` : `search=${encodeURIComponent(String(body.emailaddress ?? body.email ?? body.name))}`;
      const res = await transport.send({ method: 'GET', url: `${base}/api${path}?${q}`, what: `GET /api${path}`, idempotent: true, auth });
      searches++;
      const json = JSON.parse(res.text) as unknown;
      const rows = (Array.isArray(json) ? json : Object.values(json as object).find(Array.isArray) ?? []) as Array<{ id: number }>;
      return Math.max(...rows.map((x) => x.id));
    };
    await host.counts(true);

    const t0 = now();
    const entra = (await readDirectories(conns)).snapshot;
    const scope = resolveScope(mapping, fresh);
    const identities = desiredIdentities(mapping, entra, (t, u, k) => scope.isProtectedIdentity(t, u, k));
    const byIdentity = new Map<string, Change[]>();
    for (const c of oracle.plan.changes) {
      if (c.kind === 'site' || !c.entraId) continue;
      const key = `${c.kind}:${c.entraId}`;
      byIdentity.set(key, [...(byIdentity.get(key) ?? []), c]);
    }
    const createdSites = new Map<string, number>();
    const createdIds = new Map<Change, number>();
    let searches = 0;
    let posts = 0;
    const write = async (c: Change) => {
      if (c.memberships?.cabs && !Object.keys(c.fields).length && !c.memberships.roles && !c.memberships.teams) return;
      const id = await post(c.kind as WriteKind, changeBody(c, { fresh, createdSites }));
      posts++;
      if (c.action === 'create') createdIds.set(c, id);
    };

    for (const c of oracle.plan.changes.filter((x) => x.kind === 'site')) {
      const id = await post('site', changeBody(c, { fresh }));
      posts++;
      createdSites.set(siteKey(c.site!.clientId, c.site!.name), id);
    }
    const done = new Set<Change>();
    const tasks: Array<() => Promise<void>> = [];
    for (const id of identities) {
      const email = String(id.user.attrs.mail ?? id.user.attrs.userPrincipalName ?? '');
      for (const [kind, selected, path] of [['user', id.userRule, '/Users'], ['agent', id.agent, '/Agent']] as const) {
        if (!selected) continue;
        tasks.push(async () => {
          const res = await transport.send({ method: 'GET', url: `${base}/api${path}?search=${encodeURIComponent(email)}`, what: `GET /api${path}`, idempotent: true, auth });
          if (res.status !== 200) throw new Error(`baseline search answered ${res.status}`);
          searches++;
          for (const c of byIdentity.get(`${kind}:${id.user.id}`) ?? []) {
            done.add(c);
            await write(c);
          }
        });
      }
    }
    await pool(tasks, concurrency);
    // Deprovisioning of records no identity in scope reaches (deleted in Entra, out of every rule).
    await pool(
      oracle.plan.changes.filter((c) => c.kind !== 'site' && !done.has(c)).map((c) => () => write(c)),
      concurrency,
    );
    // CAB memberships, one POST per change: each posts the CAB's members as they stand after it.
    const cabChanges = oracle.plan.changes.filter((c) => c.memberships?.cabs);
    const roleOf = (cab: string) => mapping.cab?.find((x) => x.cab.toLowerCase() === cab.toLowerCase())?.role;
    for (let i = 0; i < cabChanges.length; i++) {
      const { bodies } = cabBodies(cabChanges.slice(0, i + 1), fresh, { roleOf, idOf: (c) => createdIds.get(c) ?? c.haloId });
      for (const b of bodies.filter((x) => x.changes.includes(cabChanges[i]))) {
        await post('cab', b.body);
        posts++;
      }
    }
    const ms = msSince(t0);
    const counts = await host.counts(true);

    const after = await planWith(conns);
    return {
      users,
      ms,
      halo: counts.halo.total - counts.halo.tokens,
      searches,
      posts,
      graph: counts.graph.total,
      changes: oracle.plan.changes.length,
      residual: after.plan.changes.length,
    };
  } finally {
    http.close();
    conns.close();
    await host.stop();
  }
}

async function pool(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
