// The embedded simulators together: Graph + login over HTTPS (a certificate made at start-up, so
// MSAL's real network path runs) and Halo, seeded from one synthetic world, plus a mapping that
// points at them. Used by `demo`, `sim`, the extension's "Start Simulator" and the tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { EXAMPLE_MAPPING } from './example-mapping';
import { Faults } from './faults';
import { GraphSim, startGraphSim } from './graph/server';
import type { HaloModes } from './halo/modes';
import { startHaloSim } from './halo/server';
import { GoogleSim, startGoogleSim } from './google/server';
import { OktaSim, startOktaSim } from './okta/server';
import type { World } from './state';
import { makeCertificate } from './tls';
import { generateWorld, WorldOptions } from './world';

export interface SimulatorOptions {
  world?: World;
  /** Used when `world` is not given. */
  worldOptions?: WorldOptions;
  /** Added to every answer of both services (e.g. 20 ms for realistic timing). */
  latencyMs?: number;
  /** Halo's requests-per-rolling-window limit (Halo hosted: 300 per 5 minutes); none by default. */
  haloRateLimit?: { requests: number; windowMs: number } | null;
  /** How the Halo simulator answers where Halo's documents allow several readings (DESIGN §6a); documented by default. */
  haloModes?: Partial<HaloModes>;
  graphPort?: number;
  haloPort?: number;
  tokenLifetimeSeconds?: number;
  /** How long a Graph deltaLink stays usable (default 7 days). */
  deltaTokenValidityMs?: number;
  /** Graph application permissions in every token (default User.Read.All and GroupMember.Read.All). */
  graphRoles?: string[];
  /** Okta's per-family rate limits (default: Okta's documented example, 1000 a minute for users). */
  oktaRateLimit?: { users?: number; groups?: number; token?: number; windowMs?: number };
}

export interface Simulators {
  world: World;
  graphUrl: string;
  loginUrl: string;
  haloUrl: string;
  haloAuthUrl: string;
  /** The PEM certificate to trust for the HTTPS endpoints. */
  ca: string;
  faults: { graph: Faults; halo: Faults; okta: Faults; google: Faults };
  /** One Okta simulator per org of the world (none unless the world has Okta orgs). */
  okta: OktaSim[];
  /** One Google Workspace simulator per customer of the world. */
  google: GoogleSim[];
  /** The Graph simulator: change its tenants (so delta reports it) or invalidate delta tokens. */
  graph: GraphSim;
  /** The Halo simulator's readings of what its documents leave open. */
  haloModes: HaloModes;
  /** Request logs of both services. */
  requests: { graph: Array<{ method: string; path: string; status: number }>; halo: Array<{ method: string; path: string; query: Record<string, string>; status: number }>; okta: OktaSim['requests']; google: GoogleSim['requests'] };
  /** Environment variables the mapping's ${env:…} references expect (simulator credentials only). */
  env: Record<string, string>;
  /** A mapping text pointing at these simulators (from `base`, the example by default). */
  mapping(caFile: string, base?: string): string;
  stop(): Promise<void>;
}

export async function startSimulators(options: SimulatorOptions = {}): Promise<Simulators> {
  const world = options.world ?? generateWorld(options.worldOptions ?? { users: 120, seed: 1 });
  const tls = await makeCertificate();
  const faults = { graph: new Faults(), halo: new Faults(), okta: new Faults(), google: new Faults() };
  const graph = await startGraphSim(world.graph, { port: options.graphPort ?? 0, tls, faults: faults.graph, latencyMs: options.latencyMs, tokenLifetimeSeconds: options.tokenLifetimeSeconds, deltaTokenValidityMs: options.deltaTokenValidityMs, roles: options.graphRoles });
  const halo = await startHaloSim(world.halo, {
    port: options.haloPort ?? 0, faults: faults.halo, latencyMs: options.latencyMs, rateLimit: options.haloRateLimit ?? null,
    modes: options.haloModes, tokenLifetimeSeconds: options.tokenLifetimeSeconds,
  });
  // One request log for every org, in arrival order.
  const oktaRequests: OktaSim['requests'] = [];
  const okta = await Promise.all((world.okta ?? []).map((org) => startOktaSim(org, { tls, faults: faults.okta, latencyMs: options.latencyMs, rateLimit: options.oktaRateLimit, tokenLifetimeSeconds: options.tokenLifetimeSeconds, requests: oktaRequests })));
  const googleRequests: GoogleSim['requests'] = [];
  const google = await Promise.all((world.google ?? []).map((c) => startGoogleSim(c, { tls, faults: faults.google, latencyMs: options.latencyMs, requests: googleRequests })));
  const tenant = world.graph[0];
  const googleEnv = Object.fromEntries(
    (world.google ?? []).flatMap((c, i) => {
      const p = i === 0 ? 'GOOGLE' : `GOOGLE${i + 1}`;
      return [[`${p}_SERVICE_ACCOUNT_KEY`, c.credentials.serviceAccountKey], [`${p}_SUBJECT`, c.credentials.subject]];
    }),
  );
  const oktaEnv = Object.fromEntries(
    (world.okta ?? []).flatMap((org, i) => {
      const p = i === 0 ? 'OKTA' : `OKTA${i + 1}`;
      return [[`${p}_CLIENT_ID`, org.credentials.clientId], [`${p}_PRIVATE_KEY`, org.credentials.privateKeyPem], [`${p}_API_TOKEN`, org.credentials.apiToken]];
    }),
  );
  return {
    world,
    graphUrl: graph.graphUrl,
    loginUrl: graph.loginUrl,
    haloUrl: halo.url,
    haloAuthUrl: halo.authUrl,
    ca: tls.cert,
    faults,
    okta,
    google,
    graph,
    haloModes: halo.modes,
    requests: { graph: graph.requests, halo: halo.requests, okta: oktaRequests, google: googleRequests },
    env: {
      HALO_CLIENT_ID: world.halo.clientId,
      HALO_CLIENT_SECRET: world.halo.clientSecret,
      ENTRA_CLIENT_ID: tenant.clientId,
      ENTRA_CLIENT_SECRET: tenant.clientSecret,
      ...oktaEnv,
      ...googleEnv,
    },
    mapping(caFile: string, base = EXAMPLE_MAPPING): string {
      const doc = parseDocument(base);
      doc.setIn(['halo', 'url'], halo.url);
      if (doc.hasIn(['halo', 'authUrl'])) doc.setIn(['halo', 'authUrl'], halo.authUrl);
      if (world.halo.tenant) doc.setIn(['halo', 'tenant'], world.halo.tenant);
      // Every connection signs in at the simulators; one naming no simulated tenant takes the i-th.
      const known = new Set(world.graph.map((t) => t.tenantId));
      const connections = (doc.getIn(['entra']) as { items?: unknown[] } | undefined)?.items ?? [];
      connections.forEach((_, i) => {
        if (!known.has(String(doc.getIn(['entra', i, 'tenantId'])))) doc.setIn(['entra', i, 'tenantId'], (world.graph[i] ?? tenant).tenantId);
        doc.setIn(['entra', i, 'cloud'], doc.createNode({ loginUrl: graph.loginUrl, graphUrl: graph.graphUrl }));
      });
      const orgs = (doc.getIn(['okta']) as { items?: unknown[] } | undefined)?.items ?? [];
      orgs.forEach((_, i) => okta[i] && doc.setIn(['okta', i, 'orgUrl'], okta[i].url));
      const customers = (doc.getIn(['google']) as { items?: unknown[] } | undefined)?.items ?? [];
      customers.forEach((_, i) => {
        if (!google[i]) return;
        doc.setIn(['google', i, 'apiUrl'], google[i].url);
        doc.setIn(['google', i, 'tokenUrl'], google[i].tokenUrl);
      });
      doc.set('tls', doc.createNode({ caFiles: [caFile] }));
      return doc.toString();
    },
    async stop() {
      await Promise.all([graph.stop(), halo.stop(), ...okta.map((o) => o.stop()), ...google.map((g) => g.stop())]);
    },
  };
}

/** Writes the simulators' certificate and mapping into `dir`; returns the mapping's path. */
export function writeSimulatorFiles(sims: Simulators, dir: string, base?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const caFile = path.join(dir, 'simulator-ca.pem');
  fs.writeFileSync(caFile, sims.ca);
  const file = path.join(dir, 'halo-identity.yaml');
  fs.writeFileSync(file, sims.mapping(caFile, base));
  return file;
}
